"""SAFE-DNN (paper 000): STDP-learned spiking conv front-end converted to a one-step SAU block.

She et al., "SAFE-DNN: a deep neural network with spike-assisted feature extraction for
noise-robust inference" (``papers/000_996d16437485bc79.txt``). Stage 1 learns conv
conductances with frequency-dependent stochastic STDP (:mod:`hwsnn.learn.fdstdp`) and
cross-depth inhibition (only the strongest map fires at each pixel). Stage 2 drops the
spike trains: conv (fixed) -> batch norm (frozen statistics) -> SAU, a step function
``sum_i a_i 1[x in [e_i, e_i+1))`` read off the LIF neuron's spike count over ``T_input``
steps, in parallel with a small auxiliary CNN; both feed a small main CNN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import NDArray
from torch import Tensor, nn

from hwsnn import ir
from hwsnn.learn.fdstdp import FDSTDPConfig, fd_stdp_update

__all__ = ["SAFENet", "SpikingFrontEnd", "export_front_end", "lif_staircase", "stdp_front_end"]


def lif_staircase(
    steps: int, tau_steps: float, max_count: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """SAU edges and levels: spike count/steps of a discrete LIF (threshold 1) for constant drive.

    ``v <- (1 - 1/tau) v + x``, spike and reset to 0 when ``v > 1``. The count is a step
    function of ``x``; ``edges[k]`` is the smallest drive giving ``k + 1`` spikes (bisection).
    """

    def count(x: float) -> int:
        v, n = 0.0, 0
        for _ in range(steps):
            v = (1 - 1 / tau_steps) * v + x
            if v > 1.0:
                n, v = n + 1, 0.0
        return n

    edges = []
    for k in range(1, max_count + 1):
        lo, hi = 0.0, 4.0
        for _ in range(40):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if count(mid) >= k else (mid, hi)
        edges.append(hi)
    uniq: dict[float, int] = {}
    for k, e in enumerate(edges, start=1):  # counts can jump by more than one at one drive
        uniq[round(e, 9)] = k
    keys = sorted(uniq)
    levels = np.asarray([uniq[e] for e in keys], dtype=np.float64) / steps
    return np.asarray([*keys, 1e6]), levels


@dataclass(frozen=True)
class FrontEndConfig:
    """Spiking front-end constants: 8 maps of 5x5, LIF with tau = 10 steps, 10 input steps."""

    maps: int = 8
    kernel: int = 5
    steps: int = 10
    tau_steps: float = 10.0
    max_rate_hz: float = 200.0
    dt: float = 1e-3


class SpikingFrontEnd:
    """Stage 1: conductances ``(maps, 1, k, k)`` learned by FD stochastic STDP, WTA across depth."""

    def __init__(self, cfg: FrontEndConfig, stdp: FDSTDPConfig, gen: torch.Generator) -> None:
        self.cfg, self.stdp, self.gen = cfg, stdp, gen
        self.g = torch.rand((cfg.maps, 1, cfg.kernel, cfg.kernel), generator=gen) * 0.3 + 0.35
        self.threshold = 1.0

    def learn(self, images: Tensor) -> None:
        """Present a batch for ``steps`` steps, updating conductances after post-spikes."""
        cfg, pad = self.cfg, self.cfg.kernel // 2
        freq = images * cfg.max_rate_hz
        age = torch.full_like(images, math.inf)
        v = torch.zeros(images.shape[0], cfg.maps, *images.shape[2:])
        for _ in range(cfg.steps):
            pre = (torch.rand(images.shape, generator=self.gen) < freq * cfg.dt).float()
            age = torch.where(pre > 0, torch.zeros_like(age), age + cfg.dt)
            v = (1 - 1 / cfg.tau_steps) * v + F.conv2d(pre, self.g - self.g.mean(), padding=pad)
            win = (v == v.max(dim=1, keepdim=True).values) & (v > self.threshold)  # cross-depth WTA
            v = torch.where(win.any(dim=1, keepdim=True), torch.zeros_like(v), v)
            self._update(win, age, freq)

    def _update(self, win: Tensor, age: Tensor, freq: Tensor) -> None:
        pad = self.cfg.kernel // 2
        ages = F.unfold(age.nan_to_num(posinf=1e3), self.cfg.kernel, padding=pad)  # (B, K, L)
        freqs = F.unfold(freq, self.cfg.kernel, padding=pad)
        for j in range(self.cfg.maps):
            b, pos = torch.nonzero(win[:, j].flatten(1), as_tuple=True)
            if b.numel() == 0:
                continue
            pick = torch.randperm(b.numel(), generator=self.gen)[:16]
            rows_age, rows_f = ages[b[pick], :, pos[pick]], freqs[b[pick], :, pos[pick]]
            g = self.g[j].flatten().expand_as(rows_age)
            new = fd_stdp_update(g, rows_age, rows_f, self.stdp, self.gen)
            self.g[j] = new.mean(dim=0).reshape(self.g[j].shape)


def stdp_front_end(
    images: NDArray[np.float32], cfg: FrontEndConfig, *, batch: int, seed: int
) -> SpikingFrontEnd:
    """Learn the front-end on ``images`` (N, 1, H, W), one mini-batch at a time."""
    fe = SpikingFrontEnd(
        cfg, FDSTDPConfig(f_max=cfg.max_rate_hz), torch.Generator().manual_seed(seed)
    )
    for i in range(0, len(images), batch):
        fe.learn(torch.from_numpy(np.array(images[i : i + batch], dtype=np.float32)))
    return fe


class SAUBlock(nn.Module):
    """Stage 2 block: fixed conv -> frozen normalisation -> SAU (no trainable parameters)."""

    weight: Tensor
    scale: Tensor
    shift: Tensor
    edges: Tensor
    levels: Tensor

    def __init__(
        self, weight: Tensor, edges: NDArray[np.float64], levels: NDArray[np.float64]
    ) -> None:
        super().__init__()
        self.register_buffer("weight", weight.clone())
        self.register_buffer("scale", torch.ones(weight.shape[0]))
        self.register_buffer("shift", torch.zeros(weight.shape[0]))
        self.register_buffer("edges", torch.tensor(edges, dtype=torch.float32))
        self.register_buffer(
            "levels", torch.tensor(np.concatenate([[0.0], levels, [0.0]]), dtype=torch.float32)
        )

    def pre(self, x: Tensor) -> Tensor:
        """Normalised pre-activation (the SAU input)."""
        w = self.weight * self.scale[:, None, None, None]
        return F.conv2d(x, w, self.shift, padding=int(self.weight.shape[-1]) // 2)

    def calibrate(self, x: Tensor) -> None:
        """Freeze the batch-norm statistics: zero mean and unit variance per map on ``x``."""
        with torch.no_grad():
            y = F.conv2d(x, self.weight, padding=int(self.weight.shape[-1]) // 2)
            std = y.std(dim=(0, 2, 3)).clamp_min(1e-6)
            self.scale.copy_(1.0 / std)
            self.shift.copy_(-y.mean(dim=(0, 2, 3)) / std)

    def forward(self, x: Tensor) -> Tensor:
        """SAU of the normalised conv output."""
        z = self.pre(x)
        return self.levels[torch.bucketize(z, self.edges, right=True)]


class SAFENet(nn.Module):
    """Front-end (SAU block, or trainable conv + ReLU for the baseline) || aux CNN -> main CNN."""

    def __init__(self, front: nn.Module, maps: int, n_classes: int, side: int) -> None:
        super().__init__()
        self.front = front
        self.aux = nn.Sequential(nn.Conv2d(1, maps, 5, padding=2), nn.ReLU())
        self.main = nn.Sequential(
            nn.MaxPool2d(2),
            nn.Conv2d(2 * maps, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(16 * (side // 4) ** 2, n_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        """Logits."""
        out: Tensor = self.main(torch.cat([self.front(x), self.aux(x)], dim=1))
        return out


def export_front_end(block: SAUBlock, input_shape: tuple[int, int, int]) -> ir.Graph:
    """The converted spiking module as IR: Input -> Conv2d (norm folded) -> SAU -> Output."""
    w = (block.weight * block.scale[:, None, None, None]).double().numpy()
    pad = int(block.weight.shape[-1]) // 2
    nodes: list[tuple[str, ir.Node]] = [
        ("input", ir.Input(shape=input_shape)),
        ("conv", ir.Conv2d(weight=w, bias=block.shift.double().numpy(), padding=(pad, pad))),
        (
            "sau",
            ir.SAU(
                edges=np.concatenate([[-1e6], block.edges.double().numpy()]),
                levels=np.concatenate([[0.0], block.levels[1:-1].double().numpy()]),
            ),
        ),
        ("output", ir.Output()),
    ]
    import hwsnn.sim.temporal_kernels  # noqa: F401 - registers the SAU kernel

    return ir.Graph.sequential(
        nodes, dt=1e-3, timesteps=1, metadata={"model": "safe-front-end", "paper": "000 SAFE-DNN"}
    )
