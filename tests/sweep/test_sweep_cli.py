"""``hwsnn sweep``: every kind through the CLI, engine choice, fast failure on a bad scheduler."""

from __future__ import annotations

import csv
import time

import pytest

from hwsnn.cli import main
from hwsnn.formats import save
from hwsnn.sweep import dask_available, read_rows

from .conftest import binary_mlp, loihi_mlp


def _csv(path):
    with path.open() as handle:
        return list(csv.DictReader(handle))


def test_jitter_and_quantization(tmp_path, capsys):
    out = tmp_path / "j"
    args = ["--samples", "40", "--serial", "--no-progress", "--out", str(out)]
    assert main(["sweep", "jitter", "--input-jitter", "1,9", "--repeats", "2", *args]) == 0
    summary = _csv(out / "summary.csv")
    assert [float(s["input_jitter_pct"]) for s in summary] == [1.0, 9.0]
    assert float(summary[1]["output_jitter_pct"]) > float(summary[0]["output_jitter_pct"]) > 0
    assert "4 points: 4 computed" in capsys.readouterr().out
    out = tmp_path / "q"
    args[-1] = str(out)
    assert main(["sweep", "quantization", "--weight-bits", "4,16", *args]) == 0
    rows = _csv(out / "results.csv")
    assert float(rows[0]["output_jitter_pct"]) > float(rows[1]["output_jitter_pct"])


def test_crossbar_sweep_on_a_model_file(tmp_path):
    model = tmp_path / "m.hwir"
    save(binary_mlp(), model)
    out = tmp_path / "x"
    argv = [
        "sweep",
        "crossbar",
        str(model),
        "--limit",
        "40",
        "--read-noise",
        "0,0.3",
        "--stuck",
        "0,0.5",
        "--shards",
        "2",
        "--serial",
        "--no-progress",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    rows = read_rows(out / "results.jsonl")
    assert len(rows) == 8 and all(r.status == "ok" for r in rows)
    assert {r.params["shard"] for r in rows} == {0, 1}
    assert sum(r.metrics["samples"] for r in rows) == 4 * 40
    assert all(r.metrics["energy_per_sample_j"] > 0 for r in rows)
    summary = _csv(out / "summary.csv")
    assert len(summary) == 4 and all(float(s["samples"]) == 40 for s in summary)


def test_loihi_sweep_weight_bits(tmp_path):
    model = tmp_path / "l.hwir"
    save(loihi_mlp(), model)
    out = tmp_path / "l"
    argv = [
        "sweep",
        "loihi",
        str(model),
        "--limit",
        "60",
        "--weight-bits",
        "2,8",
        "--serial",
        "--no-progress",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    acc = {int(s["weight_bits"]): float(s["accuracy"]) for s in _csv(out / "summary.csv")}
    assert acc[8] > 0.5 and acc[8] >= acc[2]


def test_bad_scheduler_fails_within_seconds_with_one_line(tmp_path, capsys):
    start = time.monotonic()
    code = main(
        [
            "sweep",
            "noop",
            "--points",
            "3",
            "--scheduler",
            "tcp://127.0.0.1:9",
            "--connect-timeout",
            "2",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and time.monotonic() - start < 10
    assert err[-1].startswith("hwsnn: error: cannot reach Dask scheduler tcp://127.0.0.1:9")
    assert not (tmp_path / "o").exists()
    assert main(["sweep", "noop", "--scheduler", "nohost", "--out", str(tmp_path / "o")]) == 1


def test_without_dask_the_local_engine_runs_and_says_so(tmp_path, capsys, monkeypatch):
    import hwsnn.sweep as sweep_pkg

    monkeypatch.setattr(sweep_pkg, "dask_available", lambda: False)
    argv = [
        "sweep",
        "noop",
        "--points",
        "3",
        "--dask-local",
        "2",
        "--no-progress",
        "--out",
        str(tmp_path),
    ]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "Dask is not installed" in captured.err and "local processes" in captured.out


def test_dask_local_cluster_runs_and_leaves_no_processes(tmp_path, capsys):
    if not dask_available():
        pytest.skip("dask[distributed] is not installed")
    import psutil

    argv = [
        "sweep",
        "noop",
        "--points",
        "20",
        "--dask-local",
        "2",
        "--no-progress",
        "--out",
        str(tmp_path),
    ]
    assert main(argv) == 0
    assert "Dask LocalCluster (2 worker processes)" in capsys.readouterr().out
    assert len(read_rows(tmp_path / "results.jsonl")) == 20
    deadline = time.monotonic() + 10
    while _workers(psutil) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _workers(psutil) == []


def _workers(psutil):
    """Child processes, less multiprocessing's resource tracker (one per interpreter)."""
    children = psutil.Process().children(recursive=True)
    return [p.cmdline() for p in children if "resource_tracker" not in " ".join(p.cmdline())]
