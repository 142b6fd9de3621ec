"""Registry of per-node simulation kernels used by ``sim.float``.

Stateless nodes map to ``fn(node, x) -> y`` (see :data:`STATELESS`); stateful nodes
(neurons, filtering synapses, stochastic encoders) map to a factory
``start(node, batch_shape, graph) -> state`` whose ``state.step(x, t, rng) -> y``
advances one time step. Node types added by other modules register here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from hwsnn.ir import IF, LI, LIF, Graph, Node, PoissonEncoder
from hwsnn.sim._kernels import STATELESS
from hwsnn.sim._neurons import NeuronState, poisson_spikes

__all__ = ["STATEFUL", "STATELESS", "StepState", "register_stateful", "register_stateless"]

F32 = NDArray[np.float32]


class StepState(Protocol):
    """State of one stateful node for a batch."""

    def step(self, x: F32, t: int, rng: np.random.Generator) -> F32:
        """Advance one step with input ``x``; return the node's output."""


StateFactory = Callable[[Any, tuple[int, ...], Graph], StepState]


class _NeuronStep:
    def __init__(self, node: LIF | IF | LI, shape: tuple[int, ...], graph: Graph) -> None:
        self.state = NeuronState.start(node, shape, graph.dt)

    def step(self, x: F32, t: int, rng: np.random.Generator) -> F32:
        return self.state.step(x, t)


class _PoissonStep:
    def __init__(self, node: PoissonEncoder, shape: tuple[int, ...], graph: Graph) -> None:
        self.node = node

    def step(self, x: F32, t: int, rng: np.random.Generator) -> F32:
        return poisson_spikes(self.node, x, rng)


STATEFUL: dict[type[Node], StateFactory] = {
    LIF: _NeuronStep,
    IF: _NeuronStep,
    LI: _NeuronStep,
    PoissonEncoder: _PoissonStep,
}


def register_stateless(node_type: type[Node], fn: Callable[[Any, F32], F32]) -> None:
    """Simulate ``node_type`` with ``fn(node, x) -> y``."""
    STATELESS[node_type] = fn


def register_stateful(node_type: type[Node], factory: StateFactory) -> None:
    """Simulate ``node_type`` with ``factory(node, batch_shape, graph).step(x, t, rng)``."""
    STATEFUL[node_type] = factory
