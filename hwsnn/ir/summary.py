"""Per-node summary of a graph: shapes, parameter counts, neuron parameters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsnn.ir._base import Node, Quantization
from hwsnn.ir.graph import Graph

__all__ = ["NodeSummary", "summarize"]

_WEIGHT_FIELDS = ("weight", "bias", "scale")


@dataclass(frozen=True)
class NodeSummary:
    """One row of :func:`summarize`.

    Attributes:
        name: Node name.
        kind: Node type name.
        shape: Output activation shape (no batch dim).
        parameters: Number of trainable values (weights, biases, scales).
        details: Short ``key=value`` description of the other fields.
    """

    name: str
    kind: str
    shape: tuple[int, ...]
    parameters: int
    details: str


def _describe(value: object) -> str:
    if isinstance(value, np.ndarray):
        if value.size == 1:
            return f"{value.item():.6g}"
        lo, hi = float(value.min()), float(value.max())
        return f"[{lo:.4g}..{hi:.4g}]{value.shape}" if lo != hi else f"{lo:.6g}{value.shape}"
    if isinstance(value, Quantization):
        return f"{value.weight_bits}b/{value.rounding.value}"
    return getattr(value, "value", str(value))


def _summarize_node(name: str, node: Node, shape: tuple[int, ...]) -> NodeSummary:
    fields = node.fields()
    params = sum(
        int(v.size) for k, v in fields.items() if k in _WEIGHT_FIELDS and isinstance(v, np.ndarray)
    )
    details = ", ".join(
        f"{k}={_describe(v)}"
        for k, v in fields.items()
        if k not in ("weight", "shape") and v is not None
    )
    return NodeSummary(name, type(node).__name__, shape, params, details)


def summarize(graph: Graph) -> list[NodeSummary]:
    """Summaries of all nodes in topological order."""
    return [_summarize_node(n, graph.nodes[n], graph.shapes[n]) for n in graph.order]
