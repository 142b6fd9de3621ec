"""Small test networks for the Loihi backend (deterministic for a seed)."""

from types import SimpleNamespace

import numpy as np
import pytest

from hwsnn.ir import LIF, Add, Affine, AvgPool2d, Conv2d, Flatten, Graph, Input, Linear, Output

DT = 1e-3


def lif(tau=0.02, thr=1.0):
    return LIF(tau_mem=tau, r=tau / DT, v_threshold=thr, reset="zero")


def mlp(rng, n_in=16, n_hidden=12, n_out=5, steps=10):
    return Graph.sequential(
        [
            ("x", Input(shape=(n_in,))),
            ("fc1", Linear(weight=rng.normal(0.15, 0.5, (n_hidden, n_in)))),
            ("lif1", lif()),
            (
                "fc2",
                Affine(weight=rng.normal(0.2, 0.8, (n_out, n_hidden)), bias=np.full(n_out, 0.05)),
            ),
            ("lif2", lif(tau=0.05)),
            ("out", Output()),
        ],
        dt=DT,
        timesteps=steps,
    )


def conv_pool(rng, steps=10):
    return Graph.sequential(
        [
            ("x", Input(shape=(1, 8, 8))),
            ("conv", Conv2d(weight=rng.normal(0.2, 0.6, (4, 1, 3, 3)), padding=(1, 1))),
            ("lif1", lif()),
            ("pool", AvgPool2d(kernel_size=(2, 2))),
            ("lif2", lif(thr=0.5)),
            ("flat", Flatten()),
            ("fc", Linear(weight=rng.normal(0.1, 0.5, (6, 64)))),
            ("lif3", lif()),
            ("out", Output()),
        ],
        dt=DT,
        timesteps=steps,
    )


def residual(rng, n=12, steps=10):
    nodes = {
        "x": Input(shape=(n,)),
        "fc1": Linear(weight=rng.normal(0.2, 0.5, (n, n))),
        "lif1": lif(),
        "fc2": Linear(weight=rng.normal(0.2, 0.8, (n, n))),
        "lif2": lif(),
        "fc3": Linear(weight=rng.normal(0.0, 0.8, (n, n))),
        "add": Add(),
        "lif3": lif(),
        "out": Output(),
    }
    edges = [
        ("x", "fc1"),
        ("fc1", "lif1"),
        ("lif1", "fc2"),
        ("fc2", "lif2"),
        ("lif2", "fc3"),
        ("fc3", "add"),
        ("lif1", "add"),
        ("add", "lif3"),
        ("lif3", "out"),
    ]
    return Graph(nodes=nodes, edges=edges, dt=DT, timesteps=steps)


@pytest.fixture(scope="session")
def nets():
    return SimpleNamespace(DT=DT, lif=lif, mlp=mlp, conv_pool=conv_pool, residual=residual)
