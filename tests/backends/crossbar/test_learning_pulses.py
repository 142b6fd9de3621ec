"""Pulse realisation of wanted switching probabilities: population, ramp trims, lookup table."""

import dataclasses

import numpy as np
import pytest

from hwsnn.backends.crossbar.cells import make_cells
from hwsnn.backends.crossbar.devices import switch_model
from hwsnn.backends.crossbar.energy import write_energy_per_attempt
from hwsnn.backends.crossbar.learning_pulses import (
    Calibration,
    PulseConfig,
    PulseRealiser,
    population_model,
    pulse_energy,
    ramp_calibration,
)
from hwsnn.backends.crossbar.specfile import load_spec
from hwsnn.errors import HwsnnError


def _cells(name: str, seed: int = 3, shape: tuple[int, int] = (40, 50)):
    spec = load_spec(name)
    state = np.zeros(shape, dtype=bool)
    return spec, make_cells(spec, state, np.random.default_rng(seed))


@pytest.mark.parametrize("name", ["mtj", "rram"])
def test_population_model_without_spread_is_the_device(name: str) -> None:
    spec = load_spec(name)
    base = switch_model(spec)
    pop = population_model(spec, True, sigma_scale=0.0, sigma_delta=0.0)
    a = base.nominal_amplitude * np.array([0.3, 0.5, 0.8])
    np.testing.assert_allclose(
        pop.probability(a, base.nominal_pulse_s), base.probability(a, base.nominal_pulse_s)
    )


@pytest.mark.parametrize("name", ["mtj", "rram"])
def test_pulse_energy_matches_the_priced_law(name: str) -> None:
    spec = load_spec(name)
    amps = np.array([0.3, 1.0, 2.0]) * switch_model(spec).nominal_amplitude
    want = [write_energy_per_attempt(spec, float(a), 5e-9) for a in amps]
    np.testing.assert_allclose(pulse_energy(spec, amps, 5e-9), want, rtol=1e-12)


def test_ramp_trims_measure_each_device_scale() -> None:
    spec, cells = _cells("mtj")
    width = switch_model(spec).nominal_pulse_s
    trim, cost = ramp_calibration(
        spec, cells, width, PulseConfig(ramps=8), np.random.default_rng(0)
    )
    err = np.log(trim) - np.log(cells.switch_scale)
    # the trim error is the predicted first-passage spread, far below the 5 % d2d spread
    assert np.std(err) < 1.5 * cost.residual_sigma < 0.5 * spec.variability.d2d_sigma_switch
    assert abs(np.mean(err)) < 0.01
    n = cells.state.size
    assert (
        cost.attempts > 8 * n and cost.switches == 2 * 8 * n and cost.verify_reads == cost.attempts
    )
    assert cost.write_energy_j > 0 and cost.read_energy_j > 0 and cost.unswitched == 0


def test_stuck_devices_are_left_untrimmed() -> None:
    spec = load_spec("rram")
    var = dataclasses.replace(spec.variability, stuck_high_rate=0.2)
    spec = dataclasses.replace(spec, variability=var)
    cells = make_cells(spec, np.zeros((20, 20), dtype=bool), np.random.default_rng(1))
    trim, cost = ramp_calibration(
        spec, cells, 50e-9, PulseConfig(ramps=2), np.random.default_rng(0)
    )
    assert np.all(trim[cells.stuck != 0] == 1.0) and cost.unswitched == 2 * int(
        (cells.stuck != 0).sum()
    )


@pytest.mark.parametrize("name", ["mtj", "rram"])
def test_population_pulse_gives_the_mean_probability(name: str) -> None:
    spec, cells = _cells(name)
    r = PulseRealiser(
        spec, PulseConfig(calibration=Calibration.POPULATION), cells, np.random.default_rng(0)
    )
    var = spec.variability
    sigma = np.hypot(var.d2d_sigma_switch, var.c2c_sigma_switch)
    for p in (0.005, 0.08):
        a = r.amplitude(p, True)
        pop = population_model(spec, True, sigma_scale=sigma, sigma_delta=var.d2d_sigma_delta)
        assert float(pop.probability(a, r.width_s)) == pytest.approx(p, rel=1e-4)
    assert r.trim is None and r.cost is None


def test_trimmed_pulses_shrink_the_per_device_spread() -> None:
    spec, cells = _cells("mtj")
    c2c = population_model(
        spec, True, sigma_scale=spec.variability.c2c_sigma_switch, sigma_delta=0.0
    )

    def realised(cal: Calibration) -> np.ndarray:
        r = PulseRealiser(spec, PulseConfig(calibration=cal), cells, np.random.default_rng(0))
        a = r.amplitude(0.08, True) * (1.0 if r.trim is None else r.trim)
        return c2c.probability(
            a, r.width_s, scale=cells.switch_scale, delta_scale=cells.delta_scale
        )

    pop, trimmed = realised(Calibration.POPULATION), realised(Calibration.DEVICE)
    cv = lambda x: np.std(x) / np.mean(x)  # noqa: E731
    assert cv(pop) > 1.0 > 0.5 > cv(trimmed)  # a 10 ns thermal MTJ pulse: d ln P / d ln I_c0 ~ 35
    assert np.mean(pop) == pytest.approx(0.08, rel=0.25)
    assert np.mean(trimmed) == pytest.approx(0.08, rel=0.1)


def test_lookup_table_quantises_in_log_p() -> None:
    spec, cells = _cells("rram", shape=(4, 4))
    r = PulseRealiser(
        spec,
        PulseConfig(calibration=Calibration.POPULATION, levels=16),
        cells,
        np.random.default_rng(0),
    )
    levels, amps = r.table(True)
    assert levels.size == 16 and levels[0] == pytest.approx(1e-4)
    assert np.all(np.diff(levels) > 0) and np.all(np.diff(amps) > 0)
    idx = r.quantise(np.array([1e-6, levels[3] * 1.01, levels[-1] * 2]), True)
    assert idx.tolist() == [-1, 3, 15]


def test_bad_pulse_config_names_the_field() -> None:
    with pytest.raises(HwsnnError, match="p_floor"):
        PulseConfig(p_floor=0.0)
    with pytest.raises(HwsnnError, match="width_s"):
        PulseConfig(width_s=-1e-9)
    with pytest.raises(HwsnnError, match="ramps"):
        PulseConfig(ramps=0)


def test_dac_rounding_puts_amplitudes_on_codes_and_costs_precision() -> None:
    spec, cells = _cells("mtj")
    c2c = population_model(
        spec, True, sigma_scale=spec.variability.c2c_sigma_switch, sigma_delta=0.0
    )

    def spread(bits: int | None) -> float:
        r = PulseRealiser(spec, PulseConfig(dac_bits=bits), cells, np.random.default_rng(0))
        a = r.amplitude_map(r.amplitude(0.08, True), cells.state.shape)
        if bits is not None:
            lsb = 1.5 * switch_model(spec).nominal_amplitude / 2**bits
            np.testing.assert_allclose(a / lsb, np.round(a / lsb), atol=1e-9)
        p = c2c.probability(a, r.width_s, scale=cells.switch_scale, delta_scale=cells.delta_scale)
        return float(np.std(p) / np.mean(p))

    assert spread(None) < spread(12) * 1.05 and spread(12) < spread(7)
    with pytest.raises(HwsnnError, match="dac_bits"):
        PulseConfig(dac_bits=0)


def test_virtual_design_removes_the_residual_model_bias() -> None:
    spec, cells = _cells("mtj", shape=(40, 100))
    ev = population_model(
        spec, True, sigma_scale=spec.variability.c2c_sigma_switch, sigma_delta=0.0
    )

    def mean_ratio(virtual: bool) -> float:
        cfg = PulseConfig(virtual_design=virtual)
        r = PulseRealiser(spec, cfg, cells, np.random.default_rng(4))
        a = r.amplitude_map(r.amplitude(0.005, True), cells.state.shape)
        p = ev.probability(a, r.width_s, scale=cells.switch_scale, delta_scale=cells.delta_scale)
        return float(p.mean() / 0.005)

    biased, virtual = mean_ratio(False), mean_ratio(True)
    assert biased < 0.98  # the lognormal residual model over-counts the trimmed Delta spread
    assert abs(virtual - 1.0) < 0.03
