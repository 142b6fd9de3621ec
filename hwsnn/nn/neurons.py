"""LIF, IF and LI torch modules: thin wrappers over :mod:`hwsnn.nn.functional`.

Each module builds its IR node (:mod:`hwsnn.ir.neuron`) in the constructor and keeps
it (:meth:`to_ir`); its float32 coefficients come from
:func:`hwsnn.ir.neuron_coefficients`, so a module and the exported graph compute the
same numbers. The coefficients are non-persistent buffers: they follow ``.to(device)``
but are not saved in a ``state_dict`` (they are derived from the constructor arguments).

Every ``forward`` takes a ``(T, B, *shape)`` sequence and starts from a zero membrane.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from numpy.typing import ArrayLike
from torch import Tensor

from hwsnn import ir
from hwsnn.errors import IRValidationError
from hwsnn.ir._base import FloatArray
from hwsnn.nn._base import SequenceModule
from hwsnn.nn.functional import (
    FastSigmoid,
    NeuronConstants,
    Surrogate,
    leaky_sequence,
    spiking_sequence,
)

__all__ = ["IF", "LI", "LIF"]


def _check_dt(dt: float) -> float:
    if not isinstance(dt, float | int) or not math.isfinite(dt) or dt <= 0:
        raise IRValidationError(f"dt: must be a positive number of seconds, got {dt!r}")
    return float(dt)


def _reset_mode(reset: str) -> ir.ResetMode:
    try:
        return ir.ResetMode(reset)
    except ValueError:
        modes = [m.value for m in ir.ResetMode]
        raise IRValidationError(f"reset: {reset!r} is not one of {modes}") from None


def _f64(value: float) -> FloatArray:
    return np.asarray(value, dtype=np.float64)


def _f32(value: ArrayLike) -> Tensor:
    return torch.from_numpy(np.array(value, dtype=np.float32))


class _Neuron(SequenceModule):
    """Holds the IR node, the time step and the float32 update coefficients."""

    keep: Tensor
    gain: Tensor
    leak: Tensor

    def __init__(self, node: ir.LIF | ir.IF | ir.LI, dt: float) -> None:
        super().__init__()
        self.dt = dt
        self._node = node
        c = ir.neuron_coefficients(node, dt)
        self._flags = (
            bool(np.all(c.keep == 1)),
            bool(np.all(c.gain == 1)),
            bool(np.all(c.leak == 0)),
        )
        for name, value in (("keep", c.keep), ("gain", c.gain), ("leak", c.leak)):
            self.register_buffer(name, _f32(value), persistent=False)

    def to_ir(self) -> ir.Node:
        """The IR node this module computes (the one it was built from)."""
        return self._node

    def constants(self) -> NeuronConstants:
        """The float32 coefficients (on the module's device) and their no-op flags."""
        return NeuronConstants(self.keep, self.gain, self.leak, *self._flags)


class _Spiking(_Neuron):
    """LIF/IF: threshold, reset and surrogate gradient."""

    threshold: Tensor
    v_reset: Tensor

    def __init__(
        self, node: ir.LIF | ir.IF, dt: float, surrogate: Surrogate | None, detach_reset: bool
    ) -> None:
        super().__init__(node, dt)
        self.register_buffer("threshold", _f32(node.v_threshold), persistent=False)
        self.register_buffer("v_reset", _f32(node.v_reset), persistent=False)
        self.subtract = node.reset is ir.ResetMode.SUBTRACT
        self.surrogate: Surrogate = surrogate if surrogate is not None else FastSigmoid()
        self.detach_reset = detach_reset

    def forward(self, x: Tensor) -> Tensor:
        """Spikes (0/1) for the input current sequence ``x`` of shape ``(T, B, *shape)``."""
        return spiking_sequence(
            x,
            self.constants(),
            self.threshold,
            subtract=self.subtract,
            v_reset=self.v_reset,
            spike=self.surrogate,
            detach_reset=self.detach_reset,
        )

    def extra_repr(self) -> str:
        """Parameters shown by ``repr``."""
        extra = f"surrogate={self.surrogate!r}, detach_reset={self.detach_reset}"
        return f"{self._node!r}, dt={self.dt}, {extra}"


class LIF(_Spiking):
    """Leaky integrate-and-fire layer, ``tau_mem dv/dt = v_leak - v + r I`` (forward Euler).

    Per step: ``v <- keep v + gain I + leak`` with ``keep = 1 - dt/tau_mem``,
    ``gain = (dt/tau_mem) r``, ``leak = (dt/tau_mem) v_leak``; spike ``v > v_threshold``;
    reset by subtraction (soft reset, paper 004 eq. 4) or to ``v_reset``.

    Args:
        tau_mem: Membrane time constant (s), > 0.
        dt: Time step (s), > 0; must equal the ``dt`` the model is exported with.
        v_threshold: Firing threshold (potential units), > 0.
        reset: ``"subtract"`` or ``"zero"``.
        v_reset: Membrane value after a spike with ``reset="zero"``.
        r: Input resistance; default ``tau_mem / dt`` (unit input gain per step).
        v_leak: Resting potential.
        surrogate: Spike function with its surrogate gradient; default ``FastSigmoid()``.
        detach_reset: Keep the reset out of the gradient (default True, as snnTorch);
            forward values do not depend on it.
    """

    def __init__(
        self,
        tau_mem: float,
        dt: float,
        *,
        v_threshold: float = 1.0,
        reset: str = "subtract",
        v_reset: float = 0.0,
        r: float | None = None,
        v_leak: float = 0.0,
        surrogate: Surrogate | None = None,
        detach_reset: bool = True,
    ) -> None:
        dt = _check_dt(dt)
        node = ir.LIF(
            tau_mem=_f64(tau_mem),
            r=_f64(tau_mem / dt if r is None else r),
            v_leak=_f64(v_leak),
            v_threshold=_f64(v_threshold),
            v_reset=_f64(v_reset),
            reset=_reset_mode(reset),
        )
        super().__init__(node, dt, surrogate, detach_reset)


class IF(_Spiking):
    """Integrate-and-fire layer without leak, ``dv/dt = r I``; per step ``v <- v + dt r I``.

    Args:
        dt: Time step (s), > 0.
        v_threshold: Firing threshold, > 0.
        reset: ``"subtract"`` or ``"zero"``.
        v_reset: Membrane value after a spike with ``reset="zero"``.
        r: Input gain; default ``1 / dt`` (unit input gain per step).
        surrogate: Spike function with its surrogate gradient; default ``FastSigmoid()``.
        detach_reset: Keep the reset out of the gradient (default True).
    """

    def __init__(
        self,
        dt: float,
        *,
        v_threshold: float = 1.0,
        reset: str = "subtract",
        v_reset: float = 0.0,
        r: float | None = None,
        surrogate: Surrogate | None = None,
        detach_reset: bool = True,
    ) -> None:
        dt = _check_dt(dt)
        node = ir.IF(
            r=_f64(1.0 / dt if r is None else r),
            v_threshold=_f64(v_threshold),
            v_reset=_f64(v_reset),
            reset=_reset_mode(reset),
        )
        super().__init__(node, dt, surrogate, detach_reset)


class LI(_Neuron):
    """Leaky integrator readout: the LIF update without threshold; outputs ``v`` every step.

    Args:
        tau_mem: Membrane time constant (s), > 0.
        dt: Time step (s), > 0.
        r: Input resistance; default ``tau_mem / dt`` (unit input gain per step).
        v_leak: Resting potential.
    """

    def __init__(
        self, tau_mem: float, dt: float, *, r: float | None = None, v_leak: float = 0.0
    ) -> None:
        dt = _check_dt(dt)
        r = tau_mem / dt if r is None else r
        super().__init__(ir.LI(tau_mem=_f64(tau_mem), r=_f64(r), v_leak=_f64(v_leak)), dt)

    def forward(self, x: Tensor) -> Tensor:
        """Membrane potential per step for the input current sequence ``x`` ``(T, B, *shape)``."""
        return leaky_sequence(x, self.constants())

    def extra_repr(self) -> str:
        """Parameters shown by ``repr``."""
        return f"{self._node!r}, dt={self.dt}"
