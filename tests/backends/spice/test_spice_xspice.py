"""XSPICE neuron in ngspice: fires, agrees with the calibrated analytic tier, stays flat."""

from __future__ import annotations

import math
import resource

import numpy as np
import pytest

from hwsnn.analysis.circuit_jitter import simulate_input_jitter
from hwsnn.backends.spice.calibrate import load_calibration, simulate_patterns_xspice
from hwsnn.backends.spice.circuit import PLLNeuronCircuit
from hwsnn.backends.spice.patterns import PatternSpec, random_patterns
from hwsnn.backends.spice.runner import run_transient
from hwsnn.backends.spice.xspice import build_neuron_netlist, simulate_neuron_xspice
from hwsnn.errors import HwsnnError

pytestmark = pytest.mark.spice


def test_neuron_fires_and_stays_silent(ngspice: None) -> None:
    c = PLLNeuronCircuit()
    fired = simulate_neuron_xspice(c, [0.0, 2e-9, 5e-9], [0.5, 0.5, 0.4], 60e-9)
    assert 5e-9 < fired.t_spike_s < 60e-9
    silent = simulate_neuron_xspice(c, [0.0, 2e-9], [0.3, 0.3], 60e-9)
    assert math.isinf(silent.t_spike_s)
    assert abs(silent.psi_final_cycles - 0.6) < 0.1


def test_spike_times_match_calibrated_analytic(ngspice: None) -> None:
    model = load_calibration()
    pats = random_patterns(model, PatternSpec(), 50, np.random.default_rng(99))
    t_x = simulate_patterns_xspice(model.circuit, pats)
    rel = np.abs(t_x - pats.t_out) / t_x
    assert np.median(rel) < 0.02
    assert np.max(rel) < 0.05


def test_jitter_agrees_within_ten_percent(ngspice: None) -> None:
    table = simulate_input_jitter(load_calibration(), [0.09], rng=np.random.default_rng(3),
                                  n_samples=200, n_spot=30)
    row = table.rows[0]
    assert row.xspice_jitter_pct == pytest.approx(row.analytic_spot_jitter_pct, rel=0.10)
    assert row.spot_ratio == pytest.approx(row.xspice_jitter_pct / row.analytic_spot_jitter_pct)
    assert row.spot_ratio_ci95[0] < row.spot_ratio < row.spot_ratio_ci95[1]
    assert row.output_jitter_pct < 9.0


def test_sub_period_input_shifts_follow_the_pwm_staircase(ngspice: None) -> None:
    """Shifting one input by 0..300 ps moves the spike along the PWM staircase in both tiers:
    the same small slope and the same jump (the cause of the low XSPICE jitter at 1 %)."""
    model = load_calibration()
    pats = random_patterns(model, PatternSpec(), 1, np.random.default_rng(1))
    t0, w = pats.t_in[0], pats.weights[0]
    last = int(np.argmax(t0))
    shifts = np.arange(0.0, 301e-12, 30e-12)
    t = np.repeat(t0[None], shifts.size, 0)
    t[:, last] += shifts
    t_x = simulate_patterns_xspice(model.circuit, type(pats)(t, np.repeat(w[None], shifts.size, 0),
                                                             pats.t_out, pats.window_s))
    t_a = model.spike_times(t, np.repeat(w[None], shifts.size, 0), 2 * pats.window_s)
    steps = np.diff(t_x)
    assert steps.max() > 5 * np.median(steps)  # a jump between PWM pulses
    np.testing.assert_allclose(t_x - t_a, np.median(t_x - t_a), atol=6e-12)


def test_simulator_error_is_hwsnn_error(ngspice: None) -> None:
    net = build_neuron_netlist(PLLNeuronCircuit(), [0.0], [0.5], 10e-9)
    broken = type(net)(text=net.text.replace("a_vco1 ctl1 o1 vco1", "a_vco1 ctl1 o1 nomodel"),
                       template=net.template)
    with pytest.raises(HwsnnError):
        run_transient(broken, ["psi"])
    assert simulate_neuron_xspice(PLLNeuronCircuit(), [0.0], [2.0], 40e-9).t_spike_s < 40e-9


def _rss_kib() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@pytest.mark.slow
def test_memory_flat_over_200_runs(ngspice: None) -> None:
    c = PLLNeuronCircuit()
    net = build_neuron_netlist(c, [0.0, 1e-9], [0.6, 0.6], 12e-9, steps_per_period=20)
    for _ in range(20):
        run_transient(net, ["psi"])
    start = _rss_kib()
    for _ in range(200):
        run_transient(net, ["psi"])
    growth_mib = (_rss_kib() - start) / 1024
    assert growth_mib < 8.0, f"RSS grew {growth_mib:.1f} MiB over 200 runs"
