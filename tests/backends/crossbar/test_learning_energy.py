import argparse
import dataclasses
import json

import numpy as np
import pytest

from hwsnn.backends.crossbar import Fidelity, load_spec, map_graph, simulate_crossbar
from hwsnn.backends.crossbar.devices import switch_model
from hwsnn.backends.crossbar.energy import estimate_inference_energy, write_energy_per_attempt
from hwsnn.backends.crossbar.learning import HbStdpConfig, Realisation, train_hb_stdp
from hwsnn.backends.crossbar.learning_network import _disturb_map
from hwsnn.backends.crossbar.learning_pulses import Calibration, PulseConfig, ReadPolarity
from hwsnn.backends.crossbar.spec import WritePath
from hwsnn.backends.crossbar.sweeps import sweep_accuracy

from .conftest import binary_mlp


def _digits(n_train: int, n_test: int):
    from hwsnn.data import load_digits

    d = load_digits()
    flat = lambda a: a.reshape(len(a), -1).astype(np.float64)  # noqa: E731
    return (
        flat(d.x_train)[:n_train],
        d.y_train[:n_train],
        flat(d.x_test)[:n_test],
        d.y_test[:n_test],
    )


@pytest.mark.parametrize("name", ["rram", "mtj"])
def test_hb_stdp_device_vs_ideal(name: str) -> None:
    spec = load_spec(name)
    data = _digits(300, 120)
    cfg = HbStdpConfig(n_neurons=20, timesteps=30, max_rate_hz=300.0)
    ideal = train_hb_stdp(spec, *data, realisation=Realisation.IDEAL, seed=1, config=cfg)
    dev = train_hb_stdp(spec, *data, realisation=Realisation.DEVICE, seed=1, config=cfg)
    for r in (ideal, dev):
        assert 0.25 < r.accuracy <= 1.0  # well above chance (0.1)
        assert r.switches <= r.write_attempts and r.write_energy_j > 0
        assert r.accuracy_se == pytest.approx((r.accuracy * (1 - r.accuracy) / 120) ** 0.5)
    assert ideal.disturbs == 0 and ideal.calibration is None
    # trimmed pulses: the realised per-event probability of every window is near the wanted one
    for w in dev.windows:
        assert w.realised_mean == pytest.approx(w.wanted_mean, rel=0.2), w
        assert w.realised_cv < 0.6
    cal = dev.calibration
    assert cal is not None and cal.attempts > 0 and cal.write_energy_j > 0
    assert cal.switches == 2 * cal.ramps * 64 * 20
    # the pulses recorded are the median-device pulses at the nominal width
    p, amp, width = dev.pulses[0]
    assert p == cfg.p_hebb_pot and width == switch_model(spec).nominal_pulse_s
    assert 0 < amp < switch_model(spec).nominal_amplitude
    json.dumps(dataclasses.asdict(dev))


def test_ideal_run_does_not_depend_on_the_device() -> None:
    """Common random numbers: the ideal rule's trajectory is the same on every target."""
    data = _digits(80, 60)
    cfg = HbStdpConfig(n_neurons=10, timesteps=20)
    runs = [
        train_hb_stdp(load_spec(n), *data, realisation=Realisation.IDEAL, seed=2, config=cfg)
        for n in ("mtj", "rram")
    ]
    assert runs[0].accuracy == runs[1].accuracy
    assert runs[0].switches == runs[1].switches and runs[0].write_attempts == runs[1].write_attempts
    assert runs[0].write_energy_j != runs[1].write_energy_j


@pytest.mark.parametrize(
    ("polarity", "low_may_flip", "high_may_flip"),
    [
        (ReadPolarity.SET, False, True),
        (ReadPolarity.RESET, True, False),
        (ReadPolarity.EITHER, True, True),
    ],
)
def test_read_disturb_direction(
    polarity: ReadPolarity, low_may_flip: bool, high_may_flip: bool
) -> None:
    from hwsnn.backends.crossbar.learning_network import _Network

    spec = load_spec("rram")
    cfg = HbStdpConfig(
        n_neurons=30, pulses=PulseConfig(calibration=Calibration.POPULATION, read_polarity=polarity)
    )
    net = _Network(spec, cfg, 200, Realisation.DEVICE, seed=0)
    before = net.cells.state.copy()
    net._disturb(np.full(200, 20_000, dtype=np.int64))
    flipped = before != net.cells.state
    assert net.disturbs == int(flipped.sum()) > 0
    assert bool(flipped[before].any()) == low_may_flip
    assert bool(flipped[~before].any()) == high_may_flip
    set_p = _disturb_map(spec, net.cells, ReadPolarity.SET)
    reset_p = _disturb_map(spec, net.cells, ReadPolarity.RESET)
    assert np.all(reset_p < set_p)  # the RESET law is slower at the read voltage


def test_write_energy_per_path() -> None:
    mtj = load_spec("mtj")
    sot = write_energy_per_attempt(mtj, 40e-6, 10e-9)
    assert sot == pytest.approx((40e-6) ** 2 * mtj.sot.hm_resistance_ohm * 10e-9)
    stt = write_energy_per_attempt(dataclasses.replace(mtj, write_path=WritePath.STT), 98e-6, 10e-9)
    assert stt == pytest.approx(0.8 * 98e-6 * 10e-9)
    assert 1e-14 < sot < stt < 1e-12  # tens of fJ (SOT) vs ~1 pJ (STT), crossbar.md 5
    rram = load_spec("rram")
    assert write_energy_per_attempt(rram, 1.2, 50e-9) == pytest.approx(1.2 * 100e-6 * 50e-9)


def test_inference_energy_counts_events(rng: np.random.Generator) -> None:
    spec = load_spec("rram")
    graph = binary_mlp(rng, timesteps=4)
    art = map_graph(graph, spec, rng=rng, ideal=True)
    x = rng.random((5, 150)).astype(np.float32)
    res, readers = simulate_crossbar(art, x, fidelity=Fidelity.IDEAL, rng=rng)
    e = estimate_inference_energy(spec, [r.counters for r in readers.values()], samples=5)
    assert e.active_rows == sum(r.counters.active_rows for r in readers.values()) > 0
    v, t = spec.read.voltage_v, spec.read.pulse_s
    # every driven row feeds 10 (fc2) to 40 (fc1) devices between G_H and G_L
    lo = v * v * t * e.active_rows * 10 / spec.r_high_ohm
    assert lo <= e.read_j <= v * v * t * e.active_rows * 40 / spec.r_low_ohm
    assert e.total_j == pytest.approx(e.read_j + e.row_driver_j + e.adc_j)
    assert e.per_sample_j == pytest.approx(e.total_j / 5)
    assert dataclasses.asdict(e)["adc_j"] > 0 and res.outputs.shape[:2] == (4, 5)


def test_sweep_shape_and_degradation(rng: np.random.Generator) -> None:
    graph = binary_mlp(rng, timesteps=4)
    x = rng.random((64, 150)).astype(np.float32)
    from hwsnn.sim.float import simulate_float

    y = simulate_float(graph, x, rng=np.random.default_rng(0)).predictions()
    res = sweep_accuracy(graph, load_spec("rram"), x, y, "stuck", (0.0, 0.5), seed=0, batch_size=32)
    assert [p.value for p in res.points] == [0.0, 0.5]
    assert res.points[0].accuracy > res.points[1].accuracy
    json.dumps(dataclasses.asdict(res))


def test_cli_map_and_simulate(tmp_path, rng: np.random.Generator) -> None:
    from hwsnn.backends.crossbar.demo import train_binary_snn
    from hwsnn.cli.crossbar import add_map_arguments, add_simulate_arguments, run_map, run_simulate
    from hwsnn.data import load_digits
    from hwsnn.formats import save

    d = load_digits()
    graph = train_binary_snn(
        d.x_train.reshape(len(d.x_train), -1)[:300],
        d.y_train[:300],
        hidden=32,
        timesteps=4,
        epochs=1,
        rng=rng,
    )
    model = tmp_path / "m.hwir"
    save(graph, model)
    p = argparse.ArgumentParser()
    p.add_argument("model", type=__import__("pathlib").Path)
    add_map_arguments(p)
    args = p.parse_args([str(model), "--target", "crossbar-mtj", "--out", str(tmp_path)])
    assert run_map(args) == 0
    doc = json.loads((tmp_path / "crossbar_map.json").read_text())
    assert doc["resources"]["tiles"] >= 2
    p2 = argparse.ArgumentParser()
    p2.add_argument("model", type=__import__("pathlib").Path)
    add_simulate_arguments(p2)
    args = p2.parse_args(
        [
            str(model),
            "--backend",
            "crossbar-rram",
            "--limit",
            "40",
            "--sweep",
            "adc-bits",
            "--values",
            "2,7",
            "--out",
            str(tmp_path),
        ]
    )
    assert run_simulate(args) == 0
    sim = json.loads((tmp_path / "crossbar_simulate.json").read_text())
    assert len(sim["sweeps"]["adc-bits"]["points"]) == 2
    assert list(tmp_path.glob("*.png"))


@pytest.mark.parametrize("name", ["rram", "mtj"])
def test_spread_free_devices_reproduce_the_ideal_rule(name: str) -> None:
    """Common random numbers: when each pulse gives exactly the wanted probability, the device
    run is the ideal run, flip for flip."""
    spec = load_spec(name)
    var = dataclasses.replace(
        spec.variability, d2d_sigma_switch=0.0, d2d_sigma_delta=0.0, c2c_sigma_switch=0.0
    )
    spec = dataclasses.replace(spec, variability=var)
    data = _digits(60, 40)
    pulses = PulseConfig(calibration=Calibration.POPULATION, read_polarity=ReadPolarity.NONE)
    cfg = HbStdpConfig(n_neurons=10, timesteps=20, pulses=pulses)
    ideal, dev = (
        train_hb_stdp(spec, *data, realisation=m, seed=3, config=cfg) for m in Realisation
    )
    assert (dev.accuracy, dev.switches, dev.write_attempts) == (
        ideal.accuracy,
        ideal.switches,
        ideal.write_attempts,
    )
    assert dev.write_energy_j == pytest.approx(ideal.write_energy_j, rel=1e-9)
