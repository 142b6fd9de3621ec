"""Lowering table: IR node type -> ONNX nodes computing one time step.

Synapses use standard ops (weights are the float64 record initializers cast to float32):
Affine/Linear -> ``MatMul`` by ``W^T`` (+ ``Add`` bias), never ``Gemm``; Conv2d -> ``Conv``;
AvgPool2d -> ``AveragePool`` (``count_include_pad=1``); SumPool2d -> grouped ``Conv``
with a ones kernel (an exact window sum: ``AveragePool`` followed by a multiplication by the
window size would round twice when the window is not a power of two); MaxPool2d ->
``MaxPool`` (padding never selected, like the ``-inf`` padding of ``sim.float``); ReLU ->
``Relu``; Flatten ->
``Reshape`` keeping the batch; Add -> chained ``Add`` in edge order; Concat -> ``Concat``
(inputs in edge order, axis shifted past the batch); Scale and
CurrentEncoder -> ``Mul``; Output -> ``Identity``. Neurons and the Poisson encoder are
``ai.hwsnn`` ops with function bodies (see :mod:`hwsnn.formats.onnx.functions`); a
signed PoissonEncoder is the op ``SignedPoissonEncoder``.
TimeAffine, AlphaSynapse and SAU: see :mod:`hwsnn.formats.onnx._lower_filters`.
Node types without a lowering (NLIF, TTFSEncoder and MaxPoolTTFS, whose event-time
semantics has no time-step form) become a declared
``ai.hwsnn`` op without a body: stored and round-tripped, but onnxruntime cannot run them
(``run_onnx`` raises UnsupportedNodeError naming the node).
Quantisation fields are stored in the header only; the step uses the float weights.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from hwsnn.formats.onnx import _names as nm
from hwsnn.formats.onnx._builder import Builder, value_name
from hwsnn.formats.onnx._lower_filters import lower_alpha, lower_sau, lower_time_affine
from hwsnn.ir import (
    IF,
    LI,
    LIF,
    SAU,
    Add,
    Affine,
    AlphaSynapse,
    AvgPool2d,
    Concat,
    Conv2d,
    CurrentEncoder,
    Flatten,
    Input,
    Linear,
    MaxPool2d,
    Node,
    Output,
    PoissonEncoder,
    ReLU,
    Scale,
    SumPool2d,
    TimeAffine,
    neuron_coefficients,
)

__all__ = ["EXECUTABLE", "LOWERINGS", "STATE_VARS", "lower_node"]

Lowering = Callable[[Builder, str, Any], None]


def _input(b: Builder, name: str, node: Input) -> None:
    b.io("input", nm.INPUT, name)


def _output(b: Builder, name: str, node: Output) -> None:
    b.add("Identity", [b.source(name)], [nm.OUTPUT], owner=name)
    b.io("output", nm.OUTPUT, name)


def _poisson(b: Builder, name: str, node: PoissonEncoder) -> None:
    u = b.io("extra", nm.noise(name), name)
    gain = b.const(name, "gain", np.array(node.gain, dtype=np.float32))
    op = "SignedPoissonEncoder" if node.signed else "PoissonEncoder"
    b.add(op, [b.source(name), u, gain], [nm.spikes(name)], owner=name, domain=nm.DOMAIN)
    b.io("spikes", nm.spikes(name), name)


def _current(b: Builder, name: str, node: CurrentEncoder) -> None:
    gain = b.const(name, "gain", np.array(node.gain, dtype=np.float32))
    b.add("Mul", [b.source(name), gain], [value_name(b.graph, name)], owner=name)


def _linear(b: Builder, name: str, node: Linear) -> None:
    weight_t = nm.derived(name, "weight_t")
    b.add("Transpose", [b.record_f32(name, "weight")], [weight_t], owner=name, perm=[1, 0])
    out = value_name(b.graph, name)
    if isinstance(node, Affine):
        product = nm.derived(name, "matmul")
        b.add("MatMul", [b.source(name), weight_t], [product], owner=name)
        b.add("Add", [product, b.record_f32(name, "bias")], [out], owner=name)
    else:
        b.add("MatMul", [b.source(name), weight_t], [out], owner=name)


def _pads(padding: tuple[int, int]) -> list[int]:
    return [padding[0], padding[1], padding[0], padding[1]]


def _conv(b: Builder, name: str, node: Conv2d) -> None:
    inputs = [b.source(name), b.record_f32(name, "weight")]
    if node.bias is not None:
        inputs.append(b.record_f32(name, "bias"))
    b.add(
        "Conv",
        inputs,
        [value_name(b.graph, name)],
        owner=name,
        kernel_shape=list(node.weight.shape[2:]),
        strides=list(node.stride),
        pads=_pads(node.padding),
        dilations=list(node.dilation),
        group=node.groups,
    )


def _avgpool(b: Builder, name: str, node: AvgPool2d) -> None:
    b.add(
        "AveragePool",
        [b.source(name)],
        [value_name(b.graph, name)],
        owner=name,
        kernel_shape=list(node.kernel_size),
        strides=list(node.stride or node.kernel_size),
        pads=_pads(node.padding),
        count_include_pad=1,
    )


def _sumpool(b: Builder, name: str, node: SumPool2d) -> None:
    channels = b.graph.shapes[name][0]
    ones = b.const(name, "ones", np.ones((channels, 1, *node.kernel_size), dtype=np.float32))
    b.add(
        "Conv",
        [b.source(name), ones],
        [value_name(b.graph, name)],
        owner=name,
        kernel_shape=list(node.kernel_size),
        strides=list(node.stride or node.kernel_size),
        pads=_pads(node.padding),
        group=channels,
    )


def _maxpool(b: Builder, name: str, node: MaxPool2d) -> None:
    b.add(
        "MaxPool",
        [b.source(name)],
        [value_name(b.graph, name)],
        owner=name,
        kernel_shape=list(node.kernel_size),
        strides=list(node.stride or node.kernel_size),
        pads=_pads(node.padding),
    )


def _relu(b: Builder, name: str, node: ReLU) -> None:
    b.add("Relu", [b.source(name)], [value_name(b.graph, name)], owner=name)


def _flatten(b: Builder, name: str, node: Flatten) -> None:
    shape = b.const(name, "shape", np.array([0, *b.graph.shapes[name]], dtype=np.int64))
    b.add("Reshape", [b.source(name), shape], [value_name(b.graph, name)], owner=name)


def _add(b: Builder, name: str, node: Add) -> None:
    values = [value_name(b.graph, p) for p in b.graph.predecessors(name)]
    total = values[0]
    for i, value in enumerate(values[1:], start=1):
        out = value_name(b.graph, name) if i == len(values) - 1 else nm.derived(name, f"sum{i}")
        b.add("Add", [total, value], [out], owner=name)
        total = out


def _concat(b: Builder, name: str, node: Concat) -> None:
    values = [value_name(b.graph, p) for p in b.graph.predecessors(name)]
    axis = 1 + node.dim(len(b.graph.shapes[name]))  # ONNX tensors carry the batch dim first
    b.add("Concat", values, [value_name(b.graph, name)], owner=name, axis=axis)


def _scale(b: Builder, name: str, node: Scale) -> None:
    b.add(
        "Mul",
        [b.source(name), b.record_f32(name, "scale")],
        [value_name(b.graph, name)],
        owner=name,
    )


def _coefficients(b: Builder, name: str, node: LIF | IF | LI) -> list[str]:
    coeff = neuron_coefficients(node, b.graph.dt)
    return [b.const(name, k, getattr(coeff, k)) for k in ("keep", "gain", "leak")]


def _threshold(b: Builder, name: str, node: LIF | IF) -> str:
    """float32 ``v_threshold`` (times ``threshold_scale[t]`` when the LIF has one)."""
    threshold = b.record_f32(name, "v_threshold")
    scale = node.threshold_scale if isinstance(node, LIF) else None
    if scale is None:
        return threshold
    scale_t = nm.derived(name, "scale_t")
    b.add(
        "Gather", [b.record_f32(name, "threshold_scale"), b.time()], [scale_t], owner=name, axis=0
    )
    scaled = nm.derived(name, "threshold_t")
    b.add("Mul", [threshold, scale_t], [scaled], owner=name)
    return scaled


def _spiking(b: Builder, name: str, node: LIF | IF) -> None:
    v = b.io("state_in", nm.state_in(name), name)
    inputs = [b.source(name), v, *_coefficients(b, name, node), _threshold(b, name, node)]
    inputs.append(b.record_f32(name, "v_reset"))
    outputs = [nm.spikes(name), nm.state_out(name)]
    b.add(
        type(node).__name__, inputs, outputs, owner=name, domain=nm.DOMAIN, reset=node.reset.value
    )
    b.io("state_out", nm.state_out(name), name)
    b.io("spikes", nm.spikes(name), name)


def _li(b: Builder, name: str, node: LI) -> None:
    v = b.io("state_in", nm.state_in(name), name)
    inputs = [b.source(name), v, *_coefficients(b, name, node)]
    b.add("LI", inputs, [nm.state_out(name)], owner=name, domain=nm.DOMAIN)
    b.io("state_out", nm.state_out(name), name)


def _declared(b: Builder, name: str, node: Node) -> None:
    """An ``ai.hwsnn`` op without a body: the node is stored but cannot run."""
    inputs = [value_name(b.graph, p) for p in b.graph.predecessors(name)]
    b.add(type(node).__name__, inputs, [value_name(b.graph, name)], owner=name, domain=nm.DOMAIN)


LOWERINGS: dict[type[Node], Lowering] = {
    Input: _input,
    Output: _output,
    PoissonEncoder: _poisson,
    CurrentEncoder: _current,
    Linear: _linear,
    Affine: _linear,
    Conv2d: _conv,
    AvgPool2d: _avgpool,
    SumPool2d: _sumpool,
    MaxPool2d: _maxpool,
    ReLU: _relu,
    Flatten: _flatten,
    Add: _add,
    Concat: _concat,
    Scale: _scale,
    LIF: _spiking,
    IF: _spiking,
    LI: _li,
    TimeAffine: lower_time_affine,
    AlphaSynapse: lower_alpha,
    SAU: lower_sau,
}
"""Node type -> lowering; any other registered type is stored as a declared op (not executable)."""

EXECUTABLE: frozenset[str] = frozenset(cls.__name__ for cls in LOWERINGS)
"""Names of the node types onnxruntime can step."""


STATE_VARS: dict[type[Node], tuple[str, ...]] = {
    LIF: ("v",),
    IF: ("v",),
    LI: ("v",),
    AlphaSynapse: ("a", "y"),
}
"""State variables carried from one step to the next (inputs ``<node>.<var>``)."""


def lower_node(b: Builder, name: str) -> None:
    """Append the ONNX nodes of IR node ``name`` to ``b``."""
    node = b.graph.nodes[name]
    LOWERINGS.get(type(node), _declared)(b, name, node)
