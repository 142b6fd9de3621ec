"""Graph inputs, encoders and the output node.

An encoder turns the static input sample ``x`` (the value of :class:`Input`) into
what the first synapse layer sees at each time step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hwsnn.errors import IRValidationError
from hwsnn.ir._base import Node, Shape

__all__ = ["CurrentEncoder", "Input", "Output", "PoissonEncoder"]


@dataclass(frozen=True, kw_only=True, eq=False)
class Input(Node):
    """The graph's single input: one sample of shape ``shape`` (no batch dim).

    With no encoder after it, the sample is applied unchanged at every time step
    ("direct" encoding), or the user passes a ``(T, B, *shape)`` sequence.
    """

    arity: ClassVar[int | None] = 0
    shape: tuple[int, ...]

    def _validate(self) -> None:
        shape = tuple(self.shape)
        if not shape or not all(isinstance(d, int | np.integer) and d > 0 for d in shape):
            raise IRValidationError(f"Input.shape: expected positive ints, got {self.shape!r}")
        self._set("shape", tuple(int(d) for d in shape))

    def infer_shape(self, inputs: tuple[Shape, ...]) -> Shape:
        """Output shape (see :meth:`Node.infer_shape`)."""
        return self.shape


@dataclass(frozen=True, kw_only=True, eq=False)
class PoissonEncoder(Node):
    """Rate code: at each step emit a spike with probability ``clip(gain * x, 0, 1)``.

    With one uniform draw ``u`` in [0, 1) per element and step, the spike is
    ``s = (u < clip(gain * x, 0, 1))`` (negative inputs stay silent), or, when ``signed``,
    ``s = sign(x) * (u < clip(gain * |x|, 0, 1))`` in {-1, 0, +1}: negative inputs fire
    inhibitory spikes (signed input of e/iHB-STDP, paper 002 Sec. 2.2,
    doi:10.3389/fnins.2019.00189).

    Attributes:
        gain: Spike probability per step for an input of magnitude 1 (dimensionless).
        signed: Emit ``-1`` spikes for negative inputs instead of clipping them to silence.
    """

    spiking: ClassVar[bool] = True
    encoding: ClassVar[str | None] = "poisson"
    gain: float = 1.0
    signed: bool = False

    def _validate(self) -> None:
        if not np.isfinite(self.gain) or self.gain <= 0:
            raise IRValidationError(f"PoissonEncoder.gain: must be > 0, got {self.gain}")
        if not isinstance(self.signed, bool | np.bool_):
            raise IRValidationError(
                f"PoissonEncoder.signed: expected a bool, got {type(self.signed).__name__}"
            )
        self._set("gain", float(self.gain))
        self._set("signed", bool(self.signed))


@dataclass(frozen=True, kw_only=True, eq=False)
class CurrentEncoder(Node):
    """Constant-current code: inject ``gain * x`` at every step.

    Attributes:
        gain: Current per unit input (input units per step).
    """

    encoding: ClassVar[str | None] = "current"
    gain: float = 1.0

    def _validate(self) -> None:
        if not np.isfinite(self.gain):
            raise IRValidationError(f"CurrentEncoder.gain: must be finite, got {self.gain}")
        self._set("gain", float(self.gain))


@dataclass(frozen=True, kw_only=True, eq=False)
class Output(Node):
    """The graph's single output; records its input at every step."""
