import numpy as np
import pytest

from hwsnn.ir import LIF, Affine, Conv2d, Flatten, Graph, Input, Linear, Output, PoissonEncoder


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def binary_mlp(
    rng: np.random.Generator,
    n_in: int = 150,
    hidden: int = 40,
    n_out: int = 10,
    alpha: float = 0.37,
    timesteps: int = 6,
) -> Graph:
    dt = 1e-3
    w1 = alpha * np.where(rng.random((hidden, n_in)) < 0.5, -1.0, 1.0)
    w2 = 0.5 * np.where(rng.random((n_out, hidden)) < 0.5, -1.0, 1.0)
    lif = dict(tau_mem=np.array(0.02), r=np.array(0.02 / dt), v_threshold=np.array(1.0))
    return Graph.sequential(
        [
            ("in", Input(shape=(n_in,))),
            ("enc", PoissonEncoder(gain=1.0)),
            ("fc1", Affine(weight=w1, bias=np.full(hidden, 0.05))),
            ("lif1", LIF(**lif)),
            ("fc2", Linear(weight=w2)),
            ("lif2", LIF(**lif)),
            ("out", Output()),
        ],
        dt=dt,
        timesteps=timesteps,
    )


def binary_cnn(rng: np.random.Generator, timesteps: int = 4) -> Graph:
    dt = 1e-3
    wc = np.where(rng.random((4, 1, 3, 3)) < 0.5, -0.6, 0.6)
    wf = np.where(rng.random((10, 4 * 4 * 4)) < 0.5, -0.3, 0.3)
    lif = dict(tau_mem=np.array(0.02), r=np.array(0.02 / dt), v_threshold=np.array(1.0))
    return Graph.sequential(
        [
            ("in", Input(shape=(1, 8, 8))),
            ("enc", PoissonEncoder(gain=1.0)),
            ("conv", Conv2d(weight=wc, bias=None, stride=(2, 2), padding=(1, 1))),
            ("lif1", LIF(**lif)),
            ("flat", Flatten()),
            ("fc", Linear(weight=wf)),
            ("lif2", LIF(**lif)),
            ("out", Output()),
        ],
        dt=dt,
        timesteps=timesteps,
    )
