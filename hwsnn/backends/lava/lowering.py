"""``map_graph``: lower an IR graph to Loihi fixed point, one handler per node type.

Stateless nodes (Affine, Linear, Conv2d, pooling, Flatten, Scale, Add, CurrentEncoder) are
collected into :class:`~hwsnn.backends.lava._terms.Current` sums between neuron nodes; each
neuron node turns the sum feeding it into one Lava population and its synapse processes
(:mod:`hwsnn.backends.lava._population` explains the arithmetic). Pooling and the identity path
of a residual ``Add`` become synapses with fixed weights.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from hwsnn.backends.lava._chain import CHAIN_NODES
from hwsnn.backends.lava._population import LoweringConfig, lower_population
from hwsnn.backends.lava._terms import Current, SourceInfo, Spikes, Term
from hwsnn.backends.lava.artifact import (
    Connection,
    Diagnostic,
    InputSpec,
    LoihiArtifact,
    Population,
)
from hwsnn.backends.lava.partition import partition
from hwsnn.errors import UnsupportedNodeError
from hwsnn.ir import IF, LI, LIF, Add, Graph, Input, Node, Output, PoissonEncoder
from hwsnn.targets import TargetSpec, load_target

__all__ = ["BACKEND", "LOWERINGS", "LoweringConfig", "map_graph"]

BACKEND = "lava (Loihi 2 fixed point)"
Value = Spikes | Current | None


@dataclass
class _Context:
    graph: Graph
    spec: TargetSpec
    config: LoweringConfig
    values: dict[str, Value] = field(default_factory=dict)
    sources: dict[str, SourceInfo] = field(default_factory=dict)
    populations: list[Population] = field(default_factory=list)
    connections: list[Connection] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    input: InputSpec | None = None
    output: str = ""

    def inputs(self, name: str) -> list[Value]:
        return [self.values[p] for p in self.graph.predecessors(name)]


def _terms(value: Value, name: str) -> tuple[Term, ...]:
    if isinstance(value, Spikes):
        return (Term(value.src, ()),)
    if isinstance(value, Current):
        return value.terms
    raise UnsupportedNodeError(f"{name} fed by a raw (unencoded) input", BACKEND, supported())


def _input(ctx: _Context, name: str, node: Node) -> None:
    if ctx.graph.encoding == "poisson":
        ctx.values[name] = None  # the PoissonEncoder after it creates the source
        return
    bits = ctx.spec.bits("message_bits")
    levels = 2 ** (bits - 1) - 1 if ctx.config.input_signed else 2**bits - 1
    lsb = ctx.config.input_range / levels
    _add_source(
        ctx, InputSpec(name, ctx.graph.shapes[name], "direct", bits, ctx.config.input_signed, lsb)
    )
    ctx.diagnostics.append(
        Diagnostic(
            "input_quantization",
            name,
            f"direct input -> {bits}-bit graded payload, step {lsb:.3g} "
            f"(range {ctx.config.input_range})",
            {"lsb": lsb, "bits": float(bits)},
        )
    )


def _add_source(ctx: _Context, spec: InputSpec) -> None:
    low, high = spec.payload_range
    ctx.input = spec
    ctx.sources[spec.name] = SourceInfo(
        spec.name,
        spec.shape,
        0,
        float(max(abs(low), high)),
        spec.lsb,
        spec.payload_bits > 0,
        spec.signed,
    )
    ctx.values[spec.name] = Spikes(spec.name)


def _poisson(ctx: _Context, name: str, node: Node) -> None:
    if not isinstance(node, PoissonEncoder) or not isinstance(
        ctx.graph.nodes[ctx.graph.predecessors(name)[0]], Input
    ):
        raise UnsupportedNodeError(
            f"PoissonEncoder {name!r} not directly after Input", BACKEND, supported()
        )
    if node.signed:
        raise UnsupportedNodeError(
            f"PoissonEncoder {name!r} with signed=True (-1 spikes)", BACKEND, supported()
        )
    _add_source(ctx, InputSpec(name, ctx.graph.shapes[name], "poisson", 0, False, 1.0, node.gain))


def _stateless(ctx: _Context, name: str, node: Node) -> None:
    (value,) = ctx.inputs(name)
    ctx.values[name] = Current(tuple(Term(t.src, (*t.chain, node)) for t in _terms(value, name)))


def _add(ctx: _Context, name: str, node: Node) -> None:
    ctx.values[name] = Current(tuple(t for v in ctx.inputs(name) for t in _terms(v, name)))


def _neuron(ctx: _Context, name: str, node: Node) -> None:
    if not isinstance(node, LIF | IF | LI):
        raise UnsupportedNodeError(type(node).__name__, BACKEND, supported())
    (value,) = ctx.inputs(name)
    current = Current(_terms(value, name))
    total = ctx.graph.timesteps + len(ctx.graph.nodes)  # upper bound of the depth
    pop, conns, diags = lower_population(
        name,
        node,
        current,
        ctx.sources,
        ctx.graph.shapes[name],
        ctx.graph.dt,
        total,
        ctx.spec,
        ctx.config,
    )
    ctx.populations.append(pop)
    ctx.connections.extend(conns)
    ctx.diagnostics.extend(diags)
    ctx.sources[name] = SourceInfo(name, pop.shape, pop.depth, 1.0, 1.0, False, False)
    ctx.values[name] = Spikes(name)


def _output(ctx: _Context, name: str, node: Node) -> None:
    (pred,) = ctx.graph.predecessors(name)
    if not isinstance(ctx.graph.nodes[pred], LIF | IF | LI):
        raise UnsupportedNodeError(
            f"Output after {type(ctx.graph.nodes[pred]).__name__}",
            BACKEND,
            ["Output after LIF, IF or LI"],
        )
    ctx.output = pred


Lowering = Callable[[_Context, str, Node], None]

LOWERINGS: dict[type[Node], Lowering] = {
    Input: _input,
    PoissonEncoder: _poisson,
    **{t: _stateless for t in CHAIN_NODES},
    Add: _add,
    LIF: _neuron,
    IF: _neuron,
    LI: _neuron,
    Output: _output,
}
"""Lowering handler by IR node type (exact type match)."""


def supported() -> list[str]:
    """Names of the node types the Loihi backend lowers."""
    return sorted(t.__name__ for t in LOWERINGS)


def map_graph(
    graph: Graph,
    spec: TargetSpec | str = "loihi2",
    *,
    rng: np.random.Generator | None = None,
    config: LoweringConfig | None = None,
) -> LoihiArtifact:
    """Lower ``graph`` to Loihi fixed point and partition it onto the target's cores.

    Args:
        graph: The IR network.
        spec: Target spec or its name in ``mappings/`` (``"loihi2"``, ``"loihi1"``).
        rng: Unused (the lowering is deterministic); accepted for the backend protocol.
        config: Lowering choices (input range, reset policy, headroom, chips).

    Returns:
        The integer artifact with diagnostics and the resource report.

    Raises:
        UnsupportedNodeError: A node type or feature the backend cannot lower (names it).
        TargetConstraintError: The graph does not fit (names the limit and the value).
    """
    del rng
    target = load_target(spec) if isinstance(spec, str) else spec
    ctx = _Context(graph, target, config or LoweringConfig())
    for name in graph.order:
        node = graph.nodes[name]
        handler = LOWERINGS.get(type(node))
        if handler is None:
            raise UnsupportedNodeError(f"{type(node).__name__} ({name!r})", BACKEND, supported())
        handler(ctx, name, node)
    if ctx.input is None or not ctx.populations:
        raise UnsupportedNodeError("graph without neuron nodes", BACKEND, supported())
    pops, conns = tuple(ctx.populations), tuple(ctx.connections)
    return LoihiArtifact(
        target=target.name,
        input=ctx.input,
        populations=pops,
        connections=conns,
        output=ctx.output,
        timesteps=graph.timesteps,
        diagnostics=tuple(ctx.diagnostics),
        resources=partition(ctx.input, pops, conns, target, chips=ctx.config.chips),
        dt=graph.dt,
    )
