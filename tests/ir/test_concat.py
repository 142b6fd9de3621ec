"""The Concat node: shapes, sim.float, ONNX (run by onnxruntime), native files, refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import hwsnn
from hwsnn import ir
from hwsnn.errors import IRValidationError, UnsupportedNodeError
from tests.conftest import concat_graph


def test_shape_is_the_sum_along_the_axis() -> None:
    assert ir.Concat(axis=0).infer_shape(((3, 4, 4), (2, 4, 4))) == (5, 4, 4)
    assert ir.Concat(axis=-1).infer_shape(((3, 4), (3, 1), (3, 2))) == (3, 7)
    assert concat_graph(np.random.default_rng(0), axis=-3).shapes["join"] == (5, 6, 6)


@pytest.mark.parametrize(
    ("shapes", "axis", "match"),
    [
        (((3, 4, 4), (2, 5, 4)), 0, "differ off axis"),
        (((3, 4, 4), (2, 4)), 0, "different ranks"),
        (((3, 4), (3, 4)), 2, "invalid for rank-2"),
        (((3, 4), (3, 4)), -3, "invalid for rank-2"),
    ],
)
def test_bad_inputs_are_rejected(
    shapes: tuple[tuple[int, ...], ...], axis: int, match: str
) -> None:
    with pytest.raises(IRValidationError, match=match):
        ir.Concat(axis=axis).infer_shape(shapes)


def test_bad_axis_type_and_single_input_are_rejected() -> None:
    with pytest.raises(IRValidationError, match=r"Concat\.axis"):
        ir.Concat(axis=1.0)  # type: ignore[arg-type]
    with pytest.raises(IRValidationError, match="Concat"):
        ir.Graph.sequential(
            [("in", ir.Input(shape=(2,))), ("c", ir.Concat()), ("out", ir.Output())],
            dt=1e-3,
            timesteps=1,
        )


def test_sim_float_joins_in_edge_order(rng: np.random.Generator) -> None:
    from hwsnn.sim.float import simulate_float

    seen: dict[str, np.ndarray] = {}
    simulate_float(
        concat_graph(rng), rng.normal(size=(4, 1, 6, 6)), observer=lambda t, v: seen.update(v)
    )
    a, b = seen["relu_a"], seen["b"]
    np.testing.assert_array_equal(seen["join"], np.concatenate([a, b], axis=1))
    assert a.min() >= 0 and b.min() < 0  # the ReLU branch comes first


def test_onnx_runs_like_sim_float(rng: np.random.Generator, tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    from hwsnn.formats.onnx import run_onnx, write_onnx
    from hwsnn.sim.float import simulate_float

    graph = concat_graph(rng)
    x = rng.normal(size=(5, 1, 6, 6))
    write_onnx(graph, tmp_path / "concat.onnx")
    out, _ = run_onnx(tmp_path / "concat.onnx", x)
    np.testing.assert_allclose(out, simulate_float(graph, x).outputs, rtol=1e-4, atol=1e-4)


def test_native_round_trip(rng: np.random.Generator, tmp_path: Path) -> None:
    graph = concat_graph(rng, axis=-3)
    back = hwsnn.load(hwsnn.save(graph, tmp_path / "concat.hwir"))
    assert ir.graphs_equal(back, graph)
    assert back.predecessors("join") == ("relu_a", "b")


def test_counts_see_the_joined_depth(rng: np.random.Generator) -> None:
    from hwsnn.analysis.counting import count_operations

    graph = concat_graph(rng)
    counts = count_operations(graph, rng.normal(size=(3, 1, 6, 6)))
    by_name = {layer.name: layer for layer in counts.layers}
    assert "join" not in by_name or by_name["join"].dense_ops == 0
    assert by_name["mix"].dense_ops == 2 * 4 * 4 * 5 * 3 * 3  # out maps x positions x fan-in


def _spiking_join(rng: np.random.Generator, *, encoded: bool) -> ir.Graph:
    """[Poisson ->] (Linear 3, Linear 2) -> Concat -> LIF."""
    first = "enc" if encoded else "in"
    nodes: dict[str, ir.Node] = {"in": ir.Input(shape=(4,))}
    if encoded:
        nodes["enc"] = ir.PoissonEncoder(gain=0.5)
    nodes |= {
        "a": ir.Linear(weight=rng.normal(size=(3, 4))),
        "b": ir.Linear(weight=rng.normal(size=(2, 4))),
        "join": ir.Concat(),
        "lif": ir.LIF(tau_mem=np.array(5e-3)),
        "out": ir.Output(),
    }
    edges = [("in", "enc")] if encoded else []
    edges += [(first, "a"), (first, "b"), ("a", "join"), ("b", "join")]
    edges += [("join", "lif"), ("lif", "out")]
    return ir.Graph(nodes=nodes, edges=edges, dt=1e-3, timesteps=4)


def test_nir_and_loihi_refuse_it(rng: np.random.Generator, tmp_path: Path) -> None:
    """NIR has no concatenation and the Loihi lowering has none: both name the node type."""
    pytest.importorskip("nir")
    from hwsnn.backends.lava.lowering import map_graph
    from hwsnn.formats.nir_format import write_nir

    with pytest.raises(UnsupportedNodeError, match="Concat"):
        write_nir(_spiking_join(rng, encoded=False), tmp_path / "c.nir")
    assert not (tmp_path / "c.nir").exists()
    with pytest.raises(UnsupportedNodeError, match="Concat"):
        map_graph(_spiking_join(rng, encoded=True), "loihi2")
