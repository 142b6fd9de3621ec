"""What a simulation returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

__all__ = ["Result"]


@dataclass(frozen=True)
class Result:
    """Outputs and spikes of one batched simulation.

    Attributes:
        outputs: The Output node's value at every step, shape ``(T, B, *out)``.
        spikes: Spikes of every spiking node, ``name -> (T, B, *shape)`` uint8
            (empty when recording was switched off).
        spike_totals: Spikes per step summed over batch and neurons, ``name -> (T,)``.
        backend: Name of the simulator that produced it.
    """

    outputs: NDArray[np.float32]
    spikes: Mapping[str, NDArray[np.uint8]] = field(default_factory=dict)
    spike_totals: Mapping[str, NDArray[np.int64]] = field(default_factory=dict)
    backend: str = "float"

    def predictions(self) -> NDArray[np.int64]:
        """Class per sample: argmax over the time-averaged output, shape ``(B,)``."""
        flat = self.outputs.reshape(self.outputs.shape[0], self.outputs.shape[1], -1)
        return np.asarray(flat.mean(axis=0).argmax(axis=-1), dtype=np.int64)
