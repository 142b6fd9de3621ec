"""Every kind of bad input file gives one line on stderr and exit status 1."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import hwsnn
from hwsnn.cli import main
from hwsnn.formats import native
from tests.conftest import conv_lif_graph


def _truncated(path: Path) -> Path:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    return path


def _foreign_onnx(tmp_path: Path) -> Path:
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "relu", [x], [y])
    path = tmp_path / "relu.onnx"
    onnx.save(helper.make_model(graph), str(path))
    return path


def _negative_tau(tmp_path: Path, rng: np.random.Generator) -> Path:
    header, arrays = hwsnn.ir.graph_to_record(conv_lif_graph(rng))
    arrays["lif1.tau_mem"] = np.array(-1e-3)
    table, payload = native._array_table(arrays)
    import hashlib

    doc = {**header, "arrays": table, "payload_sha256": hashlib.sha256(payload).hexdigest()}
    blob = json.dumps(doc).encode()
    path = tmp_path / "negative_tau.hwir"
    path.write_bytes(native.MAGIC + native._LENGTH.pack(len(blob)) + blob + payload)
    return path


def _bad_file(kind: str, tmp_path: Path, rng: np.random.Generator) -> Path:
    graph = conv_lif_graph(rng)
    if kind == "truncated-hwir":
        return _truncated(hwsnn.save(graph, tmp_path / "g.hwir"))
    if kind == "truncated-onnx":
        return _truncated(hwsnn.save(graph, tmp_path / "g.onnx"))
    if kind == "corrupt-nir":
        path = tmp_path / "g.nir"
        path.write_bytes(b"\x89HDF\r\n\x1a\n" + rng.bytes(300))
        return path
    if kind == "foreign-onnx":
        return _foreign_onnx(tmp_path)
    return _negative_tau(tmp_path, rng)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("truncated-hwir", "truncated"),
        ("truncated-onnx", ""),
        ("corrupt-nir", ""),
        ("foreign-onnx", "ai.hwsnn"),
        ("negative-tau", "tau_mem"),
    ],
)
def test_bad_files_exit_1_with_one_line(
    kind: str,
    message: str,
    tmp_path: Path,
    rng: np.random.Generator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _bad_file(kind, tmp_path, rng)
    assert main(["info", str(path), "--dt", "1e-3", "--timesteps", "4"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("hwsnn: error: ") and err.count("\n") == 1, err
    assert message in err


def test_bad_checkpoint_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "model.pt"
    path.write_bytes(b"not a checkpoint")
    assert main(["export", str(path), "--out", str(tmp_path / "m.hwir")]) == 1
    assert capsys.readouterr().err.startswith("hwsnn: error: ")
