"""Analytic tier: closed-form PLL response and spike times."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hwsnn.backends.spice.analytic import (
    PLLResponse,
    error_response,
    membrane_kernel,
    spike_times,
)
from hwsnn.backends.spice.circuit import PLLNeuronCircuit, weights_to_phase_steps
from hwsnn.backends.spice.model import NeuronModel
from hwsnn.errors import HwsnnError


def eq4_spike_time(t: np.ndarray, w: np.ndarray, tau: float, theta: float) -> float:
    """Paper 003 eq. 4 with the causal set found by sorting (reference implementation)."""
    order = np.argsort(t)
    t, w = t[order], w[order]
    for m in range(1, t.size + 1):
        denom = w[:m].sum() - theta / tau
        if denom <= 0:
            continue
        t_out = tau * math.log((w[:m] * np.exp(t[:m] / tau)).sum() / denom)
        if t_out >= t[m - 1] and (m == t.size or t_out <= t[m]):
            return t_out
    return math.inf


def test_first_order_limit_is_eq4(rng: np.random.Generator) -> None:
    t = rng.uniform(0, 1, (400, 5))
    w = rng.uniform(-0.3, 0.8, (400, 5))
    got = spike_times(t, w, PLLResponse(1.0), 1.0, 50.0)
    want = np.array([eq4_spike_time(ti, wi, 1.0, 1.0) for ti, wi in zip(t, w, strict=True)])
    assert np.array_equal(np.isfinite(got), np.isfinite(want))
    fin = np.isfinite(want)
    assert fin.sum() > 100
    np.testing.assert_allclose(got[fin], want[fin], rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("omega", [1e7, 4e8, 1e9, 1e11])
def test_kernel_settles_to_one_over_k_and_integrates_error(omega: float) -> None:
    resp = PLLResponse(1e8, omega)
    assert membrane_kernel([2e-6], resp)[0] == pytest.approx(1e-8, rel=1e-3)
    t = np.linspace(0, 1e-7, 20001)
    e = error_response(t, resp)
    assert e[0] == pytest.approx(1.0)
    integral = np.concatenate([[0], np.cumsum(0.5 * (e[1:] + e[:-1]) * np.diff(t))])
    np.testing.assert_allclose(integral, membrane_kernel(t, resp), atol=1e-13)
    assert membrane_kernel([-1e-9], resp)[0] == 0.0


def test_silent_inputs_and_no_spike() -> None:
    resp = PLLResponse(1.0)
    out = spike_times([[0.0, np.inf], [0.0, 0.5]], [[2.0, 5.0], [0.5, 0.4]], resp, 1.0, 10.0)
    assert out[0] == pytest.approx(math.log(2.0))
    assert math.isinf(out[1])


def test_circuit_mapping_units() -> None:
    c = PLLNeuronCircuit()
    assert c.loop_gain_per_s == pytest.approx(1e8)
    assert c.i_th_a == pytest.approx(0.5 * (c.i_h_a + c.i_l_a))
    assert weights_to_phase_steps(c, 1.0) == pytest.approx(c.phase_per_unit_weight_rad)
    with pytest.raises(HwsnnError):
        PLLNeuronCircuit(r_lf_ohm=-1.0)
    with pytest.raises(HwsnnError):
        PLLResponse(0.0)


def test_model_is_fast_and_vectorised(rng: np.random.Generator) -> None:
    import time

    model = NeuronModel()
    t = rng.uniform(0, 1e-8, (20000, 4))
    w = rng.uniform(0.25, 0.6, (20000, 4))
    start = time.perf_counter()
    out = model.spike_times(t, w, 6e-8)
    per_sample = (time.perf_counter() - start) / t.shape[0]
    assert np.isfinite(out).mean() > 0.5
    assert per_sample < 50e-6
