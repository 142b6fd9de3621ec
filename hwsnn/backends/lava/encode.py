"""Host-side input encoding shared by the emulator and the Lava runner."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.lava.artifact import LoihiArtifact
from hwsnn.errors import IRValidationError
from hwsnn.ir import PoissonEncoder
from hwsnn.sim._neurons import poisson_spikes

__all__ = ["EncodedInput", "encode_inputs"]


@dataclass(frozen=True)
class EncodedInput:
    """Payloads for every Lava step.

    Attributes:
        payload: ``(total_steps, B, n_in)`` int64 payloads (0/1 spikes or graded integers),
            zero after the IR's last step.
        real: The same before rounding, in payload units (float64; feeds ``floating_pt``).
        clipped_fraction: Fraction of direct inputs outside the payload range (1).
    """

    payload: NDArray[np.int64]
    real: NDArray[np.float64]
    clipped_fraction: float


def _sequence(artifact: LoihiArtifact, inputs: NDArray[np.generic]) -> NDArray[np.float32]:
    x = np.asarray(inputs, dtype=np.float32)
    shape = artifact.input.shape
    if x.shape[1:] == shape:
        return np.broadcast_to(x, (artifact.timesteps, *x.shape))
    if x.ndim == len(shape) + 2 and x.shape[2:] == shape:
        return x
    raise IRValidationError(f"inputs of shape {x.shape} do not match the graph input {shape}")


def encode_inputs(
    artifact: LoihiArtifact, inputs: NDArray[np.generic], *, rng: np.random.Generator | None = None
) -> EncodedInput:
    """Encode ``(B, *shape)`` or ``(T, B, *shape)`` inputs into per-step payloads.

    Direct encoding rounds ``x / lsb`` to the graded payload range; Poisson encoding draws
    spikes with :func:`hwsnn.sim._neurons.poisson_spikes`, step by step, so the same ``rng``
    seed gives the same spikes as ``sim.float``.
    """
    seq = _sequence(artifact, inputs)
    spec = artifact.input
    steps, batch = seq.shape[0], seq.shape[1]
    total = steps + artifact.total_steps - artifact.timesteps
    real = np.zeros((total, batch, spec.size))
    if spec.encoding == "poisson":
        rng = rng if rng is not None else np.random.default_rng(0)
        encoder = PoissonEncoder(gain=spec.poisson_gain)
        for t in range(steps):
            real[t] = poisson_spikes(encoder, seq[t], rng).reshape(batch, -1)
        return EncodedInput(real.astype(np.int64), real, 0.0)
    real[:steps] = seq.reshape(steps, batch, -1) / spec.lsb
    low, high = spec.payload_range
    clipped = float(np.mean((real[:steps] < low - 0.5) | (real[:steps] > high + 0.5)))
    payload = np.clip(np.round(real), low, high).astype(np.int64)
    return EncodedInput(payload, np.clip(real, low, high), clipped)
