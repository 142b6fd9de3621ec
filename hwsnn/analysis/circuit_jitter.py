"""Output spike-time jitter of the VCO/PLL n-LIF neuron (the layout of paper 003 Table 3).

Output jitter of one sample is ``|t_measured - t_desired| / t_desired`` (paper 003 §4.2),
reported as the mean over samples in percent. ``t_desired`` is the neuron's spike time for
the nominal pattern and ``t_measured`` the time for the perturbed one:

* input jitter ``j``: every input time is scaled by ``1 + delta``, ``delta ~ N(0, j^2)``
  (so ``|dt_i| / t_i`` has rms ``j``, the same relative measure as the output);
* weight quantisation ``b`` bits: weights rounded to the nearest of ``2^(b-1) - 1`` signed
  levels over ``[-w_fs, w_fs]``.

Each row uses Monte Carlo on the calibrated analytic tier (``n_samples`` random patterns,
each perturbed once) and an XSPICE spot check: ``n_spot`` of those samples run nominal and
perturbed through ngspice, giving the XSPICE jitter and the analytic jitter on the same pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
        n_spot: XSPICE spot-check pairs.
    """

    level: float
    output_jitter_pct: float
    output_jitter_pct_p95: float
    n_samples: int
    xspice_jitter_pct: float
    analytic_spot_jitter_pct: float
    n_spot: int


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


def _jitter(t_ref: FloatArray, t_new: FloatArray) -> FloatArray:
    return np.asarray(np.abs(t_new - t_ref) / t_ref)


def _spot(model: NeuronModel, pats: Patterns, t_new: FloatArray, w_new: FloatArray,
          n_spot: int) -> tuple[float, float]:
    if n_spot == 0:
        return float("nan"), float("nan")
    xs, an = [], []
    for k in range(min(n_spot, pats.t_in.shape[0])):
        ref = simulate_neuron_xspice(model.circuit, pats.t_in[k], pats.weights[k], pats.window_s)
        new = simulate_neuron_xspice(model.circuit, t_new[k], w_new[k], pats.window_s)
        xs.append(abs(new.t_spike_s - ref.t_spike_s) / ref.t_spike_s)
        a_new = model.spike_times(t_new[k:k + 1], w_new[k:k + 1], 2 * pats.window_s)[0]
        an.append(abs(a_new - pats.t_out[k]) / pats.t_out[k])
    return 100.0 * float(np.mean(xs)), 100.0 * float(np.mean(an))


def _row(model: NeuronModel, level: float, pats: Patterns, perturb: Perturb,
         rng: np.random.Generator, n_spot: int) -> JitterRow:
    t_new, w_new = perturb(pats, rng)
    t_out = model.spike_times(t_new, w_new, 2 * pats.window_s)
    jit = 100.0 * _jitter(pats.t_out, np.where(np.isfinite(t_out), t_out, 2 * pats.window_s))
    x_pct, a_pct = _spot(model, pats, t_new, w_new, n_spot)
    return JitterRow(level=level, output_jitter_pct=float(np.mean(jit)),
                     output_jitter_pct_p95=float(np.percentile(jit, 95)),
                     n_samples=int(jit.size), xspice_jitter_pct=x_pct,
                     analytic_spot_jitter_pct=a_pct, n_spot=min(n_spot, int(jit.size)))


def _sweep(model: NeuronModel, kind: str, levels: Sequence[float], perturbs: list[Perturb],
           spec: PatternSpec, n_samples: int, n_spot: int, rng: np.random.Generator,
           seed: int, progress: bool) -> JitterTable:
    from tqdm import tqdm

    rows = []
    for level, perturb in tqdm(list(zip(levels, perturbs, strict=True)), desc=kind,
                               disable=not progress, leave=False):
        pats = random_patterns(model, spec, n_samples, rng)
        rows.append(_row(model, level, pats, perturb, rng, n_spot))
    cal = model.calibration
    return JitterTable(kind=kind, rows=tuple(rows), seed=seed, n_inputs=spec.n_inputs,
                       calibration_offset_s=cal.offset_s, calibration_gain=cal.gain)


def simulate_input_jitter(model: NeuronModel, jitters: Sequence[float], *,
                          rng: np.random.Generator, n_samples: int = 1000, n_spot: int = 8,
                          spec: PatternSpec | None = None, seed: int = -1,
                          progress: bool = False) -> JitterTable:
    """Output jitter vs relative input jitter ``jitters`` (fractions, e.g. 0.01 for 1 %)."""
    def make(j: float) -> Perturb:
        def perturb(p: Patterns, g: np.random.Generator) -> tuple[FloatArray, FloatArray]:
            return p.t_in * (1.0 + j * g.standard_normal(p.t_in.shape)), p.weights
        return perturb

    return _sweep(model, "input_jitter", jitters, [make(j) for j in jitters],
                  spec or PatternSpec(), n_samples, n_spot, rng, seed, progress)


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

    return _sweep(model, "weight_quantization", [float(b) for b in bits],
                  [make(int(b)) for b in bits], spec, n_samples, n_spot, rng, seed, progress)
