"""Small graphs and data for the sweep tests."""

from __future__ import annotations

import numpy as np
import pytest

from hwsnn.data import load_digits
from hwsnn.ir import IF, LI, LIF, Affine, Graph, Input, Linear, Output, PoissonEncoder

DT = 1e-3


@pytest.fixture(scope="session")
def digits_test() -> tuple[np.ndarray, np.ndarray]:
    data = load_digits(seed=0)
    return data.x_test.reshape(len(data.x_test), -1)[:60], data.y_test[:60]


def binary_mlp(seed: int = 0, hidden: int = 16, timesteps: int = 4) -> Graph:
    """Random binary-weight Poisson MLP for 64-pixel digits (crossbar-mappable)."""
    rng = np.random.default_rng(seed)
    w1 = 0.4 * np.where(rng.random((hidden, 64)) < 0.5, -1.0, 1.0)
    w2 = 0.5 * np.where(rng.random((10, hidden)) < 0.5, -1.0, 1.0)
    tau, r = np.array(0.02), np.array(0.02 / DT)
    return Graph.sequential(
        [
            ("in", Input(shape=(64,))),
            ("enc", PoissonEncoder(gain=1.0)),
            ("fc1", Affine(weight=w1, bias=np.full(hidden, 0.05))),
            ("lif1", LIF(tau_mem=tau, r=r, v_threshold=np.array(1.0))),
            ("fc2", Affine(weight=w2, bias=np.zeros(10))),
            ("li", LI(tau_mem=tau, r=r)),
            ("out", Output()),
        ],
        dt=DT,
        timesteps=timesteps,
        metadata={"model": "sweep test binary MLP"},
    )


def loihi_mlp(seed: int = 0, hidden: int = 32, steps: int = 8) -> Graph:
    """Random-feature IF network with a ridge readout on digits (Loihi-lowerable)."""
    data = load_digits(seed=seed)
    x = data.x_train.reshape(len(data.x_train), -1)
    rng = np.random.default_rng(seed)
    w1 = rng.normal(0.0, 1.0, (hidden, 64)) / 8.0
    h = np.maximum(x @ w1.T, 0.0)
    theta = float(np.percentile(h, 95))
    rate = np.clip(h / theta, 0, 1)
    w2 = np.linalg.solve(rate.T @ rate + 0.1 * np.eye(hidden), rate.T @ np.eye(10)[data.y_train]).T
    return Graph.sequential(
        [
            ("x", Input(shape=(64,))),
            ("fc1", Linear(weight=w1)),
            ("if1", IF(r=1 / DT, v_threshold=theta, reset="zero")),
            ("fc2", Linear(weight=w2)),
            ("li", LI(tau_mem=1.0, r=1.0 / DT)),
            ("out", Output()),
        ],
        dt=DT,
        timesteps=steps,
    )
