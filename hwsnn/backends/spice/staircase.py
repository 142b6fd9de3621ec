"""PWM staircase of the XOR phase detector: where the circuit's membrane really crosses.

The averaged model (:mod:`.analytic`) integrates the *mean* XOR duty, ``psi' = (f_H - f_L)
e / pi``. In the circuit VCO4 integrates the raw XOR output UP, so ``psi' = (f_H - f_L) (UP
- 1/2)``: ``+(f_H - f_L)/2`` while UP is high, ``-(f_H - f_L)/2`` while it is low. On the
stable branch of the type-I PLL, UP rises at a VCO1 edge and falls at the next VCO2 edge, so
the exact membrane equals the averaged one at every VCO2 edge and lies below it in between
(research ``spice.md`` §6.6, "XOR PWM staircasing"). The first crossing of ``psi_th`` is
therefore on the steep UP ramp that ends at the first VCO2 edge ``t_e`` after the averaged
crossing ``t_a``:

    t_spike = t_e - (psi_avg(t_e - d) - psi_th) / ((f_H - f_L) / 2),

where ``d`` is the lag of the mean of the sampled (once per half period) phase error behind
the continuous one, fitted with the other calibration constants.

This makes the spike time a staircase in the input times (slope below the averaged model's,
jumps of up to half a VCO2 period), the resolution floor that makes small input jitter look
smaller in the circuit than in the averaged model. VCO2 edges are where ``u(t) = 2 f0 t + 2
theta2(t) - phase`` is an integer (half-cycles), with ``theta2(t) = sum_i dtheta_i (1 -
e(t - t_i)) / (2 pi)`` the closed-loop VCO2 phase deviation (cycles) and ``phase`` measured
once in XSPICE (:func:`hwsnn.backends.spice.xspice.measure_ripple_phase`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.spice.analytic import PLLResponse, error_response, membrane_kernel

__all__ = ["Staircase", "staircase_spike_times"]

FloatArray = NDArray[np.float64]
_EDGE_ITERATIONS = 3


@dataclass(frozen=True)
class Staircase:
    """Circuit values the staircase needs.

    Attributes:
        f0_hz: VCO2 free-running frequency (Hz).
        delta_f_hz: ``f_H - f_L`` (Hz): the membrane slope is half of it while UP is high.
        threshold_cycles: ``psi_th`` (cycles).
        ripple_phase: VCO2 edge phase at input time 0 (half-cycles, in ``[0, 1)``).
        membrane_delay_s: Lag of the averaged membrane behind the input pulses (s): the
            XOR samples the phase error once per half period, which delays its mean.
    """

    f0_hz: float
    delta_f_hz: float
    threshold_cycles: float
    ripple_phase: float
    membrane_delay_s: float = 0.0


def _vco2_deviation(tq: FloatArray, t: FloatArray, steps: FloatArray,
                    response: PLLResponse) -> FloatArray:
    """``theta2(tq)`` (cycles): VCO2 phase deviation after the VCO1 phase steps."""
    lag = tq[:, None] - t
    follow = np.where(lag > 0, 1.0 - error_response(np.maximum(lag, 0.0), response), 0.0)
    return np.asarray((steps * follow).sum(1))


def _membrane(tq: FloatArray, t: FloatArray, amplitude: FloatArray,
              response: PLLResponse) -> FloatArray:
    """Averaged membrane ``sum_i a_i M(tq - t_i)`` (cycles)."""
    return np.asarray((amplitude * membrane_kernel(tq[:, None] - t, response)).sum(1))


def staircase_spike_times(t_avg: FloatArray, t_in: FloatArray, amplitude: FloatArray,
                          steps_cycles: FloatArray, response: PLLResponse,
                          stairs: Staircase) -> FloatArray:
    """Move averaged crossings ``t_avg`` onto the PWM ramp (module docstring).

    Args:
        t_avg: Averaged-model spike times (membrane delayed by ``stairs.membrane_delay_s``),
            shape ``(N,)`` (s); ``inf`` stays ``inf``.
        t_in: Input times as the averaged model saw them, shape ``(N, n)`` (s); ``inf`` =
            silent.
        amplitude: Membrane drive ``a_i`` (cycles/s), shape ``(N, n)`` like ``t_in``.
        steps_cycles: VCO1 phase steps ``dtheta_i / (2 pi)`` (cycles), shape ``(N, n)``.
        response: The PLL response.
        stairs: VCO2 frequency, membrane slope, threshold and edge phase.

    Returns:
        Spike times, shape ``(N,)`` (s), in ``[t_avg, t_e]``.
    """
    out = np.array(t_avg, dtype=np.float64, copy=True)
    fire = np.isfinite(out)
    if not fire.any():
        return out
    live = np.isfinite(t_in[fire])
    t = np.where(live, t_in[fire], 0.0)
    a = np.where(live, amplitude[fire], 0.0)
    steps = np.where(live, steps_cycles[fire], 0.0)
    t_a = out[fire]
    two_f0 = 2.0 * stairs.f0_hz

    def phase(tq: FloatArray) -> FloatArray:
        return np.asarray(two_f0 * tq + 2.0 * _vco2_deviation(tq, t, steps, response)
                          - stairs.ripple_phase)

    target = np.floor(phase(t_a)) + 1.0
    t_e = t_a + (target - phase(t_a)) / two_f0
    for _ in range(_EDGE_ITERATIONS):
        t_e = t_e + (target - phase(t_e)) / two_f0
    excess = _membrane(t_e - stairs.membrane_delay_s, t, a, response) - stairs.threshold_cycles
    out[fire] = np.clip(t_e - excess / (0.5 * stairs.delta_f_hz), t_a, t_e)
    return out
