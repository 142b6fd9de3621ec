"""A small binary-weight spiking MLP trained in torch, for crossbar reports and examples.

``Poisson -> Affine(a sign W) -> LIF -> Affine(a sign W) -> LI -> Output``: binary weights by a
straight-through estimator (a = mean |W| per layer, Courbariaux et al. 2015), LIF with
subtractive reset and a fast-sigmoid surrogate gradient. The graph uses the IR's pinned
forward-Euler semantics, so ``sim.float`` runs exactly what was trained (up to the encoder's
random draws).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hwsnn.ir import LI, LIF, Affine, Graph, Input, Output, PoissonEncoder

__all__ = ["train_binary_snn"]


def train_binary_snn(x: NDArray[np.float32], y: NDArray[np.int64], *, hidden: int = 128,
                     timesteps: int = 16, epochs: int = 15, batch_size: int = 64,
                     lr: float = 2e-3, rng: np.random.Generator, dt: float = 1e-3,
                     tau_mem: float = 20e-3) -> Graph:
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
    w1 = torch.nn.Parameter(torch.randn(hidden, x.shape[1]) * 0.1)
    b1 = torch.nn.Parameter(torch.zeros(hidden))
    w2 = torch.nn.Parameter(torch.randn(n_cls, hidden) * 0.1)
    b2 = torch.nn.Parameter(torch.zeros(n_cls))
    opt = torch.optim.Adam([w1, b1, w2, b2], lr=lr)
    keep = 1.0 - dt / tau_mem
    xt, yt = torch.tensor(np.array(x, dtype=np.float32)), torch.tensor(np.array(y))

    def binary(w: torch.Tensor) -> torch.Tensor:
        alpha = w.abs().mean()
        return w + (alpha * torch.sign(w) - w).detach()

    def spike(v: torch.Tensor) -> torch.Tensor:
        sg = v / (1.0 + 10.0 * v.abs())  # fast sigmoid surrogate around the threshold
        return sg + ((v > 0).float() - sg).detach()

    for _ in range(epochs):
        for idx in torch.randperm(len(xt)).split(batch_size):
            xb = xt[idx]
            v1 = torch.zeros(len(idx), hidden)
            v2 = torch.zeros(len(idx), n_cls)
            acc = torch.zeros(len(idx), n_cls)
            bw1, bw2 = binary(w1), binary(w2)
            for _t in range(timesteps):
                s_in = (torch.rand_like(xb) < xb).float()
                v1 = keep * v1 + s_in @ bw1.T + b1
                s1 = spike(v1 - 1.0)
                v1 = v1 - s1
                v2 = keep * v2 + s1 @ bw2.T + b2
                acc = acc + v2
            loss = torch.nn.functional.cross_entropy(acc / timesteps, yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        a1, a2 = float(w1.abs().mean()), float(w2.abs().mean())
        sw1 = a1 * np.sign(w1.numpy()).astype(np.float64)
        sw2 = a2 * np.sign(w2.numpy()).astype(np.float64)
        sw1[sw1 == 0], sw2[sw2 == 0] = a1, a2
        bias1, bias2 = b1.numpy().astype(np.float64), b2.numpy().astype(np.float64)
    gain = dict(tau_mem=np.array(tau_mem), r=np.array(tau_mem / dt))
    return Graph.sequential(
        [("input", Input(shape=(x.shape[1],))), ("poisson", PoissonEncoder(gain=1.0)),
         ("fc1", Affine(weight=sw1, bias=bias1)), ("lif1", LIF(v_threshold=np.array(1.0), **gain)),
         ("fc2", Affine(weight=sw2, bias=bias2)), ("li", LI(**gain)), ("output", Output())],
        dt=dt, timesteps=timesteps, metadata={"model": "crossbar binary demo MLP"})
