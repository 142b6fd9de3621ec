"""Dask distributed engine: an existing scheduler (``--scheduler``) or a ``LocalCluster``.

Dask is an optional extra (``pip install "hwsnn[dask]"``); it is imported only here, when
this engine runs. Workers must be able to import ``hwsnn`` (same version as the client).
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import socket
import threading
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from hwsnn.errors import HwsnnError
from hwsnn.sweep.engines import Outcome, execute, failed
from hwsnn.sweep.spec import Job, PrepareFn, Sweep, TaskFn

__all__ = ["DaskEngine", "dask_available"]

_CONTEXTS: dict[str, Any] = {}
_LOCK = threading.Lock()


def _distributed() -> Any:
    """The ``distributed`` module (untyped calls go through ``Any``)."""
    import distributed

    return distributed


def dask_available() -> bool:
    """Whether ``distributed`` can be imported."""
    return importlib.util.find_spec("distributed") is not None


def _context(token: str, prepare: PrepareFn, payload: Any) -> Any:
    """The sweep's context in this worker process, built once per sweep run."""
    with _LOCK:
        if token not in _CONTEXTS:
            _CONTEXTS.clear()
            _CONTEXTS[token] = prepare(payload)
        return _CONTEXTS[token]


def _run_on_worker(job: Job, task: TaskFn, prepare: PrepareFn, payload: Any, token: str) -> Outcome:
    return execute(task, job, _context(token, prepare, payload))


def _probe(address: str, timeout_s: float) -> None:
    """Fail fast on an unreachable ``tcp://host:port`` (plain TCP connect, ``timeout_s``)."""
    scheme, _, rest = address.rpartition("://")
    if scheme not in ("", "tcp"):
        return
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit():
        raise HwsnnError(f"bad Dask scheduler address {address!r}; expected tcp://HOST:PORT")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except OSError as exc:
        raise HwsnnError(f"cannot reach Dask scheduler {address}: {exc}") from None


class DaskEngine:
    """Runs jobs on Dask workers; the payload is scattered to every worker once.

    Args:
        address: Scheduler address (``tcp://host:port``); ``None`` starts a ``LocalCluster``.
        local_workers: Worker processes of the ``LocalCluster`` (one thread each).
        connect_timeout_s: How long to try to reach the scheduler (s).
    """

    def __init__(
        self,
        *,
        address: str | None = None,
        local_workers: int | None = None,
        connect_timeout_s: float = 5.0,
    ) -> None:
        if address is None and (local_workers is None or local_workers < 1):
            raise HwsnnError("DaskEngine needs a scheduler address or local_workers >= 1")
        self.address = address
        self.local_workers = local_workers
        self.connect_timeout_s = connect_timeout_s

    @property
    def description(self) -> str:
        """Engine name and where it runs."""
        if self.address is not None:
            return f"Dask distributed (scheduler {self.address})"
        return f"Dask LocalCluster ({self.local_workers} worker processes)"

    def check(self) -> None:
        """Probe the scheduler address with a plain TCP connect (``connect_timeout_s``)."""
        if self.address is not None:
            _probe(self.address, self.connect_timeout_s)

    @contextlib.contextmanager
    def _client(self) -> Iterator[Any]:
        dist = _distributed()
        if self.address is not None:
            _probe(self.address, self.connect_timeout_s)
            try:
                client = dist.Client(
                    self.address, timeout=self.connect_timeout_s, set_as_default=False
                )
            except Exception as exc:  # any failure to connect is one user-facing error
                msg = f"{exc}".splitlines()[0] if f"{exc}" else type(exc).__name__
                raise HwsnnError(
                    f"cannot connect to Dask scheduler {self.address}: {msg}"
                ) from None
            with contextlib.closing(client):
                yield client
            return
        cluster = dist.LocalCluster(
            n_workers=self.local_workers,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        with (
            contextlib.closing(cluster),
            contextlib.closing(dist.Client(cluster, set_as_default=False)) as client,
        ):
            yield client

    def run(self, sweep: Sweep, jobs: Sequence[Job]) -> Iterator[Outcome]:
        """Scatter the payload, submit every job, yield outcomes as they complete."""
        if not jobs:
            return
        token = uuid.uuid4().hex
        with self._client() as client:
            (payload,) = client.scatter([sweep.payload], broadcast=True, hash=False)
            futures = client.map(
                _run_on_worker,
                list(jobs),
                task=sweep.task,
                prepare=sweep.prepare,
                payload=payload,
                token=token,
                key=[f"hwsnn-sweep-{token}-{job.index}" for job in jobs],
                pure=False,
            )
            by_key = {f.key: job for f, job in zip(futures, jobs, strict=True)}
            for future in _distributed().as_completed(futures, loop=client.loop):
                yield self._outcome(future, by_key[future.key])
                future.release()

    @staticmethod
    def _outcome(future: Any, job: Job) -> Outcome:
        try:
            result = future.result()
        except _distributed().KilledWorker as exc:
            return failed(job, f"Dask worker died while running this point: {exc}")
        except Exception as exc:
            raise HwsnnError(
                f"Dask run stopped: {type(exc).__name__}: {exc}; finished rows are kept, "
                "rerun with --resume"
            ) from None
        if not isinstance(result, Outcome):
            raise HwsnnError(f"Dask returned {type(result).__name__}, expected Outcome")
        return result
