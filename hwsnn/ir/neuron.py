"""Neuron nodes and the exact discrete-time update they define.

Continuous parameters follow NIR (``tau_mem``, ``r``, ``v_leak``, ``v_threshold``,
``v_reset``); hwsnn pins the discretisation NIR leaves open: forward Euler with the
graph's step ``dt``, strict threshold ``v > v_threshold`` and an explicit reset mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import IRValidationError
from hwsnn.ir._base import FloatArray, Node, ResetMode, Shape, check_broadcastable

__all__ = ["IF", "LI", "LIF", "NLIF", "NeuronCoefficients", "neuron_coefficients"]

_SCALAR = np.zeros(())


def _zero() -> FloatArray:
    return _SCALAR.copy()


def _one() -> FloatArray:
    return np.ones(())


@dataclass(frozen=True, kw_only=True, eq=False)
class _Neuron(Node):
    """Shared checks: parameters broadcast to the activation shape."""

    stateful: ClassVar[bool] = True
    _params: ClassVar[tuple[str, ...]] = ()

    def infer_shape(self, inputs: tuple[Shape, ...]) -> Shape:
        for name in self._params:
            check_broadcastable(type(self).__name__, name, getattr(self, name), inputs[0])
        return inputs[0]


@dataclass(frozen=True, kw_only=True, eq=False)
class _Spiking(_Neuron):
    spiking: ClassVar[bool] = True
    v_threshold: FloatArray = field(default_factory=_one)
    v_reset: FloatArray = field(default_factory=_zero)
    reset: ResetMode = ResetMode.SUBTRACT

    def _validate(self) -> None:
        self._positive("v_threshold")
        self._array("v_reset")
        try:
            self._set("reset", ResetMode(self.reset))
        except ValueError:
            raise IRValidationError(
                f"{type(self).__name__}.reset: {self.reset!r} is not one of "
                f"{[m.value for m in ResetMode]}"
            ) from None


@dataclass(frozen=True, kw_only=True, eq=False)
class LIF(_Spiking):
    """Leaky integrate-and-fire: ``tau_mem dv/dt = v_leak - v + r I``.

    Per step: ``v <- v + dt/tau_mem (v_leak - v + r I)``; spike ``v > v_threshold * s_t``
    with ``s_t = threshold_scale[t]`` (1 if absent; BNTT folds its per-step scale here);
    then the reset. ``r = tau_mem / dt`` gives unit input gain per step.

    Attributes:
        tau_mem: Membrane time constant (s), > 0.
        r: Input resistance (ohm-like gain, dimensionless here).
        v_leak: Resting potential.
        v_threshold: Firing threshold, > 0.
        v_reset: Value after a spike when ``reset`` is ZERO.
        reset: SUBTRACT or ZERO.
        threshold_scale: Optional per-time-step threshold multiplier, shape ``(timesteps,)``.
    """

    _params: ClassVar[tuple[str, ...]] = ("tau_mem", "r", "v_leak", "v_threshold", "v_reset")
    tau_mem: FloatArray
    r: FloatArray = field(default_factory=_one)
    v_leak: FloatArray = field(default_factory=_zero)
    threshold_scale: FloatArray | None = None

    def _validate(self) -> None:
        super()._validate()
        self._positive("tau_mem")
        self._array("r")
        self._array("v_leak")
        if self.threshold_scale is not None:
            self._positive("threshold_scale")
            if self.threshold_scale.ndim != 1:
                raise IRValidationError("LIF.threshold_scale: must have shape (timesteps,)")


@dataclass(frozen=True, kw_only=True, eq=False)
class IF(_Spiking):
    """Integrate-and-fire without leak: ``dv/dt = r I``; per step ``v <- v + dt r I``.

    ``r = 1 / dt`` gives unit input gain per step.
    """

    _params: ClassVar[tuple[str, ...]] = ("r", "v_threshold", "v_reset")
    r: FloatArray

    def _validate(self) -> None:
        super()._validate()
        self._array("r")


@dataclass(frozen=True, kw_only=True, eq=False)
class LI(_Neuron):
    """Leaky integrator readout (no spikes): the LIF update without threshold; outputs ``v``."""

    _params: ClassVar[tuple[str, ...]] = ("tau_mem", "r", "v_leak")
    tau_mem: FloatArray
    r: FloatArray = field(default_factory=_one)
    v_leak: FloatArray = field(default_factory=_zero)

    def _validate(self) -> None:
        self._positive("tau_mem")
        self._array("r")
        self._array("v_leak")


@dataclass(frozen=True, kw_only=True, eq=False)
class NLIF(_Neuron):
    """Single-spike non-leaky temporal neuron (n-LIF) of Zhou et al., AAAI 2021.

    Input spikes at times ``t_i`` inject exponentially decaying currents
    ``w_ji exp(-(t - t_i) / tau_syn)`` into a non-leaky membrane; the neuron fires once
    when ``v`` reaches ``v_threshold``. With ``tau_syn = 1`` and ``v_threshold = 1`` the
    spike time has the closed form (paper 003, eq. 4)
    ``exp(t_j) = sum_{i in C} exp(t_i) w_ji / (sum_{l in C} w_jl - 1)`` over the causal
    set ``C`` of inputs that spike before ``t_j``. The node's value is the spike time (s);
    ``t_max`` stands for "no spike". It follows an Affine, Linear or Conv2d node.

    Attributes:
        tau_syn: Synaptic current time constant (s), > 0.
        v_threshold: Firing threshold, > 0.
        t_max: Latest representable spike time (s), > 0.
    """

    _params: ClassVar[tuple[str, ...]] = ("tau_syn", "v_threshold")
    spiking: ClassVar[bool] = True
    tau_syn: FloatArray = field(default_factory=_one)
    v_threshold: FloatArray = field(default_factory=_one)
    t_max: float = 10.0

    def _validate(self) -> None:
        self._positive("tau_syn")
        self._positive("v_threshold")
        if not np.isfinite(self.t_max) or self.t_max <= 0:
            raise IRValidationError(f"NLIF.t_max: must be > 0, got {self.t_max}")
        self._set("t_max", float(self.t_max))


@dataclass(frozen=True)
class NeuronCoefficients:
    """Per-step update ``v <- keep * v + gain * I + leak`` as float32 arrays."""

    keep: NDArray[np.float32]
    gain: NDArray[np.float32]
    leak: NDArray[np.float32]


def neuron_coefficients(node: LIF | IF | LI, dt: float) -> NeuronCoefficients:
    """Float32 coefficients of the forward-Euler update of ``node`` at step ``dt`` (s).

    Every simulator (numpy, torch, ONNX) uses these same float32 numbers in the same
    order of operations, which is what makes them agree spike for spike.
    """
    if isinstance(node, IF):
        keep, gain, leak = np.ones(()), dt * node.r, np.zeros(())
    else:
        ratio = dt / node.tau_mem
        keep, gain, leak = 1.0 - ratio, ratio * node.r, ratio * node.v_leak
    return NeuronCoefficients(*(np.asarray(a, dtype=np.float32) for a in (keep, gain, leak)))
