"""Fused time loops of the hwsnn neurons: one autograd node per layer, not several per step.

The forward pass runs the same float32 operations as the reference loops of
:mod:`hwsnn.nn.functional` (``v = keep * v + gain * I + leak``, strict threshold,
subtract or zero reset), written in place into preallocated ``(T, B, ...)`` tensors. It
keeps only the membrane before reset, ``h``; the spikes are ``h > v_threshold`` again.
The backward pass walks time in reverse with the same arithmetic that autograd runs on
the reference loop (same operations on the same operands, sums of two terms only), so
gradients are equal to the last bit:

* ``dL/dh_t = surrogate'(h_t) * dL/ds_t + dL/dh_t|reset``, with
  ``dL/ds_t = g_t - v_threshold * dL/dv_t`` when the subtract reset is not detached;
* through the reset: ``dL/dv_t`` for subtract, ``0`` where a zero reset fired;
* ``dL/dv_{t-1} = keep * dL/dh_t`` and ``dL/dI_t = gain * dL/dh_t``.

Per layer (T=25, B=64, 1 thread) this replaces ~6 autograd nodes and their saved
tensors per step by one node holding a single ``(T, B, ...)`` tensor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, cast, runtime_checkable

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

__all__ = ["FusableSurrogate", "LoopSpec", "fused_leaky", "fused_spiking"]


@runtime_checkable
class FusableSurrogate(Protocol):
    """A surrogate that also gives its backward formula, so a fused loop can apply it."""

    def __call__(self, v: Tensor, threshold: Tensor) -> Tensor:
        """Return 0/1 spikes of ``v`` against ``threshold``."""
        ...

    def surrogate_grad(self, v: Tensor, threshold: Tensor, grad: Tensor) -> Tensor:
        """``grad * ds/dv`` at membrane ``v`` (the same expression as the spike's backward)."""
        ...


@dataclass(frozen=True)
class LoopSpec:
    """Static description of one neuron layer's update (which terms run, which reset).

    Attributes:
        unit_keep: ``keep`` is exactly 1 (the multiplication is skipped).
        unit_gain: ``gain`` is exactly 1.
        zero_leak: ``leak`` is exactly 0 (the addition is skipped).
        subtract: Reset by subtraction (True) or to ``v_reset`` (False).
        detach_reset: The reset term carries no gradient.
        surrogate: Spike function with its backward formula (None for the LI readout).
    """

    unit_keep: bool
    unit_gain: bool
    zero_leak: bool
    subtract: bool = True
    detach_reset: bool = True
    surrogate: FusableSurrogate | None = None


def _empty_steps(w: Tensor) -> Tensor:
    """An uninitialised dense tensor shaped like ``w``, each step in the layout of ``w[0]``.

    A repeated static input (stride-0 time axis) gets ``T`` steps laid out like its one
    step (e.g. channels-last), not the standard layout.
    """
    if w.stride(0) != 0:
        return torch.empty_like(w)  # keeps a dense layout, else standard
    step = torch.empty_like(w[0])
    flat = torch.empty(w.shape[0] * step.numel(), dtype=w.dtype, device=w.device)
    return flat.as_strided(w.shape, (step.numel(), *step.stride()))


def _integrate_into(h: Tensor, v: Tensor, w: Tensor, c: tuple[Tensor, Tensor], s: LoopSpec) -> None:
    """``h = keep * v + w (+ leak)`` in place: the operations of ``functional.integrate``."""
    keep, leak = c
    if s.unit_keep:
        torch.add(v, w, out=h)
    else:
        torch.mul(keep, v, out=h)
        h.add_(w)
    if not s.zero_leak:
        h.add_(leak)


def spiking_forward(
    w: Tensor, consts: tuple[Tensor, Tensor, Tensor, Tensor], spec: LoopSpec, keep_h: bool
) -> tuple[Tensor, Tensor | None]:
    """Spikes ``(T, B, ...)`` for the weighted input ``w``; also ``h`` when ``keep_h``.

    Args:
        w: ``gain * I`` per step.
        consts: ``keep``, ``leak``, ``threshold``, ``v_reset``.
        spec: The layer's update.
        keep_h: Keep the membrane before reset of every step (for backward).
    """
    keep, leak, threshold, v_reset = consts
    out = _empty_steps(w)
    h_all = _empty_steps(w) if keep_h else None
    v = torch.zeros_like(out[0])
    scratch = torch.empty_like(v)
    for t in range(w.shape[0]):
        h = h_all[t] if h_all is not None else scratch
        _integrate_into(h, v, w[t], (keep, leak), spec)
        spikes = out[t]
        torch.gt(h, threshold, out=spikes)
        if spec.subtract:  # h - s * threshold; s * threshold is exact (s is 0 or 1)
            torch.addcmul(h, spikes, threshold, value=-1.0, out=v)
        else:
            torch.where(spikes > 0, v_reset, h, out=v)
    return out, h_all


def _spiking_backward(
    g: Tensor, h_all: Tensor, keep: Tensor, threshold: Tensor, spec: LoopSpec
) -> Tensor:
    """Gradient w.r.t. the weighted input ``w`` given the spikes' gradient ``g``."""
    surrogate = cast(FusableSurrogate, spec.surrogate)
    dw = _empty_steps(h_all)
    dv: Tensor | None = None  # dL/dv_t, v after the reset of step t
    for t in range(h_all.shape[0] - 1, -1, -1):
        h = h_all[t]
        gs = g[t]
        if dv is not None and spec.subtract and not spec.detach_reset:
            gs = gs - dv * threshold
        dh = surrogate.surrogate_grad(h, threshold, gs)
        if dv is not None:
            if not spec.subtract:
                dv = torch.where(h > threshold, dv.new_zeros(()), dv)
            dh = dh + dv
        dw[t] = dh
        dv = dh if spec.unit_keep else dh * keep
    return dw


class _SpikingLoop(torch.autograd.Function):
    """LIF/IF layer over a whole sequence as one autograd node."""

    @staticmethod
    def forward(
        ctx: Any,
        w: Tensor,
        keep: Tensor,
        leak: Tensor,
        threshold: Tensor,
        v_reset: Tensor,
        spec: LoopSpec,
    ) -> Tensor:
        out, h_all = spiking_forward(w, (keep, leak, threshold, v_reset), spec, keep_h=True)
        ctx.save_for_backward(h_all, keep, threshold)
        ctx.spec = spec
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, g: Tensor) -> tuple[Tensor | None, ...]:
        h_all, keep, threshold = ctx.saved_tensors
        return _spiking_backward(g, h_all, keep, threshold, ctx.spec), None, None, None, None, None


def fused_spiking(
    w: Tensor, keep: Tensor, leak: Tensor, threshold: Tensor, v_reset: Tensor, spec: LoopSpec
) -> Tensor:
    """Spikes of a LIF/IF layer for the weighted input ``w = gain * I`` ``(T, B, ...)``.

    Uses one autograd node when ``w`` needs a gradient; no saved state otherwise.
    ``spec.surrogate`` must be set.
    """
    if torch.is_grad_enabled() and w.requires_grad:
        out = _SpikingLoop.apply(w, keep, leak, threshold, v_reset, spec)  # type: ignore[no-untyped-call]
        return cast(Tensor, out)
    out, _ = spiking_forward(w, (keep, leak, threshold, v_reset), spec, keep_h=False)
    return out


def _leaky_forward(w: Tensor, keep: Tensor, leak: Tensor, spec: LoopSpec) -> Tensor:
    out = _empty_steps(w)
    v = torch.zeros_like(out[0])
    for t in range(w.shape[0]):
        _integrate_into(out[t], v, w[t], (keep, leak), spec)
        v = out[t]
    return out


class _LeakyLoop(torch.autograd.Function):
    """LI readout over a whole sequence as one autograd node (output: ``v`` per step)."""

    @staticmethod
    def forward(ctx: Any, w: Tensor, keep: Tensor, leak: Tensor, spec: LoopSpec) -> Tensor:
        ctx.save_for_backward(keep)
        ctx.spec = spec
        return _leaky_forward(w, keep, leak, spec)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, g: Tensor) -> tuple[Tensor | None, ...]:
        (keep,) = ctx.saved_tensors
        dw = _empty_steps(g)
        dv: Tensor | None = None  # dL/dv_t
        for t in range(g.shape[0] - 1, -1, -1):
            dh = g[t] if dv is None else g[t] + dv
            dw[t] = dh
            dv = dh if ctx.spec.unit_keep else dh * keep
        return dw, None, None, None


def fused_leaky(w: Tensor, keep: Tensor, leak: Tensor, spec: LoopSpec) -> Tensor:
    """Membrane per step of an LI readout for the weighted input ``w`` ``(T, B, ...)``."""
    if torch.is_grad_enabled() and w.requires_grad:
        return cast(Tensor, _LeakyLoop.apply(w, keep, leak, spec))  # type: ignore[no-untyped-call]
    return _leaky_forward(w, keep, leak, spec)
