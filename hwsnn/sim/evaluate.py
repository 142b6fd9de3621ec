"""Accuracy of a graph on a labelled data set, batch by batch, with progress."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import IRValidationError
from hwsnn.ir import Graph

__all__ = ["Evaluation", "evaluate", "fit_inputs"]


@dataclass(frozen=True)
class Evaluation:
    """Accuracy and activity of one simulator on one data set.

    Attributes:
        backend: Simulator name.
        accuracy: Fraction of correctly classified samples (0..1).
        samples: Number of samples.
        predictions: Predicted class per sample.
        spike_totals: Spikes per step summed over samples and neurons, per spiking node.
    """

    backend: str
    accuracy: float
    samples: int
    predictions: NDArray[np.int64]
    spike_totals: Mapping[str, NDArray[np.int64]] = field(default_factory=dict)


def fit_inputs(graph: Graph, x: NDArray[np.generic]) -> NDArray[np.float32]:
    """Reshape samples ``(N, ...)`` to the graph's input shape when only the layout differs."""
    samples = np.asarray(x, dtype=np.float32)
    shape = graph.input_shape
    if samples.shape[1:] == shape:
        return samples
    if math.prod(samples.shape[1:]) == math.prod(shape):
        return samples.reshape(samples.shape[0], *shape)
    raise IRValidationError(f"data samples have shape {x.shape[1:]}, the graph expects {shape}")


def evaluate(
    graph: Graph,
    x: NDArray[np.generic],
    y: NDArray[np.integer[Any]],
    *,
    backend: str = "float",
    batch_size: int = 256,
    rng: np.random.Generator | None = None,
    progress: bool = False,
    **options: Any,
) -> Evaluation:
    """Simulate ``graph`` on ``x`` in batches and score argmax predictions against ``y``."""
    from hwsnn.sim import simulate

    samples = fit_inputs(graph, x)
    rng = rng if rng is not None else np.random.default_rng(0)
    predictions: list[NDArray[np.int64]] = []
    totals: dict[str, NDArray[np.int64]] = {}
    starts = range(0, len(samples), batch_size)
    if progress:
        from tqdm import tqdm

        starts = tqdm(starts, desc=f"simulate ({backend})", unit="batch", leave=False)
    for start in starts:
        batch = samples[start : start + batch_size]
        result = simulate(graph, batch, backend=backend, rng=rng, record=False, **options)
        predictions.append(result.predictions(graph.metadata.get("readout", "mean")))
        for name, counts in result.spike_totals.items():
            totals[name] = totals.get(name, np.zeros_like(counts)) + counts
    pred = np.concatenate(predictions) if predictions else np.zeros(0, dtype=np.int64)
    accuracy = float(np.mean(pred == np.asarray(y))) if len(pred) else 0.0
    return Evaluation(backend, accuracy, len(pred), pred, totals)
