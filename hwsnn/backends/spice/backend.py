"""``map_graph``: lower a time-to-first-spike IR graph onto VCO/PLL n-LIF neuron circuits.

Every ``NLIF`` node (with the Linear/Affine node before it) becomes a :class:`SpiceLayer`;
``Input``, ``TTFSEncoder``, ``Flatten`` and ``Output`` stay digital (pass-through). Any other
node raises :class:`~hwsnn.errors.UnsupportedNodeError` naming the node, the backend and
what is supported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hwsnn.backends.spice.mapping import SpiceLayer, map_nlif_layer, simulate_nlif_layer
from hwsnn.backends.spice.model import NeuronModel
from hwsnn.errors import UnsupportedNodeError
from hwsnn.ir import NLIF, Affine, Flatten, Graph, Input, Linear, Node, Output
from hwsnn.ir.temporal import TTFSEncoder

__all__ = ["BACKEND", "LOWERINGS", "SpiceArtifact", "map_graph", "simulate_spice"]

BACKEND = "spice"
Lowering = Callable[[Node, Node, int | None, NeuronModel], SpiceLayer]


def _lower_nlif(synapse: Node, node: Node, bits: int | None, model: NeuronModel) -> SpiceLayer:
    if not isinstance(node, NLIF) or not isinstance(synapse, Linear):
        raise UnsupportedNodeError(type(synapse).__name__, f"{BACKEND} (NLIF input)",
                                   ["Affine", "Linear"])
    return map_nlif_layer(synapse, node, weight_bits=bits, model=model)


LOWERINGS: dict[type[Node], Lowering] = {NLIF: _lower_nlif}
_PASS = (Input, TTFSEncoder, Flatten, Output, Linear, Affine)


@dataclass(frozen=True)
class SpiceArtifact:
    """A graph mapped to neuron circuits.

    Attributes:
        graph: The source graph.
        layers: Circuit layer by NLIF node name, in topological order.
    """

    graph: Graph
    layers: dict[str, SpiceLayer]


def map_graph(graph: Graph, *, weight_bits: int | None = None,
              model: NeuronModel | None = None) -> SpiceArtifact:
    """Map every NLIF layer of ``graph`` to circuits (see :func:`map_nlif_layer`).

    Raises:
        UnsupportedNodeError: A node other than Input/TTFSEncoder/Flatten/Linear/Affine/
            NLIF/Output.
    """
    model = model or NeuronModel()
    layers = {}
    supported = sorted([t.__name__ for t in _PASS] + [t.__name__ for t in LOWERINGS])
    for name in graph.order:
        node = graph.nodes[name]
        lower = LOWERINGS.get(type(node))
        if lower is not None:
            synapse = graph.nodes[graph.predecessors(name)[0]]
            layers[name] = lower(synapse, node, weight_bits, model)
        elif not isinstance(node, _PASS):
            raise UnsupportedNodeError(type(node).__name__, BACKEND, supported)
    return SpiceArtifact(graph=graph, layers=layers)


def simulate_spice(artifact: SpiceArtifact, t_in: ArrayLike, *,
                   tier: str = "analytic") -> dict[str, NDArray[np.float64]]:
    """Spike times (IR seconds) of every NLIF layer for input spike times ``(B, *in)``.

    Args:
        artifact: The mapped graph.
        t_in: Spike times at the graph input (after the TTFS code), IR seconds.
        tier: ``"analytic"`` or ``"xspice"``.
    """
    g = artifact.graph
    values: dict[str, NDArray[np.float64]] = {}
    current = np.asarray(t_in, dtype=np.float64)
    for name in g.order:
        node = g.nodes[name]
        if isinstance(node, Flatten):
            current = current.reshape(current.shape[0], -1)
        elif name in artifact.layers:
            current = simulate_nlif_layer(artifact.layers[name],
                                          current.reshape(current.shape[0], -1), tier=tier)
            values[name] = current
    return values
