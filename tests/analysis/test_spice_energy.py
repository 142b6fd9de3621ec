"""Energy per inference of a TTFS network on VCO/PLL neurons, and the XSPICE spot check."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hwsnn.analysis.spice_energy import estimate_spice_energy, spot_check_layer
from hwsnn.backends.spice.characterize import load_characterizations
from hwsnn.errors import DataError
from hwsnn.ir import NLIF, Flatten, Graph, Input, Linear, Output
from hwsnn.ir.temporal import TTFSEncoder
from hwsnn.sim.ttfs import simulate_ttfs


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


@pytest.fixture
def ngspice() -> None:
    from hwsnn.backends.spice.runner import ngspice_available

    if not ngspice_available():
        pytest.skip("ngspice 39 shared library / PySpice not installed")


def _graph(rng: np.random.Generator) -> Graph:
    nlif = {"tau_syn": np.ones(()), "v_threshold": np.ones(()), "t_max": 10.0}
    return Graph.sequential([
        ("input", Input(shape=(1, 4, 4))), ("encode", TTFSEncoder(alpha=1.0, t_max=10.0)),
        ("flatten", Flatten()), ("fc0", Linear(weight=rng.uniform(-0.1, 0.4, (6, 16)))),
        ("nlif0", NLIF(**nlif)), ("fc1", Linear(weight=rng.uniform(-0.2, 0.8, (3, 6)))),
        ("nlif1", NLIF(**nlif)), ("output", Output()),
    ], dt=10.0, timesteps=1, metadata={"model": "tiny"})


def test_energy_is_spikes_times_energy_per_spike(rng: np.random.Generator) -> None:
    graph = _graph(rng)
    x = rng.uniform(0, 1, (20, 1, 4, 4))
    report = estimate_spice_energy(graph, x, rng.integers(0, 3, 20))
    chars = load_characterizations()
    spikes = simulate_ttfs(graph, x).spike_totals
    assert [layer.layer for layer in report.layers] == ["nlif0", "nlif1"]
    for layer in report.layers:
        assert layer.spikes_per_inference == pytest.approx(spikes[layer.layer].sum() / 20)
        for e, c in zip(layer.energy_per_inference_j, chars.values(), strict=True):
            assert e == pytest.approx(layer.spikes_per_inference * c.energy_per_spike_j)
    for p in report.processes:
        assert p.energy_per_inference_j == pytest.approx(
            report.spikes_per_inference * chars[p.process].energy_per_spike_j)
        assert 0 < p.energy_per_inference_j <= p.all_neurons_j
    assert 0.0 <= report.accuracy <= 1.0
    assert {p.process for p in report.processes} == {"sky130", "65nm-like"}


def test_bad_characterization_file(tmp_path: Path) -> None:
    (tmp_path / "e.toml").write_text("[sky130]\nvdd_v = 'x'\n")
    with pytest.raises(DataError):
        load_characterizations(tmp_path / "e.toml")


def test_cli_writes_json(tmp_path: Path, rng: np.random.Generator,
                         capsys: pytest.CaptureFixture[str]) -> None:
    from hwsnn.cli import main
    from hwsnn.formats import save

    g = Graph.sequential([
        ("input", Input(shape=(1, 8, 8))), ("encode", TTFSEncoder(alpha=1.0, t_max=10.0)),
        ("flatten", Flatten()), ("fc0", Linear(weight=rng.uniform(-0.05, 0.1, (5, 64)))),
        ("nlif0", NLIF(tau_syn=np.ones(()), v_threshold=np.ones(()), t_max=10.0)),
        ("output", Output()),
    ], dt=10.0, timesteps=1)
    save(g, tmp_path / "m.hwir")
    argv = ["simulate", "spice-energy", str(tmp_path / "m.hwir"), "--limit", "10",
            "--spot-neurons", "0", "--out", str(tmp_path)]
    assert main(argv) == 0
    doc = json.loads((tmp_path / "spice_energy.json").read_text())
    assert doc["energy"]["samples"] == 10 and doc["spot_check"] is None
    assert "pJ/spike" in capsys.readouterr().out


@pytest.mark.spice
def test_xspice_spot_check_matches_ir(ngspice: None, rng: np.random.Generator) -> None:
    graph = _graph(rng)
    x = rng.uniform(0, 1, (1, 1, 4, 4))
    spot = spot_check_layer(graph, x, neurons=(0, 1))
    assert spot.layer == "nlif0" and spot.fired_agreement == 1.0
    assert spot.median_rel_error_xspice_ir < 0.08  # second-order loop vs eq. 4
    assert spot.median_rel_error_xspice_analytic < 0.03
