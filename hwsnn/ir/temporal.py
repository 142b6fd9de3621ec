"""Time-to-first-spike nodes of paper 003 (Zhou et al., AAAI 2021): encoder and max-pool.

In a TTFS graph every activation is a spike time in seconds, one spike per neuron;
``t_max`` stands for "no spike". These nodes and :class:`~hwsnn.ir.neuron.NLIF` are
evaluated event-exactly by ``hwsnn.sim.ttfs`` (not by the time-stepped ``sim.float``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hwsnn.errors import IRValidationError
from hwsnn.ir._base import FloatArray, Node, Shape, check_broadcastable
from hwsnn.ir.synapse import SumPool2d

__all__ = ["MaxPoolTTFS", "TTFSEncoder", "TimeAffine"]


@dataclass(frozen=True, kw_only=True, eq=False)
class TTFSEncoder(Node):
    """Time-to-first-spike code: pixel ``p`` in [0, 1] spikes at ``t = alpha (1 - p)`` (s).

    Paper 003, Sec. 4.1 (MNIST): brighter pixels spike earlier; ``p = 1`` at ``t = 0``.
    Inputs are clipped to [0, 1] first.

    Attributes:
        alpha: Spike-time span of the code (s), > 0.
        t_max: Time that stands for "no spike" downstream (s), > alpha.
    """

    spiking: ClassVar[bool] = True
    encoding: ClassVar[str | None] = "ttfs"
    alpha: float = 1.0
    t_max: float = 10.0

    def _validate(self) -> None:
        for name in ("alpha", "t_max"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not np.isfinite(value) or value <= 0:
                raise IRValidationError(
                    f"TTFSEncoder.{name}: must be a positive number, got {value!r}"
                )
            self._set(name, float(value))
        if self.t_max <= self.alpha:
            raise IRValidationError(
                f"TTFSEncoder.t_max: must exceed alpha={self.alpha}, got {self.t_max}"
            )


@dataclass(frozen=True, kw_only=True, eq=False)
class MaxPoolTTFS(SumPool2d):
    """Max-pooling of a temporal code: the earliest spike of each window (paper 003, Sec. 3.2).

    Output time = ``min`` of the input spike times in the window; padding counts as
    "no spike". Shapes follow :class:`~hwsnn.ir.synapse.SumPool2d`.
    """

    spiking: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True, eq=False)
class TimeAffine(Node):
    """Per-time-step affine map ``y = scale[t] * x + shift[t]`` (float32, multiply then add).

    The inference form of Batch Normalization Through Time (paper 004, eq. 9, no beta):
    ``scale[t] = gamma_t / sqrt(var_t + eps)``, ``shift[t] = -scale[t] * mean_t`` with the
    running statistics of step ``t``. Stateless except for the step index.

    Attributes:
        scale: Shape ``(T, *s)`` with ``s`` broadcastable to the activation.
        shift: Same shape as ``scale``.
    """

    stateful: ClassVar[bool] = True
    scale: FloatArray
    shift: FloatArray

    def _validate(self) -> None:
        scale = self._array("scale")
        shift = self._array("shift")
        if scale.ndim < 1 or scale.shape != shift.shape:
            raise IRValidationError(
                f"TimeAffine: scale {scale.shape} and shift {shift.shape} differ or lack a T axis"
            )

    @property
    def timesteps(self) -> int:
        """Number of steps the parameters cover."""
        return int(self.scale.shape[0])

    def infer_shape(self, inputs: tuple[Shape, ...]) -> Shape:
        """Same shape as the input; ``scale[t]`` must broadcast to it."""
        check_broadcastable("TimeAffine", "scale[t]", self.scale[0], inputs[0])
        return inputs[0]
