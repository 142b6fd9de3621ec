"""A fresh pipeline run reproduces the committed reference report within the stated tolerances."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hwsnn._data import data_path
from hwsnn.cli import main
from hwsnn.report.compare import Tolerance, compare_report_json

REFERENCE = data_path("mappings").parent / "reports" / "report.json"


def test_compare_detects_moves_beyond_tolerance() -> None:
    ref = {"a": {"test_accuracy": 0.95, "energy_j": 1e-9, "ir_hash": "x"}, "s": "mlp"}
    same = {"a": {"test_accuracy": 0.955, "energy_j": 1.02e-9, "ir_hash": "y"}, "s": "mlp"}
    assert compare_report_json(ref, same) == []
    moved = {"a": {"test_accuracy": 0.93, "energy_j": 1.2e-9, "ir_hash": "y"}, "s": "conv"}
    problems = compare_report_json(ref, moved, Tolerance())
    assert len(problems) == 3
    assert compare_report_json(ref, {"s": "mlp"})[0].startswith("missing")


@pytest.mark.slow
@pytest.mark.skipif(not REFERENCE.is_file(), reason="no committed reference report (run make demo)")
def test_pipeline_reproduces_reference_report(tmp_path: Path) -> None:
    assert main(["pipeline", "--out", str(tmp_path), "--no-progress"]) == 0
    fresh = json.loads((tmp_path / "report.json").read_text())
    reference = json.loads(REFERENCE.read_text())
    assert compare_report_json(reference, fresh) == []
