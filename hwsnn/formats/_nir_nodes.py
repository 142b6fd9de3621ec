"""Per-node conversion between hwsnn IR nodes and NIR primitives (nir 1.0.x).

NIR is continuous-time like the IR, so parameters map one to one (NIR ``tau`` is
``tau_mem``). NIR wants every neuron parameter (and ``Scale.scale``) at the full
activation shape, so scalars are broadcast on export; the original shape is kept in the
node's metadata (``hwsnn.shapes``) and restored on import. IR array fields NIR has no
slot for (``LIF.threshold_scale``) travel as ``hwsnn.array.<field>`` metadata.

Foreign NIR nodes get NIR semantics: neurons reset to ``v_reset`` (``ResetMode.ZERO``),
weights are unquantised. Imported lazily: this module needs the ``nir`` package.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import FormatError, UnsupportedNodeError
from hwsnn.ir import (
    IF,
    LI,
    LIF,
    Affine,
    AvgPool2d,
    Conv2d,
    Flatten,
    Input,
    Linear,
    Node,
    Output,
    ResetMode,
    Scale,
    Shape,
    SumPool2d,
)

__all__ = [
    "FIELD_MAP",
    "IMPORTABLE",
    "META",
    "array_from_nir",
    "check_importable",
    "nir_params",
    "node_from_nir",
    "node_to_nir",
]

META = "hwsnn."
"""Prefix of every metadata key hwsnn writes into a NIR file."""

FIELD_MAP: dict[type[Node], dict[str, str]] = {
    Input: {},
    Output: {},
    Affine: {"weight": "weight", "bias": "bias"},
    Linear: {"weight": "weight"},
    Conv2d: {"weight": "weight", "bias": "bias"},
    SumPool2d: {},
    AvgPool2d: {},
    Flatten: {},
    Scale: {"scale": "scale"},
    LIF: {
        "tau_mem": "tau",
        "r": "r",
        "v_leak": "v_leak",
        "v_threshold": "v_threshold",
        "v_reset": "v_reset",
    },
    IF: {"r": "r", "v_threshold": "v_threshold", "v_reset": "v_reset"},
    LI: {"tau_mem": "tau", "r": "r", "v_leak": "v_leak"},
}
"""IR field -> NIR parameter, for every IR node type that has a NIR primitive (same name)."""

_BROADCAST = (Scale, LIF, IF, LI)
"""Node types whose NIR parameters must have the activation's full shape."""


def _full(value: NDArray[np.float64], shape: Shape) -> NDArray[np.float64]:
    return np.array(np.broadcast_to(value, shape), dtype=np.float64)


def _metadata(node: Node) -> dict[str, Any]:
    """hwsnn-only arrays and the original shapes of the NIR-held arrays."""
    mapped = FIELD_MAP[type(node)]
    meta: dict[str, Any] = {}
    shapes: dict[str, list[int]] = {}
    for name, value in node.fields().items():
        if not isinstance(value, np.ndarray):
            continue
        if name in mapped:
            shapes[name] = list(value.shape)
        else:
            meta[f"{META}array.{name}"] = np.array(value)
    meta[f"{META}shapes"] = json.dumps(shapes)
    meta[f"{META}type"] = type(node).__name__
    return meta


def _params(node: Node, shape: Shape) -> dict[str, Any]:
    """NIR parameters of ``node``, broadcast to ``shape`` where NIR needs it."""
    params: dict[str, Any] = {}
    for ours, theirs in FIELD_MAP[type(node)].items():
        value = getattr(node, ours)
        if value is None:
            continue
        params[theirs] = _full(value, shape) if isinstance(node, _BROADCAST) else np.array(value)
    return params


def node_to_nir(node: Node, in_shape: Shape, out_shape: Shape) -> Any:
    """Return the NIR primitive for ``node`` (input/output activation shapes without batch).

    Raises:
        UnsupportedNodeError: NIR has no primitive for the node's type.
    """
    import nir

    kind = type(node)
    if kind not in FIELD_MAP:
        raise UnsupportedNodeError(
            kind.__name__, "NIR export", [*(k.__name__ for k in FIELD_MAP), "Add"]
        )
    meta = _metadata(node)
    params = _params(node, in_shape)
    if isinstance(node, Input):
        return nir.Input(input_type=np.array(node.shape), metadata=meta)
    if isinstance(node, Output):
        return nir.Output(output_type=np.array(out_shape), metadata=meta)
    if isinstance(node, Conv2d):
        bias = params.get("bias")
        return nir.Conv2d(
            input_shape=tuple(in_shape[1:]),
            weight=params["weight"],
            stride=np.array(node.stride),
            padding=np.array(node.padding),
            dilation=np.array(node.dilation),
            groups=node.groups,
            bias=np.zeros(node.weight.shape[0]) if bias is None else bias,
            metadata=meta,
        )
    if isinstance(node, SumPool2d):
        window = {k: np.array(getattr(node, k)) for k in ("kernel_size", "stride", "padding")}
        return getattr(nir, kind.__name__)(**window, metadata=meta)
    if isinstance(node, Flatten):
        return nir.Flatten(
            input_type={"input": np.array(in_shape)},
            start_dim=node.start_dim,
            end_dim=node.end_dim,
            metadata=meta,
        )
    return getattr(nir, kind.__name__)(**params, metadata=meta)


def array_from_nir(value: Any, shape: Shape, where: str) -> NDArray[np.float64]:
    """Undo the broadcast of ``_full``: recover the array of ``shape`` from NIR's full array.

    Raises:
        FormatError: ``value`` is not ``shape`` broadcast (the file was edited inconsistently).
    """
    full = np.asarray(value, dtype=np.float64)
    if full.shape == shape:
        return full
    lead = full.ndim - len(shape)
    small = full[(0,) * lead] if lead > 0 else full
    index = tuple(
        slice(0, 1) if s == 1 and d != 1 else slice(None)
        for s, d in zip(shape, small.shape, strict=False)
    )
    small = small[index]
    if (
        lead < 0
        or small.shape != shape
        or not np.array_equal(np.broadcast_to(small, full.shape), full)
    ):
        raise FormatError(
            f"{where}: NIR array of shape {full.shape} does not match hwsnn shape {shape}"
        )
    return np.array(small)


# ---------------------------------------------------------------- foreign NIR -> IR


def _pair(value: Any) -> tuple[int, int]:
    array = np.atleast_1d(np.asarray(value)).astype(np.int64)
    if array.size == 1:
        return (int(array[0]), int(array[0]))
    if array.size != 2:
        raise FormatError(f"expected an int or a pair of ints, got {value!r}")
    return (int(array[0]), int(array[1]))


def _conv_padding(node: Any) -> tuple[int, int]:
    padding = node.padding
    if isinstance(padding, bytes):
        padding = padding.decode()
    if not isinstance(padding, str):
        return _pair(padding)
    if padding == "valid":
        return (0, 0)
    if padding != "same":
        raise FormatError(f"Conv2d padding {padding!r} is not 'same', 'valid' or ints")
    kernel, dilation = node.weight.shape[2:], _pair(node.dilation)
    spans = [d * (k - 1) for k, d in zip(kernel, dilation, strict=True)]
    if any(s % 2 for s in spans) or _pair(node.stride) != (1, 1):
        raise FormatError("Conv2d padding='same' needs stride 1 and odd effective kernel sizes")
    return (spans[0] // 2, spans[1] // 2)


def _conv(node: Any) -> Node:
    return Conv2d(
        weight=node.weight,
        bias=node.bias,
        stride=_pair(node.stride),
        padding=_conv_padding(node),
        dilation=_pair(node.dilation),
        groups=int(node.groups),
    )


def _pool(cls: type[SumPool2d]) -> Callable[[Any], Node]:
    def build(node: Any) -> Node:
        return cls(
            kernel_size=_pair(node.kernel_size),
            stride=_pair(node.stride),
            padding=_pair(node.padding),
        )

    return build


def _input(node: Any) -> Node:
    shape = np.atleast_1d(np.asarray(node.input_type["input"])).astype(np.int64)
    return Input(shape=tuple(int(d) for d in shape))


_IMPORTERS: dict[str, Callable[[Any], Node]] = {
    "Input": _input,
    "Output": lambda n: Output(),
    "Affine": lambda n: Affine(weight=n.weight, bias=n.bias),
    "Linear": lambda n: Linear(weight=n.weight),
    "Conv2d": _conv,
    "SumPool2d": _pool(SumPool2d),
    "AvgPool2d": _pool(AvgPool2d),
    "Flatten": lambda n: Flatten(start_dim=int(n.start_dim), end_dim=int(n.end_dim)),
    "Scale": lambda n: Scale(scale=n.scale),
    "LIF": lambda n: LIF(
        tau_mem=n.tau,
        r=n.r,
        v_leak=n.v_leak,
        v_threshold=n.v_threshold,
        v_reset=n.v_reset,
        reset=ResetMode.ZERO,
    ),
    "IF": lambda n: IF(r=n.r, v_threshold=n.v_threshold, v_reset=n.v_reset, reset=ResetMode.ZERO),
    "LI": lambda n: LI(tau_mem=n.tau, r=n.r, v_leak=n.v_leak),
}

IMPORTABLE: tuple[str, ...] = tuple(sorted(_IMPORTERS))
"""NIR primitive names hwsnn reads."""


def check_importable(kind: str) -> None:
    """Raise :class:`UnsupportedNodeError` unless hwsnn reads the NIR primitive ``kind``."""
    if kind not in _IMPORTERS:
        named = "NIRGraph (nested subgraph)" if kind == "NIRGraph" else kind
        raise UnsupportedNodeError(named, "NIR import", IMPORTABLE)


def node_from_nir(node: Any) -> Node:
    """Convert a foreign NIR primitive with NIR semantics (reset to ``v_reset``).

    Raises:
        UnsupportedNodeError: hwsnn has no equivalent of the primitive.
        IRValidationError: The parameters are invalid in the IR (e.g. a threshold <= 0).
    """
    kind = type(node).__name__
    check_importable(kind)
    return _IMPORTERS[kind](node)


def nir_params(node: Any, kind: type[Node]) -> Mapping[str, Any]:
    """IR field -> NIR value of a hwsnn-written NIR node of IR type ``kind``."""
    return {ours: getattr(node, theirs) for ours, theirs in FIELD_MAP[kind].items()}
