"""``hwsnn simulate jitter|quantization`` functions and the calibration file round trip."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest

from hwsnn.backends.spice.calibrate import load_calibration, write_calibration
from hwsnn.cli.circuit import (
    add_jitter_arguments,
    add_quantization_arguments,
    run_jitter,
    run_quantization,
)
from hwsnn.errors import DataError


def test_jitter_table_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    add_jitter_arguments(parser)
    args = parser.parse_args(["--input-jitter", "1,5,9", "--samples", "1000", "--spot", "0",
                              "--out", str(tmp_path)])
    assert run_jitter(args) == 0
    rows = json.loads((tmp_path / "jitter.json").read_text())["rows"]
    out = [r["output_jitter_pct"] for r in rows]
    assert out == sorted(out)  # grows with the input jitter
    assert all(o < i for o, i in zip(out, [1, 5, 9], strict=True))  # and stays below it
    assert rows[0]["n_samples"] >= 1000
    assert "input jitter" in capsys.readouterr().out
    assert (tmp_path / "jitter.csv").read_text().startswith("level,")


def test_quantization_table_falls_with_bits(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_quantization_arguments(parser)
    args = parser.parse_args(["--weight-bits", "4,8,16", "--samples", "1000", "--spot", "0",
                              "--out", str(tmp_path)])
    assert run_quantization(args) == 0
    rows = json.loads((tmp_path / "quantization.json").read_text())["rows"]
    out = [r["output_jitter_pct"] for r in rows]
    assert out == sorted(out, reverse=True)


def test_bad_list_is_a_usage_error() -> None:
    parser = argparse.ArgumentParser()
    add_jitter_arguments(parser)
    with pytest.raises(SystemExit):
        parser.parse_args(["--input-jitter", "1;rm"])


def test_calibration_file_round_trip(tmp_path: Path) -> None:
    from hwsnn.backends.spice.calibrate import CalibrationReport

    model = load_calibration()
    report = CalibrationReport(circuit=model.circuit, calibration=model.calibration, n_fit=1,
                               n_check=1, median_rel_error_before=0.0, median_rel_error=0.0,
                               max_rel_error=0.0, steps_per_period=100.0, seed=0)
    write_calibration(report, tmp_path / "cal.toml")
    again = load_calibration(tmp_path / "cal.toml")
    assert again == model
    t = np.array([[0.0, 1e-9]])
    assert again.spike_times(t, np.array([[0.7, 0.7]]), 1e-7)[0] > 0
    (tmp_path / "bad.toml").write_text("[circuit]\nf0_hz = 'x'\n")
    with pytest.raises(DataError):
        load_calibration(tmp_path / "bad.toml")
