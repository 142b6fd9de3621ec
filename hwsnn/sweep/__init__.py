"""Sweeps: parameter points x seeds over a pure task, on one machine or a Dask cluster.

A :class:`Sweep` (task, points, base seed, payload) runs on an engine
(:class:`SerialEngine`, :class:`ProcessEngine` (default), :class:`DaskEngine`) through
:func:`run_sweep`, which writes one table row per point (``results.jsonl``/``results.csv``)
and resumes an interrupted run. Built-in sweeps live in :mod:`hwsnn.sweep.tasks`.
"""

from hwsnn.sweep._dask import DaskEngine, dask_available
from hwsnn.sweep.engines import Engine, Outcome, ProcessEngine, SerialEngine, default_workers
from hwsnn.sweep.runner import SweepRun, run_sweep
from hwsnn.sweep.spec import Job, Sweep, grid, params_hash, point_seed
from hwsnn.sweep.table import Row, read_rows, summarize

__all__ = [
    "DaskEngine",
    "Engine",
    "Job",
    "Outcome",
    "ProcessEngine",
    "Row",
    "SerialEngine",
    "Sweep",
    "SweepRun",
    "dask_available",
    "default_workers",
    "grid",
    "params_hash",
    "point_seed",
    "read_rows",
    "run_sweep",
    "summarize",
]
