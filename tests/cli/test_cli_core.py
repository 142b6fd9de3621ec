"""The CLI in-process: help, one-line errors with exit 1, conversions, info, simulate."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import hwsnn
from hwsnn import ir
from hwsnn.cli import main
from tests.conftest import conv_lif_graph


@pytest.fixture
def model_file(tmp_path: Path, rng: np.random.Generator) -> Path:
    return hwsnn.save(conv_lif_graph(rng), tmp_path / "model.hwir")


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("export", "info", "simulate", "pipeline"):
        assert command in out


def test_usage_error_exits_2() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["info"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize(
    "argv_tail",
    [["info", "{tmp}/missing.hwir"], ["info", "{tmp}/model.txt"], ["info", "{tmp}/bad.hwir"]],
)
def test_bad_input_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv_tail: list[str]
) -> None:
    (tmp_path / "model.txt").write_text("x")
    (tmp_path / "bad.hwir").write_bytes(b"\x89HWIR\r\n\x1a" + b"\xff" * 3)
    code = main([a.format(tmp=tmp_path) for a in argv_tail])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("hwsnn: error: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_info_json(model_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(model_file), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["parameters"] == 4 * 9 + 4 + 10 * 64 + 10
    assert [n["kind"] for n in doc["nodes"]][:3] == ["Input", "Conv2d", "LIF"]


def test_convert_between_formats(model_file: Path, tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    out = [tmp_path / "copy.hwir", tmp_path / "copy.onnx"]
    assert main(["export", str(model_file), "--out", *map(str, out)]) == 0
    original = hwsnn.load(model_file)
    for path in out:
        assert ir.graphs_equal(hwsnn.load(path), original)


def test_simulate_writes_results(
    model_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["simulate", str(model_file), "--limit", "20", "--out", str(tmp_path / "sim")]) == 0
    doc = json.loads((tmp_path / "sim" / "results.json").read_text())
    assert doc["samples"] == 20 and 0.0 <= doc["accuracy"] <= 1.0
    assert "accuracy" in capsys.readouterr().out


def test_simulate_unknown_backend(model_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(model_file), "--limit", "5", "--backend", "abacus"]) == 1
    assert "unknown backend" in capsys.readouterr().err
