"""``sim.float``: the reference time-stepped simulator, the oracle for every backend.

Each step evaluates the nodes in the graph's topological order with numpy float32
arithmetic; synapses have no delay; neuron updates follow :mod:`hwsnn.ir.neuron`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import IRValidationError, UnsupportedNodeError
from hwsnn.ir import Add, Concat, Graph, Input, Output
from hwsnn.sim.kernels import STATEFUL, STATELESS, StepState
from hwsnn.sim.result import Result, Spikes, spike_dtype
from hwsnn.sim.temporal_kernels import register as _register_paper_nodes

__all__ = ["as_sequence", "simulate_float"]

F32 = NDArray[np.float32]
Replacement = Callable[[F32], F32]


_register_paper_nodes()


def as_sequence(graph: Graph, inputs: NDArray[np.generic]) -> F32:
    """Return ``inputs`` as a float32 ``(T, B, *input_shape)`` sequence.

    A ``(B, *input_shape)`` batch is repeated over the graph's ``timesteps``.

    Raises:
        IRValidationError: The trailing dims do not match the graph's input shape.
    """
    x = np.asarray(inputs, dtype=np.float32)
    shape = graph.input_shape
    if x.shape[1:] == shape:
        return np.broadcast_to(x, (graph.timesteps, *x.shape))
    if x.ndim == len(shape) + 2 and x.shape[2:] == shape:
        return x
    raise IRValidationError(
        f"inputs of shape {x.shape} do not match the graph input {shape}: "
        f"expected (B, {', '.join(map(str, shape))}) or (T, B, ...)"
    )


_WIRING = (Input, Output, Add, Concat)
"""Nodes the stepper evaluates itself (no kernel)."""


class _Stepper:
    """Runs one graph step by step, keeping neuron state."""

    def __init__(
        self, graph: Graph, batch: int, replace: Mapping[str, Replacement], record: bool
    ) -> None:
        self.graph = graph
        self.replace = replace
        self.record = record
        self.states: dict[str, StepState] = {}
        for name in graph.order:
            node = graph.nodes[name]
            if type(node) in STATEFUL:
                self.states[name] = STATEFUL[type(node)](node, (batch, *graph.shapes[name]), graph)
            elif type(node) not in STATELESS and not isinstance(node, _WIRING):
                supported = {t.__name__ for t in (*STATELESS, *STATEFUL, *_WIRING)}
                raise UnsupportedNodeError(type(node).__name__, "sim.float", supported)

    def step(self, x: F32, t: int, rng: np.random.Generator) -> dict[str, F32]:
        values: dict[str, F32] = {}
        for name in self.graph.order:
            node = self.graph.nodes[name]
            inputs = [values[p] for p in self.graph.predecessors(name)]
            if isinstance(node, Input):
                values[name] = x
            elif name in self.replace:
                values[name] = np.asarray(self.replace[name](inputs[0]), dtype=np.float32)
            elif isinstance(node, Add):
                values[name] = np.sum(inputs, axis=0, dtype=np.float32)
            elif isinstance(node, Concat):  # activations carry the batch dim first
                values[name] = np.concatenate(inputs, axis=1 + node.dim(inputs[0].ndim - 1))
            elif isinstance(node, Output):
                values[name] = inputs[0]
            elif name in self.states:
                values[name] = self.states[name].step(inputs[0], t, rng)
            else:
                values[name] = STATELESS[type(node)](node, inputs[0])
        return values


def simulate_float(
    graph: Graph,
    inputs: NDArray[np.generic],
    *,
    rng: np.random.Generator | None = None,
    replace: Mapping[str, Replacement] | None = None,
    record: bool = True,
    observer: Callable[[int, Mapping[str, F32]], None] | None = None,
) -> Result:
    """Simulate ``graph`` on a batch for ``graph.timesteps`` steps (or the sequence length).

    Args:
        graph: The network.
        inputs: ``(B, *input_shape)`` (repeated every step) or ``(T, B, *input_shape)``.
        rng: Source of randomness for stochastic encoders (default: seed 0).
        replace: Optional per-node replacement of a stateless node's computation,
            ``name -> fn(x (B, *in)) -> y (B, *out)``; backends inject their hardware
            models (e.g. crossbar tiles) through it.
        record: Keep every spiking node's spikes (else only their per-step totals).
        observer: Optional ``fn(t, values)`` called after every step with the value of
            every node (used by the operation counters).

    Returns:
        The outputs per step and the spikes per layer.
    """
    seq = as_sequence(graph, inputs)
    rng = rng if rng is not None else np.random.default_rng(0)
    replace = dict(replace or {})
    unknown = set(replace) - set(graph.nodes)
    if unknown:
        raise IRValidationError(f"replace: unknown node(s) {sorted(unknown)}")
    stepper = _Stepper(graph, seq.shape[1], replace, record)
    spiking = [n for n in graph.order if graph.nodes[n].spiking]
    outputs: list[F32] = []
    spikes: dict[str, list[Spikes]] = {n: [] for n in spiking}
    dtypes = {n: spike_dtype(graph.nodes[n]) for n in spiking}
    totals: dict[str, list[int]] = {n: [] for n in spiking}
    for t in range(seq.shape[0]):
        values = stepper.step(seq[t], t, rng)
        if observer is not None:
            observer(t, values)
        outputs.append(values[graph.output_name])
        for n in spiking:
            totals[n].append(int(np.count_nonzero(values[n])))
            if record:
                spikes[n].append(values[n].astype(dtypes[n]))
    return _result(outputs, spikes, totals)


def _result(
    outputs: list[F32], spikes: dict[str, list[Spikes]], totals: dict[str, list[int]]
) -> Result:
    return Result(
        outputs=np.stack(outputs),
        spikes={n: np.stack(s) for n, s in spikes.items() if s},
        spike_totals={n: np.asarray(v, dtype=np.int64) for n, v in totals.items()},
        backend="float",
    )
