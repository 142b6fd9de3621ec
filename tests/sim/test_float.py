"""The reference simulator against hand-computed trajectories."""

from __future__ import annotations

import numpy as np
import pytest

import hwsnn
from hwsnn import ir
from hwsnn.errors import IRValidationError, UnsupportedNodeError
from hwsnn.sim.float import simulate_float
from tests.conftest import all_nodes_graph, conv_lif_graph


def _single_lif(reset: str) -> ir.Graph:
    return ir.Graph.sequential(
        [
            ("input", ir.Input(shape=(1,))),
            ("lif", ir.LIF(tau_mem=1e-2, r=10.0, v_threshold=1.0, reset=reset, v_reset=-0.25)),
            ("output", ir.Output()),
        ],
        dt=1e-3,
        timesteps=6,
    )


@pytest.mark.parametrize("reset", ["subtract", "zero"])
def test_lif_trajectory_by_hand(reset: str) -> None:
    result = simulate_float(_single_lif(reset), np.array([[0.45]]))
    v, spikes = 0.0, []
    for _ in range(6):
        v = 0.9 * v + 0.45
        s = v > 1.0
        spikes.append(float(s))
        if s:
            v = v - 1.0 if reset == "subtract" else -0.25
    np.testing.assert_array_equal(result.outputs[:, 0, 0], spikes)
    assert result.spike_totals["lif"].sum() == sum(spikes) > 0


def test_threshold_scale_applies_per_step() -> None:
    g = ir.Graph.sequential(
        [
            ("input", ir.Input(shape=(1,))),
            ("lif", ir.IF(r=1000.0, v_threshold=1.0)),
            ("output", ir.Output()),
        ],
        dt=1e-3,
        timesteps=3,
    )
    assert simulate_float(g, np.array([[1.5]])).outputs[:, 0, 0].tolist() == [1.0, 1.0, 1.0]
    scaled = ir.Graph.sequential(
        [
            ("input", ir.Input(shape=(1,))),
            (
                "lif",
                ir.LIF(
                    tau_mem=1e9, r=1e12, v_threshold=1.0, threshold_scale=np.array([2.0, 2.0, 4.0])
                ),
            ),
            ("output", ir.Output()),
        ],
        dt=1e-3,
        timesteps=3,
    )
    assert simulate_float(scaled, np.array([[1.5]])).outputs[:, 0, 0].tolist() == [0.0, 1.0, 0.0]


def test_conv_graph_matches_torch_layers(rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    g = conv_lif_graph(rng)
    x = rng.random((3, 1, 8, 8)).astype(np.float32)
    result = simulate_float(g, x)
    conv = g.nodes["conv"]
    assert isinstance(conv, ir.Conv2d) and conv.bias is not None
    current = torch.nn.functional.conv2d(
        torch.from_numpy(x),
        torch.tensor(conv.weight, dtype=torch.float32),
        torch.tensor(conv.bias, dtype=torch.float32),
        padding=1,
    ).numpy()
    c = ir.neuron_coefficients(g.nodes["lif1"], g.dt)  # type: ignore[arg-type]
    v = np.zeros_like(current)
    for t in range(g.timesteps):
        v = c.keep * v + c.gain * current + c.leak
        s = v > 0.5
        v = v - s * np.float32(0.5)
        np.testing.assert_array_equal(result.spikes["lif1"][t], s)


def test_sequence_and_batch_inputs(rng: np.random.Generator) -> None:
    g = all_nodes_graph(rng)
    x = rng.random((2, 2, 6, 6))
    seq = np.broadcast_to(x, (g.timesteps, *x.shape))
    a, b = simulate_float(g, x), simulate_float(g, seq)
    np.testing.assert_array_equal(a.outputs, b.outputs)
    assert a.outputs.shape == (4, 2, 3)
    with pytest.raises(IRValidationError, match="do not match"):
        simulate_float(g, rng.random((2, 3, 6, 6)))


def test_poisson_encoder_is_seeded(rng: np.random.Generator) -> None:
    g = ir.Graph.sequential(
        [
            ("input", ir.Input(shape=(50,))),
            ("enc", ir.PoissonEncoder(gain=1.0)),
            ("output", ir.Output()),
        ],
        dt=1e-3,
        timesteps=200,
    )
    x = np.full((1, 50), 0.3)
    a = hwsnn.simulate(g, x, rng=np.random.default_rng(5))
    b = hwsnn.simulate(g, x, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a.outputs, b.outputs)
    assert abs(a.outputs.mean() - 0.3) < 0.02


def test_replace_hook_and_unsupported_nodes(rng: np.random.Generator) -> None:
    g = conv_lif_graph(rng)
    zero = simulate_float(
        g, rng.random((2, 1, 8, 8)), replace={"fc": lambda x: np.zeros((x.shape[0], 10))}
    )
    assert not zero.outputs.any()
    with pytest.raises(IRValidationError, match="unknown"):
        simulate_float(g, rng.random((2, 1, 8, 8)), replace={"nope": lambda x: x})
    nlif = ir.Graph.sequential(
        [
            ("input", ir.Input(shape=(2,))),
            ("fc", ir.Linear(weight=np.ones((2, 2)))),
            ("n", ir.NLIF()),
            ("output", ir.Output()),
        ],
        dt=1e-3,
        timesteps=1,
    )
    with pytest.raises(UnsupportedNodeError, match="NLIF"):
        simulate_float(nlif, np.ones((1, 2)))


def test_unknown_backend(rng: np.random.Generator) -> None:
    with pytest.raises(hwsnn.errors.HwsnnError, match="unknown backend"):
        hwsnn.simulate(conv_lif_graph(rng), np.ones((1, 1, 8, 8)), backend="abacus")
