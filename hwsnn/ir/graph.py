"""The IR graph: named nodes, directed edges and the time base they run on."""

from __future__ import annotations

import itertools
import math
import re
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from hwsnn.errors import IRValidationError
from hwsnn.ir._base import Node, Shape
from hwsnn.ir.io import Input, Output
from hwsnn.ir.neuron import LIF

__all__ = ["Graph"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,127}$")


@dataclass(frozen=True, kw_only=True, eq=False)
class Graph:
    """A validated, immutable spiking network.

    Attributes:
        nodes: Node by name (names match ``[A-Za-z_][A-Za-z0-9_.-]*``); order is kept.
        edges: ``(source, target)`` pairs; the inputs of an ``Add`` are summed.
        dt: Simulation time step (s), > 0.
        timesteps: Number of steps per inference, >= 1.
        metadata: Free-form provenance strings (source model, hwsnn version, ...).
    """

    nodes: Mapping[str, Node]
    edges: tuple[tuple[str, str], ...]
    dt: float
    timesteps: int
    metadata: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", types.MappingProxyType(dict(self.nodes)))
        object.__setattr__(self, "edges", tuple((str(a), str(b)) for a, b in self.edges))
        object.__setattr__(self, "metadata", types.MappingProxyType(dict(self.metadata)))
        self._check_time_base()
        self._check_names_and_edges()
        _ = self.order, self.shapes  # validates topology and shapes eagerly
        self._check_threshold_scales()

    @classmethod
    def sequential(
        cls,
        layers: Sequence[tuple[str, Node]],
        *,
        dt: float,
        timesteps: int,
        metadata: Mapping[str, str] | None = None,
    ) -> Graph:
        """Build a chain ``layers[0] -> layers[1] -> ...``."""
        names = [name for name, _ in layers]
        return cls(
            nodes=dict(layers),
            edges=tuple(itertools.pairwise(names)),
            dt=dt,
            timesteps=timesteps,
            metadata=metadata or {},
        )

    def _check_time_base(self) -> None:
        if not isinstance(self.dt, float | int) or not math.isfinite(self.dt) or self.dt <= 0:
            raise IRValidationError(
                f"Graph.dt: must be a positive number of seconds, got {self.dt!r}"
            )
        if not isinstance(self.timesteps, int) or self.timesteps < 1:
            raise IRValidationError(f"Graph.timesteps: must be an int >= 1, got {self.timesteps!r}")
        object.__setattr__(self, "dt", float(self.dt))

    def _check_names_and_edges(self) -> None:
        for name, node in self.nodes.items():
            if not _NAME.match(name):
                raise IRValidationError(f"Graph: invalid node name {name!r}")
            if not isinstance(node, Node):
                raise IRValidationError(
                    f"Graph: node {name!r} is not an IR node ({type(node).__name__})"
                )
        if len(set(self.edges)) != len(self.edges):
            raise IRValidationError("Graph: duplicate edge")
        for src, dst in self.edges:
            for end in (src, dst):
                if end not in self.nodes:
                    raise IRValidationError(
                        f"Graph: edge {src!r} -> {dst!r} refers to unknown node {end!r}"
                    )
        for kind in (Input, Output):
            found = [n for n, node in self.nodes.items() if type(node) is kind]
            if len(found) != 1:
                raise IRValidationError(
                    f"Graph: needs exactly one {kind.__name__} node, found {len(found)}"
                )
        for name, node in self.nodes.items():
            self._check_arity(name, node)
        if self.successors(self.output_name):
            raise IRValidationError("Graph: the Output node cannot have successors")

    def _check_arity(self, name: str, node: Node) -> None:
        count = len(self.predecessors(name))
        if node.arity is None and count < 2:
            raise IRValidationError(
                f"Graph: {type(node).__name__} {name!r} needs >= 2 inputs, has {count}"
            )
        if node.arity is not None and count != node.arity:
            raise IRValidationError(
                f"Graph: {type(node).__name__} {name!r} needs {node.arity} input(s), has {count}"
            )

    def _check_threshold_scales(self) -> None:
        for name, node in self.nodes.items():
            scale = getattr(node, "threshold_scale", None)
            if isinstance(node, LIF) and scale is not None and scale.shape != (self.timesteps,):
                raise IRValidationError(
                    f"Graph: {name}.threshold_scale has shape {scale.shape}, "
                    f"expected ({self.timesteps},)"
                )

    def predecessors(self, name: str) -> tuple[str, ...]:
        """Sources of the edges into ``name``, in edge order."""
        return tuple(src for src, dst in self.edges if dst == name)

    def successors(self, name: str) -> tuple[str, ...]:
        """Targets of the edges out of ``name``, in edge order."""
        return tuple(dst for src, dst in self.edges if src == name)

    @property
    def input_name(self) -> str:
        """Name of the single Input node."""
        return next(n for n, node in self.nodes.items() if type(node) is Input)

    @property
    def output_name(self) -> str:
        """Name of the single Output node."""
        return next(n for n, node in self.nodes.items() if type(node) is Output)

    @cached_property
    def order(self) -> tuple[str, ...]:
        """Node names in a deterministic topological order (Kahn, ties by insertion order)."""
        indegree = {name: len(self.predecessors(name)) for name in self.nodes}
        ready = [name for name in self.nodes if indegree[name] == 0]
        order: list[str] = []
        while ready:
            name = ready.pop(0)
            order.append(name)
            for nxt in self.successors(name):
                indegree[nxt] -= 1
                if indegree[nxt] == 0:
                    ready.append(nxt)
        if len(order) != len(self.nodes):
            cyclic = sorted(set(self.nodes) - set(order))
            raise IRValidationError(
                f"Graph: cycle through {cyclic} (recurrent graphs are not supported yet)"
            )
        return tuple(order)

    @cached_property
    def shapes(self) -> Mapping[str, Shape]:
        """Output activation shape (no batch dim) of every node."""
        shapes: dict[str, Shape] = {}
        for name in self.order:
            node = self.nodes[name]
            inputs = tuple(shapes[p] for p in self.predecessors(name))
            try:
                shapes[name] = node.infer_shape(inputs)
            except IRValidationError as exc:
                raise IRValidationError(f"node {name!r}: {exc}") from None
        return types.MappingProxyType(shapes)

    @property
    def input_shape(self) -> Shape:
        """Shape of one input sample (no batch dim)."""
        return self.shapes[self.input_name]

    @property
    def output_shape(self) -> Shape:
        """Shape of the output at one step (no batch dim)."""
        return self.shapes[self.output_name]

    @property
    def encoding(self) -> str:
        """Input code: ``direct``, ``poisson``, ``current`` or another encoder's name."""
        after = self.successors(self.input_name)
        if len(after) == 1:
            return self.nodes[after[0]].encoding or "direct"
        return "direct"

    def __repr__(self) -> str:
        chain = ", ".join(f"{n}:{type(self.nodes[n]).__name__}" for n in self.order)
        return f"Graph([{chain}], dt={self.dt}, timesteps={self.timesteps})"
