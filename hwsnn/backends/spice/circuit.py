"""Parameters of the VCO/PLL n-LIF neuron and the map from weights to circuit values.

The neuron is the phase-domain circuit of Zhou et al., "Deep SNN with direct training"
(AAAI 2021, doi:10.1609/aaai.v35i12.17329; ``papers/003``, Section 3.1, Fig. 1, eq. 2):

* input spike ``i`` is a voltage pulse (``v_spike_v`` for ``t_pulse_s``) through a weight
  resistor ``R_i = 1/G_i`` into a transimpedance node; VCO1 (gain ``k_vco1``) turns the
  pulse area into a phase step ``dtheta_i = 2 pi k_vco1 r_t v_spike G_i T_area``;
* a type-I PLL (XOR phase detector ``K_pd = V_dd/pi``, RC loop filter ``omega_lf = 1/RC``,
  VCO2 with gain ``k_vco2``) tracks VCO1; its loop gain is ``K = K_pd 2 pi k_vco2 =
  2 V_dd k_vco2`` (1/s) and the phase error decays like the synaptic current;
* the XOR output UP switches VCO4 between ``f_H = k_i I_H`` and ``f_L = k_i I_L``; VCO3 runs
  at ``f_th = k_i I_th`` with ``I_th = (I_H + I_L)/2``, so the phase difference
  ``psi = phi4 - phi3`` (cycles) integrates ``(f_H - f_L)/pi`` times the phase error;
* the DFF fires when VCO4 has lapped VCO3 by ``psi_th_cycles`` and then resets both.

Signed weights use the polarity of the input pulse (an excitatory and an inhibitory rail);
the resistor is the magnitude.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hwsnn.errors import HwsnnError

__all__ = ["PLLNeuronCircuit", "weights_to_conductances", "weights_to_phase_steps"]


@dataclass(frozen=True, kw_only=True)
class PLLNeuronCircuit:
    """Values of the behavioural neuron (defaults: 2 GHz VCO1/VCO2, tau = 10 ns).

    Attributes:
        f0_hz: Free-running frequency of VCO1 and VCO2 (Hz).
        k_vco1_hz_per_v: VCO1 tuning gain (Hz/V).
        k_vco2_hz_per_v: VCO2 tuning gain (Hz/V).
        vdd_v: Logic supply, the XOR output swing (V).
        r_lf_ohm: Loop-filter resistor (ohm).
        c_lf_f: Loop-filter capacitor (F).
        r_t_ohm: Transimpedance of VCO1's summing node (ohm).
        v_spike_v: Input spike amplitude (V).
        t_pulse_s: Input spike flat-top width (s).
        t_edge_s: Input spike rise and fall time (s).
        k_i_hz_per_a: Current gain of VCO3/VCO4 (Hz/A).
        i_h_a: VCO4 current when UP is high (A).
        i_l_a: VCO4 current when UP is low (A).
        psi_th_cycles: Lap of VCO4 over VCO3 that fires the DFF (cycles).
        g_unit_s: Weight-resistor conductance per unit weight (S).
    """

    f0_hz: float = 2.0e9
    k_vco1_hz_per_v: float = 2.5e8
    k_vco2_hz_per_v: float = 5.0e7
    vdd_v: float = 1.0
    r_lf_ohm: float = 1.0e4
    c_lf_f: float = 1.0e-13
    r_t_ohm: float = 1.0e3
    v_spike_v: float = 1.0
    t_pulse_s: float = 0.9e-9
    t_edge_s: float = 0.1e-9
    k_i_hz_per_a: float = 1.0e14
    i_h_a: float = 1.2e-5
    i_l_a: float = 8.0e-6
    psi_th_cycles: float = 1.0
    g_unit_s: float = 5.0e-4

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not math.isfinite(value) or value <= 0:
                raise HwsnnError(f"PLLNeuronCircuit.{name}: must be finite and > 0, got {value}")
        if self.i_h_a <= self.i_l_a:
            raise HwsnnError("PLLNeuronCircuit: i_h_a must exceed i_l_a")

    @property
    def loop_gain_per_s(self) -> float:
        """``K = K_pd * 2 pi k_vco2 = 2 V_dd k_vco2`` (1/s), paper 003 eq. 2."""
        return 2.0 * self.vdd_v * self.k_vco2_hz_per_v

    @property
    def omega_lf_rad_per_s(self) -> float:
        """Loop-filter corner ``1/(R C)`` (rad/s)."""
        return 1.0 / (self.r_lf_ohm * self.c_lf_f)

    @property
    def i_th_a(self) -> float:
        """VCO3 reference current ``(I_H + I_L)/2`` (A): zero drift at rest."""
        return 0.5 * (self.i_h_a + self.i_l_a)

    @property
    def delta_f_hz(self) -> float:
        """``f_H - f_L`` (Hz)."""
        return self.k_i_hz_per_a * (self.i_h_a - self.i_l_a)

    @property
    def pulse_area_s(self) -> float:
        """Effective width of one input pulse, area / amplitude (s)."""
        return self.t_pulse_s + self.t_edge_s

    @property
    def pulse_centroid_s(self) -> float:
        """Delay from a spike's nominal time to its pulse centroid (s)."""
        return self.t_edge_s + 0.5 * self.t_pulse_s

    @property
    def phase_per_unit_weight_rad(self) -> float:
        """VCO1 phase step for weight 1 (rad)."""
        return (2.0 * math.pi * self.k_vco1_hz_per_v * self.r_t_ohm * self.v_spike_v
                * self.g_unit_s * self.pulse_area_s)

    @property
    def membrane_gain(self) -> float:
        """``a / w`` in ``psi' = sum_i a_i e_i(t)``: ``(f_H - f_L)/pi * dtheta_1`` (cycles/s)."""
        return self.delta_f_hz / math.pi * self.phase_per_unit_weight_rad

    @property
    def fastest_period_s(self) -> float:
        """Period of the fastest oscillation in the netlist (s)."""
        f_max = max(self.f0_hz + 2.0 * self.k_vco1_hz_per_v, self.k_i_hz_per_a * self.i_h_a)
        return 1.0 / f_max


def weights_to_phase_steps(circuit: PLLNeuronCircuit, weights: ArrayLike) -> NDArray[np.float64]:
    """VCO1 phase steps ``dtheta = w * dtheta_1`` (rad) for weights ``w`` (any shape)."""
    return np.asarray(weights, dtype=np.float64) * circuit.phase_per_unit_weight_rad


def weights_to_conductances(circuit: PLLNeuronCircuit, weights: ArrayLike) -> NDArray[np.float64]:
    """Weight-resistor conductances ``|w| g_unit`` (S); the sign picks the input rail."""
    return np.abs(np.asarray(weights, dtype=np.float64)) * circuit.g_unit_s
