"""Export of torch models and bit-exact agreement of sim.float with the torch modules.

Synapse layers sum products in an order that differs between torch (MKL / oneDNN) and
numpy, so for arbitrary float weights the two can differ in the last bit of a membrane
potential. The exactness tests therefore use dyadic weights and inputs (multiples of
2^-6 and 2^-4): every product and sum is then exact in float32 whatever the order, and
the only rounding left is the neuron update, which must be the same operations on both
sides. They check every spiking layer at every step and the output bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import hwsnn
from hwsnn import ir
from hwsnn.errors import IRValidationError, UnsupportedNodeError
from hwsnn.export import export_torch
from hwsnn.export.torch import EXPORTERS
from hwsnn.nn import IF, LI, LIF, PoissonEncoder, Residual, Sequential, build_model, record_spikes
from hwsnn.sim.float import simulate_float

DT = 1e-3
T = 10


def _dyadic_(model: torch.nn.Module, scale: float) -> None:
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.round(p * scale * 64) / 64)


def _dyadic_input(gen: torch.Generator, shape: tuple[int, ...], batch: int = 6) -> torch.Tensor:
    return torch.round(torch.rand(batch, *shape, generator=gen) * 16) / 16


def _assert_same_as_sim(model: Sequential, graph: ir.Graph, x: torch.Tensor) -> None:
    result = simulate_float(graph, x.numpy())
    spikes = record_spikes(model, x)
    assert set(spikes) == set(result.spikes)
    for name, s in spikes.items():
        assert 0 < s.mean() < 1, f"layer {name} does not spike usefully"
        assert s.dtype == result.spikes[name].dtype == np.uint8
        np.testing.assert_array_equal(s, result.spikes[name], err_msg=name)
    with torch.no_grad():
        out = model(x).numpy()
    assert out.dtype == result.outputs.dtype == np.float32
    np.testing.assert_array_equal(out, result.outputs)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("reset", ["subtract", "zero"])
def test_mlp_export_matches_sim_exactly(seed, reset):
    gen = torch.Generator().manual_seed(seed)
    model = build_model(
        "mlp", (1, 8, 8), 10, timesteps=T, dt=DT, hidden=32, seed=seed, tau_mem=5e-3, reset=reset
    )
    _dyadic_(model, 3.0)
    graph = export_torch(model, (1, 8, 8), timesteps=T, dt=DT)
    assert [type(graph.nodes[n]).__name__ for n in graph.order] == [
        "Input",
        "Flatten",
        "Affine",
        "LIF",
        "Affine",
        "LI",
        "Output",
    ]
    assert graph.shapes["layer2"] == (32,) and graph.output_shape == (10,)
    _assert_same_as_sim(model, graph, _dyadic_input(gen, (1, 8, 8)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_conv_export_matches_sim_exactly(seed):
    gen = torch.Generator().manual_seed(seed)
    model = build_model(
        "conv", (1, 8, 8), 10, timesteps=T, dt=DT, channels=(4, 6), seed=seed, tau_mem=4e-3
    )
    _dyadic_(model, 4.0)
    graph = export_torch(model, (1, 8, 8), timesteps=T, dt=DT)
    assert graph.shapes["layer1"] == (4, 8, 8) and graph.shapes["layer5"] == (6, 2, 2)
    _assert_same_as_sim(model, graph, _dyadic_input(gen, (1, 8, 8)))


def _residual_net(seed: int) -> Sequential:
    torch.manual_seed(seed)
    return Sequential(
        torch.nn.Conv2d(2, 4, 3, padding=1, bias=False),
        IF(DT, reset="zero"),
        Residual(Sequential(torch.nn.Conv2d(4, 4, 3, padding="same"), LIF(3e-3, DT, v_leak=0.25))),
        torch.nn.AvgPool2d(2, stride=2),
        torch.nn.Flatten(),
        torch.nn.Dropout(0.1),
        torch.nn.Linear(16, 5, bias=False),
        LI(1e-2, DT),
        timesteps=T,
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_residual_export_matches_sim_exactly(seed):
    gen = torch.Generator().manual_seed(seed)
    model = _residual_net(seed).eval()
    _dyadic_(model, 3.0)
    graph = export_torch(model, (2, 4, 4), timesteps=T, dt=DT)
    assert isinstance(graph.nodes["layer2"], ir.Add)
    assert graph.predecessors("layer2") == ("layer1", "layer2.block.1")
    assert isinstance(graph.nodes["layer0"], ir.Conv2d) and graph.nodes["layer0"].bias is None
    assert graph.nodes["layer2.block.0"].padding == (1, 1)
    assert isinstance(graph.nodes["layer6"], ir.Linear) and not isinstance(
        graph.nodes["layer6"], ir.Affine
    )
    assert "layer5" not in graph.nodes  # dropout is the identity at inference
    _assert_same_as_sim(model, graph, _dyadic_input(gen, (2, 4, 4)))


def test_sequence_input_matches_sim_exactly():
    gen = torch.Generator().manual_seed(4)
    model = build_model("mlp", (12,), 3, timesteps=T, dt=DT, hidden=16, seed=4)
    _dyadic_(model, 3.0)
    graph = export_torch(model, (12,), timesteps=T, dt=DT)
    x = torch.round(torch.rand(T, 5, 12, generator=gen) * 16) / 16  # (T, B, ...) sequence
    _assert_same_as_sim(model, graph, x)


def test_graph_metadata_names_and_round_trip():
    model = build_model("mlp", (4,), 2, timesteps=3, dt=DT, hidden=5)
    graph = hwsnn.export_torch(model, (4,), timesteps=3, dt=DT)
    assert graph.input_name == "input" and graph.output_name == "output"
    assert graph.metadata["source"] == "torch"
    assert graph.metadata["hwsnn_version"] == hwsnn.__version__
    assert graph.dt == DT and graph.timesteps == 3 and graph.encoding == "direct"
    np.testing.assert_array_equal(graph.nodes["layer1"].weight, model[1].weight.detach().numpy())
    assert ir.graphs_equal(graph, ir.graph_from_record(*ir.graph_to_record(graph)))
    assert graph.nodes["layer2"] is model[2].to_ir()


def test_poisson_encoder_and_root_modules():
    model = Sequential(PoissonEncoder(gain=0.5), torch.nn.Linear(3, 2), LIF(2e-3, DT))
    graph = export_torch(model, (3,), timesteps=4, dt=DT)
    assert graph.encoding == "poisson" and graph.nodes["layer0"].gain == 0.5
    signed = Sequential(PoissonEncoder(gain=0.5, signed=True), torch.nn.Linear(3, 2))
    node = export_torch(signed, (3,), timesteps=4, dt=DT).nodes["layer0"]
    assert isinstance(node, ir.PoissonEncoder) and node.signed and node.gain == 0.5
    assert not graph.nodes["layer0"].signed
    root = export_torch(LIF(2e-3, DT), (3,), timesteps=2, dt=DT)
    assert list(root.nodes) == ["input", "lif", "output"]


@pytest.mark.parametrize(
    "layer, kind",
    [
        (torch.nn.BatchNorm2d(1), "BatchNorm2d"),
        (torch.nn.Sigmoid(), "Sigmoid"),
    ],
)
def test_unsupported_layer_is_named(layer, kind):
    model = Sequential(torch.nn.Conv2d(1, 1, 3), layer, torch.nn.Flatten())
    with pytest.raises(UnsupportedNodeError, match=f"torch export does not support {kind}") as info:
        export_torch(model, (1, 6, 6), timesteps=2, dt=DT)
    assert info.value.kind == kind and "torch.nn.Conv2d" in info.value.supported


@pytest.mark.parametrize(
    "layer, why",
    [
        (torch.nn.AvgPool2d(2, ceil_mode=True), "ceil_mode"),
        (torch.nn.AvgPool2d(3, padding=1, count_include_pad=False), "count_include_pad"),
        (torch.nn.AvgPool2d(2, divisor_override=3), "divisor_override"),
        (torch.nn.Conv2d(1, 1, 3, padding=1, padding_mode="reflect"), "padding_mode"),
        (torch.nn.Conv2d(1, 1, 2, padding="same"), "same"),
        (torch.nn.Flatten(0), "batch"),
        (torch.nn.MaxPool2d(2, ceil_mode=True), "ceil_mode"),
        (torch.nn.MaxPool2d(2, dilation=2), "dilation"),
        (torch.nn.MaxPool2d(2, return_indices=True), "return_indices"),
    ],
)
def test_unsupported_settings_say_why(layer, why):
    with pytest.raises(UnsupportedNodeError, match=why):
        export_torch(Sequential(layer), (1, 6, 6), timesteps=2, dt=DT)


@pytest.mark.parametrize("seed", [0, 1])
def test_relu_maxpool_cnn_matches_sim_exactly(seed):
    """Conv -> ReLU -> MaxPool2d (padded) -> Conv -> ReLU -> MaxPool2d -> Linear, one step."""
    torch.manual_seed(seed)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(3, stride=2, padding=1),
        torch.nn.Conv2d(4, 6, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(6 * 2 * 2, 5),
    )
    _dyadic_(model, 1.0)
    x = _dyadic_input(torch.Generator().manual_seed(seed), (1, 9, 9)) - 0.5
    graph = export_torch(model, (1, 9, 9), timesteps=1, dt=DT)
    kinds = [type(graph.nodes[n]).__name__ for n in graph.order]
    assert kinds.count("ReLU") == 2 and kinds.count("MaxPool2d") == 2
    assert graph.nodes["layer2"].padding == (1, 1)  # type: ignore[attr-defined]
    with torch.no_grad():
        ref = model(x).numpy()
    out = simulate_float(graph, x.numpy()).outputs[0]
    assert np.any(ref != 0)
    np.testing.assert_array_equal(out, ref)


def test_dt_mismatch_is_a_validation_error():
    model = Sequential(torch.nn.Linear(3, 2), LIF(5e-3, 2e-3))
    with pytest.raises(IRValidationError, match=r"dt=0\.002"):
        export_torch(model, (3,), timesteps=2, dt=DT)
    with pytest.raises(IRValidationError, match="dt"):
        export_torch(model, (3,), timesteps=2, dt=-1.0)


def test_shape_mismatch_is_a_validation_error():
    model = Sequential(torch.nn.Linear(3, 2), LIF(5e-3, DT))
    with pytest.raises(IRValidationError, match="layer0"):
        export_torch(model, (4,), timesteps=2, dt=DT)


def test_dispatch_is_by_exact_type():
    class MyLinear(torch.nn.Linear):
        pass

    assert torch.nn.Linear in EXPORTERS and MyLinear not in EXPORTERS
    with pytest.raises(UnsupportedNodeError, match="MyLinear"):
        export_torch(Sequential(MyLinear(3, 2)), (3,), timesteps=2, dt=DT)
