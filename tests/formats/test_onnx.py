"""ONNX adapter: every node type round-trips, the checker passes, bad files fail cleanly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import hwsnn
from hwsnn.errors import FormatError, UnsupportedNodeError
from hwsnn.ir import (
    IF,
    LI,
    LIF,
    NLIF,
    NODE_TYPES,
    SAU,
    Add,
    Affine,
    AlphaSynapse,
    AvgPool2d,
    Conv2d,
    CurrentEncoder,
    Flatten,
    Graph,
    Input,
    Linear,
    MaxPool2d,
    MaxPoolTTFS,
    Output,
    PoissonEncoder,
    Quantization,
    ReLU,
    ResetMode,
    Rounding,
    Scale,
    SumPool2d,
    TimeAffine,
    TTFSEncoder,
    graphs_equal,
)

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from hwsnn.formats.onnx import (  # noqa: E402
    graph_to_model,
    model_to_graph,
    read_onnx,
    run_onnx,
    write_onnx,
)
from tests.conftest import concat_graph  # noqa: E402

pytestmark = pytest.mark.onnx

T = 4


def _conv_chain(rng: np.random.Generator) -> Graph:
    """Poisson -> Conv2d -> LIF (ZERO, threshold_scale) -> pools -> Scale -> IF -> FC -> LI."""
    return Graph.sequential(
        [
            ("in", Input(shape=(2, 6, 6))),
            ("enc", PoissonEncoder(gain=0.8)),
            (
                "conv",
                Conv2d(
                    weight=rng.normal(size=(4, 2, 3, 3)),
                    bias=rng.normal(size=4),
                    padding=(1, 1),
                    quant=Quantization(weight_bits=8, scale=0.01, rounding=Rounding.STOCHASTIC),
                ),
            ),
            (
                "lif",
                LIF(
                    tau_mem=rng.uniform(1e-3, 5e-3, size=(4, 1, 1)),
                    r=np.array(1.5),
                    v_leak=np.array(0.1),
                    v_threshold=np.array(0.7),
                    v_reset=np.array(-0.2),
                    reset=ResetMode.ZERO,
                    threshold_scale=rng.uniform(0.5, 2.0, size=T),
                ),
            ),
            ("sum", SumPool2d(kernel_size=(2, 2))),
            ("avg", AvgPool2d(kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))),
            ("scale", Scale(scale=rng.normal(size=(4, 1, 1)))),
            ("if", IF(r=np.array(1e3), v_threshold=rng.uniform(0.5, 1.0, size=(4, 3, 3)))),
            ("flat", Flatten()),
            ("lin", Linear(weight=rng.normal(size=(6, 36)), quant=Quantization(weight_bits=4))),
            ("aff", Affine(weight=rng.normal(size=(3, 6)), bias=rng.normal(size=3))),
            ("li", LI(tau_mem=np.array(4e-3), r=np.array(2.0), v_leak=np.array(-0.05))),
            ("out", Output()),
        ],
        dt=1e-3,
        timesteps=T,
        metadata={"source": "test_onnx", "unit": "µs"},
    )


def _residual(rng: np.random.Generator) -> Graph:
    """CurrentEncoder -> Affine -> LIF, then Add(Linear(LIF), Scale(LIF), LIF) -> IF."""
    nodes = {
        "in": Input(shape=(5,)),
        "enc": CurrentEncoder(gain=2.0),
        "fc": Affine(weight=rng.normal(size=(4, 5)), bias=np.zeros(4)),
        "l1": LIF(tau_mem=np.array(2e-3)),
        "skip": Linear(weight=rng.normal(size=(4, 4))),
        "gain": Scale(scale=np.array(0.5)),
        "sum": Add(),
        "if": IF(r=np.full(4, 1e3), reset=ResetMode.ZERO),
        "out": Output(),
    }
    edges = [
        ("in", "enc"),
        ("enc", "fc"),
        ("fc", "l1"),
        ("l1", "skip"),
        ("l1", "gain"),
        ("skip", "sum"),
        ("gain", "sum"),
        ("l1", "sum"),
        ("sum", "if"),
        ("if", "out"),
    ]
    return Graph(nodes=nodes, edges=edges, dt=1e-3, timesteps=T)


def _grouped(rng: np.random.Generator) -> Graph:
    """Grouped, dilated, strided Conv2d without bias; partial Flatten; NLIF."""
    return Graph.sequential(
        [
            ("in", Input(shape=(4, 7, 7))),
            (
                "conv",
                Conv2d(
                    weight=rng.normal(size=(6, 2, 3, 3)),
                    stride=(2, 2),
                    dilation=(2, 2),
                    groups=2,
                ),
            ),
            ("flat", Flatten(start_dim=1, end_dim=2)),
            ("fc", Flatten()),
            ("aff", Affine(weight=rng.normal(size=(3, 24)), bias=np.ones(3))),
            ("nlif", NLIF(tau_syn=np.array(1.0), v_threshold=np.full(3, 1.0), t_max=5.0)),
            ("out", Output()),
        ],
        dt=0.5,
        timesteps=2,
    )


def _ttfs(rng: np.random.Generator) -> Graph:
    """TTFSEncoder -> Conv2d -> NLIF -> MaxPoolTTFS -> Flatten -> Affine -> NLIF (paper 003)."""
    return Graph.sequential(
        [
            ("in", Input(shape=(1, 4, 4))),
            ("enc", TTFSEncoder(alpha=1.0, t_max=3.0)),
            ("conv", Conv2d(weight=rng.normal(size=(2, 1, 3, 3)), padding=(1, 1))),
            ("n1", NLIF(t_max=3.0)),
            ("pool", MaxPoolTTFS(kernel_size=(2, 2))),
            ("flat", Flatten()),
            ("fc", Linear(weight=rng.normal(size=(3, 8)))),
            ("n2", NLIF(tau_syn=np.full(3, 1.0), t_max=3.0)),
            ("out", Output()),
        ],
        dt=0.1,
        timesteps=1,
    )


def _filters(rng: np.random.Generator) -> Graph:
    """PoissonEncoder -> AlphaSynapse -> Affine -> TimeAffine -> SAU -> LIF (papers 001/004/000)."""
    return Graph.sequential(
        [
            ("in", Input(shape=(6,))),
            ("enc", PoissonEncoder()),
            ("alpha", AlphaSynapse(tau_syn=rng.uniform(1e-3, 5e-3, size=6))),
            ("fc", Affine(weight=rng.normal(size=(4, 6)), bias=np.zeros(4))),
            (
                "bntt",
                TimeAffine(scale=rng.uniform(0.5, 2, size=(T, 4)), shift=rng.normal(size=(T, 4))),
            ),
            ("sau", SAU(edges=np.array([-1.0, 0.0, 0.5, 2.0]), levels=np.array([-0.5, 0.25, 1.0]))),
            ("lif", LIF(tau_mem=np.array(2e-3))),
            ("out", Output()),
        ],
        dt=1e-3,
        timesteps=T,
    )


def _signed(rng: np.random.Generator) -> Graph:
    """Signed PoissonEncoder (spikes in {-1, 0, +1}, paper 002) -> Conv2d -> IF."""
    return Graph.sequential(
        [
            ("in", Input(shape=(1, 5, 5))),
            ("enc", PoissonEncoder(gain=0.6, signed=True)),
            ("conv", Conv2d(weight=rng.normal(size=(2, 1, 3, 3)), padding=(1, 1))),
            ("if", IF(r=np.array(1e3), v_threshold=np.array(0.5), reset=ResetMode.ZERO)),
            ("out", Output()),
        ],
        dt=1e-3,
        timesteps=T,
    )


def _cnn(rng: np.random.Generator) -> Graph:
    """Conv2d -> ReLU -> MaxPool2d (padded, strided) -> Flatten -> Affine -> ReLU (paper 000)."""
    return Graph.sequential(
        [
            ("in", Input(shape=(2, 7, 7))),
            ("conv", Conv2d(weight=rng.normal(size=(3, 2, 3, 3)), padding=(1, 1))),
            ("relu", ReLU()),
            ("pool", MaxPool2d(kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))),
            ("flat", Flatten()),
            ("fc", Affine(weight=rng.normal(size=(4, 48)), bias=rng.normal(size=4))),
            ("relu2", ReLU()),
            ("out", Output()),
        ],
        dt=1e-3,
        timesteps=1,
    )


SAMPLES = {
    "cnn": _cnn,
    "concat": concat_graph,
    "conv_chain": _conv_chain,
    "residual": _residual,
    "signed": _signed,
    "grouped": _grouped,
    "ttfs": _ttfs,
    "filters": _filters,
}


@pytest.fixture(params=sorted(SAMPLES))
def sample(request: pytest.FixtureRequest) -> Graph:
    return SAMPLES[request.param](np.random.default_rng(7))


def test_samples_cover_every_node_type() -> None:
    rng = np.random.default_rng(0)
    covered = {type(n).__name__ for make in SAMPLES.values() for n in make(rng).nodes.values()}
    missing = set(NODE_TYPES) - covered
    assert not missing, f"add an ONNX round-trip sample for {sorted(missing)}"


def test_round_trip_is_equal(sample: Graph, tmp_path: Path) -> None:
    path = tmp_path / "g.onnx"
    write_onnx(sample, path)
    back = read_onnx(path)
    assert graphs_equal(sample, back)
    assert dict(back.metadata) == dict(sample.metadata)


def test_round_trip_through_registry(sample: Graph, tmp_path: Path) -> None:
    path = hwsnn.save(sample, tmp_path / "g.onnx")
    assert graphs_equal(sample, hwsnn.load(path))


def test_quantization_and_threshold_scale_survive(tmp_path: Path) -> None:
    graph = _conv_chain(np.random.default_rng(3))
    write_onnx(graph, tmp_path / "g.onnx")
    back = read_onnx(tmp_path / "g.onnx")
    conv, lif = back.nodes["conv"], back.nodes["lif"]
    assert isinstance(conv, Conv2d) and isinstance(lif, LIF)
    assert conv.quant == Quantization(weight_bits=8, scale=0.01, rounding=Rounding.STOCHASTIC)
    assert lif.threshold_scale is not None
    np.testing.assert_array_equal(lif.threshold_scale, graph.nodes["lif"].threshold_scale)


def test_checker_full_check(sample: Graph) -> None:
    model = graph_to_model(sample)
    onnx.checker.check_model(model, full_check=True)
    domains = {op.domain: op.version for op in model.opset_import}
    assert domains["ai.hwsnn"] == 1 and domains[""] >= 17


def test_spiking_ops_are_functions_of_standard_ops() -> None:
    model = graph_to_model(_conv_chain(np.random.default_rng(0)))
    functions = {f.name: f for f in model.functions}
    assert set(functions) == {"PoissonEncoder", "LIF", "IF", "LI"}
    for function in functions.values():
        assert function.domain == "ai.hwsnn"
        assert all(node.domain == "" for node in function.node)
    ops = {node.op_type for node in model.graph.node}
    assert "Gemm" not in ops and {"MatMul", "Conv", "AveragePool", "Reshape"} <= ops


def test_signed_poisson_is_its_own_function_of_standard_ops() -> None:
    model = graph_to_model(_signed(np.random.default_rng(0)))
    functions = {f.name: f for f in model.functions}
    assert set(functions) == {"SignedPoissonEncoder", "IF"}
    body = {node.op_type for node in functions["SignedPoissonEncoder"].node}
    assert {"Abs", "Sign", "Where", "Clip", "Less"} <= body
    assert all(node.domain == "" for node in functions["SignedPoissonEncoder"].node)
    ops = [n.op_type for n in model.graph.node if n.domain == "ai.hwsnn"]
    assert "SignedPoissonEncoder" in ops and "PoissonEncoder" not in ops
    onnx.checker.check_model(model, full_check=True)


def test_interface_names() -> None:
    model = graph_to_model(_conv_chain(np.random.default_rng(0)))
    inputs = [i.name for i in model.graph.input]
    outputs = [o.name for o in model.graph.output]
    assert inputs == ["x", "u.enc", "t", "lif.v", "if.v", "li.v"]
    assert outputs == [
        "y",
        "lif.v_next",
        "if.v_next",
        "li.v_next",
        "enc.spikes",
        "lif.spikes",
        "if.spikes",
    ]


@pytest.mark.parametrize(("make", "kind"), [(_grouped, "NLIF"), (_ttfs, "TTFSEncoder")])
def test_declared_ops_round_trip_but_do_not_step(make: Any, kind: str, tmp_path: Path) -> None:
    graph = make(np.random.default_rng(0))
    write_onnx(graph, tmp_path / "g.onnx")
    assert graphs_equal(read_onnx(tmp_path / "g.onnx"), graph)
    with pytest.raises(UnsupportedNodeError, match=kind):
        run_onnx(tmp_path / "g.onnx", np.zeros((1, *graph.input_shape)))


def _one_line_error(path: Path) -> str:
    with pytest.raises(FormatError) as info:
        read_onnx(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    return message


@pytest.mark.parametrize("keep", [0.0, 0.1, 0.5, 0.9, -1])
def test_truncated_file(keep: float, tmp_path: Path) -> None:
    path = tmp_path / "g.onnx"
    write_onnx(_conv_chain(np.random.default_rng(0)), path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)] if keep >= 0 else data[:-1])
    _one_line_error(path)


def test_missing_functions_are_detected(tmp_path: Path) -> None:
    model = graph_to_model(_conv_chain(np.random.default_rng(0)))
    del model.functions[:]
    path = tmp_path / "g.onnx"
    path.write_bytes(model.SerializeToString())
    assert "missing" in _one_line_error(path)


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "g.onnx"
    path.write_bytes(np.random.default_rng(1).bytes(4096))
    _one_line_error(path)


def test_missing_file(tmp_path: Path) -> None:
    _one_line_error(tmp_path / "absent.onnx")


def test_model_from_another_domain(tmp_path: Path) -> None:
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])],
        "relu",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    path = tmp_path / "relu.onnx"
    onnx.save(model, path)
    assert "ai.hwsnn" in _one_line_error(path)
    with pytest.raises(FormatError, match=r"ai\.hwsnn"):
        hwsnn.load(path)


def test_corrupt_header(tmp_path: Path) -> None:
    model = graph_to_model(_residual(np.random.default_rng(0)))
    model.metadata_props[0].value = "{not json"
    with pytest.raises(FormatError, match="corrupt"):
        model_to_graph(model)


def test_corrupt_weight_is_detected(tmp_path: Path) -> None:
    model = graph_to_model(_residual(np.random.default_rng(0)))
    init = next(i for i in model.graph.initializer if i.name == "fc.weight")
    raw = bytearray(init.raw_data)
    raw[5] ^= 0x10
    init.raw_data = bytes(raw)
    path = tmp_path / "g.onnx"
    path.write_bytes(model.SerializeToString())
    assert "SHA-256" in _one_line_error(path)


def test_bit_flips_never_give_a_different_graph(tmp_path: Path) -> None:
    graph = _residual(np.random.default_rng(0))
    data = graph_to_model(graph).SerializeToString()
    path = tmp_path / "g.onnx"
    rng = np.random.default_rng(5)
    for _ in range(200):
        flipped = bytearray(data)
        flipped[rng.integers(len(data))] ^= 1 << int(rng.integers(8))
        path.write_bytes(bytes(flipped))
        try:
            back = read_onnx(path)
        except FormatError:
            continue
        assert graphs_equal(back, graph)


def test_clashing_value_names_are_refused(tmp_path: Path) -> None:
    # the noise input of PoissonEncoder "a.weight" would be "u.a.weight", the weight of "u.a"
    graph = Graph.sequential(
        [
            ("in", Input(shape=(2,))),
            ("a.weight", PoissonEncoder()),
            ("u.a", Linear(weight=np.ones((2, 2)))),
            ("out", Output()),
        ],
        dt=1.0,
        timesteps=1,
    )
    with pytest.raises(FormatError, match=r"u\.a\.weight"):
        write_onnx(graph, tmp_path / "g.onnx")
    assert not (tmp_path / "g.onnx").exists()
