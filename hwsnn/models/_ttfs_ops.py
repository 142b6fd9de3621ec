"""Torch kernels of the n-LIF closed form (paper 003, eq. 4) on exponentiated spike times.

Values are ``z = exp(t / tau_syn)``; with ``tau_syn = 1`` and ``v_threshold = 1`` a neuron
fed by inputs ``z_i`` through weights ``w_i`` spikes at
``z = sum_{i in C} w_i z_i / (sum_{i in C} w_i - 1)`` where ``C`` is the causal set: the
inputs that spike before it. The causal set is found by sorting the inputs and taking
the first prefix whose solution falls between its last input and the next one.
``z_max = exp(t_max)`` stands for "no spike" both as input and as output.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ["nlif_conv2d", "nlif_dense", "quant_scale", "quantize_ste", "ttfs_maxpool2d"]


def _first_crossing(a: Tensor, s: Tensor, zs: Tensor, z_max: float) -> Tensor:
    """Pick, per neuron, the first prefix ``k`` whose solution ``a_k / (s_k - 1)`` is causal.

    Args:
        a: Prefix sums ``sum_{i<=k} w_i z_(i)``, shape ``(..., N)``.
        s: Prefix sums ``sum_{i<=k} w_i``, shape ``(..., N)``.
        zs: Sorted input values broadcastable to ``a``.
        z_max: Value of "no spike".

    Returns:
        Output values ``z`` of shape ``a.shape[:-1]``; the choice of ``k`` carries no gradient.
    """
    with torch.no_grad():
        denom = s - 1.0
        cand = a / torch.where(denom > 0, denom, torch.ones_like(denom))
        zs_b = zs.expand_as(a)
        nxt = torch.cat([zs_b[..., 1:], torch.full_like(zs_b[..., :1], float("inf"))], dim=-1)
        valid = (denom > 0) & (cand >= zs_b) & (cand <= nxt) & (cand < z_max)
        fires = valid.any(dim=-1)
        k = valid.to(torch.uint8).argmax(dim=-1, keepdim=True)
    a_k = a.gather(-1, k).squeeze(-1)
    s_k = s.gather(-1, k).squeeze(-1)
    safe = torch.where(fires, s_k - 1.0, torch.ones_like(s_k))
    return torch.where(fires, a_k / safe, torch.full_like(a_k, z_max))


def nlif_dense(z: Tensor, weight: Tensor, z_max: float) -> Tensor:
    """Exact n-LIF layer: inputs ``z`` (B, N), weights (M, N) -> output ``z`` (B, M).

    Memory is ``O(B M N)`` (weights gathered in each sample's causal order).
    """
    zs, idx = torch.sort(z, dim=1)
    w = weight[:, idx].permute(1, 0, 2)  # (B, M, N), columns in causal order
    a = torch.cumsum(w * zs[:, None, :], dim=2)
    s = torch.cumsum(w, dim=2)
    return _first_crossing(a, s, zs[:, None, :], z_max)


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

    ``scale = max|w| / (2^(bits-1) - 1)``; forward ``round(w / scale) * scale`` clipped to
    the signed range, backward identity (paper 003 Sec. 4.3: forward quantised, backward
    full precision). ``bits >= 32`` returns ``weight`` unchanged; the scale comes from
    :func:`quant_scale`.
    """
    if bits >= 32:
        return weight
    levels = 2 ** (bits - 1) - 1
    scale = quant_scale(weight.detach(), bits)
    q = torch.clamp(torch.round(weight / scale), -levels, levels) * scale
    return weight + (q - weight).detach()


def quant_scale(weight: Tensor, bits: int) -> Tensor:
    """Step (weight units) of the ``bits``-bit grid: ``max|w| / (2^(bits-1) - 1)``.

    For 2 bits (ternary ``{-s, 0, s}``) the max rule zeroes almost every weight, so the
    ternary-weight-network rule is used instead: ``s = 1.4 mean|w|`` (threshold
    ``0.7 mean|w|``; Li et al., arXiv 1605.04711).
    """
    if bits == 2:
        scale: Tensor = (1.4 * weight.abs().mean()).clamp_min(1e-12)
        return scale
    scale = weight.abs().max().clamp_min(1e-12) / (2 ** (bits - 1) - 1)
    return scale
