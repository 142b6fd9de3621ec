"""Calibrate the analytic tier against the XSPICE neuron; the result is a TOML file.

Regenerate with ``python -m hwsnn.backends.spice.calibrate`` (writes
``mappings/spice/calibration.toml``). The procedure follows research ``spice.md`` §6.7:
simulate ``n_fit`` random patterns in XSPICE, fit the constant spike-time offset and the
membrane-drive gain by least squares, then report the relative spike-time error on
``n_check`` fresh patterns.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.spice._paths import mappings_dir
from hwsnn.backends.spice.circuit import PLLNeuronCircuit
from hwsnn.backends.spice.model import Calibration, NeuronModel
from hwsnn.backends.spice.patterns import Patterns, PatternSpec, random_patterns
from hwsnn.backends.spice.xspice import simulate_neuron_xspice
from hwsnn.errors import DataError

__all__ = [
    "CalibrationReport",
    "calibrate",
    "default_calibration_path",
    "load_calibration",
    "simulate_patterns_xspice",
    "write_calibration",
]


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


def _fit(model: NeuronModel, patterns: Patterns, t_x: NDArray[np.float64]) -> Calibration:
    from scipy.optimize import least_squares

    ok = np.isfinite(t_x)

    def residual(p: NDArray[np.float64]) -> NDArray[np.float64]:
        trial = dataclasses.replace(model, calibration=Calibration(float(p[0]), float(p[1])))
        t_a = trial.spike_times(patterns.t_in[ok], patterns.weights[ok], 2 * patterns.window_s)
        return np.asarray((np.where(np.isfinite(t_a), t_a, 2 * patterns.window_s) - t_x[ok])
                          / t_x[ok])

    fit = least_squares(residual, x0=np.array([0.0, 1.0]), x_scale=np.array([1e-9, 0.01]),
                        loss="soft_l1", f_scale=0.003)
    return Calibration(offset_s=float(fit.x[0]), gain=float(fit.x[1]))


def _rel_errors(model: NeuronModel, patterns: Patterns,
                t_x: NDArray[np.float64]) -> NDArray[np.float64]:
    t_a = model.spike_times(patterns.t_in, patterns.weights, 2 * patterns.window_s)
    return np.asarray(np.abs(t_x - t_a) / np.abs(t_x))


def calibrate(circuit: PLLNeuronCircuit, *, rng: np.random.Generator, seed: int = 0,
              n_fit: int = 40, n_check: int = 50, spec: PatternSpec | None = None,
              steps_per_period: float = 100.0) -> CalibrationReport:
    """Fit :class:`Calibration` for ``circuit`` against XSPICE and check it on fresh patterns."""
    spec = spec or PatternSpec()
    raw = NeuronModel(circuit)
    fit_set = random_patterns(raw, spec, n_fit, rng)
    check_set = random_patterns(raw, spec, n_check, rng)
    cal = _fit(raw, fit_set, simulate_patterns_xspice(circuit, fit_set, steps_per_period))
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
        f"gain = {report.calibration.gain!r}", "",
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
