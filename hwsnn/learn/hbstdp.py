"""Probabilistic Hybrid-STDP for binary convolution kernels (paper 002, ReStoCNet).

Srinivasan & Roy, "ReStoCNet: residual stochastic binary convolutional spiking neural
network for memory-efficient neuromorphic computing", Front. Neurosci. 13:189, 2019,
doi:10.3389/fnins.2019.00189 (``papers/002_47dea773f3451073.txt``).

Timing differences are read from traces: each pre-neuron's trace decays with ``tau_pre``
and is reset to 1 at its spike; a post-spike samples the traces of its receptive field.
eHB-STDP (eq. 2-3): a sampled trace ``>= pre_hebb_pot`` (small positive delay) switches a
low weight high with probability ``p_hebb_pot``; a trace ``<= pre_antihebb_dep`` (large
delay) switches a high weight low with ``p_antihebb_dep``; between the two is the dead
zone. iHB-STDP mirrors it for inhibitory (negative) pre-spikes: near depresses, far
potentiates. With signed pre-spike trains (:meth:`HBSTDPLayer.learn_spikes`) a trace is
reset to the sign of its pre-spike; the sign of a weight's averaged trace picks eHB-STDP
(>= 0) or iHB-STDP (< 0) and its magnitude the window (the paper does not say how traces
of a kernel weight shared by excitatory and inhibitory pre-neurons are combined; this is
our reading). Traces are averaged over the spiking post-neurons of a map taken with
``STDP_stride`` and over the mini-batch before the update. Thresholds start at 0 and rise
after every mini-batch by ``beta_thresh * spikes / map size`` (eq. 4); a fraction
``p_drop`` of the output maps is silenced per iteration.

The windows are thresholds on *averaged* traces, so where they sit relative to the
data's averaged traces decides which window ever acts: on Fashion-MNIST with Table 3
settings the averages span about 0.1 .. 0.36, above both 0.05 and 0.005, so only
potentiation acts and the kernels drift to all +1. :meth:`HBSTDPLayer.window_fractions`
reports how often each window was reached.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from hwsnn.errors import HwsnnError

__all__ = [
    "HBSTDPConfig",
    "HBSTDPLayer",
    "hbstdp_update",
    "hbstdp_update_signed",
    "init_binary_kernels",
    "poisson_signed",
    "table3_cifar10_c1",
    "variant",
]


@dataclass(frozen=True)
class HBSTDPConfig:
    """Hyper-parameters; defaults are paper 002 Table 3, column C1 (MNIST).

    Attributes:
        dt: Time step (s).
        t_stdp_steps: Steps each mini-batch is presented during learning (T_STDP / dt).
        max_rate_hz: Input Poisson rate at pixel value 1 during learning (Hz).
        tau_pre: Pre-trace time constant (s).
        pre_hebb_pot: Trace at or above which potentiation applies (delay below ~4.3 ms).
        pre_antihebb_dep: Trace at or below which depression applies (delay above ~7.7 ms).
        p_hebb_pot: Switching probability low -> high in the potentiation window.
        p_antihebb_dep: Switching probability high -> low in the depression window.
        tau_mem: LIF leak time constant of the conv neurons (s).
        beta_thresh: Rate of threshold increase (eq. 4).
        p_drop: Dropout probability of output maps per iteration.
        stdp_stride: Stride between the post-neurons whose traces are averaged.
        alpha_weight_init: Constant of eq. 7, ``p_high = sqrt(alpha / (fan_in + fan_out))``.
    """

    dt: float = 1e-3
    t_stdp_steps: int = 25
    max_rate_hz: float = 200.0
    tau_pre: float = 1.45e-3
    pre_hebb_pot: float = 0.05
    pre_antihebb_dep: float = 0.005
    p_hebb_pot: float = 0.01
    p_antihebb_dep: float = 0.01
    tau_mem: float = 9.5e-3
    beta_thresh: float = 6e-4
    p_drop: float = 0.5
    stdp_stride: int = 5
    alpha_weight_init: float = 75.0


def table3_cifar10_c1() -> HBSTDPConfig:
    """Paper 002 Table 3, column C1 (CIFAR-10), excitatory rule.

    ``alpha_weight_init`` 30, windows 0.02 / 0.005, ``p_hebb_pot`` 0.05; every other field
    is the same in the MNIST column (the :class:`HBSTDPConfig` defaults).
    """
    return replace(HBSTDPConfig(), alpha_weight_init=30.0, pre_hebb_pot=0.02, p_hebb_pot=0.05)


def variant(cfg: HBSTDPConfig, name: str) -> HBSTDPConfig:
    """Return a paper 002 Fig. 4 variant of ``cfg``.

    ``ehb``: the rule with its dead zone; ``ehb2``: dead zone -> potentiation window;
    ``ehb3``: dead zone -> depression window.
    """
    if name == "ehb":
        return cfg
    if name == "ehb2":
        return replace(cfg, pre_hebb_pot=cfg.pre_antihebb_dep * (1 + 1e-9))
    if name == "ehb3":
        return replace(cfg, pre_antihebb_dep=cfg.pre_hebb_pot * (1 - 1e-9))
    raise HwsnnError(f"unknown HB-STDP variant {name!r}; choose ehb, ehb2, ehb3")


def init_binary_kernels(
    shape: tuple[int, int, int, int], cfg: HBSTDPConfig, gen: torch.Generator
) -> Tensor:
    """Kernels in {-1, +1}, each +1 with probability ``p_high`` of eq. 7."""
    co, ci, kh, kw = shape
    fan_in, fan_out = ci * kh * kw, co * kh * kw
    p_high = min(1.0, math.sqrt(cfg.alpha_weight_init / (fan_in + fan_out)))
    return torch.where(torch.rand(shape, generator=gen) < p_high, 1.0, -1.0)


def hbstdp_update(
    weight: Tensor,
    trace: Tensor,
    active: Tensor,
    cfg: HBSTDPConfig,
    gen: torch.Generator,
    *,
    inhibitory: bool = False,
) -> Tensor:
    """One probabilistic e/iHB-STDP update of binary kernels.

    iHB-STDP (Sec. 2.2, Fig. 2B) mirrors the windows: a near trace switches a high weight
    low with ``p_hebb_pot`` (Table 3 ``p_Hebb_dep`` of iHB-STDP), a far trace a low weight
    high with ``p_antihebb_dep`` (``p_antiHebb_pot``).

    Args:
        weight: Kernels in {-1, +1}, shape ``(C_out, C_in, k, k)``.
        trace: Averaged sampled pre-traces per weight, same shape (in [0, 1]).
        active: ``(C_out,)`` bool, maps that spiked (others are not updated).
        cfg: Windows and probabilities.
        gen: Source of the switching randomness.
        inhibitory: Mirror the rule (iHB-STDP) for negative pre-spikes.

    Returns:
        The new kernels.
    """
    inh = torch.full(trace.shape, inhibitory, dtype=torch.bool)
    return _switch(weight, trace, inh, active, cfg, gen)


def hbstdp_update_signed(
    weight: Tensor, trace: Tensor, active: Tensor, cfg: HBSTDPConfig, gen: torch.Generator
) -> Tensor:
    """e/iHB-STDP on signed averaged traces (Sec. 2.2-2.3).

    eHB-STDP applies where ``trace >= 0`` and iHB-STDP on ``|trace|`` where ``trace < 0``
    (traces of inhibitory pre-spikes carry a minus sign). Draws one uniform number per
    weight, like :func:`hbstdp_update`.
    """
    return _switch(weight, trace.abs(), trace < 0, active, cfg, gen)


def _switch(
    weight: Tensor,
    mag: Tensor,
    inh: Tensor,
    active: Tensor,
    cfg: HBSTDPConfig,
    gen: torch.Generator,
) -> Tensor:
    near = mag >= cfg.pre_hebb_pot
    far = mag <= cfg.pre_antihebb_dep
    u = torch.rand(weight.shape, generator=gen)
    near_p = near & (u < cfg.p_hebb_pot)
    far_p = far & (u < cfg.p_antihebb_dep)
    mask = active[:, None, None, None]
    to_high = mask & torch.where(inh, far_p, near_p) & (weight < 0)
    to_low = mask & torch.where(inh, near_p, far_p) & (weight > 0)
    return torch.where(to_high, 1.0, torch.where(to_low, -1.0, weight))


def poisson_signed(x: Tensor, rate_hz: float, dt: float, gen: torch.Generator) -> Tensor:
    """Signed Bernoulli spikes: ``sign(x)`` with probability ``min(1, |x| rate_hz dt)``.

    Negative values fire inhibitory (-1) spikes (paper 002 Sec. 2.2); for ``x >= 0`` this
    equals ``rand < x * rate_hz * dt`` with the same random draws.
    """
    u = torch.rand(x.shape, generator=gen)
    return torch.sign(x) * (u < x.abs() * rate_hz * dt).float()


class HBSTDPLayer:
    """A binary conv layer (k x k, 'same' padding) of LIF neurons learned by HB-STDP.

    Args:
        c_in, c_out: Channels.
        cfg: Hyper-parameters.
        gen: Generator for initialisation, input spikes, dropout and switching.
        kernel_size: Odd kernel side ``k`` (paper 002 uses 3).
        wta_depth: During learning, only the map with the largest membrane overshoot
            fires at each position and the others there are reset (winner-take-all over
            depth, Ferre et al. 2018; not part of paper 002's conv rule).
    """

    def __init__(
        self,
        c_in: int,
        c_out: int,
        cfg: HBSTDPConfig,
        gen: torch.Generator,
        *,
        kernel_size: int = 3,
        wta_depth: bool = False,
    ) -> None:
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise HwsnnError(f"kernel_size must be odd and positive, got {kernel_size}")
        self.cfg = cfg
        self.gen = gen
        self.wta_depth = wta_depth
        self.weight = init_binary_kernels((c_out, c_in, kernel_size, kernel_size), cfg, gen)
        self.threshold = torch.zeros(c_out)
        self.window_hits = torch.zeros(3, dtype=torch.float64)

    def _decays(self) -> tuple[float, float]:
        return math.exp(-self.cfg.dt / self.cfg.tau_pre), math.exp(-self.cfg.dt / self.cfg.tau_mem)

    def learn_batch(self, images: Tensor, *, plastic: bool = True) -> int:
        """Present a mini-batch for ``t_stdp_steps`` steps, updating kernels every step.

        Poisson-encodes ``images`` (:func:`poisson_signed` at ``max_rate_hz``, drawn step by
        step) and calls :meth:`learn_spikes`.

        Args:
            images: Mini-batch ``(B, C_in, H, W)``; values in [0, 1] give excitatory
                spikes, negative values inhibitory ones at rate ``|x| max_rate_hz``.
            plastic: Switch kernels by HB-STDP; ``False`` only adapts the thresholds
                (eq. 4), which gives the random-kernel baseline its own thresholds.

        Returns:
            Output spikes emitted (for monitoring).
        """
        cfg = self.cfg
        steps = (
            poisson_signed(images, cfg.max_rate_hz, cfg.dt, self.gen)
            for _ in range(cfg.t_stdp_steps)
        )
        return self.learn_spikes(steps, plastic=plastic)

    def learn_spikes(self, seq: Iterable[Tensor], *, plastic: bool = True) -> int:
        """Learn from given pre-spike trains, one ``(B, C_in, H, W)`` frame per step.

        Frames hold +1 (excitatory), -1 (inhibitory) or 0; a ``(T, B, C_in, H, W)`` tensor
        iterates over its steps. Pre-traces are reset to ``+1`` / ``-1`` at a spike and
        decay with ``tau_pre``; their averages drive :func:`hbstdp_update_signed`.
        Thresholds rise by eq. 4 after the train.

        Returns:
            Output spikes emitted (for monitoring).
        """
        cfg, (d_pre, d_mem) = self.cfg, self._decays()
        co = self.weight.shape[0]
        keep = (torch.rand(co, generator=self.gen) >= cfg.p_drop).float()[None, :, None, None]
        trace = v = torch.zeros(0)
        counts, size = torch.zeros(co), 1
        for i, pre in enumerate(seq):
            if i == 0:
                trace = torch.zeros_like(pre)
                v = torch.zeros(pre.shape[0], co, *pre.shape[2:])
                size = pre.shape[-2] * pre.shape[-1]
            trace = torch.where(pre != 0, pre, trace * d_pre)
            v = d_mem * v + F.conv2d(pre, self.weight, padding=self.weight.shape[-1] // 2)
            post = (v > self.threshold[None, :, None, None]).float() * keep
            if self.wta_depth:
                post, fired = _winner_over_depth(v - self.threshold[None, :, None, None], post)
                v = v * (1 - fired)
            else:
                v = v * (1 - post)
            counts += post.sum(dim=(0, 2, 3))
            if plastic and post.any():
                self._update(trace, post)
        self.threshold += cfg.beta_thresh * counts / size
        return int(counts.sum())

    def _update(self, trace: Tensor, post: Tensor) -> None:
        s = self.cfg.stdp_stride
        sub = torch.zeros_like(post)
        sub[:, :, ::s, ::s] = post[:, :, ::s, ::s]  # post-neurons taken with STDP_stride
        k = self.weight.shape[-1]
        patches = F.unfold(trace, k, padding=k // 2)  # (B, Ci*k*k, L)
        flat = sub.flatten(2)  # (B, Co, L)
        n = flat.sum(dim=2)  # (B, Co)
        per_map = torch.einsum("bkl,bol->bok", patches, flat) / n.clamp_min(1)[..., None]
        has = (n > 0).float()
        avg = (per_map * has[..., None]).sum(dim=0) / has.sum(dim=0).clamp_min(1)[:, None]
        active = has.sum(dim=0) > 0
        self._count_windows(avg[active].abs())
        self.weight = hbstdp_update_signed(
            self.weight, avg.reshape(self.weight.shape), active, self.cfg, self.gen
        )

    def _count_windows(self, avg: Tensor) -> None:
        near = avg >= self.cfg.pre_hebb_pot
        far = (avg <= self.cfg.pre_antihebb_dep) & ~near
        hits = torch.stack([near.sum(), (~near & ~far).sum(), far.sum()])
        self.window_hits += hits.double()

    def window_fractions(self) -> dict[str, float]:
        """Share of averaged sampled traces that fell in each eHB-STDP window so far.

        Returns:
            ``hebb_pot`` (trace >= ``pre_hebb_pot``), ``dead_zone`` (between the two
            thresholds) and ``antihebb_dep`` (trace <= ``pre_antihebb_dep``), summing to 1
            once any update ran (all 0 before).
        """
        total = float(self.window_hits.sum())
        keys = ("hebb_pot", "dead_zone", "antihebb_dep")
        return {
            k: float(v) / total if total else 0.0
            for k, v in zip(keys, self.window_hits, strict=True)
        }


def _winner_over_depth(over: Tensor, post: Tensor) -> tuple[Tensor, Tensor]:
    """Keep, per position, only the firing map with the largest overshoot ``over``.

    Returns:
        The winners' spikes and a ``(B, 1, H, W)`` mask of positions where any map fired
        (all maps there are reset).
    """
    masked = torch.where(post > 0, over, torch.full_like(over, -math.inf))
    win = F.one_hot(masked.argmax(dim=1), post.shape[1]).permute(0, 3, 1, 2).float()
    fired = (post.sum(dim=1, keepdim=True) > 0).float()
    return win * fired, fired


def kernel_memory_compression(
    n_base: int, k_base: int, n: int, k: int, bits_full: int = 32, bits_binary: int = 2
) -> float:
    """Paper 002 eq. 8: ``N_b k_b^2 nbits_full / (N k^2 nbits_binary)`` (2 bits store {-1, +1})."""
    return (n_base * k_base**2 * bits_full) / (n * k**2 * bits_binary)


def as_numpy(weight: Tensor) -> np.ndarray:  # type: ignore[type-arg]
    """Kernels as float64 numpy (for export)."""
    return weight.detach().double().numpy()
