"""Stage 1 of SAFE-DNN (paper 000): the spiking conv module learned by FD stochastic STDP.

She et al., "SAFE-DNN: a deep neural network with spike-assisted feature extraction for
noise-robust inference" (``papers/000_996d16437485bc79.txt``, Sec. 2, 4.3). Pixels
``x in [0, 1]`` become Bernoulli spike trains of rate ``f = f_min + x (f_max - f_min)``
(Hz, clipped to that range as in Sec. 4.4); LIF neurons ``v <- (1 - 1/tau) v + conv(s, G)``
with non-negative conductances ``G`` integrate them; cross-depth inhibition lets only the
map with the largest ``v - theta`` fire at each pixel and resets every map there; each
post-spike updates its map's kernel by eq. 2-3 (:func:`hwsnn.learn.fdstdp.fd_stdp_update`),
averaged over the post-spikes of one step (mini-batch STDP). Adaptive thresholds ``theta``
(homeostasis, after Querlioz et al. 2013, DOI 10.1109/TNANO.2013.2250995) keep every map
winning about equally often, so the maps learn different local features.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import NDArray
from torch import Tensor

from hwsnn.errors import DataError
from hwsnn.learn.fdstdp import FDSTDPConfig, fd_stdp_update

__all__ = ["FrontEndConfig", "SpikingFrontEnd", "lif_staircase", "stdp_front_end"]


def _default_stdp() -> FDSTDPConfig:
    return FDSTDPConfig(alpha_p=0.05, alpha_d=0.05, f_max=200.0)


@dataclass(frozen=True)
class FrontEndConfig:
    """Spiking front-end constants.

    Attributes:
        maps: Feature maps (conv output channels).
        kernel: Kernel side (pixels).
        steps: ``T_input`` of the converted block: LIF steps the SAU staircase counts over.
        tau_steps: LIF membrane time constant (steps).
        max_rate_hz: Input rate of a white pixel (Hz); black is ``stdp.f_min``.
        dt: Step (s).
        learn_steps: Steps each image is presented for during STDP learning.
        theta0: Initial firing threshold during learning (units of conductance x spikes).
        homeostasis: Relative threshold change per batch for a map winning ``maps`` times
            its fair share (dimensionless).
        g_init: Range of the uniform initial conductances (units of ``g_max``).
        stdp: Constants of the FD stochastic STDP rule (eq. 2-3).
    """

    maps: int = 8
    kernel: int = 5
    steps: int = 10
    tau_steps: float = 10.0
    max_rate_hz: float = 200.0
    dt: float = 1e-3
    learn_steps: int = 20
    theta0: float = 12.0
    homeostasis: float = 0.1
    g_init: tuple[float, float] = (0.3, 0.7)
    stdp: FDSTDPConfig = field(default_factory=_default_stdp)


class SpikingFrontEnd:
    """Conductances ``g`` ``(maps, 1, k, k)`` in ``[g_min, g_max]``, learned by FD stochastic STDP.

    Attributes:
        g: Conductances (units of ``g_max``).
        theta: Per-map adaptive thresholds ``(maps,)``.
        wins: Post-spikes of each map so far ``(maps,)``.
    """

    def __init__(
        self, cfg: FrontEndConfig, stdp: FDSTDPConfig | None, gen: torch.Generator
    ) -> None:
        self.cfg, self.stdp, self.gen = cfg, stdp or cfg.stdp, gen
        lo, hi = cfg.g_init
        self.g = torch.rand((cfg.maps, 1, cfg.kernel, cfg.kernel), generator=gen) * (hi - lo) + lo
        self.theta = torch.full((cfg.maps,), cfg.theta0)
        self.wins = torch.zeros(cfg.maps)
        self.threshold = cfg.theta0  # kept for callers of the first version

    def learn(self, images: Tensor) -> None:
        """Present ``images`` ``(B, 1, H, W)`` for ``learn_steps`` steps, learning online.

        Raises:
            DataError: If ``images`` is not ``(B, 1, H, W)``.
        """
        if images.ndim != 4 or images.shape[1] != 1:
            raise DataError(
                f"SAFE front end: expected (B, 1, H, W) images, got {tuple(images.shape)}"
            )
        cfg, s = self.cfg, self.stdp
        freq = s.f_min + images.clamp(0, 1) * (cfg.max_rate_hz - s.f_min)
        age = torch.full_like(images, 1e3)  # s; "no pre-spike yet"
        v = torch.zeros(images.shape[0], cfg.maps, *images.shape[2:])
        counts = torch.zeros(cfg.maps)
        for _ in range(cfg.learn_steps):
            pre = (torch.rand(images.shape, generator=self.gen) < freq * cfg.dt).float()
            age = torch.where(pre > 0, torch.zeros_like(age), age + cfg.dt)
            v = (1 - 1 / cfg.tau_steps) * v + F.conv2d(pre, self.g, padding=cfg.kernel // 2)
            over = v - self.theta[None, :, None, None]
            best = over.max(dim=1, keepdim=True).values
            win = (over == best) & (best > 0)  # cross-depth inhibition
            v = torch.where(best > 0, torch.zeros_like(v), v)
            counts += self._update(win, age, freq)
        share = counts / counts.sum().clamp_min(1.0)
        step = cfg.homeostasis * self.theta.mean() * (share * cfg.maps - 1)
        self.theta = (self.theta + step).clamp_min(0.05 * cfg.theta0)
        self.wins += counts

    def _update(self, win: Tensor, age: Tensor, freq: Tensor) -> Tensor:
        """Mean eq. 2-3 update of each map over its post-spikes of this step; their counts."""
        k = self.cfg.kernel
        ages = F.unfold(age, k, padding=k // 2)  # (B, k*k, L)
        freqs = F.unfold(freq, k, padding=k // 2)
        counts = torch.zeros(self.cfg.maps)
        for j in range(self.cfg.maps):
            b, pos = torch.nonzero(win[:, j].flatten(1), as_tuple=True)
            counts[j] = b.numel()
            if b.numel() == 0:
                continue
            rows_age, rows_f = ages[b, :, pos], freqs[b, :, pos]
            g = self.g[j].flatten().expand_as(rows_age)
            delta = (fd_stdp_update(g, rows_age, rows_f, self.stdp, self.gen) - g).mean(dim=0)
            self.g[j] = (self.g[j].flatten() + delta).reshape(self.g[j].shape)
        return counts


def stdp_front_end(
    images: NDArray[np.float32], cfg: FrontEndConfig, *, batch: int, seed: int
) -> SpikingFrontEnd:
    """Learn the front end on ``images`` ``(N, 1, H, W)`` in [0, 1], one mini-batch at a time."""
    fe = SpikingFrontEnd(cfg, None, torch.Generator().manual_seed(seed))
    for i in range(0, len(images), batch):
        fe.learn(torch.from_numpy(np.array(images[i : i + batch], dtype=np.float32)))
    return fe


def _lif_count(x: float, steps: int, tau_steps: float) -> int:
    v, n = 0.0, 0
    for _ in range(steps):
        v = (1 - 1 / tau_steps) * v + x
        if v > 1.0:
            n, v = n + 1, 0.0
    return n


def lif_staircase(
    steps: int, tau_steps: float, max_count: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """SAU edges and levels: spike count/steps of a discrete LIF (threshold 1) for constant drive.

    ``v <- (1 - 1/tau) v + x``, spike and reset to 0 when ``v > 1`` (paper 000 Sec. 4.4,
    Fig. 4: flat regions of the output rate). ``edges[k]`` is the smallest drive giving
    ``k + 1`` spikes (bisection); the last edge is a large sentinel.
    """
    edges = []
    for k in range(1, max_count + 1):
        lo, hi = 0.0, 4.0
        for _ in range(40):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if _lif_count(mid, steps, tau_steps) >= k else (mid, hi)
        edges.append(hi)
    uniq: dict[float, int] = {}
    for k, e in enumerate(edges, start=1):  # counts can jump by more than one at one drive
        uniq[round(e, 9)] = k
    keys = sorted(uniq)
    levels = np.asarray([uniq[e] for e in keys], dtype=np.float64) / steps
    return np.asarray([*keys, 1e6]), levels
