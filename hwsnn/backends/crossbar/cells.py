"""A population of binary devices: sampled spread, stuck-at faults, state, programming, disturb.

Device-to-device (d2d) spread is drawn once per device (lognormal, unit median) when the
population is made; cycle-to-cycle (c2c) spread is drawn per programming event. State ``True``
is the low-resistance state (MTJ parallel, RRAM LRS).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.crossbar.devices import SwitchModel, switch_model
from hwsnn.backends.crossbar.spec import CrossbarSpec, DeviceKind

__all__ = ["Cells", "WriteCounts", "make_cells", "read_disturb_probability"]

F64 = NDArray[np.float64]
Bool = NDArray[np.bool_]


@dataclass(frozen=True, kw_only=True)
class WriteCounts:
    """What one programming call did."""

    attempts: int
    """Pulses applied (one per device that was not already in the wanted state)."""
    switches: int
    """Devices that changed state."""


@dataclass(kw_only=True, eq=False)
class Cells:
    """Mutable state of a device population (arrays all of one shape).

    Attributes:
        state: True = low resistance.
        g_low_s, g_high_s: Conductance of each state per device (S), after d2d and c2c spread.
        switch_scale: Per-device multiplier of I_c0 (MTJ) or V0 (RRAM).
        delta_scale: Per-device multiplier of the MTJ thermal stability.
        stuck: 0 free, 1 stuck low-resistance, 2 stuck high-resistance.
    """

    spec: CrossbarSpec
    state: Bool
    g_low_s: F64
    g_high_s: F64
    switch_scale: F64
    delta_scale: F64
    stuck: NDArray[np.int8]

    def conductance(self) -> F64:
        """Conductance of every device in its present state (S)."""
        return np.where(self.state, self.g_low_s, self.g_high_s)

    def program(
        self,
        mask: Bool,
        to_low: bool,
        *,
        rng: np.random.Generator,
        amplitude: float | F64,
        pulse_s: float | F64,
        uniforms: F64 | None = None,
    ) -> WriteCounts:
        """Apply one programming pulse to every device in ``mask`` not already in the target state.

        Each attempt switches with the device's own probability (its d2d scale and a c2c
        drive spread drawn now). ``uniforms`` (same shape) lets a caller share random numbers
        with a reference run (common random numbers).
        """
        todo = mask & (self.state != to_low)
        n = int(todo.sum())
        if n == 0:
            return WriteCounts(attempts=0, switches=0)
        model = switch_model(self.spec, setting=to_low)
        var = self.spec.variability
        amp = np.broadcast_to(np.asarray(amplitude, dtype=np.float64), mask.shape)[todo]
        width = np.broadcast_to(np.asarray(pulse_s, dtype=np.float64), mask.shape)[todo]
        if var.c2c_sigma_switch > 0:
            amp = amp * rng.lognormal(0.0, var.c2c_sigma_switch, n)
        p = model.probability(
            amp, width, scale=self.switch_scale[todo], delta_scale=self.delta_scale[todo]
        )
        u = rng.random(n) if uniforms is None else uniforms[todo]
        flip = (u < p) & (self.stuck[todo] == 0)
        idx = tuple(ix[flip] for ix in np.nonzero(todo))
        self.state[idx] = to_low
        self._redraw(idx, rng)
        return WriteCounts(attempts=n, switches=int(flip.sum()))

    def _redraw(self, idx: tuple[NDArray[np.intp], ...], rng: np.random.Generator) -> None:
        sigma = self.spec.variability.c2c_sigma_r
        k = idx[0].size if idx else 0
        if sigma <= 0 or k == 0:
            return
        g_low, g_high = 1.0 / self.spec.r_low_ohm, 1.0 / self.spec.r_high_ohm
        d2d = self.spec.variability.d2d_sigma_r
        self.g_low_s[idx] = g_low * rng.lognormal(0.0, np.hypot(d2d, sigma), k)
        self.g_high_s[idx] = g_high * rng.lognormal(0.0, np.hypot(d2d, sigma), k)

    def disturb(
        self,
        reads: NDArray[np.int64],
        p: float | F64,
        rng: np.random.Generator,
        *,
        towards: bool | None = None,
    ) -> int:
        """Flip devices read ``reads`` times each with per-read disturb probability ``p``.

        Args:
            reads: Reads per device, broadcastable to the array shape (e.g. ``(rows, 1)``).
            p: Per-read disturb probability, a scalar or one per device.
            rng: Source of the flips.
            towards: State a read pushes a device to (True = low resistance, the SET
                polarity; False = RESET); ``None``: either direction, so any free device may
                flip. Devices already there, and stuck devices, never flip.

        Returns:
            The number of devices flipped; each flips with ``1 - (1 - p)^reads``.
        """
        p_read = np.asarray(p, dtype=np.float64)
        if not np.any(p_read > 0):
            return 0
        p_any = -np.expm1(reads * np.log1p(-p_read))
        flip = (rng.random(self.state.shape) < p_any) & (self.stuck == 0)
        if towards is not None:
            flip &= self.state != towards
        self.state[flip] = ~self.state[flip]
        return int(flip.sum())


def make_cells(
    spec: CrossbarSpec, state: Bool, rng: np.random.Generator, *, ideal: bool = False
) -> Cells:
    """Sample a device population holding ``state`` (True = low resistance).

    ``ideal`` gives nominal devices: no spread and no stuck-at faults.
    """
    shape = state.shape
    var = spec.variability
    g_low, g_high = 1.0 / spec.r_low_ohm, 1.0 / spec.r_high_ohm

    def spread(sigma: float) -> F64:
        if ideal or sigma <= 0:
            return np.ones(shape)
        return rng.lognormal(0.0, sigma, shape)

    stuck = np.zeros(shape, dtype=np.int8)
    if not ideal and var.stuck_low_rate + var.stuck_high_rate > 0:
        u = rng.random(shape)
        stuck[u < var.stuck_low_rate] = 1
        stuck[(u >= var.stuck_low_rate) & (u < var.stuck_low_rate + var.stuck_high_rate)] = 2
    st = np.array(state, dtype=bool, copy=True)
    st[stuck == 1] = True
    st[stuck == 2] = False
    return Cells(
        spec=spec,
        state=st,
        g_low_s=g_low * spread(var.d2d_sigma_r),
        g_high_s=g_high * spread(var.d2d_sigma_r),
        switch_scale=spread(var.d2d_sigma_switch),
        delta_scale=spread(var.d2d_sigma_delta),
        stuck=stuck,
    )


def read_disturb_probability(spec: CrossbarSpec, model: SwitchModel | None = None) -> float:
    """Probability that one read pulse flips a cell.

    MTJ: the thermal switching probability at the read current ``V_read / R_P`` for the read
    pulse (STT read path; an SOT cell's read current does not pass the write path, but the
    junction still sees the read current). RRAM: the Poisson SET probability at ``V_read``.
    """
    model = model or switch_model(spec, setting=True)
    if spec.device_kind is DeviceKind.MTJ and spec.mtj is not None:
        from hwsnn.backends.crossbar.devices import mtj_switch_probability

        mtj = spec.mtj
        i_read = spec.read.voltage_v / spec.r_low_ohm
        return float(
            mtj_switch_probability(
                i_read,
                spec.read.pulse_s,
                i_c0_a=mtj.i_c0_a,
                delta=mtj.delta,
                tau0_s=mtj.tau0_s,
                tau_d_s=mtj.tau_d_s,
                beta=mtj.thermal_exponent,
            )
        )
    return float(model.probability(spec.read.voltage_v, spec.read.pulse_s))
