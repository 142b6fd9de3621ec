"""Loihi emulator vs sim.float: accuracy on digits, and the simulator registry."""

import numpy as np
import pytest

from hwsnn import sim
from hwsnn.data import load_digits
from hwsnn.ir import IF, LI, Graph, Input, Linear, Output
from hwsnn.sim.float import simulate_float
from hwsnn.sim.loihi import simulate_loihi

DT = 1e-3


def _digits_snn(seed=0, hidden=128, steps=32):
    """Numpy-trained rate network: random ReLU features (IF, reset to zero) + ridge readout (LI)."""
    data = load_digits(seed=seed)
    x_train = data.x_train.reshape(len(data.x_train), -1)
    rng = np.random.default_rng(seed)
    w1 = rng.normal(0.0, 1.0, (hidden, x_train.shape[1])) / np.sqrt(x_train.shape[1])
    h = np.maximum(x_train @ w1.T, 0.0)
    theta = float(np.percentile(h, 95))
    rate = np.clip(h / theta, 0, 1)
    target = np.eye(10)[data.y_train]
    w2 = np.linalg.solve(rate.T @ rate + 1e-1 * np.eye(hidden), rate.T @ target).T
    graph = Graph.sequential(
        [
            ("x", Input(shape=(x_train.shape[1],))),
            ("fc1", Linear(weight=w1)),
            ("if1", IF(r=1 / DT, v_threshold=theta, reset="zero")),
            ("fc2", Linear(weight=w2)),
            ("out_li", LI(tau_mem=1.0, r=1.0 / DT)),
            ("out", Output()),
        ],
        dt=DT,
        timesteps=steps,
    )
    return graph, data.x_test.reshape(len(data.x_test), -1), data.y_test


def test_fixed_point_loses_at_most_one_point_on_digits():
    graph, x, y = _digits_snn()
    acc_float = float(np.mean(simulate_float(graph, x).predictions() == y))
    result = simulate_loihi(graph, x)
    acc_fixed = float(np.mean(result.predictions() == y))
    assert acc_float > 0.8
    assert acc_fixed >= acc_float - 0.01, (acc_float, acc_fixed)
    assert result.backend == "loihi-emulator" and result.outputs.shape == (32, len(y), 10)


def test_registry_has_loihi_backends():
    graph, x, _ = _digits_snn(steps=4)
    out = sim.simulate(graph, x[:3], backend="loihi-emulator")
    assert out.spikes["if1"].shape == (4, 3, 128)
    assert "lava" in sim.SIMULATORS


@pytest.mark.lava
def test_lava_backend_runs_through_the_registry():
    from hwsnn.backends.lava._compat import import_lava
    from hwsnn.errors import SimulatorUnavailableError

    try:
        import_lava()
    except SimulatorUnavailableError as exc:
        pytest.skip(f"lava-nc unavailable: {exc}")
    graph, x, _ = _digits_snn(hidden=16, steps=5)
    lava = sim.simulate(graph, x[:2], backend="lava")
    emu = sim.simulate(graph, x[:2], backend="loihi-emulator")
    np.testing.assert_array_equal(lava.spikes["if1"], emu.spikes["if1"])
    np.testing.assert_allclose(lava.outputs[-1], emu.outputs[-1])
    floating = sim.simulate(graph, x[:2], backend="lava", mode="floating_pt")
    assert floating.spikes["if1"].shape == lava.spikes["if1"].shape
