"""Run a sweep on an engine into a folder: table, manifest, run log, resume."""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hwsnn.errors import HwsnnError
from hwsnn.sweep.engines import Engine, Outcome
from hwsnn.sweep.spec import Job, Sweep
from hwsnn.sweep.table import Row, RowWriter, read_rows, write_atomic, write_table

__all__ = ["SweepRun", "run_sweep"]

TABLE = "results.jsonl"
MANIFEST = "sweep.json"
LOG = "log.jsonl"


@dataclass(frozen=True)
class SweepRun:
    """What one call of :func:`run_sweep` did.

    Attributes:
        rows: The whole table in point order (earlier runs included).
        skipped: Points already in the table with status ok (not recomputed).
        computed: Points computed by this run.
        failed: Points of the table whose status is failed.
        wall_s: Wall time of this run (s).
        engine: Engine description.
        out: Output folder.
    """

    rows: tuple[Row, ...]
    skipped: int
    computed: int
    failed: int
    wall_s: float
    engine: str
    out: Path


def _check_manifest(out: Path, sweep: Sweep, resume: bool) -> None:
    path = out / MANIFEST
    mine = sweep.manifest()
    if resume and path.exists():
        theirs = json.loads(path.read_text())
        for field in ("task", "seed", "options"):
            if theirs.get(field) != mine[field]:
                raise HwsnnError(
                    f"{out} holds a different sweep ({field}: {theirs.get(field)!r}, "
                    f"now {mine[field]!r}); choose another --out"
                )
    write_atomic(path, json.dumps(mine, indent=2, sort_keys=True) + "\n")


def _previous(out: Path, sweep: Sweep, jobs: dict[str, Job], resume: bool) -> dict[str, Row]:
    rows = read_rows(out / TABLE, repair=resume)
    if rows and not resume:
        raise HwsnnError(
            f"{out / TABLE} already holds {len(rows)} rows; pass --resume to continue that "
            "sweep or choose another --out"
        )
    stale = [r for r in rows if r.key not in jobs]
    if stale:
        raise HwsnnError(
            f"{out / TABLE} has {len(stale)} rows that are not points of this sweep "
            f"(e.g. point {stale[0].index}, key {stale[0].key}); choose another --out"
        )
    return {r.key: r for r in rows}  # the last row of a key wins (a failed point redone)


def _row(job: Job, outcome: Outcome) -> Row:
    return Row(
        index=job.index,
        key=job.key,
        seed=job.seed,
        status=outcome.status,
        error=outcome.error,
        attempts=outcome.attempts,
        params=job.params,
        metrics=outcome.metrics,
    )


def _log(handle: Any, run_id: str, job: Job, outcome: Outcome) -> None:
    record = {
        "run": run_id,
        "key": job.key,
        "index": job.index,
        "status": outcome.status,
        "pid": outcome.pid,
        "wall_s": outcome.wall_s,
        "time": time.time(),
    }
    handle.write(json.dumps(record) + "\n")
    handle.flush()


def run_sweep(
    sweep: Sweep, out: Path, engine: Engine, *, resume: bool = False, progress: bool = True
) -> SweepRun:
    """Run the points of ``sweep`` not yet in ``out`` and write the table.

    Files in ``out``: ``results.jsonl`` (appended as points finish, rewritten in point order
    at the end), ``results.csv``, ``summary.csv`` (means over repeats and shards),
    ``sweep.json`` (task, base seed, options) and ``log.jsonl`` (run id, worker pid and
    wall time of every computed point; not part of the table).

    Args:
        sweep: The sweep.
        out: Output folder (created).
        engine: Where the points run.
        resume: Keep the ``ok`` rows already in ``out`` and compute only the others (failed
            points are tried again); without it an existing table is an error.
        progress: Show a progress bar on stderr.

    Raises:
        HwsnnError: ``out`` holds a table and ``resume`` is false, or a different sweep.
    """
    from tqdm import tqdm

    start = time.perf_counter()
    engine.check()
    out.mkdir(parents=True, exist_ok=True)
    jobs = {job.key: job for job in sweep.jobs()}
    rows = _previous(out, sweep, jobs, resume)
    _check_manifest(out, sweep, resume)
    todo = [j for k, j in jobs.items() if k not in rows or rows[k].status != "ok"]
    skipped = len(jobs) - len(todo)
    by_index = {j.index: j for j in todo}
    run_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    bar = tqdm(total=len(todo), desc=f"sweep {sweep.name}", unit="point", file=sys.stderr,
               disable=not progress, dynamic_ncols=True)  # fmt: skip
    try:
        with RowWriter(out / TABLE) as writer, (out / LOG).open("a") as log:
            for outcome in engine.run(sweep, todo):
                job = by_index[outcome.index]
                rows[job.key] = _row(job, outcome)
                writer.append(rows[job.key])
                _log(log, run_id, job, outcome)
                bar.update()
    finally:
        bar.close()
        ordered = write_table(rows.values(), out)
    failed = sum(r.status != "ok" for r in ordered)
    wall_s = time.perf_counter() - start
    return SweepRun(tuple(ordered), skipped, len(todo), failed, wall_s, engine.description, out)
