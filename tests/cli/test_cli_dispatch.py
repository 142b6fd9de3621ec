"""Target- and study-specific parsers reached through ``hwsnn map`` and ``hwsnn simulate``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import hwsnn
from hwsnn import ir
from hwsnn.cli import main


@pytest.fixture
def mlp_file(tmp_path: Path, rng: np.random.Generator) -> Path:
    graph = ir.Graph.sequential(
        [
            ("input", ir.Input(shape=(1, 8, 8))),
            ("flat", ir.Flatten()),
            ("fc1", ir.Affine(weight=rng.normal(0, 0.3, (32, 64)), bias=np.zeros(32))),
            ("lif", ir.LIF(tau_mem=2e-2, r=20.0, reset="zero")),
            ("fc2", ir.Affine(weight=rng.normal(0, 0.3, (10, 32)), bias=np.zeros(10))),
            ("li", ir.LI(tau_mem=2e-2, r=20.0)),
            ("output", ir.Output()),
        ],
        dt=1e-3,
        timesteps=8,
    )
    return hwsnn.save(graph, tmp_path / "mlp.hwir")


def test_map_loihi_writes_resources(mlp_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "loihi"
    assert main(["map", str(mlp_file), "--target", "loihi2", "--out", str(out)]) == 0
    resources = json.loads((out / "resources.json").read_text())
    assert resources["cores"] >= 2


def test_map_crossbar_needs_binary_weights(
    mlp_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "xbar"
    assert main(["map", str(mlp_file), "--target", "crossbar-rram", "--out", str(out)]) == 1
    assert "weight_levels" in capsys.readouterr().err
    argv = ["map", str(mlp_file), "--target", "crossbar-rram", "--out", str(out), "--binarize"]
    assert main(argv) == 0
    assert json.loads((out / "crossbar_map.json").read_text())["resources"]["tiles"] >= 1


def test_map_unknown_target_is_a_usage_error(mlp_file: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["map", str(mlp_file), "--target", "truenorth", "--out", "x"])
    assert exit_info.value.code == 2


def test_crossbar_sweep_through_simulate(
    mlp_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "simulate",
        str(mlp_file),
        "--backend",
        "crossbar-mtj",
        "--sweep",
        "adc-bits",
        "--values",
        "3,8",
        "--binarize",
        "--limit",
        "40",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "ADC bits" in out and out.count("accuracy") == 2


def test_simulate_on_the_loihi_emulator(mlp_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(mlp_file), "--backend", "loihi-emulator", "--limit", "20"]) == 0
    assert "backend loihi-emulator" in capsys.readouterr().out
