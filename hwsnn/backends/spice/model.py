"""The calibrated analytic neuron: circuit values + closed-form PLL response + calibration.

``t_out = stair(spike_times(t_i + t_centroid, gain * a_i)) + offset`` where ``a_i = w_i *
circuit.membrane_gain`` (research ``spice.md`` §6.3, §6.7): ``stair`` moves the averaged
crossing onto the XOR PWM ramp that really crosses the threshold (:mod:`.staircase`, when
the calibration carries the measured VCO2 edge phase), ``gain`` absorbs small differences
in the effective phase step and ``offset`` the remaining constant lag; all three are
measured or fitted against the XSPICE netlist by :mod:`hwsnn.backends.spice.calibrate`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hwsnn.backends.spice.analytic import PLLResponse, error_response, spike_times
from hwsnn.backends.spice.circuit import PLLNeuronCircuit
from hwsnn.backends.spice.staircase import Staircase, staircase_spike_times

__all__ = ["Calibration", "NeuronModel"]


@dataclass(frozen=True)
class Calibration:
    """Analytic-tier corrections fitted against XSPICE.

    Attributes:
        offset_s: Constant added to the analytic spike time (s).
        gain: Factor on the membrane drive ``a_i`` and the phase steps (dimensionless).
        ripple_phase: Phase of the VCO2 edges that end the XOR pulses at input time 0
            (half-cycles of VCO2, in ``[0, 1)``); None keeps the averaged (PWM-free)
            membrane, a number turns on the staircase of :mod:`.staircase`.
        membrane_delay_s: Lag of the averaged membrane behind the input pulse centroids (s).
    """

    offset_s: float = 0.0
    gain: float = 1.0
    ripple_phase: float | None = None
    membrane_delay_s: float = 0.0


@dataclass(frozen=True)
class NeuronModel:
    """Vectorised analytic n-LIF neuron for one circuit.

    Attributes:
        circuit: Circuit values.
        calibration: Fitted corrections (identity by default).
    """

    circuit: PLLNeuronCircuit = field(default_factory=PLLNeuronCircuit)
    calibration: Calibration = field(default_factory=Calibration)

    @property
    def response(self) -> PLLResponse:
        """Closed-loop PLL response of this circuit (paper 003 eq. 2)."""
        return PLLResponse(self.circuit.loop_gain_per_s, self.circuit.omega_lf_rad_per_s)

    def spike_times(self, t_in: ArrayLike, weights: ArrayLike,
                    t_max: float) -> NDArray[np.float64]:
        """Output spike times (s) for inputs and weights of shape ``(N, n)``; ``inf`` = silent.

        Args:
            t_in: Input spike times from input time 0 (s); ``inf`` for a silent input.
            weights: Signed weights in units of ``circuit.g_unit_s``.
            t_max: End of the window (s).
        """
        c, cal = self.circuit, self.calibration
        t = np.atleast_2d(np.asarray(t_in, dtype=np.float64)) + c.pulse_centroid_s
        w = np.broadcast_to(np.asarray(weights, dtype=np.float64), t.shape)
        a = w * (c.membrane_gain * cal.gain)
        out = spike_times(t + cal.membrane_delay_s, a, self.response, c.psi_th_cycles,
                          t_max - cal.offset_s)
        if cal.ripple_phase is not None:
            steps = w * (c.phase_per_unit_weight_rad * cal.gain / (2.0 * math.pi))
            stairs = Staircase(f0_hz=c.f0_hz, delta_f_hz=c.delta_f_hz,
                               threshold_cycles=c.psi_th_cycles, ripple_phase=cal.ripple_phase,
                               membrane_delay_s=cal.membrane_delay_s)
            out = staircase_spike_times(out, t, a, steps, self.response, stairs)
            out = np.where(out <= t_max - cal.offset_s, out, np.inf)
        return out + cal.offset_s

    def max_phase_error(self, t_in: ArrayLike, weights: ArrayLike, t_end: ArrayLike,
                        n_grid: int = 64) -> NDArray[np.float64]:
        """Largest |PLL phase error| (rad) before ``t_end`` (s), per sample.

        The XOR detector is linear only while the error stays within ``pi/2`` of the lock
        point (research ``spice.md`` §6.6); patterns beyond that fold back.
        """
        t = np.atleast_2d(np.asarray(t_in, dtype=np.float64)) + self.circuit.pulse_centroid_s
        steps = np.atleast_2d(np.asarray(weights, dtype=np.float64))
        steps = steps * self.circuit.phase_per_unit_weight_rad
        end = np.where(np.isfinite(t_end), t_end, np.nanmax(np.where(np.isfinite(t), t, 0), 1))
        grid = np.asarray(end)[:, None] * np.linspace(0.0, 1.0, n_grid)[None, :]
        lag = grid[:, :, None] - np.where(np.isfinite(t), t, math.inf)[:, None, :]
        err = (np.where(np.isfinite(lag), error_response(np.nan_to_num(lag, neginf=-1.0),
                                                         self.response), 0.0)
               * steps[:, None, :]).sum(-1)
        return np.asarray(np.abs(err).max(-1))
