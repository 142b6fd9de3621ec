"""Structural equality of IR nodes and graphs (nodes use identity ``==``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from hwsnn.ir._base import Node
from hwsnn.ir.graph import Graph

__all__ = ["graphs_equal", "nodes_equal"]


def _values_equal(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.shape == b.shape
            and bool(np.array_equal(a, b))
        )
    return bool(a == b)


def nodes_equal(a: Node, b: Node) -> bool:
    """True when ``a`` and ``b`` have the same type and equal fields (arrays exactly)."""
    if type(a) is not type(b):
        return False
    fa, fb = a.fields(), b.fields()
    return fa.keys() == fb.keys() and all(_values_equal(fa[k], fb[k]) for k in fa)


def graphs_equal(a: Graph, b: Graph, *, metadata: bool = True) -> bool:
    """True when two graphs have the same nodes, edges, time base (and metadata)."""
    return (
        list(a.nodes) == list(b.nodes)
        and all(nodes_equal(a.nodes[n], b.nodes[n]) for n in a.nodes)
        and a.edges == b.edges
        and a.dt == b.dt
        and a.timesteps == b.timesteps
        and (not metadata or dict(a.metadata) == dict(b.metadata))
    )
