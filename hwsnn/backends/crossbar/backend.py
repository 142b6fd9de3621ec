"""``map_graph``: lower an IR graph's synapse nodes onto crossbar tiles; run it over time.

Linear/Affine/Conv2d nodes go onto tiles (conv by im2col); every other supported node stays
in digital periphery and runs as in ``sim.float``. The crossbar synapses enter the
reference simulator through its ``replace`` hook, so neuron dynamics are shared exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.crossbar.mapping import CrossbarLayer, LayerResources, map_matrix
from hwsnn.backends.crossbar.readout import Fidelity, Reader, make_reader
from hwsnn.backends.crossbar.spec import CrossbarSpec, MappingScheme
from hwsnn.errors import UnsupportedNodeError
from hwsnn.ir import (
    IF,
    LI,
    LIF,
    Add,
    Affine,
    AvgPool2d,
    Conv2d,
    CurrentEncoder,
    Flatten,
    Graph,
    Input,
    Linear,
    Node,
    Output,
    PoissonEncoder,
    Scale,
    SumPool2d,
)
from hwsnn.sim.result import Result

__all__ = [
    "LOWERINGS",
    "CrossbarArtifact",
    "ResourceReport",
    "map_graph",
    "simulate_crossbar",
    "simulator_for",
    "synapse_functions",
]

F32 = NDArray[np.float32]
BACKEND = "crossbar"


@dataclass(frozen=True, kw_only=True)
class ResourceReport:
    """Hardware a mapped graph uses."""

    tiles: int
    cells: int
    cells_available: int
    utilisation: float
    adcs: int
    cell_area_m2: float
    """Area of the allocated tiles' cells (m^2)."""
    adc_area_m2: float
    """Area of the ADCs (m^2)."""
    layers: Mapping[str, LayerResources] = field(default_factory=dict)


@dataclass(kw_only=True, eq=False)
class CrossbarArtifact:
    """A graph mapped onto crossbar tiles (device states are mutable: learning writes them).

    Attributes:
        graph: The source graph.
        spec: The target spec.
        layers: Crossbar layer by IR node name.
        digital: Names of nodes left in digital periphery.
        ideal: Whether devices were sampled ideal (no spread or faults).
    """

    graph: Graph
    spec: CrossbarSpec
    layers: dict[str, CrossbarLayer]
    digital: tuple[str, ...]
    ideal: bool

    def resources(self) -> ResourceReport:
        """Tiles, cells, utilisation and area over all layers."""
        per = {name: layer.resources() for name, layer in self.layers.items()}
        tiles = sum(r.tiles for r in per.values())
        cells = sum(r.cells for r in per.values())
        avail = sum(r.cells_available for r in per.values())
        adcs = sum(r.adcs for r in per.values())
        return ResourceReport(
            tiles=tiles,
            cells=cells,
            cells_available=avail,
            utilisation=cells / avail if avail else 0.0,
            adcs=adcs,
            cell_area_m2=avail * self.spec.array.cell_area_m2,
            adc_area_m2=adcs * self.spec.adc.area_m2,
            layers=per,
        )


Lowering = Callable[[str, Any, CrossbarSpec, np.random.Generator, bool, bool], CrossbarLayer | None]
"""``fn(name, node, spec, rng, ideal, binarize)``; the table's key guarantees the node type."""


def _lower_linear(
    name: str,
    node: Linear,
    spec: CrossbarSpec,
    rng: np.random.Generator,
    ideal: bool,
    binarize: bool,
) -> CrossbarLayer:
    bias = node.bias if isinstance(node, Affine) else None
    return map_matrix(
        name, np.asarray(node.weight), bias, spec, rng=rng, ideal=ideal, binarize=binarize
    )


def _lower_conv(
    name: str,
    node: Conv2d,
    spec: CrossbarSpec,
    rng: np.random.Generator,
    ideal: bool,
    binarize: bool,
) -> CrossbarLayer:
    w = _block_diagonal(name, node, spec)
    geom = (
        (int(node.weight.shape[2]), int(node.weight.shape[3])),
        node.stride,
        node.padding,
        node.dilation,
    )
    return map_matrix(name, w, node.bias, spec, rng=rng, ideal=ideal, binarize=binarize, conv=geom)


def _block_diagonal(name: str, node: Conv2d, spec: CrossbarSpec) -> NDArray[np.float64]:
    """The im2col matrix ``(out, in_channels kh kw)`` of a (grouped) convolution.

    Group ``g`` of ``groups`` connects its output channels to its own input channels only: a
    block-diagonal matrix whose off-block entries are zero weights. A differential pair holds
    zero (both devices high-resistance); the offset scheme cannot, so it refuses groups > 1.

    Raises:
        UnsupportedNodeError: ``groups > 1`` on an offset-scheme spec.
    """
    w = np.asarray(node.weight, dtype=np.float64)
    groups = int(node.groups)
    if groups == 1:
        return w.reshape(w.shape[0], -1)
    if spec.array.mapping is not MappingScheme.DIFFERENTIAL:
        raise UnsupportedNodeError(
            f"Conv2d with groups={groups} (node {name!r}) on the offset scheme: its "
            "block-diagonal im2col matrix has zero weights, which need differential pairs "
            "(--mapping differential)",
            BACKEND,
            ["Conv2d with groups=1", "Conv2d with groups>1 on differential pairs"],
        )
    out_g, in_g = w.shape[0] // groups, w.shape[1] * w.shape[2] * w.shape[3]
    full = np.zeros((w.shape[0], groups * in_g))
    for g in range(groups):
        rows = slice(g * out_g, (g + 1) * out_g)
        full[rows, g * in_g : (g + 1) * in_g] = w[rows].reshape(out_g, in_g)
    return full


def _digital(
    name: str, node: Node, spec: CrossbarSpec, rng: np.random.Generator, ideal: bool, binarize: bool
) -> None:
    """Left to the digital periphery; a signed encoder is refused (tiles read 0/1 spikes).

    Raises:
        UnsupportedNodeError: A ``PoissonEncoder(signed=True)``.
    """
    if isinstance(node, PoissonEncoder) and node.signed:
        raise UnsupportedNodeError(
            f"PoissonEncoder {name!r} with signed=True (-1 read pulses are not modelled)",
            BACKEND,
            [t.__name__ for t in LOWERINGS],
        )


LOWERINGS: dict[type[Node], Lowering] = {
    Linear: _lower_linear,
    Affine: _lower_linear,
    Conv2d: _lower_conv,
    **{
        t: _digital
        for t in (
            Input,
            Output,
            PoissonEncoder,
            CurrentEncoder,
            LIF,
            IF,
            LI,
            Flatten,
            AvgPool2d,
            SumPool2d,
            Add,
            Scale,
        )
    },
}
"""How each node type is lowered: onto tiles (synapses) or left in digital periphery."""


def map_graph(
    graph: Graph,
    spec: CrossbarSpec,
    *,
    rng: np.random.Generator,
    ideal: bool = False,
    binarize: bool = False,
) -> CrossbarArtifact:
    """Map ``graph`` onto crossbar tiles of ``spec``.

    Args:
        graph: The network.
        spec: Target spec (see :func:`hwsnn.backends.crossbar.load_spec`).
        rng: Draws device-to-device spread and stuck-at faults.
        ideal: Sample nominal devices (no spread, no faults).
        binarize: Allow non-binary weights, replaced by ``mean|w| * sign(w)``.

    Raises:
        UnsupportedNodeError: A node type has no lowering (names node, backend, supported).
        TargetConstraintError: Weights have more levels than binary devices hold.
    """
    layers: dict[str, CrossbarLayer] = {}
    digital: list[str] = []
    for name in graph.order:
        node = graph.nodes[name]
        lower = LOWERINGS.get(type(node))
        if lower is None:
            supported = sorted(t.__name__ for t in LOWERINGS)
            raise UnsupportedNodeError(f"{type(node).__name__} (node {name!r})", BACKEND, supported)
        layer = lower(name, node, spec, rng, ideal, binarize)
        if layer is None:
            digital.append(name)
        else:
            layers[name] = layer
    return CrossbarArtifact(
        graph=graph, spec=spec, layers=layers, digital=tuple(digital), ideal=ideal
    )


def _as_fn(layer: CrossbarLayer, reader: Reader, in_shape: tuple[int, ...]) -> Callable[[F32], F32]:
    import torch

    if layer.conv is None:

        def linear(x: F32) -> F32:
            return reader(torch.from_numpy(np.array(x, dtype=np.float32))).numpy()

        return linear
    (kh, kw), stride, padding, dilation = layer.conv

    def conv(x: F32) -> F32:
        xt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
        b, _, h, w = xt.shape
        cols = torch.nn.functional.unfold(
            xt, (kh, kw), dilation=dilation, padding=padding, stride=stride
        )
        ho = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
        wo = (w + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
        y = reader(cols.transpose(1, 2).reshape(-1, cols.shape[1]))
        return y.reshape(b, ho * wo, -1).transpose(1, 2).reshape(b, -1, ho, wo).numpy()

    return conv


def synapse_functions(
    artifact: CrossbarArtifact, fidelity: Fidelity, *, rng: np.random.Generator
) -> tuple[dict[str, Callable[[F32], F32]], dict[str, Reader]]:
    """Replacement functions for ``sim.float``'s ``replace`` hook, and their readers (counters)."""
    fns: dict[str, Callable[[F32], F32]] = {}
    readers: dict[str, Reader] = {}
    graph = artifact.graph
    for name, layer in artifact.layers.items():
        reader = make_reader(layer, fidelity, rng=rng)
        (pred,) = graph.predecessors(name)
        readers[name] = reader
        fns[name] = _as_fn(layer, reader, graph.shapes[pred])
    return fns, readers


def simulate_crossbar(
    artifact: CrossbarArtifact,
    inputs: NDArray[np.generic],
    *,
    fidelity: Fidelity = Fidelity.NOISY,
    rng: np.random.Generator,
    **options: Any,
) -> tuple[Result, dict[str, Reader]]:
    """Run the mapped graph over its time steps with crossbar synapses.

    ``rng`` drives the graph's encoders exactly as in ``sim.float`` (same seed, same input
    spikes); read noise comes from an independent child stream (``rng.spawn``).

    Returns:
        The simulation result (backend ``"crossbar"``) and the readers with their event counters.
    """
    from hwsnn.sim.float import simulate_float

    fns, readers = synapse_functions(artifact, fidelity, rng=rng.spawn(1)[0])
    result = simulate_float(artifact.graph, inputs, rng=rng, replace=fns, **options)
    return Result(
        outputs=result.outputs,
        spikes=result.spikes,
        spike_totals=result.spike_totals,
        backend=BACKEND,
    ), readers


def simulator_for(target: str) -> Callable[..., Result]:
    """A ``hwsnn.sim.simulate`` backend for ``"crossbar-mtj"`` or ``"crossbar-rram"``.

    Every call maps the graph with devices drawn from ``device_seed`` (default 0), so batches
    of one evaluation see the same array; options: ``rng``, ``record``, ``device_seed``,
    ``fidelity`` ("noisy" or "ideal"), ``binarize``.
    """
    from hwsnn.backends.crossbar.specfile import load_spec

    name = {"crossbar-mtj": "mtj", "crossbar-rram": "rram"}.get(target, target)
    spec = load_spec(name)

    def run(graph: Graph, inputs: NDArray[np.generic], **options: Any) -> Result:
        fidelity = Fidelity(options.pop("fidelity", "noisy"))
        seed = int(options.pop("device_seed", 0))
        rng = options.pop("rng", None) or np.random.default_rng(0)
        art = map_graph(
            graph,
            spec,
            rng=np.random.default_rng(seed),
            ideal=fidelity is Fidelity.IDEAL,
            binarize=bool(options.pop("binarize", False)),
        )
        return simulate_crossbar(art, inputs, fidelity=fidelity, rng=rng, **options)[0]

    return run
