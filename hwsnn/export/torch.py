"""Export a torch model built from ``torch.nn`` layers and ``hwsnn.nn`` modules to the IR.

One exporter per module type in :data:`EXPORTERS` (exact type, no subclass matching:
a subclass may compute something else). Each exporter adds the module's node(s) to a
:class:`GraphBuilder` after the node ``prev`` and returns the name of its last node.
Node names come from the module paths (:func:`hwsnn.nn.node_name`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

import hwsnn
from hwsnn import ir
from hwsnn.errors import IRValidationError, UnsupportedNodeError
from hwsnn.nn import IF, LI, LIF, PoissonEncoder, Residual, Sequential, node_name

__all__ = ["EXPORTERS", "Exporter", "GraphBuilder", "export_module", "export_torch"]

WHERE = "torch export"


@dataclass
class GraphBuilder:
    """Nodes and edges of the graph being exported.

    Attributes:
        dt: Export time step (s).
        nodes: Node by name, in insertion order.
        edges: ``(source, target)`` pairs.
    """

    dt: float
    nodes: dict[str, ir.Node] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)

    def add(self, name: str, node: ir.Node, *sources: str) -> str:
        """Add ``node`` as ``name`` with edges from ``sources``; return ``name``."""
        if name in self.nodes:
            raise IRValidationError(f"torch export: two modules map to the node name {name!r}")
        self.nodes[name] = node
        self.edges.extend((src, name) for src in sources)
        return name


Exporter = Callable[[Any, GraphBuilder, str, str], str]
"""``fn(module, builder, path, prev) -> name of the module's last node``."""


def _label(cls: type) -> str:
    return f"{cls.__module__.split('.')[0]}.nn.{cls.__name__}"


def _refuse(module: torch.nn.Module, why: str) -> UnsupportedNodeError:
    return UnsupportedNodeError(
        f"{type(module).__name__} ({why})", WHERE, (_label(t) for t in EXPORTERS)
    )


def _array(tensor: torch.Tensor) -> NDArray[np.float64]:
    return np.asarray(tensor.detach().cpu().numpy(), dtype=np.float64)


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def export_module(module: torch.nn.Module, b: GraphBuilder, path: str, prev: str) -> str:
    """Export ``module`` (at ``path``) after node ``prev``; return its last node's name.

    Raises:
        UnsupportedNodeError: No exporter for the module's type (the error names it).
    """
    exporter = EXPORTERS.get(type(module))
    if exporter is None:
        raise UnsupportedNodeError(type(module).__name__, WHERE, (_label(t) for t in EXPORTERS))
    return exporter(module, b, path, prev)


def _linear(m: torch.nn.Linear, b: GraphBuilder, path: str, prev: str) -> str:
    weight = _array(m.weight)
    node = (
        ir.Linear(weight=weight)
        if m.bias is None
        else ir.Affine(weight=weight, bias=_array(m.bias))
    )
    return b.add(node_name(path, m), node, prev)


def _conv_padding(m: torch.nn.Conv2d) -> tuple[int, int]:
    if isinstance(m.padding, str):
        if m.padding == "valid":
            return (0, 0)
        total = [d * (k - 1) for d, k in zip(m.dilation, m.kernel_size, strict=True)]
        if any(t % 2 for t in total):
            raise _refuse(
                m, "padding='same' pads asymmetrically for this kernel; give numeric padding"
            )
        return (total[0] // 2, total[1] // 2)
    return (int(m.padding[0]), int(m.padding[1]))


def _conv2d(m: torch.nn.Conv2d, b: GraphBuilder, path: str, prev: str) -> str:
    if m.padding_mode != "zeros":
        raise _refuse(m, f"padding_mode={m.padding_mode!r}; only 'zeros' is supported")
    node = ir.Conv2d(
        weight=_array(m.weight),
        bias=None if m.bias is None else _array(m.bias),
        stride=(int(m.stride[0]), int(m.stride[1])),
        padding=_conv_padding(m),
        dilation=(int(m.dilation[0]), int(m.dilation[1])),
        groups=int(m.groups),
    )
    return b.add(node_name(path, m), node, prev)


def _pair(value: int | Sequence[int]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _avgpool2d(m: torch.nn.AvgPool2d, b: GraphBuilder, path: str, prev: str) -> str:
    if m.ceil_mode:
        raise _refuse(m, "ceil_mode=True; only floor windows are supported")
    if not m.count_include_pad:
        raise _refuse(m, "count_include_pad=False; padded zeros must count in the mean")
    if m.divisor_override is not None:
        raise _refuse(
            m, f"divisor_override={m.divisor_override}; only the window size is supported"
        )
    kernel = _pair(m.kernel_size)
    stride = kernel if m.stride is None else _pair(m.stride)
    node = ir.AvgPool2d(kernel_size=kernel, stride=stride, padding=_pair(m.padding))
    return b.add(node_name(path, m), node, prev)


def _maxpool2d(m: torch.nn.MaxPool2d, b: GraphBuilder, path: str, prev: str) -> str:
    if m.ceil_mode:
        raise _refuse(m, "ceil_mode=True; only floor windows are supported")
    if _pair(m.dilation) != (1, 1):
        raise _refuse(m, f"dilation={m.dilation}; only dilation 1 is supported")
    if m.return_indices:
        raise _refuse(m, "return_indices=True; only the pooled values are exported")
    kernel = _pair(m.kernel_size)
    stride = kernel if m.stride is None else _pair(m.stride)
    node = ir.MaxPool2d(kernel_size=kernel, stride=stride, padding=_pair(m.padding))
    return b.add(node_name(path, m), node, prev)


def _relu(m: torch.nn.ReLU, b: GraphBuilder, path: str, prev: str) -> str:
    return b.add(node_name(path, m), ir.ReLU(), prev)


def _flatten_dim(m: torch.nn.Flatten, dim: int) -> int:
    """Torch dims count the batch dim, IR dims do not; negative dims are the same."""
    if dim == 0:
        raise _refuse(m, "start_dim/end_dim 0 flattens the batch dimension")
    return dim - 1 if dim > 0 else dim


def _flatten(m: torch.nn.Flatten, b: GraphBuilder, path: str, prev: str) -> str:
    node = ir.Flatten(start_dim=_flatten_dim(m, m.start_dim), end_dim=_flatten_dim(m, m.end_dim))
    return b.add(node_name(path, m), node, prev)


def _passthrough(m: torch.nn.Module, b: GraphBuilder, path: str, prev: str) -> str:
    """Identity (and Dropout, an identity at inference) adds no node."""
    return prev


def _neuron(m: LIF | IF | LI | PoissonEncoder, b: GraphBuilder, path: str, prev: str) -> str:
    module_dt = getattr(m, "dt", None)
    if module_dt is not None and module_dt != b.dt:
        raise IRValidationError(
            f"torch export: {type(m).__name__} {path or '(root)'!r} has dt={module_dt} s "
            f"but the export dt is {b.dt} s; rebuild it with the export dt"
        )
    return b.add(node_name(path, m), m.to_ir(), prev)


def _sequential(m: torch.nn.Sequential, b: GraphBuilder, path: str, prev: str) -> str:
    for name, child in m.named_children():
        prev = export_module(child, b, _child(path, name), prev)
    return prev


def _residual(m: Residual, b: GraphBuilder, path: str, prev: str) -> str:
    last = export_module(m.block, b, _child(path, "block"), prev)
    return b.add(node_name(path, m), ir.Add(), prev, last)


EXPORTERS: dict[type[torch.nn.Module], Exporter] = {
    torch.nn.Linear: _linear,
    torch.nn.Conv2d: _conv2d,
    torch.nn.AvgPool2d: _avgpool2d,
    torch.nn.MaxPool2d: _maxpool2d,
    torch.nn.ReLU: _relu,
    torch.nn.Flatten: _flatten,
    torch.nn.Identity: _passthrough,
    torch.nn.Dropout: _passthrough,
    torch.nn.Sequential: _sequential,
    Sequential: _sequential,
    Residual: _residual,
    LIF: _neuron,
    IF: _neuron,
    LI: _neuron,
    PoissonEncoder: _neuron,
}
"""Exporter by exact module type; other packages add theirs here."""


def export_torch(
    module: torch.nn.Module, input_shape: Sequence[int], *, timesteps: int, dt: float
) -> ir.Graph:
    """Export a torch spiking model to a validated IR graph.

    Args:
        module: The model (``hwsnn.nn.Sequential`` or any supported module).
        input_shape: Shape of one input sample, no batch dim (e.g. ``(1, 8, 8)``).
        timesteps: Steps per inference.
        dt: Time step (s); every neuron module must have been built with this ``dt``.

    Returns:
        The graph ``input -> ... -> output`` with metadata ``source="torch"``.

    Raises:
        UnsupportedNodeError: A layer has no exporter (or an unsupported setting); named.
        IRValidationError: A neuron's ``dt`` differs from ``dt``, or shapes do not fit.
    """
    if not isinstance(dt, float | int) or not math.isfinite(dt) or dt <= 0:
        raise IRValidationError(
            f"torch export: dt must be a positive number of seconds, got {dt!r}"
        )
    b = GraphBuilder(dt=float(dt))
    b.add("input", ir.Input(shape=tuple(int(d) for d in input_shape)))
    last = export_module(module, b, "", "input")
    b.add("output", ir.Output(), last)
    metadata = {
        "source": "torch",
        "hwsnn_version": hwsnn.__version__,
        "torch_version": torch.__version__,
    }
    return ir.Graph(
        nodes=b.nodes, edges=tuple(b.edges), dt=float(dt), timesteps=timesteps, metadata=metadata
    )
