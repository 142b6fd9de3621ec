"""Mapping IR NLIF layers to circuits and comparing with the IR closed form."""

from __future__ import annotations

import numpy as np
import pytest

from hwsnn.backends.spice.backend import map_graph, simulate_spice
from hwsnn.backends.spice.calibrate import load_calibration
from hwsnn.backends.spice.mapping import (
    energy_per_inference_j,
    map_nlif_layer,
    quantize_weights,
    simulate_nlif_layer,
)
from hwsnn.errors import HwsnnError, UnsupportedNodeError
from hwsnn.ir import LIF, NLIF, Affine, Graph, Input, Linear, Output
from hwsnn.sim.ttfs import nlif_times


def _layer(rng: np.random.Generator) -> tuple[Affine, NLIF]:
    weight = rng.normal(0.25, 0.35, (3, 6))
    return (Affine(weight=weight, bias=np.array([0.1, -0.05, 0.2])),
            NLIF(tau_syn=np.array(2.0), v_threshold=np.array(1.5), t_max=20.0))


def test_analytic_layer_matches_ir_closed_form(rng: np.random.Generator) -> None:
    syn, node = _layer(rng)
    t_in = rng.uniform(0, 3, (64, 6))
    ir = nlif_times(syn, node, t_in)
    got = simulate_nlif_layer(map_nlif_layer(syn, node, model=load_calibration()), t_in)
    fired = ir < node.t_max
    assert fired.sum() > 50
    np.testing.assert_array_equal(got < node.t_max, fired)
    rel = np.abs(got[fired] - ir[fired]) / ir[fired]
    assert np.median(rel) < 0.03


@pytest.mark.spice
def test_xspice_layer_matches_ir_closed_form(ngspice: None, rng: np.random.Generator) -> None:
    syn, node = _layer(rng)
    t_in = rng.uniform(0, 3, (3, 6))
    layer = map_nlif_layer(syn, node, weight_bits=8, model=load_calibration())
    xs = simulate_nlif_layer(layer, t_in, tier="xspice", neurons=[0, 1])
    analytic = simulate_nlif_layer(layer, t_in)[:, :2]
    ir = nlif_times(syn, node, t_in)[:, :2]
    assert np.all(xs[:, :2] < node.t_max)
    assert np.median(np.abs(xs[:, :2] - analytic) / analytic) < 0.02  # tiers agree
    assert np.median(np.abs(xs[:, :2] - ir) / ir) < 0.08  # second-order loop vs eq. 4
    assert np.isnan(xs[:, 2]).all()


def test_resistors_and_quantisation(rng: np.random.Generator) -> None:
    syn, node = _layer(rng)
    layer = map_nlif_layer(syn, node, weight_bits=4)
    assert layer.resistors_ohm.shape == (3, 7)
    assert np.all(layer.resistors_ohm > 0)
    assert 0 < layer.max_quantization_error <= np.abs(syn.weight).max() / 7 / 2 + 1e-12
    q = quantize_weights(np.array([0.5, -1.0, 0.26]), 3, 1.0)
    np.testing.assert_allclose(q, [0.666667, -1.0, 0.333333], atol=1e-6)
    with pytest.raises(HwsnnError):
        quantize_weights(np.ones(2), 1, 1.0)


def test_large_weights_widen_the_vco4_range() -> None:
    syn = Linear(weight=np.full((1, 8), 0.6))
    layer = map_nlif_layer(syn, NLIF(t_max=10.0))
    c = layer.model.circuit
    assert c.i_h_a - c.i_l_a > 4e-6
    assert (layer.weights * c.phase_per_unit_weight_rad).sum() < np.pi / 2


def test_graph_mapping_and_energy(rng: np.random.Generator) -> None:
    syn, node = _layer(rng)
    graph = Graph.sequential([("x", Input(shape=(6,))), ("fc", syn), ("n", node),
                              ("y", Output())], dt=1.0, timesteps=1)
    art = map_graph(graph)
    out = simulate_spice(art, rng.uniform(0, 3, (5, 6)))["n"]
    assert out.shape == (5, 3)
    e = energy_per_inference_j(out, node.t_max, 5e-12)
    assert e == pytest.approx((out < node.t_max).sum() / 5 * 5e-12)
    bad = Graph.sequential([("x", Input(shape=(6,))), ("fc", syn),
                            ("n", LIF(tau_mem=np.array(1.0))), ("y", Output())],
                           dt=1.0, timesteps=1)
    with pytest.raises(UnsupportedNodeError, match="LIF"):
        map_graph(bad)
