"""What a simulation returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import HwsnnError
from hwsnn.ir import Node, PoissonEncoder

__all__ = ["READOUTS", "Result", "Spikes", "spike_dtype"]

READOUTS = ("mean", "last", "first-spike")
"""Readout conventions a graph may name in ``metadata["readout"]``."""

Spikes = NDArray[np.integer[Any]]
"""Recorded spikes: uint8 {0, 1}, or int8 {-1, 0, 1} for signed encoders."""


def spike_dtype(node: Node) -> type[np.uint8] | type[np.int8]:
    """Recording dtype of ``node``'s spikes: int8 for a signed ``PoissonEncoder``, else uint8."""
    return np.int8 if isinstance(node, PoissonEncoder) and node.signed else np.uint8


@dataclass(frozen=True)
class Result:
    """Outputs and spikes of one batched simulation.

    Attributes:
        outputs: The Output node's value at every step, shape ``(T, B, *out)``.
        spikes: Spikes of every spiking node, ``name -> (T, B, *shape)`` uint8, int8 in
            {-1, 0, 1} for a signed ``PoissonEncoder`` (empty when recording was switched off).
        spike_totals: Spike events per step (nonzero entries) over batch and neurons,
            ``name -> (T,)``.
        backend: Name of the simulator that produced it.
    """

    outputs: NDArray[np.float32]
    spikes: Mapping[str, Spikes] = field(default_factory=dict)
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
