"""Filtering synapses and special activations: alpha synapse (paper 001), SAU (paper 000)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hwsnn.errors import IRValidationError
from hwsnn.ir._base import FloatArray, Node, Shape, check_broadcastable

__all__ = ["SAU", "AlphaSynapse"]


@dataclass(frozen=True, kw_only=True, eq=False)
class AlphaSynapse(Node):
    """Alpha-filter synapse ``h(t) = (t / tau_syn^2) exp(-t / tau_syn)`` (unit area).

    Paper 001 (Hunsberger & Eliasmith, arXiv 1510.08829) filters spike trains with
    ``alpha(t) = (t / tau_s) exp(-t / tau_s)``; hwsnn normalises it to unit integral so a
    spike train of rate ``r`` (Hz) settles at ``r`` (1/s). Realised as two cascaded
    first-order low-passes, each discretised exactly (zero-order hold) with step ``dt``:
    ``a <- d a + (1 - d) x / dt``, ``y <- d y + (1 - d) a`` with ``d = exp(-dt / tau_syn)``;
    input is spikes per step, output is a rate (1/s).

    Attributes:
        tau_syn: Filter time constant (s), > 0, scalar or broadcastable to the activation.
    """

    stateful: ClassVar[bool] = True
    tau_syn: FloatArray

    def _validate(self) -> None:
        self._positive("tau_syn")

    def infer_shape(self, inputs: tuple[Shape, ...]) -> Shape:
        """Same shape as the input; ``tau_syn`` must broadcast to it."""
        check_broadcastable("AlphaSynapse", "tau_syn", self.tau_syn, inputs[0])
        return inputs[0]


@dataclass(frozen=True, kw_only=True, eq=False)
class SAU(Node):
    """Special Activation Unit of paper 000 (SAFE-DNN): ``y = sum_i a_i 1[x in [lo_i, hi_i)]``.

    A step function that replaces a spiking block by one time step.

    Attributes:
        edges: Interval edges, strictly increasing, shape ``(n + 1,)``; interval ``i`` is
            ``[edges[i], edges[i + 1])``.
        levels: Output value of each interval, shape ``(n,)``; 0 outside every interval.
    """

    edges: FloatArray
    levels: FloatArray

    def _validate(self) -> None:
        edges = self._array("edges", ndim=1)
        levels = self._array("levels", ndim=1)
        if edges.size != levels.size + 1 or levels.size < 1:
            raise IRValidationError(
                f"SAU: need len(edges) == len(levels) + 1 >= 2, got {edges.size}, {levels.size}"
            )
        if np.any(np.diff(edges) <= 0):
            raise IRValidationError("SAU.edges: must be strictly increasing")
