"""``hwsnn report MODEL --out DIR`` and the pipeline's report stage, in-process."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import hwsnn
from hwsnn.cli import main
from hwsnn.data import load_dataset
from hwsnn.pipeline import Context, PipelineConfig, StageResult, StageStatus
from hwsnn.pipeline.report_stage import report as report_stage
from tests.conftest import conv_lif_graph


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "conv.hwir"
    return hwsnn.save(conv_lif_graph(np.random.default_rng(3)), path)


def test_cli_writes_every_file(
    tmp_path: Path, model_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rep"
    argv = [
        "report",
        str(model_file),
        "--out",
        str(out),
        "--limit",
        "30",
        "--energy-model",
        "cmos45-fp32",
        "--energy-model",
        "loihi1",
    ]
    assert main(argv) == 0
    assert {
        "report.md",
        "report.json",
        "report.html",
        "spikes_per_layer.png",
        "energy_per_target.png",
    } <= {p.name for p in out.iterdir()}
    doc = json.loads((out / "report.json").read_text())
    assert [e["model"]["name"] for e in doc["energy"]] == ["cmos45-fp32", "loihi1"]
    assert doc["provenance"]["samples"] == 30 and doc["provenance"]["dataset"] == "digits"
    assert "E_ANN/E_SNN" in capsys.readouterr().out
    first = (out / "report.json").read_bytes()
    assert main(argv) == 0
    assert (out / "report.json").read_bytes() == first


def test_cli_bad_energy_model_is_a_usage_error(tmp_path: Path, model_file: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["report", str(model_file), "--out", str(tmp_path), "--energy-model", "nope"])
    assert info.value.code == 2


def test_pipeline_stage_lists_every_earlier_stage(tmp_path: Path) -> None:
    data = load_dataset("digits", seed=0, limit_train=20, limit_test=24)
    ctx = Context(config=PipelineConfig(), out=tmp_path, progress=False)
    ctx.artifacts.update(graph=conv_lif_graph(np.random.default_rng(3)), data=data)
    ctx.results = [  # type: ignore[attr-defined]  # kept by the runner
        StageResult("train", StageStatus.OK, metrics={"torch_test_accuracy": np.float64(0.5)}),
        StageResult("lava", StageStatus.SKIPPED, "lava-nc is not importable"),
        StageResult("crossbar", StageStatus.FAILED, "HwsnnError: tile too small"),
    ]
    result = report_stage(ctx)
    assert result.status is StageStatus.OK
    md = (tmp_path / "report.md").read_text()
    assert "**skipped**: lava-nc is not importable" in md
    assert "**failed**: HwsnnError: tile too small" in md
    assert "| torch_test_accuracy | 50.00 % |" in md
    assert tmp_path / "report.html" in ctx.files
    assert result.metrics["ann_over_snn_compute_cmos45-fp32"] > 0


def test_pipeline_stage_needs_graph_and_data(tmp_path: Path) -> None:
    from hwsnn.errors import HwsnnError

    with pytest.raises(HwsnnError, match="needs graph, data"):
        report_stage(Context(config=PipelineConfig(), out=tmp_path, progress=False))
