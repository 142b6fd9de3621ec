"""Serial, local processes and a Dask LocalCluster give identical tables; failures stay local."""

from __future__ import annotations

import logging

import pytest

from hwsnn.sweep import (
    DaskEngine,
    ProcessEngine,
    SerialEngine,
    Sweep,
    dask_available,
    grid,
    run_sweep,
)
from hwsnn.sweep.tasks import crossbar_sweep, jitter_sweep, prepare_probe, probe_sweep, probe_task

from .conftest import binary_mlp


@pytest.fixture(scope="module")
def dask_address():
    """One LocalCluster (2 worker processes) for the whole module."""
    if not dask_available():
        pytest.skip("dask[distributed] is not installed")
    from distributed import LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def _engines(address):
    return {
        "serial": SerialEngine(),
        "processes": ProcessEngine(2),
        "dask": DaskEngine(address=address),
    }


def _tables(sweep, tmp_path, address):
    out = {}
    for name, engine in _engines(address).items():
        result = run_sweep(sweep, tmp_path / name, engine, progress=False)
        assert result.failed == 0 and result.computed == len(sweep.points)
        out[name] = (tmp_path / name / "results.csv").read_bytes()
    return out


def test_jitter_tables_are_identical_on_all_engines(tmp_path, dask_address):
    sweep = jitter_sweep([1.0, 5.0], samples=50, repeats=3, seed=3)
    tables = _tables(sweep, tmp_path, dask_address)
    assert tables["serial"] == tables["processes"] == tables["dask"]
    assert tables["serial"].count(b"\n") == 7  # header + 6 points


def test_crossbar_tables_are_identical_on_all_engines(tmp_path, dask_address, digits_test):
    x, y = digits_test
    sweep = crossbar_sweep(
        binary_mlp(), x, y, {"read_noise": [0.0, 0.1], "adc_bits": [3]}, shards=2, seed=1
    )
    tables = _tables(sweep, tmp_path, dask_address)
    assert tables["serial"] == tables["processes"] == tables["dask"]


def _failing_sweep(record_dir=None):
    points = grid({"i": list(range(6))})
    points = tuple({**p, "fail": p["i"] == 2} for p in points)
    base = probe_sweep(1, record_dir=record_dir)
    return Sweep(
        name="noop", task=probe_task, points=points, payload=base.payload, prepare=prepare_probe
    )


@pytest.mark.parametrize("engine", ["serial", "processes", "dask"])
def test_a_failing_point_is_retried_once_then_recorded(tmp_path, engine, dask_address):
    marks = tmp_path / "marks"
    marks.mkdir()
    result = run_sweep(
        _failing_sweep(marks), tmp_path / "out", _engines(dask_address)[engine], progress=False
    )
    status = {r.index: (r.status, r.attempts) for r in result.rows}
    assert status == {i: ("ok", 1) if i != 2 else ("failed", 2) for i in range(6)}
    assert "fails on purpose" in result.rows[2].error and result.rows[2].metrics == {}
    assert len(list(marks.glob("task-2-*"))) == 2  # tried twice
    # the payload was unpacked at most once per worker process, not once per task
    assert 1 <= len(list(marks.glob("prepare-*"))) <= (1 if engine == "serial" else 2)


def test_a_dying_worker_fails_only_its_point(tmp_path):
    points = tuple({"i": i, "crash": i == 1} for i in range(5))
    sweep = Sweep(
        name="noop",
        task=probe_task,
        points=points,
        payload=probe_sweep(1, sleep_s=0.05).payload,
        prepare=prepare_probe,
    )
    result = run_sweep(sweep, tmp_path, ProcessEngine(2), progress=False)
    status = {r.index: r.status for r in result.rows}
    assert status[1] == "failed" and "worker process died" in result.rows[1].error
    assert [status[i] for i in (0, 2, 3, 4)] == ["ok"] * 4
