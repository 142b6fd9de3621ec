"""Random input patterns for the single neuron (calibration, jitter and quantisation runs)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.spice.model import NeuronModel
from hwsnn.errors import HwsnnError

__all__ = ["PatternSpec", "Patterns", "random_patterns"]

_PHASE_HEADROOM_RAD = 0.85 * math.pi / 2


@dataclass(frozen=True)
class PatternSpec:
    """How patterns are drawn (times in units of the loop time constant ``1/K``).

    Attributes:
        n_inputs: Inputs per neuron.
        t_in_span: Input spike times are uniform in ``[0, t_in_span / K]``.
        w_low: Smallest weight (units of ``g_unit``).
        w_high: Largest weight.
        window: Simulation window ``window / K`` (s); patterns firing later are redrawn.
    """

    n_inputs: int = 4
    t_in_span: float = 1.0
    w_low: float = 0.25
    w_high: float = 0.6
    window: float = 6.0


@dataclass(frozen=True)
class Patterns:
    """Input patterns that fire inside the window with the PLL in its linear range.

    Attributes:
        t_in: Input spike times, shape ``(N, n)`` (s).
        weights: Weights, shape ``(N, n)``.
        t_out: Nominal analytic output spike times, shape ``(N,)`` (s).
        window_s: Simulation window (s).
    """

    t_in: NDArray[np.float64]
    weights: NDArray[np.float64]
    t_out: NDArray[np.float64]
    window_s: float


def random_patterns(model: NeuronModel, spec: PatternSpec, n: int,
                    rng: np.random.Generator) -> Patterns:
    """Draw ``n`` valid patterns (redrawing the ones that do not fire or leave the linear range).

    Raises:
        HwsnnError: Fewer than 1 in 20 draws are valid (the spec cannot fire the neuron).
    """
    tau = 1.0 / model.circuit.loop_gain_per_s
    window = spec.window * tau
    keep_t, keep_w, keep_o = [], [], []
    have, tries = 0, 0
    while have < n:
        m = 2 * (n - have) + 8
        tries += m
        if tries > 20 * n + 200:
            raise HwsnnError(f"pattern spec {spec} rarely fires the neuron")
        t = rng.uniform(0.0, spec.t_in_span * tau, (m, spec.n_inputs))
        w = rng.uniform(spec.w_low, spec.w_high, (m, spec.n_inputs))
        out = model.spike_times(t, w, window)
        ok = np.isfinite(out)
        ok[ok] &= model.max_phase_error(t[ok], w[ok], out[ok]) < _PHASE_HEADROOM_RAD
        keep_t.append(t[ok])
        keep_w.append(w[ok])
        keep_o.append(out[ok])
        have += int(ok.sum())
    return Patterns(t_in=np.concatenate(keep_t)[:n], weights=np.concatenate(keep_w)[:n],
                    t_out=np.concatenate(keep_o)[:n], window_s=window)
