"""XSPICE behavioural n-LIF neuron: netlist generation and simulation in ngspice.

The netlist comes from ``circuits/nlif_xspice.cir.tmpl`` (one ``nlif_synapse`` block per
non-zero, non-silent input). The maximum time step is the fastest oscillation period over
``steps_per_period`` (research ``spice.md`` §2.2: ``d_osc`` integrates its frequency at the
analog time points, so its timing follows ``tmax``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hwsnn.backends.spice.circuit import PLLNeuronCircuit, weights_to_conductances
from hwsnn.backends.spice.netlist import Netlist, Template, load_template, render
from hwsnn.backends.spice.runner import run_transient
from hwsnn.errors import HwsnnError

__all__ = [
    "T_START_S",
    "XspiceSpike",
    "build_neuron_netlist",
    "measure_ripple_phase",
    "simulate_neuron_xspice",
]

T_START_S = 1.0e-9
"""Circuit time of input time 0 (s); the PWL sources need a strictly positive first edge."""


@dataclass(frozen=True)
class XspiceSpike:
    """Result of one XSPICE neuron run.

    Attributes:
        t_spike_s: Output spike time relative to input time 0 (s); ``inf`` if silent.
        psi_final_cycles: Membrane (VCO4 - VCO3 phase, cycles) at the end or at the spike.
        n_points: Number of analog time points ngspice computed.
    """

    t_spike_s: float
    psi_final_cycles: float
    n_points: int


@cache
def _templates() -> tuple[Template, Template]:
    return load_template("nlif_xspice"), load_template("nlif_synapse")


def _synapses(circuit: PLLNeuronCircuit, t_in: NDArray[np.float64],
              weights: NDArray[np.float64]) -> list[Netlist]:
    conductance = weights_to_conductances(circuit, weights)
    blocks = []
    for i, (t, w, g) in enumerate(zip(t_in, weights, conductance, strict=True)):
        if not math.isfinite(t) or w == 0:
            continue
        if t < 0:
            raise HwsnnError(f"input {i}: spike time {t} s is negative")
        t0 = T_START_S + t
        edge, flat = circuit.t_edge_s, circuit.t_pulse_s
        blocks.append(render(_templates()[1], {
            "name": f"in{i}", "node": f"in{i}", "t0": t0, "t1": t0 + edge,
            "t2": t0 + edge + flat, "t3": t0 + 2 * edge + flat,
            "amp": math.copysign(circuit.v_spike_v, w), "r": 1.0 / g,
        }))
    return blocks


def build_neuron_netlist(circuit: PLLNeuronCircuit, t_in: ArrayLike, weights: ArrayLike,
                         t_stop_s: float, steps_per_period: float = 100.0) -> Netlist:
    """Render the XSPICE neuron for one input pattern.

    Args:
        circuit: Circuit values.
        t_in: Input spike times, shape ``(n,)`` (s, from input time 0); ``inf`` = silent.
        weights: Signed weights, shape ``(n,)`` (units of ``circuit.g_unit_s``).
        t_stop_s: Simulated window after input time 0 (s).
        steps_per_period: Time points per fastest oscillation period (sets ``tmax``).
    """
    t = np.asarray(t_in, dtype=np.float64).ravel()
    w = np.asarray(weights, dtype=np.float64).ravel()
    if t.shape != w.shape:
        raise HwsnnError(f"t_in {t.shape} and weights {w.shape} differ in shape")
    c = circuit
    t_max_step = c.fastest_period_s / steps_per_period
    half_span = 0.5 * c.k_vco2_hz_per_v * c.vdd_v
    return render(_templates()[0], {
        "synapses": _synapses(c, t, w), "r_t": c.r_t_ohm,
        "vco1_f_lo": c.f0_hz - c.k_vco1_hz_per_v, "vco1_f_hi": c.f0_hz + c.k_vco1_hz_per_v,
        "vdd": c.vdd_v, "r_lf": c.r_lf_ohm, "c_lf": c.c_lf_f,
        "vco2_f_lo": c.f0_hz - half_span, "vco2_f_hi": c.f0_hz + half_span,
        "k_i": c.k_i_hz_per_a, "i_h": c.i_h_a, "i_l": c.i_l_a, "i_th": c.i_th_a,
        "psi_lo": c.psi_th_cycles * (1 - 1e-6), "psi_th": c.psi_th_cycles,
        "v_lock": 0.5 * c.vdd_v, "t_step": t_max_step, "t_stop": T_START_S + t_stop_s,
        "t_max_step": t_max_step,
    })


def _crossing(time: NDArray[np.float64], values: NDArray[np.float64], level: float) -> float:
    idx = np.flatnonzero(values >= level)
    if idx.size == 0:
        return math.inf
    k = int(idx[0])
    if k == 0:
        return float(time[0])
    frac = (level - values[k - 1]) / (values[k] - values[k - 1])
    return float(time[k - 1] + frac * (time[k] - time[k - 1]))


def simulate_neuron_xspice(circuit: PLLNeuronCircuit, t_in: ArrayLike, weights: ArrayLike,
                           t_stop_s: float, steps_per_period: float = 100.0) -> XspiceSpike:
    """Simulate one input pattern in ngspice and return the output spike time.

    The neuron fired if the DFF output ``qa`` went high; its spike time is where the
    membrane ``psi`` crossed ``psi_th`` (linear interpolation between analog time points,
    which resolves changes smaller than one time step; the DFF edge itself lands on a time
    point).

    Raises:
        SimulatorUnavailableError: ngspice, PySpice or the XSPICE code models are missing.
    """
    netlist = build_neuron_netlist(circuit, t_in, weights, t_stop_s, steps_per_period)
    out = run_transient(netlist, ["psi", "qa"])
    t_fire = _crossing(out["time"], out["qa"], 0.5)
    if math.isfinite(t_fire):
        t_spike = min(_crossing(out["time"], out["psi"], circuit.psi_th_cycles), t_fire)
        psi_end = circuit.psi_th_cycles
    else:
        t_spike, psi_end = math.inf, float(out["psi"][-1])
    return XspiceSpike(t_spike_s=t_spike - T_START_S, psi_final_cycles=psi_end,
                       n_points=int(out["time"].size))


def _falling_edges(time: NDArray[np.float64], values: NDArray[np.float64],
                   level: float) -> NDArray[np.float64]:
    k = np.flatnonzero((values[:-1] >= level) & (values[1:] < level))
    frac = (values[k] - level) / (values[k] - values[k + 1])
    return np.asarray(time[k] + frac * (time[k + 1] - time[k]))


def measure_ripple_phase(circuit: PLLNeuronCircuit, t_stop_s: float,
                         steps_per_period: float = 100.0) -> float:
    """Phase of the VCO2 edges that end the XOR pulses, with no input (half-cycles, [0, 1)).

    UP falls at the VCO2 edges on the stable branch of the loop; their times ``t_k``
    (input time) satisfy ``2 f0 t_k - phase`` integer. The circular mean over the window
    is returned (:mod:`hwsnn.backends.spice.staircase`).

    Raises:
        HwsnnError: The loop produced fewer than two XOR pulses.
    """
    netlist = build_neuron_netlist(circuit, [math.inf], [0.0], t_stop_s, steps_per_period)
    out = run_transient(netlist, ["upa"])
    edges = _falling_edges(out["time"], out["upa"], 0.5 * circuit.vdd_v) - T_START_S
    if edges.size < 2:
        raise HwsnnError("XSPICE neuron: no XOR pulses, the PLL is not running")
    angle = np.angle(np.exp(2j * np.pi * 2.0 * circuit.f0_hz * edges).mean())
    return float(np.mod(angle / (2.0 * np.pi), 1.0))
