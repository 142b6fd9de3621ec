"""Torch kernels of the n-LIF closed form (paper 003, eq. 4) on exponentiated spike times.

Values are ``z = exp(t / tau_syn)``; with ``tau_syn = 1`` and ``v_threshold = 1`` a neuron
fed by inputs ``z_i`` through weights ``w_i`` spikes at
``z = sum_{i in C} w_i z_i / (sum_{i in C} w_i - 1)`` where ``C`` is the causal set: the
inputs that spike before it. The causal set is found by sorting the inputs and taking
the first prefix after which the membrane reaches threshold before the next input.
``z_max = exp(t_max)`` stands for "no spike" both as input and as output.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ["nlif_conv2d", "nlif_dense", "quant_scale", "quantize_ste", "ttfs_maxpool2d"]


def _solve(z: Tensor, weight: Tensor, z_max: float) -> tuple[Tensor, Tensor, Tensor]:
    """Forward solution of eq. 4 without autograd.

    The membrane in the ``z`` domain after the ``k`` earliest inputs is
    ``v(z) = s_k - a_k / z`` (``s_k = sum w``, ``a_k = sum w z_i`` over the prefix); it is
    continuous, so the neuron fires in the first interval ``[z_(k), z_(k+1)]`` whose end
    value reaches 1, at ``z = a_k / (s_k - 1)``. Only the last input of a group of equal
    times can end an interval, and the last interval ends at ``z_max``.

    Args:
        z: Input values (B, N).
        weight: Weights (M, N).
        z_max: Value of "no spike".

    Returns:
        ``(z_out, z_last, inv)`` each (B, M): output value (``z_max`` when silent), value of
        the last causal input (``-inf`` when silent) and ``1 / (s_k - 1)`` (0 when silent).
    """
    zs, idx = torch.sort(z, dim=1)
    nxt = torch.cat([zs[:, 1:], torch.full_like(zs[:, :1], z_max)], dim=1).clamp_(max=z_max)
    last = torch.cat([zs[:, 1:] > zs[:, :-1], torch.ones_like(zs[:, :1], dtype=torch.bool)], 1)
    last &= zs < z_max
    ws = weight[:, idx].permute(1, 0, 2)  # (B, M, N), columns in causal order
    s = torch.cumsum(ws, dim=2)
    a = torch.cumsum(ws.mul_(zs[:, None, :]), dim=2)
    del ws
    v_end = torch.addcdiv(s, a, nxt[:, None, :].expand_as(a), value=-1.0)
    trig = (v_end >= 1.0).logical_and_(last[:, None, :])
    del v_end
    k = trig.view(torch.uint8).argmax(dim=2, keepdim=True)
    denom = s.gather(2, k).squeeze(2) - 1.0
    fires = trig.gather(2, k).squeeze(2) & (denom > 0)
    denom = torch.where(fires, denom, torch.ones_like(denom))
    a_k = a.gather(2, k).squeeze(2)
    out = torch.where(fires, a_k / denom, torch.full_like(a_k, z_max))
    z_last = torch.where(fires, zs.gather(1, k.squeeze(2)), torch.full_like(a_k, -math.inf))
    return out, z_last, torch.where(fires, 1.0 / denom, torch.zeros_like(denom))


class _NLIFDense(torch.autograd.Function):
    """Eq. 4 with the analytic gradient over the causal set ``C``.

    ``dz/dw_i = (z_i - z) / (sum_C w - 1)`` and ``dz/dz_i = w_i / (sum_C w - 1)`` for
    ``i in C``, zero outside ``C`` and for silent neurons.
    """

    @staticmethod
    def forward(ctx: Any, z: Tensor, weight: Tensor, z_max: float) -> Tensor:
        out, z_last, inv = _solve(z.detach(), weight.detach(), z_max)
        ctx.save_for_backward(z, weight, out, z_last, inv)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, Tensor, None]:
        z, weight, out, z_last, inv = ctx.saved_tensors
        causal = z[:, None, :] <= z_last[:, :, None]  # (B, M, N)
        p = torch.where(causal, (grad * inv)[:, :, None], 0.0)
        grad_z = (p * weight).sum(dim=1)
        grad_w = (p * z[:, None, :]).sum(dim=0) - (p * out[:, :, None]).sum(dim=0)
        return grad_z, grad_w, None


def nlif_dense(z: Tensor, weight: Tensor, z_max: float) -> Tensor:
    """Exact n-LIF layer: inputs ``z`` (B, N), weights (M, N) -> output ``z`` (B, M).

    Memory is ``O(B M N)`` (weights gathered in each sample's causal order); the choice of
    the causal set carries no gradient.
    """
    out: Tensor = _NLIFDense.apply(z, weight, z_max)  # type: ignore[no-untyped-call]
    return out


def nlif_conv2d(z: Tensor, weight: Tensor, stride: tuple[int, int], z_max: float) -> Tensor:
    """Exact n-LIF convolution (no padding): ``z`` (B, C, H, W), weight (Co, C, kh, kw)."""
    b, _, h, w = z.shape
    co, _, kh, kw = weight.shape
    ho, wo = (h - kh) // stride[0] + 1, (w - kw) // stride[1] + 1
    patches = F.unfold(z, (kh, kw), stride=stride)  # (B, K, L)
    flat = patches.transpose(1, 2).reshape(b * ho * wo, -1)
    out = nlif_dense(flat, weight.reshape(co, -1), z_max)  # (B*L, Co)
    return out.reshape(b, ho * wo, co).transpose(1, 2).reshape(b, co, ho, wo)


def ttfs_maxpool2d(z: Tensor, kernel: int) -> Tensor:
    """Max-pool of a temporal code = earliest spike = minimum ``z`` in each window."""
    return -F.max_pool2d(-z, kernel)


def quantize_ste(weight: Tensor, bits: int) -> Tensor:
    """Symmetric per-tensor uniform quantisation with a straight-through gradient.

    Forward ``round(w / scale) * scale`` clipped to the signed range, backward identity
    (paper 003 Sec. 4.3: forward quantised, backward full precision). ``bits >= 32`` returns
    ``weight`` unchanged; the scale comes from :func:`quant_scale`.
    """
    if bits >= 32:
        return weight
    levels = 2 ** (bits - 1) - 1
    scale = quant_scale(weight.detach(), bits)
    q = torch.clamp(torch.round(weight / scale), -levels, levels) * scale
    return weight + (q - weight).detach()


CLIP_RATIOS = tuple(0.1 + 0.02 * i for i in range(46))
"""Clipping levels tried by :func:`quant_scale`, as fractions of ``max|w|`` (0.1 .. 1.0)."""


def quant_scale(weight: Tensor, bits: int) -> Tensor:
    """Step (weight units) of the symmetric ``bits``-bit grid that fits ``weight`` best.

    3 to 16 bits: the step ``r max|w| / (2^(bits-1) - 1)`` over the clipping ratios ``r`` of
    :data:`CLIP_RATIOS` with the least squared error of the quantised (rounded, clipped)
    weights: the max rule (``r = 1``) spends most of a few-bit grid on a handful of outliers.
    More than 16 bits: the max rule. 2 bits (ternary ``{-s, 0, s}``): the ternary-weight-
    network rule ``s = 1.4 mean|w|`` (threshold ``0.7 mean|w|``; Li et al., arXiv 1605.04711).
    """
    if bits == 2:
        scale: Tensor = (1.4 * weight.abs().mean()).clamp_min(1e-12)
        return scale
    levels = 2 ** (bits - 1) - 1
    top: Tensor = weight.abs().max().clamp_min(1e-12) / levels
    if bits > 16:
        return top
    w = weight.reshape(1, -1)
    steps = top * torch.tensor(CLIP_RATIOS, dtype=weight.dtype).reshape(-1, 1)
    error = (torch.clamp(torch.round(w / steps), -levels, levels) * steps - w).pow(2).sum(dim=1)
    best: Tensor = steps[int(error.argmin())].reshape(())
    return best
