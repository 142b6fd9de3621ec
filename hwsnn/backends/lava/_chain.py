"""Float64 evaluation of chains of stateless IR nodes, used to compose synapse matrices.

Between two neuron populations the IR may hold several stateless nodes (Flatten, Linear,
Conv2d, pooling, Scale, Add); on Loihi they become one synapse process. A chain applied to
the identity basis gives the dense matrix of its linear part, applied to zeros its bias.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from hwsnn.errors import UnsupportedNodeError
from hwsnn.ir import (
    Affine,
    AvgPool2d,
    Conv2d,
    CurrentEncoder,
    Flatten,
    Linear,
    Node,
    Scale,
    SumPool2d,
)

__all__ = ["CHAIN_NODES", "apply_chain", "chain_bias", "chain_matrix", "conv2d_f64"]

F64 = NDArray[np.float64]
CHAIN_NODES = (Linear, Affine, Conv2d, AvgPool2d, SumPool2d, Flatten, Scale, CurrentEncoder)


def _windows(
    x: F64,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
) -> F64:
    """``x`` (B, C, H, W) -> (B, C, Ho, Wo, kH, kW) sliding windows (zero padding)."""
    x = np.pad(x, ((0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1])))
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
    view: F64 = sliding_window_view(x, tuple(span), axis=(2, 3))  # type: ignore[call-overload]
    out: F64 = view[:, :, :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]
    return out


def conv2d_f64(
    x: F64,
    weight: F64,
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    groups: int,
) -> F64:
    """Cross-correlation of ``x`` (B, C_in, H, W) with ``weight`` (C_out, C_in/g, kH, kW), float64.

    Exact for integer operands below 2**53, so the emulator uses it for integer convolution.
    """
    view = _windows(x, (weight.shape[2], weight.shape[3]), stride, padding, dilation)
    b, c, ho, wo, kh, kw = view.shape
    view = view.reshape(b, groups, c // groups, ho, wo, kh, kw)
    wg = weight.reshape(groups, weight.shape[0] // groups, weight.shape[1], kh, kw)
    out = np.einsum("bgchwij,gocij->bgohw", view, wg, optimize=True)
    return np.ascontiguousarray(out.reshape(b, weight.shape[0], ho, wo))


def _apply(node: Node, x: F64) -> F64:
    if isinstance(node, Linear):
        y = x @ node.weight.T
        return y + node.bias if isinstance(node, Affine) else y
    if isinstance(node, Conv2d):
        y = conv2d_f64(x, node.weight, node.stride, node.padding, node.dilation, node.groups)
        return y if node.bias is None else y + node.bias[None, :, None, None]
    if isinstance(node, SumPool2d):
        stride = node.stride or node.kernel_size
        pooled: F64 = _windows(x, node.kernel_size, stride, node.padding, (1, 1)).sum(axis=(4, 5))
        return pooled / node.window if isinstance(node, AvgPool2d) else pooled
    if isinstance(node, Flatten):
        shape = x.shape[1:]
        start, end = node.start_dim % len(shape), node.end_dim % len(shape)
        return x.reshape(x.shape[0], *shape[:start], -1, *shape[end + 1 :])
    if isinstance(node, Scale):
        return x * node.scale
    if isinstance(node, CurrentEncoder):
        return x * node.gain
    raise UnsupportedNodeError(
        type(node).__name__, "lava synapse chain", (t.__name__ for t in CHAIN_NODES)
    )


def apply_chain(chain: Sequence[Node], x: F64) -> F64:
    """Apply the stateless ``chain`` to the batch ``x`` (B, *shape) in float64."""
    for node in chain:
        x = _apply(node, x)
    return x


def chain_bias(chain: Sequence[Node], in_shape: tuple[int, ...]) -> F64:
    """The chain's constant term (its output for a zero input), flattened."""
    out = apply_chain(chain, np.zeros((1, *in_shape)))
    return out.reshape(-1)


def chain_matrix(chain: Sequence[Node], in_shape: tuple[int, ...]) -> F64:
    """Dense matrix ``M`` (n_out, n_in) of the chain's linear part (IR C-major flat order)."""
    n_in = int(np.prod(in_shape))
    basis = np.eye(n_in).reshape(n_in, *in_shape)
    out = apply_chain(chain, basis).reshape(n_in, -1)
    return np.ascontiguousarray((out - chain_bias(chain, in_shape)).T)
