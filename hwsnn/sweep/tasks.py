"""Task functions of the built-in sweeps and the builders that make their :class:`Sweep`.

A task is a module-level function ``task(params, rng, context) -> metrics`` (picklable by
reference, so it runs in worker processes and on Dask workers); its payload is small data
(a calibrated neuron model, an IR record plus a data set, names of spec files) that
``prepare`` turns into the context once per worker.

Circuit sweeps (analytic tier of the VCO/PLL n-LIF neuron, paper 003 Table 3 layout):
:func:`jitter_task`, :func:`quantization_task`. Data-set sweeps: :func:`crossbar_task`,
:func:`loihi_task` (in :mod:`hwsnn.sweep._datatasks`). :func:`probe_task` measures the
engines' overhead.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hwsnn.errors import HwsnnError
from hwsnn.sweep._datatasks import (
    CROSSBAR_AXES,
    DataPayload,
    crossbar_sweep,
    crossbar_task,
    loihi_sweep,
    loihi_task,
)
from hwsnn.sweep.spec import Metrics, Params, Sweep, TaskFn, grid

__all__ = [
    "CROSSBAR_AXES",
    "CircuitPayload",
    "DataPayload",
    "ProbePayload",
    "crossbar_sweep",
    "crossbar_task",
    "jitter_sweep",
    "jitter_task",
    "loihi_sweep",
    "loihi_task",
    "probe_sweep",
    "probe_task",
    "quantization_sweep",
    "quantization_task",
]


@dataclass(frozen=True)
class CircuitPayload:
    """Inputs of the circuit sweeps.

    Attributes:
        model: Calibrated analytic neuron (``hwsnn.backends.spice.NeuronModel``).
        samples: Monte Carlo patterns per point.
        spot: XSPICE spot-check pairs per point (0: analytic only, no ngspice).
    """

    model: Any
    samples: int
    spot: int = 0


def _jitter_metrics(row: Any) -> dict[str, float]:
    metrics = {
        "output_jitter_pct": row.output_jitter_pct,
        "output_jitter_pct_p95": row.output_jitter_pct_p95,
        "samples": float(row.n_samples),
    }
    if row.n_spot:
        metrics["xspice_jitter_pct"] = row.xspice_jitter_pct
        metrics["analytic_spot_jitter_pct"] = row.analytic_spot_jitter_pct
    return metrics


def jitter_task(params: Params, rng: np.random.Generator, context: CircuitPayload) -> Metrics:
    """Output spike-time jitter (%) for relative input jitter ``params["input_jitter_pct"]``.

    One row of :func:`hwsnn.analysis.circuit_jitter.simulate_input_jitter`: input times
    scaled by ``1 + N(0, j^2)``, output jitter ``|dt_out| / t_out`` (paper 003 §4.2).
    """
    from hwsnn.analysis.circuit_jitter import simulate_input_jitter

    level = float(params["input_jitter_pct"]) / 100.0
    table = simulate_input_jitter(
        context.model, [level], rng=rng, n_samples=context.samples, n_spot=context.spot
    )
    return _jitter_metrics(table.rows[0])


def quantization_task(params: Params, rng: np.random.Generator, context: CircuitPayload) -> Metrics:
    """Output spike-time jitter (%) for weights rounded to ``params["weight_bits"]`` bits."""
    from hwsnn.analysis.circuit_jitter import simulate_weight_quantization

    bits = int(params["weight_bits"])
    table = simulate_weight_quantization(
        context.model, [bits], rng=rng, n_samples=context.samples, n_spot=context.spot
    )
    return _jitter_metrics(table.rows[0])


def _circuit_payload(calibration: Path | None, samples: int, spot: int) -> CircuitPayload:
    from hwsnn.backends.spice.calibrate import load_calibration

    if samples < 1 or spot < 0:
        raise HwsnnError(f"need samples >= 1 and spot >= 0, got {samples}, {spot}")
    return CircuitPayload(model=load_calibration(calibration), samples=samples, spot=spot)


def _circuit_sweep(
    name: str,
    task: TaskFn,
    axis: str,
    values: list[float] | list[int],
    *,
    samples: int,
    spot: int,
    repeats: int,
    seed: int,
    calibration: Path | None,
) -> Sweep:
    return Sweep(
        name=name,
        task=task,
        points=grid({axis: values}, repeats=repeats),
        seed=seed,
        payload=_circuit_payload(calibration, samples, spot),
        options={"samples": samples, "spot": spot, "calibration": str(calibration or "")},
    )


def jitter_sweep(
    levels_pct: Sequence[float],
    *,
    samples: int = 1000,
    spot: int = 0,
    repeats: int = 1,
    seed: int = 0,
    calibration: Path | None = None,
) -> Sweep:
    """Input-jitter levels (%) x repeats, each point ``samples`` Monte Carlo patterns."""
    levels = [float(v) for v in levels_pct]
    options = {"samples": samples, "spot": spot, "repeats": repeats, "seed": seed}
    return _circuit_sweep(
        "jitter", jitter_task, "input_jitter_pct", levels, calibration=calibration, **options
    )


def quantization_sweep(
    bits: Sequence[int],
    *,
    samples: int = 1000,
    spot: int = 0,
    repeats: int = 1,
    seed: int = 0,
    calibration: Path | None = None,
) -> Sweep:
    """Weight bit widths x repeats (2-input neuron, paper 003 §4.2)."""
    widths = [int(b) for b in bits]
    options = {"samples": samples, "spot": spot, "repeats": repeats, "seed": seed}
    return _circuit_sweep(
        "quantization", quantization_task, "weight_bits", widths, calibration=calibration, **options
    )


@dataclass(frozen=True)
class ProbePayload:
    """Settings of the probe sweep.

    Attributes:
        sleep_s: Seconds each point sleeps.
        record_dir: If set, ``prepare`` and every task attempt leave an empty marker file
            here (``prepare-<pid>-<n>``, ``task-<index>-<pid>-<n>``), so tests can count how
            often the payload was unpacked and which points ran.
    """

    sleep_s: float = 0.0
    record_dir: str = ""


def _mark(payload: ProbePayload, name: str) -> None:
    if payload.record_dir:
        Path(payload.record_dir, f"{name}-{os.getpid()}-{time.monotonic_ns()}").touch()


def prepare_probe(payload: ProbePayload) -> ProbePayload:
    """Leave a ``prepare`` marker (see :class:`ProbePayload`)."""
    _mark(payload, "prepare")
    return payload


def probe_task(params: Params, rng: np.random.Generator, context: ProbePayload) -> Metrics:
    """Engine probe: sleep ``context.sleep_s`` seconds and return one random number.

    ``params["fail"]`` makes it raise (a failing point); ``params["crash"]`` ends the worker
    process abruptly (a dying worker). Used to measure per-task overhead and in tests.
    """
    _mark(context, f"task-{params.get('i')}")
    if params.get("crash"):
        os._exit(70)
    if params.get("fail"):
        raise HwsnnError(f"probe point {params.get('i')} fails on purpose")
    if context.sleep_s > 0:
        time.sleep(context.sleep_s)
    return {"value": float(rng.random())}


def probe_sweep(
    points: int, *, sleep_s: float = 0.0, seed: int = 0, record_dir: Path | None = None
) -> Sweep:
    """``points`` probe points (``i = 0..points-1``) that each sleep ``sleep_s`` (s)."""
    return Sweep(
        name="noop",
        task=probe_task,
        points=grid({"i": list(range(points))}),
        seed=seed,
        payload=ProbePayload(float(sleep_s), str(record_dir or "")),
        prepare=prepare_probe,
        options={"sleep_s": float(sleep_s)},
    )
