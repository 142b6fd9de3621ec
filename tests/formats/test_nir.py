"""The NIR adapter: exact round trip, files the nir package reads, foreign NIR graphs, errors."""

from __future__ import annotations

import itertools
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from hwsnn import ir
from hwsnn.errors import FormatError, HwsnnError, IRValidationError, UnsupportedNodeError
from hwsnn.formats._nir_nodes import FIELD_MAP
from hwsnn.formats.nir_format import from_nir, read_nir, to_nir, write_nir
from tests.conftest import all_nodes_graph, conv_lif_graph

nir = pytest.importorskip("nir")
pytestmark = pytest.mark.nir


def _without_encoder(graph: ir.Graph) -> ir.Graph:
    """``graph`` with its encoder node removed (input feeds the encoder's successor)."""
    enc = graph.successors(graph.input_name)[0]
    nodes = {n: node for n, node in graph.nodes.items() if n != enc}
    edges = [(graph.input_name if s == enc else s, d) for s, d in graph.edges if d != enc]
    return ir.Graph(
        nodes=nodes, edges=edges, dt=graph.dt, timesteps=graph.timesteps, metadata=graph.metadata
    )


def _variants_graph(rng: np.random.Generator, groups: int = 1) -> ir.Graph:
    """Variants: no bias, stride/groups, per-neuron arrays, subtract and zero reset, Linear."""
    return ir.Graph.sequential(
        [
            ("in", ir.Input(shape=(4, 9, 9))),
            (
                "conv",
                ir.Conv2d(
                    weight=rng.normal(size=(6, 4 // groups, 3, 3)),
                    bias=None,
                    stride=2,
                    dilation=(1, 1),
                    padding=(1, 1),
                    groups=groups,
                ),
            ),
            (
                "lif",
                ir.LIF(
                    tau_mem=rng.uniform(1e-3, 5e-3, (6, 1, 1)),
                    r=3.0,
                    v_leak=0.05,
                    v_threshold=np.full((6, 5, 5), 0.7),
                    v_reset=-0.1,
                    reset=ir.ResetMode.SUBTRACT,
                ),
            ),
            ("pool", ir.SumPool2d(kernel_size=3, stride=2, padding=1)),
            ("scale", ir.Scale(scale=rng.uniform(0.5, 1.5, (6, 1, 1)))),
            ("flat", ir.Flatten(start_dim=1)),
            ("flat2", ir.Flatten()),
            (
                "fc",
                ir.Linear(
                    weight=rng.normal(size=(7, 54)),
                    quant=ir.Quantization(weight_bits=3, scale=0.25, rounding=ir.Rounding.FLOOR),
                ),
            ),
            ("if", ir.IF(r=rng.uniform(500, 1500, 7), v_threshold=0.25, v_reset=0.1, reset="zero")),
            ("out", ir.Output()),
        ],
        dt=1e-3,
        timesteps=3,
    )


def _graphs(rng: np.random.Generator) -> list[ir.Graph]:
    return [
        _without_encoder(all_nodes_graph(rng)),
        conv_lif_graph(rng),
        _variants_graph(rng),
        _variants_graph(rng, groups=2),
    ]


def test_every_nir_node_type_round_trips(tmp_path: Path, rng: np.random.Generator) -> None:
    graphs = _graphs(rng)
    covered = {type(n) for g in graphs for n in g.nodes.values()}
    assert set(FIELD_MAP) | {ir.Add} <= covered
    for i, graph in enumerate(graphs):
        path = tmp_path / f"g{i}.nir"
        write_nir(graph, path)
        back = read_nir(path)
        assert ir.graphs_equal(graph, back), (graph, back)
        assert ir.graphs_equal(graph, from_nir(to_nir(graph)))
        # nir's own type inference ignores Conv2d groups (the last graph), see _nir_types_agree
        nir.read(str(path), type_check=i < 3).validate_structure()


def test_non_square_kernel_round_trips(tmp_path: Path, rng: np.random.Generator) -> None:
    graph = ir.Graph.sequential(
        [
            ("x", ir.Input(shape=(1, 6, 7))),
            ("conv", ir.Conv2d(weight=rng.normal(size=(2, 1, 3, 2)))),
            ("flat", ir.Flatten()),
            ("out", ir.Output()),
        ],
        dt=1e-3,
        timesteps=2,
    )
    write_nir(graph, tmp_path / "g.nir")
    assert ir.graphs_equal(graph, read_nir(tmp_path / "g.nir"))
    # nir 1.0.8's own type inference assumes square kernels; it reads without it.
    assert set(nir.read(str(tmp_path / "g.nir"), type_check=False).nodes) == set(graph.nodes)


def test_written_file_loads_with_nir_read(tmp_path: Path, rng: np.random.Generator) -> None:
    graph = _without_encoder(all_nodes_graph(rng))
    write_nir(graph, tmp_path / "g.nir")
    loaded = nir.read(str(tmp_path / "g.nir"))  # with nir's type check
    loaded.validate_structure()
    assert set(loaded.nodes) == set(graph.nodes) - {"add"}  # NIR sums fan-in instead of Add
    assert {("sum", "if"), ("skip_scale", "if")} <= set(loaded.edges)
    assert float(loaded.metadata["hwsnn.dt"]) == graph.dt
    assert int(loaded.metadata["hwsnn.timesteps"]) == graph.timesteps
    lif = loaded.nodes["lif"]
    assert isinstance(lif, nir.LIF)
    assert lif.tau.shape == lif.r.shape == lif.v_threshold.shape == (4, 6, 6)
    np.testing.assert_array_equal(lif.r, 20.0)
    assert isinstance(loaded.nodes["conv"], nir.Conv2d)
    np.testing.assert_array_equal(loaded.nodes["conv"].weight, graph.nodes["conv"].weight)  # type: ignore[attr-defined]
    assert list(loaded.nodes["input"].input_type["input"]) == [2, 6, 6]


def test_dt_and_timesteps_of_the_caller_override(tmp_path: Path, rng: np.random.Generator) -> None:
    graph = conv_lif_graph(rng)
    write_nir(graph, tmp_path / "g.nir")
    back = read_nir(tmp_path / "g.nir", dt=2e-3, timesteps=9)
    assert (back.dt, back.timesteps) == (2e-3, 9)
    assert ir.graphs_equal(
        graph,
        ir.Graph(nodes=back.nodes, edges=back.edges, dt=1e-3, timesteps=6, metadata=back.metadata),
    )


# ---------------------------------------------------------------- foreign NIR graphs


def _foreign_conv(pool: str, rng: np.random.Generator) -> object:
    """Input 1x8x8 -> Conv2d -> LIF -> pool -> Flatten -> Affine -> LIF -> Output, built with nir.

    Weights are multiples of 1/4 and dt/tau a power of two, so float32 and float64 agree exactly.
    """
    w_conv = rng.integers(-4, 5, (4, 1, 3, 3)) / 4.0
    w_fc = rng.integers(-4, 5, (10, 64)) / 4.0
    pooling = getattr(nir, pool)(
        kernel_size=np.array([2, 2]), stride=np.array([2, 2]), padding=np.array([0, 0])
    )
    nodes = {
        "input": nir.Input(input_type=np.array([1, 8, 8])),
        "conv": nir.Conv2d(
            input_shape=(8, 8),
            weight=w_conv,
            stride=1,
            padding=1,
            dilation=1,
            groups=1,
            bias=np.full(4, 0.25),
        ),
        "lif1": nir.LIF(
            tau=np.full((4, 8, 8), 2e-3),
            r=np.full((4, 8, 8), 2.0),
            v_leak=np.zeros((4, 8, 8)),
            v_threshold=np.ones((4, 8, 8)),
        ),
        "pool": pooling,
        "flat": nir.Flatten(input_type={"input": np.array([4, 4, 4])}, start_dim=0, end_dim=-1),
        "fc": nir.Affine(weight=w_fc, bias=np.zeros(10)),
        "lif2": nir.LIF(
            tau=np.full(10, 4e-3),
            r=np.full(10, 4.0),
            v_leak=np.zeros(10),
            v_threshold=np.full(10, 0.5),
            v_reset=np.full(10, -0.25),
        ),
        "output": nir.Output(output_type=np.array([10])),
    }
    names = list(nodes)
    return nir.NIRGraph(nodes=nodes, edges=list(itertools.pairwise(names)))


def _reference(graph: object, x: np.ndarray, dt: float, steps: int) -> np.ndarray:
    """Forward-Euler NIR semantics of ``_foreign_conv`` (reset to v_reset), plain numpy loops."""
    n = graph.nodes  # type: ignore[attr-defined]
    w, b = n["conv"].weight, n["conv"].bias
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    conv = np.zeros((x.shape[0], 4, 8, 8))
    for i in range(8):
        for j in range(8):
            conv[:, :, i, j] = np.einsum("bcij,ocij->bo", xp[:, :, i : i + 3, j : j + 3], w) + b
    v1, v2, outs = np.zeros_like(conv), np.zeros((x.shape[0], 10)), []
    for _ in range(steps):
        v1 = v1 + dt / n["lif1"].tau * (n["lif1"].v_leak - v1 + n["lif1"].r * conv)
        s1 = v1 > n["lif1"].v_threshold
        v1 = np.where(s1, n["lif1"].v_reset, v1)
        pooled = s1.reshape(x.shape[0], 4, 4, 2, 4, 2).sum(axis=(3, 5))
        if isinstance(n["pool"], nir.AvgPool2d):
            pooled = pooled / 4.0
        cur = pooled.reshape(x.shape[0], -1) @ n["fc"].weight.T + n["fc"].bias
        v2 = v2 + dt / n["lif2"].tau * (n["lif2"].v_leak - v2 + n["lif2"].r * cur)
        s2 = v2 > n["lif2"].v_threshold
        v2 = np.where(s2, n["lif2"].v_reset, v2)
        outs.append(s2.astype(np.float32))
    return np.stack(outs)


@pytest.mark.parametrize("pool", ["SumPool2d", "AvgPool2d"])
def test_foreign_nir_graph_loads_and_simulates(
    tmp_path: Path, pool: str, rng: np.random.Generator
) -> None:
    foreign = _foreign_conv(pool, rng)
    nir.write(str(tmp_path / "f.nir"), foreign)
    graph = read_nir(tmp_path / "f.nir", dt=1e-3, timesteps=12)
    assert [type(graph.nodes[n]).__name__ for n in graph.order] == [
        "Input",
        "Conv2d",
        "LIF",
        pool,
        "Flatten",
        "Affine",
        "LIF",
        "Output",
    ]
    assert graph.shapes["conv"] == (4, 8, 8) and graph.shapes["pool"] == (4, 4, 4)
    assert graph.shapes["flat"] == (64,) and graph.output_shape == (10,)
    assert graph.nodes["lif1"].reset is ir.ResetMode.ZERO  # type: ignore[attr-defined]
    assert (graph.dt, graph.timesteps, graph.metadata["source_format"]) == (1e-3, 12, "nir")
    x = (rng.random((3, 1, 8, 8)) < 0.5).astype(np.float32)
    expected = _reference(foreign, x, 1e-3, 12)
    assert expected.sum() > 0  # the test exercises spikes
    try:
        from hwsnn.sim.float import simulate_float
    except ImportError:  # pragma: no cover - sim.float is part of the package
        pytest.skip("hwsnn.sim.float is not available")
    np.testing.assert_array_equal(simulate_float(graph, x).outputs, expected)


def test_foreign_fan_in_gets_a_sum_node_and_names_are_fixed() -> None:
    nodes = {
        "in": nir.Input(input_type=np.array([3])),
        "0": nir.Affine(weight=np.ones((2, 3)), bias=np.zeros(2)),
        "1": nir.Linear(weight=np.eye(2, 3)),
        "neuron": nir.IF(r=np.ones(2), v_threshold=np.ones(2)),
        "out": nir.Output(output_type=np.array([2])),
    }
    edges = [("in", "0"), ("in", "1"), ("0", "neuron"), ("1", "neuron"), ("neuron", "out")]
    graph = from_nir(nir.NIRGraph(nodes=nodes, edges=edges), dt=1e-3, timesteps=2)
    assert isinstance(graph.nodes["neuron.sum"], ir.Add)
    assert graph.predecessors("neuron.sum") == ("n_0", "n_1")
    assert graph.predecessors("neuron") == ("neuron.sum",)
    assert graph.nodes["neuron"].reset is ir.ResetMode.ZERO  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("padding", "expected"), [("same", (1, 2)), ("valid", (0, 0)), (2, (2, 2))]
)
def test_foreign_conv_padding(tmp_path: Path, padding: object, expected: tuple[int, int]) -> None:
    conv = nir.Conv2d(
        input_shape=(7, 7),
        weight=np.ones((2, 1, 3, 5)),
        stride=1,
        padding=padding,
        dilation=1,
        groups=1,
        bias=np.zeros(2),
    )
    nodes = {
        "x": nir.Input(input_type=np.array([1, 7, 7])),
        "conv": conv,
        "y": nir.Output(output_type=np.array([2, 7, 7])),
    }
    graph = nir.NIRGraph(nodes=nodes, edges=[("x", "conv"), ("conv", "y")], type_check=False)
    nir.write(str(tmp_path / "c.nir"), graph)
    back = read_nir(tmp_path / "c.nir", dt=1e-3, timesteps=1)
    assert back.nodes["conv"].padding == expected  # type: ignore[attr-defined]


def test_foreign_graph_needs_one_input_and_one_output() -> None:
    nodes = {
        "in": nir.Input(input_type=np.array([2])),
        "a": nir.Output(output_type=np.array([2])),
        "b": nir.Output(output_type=np.array([2])),
    }
    graph = nir.NIRGraph(nodes=nodes, edges=[("in", "a"), ("in", "b")])
    with pytest.raises(FormatError, match="exactly one NIR Output"):
        from_nir(graph, dt=1e-3, timesteps=1)


def test_foreign_graph_needs_dt_and_timesteps() -> None:
    graph = nir.NIRGraph.from_list(nir.Affine(weight=np.ones((2, 3)), bias=np.zeros(2)))
    with pytest.raises(FormatError, match="--dt"):
        from_nir(graph, timesteps=3)
    with pytest.raises(FormatError, match="--timesteps"):
        from_nir(graph, dt=1e-3)
    assert from_nir(graph, dt=1e-3, timesteps=3).shapes["affine"] == (2,)


def test_foreign_invalid_parameter_names_the_node() -> None:
    lif = nir.LIF(tau=np.ones(2), r=np.ones(2), v_leak=np.zeros(2), v_threshold=np.zeros(2))
    with pytest.raises(IRValidationError, match=r"'lif'.*v_threshold"):
        from_nir(
            nir.NIRGraph.from_list(nir.Input(input_type=np.array([2])), lif), dt=1e-3, timesteps=1
        )


# ---------------------------------------------------------------- unsupported nodes


def _unsupported_nir_nodes() -> dict[str, object]:
    one = np.ones(3)
    return {
        "CubaLIF": nir.CubaLIF(tau_syn=one, tau_mem=one, r=one, v_leak=0 * one, v_threshold=one),
        "CubaLI": nir.CubaLI(tau_syn=one, tau_mem=one, r=one, v_leak=0 * one),
        "I": nir.I(r=one),
        "Threshold": nir.Threshold(threshold=one),
        "Delay": nir.Delay(delay=one),
        "Conv1d": nir.Conv1d(
            input_shape=3,
            weight=np.ones((1, 1, 1)),
            stride=1,
            padding=0,
            dilation=1,
            groups=1,
            bias=np.zeros(1),
        ),
        "NIRGraph": nir.NIRGraph.from_list(nir.Input(input_type=np.array([3])), nir.I(r=one)),
    }


@pytest.mark.parametrize(
    "kind", ["CubaLIF", "CubaLI", "I", "Threshold", "Delay", "Conv1d", "NIRGraph"]
)
def test_unsupported_nir_primitive_is_named(tmp_path: Path, kind: str) -> None:
    node = _unsupported_nir_nodes()[kind]
    nodes = {
        "input": nir.Input(input_type=np.array([3])),
        "x": node,
        "output": nir.Output(np.array([3])),
    }
    graph = nir.NIRGraph(nodes=nodes, edges=[("input", "x"), ("x", "output")], type_check=False)
    with pytest.raises(UnsupportedNodeError, match=kind) as info:
        from_nir(graph, dt=1e-3, timesteps=1)
    assert info.value.where == "NIR import" and "LIF" in info.value.supported
    nir.write(str(tmp_path / "u.nir"), graph)
    with pytest.raises(UnsupportedNodeError, match=kind):
        read_nir(tmp_path / "u.nir", dt=1e-3, timesteps=1)


@pytest.mark.parametrize(
    "node",
    [
        ir.PoissonEncoder(gain=0.5),
        ir.PoissonEncoder(gain=0.5, signed=True),  # refused, never exported without its sign
        ir.CurrentEncoder(gain=2.0),
    ],
)
def test_encoders_cannot_be_exported(tmp_path: Path, node: ir.Node) -> None:
    graph = ir.Graph.sequential(
        [("x", ir.Input(shape=(3,))), ("enc", node), ("out", ir.Output())], dt=1e-3, timesteps=2
    )
    with pytest.raises(UnsupportedNodeError, match=type(node).__name__) as info:
        write_nir(graph, tmp_path / "e.nir")
    assert info.value.where == "NIR export" and "LIF" in info.value.supported
    assert not (tmp_path / "e.nir").exists()


def test_nlif_cannot_be_exported(tmp_path: Path) -> None:
    graph = ir.Graph.sequential(
        [
            ("x", ir.Input(shape=(4,))),
            ("fc", ir.Linear(weight=np.ones((3, 4)))),
            ("n", ir.NLIF()),
            ("out", ir.Output()),
        ],
        dt=1e-3,
        timesteps=1,
    )
    with pytest.raises(UnsupportedNodeError, match="NLIF"):
        to_nir(graph)


@dataclass(frozen=True, kw_only=True, eq=False)
class _Mystery(ir.Node):
    """A node type NIR export has never heard of (stands for types added later)."""


def test_any_unmapped_node_type_cannot_be_exported() -> None:
    graph = ir.Graph.sequential(
        [("x", ir.Input(shape=(2,))), ("m", _Mystery()), ("out", ir.Output())],
        dt=1e-3,
        timesteps=1,
    )
    with pytest.raises(UnsupportedNodeError, match="_Mystery"):
        to_nir(graph)


# ---------------------------------------------------------------- bad files


def _good_file(tmp_path: Path, rng: np.random.Generator) -> bytes:
    write_nir(conv_lif_graph(rng), tmp_path / "good.nir")
    return (tmp_path / "good.nir").read_bytes()


def test_bad_files_raise_format_error(tmp_path: Path, rng: np.random.Generator) -> None:
    import h5py

    good = _good_file(tmp_path, rng)
    cases = {
        "missing.nir": None,
        "empty.nir": b"",
        "text.nir": b"this is not HDF5\n" * 10,
        "truncated.nir": good[: len(good) // 2],
        "head.nir": good[:600],
    }
    for name, data in cases.items():
        if data is not None:
            (tmp_path / name).write_bytes(data)
    with h5py.File(tmp_path / "other.nir", "w") as f:
        f.create_dataset("x", data=np.ones(3))
    for name in [*cases, "other.nir"]:
        with pytest.raises(FormatError) as info:
            read_nir(tmp_path / name)
        assert "\n" not in str(info.value), name


def test_corrupted_payload_raises_format_error(tmp_path: Path, rng: np.random.Generator) -> None:
    good = bytearray(_good_file(tmp_path, rng))
    for start in range(len(good) // 4, len(good) - 64, len(good) // 8):
        bad = bytearray(good)
        bad[start : start + 64] = bytes(64)
        (tmp_path / "bad.nir").write_bytes(bytes(bad))
        try:  # a damaged file may still parse; any error must be an HwsnnError on one line
            read_nir(tmp_path / "bad.nir")
        except HwsnnError as exc:
            assert "\n" not in str(exc)


def test_write_into_missing_directory(tmp_path: Path, rng: np.random.Generator) -> None:
    with pytest.raises(FormatError, match="cannot write"):
        write_nir(conv_lif_graph(rng), tmp_path / "no" / "g.nir")


def test_importing_the_adapter_does_not_import_nir() -> None:
    code = (
        "import sys, hwsnn.formats.nir_format; print('nir' in sys.modules, 'h5py' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.parametrize(
    "node", [ir.ReLU(), ir.MaxPool2d(kernel_size=(2, 2))], ids=["ReLU", "MaxPool2d"]
)
def test_cnn_activations_cannot_be_exported(tmp_path: Path, node: ir.Node) -> None:
    """NIR has no ReLU and no value max-pool: refused with the node type named."""
    graph = ir.Graph.sequential(
        [("x", ir.Input(shape=(1, 4, 4))), ("act", node), ("out", ir.Output())],
        dt=1e-3,
        timesteps=1,
    )
    with pytest.raises(UnsupportedNodeError, match=type(node).__name__) as info:
        write_nir(graph, tmp_path / "a.nir")
    assert info.value.where == "NIR export" and "SumPool2d" in info.value.supported
    assert not (tmp_path / "a.nir").exists()
