"""PWM staircase of the XOR detector: the closed form against a brute-force PWM integral."""

from __future__ import annotations

import math

import numpy as np

from hwsnn.backends.spice.analytic import error_response, spike_times
from hwsnn.backends.spice.circuit import PLLNeuronCircuit
from hwsnn.backends.spice.model import Calibration, NeuronModel
from hwsnn.backends.spice.staircase import Staircase, staircase_spike_times


def _brute_force(model: NeuronModel, t: np.ndarray, w: np.ndarray, phase: float) -> float:
    """First crossing of psi = df * int (UP - 1/2), UP = XOR of two square waves (dt = 0.1 ps).

    VCO2's half-phase is ``2 f0 t + 2 theta2(t) - phase``; VCO1 leads it by a quarter
    cycle plus the linear-loop phase error ``e(t)``, so the duty is ``1/2 + e / pi``. The
    integral starts at the first VCO2 edge (before any input, where ``psi_avg = 0``).
    """
    c, r = model.circuit, model.response
    grid = np.arange(0.0, 30e-9, 0.1e-12)
    steps = w * c.phase_per_unit_weight_rad
    err = np.zeros_like(grid)
    dev = np.zeros_like(grid)
    edge, flat = c.t_edge_s, c.t_pulse_s
    for ti, si in zip(t, steps, strict=True):
        # VCO1 integrates the trapezoidal input pulse; VCO2 follows the pulse centroid
        ramp = np.interp(grid - ti, [0, edge, edge + flat, 2 * edge + flat],
                         [0, 0.5 * edge, 0.5 * edge + flat, edge + flat]) / (edge + flat)
        lag = grid - ti - c.pulse_centroid_s
        follow = np.where(lag > 0, 1.0 - error_response(np.maximum(lag, 0), r), 0.0) * si
        err += si * ramp - follow
        dev += follow
    half2 = 2 * c.f0_hz * grid + 2 * dev / (2 * math.pi) - phase
    half1 = half2 + 0.5 + 2 * err / (2 * math.pi)
    up = (np.floor(half1) != np.floor(half2)).astype(float)
    first_edge = int(np.argmax(np.diff(np.floor(half2)) > 0)) + 1  # psi = psi_avg = 0 there
    up[:first_edge] = 0.5
    psi = c.delta_f_hz * np.cumsum(up - 0.5) * (grid[1] - grid[0])
    return float(grid[np.argmax(psi >= c.psi_th_cycles)])


_DELAY_S = 30e-12
"""Lag of the sampled XOR mean behind the continuous one in this idealised PWM (the XSPICE
netlist, with its gate delays, calibrates to about 70 ps)."""


def test_staircase_matches_brute_force_pwm(rng: np.random.Generator) -> None:
    model = NeuronModel(PLLNeuronCircuit())
    c = model.circuit
    for _ in range(6):
        t = rng.uniform(0, 10e-9, 4)
        w = rng.uniform(0.25, 0.6, 4)
        t_avg = spike_times(t[None] + c.pulse_centroid_s + _DELAY_S, w[None] * c.membrane_gain,
                            model.response, c.psi_th_cycles, 60e-9)
        if not t_avg[0] < 28e-9:
            continue
        phase = float(rng.uniform(0, 1))
        stairs = Staircase(c.f0_hz, c.delta_f_hz, c.psi_th_cycles, phase, _DELAY_S)
        got = staircase_spike_times(t_avg, t[None] + c.pulse_centroid_s,
                                    (w * c.membrane_gain)[None],
                                    (w * c.phase_per_unit_weight_rad / (2 * math.pi))[None],
                                    model.response, stairs)[0]
        want = _brute_force(model, t, w, phase)
        assert t_avg[0] <= got <= t_avg[0] + 0.5 / c.f0_hz
        assert abs(got - want) < 8e-12, (got, want)  # a wrong PWM step would be ~200 ps


def test_staircase_off_is_the_averaged_model(rng: np.random.Generator) -> None:
    t = rng.uniform(0, 10e-9, (50, 4))
    w = rng.uniform(0.25, 0.6, (50, 4))
    plain = NeuronModel(PLLNeuronCircuit(), Calibration(offset_s=1e-11, gain=1.01))
    stair = NeuronModel(PLLNeuronCircuit(), Calibration(1e-11, 1.01, ripple_phase=0.3))
    a, b = plain.spike_times(t, w, 60e-9), stair.spike_times(t, w, 60e-9)
    fired = np.isfinite(a)
    assert fired.sum() > 20
    np.testing.assert_array_equal(np.isfinite(b), fired)
    lag = b[fired] - a[fired]
    assert np.all(lag >= 0) and np.all(lag <= 0.5 / PLLNeuronCircuit().f0_hz)
    assert np.ptp(lag) > 0.05e-9  # a staircase, not a constant offset
