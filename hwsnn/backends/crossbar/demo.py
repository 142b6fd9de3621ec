"""A small binary-weight spiking MLP trained in torch, for crossbar reports and examples.

``Poisson -> Affine(a sign W) -> LIF -> Affine(a sign W) -> LI -> Output``: binary weights by a
straight-through estimator (a = mean |W| per layer, Courbariaux et al. 2015), LIF with
subtractive reset and a fast-sigmoid surrogate gradient. The graph uses the IR's pinned
forward-Euler semantics, so ``sim.float`` runs exactly what was trained (up to the encoder's
random draws).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from hwsnn.ir import LI, LIF, Affine, Graph, Input, Output, PoissonEncoder

if TYPE_CHECKING:
    import torch

__all__ = ["train_binary_snn"]


def train_binary_snn(
    x: NDArray[np.float32],
    y: NDArray[np.int64],
    *,
    hidden: int = 128,
    timesteps: int = 16,
    epochs: int = 15,
    batch_size: int = 64,
    lr: float = 2e-3,
    rng: np.random.Generator,
    dt: float = 1e-3,
    tau_mem: float = 20e-3,
) -> Graph:
    """Train a binary-weight SNN on flattened inputs ``x (N, D)`` in [0, 1] and export it.

    Args:
        x: Inputs (N, D), spike probabilities per step.
        y: Labels (N,).
        hidden: Hidden LIF neurons.
        timesteps: Steps per sample.
        epochs: Training passes.
        batch_size: Samples per step of Adam.
        lr: Adam learning rate.
        rng: Seeds torch (weights, Poisson draws, shuffling).
        dt: Time step (s).
        tau_mem: Membrane time constant (s).
    """
    import torch

    torch.manual_seed(int(rng.integers(2**31)))
    n_cls = int(y.max()) + 1
    params = [
        torch.nn.Parameter(torch.randn(hidden, x.shape[1]) * 0.1),
        torch.nn.Parameter(torch.zeros(hidden)),
        torch.nn.Parameter(torch.randn(n_cls, hidden) * 0.1),
        torch.nn.Parameter(torch.zeros(n_cls)),
    ]
    opt = torch.optim.Adam(params, lr=lr)
    xt, yt = torch.tensor(np.array(x, dtype=np.float32)), torch.tensor(np.array(y))
    for _ in range(epochs):
        for idx in torch.split(torch.randperm(len(xt)), batch_size):
            acc = _forward(params, xt[idx], timesteps, 1.0 - dt / tau_mem)
            loss = torch.nn.functional.cross_entropy(acc / timesteps, yt[idx])
            opt.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
    return _export(params, dt, tau_mem, timesteps)


def _binary(w: torch.Tensor) -> torch.Tensor:
    """``a sign(w)`` forward, identity backward (straight-through), ``a = mean |w|``."""
    alpha = w.abs().mean()
    return w + (alpha * w.sign() - w).detach()


def _spike(v: torch.Tensor) -> torch.Tensor:
    """Heaviside forward, fast-sigmoid surrogate backward."""
    sg = v / (1.0 + 10.0 * v.abs())
    return sg + ((v > 0).float() - sg).detach()


def _forward(
    params: Sequence[torch.Tensor], xb: torch.Tensor, timesteps: int, keep: float
) -> torch.Tensor:
    import torch

    w1, b1, w2, b2 = params
    v1 = torch.zeros(len(xb), w1.shape[0])
    v2 = torch.zeros(len(xb), w2.shape[0])
    acc = torch.zeros(len(xb), w2.shape[0])
    bw1, bw2 = _binary(w1), _binary(w2)
    for _ in range(timesteps):
        s_in = (torch.rand_like(xb) < xb).float()
        v1 = keep * v1 + s_in @ bw1.T + b1
        s1 = _spike(v1 - 1.0)
        v1 = v1 - s1
        v2 = keep * v2 + s1 @ bw2.T + b2
        acc = acc + v2
    return acc


def _export(params: Sequence[torch.Tensor], dt: float, tau_mem: float, timesteps: int) -> Graph:
    import torch

    with torch.no_grad():
        w1, b1, w2, b2 = (p.detach().numpy().astype(np.float64) for p in params)
    a1, a2 = float(np.abs(w1).mean()), float(np.abs(w2).mean())
    sw1 = np.where(w1 < 0, -a1, a1)
    sw2 = np.where(w2 < 0, -a2, a2)
    tau, r = np.array(tau_mem), np.array(tau_mem / dt)
    return Graph.sequential(
        [
            ("input", Input(shape=(w1.shape[1],))),
            ("poisson", PoissonEncoder(gain=1.0)),
            ("fc1", Affine(weight=sw1, bias=b1)),
            ("lif1", LIF(v_threshold=np.array(1.0), tau_mem=tau, r=r)),
            ("fc2", Affine(weight=sw2, bias=b2)),
            ("li", LI(tau_mem=tau, r=r)),
            ("output", Output()),
        ],
        dt=dt,
        timesteps=timesteps,
        metadata={"model": "crossbar binary demo MLP"},
    )
