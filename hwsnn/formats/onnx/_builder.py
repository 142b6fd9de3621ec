"""Mutable helper that collects the main graph of the one-step ONNX model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.formats.onnx import _names as nm
from hwsnn.ir import LI, AlphaSynapse, Graph, Input, Output

if TYPE_CHECKING:
    from onnx import NodeProto, TensorProto, ValueInfoProto

__all__ = ["BATCH", "Builder", "value_name"]

BATCH = "batch"
"""Symbolic name of the batch dimension."""

_STEPPED_SPIKING = frozenset({"LIF", "IF", "PoissonEncoder"})
"""Spiking node types whose step output is their spikes (``<node>.spikes``)."""


def value_name(graph: Graph, name: str) -> str:
    """Name of the ONNX value that carries the output of IR node ``name`` at one step."""
    node = graph.nodes[name]
    if isinstance(node, Input):
        return nm.INPUT
    if isinstance(node, Output):
        return nm.OUTPUT
    if isinstance(node, LI):
        return nm.state_out(name)
    if isinstance(node, AlphaSynapse):
        return nm.state_out(name, "y")
    if node.spiking and type(node).__name__ in _STEPPED_SPIKING:
        return nm.spikes(name)
    return nm.derived(name, "out")


@dataclass
class Builder:
    """Collects nodes, initializers and interface values while lowering one graph."""

    graph: Graph
    nodes: list[NodeProto] = field(default_factory=list)
    initializers: list[TensorProto] = field(default_factory=list)
    inputs: list[ValueInfoProto] = field(default_factory=list)
    extra_inputs: list[ValueInfoProto] = field(default_factory=list)
    state_inputs: list[ValueInfoProto] = field(default_factory=list)
    outputs: list[ValueInfoProto] = field(default_factory=list)
    state_outputs: list[ValueInfoProto] = field(default_factory=list)
    spike_outputs: list[ValueInfoProto] = field(default_factory=list)
    domain_ops: set[str] = field(default_factory=set)
    has_time: bool = False

    def source(self, name: str) -> str:
        """Value name of the single predecessor of ``name``."""
        (pred,) = self.graph.predecessors(name)
        return value_name(self.graph, pred)

    def add(
        self,
        op: str,
        inputs: list[str],
        outputs: list[str],
        *,
        owner: str,
        domain: str = "",
        **attrs: Any,
    ) -> None:
        """Append one node computing ``outputs`` from ``inputs`` for IR node ``owner``."""
        from onnx import helper

        label = f"{owner}/{op}_{len(self.nodes)}"
        self.nodes.append(helper.make_node(op, inputs, outputs, name=label, domain=domain, **attrs))
        if domain == nm.DOMAIN:
            self.domain_ops.add(op)

    def const(self, owner: str, what: str, array: NDArray[Any]) -> str:
        """Add a derived initializer (float32 or int64 as given); returns its name."""
        from onnx import numpy_helper

        name = nm.derived(owner, what)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def record_f32(self, owner: str, field_name: str) -> str:
        """Cast the float64 record initializer ``owner.field_name`` to float32."""
        from onnx import TensorProto

        out = nm.derived(owner, f"{field_name}_f32")
        self.add(
            "Cast", [nm.record_key(owner, field_name)], [out], owner=owner, to=TensorProto.FLOAT
        )
        return out

    def time(self) -> str:
        """The int64 scalar step index input ``t`` (declared on first use)."""
        from onnx import TensorProto, helper

        if not self.has_time:
            self.has_time = True
            self.extra_inputs.append(helper.make_tensor_value_info(nm.TIME, TensorProto.INT64, []))
        return nm.TIME

    def io(self, kind: str, value: str, node: str) -> str:
        """Declare ``value`` (float32, shape ``(batch, *shape of node)``) as an interface value.

        ``kind``: ``input``, ``extra``, ``state_in``, ``output``, ``state_out`` or ``spikes``.
        """
        from onnx import TensorProto, helper

        info = helper.make_tensor_value_info(
            value, TensorProto.FLOAT, [BATCH, *self.graph.shapes[node]]
        )
        target = {
            "input": self.inputs,
            "extra": self.extra_inputs,
            "state_in": self.state_inputs,
            "output": self.outputs,
            "state_out": self.state_outputs,
            "spikes": self.spike_outputs,
        }[kind]
        target.append(info)
        return value
