"""Kill a sweep halfway, resume it: no duplicates, every point, finished points not redone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hwsnn.errors import HwsnnError
from hwsnn.sweep import SerialEngine, read_rows, run_sweep
from hwsnn.sweep.tasks import probe_sweep

POINTS = 30


def _cli(out: Path, marks: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "hwsnn.cli", "sweep", "noop", "--points", str(POINTS),
        "--sleep-s", "0.1", "--record-dir", str(marks), "--workers", "2", "--no-progress",
        "--out", str(out), *extra,
    ]  # fmt: skip


def _ran(marks: Path) -> set[str]:
    return {p.name for p in marks.glob("task-*")}


def _index(marker: str) -> int:
    return int(marker.split("-")[1])


def test_kill_then_resume_completes_without_recomputing(tmp_path):
    out, marks = tmp_path / "out", tmp_path / "marks"
    marks.mkdir()
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        _cli(out, marks),
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while len(read_rows(out / "results.jsonl")) < 8 and time.monotonic() < deadline:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its worker processes
        proc.wait()
    first = read_rows(out / "results.jsonl")
    assert 8 <= len(first) < POINTS
    finished = {r.index for r in first}
    before = _ran(marks)

    done = subprocess.run(
        _cli(out, marks, "--resume"), env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    rows = read_rows(out / "results.jsonl")
    assert [r.index for r in rows] == list(range(POINTS))  # stable order, no duplicates
    assert all(r.status == "ok" for r in rows)
    redone = {_index(m) for m in _ran(marks) - before}
    assert not redone & finished, "finished points were computed again"
    assert redone | finished == set(range(POINTS))
    csv_lines = (out / "results.csv").read_text().splitlines()
    assert len(csv_lines) == POINTS + 1
    runs = {json.loads(line)["run"] for line in (out / "log.jsonl").read_text().splitlines()}
    assert len(runs) == 2
    assert f"{POINTS - len(finished)} computed, {len(finished)} already done" in done.stdout


def test_resume_redoes_only_failed_points_and_checks_the_sweep(tmp_path):
    sweep = probe_sweep(4)
    run_sweep(sweep, tmp_path, SerialEngine(), progress=False)
    rows = read_rows(tmp_path / "results.jsonl")
    lines = [r.to_json() for r in rows]
    doc = json.loads(lines[1])
    doc.update(status="failed", metrics={}, error="X: y", attempts=2)
    lines[1] = json.dumps(doc)
    (tmp_path / "results.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(HwsnnError, match="--resume"):
        run_sweep(sweep, tmp_path, SerialEngine(), progress=False)
    again = run_sweep(sweep, tmp_path, SerialEngine(), resume=True, progress=False)
    assert (again.computed, again.skipped, again.failed) == (1, 3, 0)
    assert [r.to_json() for r in again.rows] == [r.to_json() for r in rows]
    with pytest.raises(HwsnnError, match="different sweep"):
        run_sweep(probe_sweep(4, seed=9), tmp_path, SerialEngine(), resume=True, progress=False)
    with pytest.raises(HwsnnError, match="not points of this sweep"):
        run_sweep(probe_sweep(2), tmp_path, SerialEngine(), resume=True, progress=False)
