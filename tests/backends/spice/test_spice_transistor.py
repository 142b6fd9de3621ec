"""Transistor-level blocks on sky130 and 65 nm-like cards."""

from __future__ import annotations

import time

import pytest

from hwsnn.backends.spice.models import get_process, trimmed_sky130_cards
from hwsnn.backends.spice.transistor import characterize_neuron, measure_vco
from hwsnn.errors import SimulatorUnavailableError

pytestmark = pytest.mark.spice


def test_trimmed_cards_hold_only_used_bins(sky130_cards: None) -> None:
    p = get_process("sky130")
    path = trimmed_sky130_cards(p.devices())
    text = path.read_text()
    assert 1 <= text.count(".model ") <= len(p.devices())
    assert path.stat().st_size < 200_000


def test_unknown_process() -> None:
    with pytest.raises(SimulatorUnavailableError):
        get_process("3nm")


@pytest.mark.slow
def test_characterize_sky130_within_a_minute(ngspice: None, sky130_cards: None) -> None:
    start = time.perf_counter()
    result = characterize_neuron("sky130")
    assert time.perf_counter() - start < 60
    assert list(result.freq_hz) == sorted(result.freq_hz)  # f rises with the control voltage
    assert 0.2e9 < result.f_op_hz < 3e9
    assert result.k_vco_hz_per_v > 0
    assert 20e-15 < result.energy_per_cycle_j[2] < 500e-15
    assert 0.5e-12 < result.energy_per_spike_j < 50e-12
    assert result.vdd_v == 1.8 and "130 nm" in result.label


def test_65nm_like_vco_is_faster_and_cheaper_per_cycle(ngspice: None, sky130_cards: None) -> None:
    f65, e65 = measure_vco(get_process("65nm-like"), 0.7)
    f130, e130 = measure_vco(get_process("sky130"), 1.1)
    assert f65 > f130 * 0.8
    assert e65 < e130


def test_golden_vco_netlist() -> None:
    from hwsnn.backends.spice.transistor import build_vco_netlist

    from .conftest import GOLDEN, UPDATE_GOLDEN

    p = get_process("65nm-like")
    text = build_vco_netlist(p, 0.7).text
    cards = text.splitlines()[1].split()[1]
    text = text.replace(cards, "<cards>")
    path = GOLDEN / "cs_vco_65nm_like.cir"
    if UPDATE_GOLDEN:
        path.write_text(text)
    assert text == path.read_text()


def test_missing_corner_is_simulator_unavailable(sky130_cards: None) -> None:
    with pytest.raises(SimulatorUnavailableError, match="corner"):
        trimmed_sky130_cards(get_process("sky130").devices(), corner="xx")
