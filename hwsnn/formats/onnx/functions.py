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


def poisson_function() -> FunctionProto:
    """Poisson rate code: ``s = Cast(u < Clip(gain * x, 0, 1))`` with ``u ~ U[0, 1)``."""
    from onnx import helper

    nodes = [
        _node("Mul", ["gain", "x"], ["rate"]),
        helper.make_node("Constant", [], ["lo_f"], value_float=0.0),
        helper.make_node("Constant", [], ["hi_f"], value_float=1.0),
        _node("CastLike", ["lo_f", "rate"], ["lo"]),
        _node("CastLike", ["hi_f", "rate"], ["hi"]),
        _node("Clip", ["rate", "lo", "hi"], ["p"]),
        _node("Less", ["u", "p"], ["fired"]),
        _node("CastLike", ["fired", "x"], ["s"]),
    ]
    doc = "PoissonEncoder(x, u, gain) -> s; s = Cast(u < Clip(gain*x, 0, 1)), u uniform in [0, 1)."
    return _make("PoissonEncoder", ["x", "u", "gain"], ["s"], nodes, doc)


FUNCTIONS: dict[str, Callable[[], FunctionProto]] = {
    "LIF": lif_function,
    "IF": if_function,
    "LI": li_function,
    "PoissonEncoder": poisson_function,
}
"""Op type in the ``ai.hwsnn`` domain -> builder of its FunctionProto body."""


def function_protos(op_types: Iterable[str]) -> list[FunctionProto]:
    """Function bodies for the ``ai.hwsnn`` ops in ``op_types`` that have one (sorted by name)."""
    return [FUNCTIONS[op]() for op in sorted(set(op_types)) if op in FUNCTIONS]
