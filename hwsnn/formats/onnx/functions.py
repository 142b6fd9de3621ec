"""The ``ai.hwsnn`` operator library: one model-local FunctionProto per spiking op.

Each body uses standard ONNX ops only, so onnxruntime inlines and runs it. The order
of operations is the one of :func:`hwsnn.ir.neuron_coefficients` (float32)::

    v = keep * v + gain * I + leak        # forward Euler, evaluated left to right
    s = Cast(v > v_threshold)             # strict threshold
    v = v - s * v_threshold               # reset "subtract"
    v = Where(s, v_reset, v)              # reset "zero"

so a numpy float32 implementation of the same lines gives the same bits.
Ops without a body (e.g. ``NLIF``) are only declared: the file still round-trips but
onnxruntime cannot run it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from hwsnn.formats.onnx._names import DOMAIN, OPSET

if TYPE_CHECKING:
    from onnx import FunctionProto, NodeProto

__all__ = ["FUNCTIONS", "function_protos"]

_SPIKING_DOC = (
    "{op}(I, v, keep, gain, leak, v_threshold, v_reset) -> (s, v_next); attribute reset: "
    "'subtract' | 'zero'. v = keep*v + gain*I + leak; s = Cast(v > v_threshold); "
    "subtract: v_next = v - s*v_threshold; zero: v_next = Where(s, v_reset, v). "
    "Coefficients: hwsnn.ir.neuron_coefficients (forward Euler)."
)


def _node(op: str, inputs: list[str], outputs: list[str], **attrs: Any) -> NodeProto:
    from onnx import helper

    return helper.make_node(op, inputs, outputs, **attrs)


def _integrate(out: str) -> list[NodeProto]:
    """``out = keep*v + gain*I + leak``, in this order."""
    return [
        _node("Mul", ["keep", "v"], ["kv"]),
        _node("Mul", ["gain", "I"], ["gi"]),
        _node("Add", ["kv", "gi"], ["acc"]),
        _node("Add", ["acc", "leak"], [out]),
    ]


def _reset_mode() -> list[NodeProto]:
    """``is_zero = (reset attribute == "zero")`` as a boolean scalar."""
    from onnx import AttributeProto, helper

    mode = helper.make_node("Constant", [], ["mode"])
    ref = AttributeProto(name="value_string", type=AttributeProto.STRING, ref_attr_name="reset")
    mode.attribute.append(ref)
    return [
        mode,
        _node("Constant", [], ["zero"], value_string="zero"),
        _node("Equal", ["mode", "zero"], ["is_zero"]),
    ]


def _make(
    name: str,
    inputs: list[str],
    outputs: list[str],
    nodes: list[NodeProto],
    doc: str,
    attributes: Iterable[str] = (),
) -> FunctionProto:
    from onnx import helper

    proto = helper.make_function(
        DOMAIN,
        name,
        inputs,
        outputs,
        nodes,
        opset_imports=[helper.make_opsetid("", OPSET)],
        attributes=list(attributes),
    )
    proto.doc_string = doc
    return proto


def _spiking(op: str) -> FunctionProto:
    nodes = [
        *_integrate("vm"),
        _node("Greater", ["vm", "v_threshold"], ["fired"]),
        _node("CastLike", ["fired", "vm"], ["s"]),
        _node("Mul", ["s", "v_threshold"], ["drop"]),
        _node("Sub", ["vm", "drop"], ["v_sub"]),
        _node("Where", ["fired", "v_reset", "vm"], ["v_zero"]),
        *_reset_mode(),
        _node("Where", ["is_zero", "v_zero", "v_sub"], ["v_next"]),
    ]
    inputs = ["I", "v", "keep", "gain", "leak", "v_threshold", "v_reset"]
    return _make(op, inputs, ["s", "v_next"], nodes, _SPIKING_DOC.format(op=op), ["reset"])


def lif_function() -> FunctionProto:
    """Leaky integrate-and-fire step (coefficients carry ``dt / tau_mem``)."""
    return _spiking("LIF")


def if_function() -> FunctionProto:
    """Integrate-and-fire step (``keep = 1``, ``leak = 0``)."""
    return _spiking("IF")


def li_function() -> FunctionProto:
    """Leaky integrator readout step: ``v_next = keep*v + gain*I + leak`` (no spikes)."""
    doc = "LI(I, v, keep, gain, leak) -> v_next; v_next = keep*v + gain*I + leak."
    return _make("LI", ["I", "v", "keep", "gain", "leak"], ["v_next"], _integrate("v_next"), doc)


def _poisson_nodes(magnitude: str) -> list[NodeProto]:
    """``fired = u < Clip(gain * magnitude, 0, 1)`` (bounds cast to the input's type)."""
    from onnx import helper

    return [
        _node("Mul", ["gain", magnitude], ["rate"]),
        helper.make_node("Constant", [], ["lo_f"], value_float=0.0),
        helper.make_node("Constant", [], ["hi_f"], value_float=1.0),
        _node("CastLike", ["lo_f", "rate"], ["lo"]),
        _node("CastLike", ["hi_f", "rate"], ["hi"]),
        _node("Clip", ["rate", "lo", "hi"], ["p"]),
        _node("Less", ["u", "p"], ["fired"]),
    ]


def poisson_function() -> FunctionProto:
    """Poisson rate code: ``s = Cast(u < Clip(gain * x, 0, 1))`` with ``u ~ U[0, 1)``."""
    nodes = [*_poisson_nodes("x"), _node("CastLike", ["fired", "x"], ["s"])]
    doc = "PoissonEncoder(x, u, gain) -> s; s = Cast(u < Clip(gain*x, 0, 1)), u uniform in [0, 1)."
    return _make("PoissonEncoder", ["x", "u", "gain"], ["s"], nodes, doc)


def signed_poisson_function() -> FunctionProto:
    """Signed Poisson code (``PoissonEncoder(signed=True)``, paper 002 Sec. 2.2).

    ``s = Where(u < Clip(gain * Abs(x), 0, 1), Sign(x), 0)``: spikes in {-1, 0, +1}, the
    same uniform draw per element as the unsigned op.
    """
    from onnx import helper

    nodes = [
        _node("Abs", ["x"], ["mag"]),
        *_poisson_nodes("mag"),
        _node("Sign", ["x"], ["sgn"]),
        helper.make_node("Constant", [], ["zero_f"], value_float=0.0),
        _node("CastLike", ["zero_f", "x"], ["zero"]),
        _node("Where", ["fired", "sgn", "zero"], ["s"]),
    ]
    doc = (
        "SignedPoissonEncoder(x, u, gain) -> s; s = Where(u < Clip(gain*Abs(x), 0, 1), "
        "Sign(x), 0), u uniform in [0, 1)."
    )
    return _make("SignedPoissonEncoder", ["x", "u", "gain"], ["s"], nodes, doc)


def alpha_function() -> FunctionProto:
    """Alpha synapse (paper 001) as two cascaded exact first-order low-passes.

    ``a_next = d*a + gain*x``; ``y_next = d*y + out_gain*a_next`` with ``d = exp(-dt/tau_syn)``,
    ``gain = (1 - d)/dt`` (1/s), ``out_gain = 1 - d``; the node's value is ``y_next``.
    """
    nodes = [
        _node("Mul", ["d", "a"], ["da"]),
        _node("Mul", ["gain", "x"], ["gx"]),
        _node("Add", ["da", "gx"], ["a_next"]),
        _node("Mul", ["d", "y"], ["dy"]),
        _node("Mul", ["out_gain", "a_next"], ["ga"]),
        _node("Add", ["dy", "ga"], ["y_next"]),
    ]
    doc = (
        "AlphaSynapse(x, a, y, d, gain, out_gain) -> (a_next, y_next); "
        "a_next = d*a + gain*x; y_next = d*y + out_gain*a_next."
    )
    inputs = ["x", "a", "y", "d", "gain", "out_gain"]
    return _make("AlphaSynapse", inputs, ["a_next", "y_next"], nodes, doc)


def sau_function() -> FunctionProto:
    """Step activation of paper 000: ``y = levels[#{edges <= x}]`` with 0 padded both ends.

    ``levels`` here is the padded table ``[0, levels..., 0]``; the count of edges at or
    below ``x`` is numpy's ``searchsorted(edges, x, side="right")``, so ``y`` is one
    table entry, with no arithmetic on it.
    """
    from onnx import helper

    nodes = [
        helper.make_node("Constant", [], ["axis"], value_ints=[-1]),
        _node("Unsqueeze", ["x", "axis"], ["column"]),
        _node("GreaterOrEqual", ["column", "edges"], ["above"]),
        helper.make_node("Cast", ["above"], ["ones"], to=7),  # INT64
        helper.make_node("ReduceSum", ["ones", "axis"], ["index"], keepdims=0),
        helper.make_node("Gather", ["levels", "index"], ["y"], axis=0),
    ]
    doc = "SAU(x, edges, levels) -> y; y = levels[sum(x >= edges)] (levels padded with 0)."
    return _make("SAU", ["x", "edges", "levels"], ["y"], nodes, doc)


FUNCTIONS: dict[str, Callable[[], FunctionProto]] = {
    "LIF": lif_function,
    "IF": if_function,
    "LI": li_function,
    "PoissonEncoder": poisson_function,
    "SignedPoissonEncoder": signed_poisson_function,
    "AlphaSynapse": alpha_function,
    "SAU": sau_function,
}
"""Op type in the ``ai.hwsnn`` domain -> builder of its FunctionProto body."""


def function_protos(op_types: Iterable[str]) -> list[FunctionProto]:
    """Function bodies for the ``ai.hwsnn`` ops in ``op_types`` that have one (sorted by name)."""
    return [FUNCTIONS[op]() for op in sorted(set(op_types)) if op in FUNCTIONS]
