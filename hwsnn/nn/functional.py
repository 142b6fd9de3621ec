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

:func:`spiking_sequence` and :func:`leaky_sequence` run the whole time loop of a layer
as one autograd node (:mod:`hwsnn.nn._fused`) when the surrogate gives its backward
formula; the ``*_reference`` loops record every step under autograd (``unbind`` the
input once, ``stack`` the outputs once) and define the gradients the fused loop matches
bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, cast

import torch
from torch import Tensor

from hwsnn.nn._fused import FusableSurrogate, LoopSpec, fused_leaky, fused_spiking

__all__ = [
    "FastSigmoid",
    "FusableSurrogate",
    "NeuronConstants",
    "Surrogate",
    "Triangle",
    "fast_sigmoid_spike",
    "integrate",
    "leaky_sequence",
    "leaky_sequence_reference",
    "spiking_sequence",
    "spiking_sequence_reference",
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
        return _FastSigmoidSpike.grad(v, threshold, ctx.slope, grad), None, None

    @staticmethod
    def grad(v: Tensor, threshold: Tensor, slope: float, grad: Tensor) -> Tensor:
        """``grad / (slope |v - threshold| + 1)^2`` (in place on one temporary)."""
        x = v - threshold
        return grad / x.abs_().mul_(slope).add_(1.0).pow_(2)


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
        return _TriangleSpike.grad(v, threshold, ctx.alpha, grad), None, None

    @staticmethod
    def grad(v: Tensor, threshold: Tensor, alpha: float, grad: Tensor) -> Tensor:
        """``grad * alpha * max(0, 1 - |(v - threshold) / threshold|)``."""
        width = ((v - threshold) / threshold).abs_().neg_().add_(1.0).clamp_min_(0.0)
        return grad * width.mul_(alpha)


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

    def surrogate_grad(self, v: Tensor, threshold: Tensor, grad: Tensor) -> Tensor:
        """``grad / (slope |v - threshold| + 1)^2``: the backward of :func:`fast_sigmoid_spike`."""
        return _FastSigmoidSpike.grad(v, threshold, self.slope, grad)


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

    def surrogate_grad(self, v: Tensor, threshold: Tensor, grad: Tensor) -> Tensor:
        """``grad * alpha * max(0, 1 - |(v - threshold) / threshold|)`` (paper 004 eq. 8)."""
        return _TriangleSpike.grad(v, threshold, self.alpha, grad)


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


def _fusable(x: Tensor, consts: tuple[Tensor, ...], spike: object | None) -> bool:
    """The fused loop applies: known surrogate, constants of ``x``'s dtype, none trained."""
    if spike is not None and not isinstance(spike, FusableSurrogate):
        return False
    return all(k.dtype == x.dtype and not k.requires_grad for k in consts)


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

    With a :class:`FusableSurrogate` (``FastSigmoid``, ``Triangle``) the whole loop is one
    autograd node (:mod:`hwsnn.nn._fused`); other surrogates run
    :func:`spiking_sequence_reference`. Both give the same spikes and gradients.

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
    consts = (c.keep, c.gain, c.leak, threshold, v_reset)
    if not _fusable(x, consts, spike):
        return spiking_sequence_reference(
            x,
            c,
            threshold,
            subtract=subtract,
            v_reset=v_reset,
            spike=spike,
            detach_reset=detach_reset,
        )
    spec = LoopSpec(
        c.unit_keep,
        c.unit_gain,
        c.zero_leak,
        subtract,
        detach_reset,
        cast(FusableSurrogate, spike),
    )
    return fused_spiking(_weighted(x, c), c.keep, c.leak, threshold, v_reset, spec)


def spiking_sequence_reference(
    x: Tensor,
    c: NeuronConstants,
    threshold: Tensor,
    *,
    subtract: bool,
    v_reset: Tensor,
    spike: Surrogate,
    detach_reset: bool,
) -> Tensor:
    """:func:`spiking_sequence` as a plain per-step loop under autograd (the reference).

    Same arguments and result; autograd records every step's operations.
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
    """Run an LI readout over a sequence from zero membrane; return ``v`` per step.

    One autograd node for the whole loop (same values and gradients as
    :func:`leaky_sequence_reference`).
    """
    if not _fusable(x, (c.keep, c.gain, c.leak), None):
        return leaky_sequence_reference(x, c)
    spec = LoopSpec(c.unit_keep, c.unit_gain, c.zero_leak)
    return fused_leaky(_weighted(x, c), c.keep, c.leak, spec)


def leaky_sequence_reference(x: Tensor, c: NeuronConstants) -> Tensor:
    """:func:`leaky_sequence` as a plain per-step loop under autograd (the reference)."""
    weighted = _weighted(x, c)
    v = torch.zeros_like(weighted[0])
    out: list[Tensor] = []
    for current in weighted.unbind(0):
        v = integrate(v, current, c)
        out.append(v)
    return torch.stack(out)
