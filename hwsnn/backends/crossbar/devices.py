"""Switching physics of binary MTJ and RRAM synapses, and its inverse.

Models (SI units; all functions are vectorised over numpy arrays):

* MTJ thermal regime (Koch, Katine & Sun, PRL 92:088302, 2004):
  ``P = 1 - exp(-t_p / tau)``, ``tau = tau0 exp(Delta (1 - I/I_c0)^beta)`` for ``I < I_c0``;
  above ``I_c0`` the attempt rate saturates at ``1/tau0``.
* MTJ precessional regime (Sun, PRB 62:570, 2000, thermal initial angle):
  ``P = exp(-(pi^2 Delta / 4) exp(-2 (I/I_c0 - 1) t_p / tau_D))`` for ``I > I_c0``.
  The two forms do not meet at ``I_c0``; the probability used is the larger of the two (the
  faster mechanism wins), which keeps P monotone in amplitude and width (crossbar.md §9.3).
* SOT: the MTJ forms driven by the spin current
  ``I_s = theta_SH (L_MTJ / t_HM) (1 - sech(t_HM / lambda_sf)) I_HM`` (Liu et al., Science 2012).
* RRAM Poisson SET/RESET (Jo, Kim & Lu, Nano Lett. 9:496, 2009; Gaba et al., Nanoscale 2013):
  ``P = 1 - exp(-t_p / tau(V))``, ``tau(V) = tau0 exp(-V / V0)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hwsnn.backends.crossbar.spec import CrossbarSpec, DeviceKind, MtjSpec, SotWrite, WritePath
from hwsnn.errors import HwsnnError

__all__ = [
    "SwitchModel",
    "amplitude_for_probability",
    "mtj_precessional_probability",
    "mtj_switch_probability",
    "mtj_thermal_probability",
    "rram_switch_probability",
    "sot_spin_current",
    "switch_model",
    "width_for_probability",
]

F64 = NDArray[np.float64]


def mtj_thermal_probability(
    current_a: ArrayLike,
    pulse_s: ArrayLike,
    *,
    i_c0_a: ArrayLike,
    delta: ArrayLike,
    tau0_s: float,
    beta: float = 1.0,
) -> F64:
    """Thermal switching ``1 - exp(-t/tau)``, ``tau = tau0 exp(Delta (1-I/I_c0)^beta)``.

    Koch, Katine & Sun, PRL 92:088302 (2004). Above ``I_c0`` the barrier is zero and the
    attempt rate saturates at ``1/tau0``.
    """
    i = np.abs(np.asarray(current_a, dtype=np.float64)) / np.asarray(i_c0_a, dtype=np.float64)
    barrier = np.asarray(delta, dtype=np.float64) * np.clip(1.0 - i, 0.0, None) ** beta
    t = np.asarray(pulse_s, dtype=np.float64)
    p: F64 = np.clip(-np.expm1(-(t / tau0_s) * np.exp(-barrier)), 0.0, 1.0)
    return p


def mtj_precessional_probability(
    current_a: ArrayLike, pulse_s: ArrayLike, *, i_c0_a: ArrayLike, delta: ArrayLike, tau_d_s: float
) -> F64:
    """Precessional switching ``exp(-(pi^2 Delta/4) exp(-2 (I/I_c0 - 1) t/tau_D))``, 0 below I_c0.

    Sun, PRB 62:570 (2000) with a Boltzmann-distributed initial angle (Butler et al. 2012).
    """
    i = np.abs(np.asarray(current_a, dtype=np.float64)) / np.asarray(i_c0_a, dtype=np.float64)
    over = np.clip(i - 1.0, 0.0, None)
    d = np.asarray(delta, dtype=np.float64)
    t = np.asarray(pulse_s, dtype=np.float64)
    p = np.exp(-(math.pi**2 * d / 4.0) * np.exp(-2.0 * over * t / tau_d_s))
    return np.where(over > 0, p, 0.0)


def mtj_switch_probability(
    current_a: ArrayLike,
    pulse_s: ArrayLike,
    *,
    i_c0_a: ArrayLike,
    delta: ArrayLike,
    tau0_s: float,
    tau_d_s: float,
    beta: float = 1.0,
) -> F64:
    """Switching probability of an MTJ for a current pulse: the larger of the two regimes.

    Args:
        current_a: Drive (spin) current magnitude (A), any shape.
        pulse_s: Pulse width (s), broadcast with ``current_a``.
        i_c0_a: Critical current (A), broadcast (per device under device-to-device spread).
        delta: Thermal stability factor, broadcast.
        tau0_s: Attempt time (s).
        tau_d_s: Precessional characteristic time (s).
        beta: Barrier exponent of ``(1 - I/I_c0)^beta``.

    Returns:
        Probability in [0, 1] (float64), the broadcast shape. Monotone in current and width.
    """
    p_th = mtj_thermal_probability(
        current_a, pulse_s, i_c0_a=i_c0_a, delta=delta, tau0_s=tau0_s, beta=beta
    )
    p_pr = mtj_precessional_probability(
        current_a, pulse_s, i_c0_a=i_c0_a, delta=delta, tau_d_s=tau_d_s
    )
    return np.clip(np.maximum(p_th, p_pr), 0.0, 1.0)


def sot_spin_current(i_hm_a: ArrayLike, sot: SotWrite) -> F64:
    """Spin current injected into the free layer by a heavy-metal charge current (A).

    ``I_s = theta_SH (A_MTJ / A_HM) (1 - sech(t_HM / lambda_sf)) I_HM`` with
    ``A_MTJ / A_HM = L_MTJ / t_HM`` for a strip as wide as the junction (crossbar.md §5.1).
    """
    ratio = sot.mtj_length_m * sot.hm_width_m / (sot.hm_width_m * sot.hm_thickness_m)
    efficiency = 1.0 - 1.0 / math.cosh(sot.hm_thickness_m / sot.lambda_sf_m)
    return sot.theta_sh * ratio * efficiency * np.asarray(i_hm_a, dtype=np.float64)


def rram_switch_probability(
    voltage_v: ArrayLike, pulse_s: ArrayLike, *, tau0_s: ArrayLike, v0_v: ArrayLike
) -> F64:
    """Poisson switching probability of an RRAM cell, ``1 - exp(-t / (tau0 exp(-V/V0)))``.

    Args:
        voltage_v: Pulse amplitude magnitude (V).
        pulse_s: Pulse width (s).
        tau0_s: Wait-time prefactor (s), broadcast.
        v0_v: Voltage scale (V), broadcast (per device under spread).
    """
    v = np.abs(np.asarray(voltage_v, dtype=np.float64))
    rate = np.exp(v / np.asarray(v0_v, dtype=np.float64)) / np.asarray(tau0_s, dtype=np.float64)
    p: F64 = np.clip(-np.expm1(-np.asarray(pulse_s, dtype=np.float64) * rate), 0.0, 1.0)
    return p


@dataclass(frozen=True, kw_only=True)
class SwitchModel:
    """Switching probability of one device type as a function of pulse amplitude and width.

    ``amplitude`` is the driver's knob: the write current (A) for STT, the heavy-metal current
    (A) for SOT, the pulse voltage magnitude (V) for RRAM. ``scale`` multiplies the device's
    switching scale (I_c0 or V0; per device under device-to-device spread), ``delta_scale``
    multiplies the MTJ thermal stability.
    """

    kind: str
    amplitude_unit: str
    nominal_amplitude: float
    nominal_pulse_s: float
    _prob: Callable[[F64, F64, F64, F64], F64]

    def probability(
        self,
        amplitude: ArrayLike,
        pulse_s: ArrayLike,
        *,
        scale: ArrayLike = 1.0,
        delta_scale: ArrayLike = 1.0,
    ) -> F64:
        """P(switch) for a pulse, in [0, 1], broadcast over all arguments."""
        return self._prob(
            np.asarray(amplitude, dtype=np.float64),
            np.asarray(pulse_s, dtype=np.float64),
            np.asarray(scale, dtype=np.float64),
            np.asarray(delta_scale, dtype=np.float64),
        )


def _mtj_model(mtj: MtjSpec, spec: CrossbarSpec, *, setting: bool) -> SwitchModel:
    del setting  # STT/SOT switching is symmetric in this model (P->AP and AP->P alike)
    if spec.write_path is WritePath.SOT and spec.sot is not None:
        sot = spec.sot

        def prob(a: F64, t: F64, s: F64, d: F64) -> F64:
            return mtj_switch_probability(
                sot_spin_current(a, sot),
                t,
                i_c0_a=mtj.i_c0_a * s,
                delta=mtj.delta * d,
                tau0_s=mtj.tau0_s,
                tau_d_s=mtj.tau_d_s,
                beta=mtj.thermal_exponent,
            )

        return SwitchModel(
            kind="mtj-sot",
            amplitude_unit="A",
            nominal_amplitude=sot.current_a,
            nominal_pulse_s=sot.pulse_s,
            _prob=prob,
        )
    stt = spec.stt
    if stt is None:
        raise HwsnnError(f"{spec.name}: STT write needs an [stt] section")

    def prob_stt(a: F64, t: F64, s: F64, d: F64) -> F64:
        return mtj_switch_probability(
            a,
            t,
            i_c0_a=mtj.i_c0_a * s,
            delta=mtj.delta * d,
            tau0_s=mtj.tau0_s,
            tau_d_s=mtj.tau_d_s,
            beta=mtj.thermal_exponent,
        )

    return SwitchModel(
        kind="mtj-stt",
        amplitude_unit="A",
        nominal_amplitude=stt.current_a,
        nominal_pulse_s=stt.pulse_s,
        _prob=prob_stt,
    )


def switch_model(spec: CrossbarSpec, *, setting: bool = True) -> SwitchModel:
    """The switching model of a spec's device for SET (to low R, ``setting``) or RESET."""
    if spec.device_kind is DeviceKind.MTJ and spec.mtj is not None:
        return _mtj_model(spec.mtj, spec, setting=setting)
    rram = spec.rram
    if rram is None:
        raise HwsnnError(f"{spec.name}: no device section")
    tau0 = rram.set_tau0_s if setting else rram.reset_tau0_s
    v0 = rram.set_v0_v if setting else rram.reset_v0_v

    def prob(a: F64, t: F64, s: F64, d: F64) -> F64:
        del d
        return rram_switch_probability(a, t, tau0_s=tau0, v0_v=v0 * s)

    amp = rram.set_voltage_v if setting else rram.reset_voltage_v
    return SwitchModel(
        kind="rram-set" if setting else "rram-reset",
        amplitude_unit="V",
        nominal_amplitude=amp,
        nominal_pulse_s=rram.pulse_s,
        _prob=prob,
    )


def _bisect_log(f: Callable[[F64], F64], target: F64, lo: float, hi: float, iters: int = 80) -> F64:
    """Solve ``f(x) = target`` for increasing ``f`` by bisection in log(x), vectorised."""
    a = np.full(target.shape, math.log(lo))
    b = np.full(target.shape, math.log(hi))
    for _ in range(iters):
        mid = 0.5 * (a + b)
        below = f(np.exp(mid)) < target
        a = np.where(below, mid, a)
        b = np.where(below, b, mid)
    root: F64 = np.exp(b)
    return root


def _check_p(p: ArrayLike) -> F64:
    q = np.asarray(p, dtype=np.float64)
    if np.any(~np.isfinite(q)) or np.any(q <= 0) or np.any(q >= 1):
        raise HwsnnError(f"wanted probability: must be in (0, 1), got {q.min()}..{q.max()}")
    return q


def width_for_probability(
    model: SwitchModel, p: ArrayLike, amplitude: float | None = None, *, max_width_s: float = 1e-3
) -> F64:
    """Pulse width (s) at fixed amplitude that gives switching probability ``p``.

    Raises:
        HwsnnError: ``p`` outside (0, 1), or unreachable within ``max_width_s``.
    """
    q = _check_p(p)
    amp = model.nominal_amplitude if amplitude is None else amplitude
    if np.any(model.probability(amp, max_width_s) < q):
        raise HwsnnError(
            f"probability {q.max():.3g} needs a pulse longer than {max_width_s} s "
            f"at {amp:.3g} {model.amplitude_unit}"
        )
    return _bisect_log(lambda t: model.probability(amp, t), q, 1e-15, max_width_s)


def amplitude_for_probability(
    model: SwitchModel, p: ArrayLike, pulse_s: float | None = None, *, max_factor: float = 20.0
) -> F64:
    """Pulse amplitude (A or V) at fixed width that gives switching probability ``p``.

    Raises:
        HwsnnError: ``p`` outside (0, 1), or unreachable below ``max_factor`` x nominal amplitude.
    """
    q = _check_p(p)
    width = model.nominal_pulse_s if pulse_s is None else pulse_s
    hi = model.nominal_amplitude * max_factor
    if np.any(model.probability(hi, width) < q):
        raise HwsnnError(
            f"probability {q.max():.3g} needs more than {hi:.3g} {model.amplitude_unit}"
        )
    return _bisect_log(lambda a: model.probability(a, width), q, hi * 1e-9, hi)
