"""Numpy float32 kernels for the stateless synapse nodes (batch-first activations)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from hwsnn.ir import (
    Affine,
    AvgPool2d,
    Conv2d,
    CurrentEncoder,
    Flatten,
    Linear,
    MaxPool2d,
    Node,
    ReLU,
    Scale,
    SumPool2d,
)

__all__ = ["STATELESS", "conv2d", "max_pool2d", "pool2d", "relu"]

F32 = NDArray[np.float32]


def _f32(array: NDArray[np.float64]) -> F32:
    return np.asarray(array, dtype=np.float32)


def _windows(
    x: F32,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int] = (1, 1),
    fill: float = 0.0,
) -> F32:
    """Sliding windows of ``x`` (B, C, H, W) -> (B, C, Ho, Wo, kH, kW), padded with ``fill``."""
    pads = ((0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1]))
    x = np.pad(x, pads, constant_values=np.float32(fill))
    span = (dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1)
    view = sliding_window_view(x, (1, 1, *span))[:, :, :, :, 0, 0]
    return view[:, :, :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]


def conv2d(node: Conv2d, x: F32) -> F32:
    """PyTorch-semantics cross-correlation of ``x`` (B, C_in, H, W)."""
    w = _f32(node.weight)
    g = node.groups
    view = _windows(x, (w.shape[2], w.shape[3]), node.stride, node.padding, node.dilation)
    b, c, ho, wo, kh, kw = view.shape
    view = view.reshape(b, g, c // g, ho, wo, kh, kw)
    wg = w.reshape(g, w.shape[0] // g, w.shape[1], kh, kw)
    out = np.einsum("bgchwij,gocij->bgohw", view, wg, optimize=True)
    out = out.reshape(b, w.shape[0], ho, wo)
    if node.bias is not None:
        out = out + _f32(node.bias)[None, :, None, None]
    return np.ascontiguousarray(out, dtype=np.float32)


def pool2d(node: SumPool2d, x: F32) -> F32:
    """Sum pooling, or average pooling (padded zeros counted) for AvgPool2d."""
    stride = node.stride or node.kernel_size
    out = _windows(x, node.kernel_size, stride, node.padding).sum(axis=(4, 5), dtype=np.float32)
    if isinstance(node, AvgPool2d):
        out = out / np.float32(node.window)
    return np.ascontiguousarray(out)


def max_pool2d(node: MaxPool2d, x: F32) -> F32:
    """Value max over each window; padding is ``-inf`` (never selected), as in PyTorch."""
    stride = node.stride or node.kernel_size
    view = _windows(x, node.kernel_size, stride, node.padding, fill=-np.inf)
    return np.ascontiguousarray(view.max(axis=(4, 5)), dtype=np.float32)


def relu(node: ReLU, x: F32) -> F32:
    """``max(x, 0)`` element-wise."""
    return np.maximum(x, np.float32(0.0)).astype(np.float32, copy=False)


def _linear(node: Linear, x: F32) -> F32:
    y = x @ _f32(node.weight).T
    if isinstance(node, Affine):
        y = y + _f32(node.bias)
    return np.asarray(y, dtype=np.float32)


def _flatten(node: Flatten, x: F32) -> F32:
    shape = x.shape[1:]
    n = len(shape)
    start, end = node.start_dim % n, node.end_dim % n
    return x.reshape(x.shape[0], *shape[:start], -1, *shape[end + 1 :])


def _scale(node: Scale, x: F32) -> F32:
    return np.asarray(x * _f32(node.scale), dtype=np.float32)


def _current(node: CurrentEncoder, x: F32) -> F32:
    return np.asarray(x * np.float32(node.gain), dtype=np.float32)


STATELESS: dict[type[Node], Callable[[Any, F32], F32]] = {
    Linear: _linear,
    Affine: _linear,
    Conv2d: conv2d,
    AvgPool2d: pool2d,
    SumPool2d: pool2d,
    MaxPool2d: max_pool2d,
    ReLU: relu,
    Flatten: _flatten,
    Scale: _scale,
    CurrentEncoder: _current,
}
"""Single-input stateless kernels by node type: ``fn(node, x) -> y``."""
