"""Stateful numpy float32 neuron and encoder updates shared by the simulators."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hwsnn.ir import IF, LI, LIF, PoissonEncoder, ResetMode, neuron_coefficients

__all__ = ["NeuronState", "poisson_spikes"]

F32 = NDArray[np.float32]


@dataclass
class NeuronState:
    """Membrane state of one LIF, IF or LI node for a batch, with its float32 constants."""

    node: LIF | IF | LI
    v: F32
    keep: F32
    gain: F32
    leak: F32

    @classmethod
    def start(cls, node: LIF | IF | LI, shape: tuple[int, ...], dt: float) -> NeuronState:
        """Zero membrane for activations of ``shape`` (batch first)."""
        c = neuron_coefficients(node, dt)
        return cls(node, np.zeros(shape, dtype=np.float32), c.keep, c.gain, c.leak)

    def threshold(self, t: int) -> F32:
        """Effective threshold at step ``t``: ``v_threshold * threshold_scale[t]``."""
        node = self.node
        thr = np.asarray(getattr(node, "v_threshold", 0.0), dtype=np.float32)
        scale = getattr(node, "threshold_scale", None)
        if scale is not None:
            thr = thr * np.float32(scale[t])
        return thr

    def step(self, current: F32, t: int) -> F32:
        """Advance one step with input ``current``; return spikes (or ``v`` for LI)."""
        v = self.keep * self.v + self.gain * current + self.leak
        if isinstance(self.node, LI):
            self.v = v
            return v
        thr = self.threshold(t)
        s = (v > thr).astype(np.float32)
        if self.node.reset is ResetMode.SUBTRACT:
            v = v - s * thr
        else:
            v = np.where(s > 0, np.asarray(self.node.v_reset, dtype=np.float32), v)
        self.v = np.asarray(v, dtype=np.float32)
        return s


def poisson_spikes(node: PoissonEncoder, x: F32, rng: np.random.Generator) -> F32:
    """Bernoulli spikes with probability ``clip(gain * x, 0, 1)`` (see :class:`PoissonEncoder`).

    Signed: ``where(u < clip(gain * |x|, 0, 1), sign(x), 0)``, spikes in {-1, 0, +1}.
    Draws ``rng.random(x.shape, dtype=float32)`` once per call either way (the ONNX step
    does the same), so an unsigned and a signed encoder consume the same draws.
    """
    gain, lo, hi = np.float32(node.gain), np.float32(0), np.float32(1)
    p = np.clip((np.abs(x) if node.signed else x) * gain, lo, hi)
    fired = rng.random(x.shape, dtype=np.float32) < p
    if node.signed:
        return np.where(fired, np.sign(x), np.float32(0)).astype(np.float32)
    return fired.astype(np.float32)
