"""Graph validation: topology, arity, shapes and time base."""

from __future__ import annotations

import numpy as np
import pytest

from hwsnn import ir
from hwsnn.errors import IRValidationError
from tests.conftest import all_nodes_graph, conv_lif_graph


def _chain(*nodes: tuple[str, ir.Node], **kw: object) -> ir.Graph:
    return ir.Graph.sequential(list(nodes), dt=kw.get("dt", 1e-3), timesteps=kw.get("timesteps", 4))  # type: ignore[arg-type]


def test_shapes_are_inferred(rng: np.random.Generator) -> None:
    g = conv_lif_graph(rng)
    assert g.shapes["conv"] == (4, 8, 8)
    assert g.shapes["pool"] == (4, 4, 4)
    assert g.shapes["flat"] == (64,)
    assert g.output_shape == (10,)
    assert g.order[0] == "input" and g.order[-1] == "output"
    assert g.encoding == "direct"


def test_residual_graph_is_valid(rng: np.random.Generator) -> None:
    g = all_nodes_graph(rng)
    assert g.predecessors("add") == ("sum", "skip_scale")
    assert g.encoding == "current"
    assert g.shapes["lin"] == (5,)


def test_mismatched_shapes_name_the_node() -> None:
    with pytest.raises(IRValidationError, match="'fc'"):
        _chain(
            ("in", ir.Input(shape=(5,))),
            ("fc", ir.Linear(weight=np.ones((3, 4)))),
            ("out", ir.Output()),
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"dt": 0.0}, "dt"), ({"dt": -1.0}, "dt"), ({"timesteps": 0}, "timesteps")],
)
def test_bad_time_base(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(IRValidationError, match=message):
        _chain(("in", ir.Input(shape=(2,))), ("out", ir.Output()), **kwargs)


def test_structure_errors() -> None:
    inp, out = ir.Input(shape=(2,)), ir.Output()
    with pytest.raises(IRValidationError, match="unknown node"):
        ir.Graph(nodes={"in": inp, "out": out}, edges=[("in", "nope")], dt=1e-3, timesteps=1)
    with pytest.raises(IRValidationError, match="exactly one Input"):
        ir.Graph(nodes={"out": out}, edges=[], dt=1e-3, timesteps=1)
    with pytest.raises(IRValidationError, match="duplicate"):
        ir.Graph(
            nodes={"in": inp, "out": out},
            edges=[("in", "out"), ("in", "out")],
            dt=1e-3,
            timesteps=1,
        )
    with pytest.raises(IRValidationError, match="input"):
        ir.Graph(
            nodes={"in": inp, "s": ir.Scale(scale=1.0), "out": out},
            edges=[("in", "out")],
            dt=1e-3,
            timesteps=1,
        )
    with pytest.raises(IRValidationError, match="invalid node name"):
        ir.Graph(nodes={"in put": inp, "out": out}, edges=[("in put", "out")], dt=1e-3, timesteps=1)


def test_cycle_is_rejected() -> None:
    nodes = {
        "in": ir.Input(shape=(2,)),
        "a": ir.Add(),
        "s": ir.Scale(scale=1.0),
        "out": ir.Output(),
    }
    edges = [("in", "a"), ("s", "a"), ("a", "s"), ("a", "out")]
    with pytest.raises(IRValidationError, match="cycle"):
        ir.Graph(nodes=nodes, edges=edges, dt=1e-3, timesteps=1)


def test_threshold_scale_must_cover_every_step() -> None:
    with pytest.raises(IRValidationError, match="threshold_scale"):
        _chain(
            ("in", ir.Input(shape=(2,))),
            ("lif", ir.LIF(tau_mem=1e-2, threshold_scale=np.ones(3))),
            ("out", ir.Output()),
            timesteps=4,
        )


def test_graph_is_immutable(rng: np.random.Generator) -> None:
    g = conv_lif_graph(rng)
    with pytest.raises(TypeError):
        g.nodes["x"] = ir.Output()  # type: ignore[index]
