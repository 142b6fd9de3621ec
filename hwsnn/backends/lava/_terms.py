"""Intermediate values of the lowering: spikes of a source, or a sum of synaptic terms."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.lava._chain import chain_bias, chain_matrix, conv2d_f64
from hwsnn.ir import AvgPool2d, Conv2d, Node, SumPool2d

__all__ = ["Current", "Operator", "SourceInfo", "Spikes", "Term", "make_operator", "to_dense"]

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Spikes:
    """The output of a population or of the input source."""

    src: str


@dataclass(frozen=True)
class Term:
    """``chain(src)``: a source passed through stateless IR nodes."""

    src: str
    chain: tuple[Node, ...]


@dataclass(frozen=True)
class Current:
    """A sum of terms: the synaptic input of the next neuron node."""

    terms: tuple[Term, ...]


@dataclass(frozen=True)
class SourceInfo:
    """What a connection needs to know about its source.

    Attributes:
        name: Population or input name.
        shape: IR shape.
        depth: Lava step of the source's IR step 0.
        peak: Largest payload magnitude (1 for spikes).
        lsb: Real value of one payload unit.
        graded: Whether payloads are graded.
        signed: Whether payloads can be negative.
    """

    name: str
    shape: tuple[int, ...]
    depth: int
    peak: float
    lsb: float
    graded: bool
    signed: bool


@dataclass
class Operator:
    """The real-valued linear map of one term (before quantisation)."""

    term: Term
    kind: str
    weight: F64
    bias: F64
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1


def _pool_kernel(node: SumPool2d, channels: int) -> F64:
    value = 1.0 / node.window if isinstance(node, AvgPool2d) else 1.0
    return np.full((channels, 1, *node.kernel_size), value)


def make_operator(term: Term, src: SourceInfo, out_shape: tuple[int, ...]) -> Operator:
    """Dense matrix or convolution realising ``term`` (weights per payload unit of ``src``)."""
    (only,) = term.chain if len(term.chain) == 1 else (None,)
    spatial = len(src.shape) == 3 and len(out_shape) == 3
    if spatial and isinstance(only, Conv2d):
        bias = (
            np.zeros(out_shape)
            if only.bias is None
            else np.broadcast_to(only.bias[:, None, None], out_shape)
        )
        return Operator(
            term,
            "conv",
            only.weight * src.lsb,
            bias.reshape(-1).copy(),
            src.shape,
            out_shape,
            only.stride,
            only.padding,
            only.dilation,
            only.groups,
        )
    if spatial and isinstance(only, SumPool2d):
        stride = only.stride or only.kernel_size
        kernel = _pool_kernel(only, src.shape[0]) * src.lsb
        return Operator(
            term,
            "conv",
            kernel,
            np.zeros(int(np.prod(out_shape))),
            src.shape,
            out_shape,
            stride,
            only.padding,
            (1, 1),
            src.shape[0],
        )
    matrix = chain_matrix(term.chain, src.shape) * src.lsb
    return Operator(term, "dense", matrix, chain_bias(term.chain, src.shape), src.shape, out_shape)


def to_dense(op: Operator) -> Operator:
    """The same operator as a dense matrix (conv evaluated on the identity basis)."""
    if op.kind == "dense":
        return op
    n_in = int(np.prod(op.in_shape))
    basis = np.eye(n_in).reshape(n_in, *op.in_shape)
    out = conv2d_f64(basis, op.weight, op.stride, op.padding, op.dilation, op.groups)
    return Operator(
        op.term,
        "dense",
        np.ascontiguousarray(out.reshape(n_in, -1).T),
        op.bias,
        op.in_shape,
        op.out_shape,
    )
