import numpy as np
import pytest

from hwsnn.backends.crossbar import Fidelity, load_spec, map_graph, simulate_crossbar
from hwsnn.backends.crossbar.irdrop import column_pair_sum, exact_column_currents, row_drop_factor
from hwsnn.backends.crossbar.mapping import binary_levels, map_matrix
from hwsnn.errors import TargetConstraintError, UnsupportedNodeError
from hwsnn.ir import NLIF, Graph, Input, Linear, Output, PoissonEncoder
from hwsnn.sim.float import simulate_float

from .conftest import binary_cnn, binary_mlp


@pytest.mark.parametrize("name", ["mtj", "rram"])
def test_ideal_devices_reproduce_sim_float_exactly(name: str, rng: np.random.Generator) -> None:
    for graph in (binary_mlp(rng), binary_cnn(rng)):
        art = map_graph(graph, load_spec(name), rng=rng, ideal=True)
        x = rng.random((8, *graph.input_shape)).astype(np.float32)
        ref = simulate_float(graph, x, rng=np.random.default_rng(7))
        got, readers = simulate_crossbar(
            art, x, fidelity=Fidelity.IDEAL, rng=np.random.default_rng(7)
        )
        for layer in ref.spikes:
            np.testing.assert_array_equal(got.spikes[layer], ref.spikes[layer])
        np.testing.assert_allclose(got.outputs, ref.outputs, rtol=0, atol=0)
        assert all(r.counters.steps == graph.timesteps for r in readers.values())


def test_noisy_crossbar_stays_close(rng: np.random.Generator) -> None:
    graph = binary_mlp(rng, timesteps=10)
    art = map_graph(graph, load_spec("rram"), rng=rng)
    x = rng.random((32, 150)).astype(np.float32)
    ref = simulate_float(graph, x, rng=np.random.default_rng(3))
    got, _ = simulate_crossbar(art, x, rng=np.random.default_rng(3))
    agree = np.mean(ref.spikes["lif1"] == got.spikes["lif1"])
    assert 0.85 < agree < 1.0


def test_resources_and_tiling(rng: np.random.Generator) -> None:
    spec = load_spec("mtj")  # 128 x 128 tiles, differential pairs (two devices per weight)
    art = map_graph(binary_mlp(rng, hidden=70), spec, rng=rng)
    res = art.resources()
    fc1 = res.layers["fc1"]
    assert (fc1.row_tiles, fc1.col_tiles) == (2, 2)
    assert fc1.cells == 150 * 140
    assert res.tiles == 5 and res.cells == 150 * 140 + 70 * 20
    assert res.utilisation == pytest.approx(res.cells / (5 * 128 * 128))
    assert res.cell_area_m2 == pytest.approx(5 * 128 * 128 * spec.array.cell_area_m2)
    assert res.adcs == 5 * 128 // spec.adc.columns_per_adc


def test_weight_levels_and_unsupported_nodes(rng: np.random.Generator) -> None:
    w = rng.normal(size=(4, 6))
    with pytest.raises(TargetConstraintError, match="weight_levels"):
        binary_levels(w, ternary_ok=False, binarize=False, where="fc")
    alpha, signs, err = binary_levels(w, ternary_ok=False, binarize=True, where="fc")
    assert (
        alpha == pytest.approx(np.abs(w).mean())
        and 0 < err < 1
        and set(np.unique(signs)) <= {-1, 1}
    )
    g = Graph.sequential(
        [
            ("in", Input(shape=(3,))),
            ("fc", Linear(weight=np.ones((2, 3)))),
            ("n", NLIF(tau_syn=np.array(1.0), v_threshold=np.array(1.0), t_max=np.array(10.0))),
            ("out", Output()),
        ],
        dt=1.0,
        timesteps=1,
    )
    with pytest.raises(UnsupportedNodeError, match=r"crossbar.*NLIF.*Linear"):
        map_graph(g, load_spec("rram"), rng=rng)


def test_differential_pair_holds_ternary(rng: np.random.Generator) -> None:
    import dataclasses

    import torch

    from hwsnn.backends.crossbar.readout import make_reader

    spec = load_spec("rram")
    spec = dataclasses.replace(spec, array=dataclasses.replace(spec.array, mapping="differential"))
    w = rng.integers(-1, 2, size=(20, 300)).astype(float) * 0.25
    layer = map_matrix("fc", w, None, spec, rng=rng, ideal=True, binarize=False)
    assert layer.cells.state.shape == (3, 128, 40)
    x = (rng.random((5, 300)) < 0.3).astype(np.float32)
    y = make_reader(layer, Fidelity.IDEAL, rng=rng)(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(y, x @ w.T, atol=1e-6)


@pytest.mark.parametrize(("wire", "activity"), [(0.15, 0.2), (0.5, 0.3), (1.0, 0.5)])
def test_ir_drop_surrogate_matches_nodal_solve(
    wire: float, activity: float, rng: np.random.Generator
) -> None:
    n, v = 32, 0.1
    g = np.where(rng.random((n, n)) < 0.5, 1 / 5e3, 1 / 11.2e3)
    x = (rng.random(n) < activity).astype(float)
    exact = exact_column_currents(g, x, v, wire)
    ideal = v * x @ g
    a1 = x @ (g / (1 + row_drop_factor(g, wire, n)))
    approx = v * a1 / (1 + wire * a1 * column_pair_sum(x) / x.sum() ** 2)
    drop = np.abs(ideal - exact).mean()
    assert drop > 0.005 * ideal.mean()  # the effect is there
    assert np.abs(approx - exact).mean() < 0.15 * drop  # the surrogate captures >85 % of it


def test_nodal_solve_without_wire_drop_is_ohmic(rng: np.random.Generator) -> None:
    g = rng.uniform(1e-5, 1e-4, (6, 5))
    x = np.array([1, 0, 1, 1, 0, 1.0])
    np.testing.assert_allclose(exact_column_currents(g, x, 0.2, 1e-6), 0.2 * x @ g, rtol=1e-5)


def test_simulator_adapter_uses_fixed_devices(rng: np.random.Generator) -> None:
    from hwsnn.backends.crossbar import simulator_for

    graph = binary_mlp(rng, timesteps=3)
    run = simulator_for("crossbar-mtj")
    x = rng.random((4, 150))
    a = run(graph, x, rng=np.random.default_rng(0))
    b = run(graph, x, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(a.outputs, b.outputs)  # same devices, same noise seeds
    ideal = run(graph, x, rng=np.random.default_rng(0), fidelity="ideal")
    ref = simulate_float(graph, x, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(ideal.outputs, ref.outputs)


def _grouped_cnn(rng: np.random.Generator, groups: int = 2) -> Graph:
    from hwsnn.ir import LIF, Conv2d, Flatten, PoissonEncoder

    dt = 1e-3
    wc = np.where(rng.random((4, 4 // groups, 3, 3)) < 0.5, -0.6, 0.6)
    wf = np.where(rng.random((10, 4 * 4 * 4)) < 0.5, -0.3, 0.3)
    lif = dict(tau_mem=np.array(0.02), r=np.array(0.02 / dt), v_threshold=np.array(1.0))
    return Graph.sequential(
        [
            ("in", Input(shape=(4, 8, 8))),
            ("enc", PoissonEncoder(gain=1.0)),
            ("conv", Conv2d(weight=wc, bias=None, stride=(2, 2), padding=(1, 1), groups=groups)),
            ("lif1", LIF(**lif)),
            ("flat", Flatten()),
            ("fc", Linear(weight=wf)),
            ("lif2", LIF(**lif)),
            ("out", Output()),
        ],
        dt=dt,
        timesteps=4,
    )


def test_grouped_conv_maps_block_diagonal_on_pairs(rng: np.random.Generator) -> None:
    graph = _grouped_cnn(rng, groups=2)
    spec = load_spec("mtj")  # differential pairs: off-block zeros = both devices high
    art = map_graph(graph, spec, rng=rng, ideal=True)
    conv = art.layers["conv"]
    assert (conv.n_in, conv.n_out) == (4 * 9, 4)
    assert np.all(conv.signs[18:, :2] == 0) and np.all(conv.signs[:18, 2:] == 0)
    assert np.all(conv.signs[:18, :2] != 0) and conv.alpha == pytest.approx(0.6)
    x = rng.random((6, 4, 8, 8)).astype(np.float32)
    ref = simulate_float(graph, x, rng=np.random.default_rng(5))
    got, _ = simulate_crossbar(art, x, fidelity=Fidelity.IDEAL, rng=np.random.default_rng(5))
    for layer in ref.spikes:
        np.testing.assert_array_equal(got.spikes[layer], ref.spikes[layer])
    noisy = map_graph(graph, spec, rng=rng)
    res, _ = simulate_crossbar(noisy, x, rng=np.random.default_rng(5))
    assert np.mean(res.spikes["lif1"] == ref.spikes["lif1"]) > 0.8


def test_grouped_conv_on_offset_scheme_is_refused(rng: np.random.Generator) -> None:
    with pytest.raises(UnsupportedNodeError, match=r"groups=2 \(node 'conv'\).*differential"):
        map_graph(_grouped_cnn(rng, groups=2), load_spec("rram"), rng=rng, binarize=True)


def test_signed_poisson_encoder_is_refused(rng: np.random.Generator) -> None:
    g = Graph.sequential(
        [
            ("in", Input(shape=(3,))),
            ("enc", PoissonEncoder(gain=0.5, signed=True)),
            ("fc", Linear(weight=np.ones((2, 3)))),
            ("out", Output()),
        ],
        dt=1.0,
        timesteps=2,
    )
    with pytest.raises(UnsupportedNodeError, match=r"crossbar.*'enc' with signed=True"):
        map_graph(g, load_spec("rram"), rng=rng)
    unsigned = Graph.sequential(
        [
            ("in", Input(shape=(3,))),
            ("enc", PoissonEncoder(gain=0.5)),
            ("fc", Linear(weight=np.ones((2, 3)))),
            ("out", Output()),
        ],
        dt=1.0,
        timesteps=2,
    )
    assert "fc" in map_graph(unsigned, load_spec("rram"), rng=rng).layers
