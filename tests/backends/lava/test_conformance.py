"""Emulator (hwsnn.sim.loihi) vs real Lava fixed_pt: identical spikes, u and v."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hwsnn.backends.lava.encode import encode_inputs
from hwsnn.backends.lava.lowering import map_graph
from hwsnn.errors import SimulatorUnavailableError
from hwsnn.ir import LI, Graph, Input, Linear, Output
from hwsnn.sim.loihi import run_emulator

pytestmark = pytest.mark.lava


@pytest.fixture(scope="module")
def lava():
    from hwsnn.backends.lava._compat import import_lava

    try:
        import_lava()
    except SimulatorUnavailableError as exc:
        pytest.skip(f"lava-nc unavailable: {exc}")
    from hwsnn.backends.lava.process import run_lava

    return run_lava


def _conform(run_lava, graph, x):
    artifact = map_graph(graph, "loihi2")
    payload = encode_inputs(artifact, x).payload
    lava = run_lava(artifact, payload)
    emu = run_emulator(artifact, payload)
    for name, spikes in lava.spikes.items():
        np.testing.assert_array_equal(emu.spikes[name], spikes, err_msg=name)
    for name in lava.final_v:
        np.testing.assert_array_equal(emu.final_v[name], lava.final_v[name], err_msg=name)
        np.testing.assert_array_equal(emu.final_u[name], lava.final_u[name], err_msg=name)
    return artifact, emu


@pytest.mark.parametrize("build", ["mlp", "conv_pool", "residual"])
def test_emulator_matches_lava_on_20_samples(lava, nets, build):
    rng = np.random.default_rng(1)
    graph = getattr(nets, build)(rng)
    x = rng.random((20, *graph.input_shape))
    artifact, emu = _conform(lava, graph, x)
    activity = [emu.spikes[p.name].mean() for p in artifact.populations]
    assert all(0.01 < a < 0.9 for a in activity), activity  # the comparison is not vacuous
    if build == "residual":
        assert any(c.delay == 1 for c in artifact.connections)
    if build == "conv_pool":
        assert {c.kind for c in artifact.connections} == {"conv", "dense"}


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(2, 9), st.integers(1, 6), st.floats(0.002, 0.2), st.integers(0, 2**31 - 1))
def test_emulator_matches_lava_random_graphs(lava, nets, n_in, n_hidden, tau, seed):
    rng = np.random.default_rng(seed)
    graph = Graph.sequential(
        [
            ("x", Input(shape=(n_in,))),
            ("fc1", Linear(weight=rng.normal(0.1, 1.0, (n_hidden, n_in)))),
            ("lif1", nets.lif(tau=tau, thr=float(rng.uniform(0.2, 2.0)))),
            ("fc2", Linear(weight=rng.normal(0.0, 1.0, (3, n_hidden)))),
            ("li", LI(tau_mem=tau, r=tau / nets.DT)),
            ("out", Output()),
        ],
        dt=nets.DT,
        timesteps=6,
    )
    _conform(lava, graph, rng.random((4, n_in)))
