"""Synapse nodes: stateless maps from one activation to the next (no delay)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, cast

from hwsnn.errors import IRValidationError
from hwsnn.ir._base import FloatArray, Node, Quantization, Shape, as_pair, check_broadcastable

__all__ = [
    "Add",
    "Affine",
    "AvgPool2d",
    "Concat",
    "Conv2d",
    "Flatten",
    "Linear",
    "MaxPool2d",
    "ReLU",
    "Scale",
    "SumPool2d",
]


def _window_out(size: int, kernel: int, stride: int, padding: int, dilation: int = 1) -> int:
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _check_quant(owner: str, quant: object) -> None:
    if quant is not None and not isinstance(quant, Quantization):
        raise IRValidationError(f"{owner}.quant: expected Quantization or None, got {quant!r}")


@dataclass(frozen=True, kw_only=True, eq=False)
class Linear(Node):
    """``y = W x`` over the last axis.

    Attributes:
        weight: Weights, shape ``(out, in)``.
        quant: Optional weight quantisation.
    """

    weight: FloatArray
    quant: Quantization | None = None

    def _validate(self) -> None:
        self._array("weight", ndim=2)
        _check_quant(type(self).__name__, self.quant)

    def infer_shape(self, inputs: tuple[Shape, ...]) -> Shape:
        """Output shape (see :meth:`Node.infer_shape`)."""
        (shape,) = inputs
        if len(shape) != 1 or shape[0] != self.weight.shape[1]:
            raise IRValidationError(
                f"{type(self).__name__}: weight {self.weight.shape} expects input "
                f"({self.weight.shape[1]},), got {shape}"
            )
        return (self.weight.shape[0],)


@dataclass(frozen=True, kw_only=True, eq=False)
class Affine(Linear):
    """``y = W x + b``.

    Attributes:
        bias: Bias, shape ``(out,)``.
    """

    bias: FloatArray

    def _validate(self) -> None:
        super()._validate()
        self._array("bias", ndim=1)
        if self.bias.shape[0] != self.weight.shape[0]:
            raise IRValidationError(
                f"Affine.bias: shape {self.bias.shape} != ({self.weight.shape[0]},)"
            )


@dataclass(frozen=True, kw_only=True, eq=False)
class Conv2d(Node):
    """2-D cross-correlation in PyTorch semantics on ``(C, H, W)`` activations.

    Attributes:
        weight: Kernels, shape ``(C_out, C_in / groups, kH, kW)``.
        bias: Optional bias ``(C_out,)``.
        stride, padding, dilation: ``(H, W)`` pairs; padding is zeros.
        groups: Number of channel groups.
        quant: Optional weight quantisation.
    """

    weight: FloatArray
    bias: FloatArray | None = None
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1
    quant: Quantization | None = None

    def _validate(self) -> None:
        self._array("weight", ndim=4)
        if self.bias is not None:
            self._array("bias", ndim=1)
            if self.bias.shape[0] != self.weight.shape[0]:
                raise IRValidationError(
                    f"Conv2d.bias: shape {self.bias.shape} != ({self.weight.shape[0]},)"
                )
        for name, minimum in (("stride", 1), ("padding", 0), ("dilation", 1)):
            self._set(name, as_pair("Conv2d", name, getattr(self, name), minimum=minimum))
        if (
            not isinstance(self.groups, int)
            or self.groups < 1
            or self.weight.shape[0] % self.groups
        ):
            raise IRValidationError(f"Conv2d.groups: {self.groups!r} must be >= 1 and divide C_out")
        _check_quant("Conv2d", self.quant)

    def infer_shape(self, inputs: tuple[Shape, ...]) -> Shape:
        """Output shape (see :meth:`Node.infer_shape`)."""
        (shape,) = inputs
        c_in = self.weight.shape[1] * self.groups
        if len(shape) != 3 or shape[0] != c_in:
            raise IRValidationError(
                f"Conv2d: weight {self.weight.shape} expects ({c_in}, H, W), got {shape}"
            )
        h, w = (
            _window_out(
                shape[1 + i],
                self.weight.shape[2 + i],
                self.stride[i],
                self.padding[i],
                self.dilation[i],
            )
            for i in range(2)
        )
        if h < 1 or w < 1:
            raise IRValidationError(f"Conv2d: input {shape} is smaller than the kernel")
        return (self.weight.shape[0], h, w)


@dataclass(frozen=True, kw_only=True, eq=False)
class _Window(Node):
    """Shared fields and checks of the 2-D window nodes (pooling over ``(C, H, W)``).

    Attributes:
        kernel_size: Window ``(kH, kW)``.
        stride: Window step ``(sH, sW)``; ``None`` means ``kernel_size``.
        padding: Padding ``(pH, pW)`` on both sides, at most half the window.
    """

    kernel_size: tuple[int, int]
    stride: tuple[int, int] | None = None
    padding: tuple[int, int] = (0, 0)

    def _validate(self) -> None:
        owner = type(self).__name__
        self._set("kernel_size", as_pair(owner, "kernel_size", self.kernel_size, minimum=1))
        stride = self.kernel_size if self.stride is None else self.stride
        self._set("stride", as_pair(owner, "stride", stride, minimum=1))
        self._set("padding", as_pair(owner, "padding", self.padding, minimum=0))
        if any(2 * p > k for p, k in zip(self.padding, self.kernel_size, strict=True)):
            raise IRValidationError(f"{owner}.padding: must be at most half the kernel size")

    def infer_shape(self, inputs: tuple[Shape, ...]) -> Shape:
        """Output shape (see :meth:`Node.infer_shape`)."""
        (shape,) = inputs
        if len(shape) != 3:
            raise IRValidationError(f"{type(self).__name__}: expects (C, H, W) input, got {shape}")
        stride = cast(tuple[int, int], self.stride)  # set by _validate
        h, w = (
            _window_out(shape[1 + i], self.kernel_size[i], stride[i], self.padding[i])
            for i in range(2)
        )
        if h < 1 or w < 1:
            raise IRValidationError(
                f"{type(self).__name__}: input {shape} is smaller than the window"
            )
        return (shape[0], h, w)

    @property
    def window(self) -> int:
        """Number of inputs per window."""
        return self.kernel_size[0] * self.kernel_size[1]


@dataclass(frozen=True, kw_only=True, eq=False)
class SumPool2d(_Window):
    """Sum over ``kernel_size`` windows of ``(C, H, W)`` activations (zero padding)."""


@dataclass(frozen=True, kw_only=True, eq=False)
class MaxPool2d(_Window):
    """Value max over windows of ``(C, H, W)`` activations (``torch.nn.MaxPool2d``).

    Padding is ``-inf`` (never selected), as in PyTorch and ONNX ``MaxPool``; floor
    windows, no dilation. Deliberately not a :class:`SumPool2d`: code that treats pools as
    window sums (operation counts, crossbar and Loihi lowering) must not take it for one.
    """


@dataclass(frozen=True, kw_only=True, eq=False)
class ReLU(Node):
    """Rectifier ``y = max(x, 0)`` element-wise, any shape (stateless, no parameters).

    The activation of the conventional CNN layers of paper 000 (SAFE-DNN, Sec. 4.1).
    """


@dataclass(frozen=True, kw_only=True, eq=False)
class AvgPool2d(SumPool2d):
    """Mean over windows; padded zeros count in the mean (PyTorch's default)."""


@dataclass(frozen=True, kw_only=True, eq=False)
class Flatten(Node):
    """Flatten dims ``start_dim..end_dim`` of the activation (dims exclude batch)."""

    start_dim: int = 0
    end_dim: int = -1

    def infer_shape(self, inputs: tuple[Shape, ...]) -> Shape:
        """Output shape (see :meth:`Node.infer_shape`)."""
        (shape,) = inputs
        n = len(shape)
        if not (-n <= self.start_dim < n and -n <= self.end_dim < n):
            raise IRValidationError(
                f"Flatten: dims {self.start_dim}..{self.end_dim} invalid for {shape}"
            )
        start, end = self.start_dim % n, self.end_dim % n
        if start > end:
            raise IRValidationError(f"Flatten: start_dim after end_dim for {shape}")
        return (*shape[:start], math.prod(shape[start : end + 1]), *shape[end + 1 :])


@dataclass(frozen=True, kw_only=True, eq=False)
class Add(Node):
    """Element-wise sum of two or more inputs of equal shape (residual paths)."""

    arity: ClassVar[int | None] = None

    def infer_shape(self, inputs: tuple[Shape, ...]) -> Shape:
        """Output shape (see :meth:`Node.infer_shape`)."""
        if len(set(inputs)) != 1:
            raise IRValidationError(f"Add: inputs have different shapes {list(inputs)}")
        return inputs[0]


@dataclass(frozen=True, kw_only=True, eq=False)
class Concat(Node):
    """Joins two or more inputs along ``axis``, in edge order (depth concatenation).

    ``axis`` counts activation dims (no batch; negative counts from the end); the inputs
    must agree on every other dim. Paper 000 (SAFE-DNN, Sec. 4.1) joins its spiking
    feature maps and the auxiliary CNN's maps this way (axis 0, the channels).
    """

    arity: ClassVar[int | None] = None
    axis: int = 0

    def _validate(self) -> None:
        if not isinstance(self.axis, int) or isinstance(self.axis, bool):
            raise IRValidationError(f"Concat.axis: expected an int, got {self.axis!r}")

    def dim(self, ndim: int) -> int:
        """``axis`` as a non-negative activation dim for activations of rank ``ndim``."""
        if not -ndim <= self.axis < ndim:
            raise IRValidationError(f"Concat.axis: {self.axis} invalid for rank-{ndim} inputs")
        return self.axis % ndim

    def infer_shape(self, inputs: tuple[Shape, ...]) -> Shape:
        """Output shape (see :meth:`Node.infer_shape`)."""
        ranks = {len(shape) for shape in inputs}
        if len(ranks) != 1:
            raise IRValidationError(f"Concat: inputs have different ranks {list(inputs)}")
        axis = self.dim(ranks.pop())
        rest = {shape[:axis] + shape[axis + 1 :] for shape in inputs}
        if len(rest) != 1:
            raise IRValidationError(f"Concat: inputs differ off axis {self.axis}: {list(inputs)}")
        first = inputs[0]
        return (*first[:axis], sum(shape[axis] for shape in inputs), *first[axis + 1 :])


@dataclass(frozen=True, kw_only=True, eq=False)
class Scale(Node):
    """``y = x * scale`` element-wise (scale broadcasts to the activation)."""

    scale: FloatArray

    def _validate(self) -> None:
        self._array("scale")

    def infer_shape(self, inputs: tuple[Shape, ...]) -> Shape:
        """Output shape (see :meth:`Node.infer_shape`)."""
        check_broadcastable("Scale", "scale", self.scale, inputs[0])
        return inputs[0]
