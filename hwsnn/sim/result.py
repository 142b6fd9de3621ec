"""What a simulation returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import HwsnnError

__all__ = ["READOUTS", "Result"]

READOUTS = ("mean", "last", "first-spike")
"""Readout conventions a graph may name in ``metadata["readout"]``."""


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

    def predictions(self, readout: str = "mean") -> NDArray[np.int64]:
        """Class per sample, shape ``(B,)``, by the graph's readout convention.

        Args:
            readout: ``mean`` (argmax of the time-averaged output, the default), ``last``
                (argmax at the last step) or ``first-spike`` (argmin of output spike times,
                temporal codes).
        """
        flat = self.outputs.reshape(self.outputs.shape[0], self.outputs.shape[1], -1)
        if readout not in READOUTS:
            raise HwsnnError(f"unknown readout {readout!r}; use one of {', '.join(READOUTS)}")
        if readout == "last":
            return np.asarray(flat[-1].argmax(axis=-1), dtype=np.int64)
        if readout == "first-spike":
            return np.asarray(flat[-1].argmin(axis=-1), dtype=np.int64)
        return np.asarray(flat.mean(axis=0).argmax(axis=-1), dtype=np.int64)
