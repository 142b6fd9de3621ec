"""Accuracy of a mapped network against one non-ideality at a time (frozen result tables).

Each point re-maps the graph on a spec with one field changed (fresh devices from the same
seed), runs the noisy crossbar over the test inputs, and records accuracy and read energy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.crossbar.backend import map_graph, simulate_crossbar
from hwsnn.backends.crossbar.energy import estimate_inference_energy
from hwsnn.backends.crossbar.readout import Fidelity, ReadCounters
from hwsnn.backends.crossbar.spec import CrossbarSpec
from hwsnn.errors import HwsnnError
from hwsnn.ir import Graph

__all__ = ["SWEEPS", "SweepPoint", "SweepResult", "accuracy", "sweep_accuracy"]


def _var(spec: CrossbarSpec, **kw: float) -> CrossbarSpec:
    return dataclasses.replace(spec, variability=dataclasses.replace(spec.variability, **kw))


def _d2d(spec: CrossbarSpec, v: float) -> CrossbarSpec:
    return _var(spec, d2d_sigma_r=v)


def _noise(spec: CrossbarSpec, v: float) -> CrossbarSpec:
    return _var(spec, read_noise_rel=v)


def _stuck(spec: CrossbarSpec, v: float) -> CrossbarSpec:
    return _var(spec, stuck_low_rate=v / 2, stuck_high_rate=v / 2)


def _adc(spec: CrossbarSpec, v: float) -> CrossbarSpec:
    return dataclasses.replace(spec, adc=dataclasses.replace(spec.adc, bits=int(v)))


def _wire(spec: CrossbarSpec, v: float) -> CrossbarSpec:
    figure = spec.array.rows * spec.array.cols * v / spec.r_low_ohm
    arr = dataclasses.replace(
        spec.array,
        wire_resistance_ohm=v,
        ir_drop_tolerance=max(spec.array.ir_drop_tolerance, figure),
    )
    return dataclasses.replace(spec, array=arr)


SWEEPS: dict[str, tuple[str, Callable[[CrossbarSpec, float], CrossbarSpec], tuple[float, ...]]] = {
    "d2d": ("device-to-device sigma of ln R", _d2d, (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)),
    "read-noise": ("relative read noise per cell read", _noise, (0.0, 0.01, 0.03, 0.1, 0.3)),
    "adc-bits": ("ADC bits (fixed calibrated range)", _adc, (1, 2, 3, 4, 5, 6, 7)),
    "ir-drop": ("wire resistance per cell (ohm)", _wire, (0.0, 0.15, 0.5, 1.0, 2.0, 4.0)),
    "stuck": ("stuck-at fault rate (half low, half high)", _stuck, (0.0, 0.01, 0.03, 0.1, 0.2)),
}
"""Sweep name -> (label, spec modifier, default values)."""


@dataclass(frozen=True, kw_only=True)
class SweepPoint:
    """One sweep point."""

    value: float
    accuracy: float
    energy_per_sample_j: float


@dataclass(frozen=True, kw_only=True)
class SweepResult:
    """Accuracy versus one non-ideality."""

    target: str
    parameter: str
    label: str
    ideal_accuracy: float
    points: tuple[SweepPoint, ...]
    samples: int
    seed: int


def accuracy(outputs: NDArray[np.float32], labels: NDArray[np.int64]) -> float:
    """Fraction correct for the readout convention (argmax of the time-averaged output)."""
    flat = outputs.reshape(outputs.shape[0], outputs.shape[1], -1).mean(axis=0)
    return float(np.mean(flat.argmax(axis=-1) == labels))


def _run(
    graph: Graph,
    spec: CrossbarSpec,
    x: NDArray[np.float32],
    y: NDArray[np.int64],
    fidelity: Fidelity,
    seed: int,
    batch: int,
    binarize: bool = False,
) -> tuple[float, float]:
    ideal = fidelity is Fidelity.IDEAL
    art = map_graph(graph, spec, rng=np.random.default_rng(seed), ideal=ideal, binarize=binarize)
    outs: list[NDArray[np.float32]] = []
    counters: list[ReadCounters] = []
    for i in range(0, len(x), batch):
        res, readers = simulate_crossbar(
            art,
            x[i : i + batch],
            fidelity=fidelity,
            rng=np.random.default_rng(seed + i),
            record=False,
        )
        outs.append(res.outputs)
        counters.extend(r.counters for r in readers.values())
    energy = estimate_inference_energy(spec, counters, samples=len(x))
    return accuracy(np.concatenate(outs, axis=1), y), energy.per_sample_j


def sweep_accuracy(
    graph: Graph,
    spec: CrossbarSpec,
    x: NDArray[np.float32],
    y: NDArray[np.int64],
    parameter: str,
    values: Sequence[float] | None = None,
    *,
    seed: int = 0,
    batch_size: int = 256,
    binarize: bool = False,
) -> SweepResult:
    """Accuracy of ``graph`` on the noisy crossbar as one spec field varies.

    ``binarize`` maps real-valued weights to ``mean|w| * sign(w)`` first (cells are binary).

    Raises:
        HwsnnError: Unknown sweep name.
    """
    if parameter not in SWEEPS:
        raise HwsnnError(f"unknown sweep {parameter!r}; available: {', '.join(SWEEPS)}")
    label, modify, default = SWEEPS[parameter]
    ideal, _ = _run(graph, spec, x, y, Fidelity.IDEAL, seed, batch_size, binarize)
    points = []
    for v in values if values is not None else default:
        noisy = modify(spec, float(v))
        acc, e = _run(graph, noisy, x, y, Fidelity.NOISY, seed, batch_size, binarize)
        points.append(SweepPoint(value=float(v), accuracy=acc, energy_per_sample_j=e))
    return SweepResult(
        target=spec.name,
        parameter=parameter,
        label=label,
        ideal_accuracy=ideal,
        points=tuple(points),
        samples=len(x),
        seed=seed,
    )
