"""Output spike-time jitter of the VCO/PLL n-LIF neuron (the layout of paper 003 Table 3).

Output jitter of one sample is ``|t_measured - t_desired| / t_desired`` (paper 003 §4.2),
reported as the mean over samples in percent. ``t_desired`` is the neuron's spike time for
the nominal pattern and ``t_measured`` the time for the perturbed one:

* input jitter ``j``: every input time is scaled by ``1 + delta``, ``delta ~ N(0, j^2)``
  (so ``|dt_i| / t_i`` has rms ``j``, the same relative measure as the output);
* weight quantisation ``b`` bits: weights rounded to the nearest of ``2^(b-1) - 1`` signed
  levels over ``[-w_fs, w_fs]``.

Every row of a table uses the same ``n_samples`` random patterns (and, for input jitter, the
same standard-normal draws scaled by the level), so rows differ only in the level. Monte
Carlo runs on the calibrated analytic tier, which models the XOR PWM staircase
(:mod:`hwsnn.backends.spice.staircase`). The XSPICE spot check runs the first ``n_spot``
patterns nominal (once per table) and perturbed (once per row) through ngspice, and
reports both tiers' jitter on those pairs, their ratio and a paired-bootstrap 95 %
confidence interval of the ratio. At small input jitter the per-sample output shift is a
staircase (mostly a fraction of the averaged-model shift, sometimes a jump of up to half a
VCO2 period), so the mean is carried by few samples: use a few hundred pairs there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.spice.mapping import quantize_weights
from hwsnn.backends.spice.model import NeuronModel
from hwsnn.backends.spice.patterns import Patterns, PatternSpec, random_patterns
from hwsnn.backends.spice.xspice import simulate_neuron_xspice

__all__ = [
    "JitterRow",
    "JitterTable",
    "quantize_weights",
    "simulate_input_jitter",
    "simulate_weight_quantization",
]

FloatArray = NDArray[np.float64]
Perturb = Callable[[Patterns, np.random.Generator], tuple[FloatArray, FloatArray]]


@dataclass(frozen=True)
class JitterRow:
    """One row of the table.

    Attributes:
        level: Input jitter (fraction) or weight bits.
        output_jitter_pct: Mean ``|dt_out| / t_out`` over the Monte Carlo samples (%).
        output_jitter_pct_p95: 95th percentile of the same (%).
        n_samples: Monte Carlo samples (analytic tier).
        xspice_jitter_pct: Mean output jitter of the XSPICE spot-check pairs (%).
        analytic_spot_jitter_pct: Analytic output jitter on the same pairs (%).
        n_spot: XSPICE spot-check pairs (where XSPICE fired nominal and perturbed).
        spot_ratio: ``xspice_jitter_pct / analytic_spot_jitter_pct``.
        spot_ratio_ci95: Paired-bootstrap 95 % interval of ``spot_ratio`` (low, high).
    """

    level: float
    output_jitter_pct: float
    output_jitter_pct_p95: float
    n_samples: int
    xspice_jitter_pct: float
    analytic_spot_jitter_pct: float
    n_spot: int
    spot_ratio: float = float("nan")
    spot_ratio_ci95: tuple[float, float] = (float("nan"), float("nan"))


@dataclass(frozen=True)
class JitterTable:
    """A Table-3-style sweep with provenance.

    Attributes:
        kind: ``"input_jitter"`` or ``"weight_quantization"``.
        rows: One row per level.
        seed: Seed of the generator the caller passed (recorded, not used here), or -1.
        n_inputs: Inputs per neuron.
        calibration_offset_s: Offset of the analytic model used (s).
        calibration_gain: Gain of the analytic model used.
    """

    kind: str
    rows: tuple[JitterRow, ...]
    seed: int
    n_inputs: int
    calibration_offset_s: float
    calibration_gain: float


_BOOTSTRAP = 2000
_WINDOW_MARGIN = 0.25
"""XSPICE runs stop at ``(1 + margin)`` times the analytic spike time plus ``1/K`` (or the
window); a run that has not fired by then is repeated over the full window."""


def _jitter(t_ref: FloatArray, t_new: FloatArray) -> FloatArray:
    return np.asarray(np.abs(t_new - t_ref) / t_ref)


def _xspice_times(model: NeuronModel, t_in: FloatArray, weights: FloatArray,
                  t_hint: FloatArray, window_s: float) -> FloatArray:
    """XSPICE spike times, each run stopped shortly after the analytic spike ``t_hint``."""
    tau = 1.0 / model.circuit.loop_gain_per_s
    out = []
    for t, w, hint in zip(t_in, weights, t_hint, strict=True):
        stop = min(window_s, (1.0 + _WINDOW_MARGIN) * hint + tau) if np.isfinite(hint) else window_s
        spike = simulate_neuron_xspice(model.circuit, t, w, stop).t_spike_s
        if not np.isfinite(spike) and stop < window_s:
            spike = simulate_neuron_xspice(model.circuit, t, w, window_s).t_spike_s
        out.append(spike)
    return np.asarray(out, dtype=np.float64)


@dataclass(frozen=True)
class _Spot:
    """Nominal spot-check patterns: analytic and XSPICE spike times (s)."""

    t_analytic: FloatArray
    t_xspice: FloatArray


def _nominal_spot(model: NeuronModel, pats: Patterns, n_spot: int) -> _Spot:
    k = min(n_spot, pats.t_in.shape[0])
    t_x = _xspice_times(model, pats.t_in[:k], pats.weights[:k], pats.t_out[:k], pats.window_s)
    return _Spot(t_analytic=pats.t_out[:k], t_xspice=t_x)


def _ratio_ci(xs: FloatArray, an: FloatArray,
              rng: np.random.Generator) -> tuple[float, tuple[float, float]]:
    if xs.size == 0 or an.sum() <= 0:
        return float("nan"), (float("nan"), float("nan"))
    idx = rng.integers(0, xs.size, (_BOOTSTRAP, xs.size))
    boot = xs[idx].mean(1) / np.maximum(an[idx].mean(1), np.finfo(float).tiny)
    low, high = np.percentile(boot, [2.5, 97.5])
    return float(xs.mean() / an.mean()), (float(low), float(high))


def _spot_row(model: NeuronModel, pats: Patterns, spot: _Spot, t_new: FloatArray,
              w_new: FloatArray, rng: np.random.Generator) -> dict[str, Any]:
    k = spot.t_xspice.size
    if k == 0:
        return {}
    a_new = model.spike_times(t_new[:k], w_new[:k], 2 * pats.window_s)
    x_new = _xspice_times(model, t_new[:k], w_new[:k], a_new, pats.window_s)
    ok = np.isfinite(spot.t_xspice) & np.isfinite(x_new) & np.isfinite(a_new)
    xs = _jitter(spot.t_xspice[ok], x_new[ok])
    an = _jitter(spot.t_analytic[ok], a_new[ok])
    ratio, ci = _ratio_ci(xs, an, rng)
    return {"xspice_jitter_pct": 100.0 * float(np.mean(xs)) if xs.size else float("nan"),
            "analytic_spot_jitter_pct": 100.0 * float(np.mean(an)) if an.size else float("nan"),
            "n_spot": int(ok.sum()), "spot_ratio": ratio, "spot_ratio_ci95": ci}


def _row(model: NeuronModel, level: float, pats: Patterns, perturb: Perturb,
         rng: np.random.Generator, spot: _Spot) -> JitterRow:
    t_new, w_new = perturb(pats, rng)
    t_out = model.spike_times(t_new, w_new, 2 * pats.window_s)
    jit = 100.0 * _jitter(pats.t_out, np.where(np.isfinite(t_out), t_out, 2 * pats.window_s))
    fields: dict[str, Any] = {"xspice_jitter_pct": float("nan"),
                              "analytic_spot_jitter_pct": float("nan"), "n_spot": 0}
    fields.update(_spot_row(model, pats, spot, t_new, w_new, rng))
    return JitterRow(level=level, output_jitter_pct=float(np.mean(jit)),
                     output_jitter_pct_p95=float(np.percentile(jit, 95)),
                     n_samples=int(jit.size), **fields)


def _sweep(model: NeuronModel, kind: str, levels: Sequence[float], perturbs: list[Perturb],
           pats: Patterns, n_spot: int, rng: np.random.Generator, seed: int,
           progress: bool) -> JitterTable:
    from tqdm import tqdm

    spot = _nominal_spot(model, pats, n_spot)
    rows = [_row(model, level, pats, perturb, rng, spot)
            for level, perturb in tqdm(list(zip(levels, perturbs, strict=True)), desc=kind,
                                       disable=not progress, leave=False)]
    cal = model.calibration
    return JitterTable(kind=kind, rows=tuple(rows), seed=seed, n_inputs=pats.t_in.shape[1],
                       calibration_offset_s=cal.offset_s, calibration_gain=cal.gain)


def simulate_input_jitter(model: NeuronModel, jitters: Sequence[float], *,
                          rng: np.random.Generator, n_samples: int = 1000, n_spot: int = 8,
                          spec: PatternSpec | None = None, seed: int = -1,
                          progress: bool = False) -> JitterTable:
    """Output jitter vs relative input jitter ``jitters`` (fractions, e.g. 0.01 for 1 %).

    Args:
        model: Calibrated analytic neuron.
        jitters: Relative input jitter levels (fractions).
        rng: Draws the patterns, the (shared) normal perturbations and the bootstrap.
        n_samples: Monte Carlo patterns (analytic tier), the same for every row.
        n_spot: XSPICE spot-check pairs per row (0: no ngspice).
        spec: Pattern distribution (default :class:`PatternSpec`).
        seed: Recorded in the table.
        progress: Show a progress bar.
    """
    pats = random_patterns(model, spec or PatternSpec(), n_samples, rng)
    noise = rng.standard_normal(pats.t_in.shape)

    def make(j: float) -> Perturb:
        def perturb(p: Patterns, g: np.random.Generator) -> tuple[FloatArray, FloatArray]:
            return p.t_in * (1.0 + j * noise), p.weights
        return perturb

    return _sweep(model, "input_jitter", jitters, [make(j) for j in jitters], pats, n_spot,
                  rng, seed, progress)


def simulate_weight_quantization(model: NeuronModel, bits: Sequence[int], *,
                                 rng: np.random.Generator, n_samples: int = 1000,
                                 n_spot: int = 8, spec: PatternSpec | None = None,
                                 seed: int = -1, progress: bool = False) -> JitterTable:
    """Output jitter vs weight bits (2-input neuron by default, as in paper 003 §4.2)."""
    spec = spec or PatternSpec(n_inputs=2, w_low=0.5, w_high=0.85)
    full_scale = spec.w_high

    def make(b: int) -> Perturb:
        def perturb(p: Patterns, g: np.random.Generator) -> tuple[FloatArray, FloatArray]:
            return p.t_in, quantize_weights(p.weights, b, full_scale)
        return perturb

    pats = random_patterns(model, spec, n_samples, rng)
    return _sweep(model, "weight_quantization", [float(b) for b in bits],
                  [make(int(b)) for b in bits], pats, n_spot, rng, seed, progress)
