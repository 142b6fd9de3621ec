"""Pure torch step functions and surrogate gradients of the hwsnn neurons.

The forward pass computes exactly the float32 operations of the reference simulator
(:mod:`hwsnn.sim._neurons`), in the same order, with the coefficients of
:func:`hwsnn.ir.neuron_coefficients`:

* integrate: ``v = keep * v + gain * I + leak``
* fire: ``s = (v > v_threshold)`` as 0/1 floats (strict comparison)
* reset: SUBTRACT ``v = v - s * v_threshold``; ZERO ``v = where(s > 0, v_reset, v)``

Multiplying by a coefficient of exactly 1 and adding a leak of exactly 0 are skipped:
both are exact in IEEE float32, so the skip changes no value (at most the sign of a
zero, which compares equal). The backward pass replaces the derivative of the step
function by a surrogate (fast sigmoid or triangle).

The time loop ``unbind``s the input once and ``stack``s the per-step outputs once.
Indexing ``x[t]`` or writing into a preallocated ``(T, ...)`` output instead adds one
autograd node per step whose backward touches the whole ``(T, ...)`` tensor (O(T^2)):
forward+backward of one LIF layer (T=25, B=64, 512 neurons, 1 thread) took 7.3 ms
this way against 28.5 ms (index + stack) and 62 ms (preallocated output).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, cast

import torch
from torch import Tensor

__all__ = [
    "FastSigmoid",
    "NeuronConstants",
    "Surrogate",
    "Triangle",
    "fast_sigmoid_spike",
    "integrate",
    "leaky_sequence",
    "spiking_sequence",
    "triangle_spike",
]


class _FastSigmoidSpike(torch.autograd.Function):
    """Heaviside ``v > threshold`` with the fast-sigmoid derivative ``1 / (slope |x| + 1)^2``."""

    @staticmethod
    def forward(ctx: Any, v: Tensor, threshold: Tensor, slope: float) -> Tensor:
        ctx.save_for_backward(v, threshold)
        ctx.slope = slope
        return (v > threshold).to(v.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        v, threshold = ctx.saved_tensors
        x = v - threshold
        return grad / (ctx.slope * x.abs() + 1.0) ** 2, None, None


class _TriangleSpike(torch.autograd.Function):
    """Heaviside ``v > threshold`` with the triangle derivative of paper 004, eq. 8."""

    @staticmethod
    def forward(ctx: Any, v: Tensor, threshold: Tensor, alpha: float) -> Tensor:
        ctx.save_for_backward(v, threshold)
        ctx.alpha = alpha
        return (v > threshold).to(v.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        v, threshold = ctx.saved_tensors
        width = (1.0 - ((v - threshold) / threshold).abs()).clamp_min(0.0)
        return grad * (ctx.alpha * width), None, None


def fast_sigmoid_spike(v: Tensor, threshold: Tensor, slope: float = 25.0) -> Tensor:
    """Spikes ``(v > threshold)`` with the SuperSpike fast-sigmoid surrogate gradient.

    Backward: ``ds/dv = 1 / (slope * |v - threshold| + 1)^2`` (Zenke & Ganguli 2018,
    doi:10.1162/neco_a_01086). No gradient flows to ``threshold``.

    Args:
        v: Membrane potential, any shape.
        threshold: Firing threshold, broadcastable to ``v``.
        slope: Steepness of the surrogate (1 / potential units), > 0.

    Returns:
        0/1 spikes with the dtype and shape of ``v``.
    """
    return cast(Tensor, _FastSigmoidSpike.apply(v, threshold, slope))  # type: ignore[no-untyped-call]


def triangle_spike(v: Tensor, threshold: Tensor, alpha: float = 0.3) -> Tensor:
    """Spikes ``(v > threshold)`` with the triangle surrogate of paper 004 (BNTT), eq. 8.

    Backward: ``ds/dv = alpha * max(0, 1 - |(v - threshold) / threshold|)``
    (Kim & Panda 2021, doi:10.3389/fnins.2021.773954; ``alpha = 0.3`` there).
    No gradient flows to ``threshold``.

    Args:
        v: Membrane potential, any shape.
        threshold: Firing threshold (> 0), broadcastable to ``v``.
        alpha: Damping factor of the back-propagated gradient.

    Returns:
        0/1 spikes with the dtype and shape of ``v``.
    """
    return cast(Tensor, _TriangleSpike.apply(v, threshold, alpha))  # type: ignore[no-untyped-call]


class Surrogate(Protocol):
    """A spike function: forward ``(v > threshold)``, backward a smooth stand-in."""

    def __call__(self, v: Tensor, threshold: Tensor) -> Tensor:
        """Return 0/1 spikes of ``v`` against ``threshold``."""
        ...


@dataclass(frozen=True)
class FastSigmoid:
    """Fast-sigmoid surrogate (see :func:`fast_sigmoid_spike`).

    Attributes:
        slope: Steepness (1 / potential units).
    """

    slope: float = 25.0

    def __call__(self, v: Tensor, threshold: Tensor) -> Tensor:
        """Return 0/1 spikes of ``v`` against ``threshold``."""
        return fast_sigmoid_spike(v, threshold, self.slope)


@dataclass(frozen=True)
class Triangle:
    """Triangle surrogate of paper 004 eq. 8 (see :func:`triangle_spike`).

    Attributes:
        alpha: Damping factor of the gradient.
    """

    alpha: float = 0.3

    def __call__(self, v: Tensor, threshold: Tensor) -> Tensor:
        """Return 0/1 spikes of ``v`` against ``threshold``."""
        return triangle_spike(v, threshold, self.alpha)


@dataclass(frozen=True)
class NeuronConstants:
    """Float32 constants of one neuron layer and which terms are exact no-ops.

    Attributes:
        keep: Membrane retention per step (0-d or neuron-shaped tensor).
        gain: Input gain per step.
        leak: Constant drive per step.
        unit_keep: ``keep`` is exactly 1 (the multiplication is skipped).
        unit_gain: ``gain`` is exactly 1.
        zero_leak: ``leak`` is exactly 0 (the addition is skipped).
    """

    keep: Tensor
    gain: Tensor
    leak: Tensor
    unit_keep: bool
    unit_gain: bool
    zero_leak: bool


def integrate(v: Tensor, weighted: Tensor, c: NeuronConstants) -> Tensor:
    """One membrane update ``keep * v + (gain * I) + leak`` given ``weighted = gain * I``."""
    v = v + weighted if c.unit_keep else c.keep * v + weighted
    return v if c.zero_leak else v + c.leak


def _weighted(x: Tensor, c: NeuronConstants) -> Tensor:
    """``gain * I`` for the whole sequence at once (element-wise, so the same values)."""
    return x if c.unit_gain else c.gain * x


def spiking_sequence(
    x: Tensor,
    c: NeuronConstants,
    threshold: Tensor,
    *,
    subtract: bool,
    v_reset: Tensor,
    spike: Surrogate,
    detach_reset: bool,
) -> Tensor:
    """Run a LIF/IF layer over a sequence from zero membrane.

    Args:
        x: Input current, shape ``(T, B, *neuron_shape)``.
        c: The layer's coefficients.
        threshold: Firing threshold (float32 tensor broadcastable to the neurons).
        subtract: Reset by subtraction (True) or to ``v_reset`` (False).
        v_reset: Membrane value after a spike when ``subtract`` is False.
        spike: The spike function with its surrogate gradient.
        detach_reset: Keep the reset term out of the gradient (snnTorch's default).

    Returns:
        Spikes, shape ``(T, B, *neuron_shape)``, 0/1 in the dtype of ``x``.
    """
    weighted = _weighted(x, c)
    v = torch.zeros_like(weighted[0])
    out: list[Tensor] = []
    for current in weighted.unbind(0):
        v = integrate(v, current, c)
        s = spike(v, threshold)
        r = s.detach() if detach_reset else s
        v = v - r * threshold if subtract else torch.where(r > 0, v_reset, v)
        out.append(s)
    return torch.stack(out)


def leaky_sequence(x: Tensor, c: NeuronConstants) -> Tensor:
    """Run an LI readout over a sequence from zero membrane; return ``v`` per step."""
    weighted = _weighted(x, c)
    v = torch.zeros_like(weighted[0])
    out: list[Tensor] = []
    for current in weighted.unbind(0):
        v = integrate(v, current, c)
        out.append(v)
    return torch.stack(out)
