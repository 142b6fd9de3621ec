"""Assemble a :class:`~hwsnn.report.model.Report` from a graph, test data and stage results.

Counting and energy come from :mod:`hwsnn.analysis`, accuracy and spikes over time from
:mod:`hwsnn.sim.evaluate`; this module only collects them (and divides totals by the
number of samples to get per-inference values).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

import hwsnn
from hwsnn.analysis.counting import COUNTING_RULES, OperationCounts, count_operations
from hwsnn.analysis.energy import (
    ENERGY_MODELS,
    estimate_ann_energy,
    estimate_energy,
    load_energy_model,
)
from hwsnn.errors import HwsnnError
from hwsnn.ir import Graph
from hwsnn.report.model import (
    EnergyComparison,
    LayerInfo,
    Provenance,
    Report,
    StageSection,
    Sweep,
    graph_hash,
)
from hwsnn.sim.evaluate import Evaluation, evaluate, fit_inputs

__all__ = [
    "SWEEP_PREFIX",
    "build_report",
    "energy_comparisons",
    "plain",
    "stage_energies",
    "sweeps_of",
]

SWEEP_PREFIX = "accuracy_vs_"
"""Stage metrics ``accuracy_vs_<variable>`` (``{x: acc}`` or ``[[x, acc], ...]``) are plotted."""


def plain(value: Any) -> Any:
    """``value`` as JSON-able Python data (numpy scalars and arrays, tuples, enums converted)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value
    return str(value)


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.inf


def energy_comparisons(
    counts: OperationCounts, models: Sequence[str]
) -> tuple[EnergyComparison, ...]:
    """SNN and ANN energy under each named model (paper 004 Sec. 4.3 comparison)."""
    out = []
    for name in models:
        model = load_energy_model(name)
        snn, ann = estimate_energy(counts, model), estimate_ann_energy(counts, model)
        out.append(
            EnergyComparison(
                model,
                snn,
                ann,
                _ratio(ann.compute_j, snn.compute_j),
                _ratio(ann.total_j, snn.total_j),
            )
        )
    return tuple(out)


def _pairs(value: Any) -> tuple[tuple[float, float], ...] | None:
    items = value.items() if isinstance(value, Mapping) else value
    try:
        points = sorted((float(x), float(y)) for x, y in items)
    except (TypeError, ValueError):
        return None
    return tuple(points) if points else None


def sweeps_of(stages: Sequence[StageSection]) -> tuple[Sweep, ...]:
    """Every ``accuracy_vs_<variable>`` metric of the stages that parses as (x, accuracy) pairs."""
    found = []
    for stage in stages:
        for key in sorted(stage.metrics):
            if key.startswith(SWEEP_PREFIX) and (points := _pairs(stage.metrics[key])) is not None:
                found.append(Sweep(stage.name, key.removeprefix(SWEEP_PREFIX), points))
    return tuple(found)


def stage_energies(stages: Sequence[StageSection]) -> tuple[tuple[str, str, float], ...]:
    """``(stage, metric, joules)`` for every scalar stage metric whose key ends in ``_j``."""
    return tuple(
        (stage.name, key, float(value))
        for stage in stages
        for key, value in sorted(stage.metrics.items())
        if key.endswith("_j") and isinstance(value, int | float) and not isinstance(value, bool)
    )


def _spikes_per_step(evaluation: Evaluation) -> dict[str, tuple[float, ...]]:
    n = max(evaluation.samples, 1)
    return {
        name: tuple(float(v) / n for v in totals)
        for name, totals in evaluation.spike_totals.items()
    }


def _measure(
    graph: Graph, xs: NDArray[np.float32], seed: int, models: Sequence[str]
) -> tuple[OperationCounts | None, tuple[EnergyComparison, ...], dict[str, str]]:
    """Counts and energy, or the reason they could not be computed."""
    try:
        counts = count_operations(graph, xs, rng=np.random.default_rng(seed))
        return counts, energy_comparisons(counts, models), {}
    except HwsnnError as exc:
        return None, (), {"operation counts and energy": f"{type(exc).__name__}: {exc}"}


def _provenance(
    graph: Graph, model: str, target: str, seed: int, dataset: str, samples: int
) -> Provenance:
    return Provenance(
        hwsnn.__version__,
        graph_hash(graph),
        model,
        target,
        seed,
        dataset,
        samples,
        graph.timesteps,
        graph.dt,
    )


def _why(section: StageSection) -> str:
    return f"{section.status}: {section.reason or 'no reason given'}"


def _layers(graph: Graph) -> tuple[LayerInfo, ...]:
    return tuple(LayerInfo(n, type(graph.nodes[n]).__name__, graph.shapes[n]) for n in graph.order)


def build_report(
    graph: Graph,
    x: NDArray[np.generic],
    y: NDArray[np.integer[Any]],
    *,
    seed: int,
    model: str,
    dataset: str,
    target: str = "sim.float reference simulator + per-operation energy models",
    energy_models: Sequence[str] = ENERGY_MODELS,
    stages: Sequence[StageSection] = (),
    evaluation: Evaluation | None = None,
    title: str | None = None,
) -> Report:
    """Simulate ``graph`` on ``x``, count operations, estimate energy and collect stage results.

    Args:
        graph: The network.
        x: Test samples ``(N, ...)`` (reshaped to the graph input when only the layout differs).
        y: Labels ``(N,)``.
        seed: Seed of the encoders' randomness (recorded in the provenance).
        model: Model name shown in the report.
        dataset: Data set name.
        target: What the numbers are for (recorded in the provenance).
        energy_models: Names from :data:`hwsnn.analysis.energy.ENERGY_MODELS`.
        stages: Pipeline stages to show, in run order.
        evaluation: A finished evaluation on the same ``x`` to reuse; run if None.
        title: Report heading (default: from ``model``).
    """
    xs = fit_inputs(graph, x)
    if evaluation is None:
        evaluation = evaluate(graph, xs, y, rng=np.random.default_rng(seed))
    counts, energy, unavailable = _measure(graph, xs, seed, energy_models)
    sections = tuple(stages)
    unavailable |= {f"stage {s.name}": _why(s) for s in sections if s.status != "ok"}
    return Report(
        title=title or f"hwsnn report: {model}",
        provenance=_provenance(graph, model, target, seed, dataset, len(xs)),
        layers=_layers(graph),
        accuracy=evaluation.accuracy,
        counts=counts,
        counting_rules=COUNTING_RULES,
        energy=energy,
        spikes_per_step=_spikes_per_step(evaluation),
        stages=sections,
        sweeps=sweeps_of(sections),
        stage_energies_j=stage_energies(sections),
        unavailable=unavailable,
    )
