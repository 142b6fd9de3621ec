"""Calibrate the analytic tier against the XSPICE neuron; the result is a TOML file.

Regenerate with ``python -m hwsnn.backends.spice.calibrate`` (writes
``mappings/spice/calibration.toml``). The procedure follows research ``spice.md`` §6.7:
simulate ``n_fit`` random patterns in XSPICE, fit the constant spike-time offset and the
membrane-drive gain by least squares, then report the relative spike-time error on
``n_check`` fresh patterns.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.spice._paths import mappings_dir
from hwsnn.backends.spice.circuit import PLLNeuronCircuit
from hwsnn.backends.spice.model import Calibration, NeuronModel
from hwsnn.backends.spice.patterns import Patterns, PatternSpec, random_patterns
from hwsnn.backends.spice.xspice import measure_ripple_phase, simulate_neuron_xspice
from hwsnn.errors import DataError

__all__ = [
    "CalibrationReport",
    "calibrate",
    "default_calibration_path",
    "load_calibration",
    "simulate_patterns_xspice",
    "write_calibration",
]

_GAIN_SPAN = 0.04
"""Half-width of the gain search around 1 (the phase step is known to about 1 %)."""
_DELAY_SPAN = 0.4
"""Membrane delays searched, in VCO periods (the XOR samples once per half period)."""
_GRID = 21
_RESIDUAL_CAP = 0.005
"""Relative residuals are capped here in the fit score (a pattern on the wrong PWM step)."""


@dataclass(frozen=True)
class CalibrationReport:
    """A fitted calibration and how well it holds on fresh patterns.

    Attributes:
        circuit: The circuit calibrated.
        calibration: Fitted offset (s) and gain.
        n_fit: Patterns used for the fit.
        n_check: Patterns used for the check.
        median_rel_error_before: Median ``|t_x - t_a| / t_x`` on the check set, uncalibrated.
        median_rel_error: The same after calibration.
        max_rel_error: Largest relative error after calibration.
        steps_per_period: XSPICE time points per fastest period.
        seed: Seed of the pattern generator.
    """

    circuit: PLLNeuronCircuit
    calibration: Calibration
    n_fit: int
    n_check: int
    median_rel_error_before: float
    median_rel_error: float
    max_rel_error: float
    steps_per_period: float
    seed: int


def default_calibration_path() -> Path:
    """``mappings/spice/calibration.toml``."""
    return mappings_dir() / "spice" / "calibration.toml"


def simulate_patterns_xspice(circuit: PLLNeuronCircuit, patterns: Patterns,
                             steps_per_period: float = 100.0) -> NDArray[np.float64]:
    """XSPICE output spike time (s) of every pattern; ``inf`` where it does not fire."""
    return np.array([
        simulate_neuron_xspice(circuit, t, w, patterns.window_s, steps_per_period).t_spike_s
        for t, w in zip(patterns.t_in, patterns.weights, strict=True)
    ])


def _score(model: NeuronModel, patterns: Patterns, t_x: NDArray[np.float64],
           trial: Calibration) -> tuple[float, float]:
    """Robust mean relative residual and the median offset (s) of ``trial`` (offset 0)."""
    fitted = dataclasses.replace(model, calibration=trial)
    t_a = fitted.spike_times(patterns.t_in, patterns.weights, 2 * patterns.window_s)
    t_a = np.where(np.isfinite(t_a), t_a, 2 * patterns.window_s)
    offset = float(np.median(t_x - t_a))
    rel = np.abs(t_x - t_a - offset) / t_x
    return float(np.mean(np.minimum(rel, _RESIDUAL_CAP))), offset


def _best_gain(model: NeuronModel, patterns: Patterns, t_x: NDArray[np.float64],
               delay_s: float, ripple_phase: float | None) -> tuple[float, float]:
    """Coarse-then-fine grid over the gain at ``delay_s``: ``(score, gain)``."""
    center, width, score = 1.0, _GAIN_SPAN, math.inf
    for _ in range(3):
        gains = center + np.linspace(-width, width, _GRID)
        scores = [_score(model, patterns, t_x,
                         Calibration(0.0, float(g), ripple_phase, delay_s))[0] for g in gains]
        best = int(np.argmin(scores))
        center, width, score = float(gains[best]), 2.0 * width / (_GRID - 1), scores[best]
    return score, center


def _fit(model: NeuronModel, patterns: Patterns, t_x: NDArray[np.float64],
         ripple_phase: float | None) -> Calibration:
    """Grid search over membrane delay and gain, then the offset.

    The staircase makes the residual piecewise constant in the gain, so no gradient method;
    the offset is the median residual of the best pair.
    """
    ok = np.isfinite(t_x)
    sub = Patterns(patterns.t_in[ok], patterns.weights[ok], patterns.t_out[ok],
                   patterns.window_s)
    delays = np.linspace(0.0, _DELAY_SPAN / model.circuit.f0_hz, _GRID)
    step = delays[1] - delays[0]
    for _ in range(2):
        fits = [(*_best_gain(model, sub, t_x[ok], float(d), ripple_phase), float(d))
                for d in delays]
        _, gain, delay = min(fits)
        delays = delay + np.linspace(-step, step, 11)
        step = delays[1] - delays[0]
    cal = Calibration(0.0, gain, ripple_phase, delay)
    offset = _score(model, sub, t_x[ok], cal)[1]
    return dataclasses.replace(cal, offset_s=offset)


def _rel_errors(model: NeuronModel, patterns: Patterns,
                t_x: NDArray[np.float64]) -> NDArray[np.float64]:
    t_a = model.spike_times(patterns.t_in, patterns.weights, 2 * patterns.window_s)
    return np.asarray(np.abs(t_x - t_a) / np.abs(t_x))


def calibrate(circuit: PLLNeuronCircuit, *, rng: np.random.Generator, seed: int = 0,
              n_fit: int = 40, n_check: int = 50, spec: PatternSpec | None = None,
              steps_per_period: float = 100.0, staircase: bool = True) -> CalibrationReport:
    """Fit :class:`Calibration` for ``circuit`` against XSPICE and check it on fresh patterns.

    The VCO2 edge phase is measured on an input-free run over the pattern window; gain and
    offset are then fitted with the PWM staircase on (``staircase=False`` keeps the
    averaged membrane, as before the staircase model).
    """
    spec = spec or PatternSpec()
    raw = NeuronModel(circuit)
    fit_set = random_patterns(raw, spec, n_fit, rng)
    check_set = random_patterns(raw, spec, n_check, rng)
    phase = (measure_ripple_phase(circuit, fit_set.window_s, steps_per_period)
             if staircase else None)
    cal = _fit(raw, fit_set, simulate_patterns_xspice(circuit, fit_set, steps_per_period), phase)
    t_check = simulate_patterns_xspice(circuit, check_set, steps_per_period)
    before = _rel_errors(raw, check_set, t_check)
    after = _rel_errors(NeuronModel(circuit, cal), check_set, t_check)
    return CalibrationReport(
        circuit=circuit, calibration=cal, n_fit=n_fit, n_check=n_check,
        median_rel_error_before=float(np.median(before)), median_rel_error=float(np.median(after)),
        max_rel_error=float(np.max(after)), steps_per_period=steps_per_period, seed=seed)


def write_calibration(report: CalibrationReport, path: Path) -> None:
    """Write ``report`` as TOML (every number with its unit and source)."""
    lines = [
        "# Calibration of the analytic n-LIF tier against the XSPICE netlist.",
        "# Regenerate: python -m hwsnn.backends.spice.calibrate",
        'source = "measured: ngspice 39 XSPICE nlif_xspice vs hwsnn.backends.spice.analytic"',
        f"seed = {report.seed}", f"n_fit = {report.n_fit}", f"n_check = {report.n_check}",
        f"steps_per_period = {report.steps_per_period!r}",
        f"median_rel_error_before = {report.median_rel_error_before!r}",
        f"median_rel_error = {report.median_rel_error!r}",
        f"max_rel_error = {report.max_rel_error!r}", "",
        "[calibration]", f"offset_s = {report.calibration.offset_s!r}",
        f"gain = {report.calibration.gain!r}",
        *([] if report.calibration.ripple_phase is None else
          [f"ripple_phase = {report.calibration.ripple_phase!r}  # VCO2 half-cycles at t = 0"]),
        f"membrane_delay_s = {report.calibration.membrane_delay_s!r}",
        "",
        "[circuit]  # SI units, field names carry them (PLLNeuronCircuit)",
    ]
    lines += [f"{k} = {v!r}" for k, v in dataclasses.asdict(report.circuit).items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def load_calibration(path: Path | None = None) -> NeuronModel:
    """Load the calibrated analytic neuron (circuit + calibration) from TOML.

    Raises:
        DataError: The file is missing or malformed.
    """
    path = path or default_calibration_path()
    try:
        data = tomllib.loads(path.read_text())
        circuit = PLLNeuronCircuit(**{k: float(v) for k, v in data["circuit"].items()})
        cal = Calibration(**{k: float(v) for k, v in data["calibration"].items()})
    except (OSError, KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"cannot read SPICE calibration {path}: {exc}") from None
    return NeuronModel(circuit, cal)


if __name__ == "__main__":
    from hwsnn.cli.spice_tools import calibrate_main

    raise SystemExit(calibrate_main())
