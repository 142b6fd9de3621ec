"""Per-layer and per-inference operation counts of a spiking network (NeuroBench-compatible).

The counting rules are :data:`COUNTING_RULES`; every report prints them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.ir import IF, LI, LIF, Affine, AvgPool2d, Conv2d, Graph, Linear, Node, SumPool2d
from hwsnn.sim.kernels import STATELESS

__all__ = ["COUNTING_RULES", "LayerCounts", "OperationCounts", "count_operations"]

COUNTING_RULES = """\
* **Effective synaptic operations** of a connection layer (Linear, Affine, Conv2d and
  the pooling layers) at one step are the number of (non-zero input, non-zero weight)
  pairs, computed exactly by running the layer on the binarised input and binarised
  weights (so convolution borders and strides are exact). Bias is excluded.
* They count as **accumulates (ACs)** when every input value of that layer at that step
  is in {-1, 0, 1} (spikes), and as **multiply-accumulates (MACs)** otherwise (analog
  input, e.g. a first layer fed the image every step).
* **Dense operations** are the same computation with every input and weight set to 1.
* **ReLU and MaxPool2d** (conventional-CNN activations) perform no synaptic operations
  and no neuron updates; they add nothing to any count (their outputs still decide
  whether the next connection layer counts ACs or MACs).
* **Neuron updates** count every neuron of every LIF/IF/LI node at every step
  (synchronous, time-stepped hardware).
* **Memory accesses**: one weight read per effective operation, one state read and one
  state write per neuron update.
* Counts are per inference: totals over the batch divided by the number of samples.
"""
"""How every count is defined (printed in reports)."""
CONNECTIONS = (Linear, Affine, Conv2d, SumPool2d, AvgPool2d)
NEURONS = (LIF, IF, LI)
F32 = NDArray[np.float32]


@dataclass(frozen=True)
class LayerCounts:
    """Operations of one node per inference.

    Attributes:
        name: Node name.
        kind: Node type.
        acs: Effective accumulates.
        macs: Effective multiply-accumulates.
        dense_ops: Operations of a dense implementation over all steps.
        spikes: Output spikes (spiking nodes), else 0.
        spike_rate: Spikes per neuron per step (0..1).
        neuron_updates: Membrane updates.
        memory_accesses: Weight reads plus state reads and writes.
    """

    name: str
    kind: str
    acs: float = 0.0
    macs: float = 0.0
    dense_ops: float = 0.0
    spikes: float = 0.0
    spike_rate: float = 0.0
    neuron_updates: float = 0.0
    memory_accesses: float = 0.0


@dataclass(frozen=True)
class OperationCounts:
    """Per-layer counts and the time base they were measured on."""

    layers: tuple[LayerCounts, ...]
    samples: int
    timesteps: int

    def total(self, field: str) -> float:
        """Sum of ``field`` (e.g. ``"acs"``) over all layers, per inference."""
        return float(sum(getattr(layer, field) for layer in self.layers))


def _binary(node: Node, *, dense: bool = False) -> Node:
    """The node with weights replaced by their non-zero pattern (or all ones) and no bias."""
    if isinstance(node, Linear | Conv2d):
        pattern = np.ones_like(node.weight) if dense else (node.weight != 0).astype(np.float64)
        changes: dict[str, Any] = {"weight": pattern, "quant": None}
        if isinstance(node, Affine):
            return Linear(weight=changes["weight"])
        if isinstance(node, Conv2d):
            changes["bias"] = None
        return dataclasses.replace(node, **changes)
    if isinstance(node, AvgPool2d):
        return SumPool2d(kernel_size=node.kernel_size, stride=node.stride, padding=node.padding)
    return node


class _Counter:
    """Accumulates counts from the per-step node values of ``simulate_float``."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        names = [n for n in graph.order if isinstance(graph.nodes[n], CONNECTIONS)]
        self.binary = {n: _binary(graph.nodes[n]) for n in names}
        self.dense = {n: self._dense_ops(n) for n in names}
        self.acc: dict[str, dict[str, float]] = {
            n: dict.fromkeys(LayerCounts.__annotations__, 0.0) for n in graph.order
        }

    def _dense_ops(self, name: str) -> float:
        node = _binary(self.graph.nodes[name], dense=True)
        shape = self.graph.shapes[self.graph.predecessors(name)[0]]
        return float(STATELESS[type(node)](node, np.ones((1, *shape), dtype=np.float32)).sum())

    def __call__(self, t: int, values: Mapping[str, F32]) -> None:
        for name, node in self.binary.items():
            x = values[self.graph.predecessors(name)[0]]
            ops = float(STATELESS[type(node)](node, (x != 0).astype(np.float32)).sum())
            dense = self.dense[name] * len(x)
            spiking = bool(np.all((x == 0) | (x == 1) | (x == -1)))
            self.acc[name]["acs" if spiking else "macs"] += ops
            self.acc[name]["dense_ops"] += dense
            self.acc[name]["memory_accesses"] += ops
        for name in self.graph.order:
            node = self.graph.nodes[name]
            if isinstance(node, NEURONS):
                count = float(values[name].size)
                self.acc[name]["neuron_updates"] += count
                self.acc[name]["memory_accesses"] += 2 * count
            if node.spiking:
                self.acc[name]["spikes"] += float(np.count_nonzero(values[name]))

    def result(self, samples: int, timesteps: int) -> OperationCounts:
        layers = []
        for name in self.graph.order:
            acc = {k: v / samples for k, v in self.acc[name].items() if k not in ("name", "kind")}
            size = float(np.prod(self.graph.shapes[name]))
            acc["spike_rate"] = acc["spikes"] / (size * timesteps)
            layers.append(LayerCounts(name=name, kind=type(self.graph.nodes[name]).__name__, **acc))
        return OperationCounts(tuple(layers), samples, timesteps)


def count_operations(
    graph: Graph, inputs: NDArray[np.generic], *, rng: np.random.Generator | None = None
) -> OperationCounts:
    """Simulate ``graph`` on ``inputs`` with ``sim.float`` and count operations per inference.

    Args:
        graph: The network.
        inputs: ``(B, *input_shape)`` or ``(T, B, *input_shape)``.
        rng: Randomness of stochastic encoders.
    """
    from hwsnn.sim.float import as_sequence, simulate_float

    counter = _Counter(graph)
    seq = as_sequence(graph, inputs)
    simulate_float(graph, seq, rng=rng, record=False, observer=counter)
    return counter.result(samples=seq.shape[1], timesteps=seq.shape[0])
