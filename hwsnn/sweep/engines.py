"""Engines that run a sweep's jobs: in-process serial, local processes, Dask distributed.

Every engine yields :class:`Outcome` objects in completion order. A task that raises is
retried once in place (same seed) and then reported as failed; the other points go on.
The sweep's ``payload`` reaches each worker once (pool initializer, or a broadcast scatter
for Dask), where ``prepare`` turns it into the task's context once per worker process.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from hwsnn.errors import HwsnnError
from hwsnn.sweep.spec import Job, PrepareFn, Sweep, TaskFn

__all__ = [
    "Engine",
    "Outcome",
    "ProcessEngine",
    "SerialEngine",
    "default_workers",
    "execute",
]

ATTEMPTS = 2
"""A point is tried at most this many times (one retry)."""


@dataclass(frozen=True)
class Outcome:
    """What a worker returns for one job.

    Attributes:
        index: The job's point index.
        status: ``"ok"`` or ``"failed"``.
        metrics: Metric values (empty when failed).
        error: One-line error of the last failed attempt.
        attempts: Attempts made.
        pid: Process id of the worker that ran it (run log only, not the table).
        wall_s: Seconds the last attempt took in the worker (run log only).
    """

    index: int
    status: str
    metrics: dict[str, float] = field(default_factory=dict)
    error: str = ""
    attempts: int = 1
    pid: int = 0
    wall_s: float = 0.0


def _one_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _metrics(raw: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in dict(raw).items():
        out[str(key)] = float(value)
    return out


def execute(task: TaskFn, job: Job, context: Any) -> Outcome:
    """Run ``task`` on ``job`` with ``default_rng(job.seed)``; retry once on an exception."""
    error = ""
    for attempt in range(1, ATTEMPTS + 1):
        start = time.perf_counter()
        try:
            metrics = _metrics(task(job.params, np.random.default_rng(job.seed), context))
        except Exception as exc:  # a task's failure is data: recorded in the table
            error = _one_line(exc)
            continue
        return Outcome(
            job.index, "ok", metrics, "", attempt, os.getpid(), time.perf_counter() - start
        )
    return Outcome(job.index, "failed", {}, error, ATTEMPTS, os.getpid(), 0.0)


def failed(job: Job, error: str) -> Outcome:
    """A failed outcome for a job its engine could not run (e.g. its worker died twice)."""
    return Outcome(job.index, "failed", {}, error, ATTEMPTS, 0, 0.0)


class Engine(Protocol):
    """Runs jobs of a sweep and yields their outcomes in completion order."""

    @property
    def description(self) -> str:
        """One line for logs, e.g. ``"local processes (2 workers)"``."""
        ...

    def check(self) -> None:
        """Fail fast (``HwsnnError``) if the engine cannot run, before any file is written."""
        ...

    def run(self, sweep: Sweep, jobs: Sequence[Job]) -> Iterator[Outcome]:
        """Run ``jobs`` (a subset of ``sweep.jobs()``) and yield outcomes as they finish."""
        ...


class SerialEngine:
    """Runs every job in this process, in order (tests, debugging)."""

    description = "serial (in-process)"

    def check(self) -> None:
        """Nothing to check."""

    def run(self, sweep: Sweep, jobs: Sequence[Job]) -> Iterator[Outcome]:
        """Prepare the context once, then run the jobs one by one."""
        if not jobs:
            return
        context = sweep.prepare(sweep.payload)
        for job in jobs:
            yield execute(sweep.task, job, context)


def default_workers() -> int:
    """Cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


_WORKER: dict[str, Any] = {}
_POLL_S = 0.2
_MAX_POOLS = 5


def _init_worker(task: TaskFn, prepare: PrepareFn, payload: Any) -> None:
    """Pool initializer: one thread per BLAS/torch, then build the context once."""
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    _WORKER["task"] = task
    _WORKER["context"] = prepare(payload)


def _run_in_worker(job: Job) -> Outcome:
    return execute(_WORKER["task"], job, _WORKER["context"])


class _PoolBroken(Exception):
    def __init__(self, running: set[int]) -> None:
        super().__init__("a worker process died")
        self.running = running


class ProcessEngine:
    """Local worker processes (``concurrent.futures``, spawn start method).

    A worker that dies (segfault, out of memory) breaks the pool. The jobs that were in the
    pool's call queue then run again one by one, each in a fresh one-worker pool (a job that
    kills that one too is reported failed); a new pool takes the other unfinished jobs.

    Args:
        workers: Worker processes (default: the cores this process may use).
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = default_workers() if workers is None else workers
        if self.workers < 1:
            raise HwsnnError(f"--workers must be >= 1, got {self.workers}")

    @property
    def description(self) -> str:
        """Engine name and worker count."""
        return f"local processes ({self.workers} worker{'s' * (self.workers != 1)})"

    def check(self) -> None:
        """Nothing to check (the pool starts with the run)."""

    def run(self, sweep: Sweep, jobs: Sequence[Job]) -> Iterator[Outcome]:
        """Run ``jobs`` on a pool; after a worker dies, rerun the suspects one by one."""
        pending = list(jobs)
        for _ in range(_MAX_POOLS):
            done: set[int] = set()
            try:
                for outcome in self._pool(sweep, pending, self.workers):
                    done.add(outcome.index)
                    yield outcome
                return
            except _PoolBroken as broken:
                rest = [j for j in pending if j.index not in done]
                yield from self._isolated(sweep, [j for j in rest if j.index in broken.running])
                pending = [j for j in rest if j.index not in broken.running]
            if not pending:
                return
        for job in pending:
            yield failed(job, f"worker pool broke {_MAX_POOLS} times; point not run")

    def _isolated(self, sweep: Sweep, suspects: Sequence[Job]) -> Iterator[Outcome]:
        """Each suspect alone in a fresh one-worker pool: a second crash pins it down."""
        for job in suspects:
            try:
                yield from self._pool(sweep, [job], 1)
            except _PoolBroken:
                yield failed(job, "worker process died while running this point (twice)")

    def _pool(self, sweep: Sweep, jobs: Sequence[Job], workers: int) -> Iterator[Outcome]:
        pool = ProcessPoolExecutor(
            max_workers=min(workers, len(jobs)),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(sweep.task, sweep.prepare, sweep.payload),
        )
        try:
            futures = {pool.submit(_run_in_worker, job): job.index for job in jobs}
            running: set[int] = set()
            finished: set[int] = set()
            waiting = set(futures)
            while waiting:
                done, waiting = wait(waiting, timeout=_POLL_S, return_when=FIRST_COMPLETED)
                for future in done:
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        # a crash before the first poll saw who was running: suspect every
                        # unfinished job (each then runs alone, so only the culprit fails)
                        unfinished = set(futures.values()) - finished
                        raise _PoolBroken(running or unfinished) from None
                    finished.add(futures[future])
                    yield outcome
                # Jobs in the pool's call queue: the ones a crash may be blamed on.
                running = {futures[f] for f in waiting if f.running()}
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
