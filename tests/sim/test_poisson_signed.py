"""Signed Poisson encoding in ``sim.float``: statistics, draw order, unsigned unchanged."""

from __future__ import annotations

import numpy as np

from hwsnn import ir
from hwsnn.sim._neurons import poisson_spikes
from hwsnn.sim.float import simulate_float

X = np.array([-1.5, -0.9, -0.3, -0.05, 0.0, 0.05, 0.3, 0.9, 1.5], dtype=np.float32)
GAIN = 0.8


def _encoder_graph(signed: bool, steps: int) -> ir.Graph:
    return ir.Graph.sequential(
        [
            ("input", ir.Input(shape=(X.size,))),
            ("enc", ir.PoissonEncoder(gain=GAIN, signed=signed)),
            ("output", ir.Output()),
        ],
        dt=1e-3,
        timesteps=steps,
    )


def test_signed_mean_is_sign_times_clipped_rate() -> None:
    steps = 4000
    out = simulate_float(_encoder_graph(True, steps), X[None], rng=np.random.default_rng(0))
    s = out.outputs[:, 0]
    assert set(np.unique(s)) == {-1.0, 0.0, 1.0}
    assert np.all(s * np.sign(X) >= 0)  # a spike always has the input's sign
    expected = np.sign(X) * np.minimum(GAIN * np.abs(X), 1.0)
    sem = np.sqrt(np.abs(expected) * (1 - np.abs(expected)) / steps)
    np.testing.assert_array_less(np.abs(s.mean(0) - expected), 4 * sem + 1e-9)
    sure = np.abs(X) * GAIN >= 1  # probability clipped at 1: a spike of the sign every step
    assert np.all(s[:, X == 0] == 0) and np.all(s[:, sure] == np.sign(X)[sure])


def test_unsigned_is_the_old_rule_and_both_use_the_same_draws() -> None:
    steps = 50
    unsigned = simulate_float(_encoder_graph(False, steps), X[None], rng=np.random.default_rng(3))
    signed = simulate_float(_encoder_graph(True, steps), X[None], rng=np.random.default_rng(3))
    replay = np.random.default_rng(3)
    u = np.stack([replay.random((1, X.size), dtype=np.float32) for _ in range(steps)])
    old = (u < np.clip(X * np.float32(GAIN), 0, 1)).astype(np.float32)  # the pre-signed rule
    np.testing.assert_array_equal(unsigned.outputs, old)
    np.testing.assert_array_equal(
        signed.outputs, np.sign(X) * (u < np.clip(np.abs(X) * np.float32(GAIN), 0, 1))
    )
    pos = X >= 0
    np.testing.assert_array_equal(signed.outputs[..., pos], unsigned.outputs[..., pos])
    assert not np.any(unsigned.outputs[..., ~pos]) and np.any(signed.outputs[..., ~pos] < 0)


def test_poisson_spikes_is_float32_without_negative_zero() -> None:
    x = np.array([[-2.0, -0.0, 2.0]], dtype=np.float32)
    node = ir.PoissonEncoder(gain=1.0, signed=True)
    s = poisson_spikes(node, x, np.random.default_rng(0))
    assert s.dtype == np.float32
    np.testing.assert_array_equal(s, [[-1.0, 0.0, 1.0]])
    assert not np.signbit(s[0, 1])


def test_recorded_signed_spikes_keep_their_sign_and_totals_count_events() -> None:
    steps = 30
    out = simulate_float(_encoder_graph(True, steps), X[None], rng=np.random.default_rng(1))
    rec = out.spikes["enc"]
    assert rec.dtype == np.int8
    np.testing.assert_array_equal(rec.astype(np.float32), out.outputs)
    assert np.any(rec < 0)
    np.testing.assert_array_equal(
        out.spike_totals["enc"], np.count_nonzero(out.outputs.reshape(steps, -1), axis=1)
    )
    unsigned = simulate_float(_encoder_graph(False, steps), X[None], rng=np.random.default_rng(1))
    assert unsigned.spikes["enc"].dtype == np.uint8
