"""A sweep: parameter points x seeds over one pure, picklable task function.

Every point ``i`` gets its own seed, derived with :class:`numpy.random.SeedSequence` from
``(base seed, i)``, so a point's result depends on its index and parameters only, never on
the engine, the worker count or the order in which points finish.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hwsnn.errors import HwsnnError

__all__ = [
    "Job",
    "Metrics",
    "Params",
    "Scalar",
    "Sweep",
    "TaskFn",
    "grid",
    "params_hash",
    "point_seed",
]

Scalar = int | float | str | bool
Params = Mapping[str, Scalar]
Metrics = Mapping[str, float]
TaskFn = Callable[[Params, np.random.Generator, Any], Metrics]
"""``task(params, rng, context) -> metrics``: module-level (picklable) and pure.

``context`` is what the sweep's ``prepare`` built from its ``payload`` (once per worker).
"""
PrepareFn = Callable[[Any], Any]


def _identity(payload: Any) -> Any:
    return payload


def params_hash(params: Params) -> str:
    """Short stable hash (12 hex digits) of a parameter point (JSON with sorted keys)."""
    text = json.dumps(dict(params), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def point_seed(base_seed: int, index: int) -> int:
    """Seed of point ``index``: 64 bits from ``SeedSequence([base_seed, index])``.

    Raises:
        HwsnnError: A negative base seed or index.
    """
    if base_seed < 0 or index < 0:
        raise HwsnnError(f"seeds and point indices must be >= 0, got {base_seed}, {index}")
    state = np.random.SeedSequence([base_seed, index]).generate_state(1, dtype=np.uint64)
    return int(state[0])


def grid(
    axes: Mapping[str, Sequence[Scalar]], *, repeats: int = 1
) -> tuple[dict[str, Scalar], ...]:
    """Cartesian product of ``axes`` (last axis fastest), each point ``repeats`` times.

    With ``repeats > 1`` a ``repeat`` parameter (0..repeats-1, fastest) tells the copies apart;
    each copy is its own point with its own seed.

    Raises:
        HwsnnError: An empty axis, ``repeats < 1`` or an axis named ``repeat``.
    """
    if repeats < 1:
        raise HwsnnError(f"repeats must be >= 1, got {repeats}")
    if "repeat" in axes and repeats > 1:
        raise HwsnnError("an axis named 'repeat' clashes with repeats > 1")
    for name, values in axes.items():
        if len(values) == 0:
            raise HwsnnError(f"sweep axis {name!r} has no values")
    names = list(axes)
    points: list[dict[str, Scalar]] = []
    for combo in itertools.product(*(axes[n] for n in names)):
        base = dict(zip(names, combo, strict=True))
        points.extend(base if repeats == 1 else {**base, "repeat": r} for r in range(repeats))
    return tuple(points)


def _check_params(params: Params) -> dict[str, Scalar]:
    out: dict[str, Scalar] = {}
    for key, value in params.items():
        if isinstance(value, np.generic):
            value = value.item()
        if not isinstance(value, int | float | str | bool):
            raise HwsnnError(f"sweep parameter {key!r} must be a number or string, got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise HwsnnError(f"sweep parameter {key!r} must be finite, got {value}")
        out[str(key)] = value
    return out


@dataclass(frozen=True)
class Job:
    """One point to compute.

    Attributes:
        index: Position of the point in the sweep (0-based).
        params: Parameter values of the point.
        seed: The point's seed (:func:`point_seed`); the task gets ``default_rng(seed)``.
    """

    index: int
    params: Mapping[str, Scalar]
    seed: int

    @property
    def key(self) -> str:
        """Resume key: ``"<index>-<params hash>"``."""
        return f"{self.index}-{params_hash(self.params)}"


@dataclass(frozen=True)
class Sweep:
    """Parameter points x seeds over one task.

    Attributes:
        name: Task name, recorded in the manifest (e.g. ``"jitter"``).
        task: ``task(params, rng, context) -> metrics`` (module-level, picklable).
        points: Parameter points in a stable order (see :func:`grid`).
        seed: Base seed (>= 0); point ``i`` uses :func:`point_seed` ``(seed, i)``.
        payload: Large inputs shared by all points (picklable: arrays, records, paths); sent
            to every worker once.
        prepare: Builds the task's ``context`` from ``payload``, once per worker process.
        options: Fixed settings recorded in the manifest; a resumed sweep must match them.
    """

    name: str
    task: TaskFn
    points: tuple[Mapping[str, Scalar], ...]
    seed: int = 0
    payload: Any = None
    prepare: PrepareFn = _identity
    options: Mapping[str, Scalar] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.points:
            raise HwsnnError(f"sweep {self.name!r} has no points")
        if self.seed < 0:
            raise HwsnnError(f"sweep seed must be >= 0, got {self.seed}")
        object.__setattr__(self, "points", tuple(_check_params(p) for p in self.points))
        object.__setattr__(self, "options", _check_params(self.options))

    def jobs(self) -> tuple[Job, ...]:
        """Every point with its index and seed."""
        return tuple(
            Job(index=i, params=p, seed=point_seed(self.seed, i)) for i, p in enumerate(self.points)
        )

    def manifest(self) -> dict[str, Any]:
        """What identifies this sweep on disk (task, base seed, options, number of points)."""
        return {
            "task": self.name,
            "seed": self.seed,
            "options": dict(self.options),
            "points": len(self.points),
        }
