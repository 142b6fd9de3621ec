import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwsnn.backends.crossbar.cells import make_cells, read_disturb_probability
from hwsnn.backends.crossbar.devices import (
    amplitude_for_probability,
    mtj_precessional_probability,
    mtj_switch_probability,
    rram_switch_probability,
    switch_model,
    width_for_probability,
)
from hwsnn.backends.crossbar.spec import WritePath
from hwsnn.backends.crossbar.specfile import load_spec

MTJ = load_spec("mtj")
MODELS = {
    "sot": switch_model(MTJ),
    "stt": switch_model(dataclasses.replace(MTJ, write_path=WritePath.STT)),
    "rram-set": switch_model(load_spec("rram"), setting=True),
    "rram-reset": switch_model(load_spec("rram"), setting=False),
}
factor = st.floats(0.05, 5.0)
width = st.floats(1e-11, 1e-5)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(MODELS)), factor, factor, width, st.floats(1.0, 3.0))
def test_probability_bounded_and_monotone(
    name: str, a: float, b: float, t: float, k: float
) -> None:
    m = MODELS[name]
    lo, hi = sorted((a * m.nominal_amplitude, b * m.nominal_amplitude))
    p_lo, p_hi = m.probability(lo, t), m.probability(hi, t)
    assert 0.0 <= p_lo <= p_hi <= 1.0
    assert m.probability(lo, t) <= m.probability(lo, t * k) <= 1.0


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(MODELS)), st.floats(0.01, 0.95))
def test_inverse_width_and_amplitude(name: str, p: float) -> None:
    m = MODELS[name]
    t = width_for_probability(m, p)
    assert m.probability(m.nominal_amplitude, t) == pytest.approx(p, abs=1e-6)
    a = amplitude_for_probability(m, p)
    assert m.probability(a, m.nominal_pulse_s) == pytest.approx(p, abs=1e-6)


def test_closed_forms_match_literature_examples() -> None:
    # crossbar.md 5.1: Delta=40, I=2 I_c0, tau_D=2.84 ns -> P(5 ns)=0.054, P(10 ns)=0.92
    kw = dict(i_c0_a=1.0, delta=40.0, tau0_s=1e-9, tau_d_s=2.84e-9)
    prec = dict(i_c0_a=1.0, delta=40.0, tau_d_s=2.84e-9)
    assert mtj_precessional_probability(2.0, 5e-9, **prec) == pytest.approx(0.054, rel=0.05)
    assert mtj_precessional_probability(2.0, 10e-9, **prec) == pytest.approx(0.92, abs=0.01)
    # short pulses far above I_c0: the precessional form decides the combined probability
    assert mtj_switch_probability(10.0, 2e-9, **kw) == mtj_precessional_probability(
        10.0, 2e-9, **prec
    )
    # thermal: tau = tau0 exp(Delta/2) at I = I_c0/2
    tau = 1e-9 * np.exp(20.0)
    assert mtj_switch_probability(0.5, tau, **kw) == pytest.approx(1 - np.exp(-1), rel=1e-9)
    # RRAM (Jo 2009): tau(3 V) ~ 1.1 ms for tau0=2.85e5 s, V0=0.155 V
    p = rram_switch_probability(3.0, 1e-6, tau0_s=2.85e5, v0_v=0.155)
    assert p == pytest.approx(1 - np.exp(-1e-6 / 1.1e-3), rel=0.05)


def test_cells_spread_faults_and_programming() -> None:
    rng = np.random.default_rng(0)
    spec = dataclasses.replace(
        MTJ,
        variability=dataclasses.replace(MTJ.variability, stuck_low_rate=0.1, stuck_high_rate=0.1),
    )
    cells = make_cells(spec, np.zeros((200, 200), bool), rng)
    frac_low = cells.state.mean()
    assert 0.08 < frac_low < 0.12  # stuck-low devices read low
    assert np.std(np.log(cells.g_low_s)) == pytest.approx(0.03, rel=0.1)
    model = switch_model(spec)
    width = float(width_for_probability(model, 0.3))
    counts = cells.program(
        np.ones((200, 200), bool), True, rng=rng, amplitude=model.nominal_amplitude, pulse_s=width
    )
    assert counts.attempts == int((~np.zeros(1, bool)).sum() * 0 + 200 * 200 - frac_low * 40000)
    free = cells.stuck == 0
    assert 0.2 < counts.switches / free.sum() < 0.4
    assert not cells.state[cells.stuck == 2].any()
    ideal = make_cells(spec, np.ones((3, 3), bool), rng, ideal=True)
    assert np.all(ideal.conductance() == 1.0 / spec.r_low_ohm)


def test_read_disturb_is_small_for_stable_mtj() -> None:
    p = read_disturb_probability(MTJ)
    assert 0.0 <= p < 1e-9
    assert 0.0 <= read_disturb_probability(load_spec("rram")) < 1e-4


@pytest.mark.parametrize("towards", [None, True, False])
def test_disturb_moves_free_devices_only_towards_the_read_state(towards: bool | None) -> None:
    rng = np.random.default_rng(3)
    state = rng.random((40, 30)) < 0.5
    cells = make_cells(load_spec("rram"), state, rng, ideal=True)
    cells.stuck[:5] = 1  # stuck devices never move
    before = cells.state.copy()
    n = cells.disturb(np.full((40, 1), 50), 0.02, rng, towards=towards)
    flipped = before != cells.state
    assert n == int(flipped.sum()) > 0 and not flipped[:5].any()
    assert bool(flipped[before].any()) == (towards is not True)  # low -> high needs RESET
    assert bool(flipped[~before].any()) == (towards is not False)
    expected = 1 - (1 - 0.02) ** 50  # flip odds of a free device that may move
    low = before[5:]
    movable = {None: low | ~low, True: ~low, False: low}[towards]
    assert flipped[5:][movable].mean() == pytest.approx(expected, abs=0.08)
