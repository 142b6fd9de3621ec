import dataclasses

import numpy as np
import pytest

from hwsnn.backends.lava._population import LoweringConfig
from hwsnn.backends.lava.artifact import lava_conv_weight
from hwsnn.backends.lava.lowering import LOWERINGS, map_graph
from hwsnn.backends.lava.process import _check_fixed, index_map, run_lava
from hwsnn.backends.lava.quantize import decay_int, quantize_bias, quantize_weights
from hwsnn.errors import (
    HwsnnError,
    SimulatorUnavailableError,
    TargetConstraintError,
    UnsupportedNodeError,
)
from hwsnn.ir import LIF, NLIF, Graph, Input, Linear, Output, PoissonEncoder
from hwsnn.targets import load_target

SPEC = load_target("loihi2")


def test_weights_use_the_range_and_drop_the_lsb():
    w = np.array([[-1.0, 0.5, 0.25, 0.001]])
    mant, exp, mode, metrics = quantize_weights(w * 1000, SPEC, use_exponent=True)
    assert mode == "mixed" and np.all(mant % 2 == 0) and np.abs(mant).max() >= 128
    assert metrics["dropped_lsb"] == 1.0 and metrics["clipped_fraction"] == 0.0
    assert np.allclose(mant * 2.0**exp, w * 1000, atol=2 * 2.0**exp)
    mant, _, mode, _ = quantize_weights(np.array([[300.0, 3.0]]), SPEC, use_exponent=False)
    assert mode == "excitatory" and mant.tolist() == [[255, 3]]


def test_decays_and_bias():
    assert decay_int(1.0, SPEC, offset=1)[0] == 4095
    assert decay_int(0.05, SPEC, offset=0)[0] == round(4096 * 0.05)
    mant, exp, _ = quantize_bias(np.array([10.0, 100000.0, -3.0]), SPEC)
    assert np.all(np.abs(mant) <= 4095) and np.allclose(
        mant * 2.0**exp, [10, 100000, -3], rtol=1e-3
    )


def test_conv_flip_and_layout():
    w = np.arange(2 * 3 * 2 * 4).reshape(2, 3, 2, 4)
    lava = lava_conv_weight(w)
    assert lava.shape == (2, 4, 2, 3) and lava[1, 0, 0, 2] == w[1, 2, 1, 3]
    idx = index_map((2, 3, 4), batch=2)
    assert sorted(idx.reshape(-1).tolist()) == list(range(48))


def test_unsupported_node_names_node_and_backend(nets):
    graph = Graph.sequential(
        [
            ("x", Input(shape=(3,))),
            ("fc", Linear(weight=np.ones((2, 3)))),
            ("n", NLIF()),
            ("out", Output()),
        ],
        dt=1e-3,
        timesteps=4,
    )
    with pytest.raises(UnsupportedNodeError, match=r"lava.*NLIF") as info:
        map_graph(graph)
    assert "LIF" in info.value.supported and set(info.value.supported) == {
        t.__name__ for t in LOWERINGS
    }


def test_subtract_reset_is_approximated_or_refused(nets):
    graph = nets.mlp(np.random.default_rng(0))
    node = dataclasses.replace(graph.nodes["lif1"], reset="subtract")
    graph = Graph(
        nodes={**graph.nodes, "lif1": node},
        edges=graph.edges,
        dt=graph.dt,
        timesteps=graph.timesteps,
    )
    artifact = map_graph(graph)
    assert any(d.step == "reset_approximation" and d.node == "lif1" for d in artifact.diagnostics)
    with pytest.raises(UnsupportedNodeError, match="SUBTRACT"):
        map_graph(graph, config=LoweringConfig(subtract_reset="refuse"))


def test_diagnostics_and_resources(nets):
    artifact = map_graph(nets.conv_pool(np.random.default_rng(0)))
    steps = {d.step for d in artifact.diagnostics}
    assert {"weight_quantization", "threshold_scaling", "input_quantization"} <= steps
    quant = [d for d in artifact.diagnostics if d.step == "weight_quantization"]
    assert all("clipped_fraction" in d.metrics and "rms_error_rel" in d.metrics for d in quant)
    report = artifact.resources
    assert report.cores == 3 and report.neurons == 256 + 64 + 6
    assert [p.depth for p in artifact.populations] == [1, 2, 3]


def test_oversized_graph_names_the_limit():
    rng = np.random.default_rng(0)
    graph = Graph.sequential(
        [
            ("x", Input(shape=(5000,))),
            ("fc", Linear(weight=rng.normal(size=(4, 5000)))),
            ("n", LIF(tau_mem=0.01, reset="zero")),
            ("out", Output()),
        ],
        dt=1e-3,
        timesteps=2,
    )
    with pytest.raises(TargetConstraintError) as info:
        map_graph(graph)
    assert (
        info.value.limit_name == "fan_in_axons"
        and info.value.limit == 4096
        and info.value.actual == 5000
    )
    big = Graph.sequential(
        [
            ("x", Input(shape=(4,))),
            ("fc", Linear(weight=np.ones((1100, 4)))),
            ("n", LIF(tau_mem=0.01, reset="zero")),
            ("out", Output()),
        ],
        dt=1e-3,
        timesteps=2,
    )
    assert map_graph(big, "loihi1").resources.cores == 2
    with pytest.raises(TargetConstraintError, match="cores"):
        map_graph(
            Graph.sequential(
                [
                    ("x", Input(shape=(4,))),
                    ("fc", Linear(weight=np.ones((130 * 1024, 4)))),
                    ("n", LIF(tau_mem=0.01, reset="zero")),
                    ("out", Output()),
                ],
                dt=1e-3,
                timesteps=2,
            ),
            "loihi1",
        )


def test_float_parameters_never_reach_fixed_models(nets):
    artifact = map_graph(nets.mlp(np.random.default_rng(0)))
    conn = artifact.connections[0]
    bad = dataclasses.replace(
        artifact,
        connections=(
            dataclasses.replace(conn, weights=conn.float_weights),
            *artifact.connections[1:],
        ),
    )
    with pytest.raises(HwsnnError, match="fixed_pt parameter has dtype float"):
        run_lava(bad, np.zeros((3, 1, 16), np.int64))
    with pytest.raises(HwsnnError, match="dtype float"):
        _check_fixed("payload", np.zeros(3))


def test_missing_lava_gives_install_hint(monkeypatch):
    import hwsnn.backends.lava._compat as compat

    monkeypatch.setattr(compat, "_lava_installed", lambda: False)
    monkeypatch.setattr(compat, "_PATCHES", {"hwsnn_missing_module": None})
    with pytest.raises(SimulatorUnavailableError, match="pip install"):
        compat.import_lava()


def test_signed_poisson_encoder_is_refused():
    graph = Graph.sequential(
        [
            ("x", Input(shape=(3,))),
            ("enc", PoissonEncoder(gain=0.5, signed=True)),
            ("fc", Linear(weight=np.ones((2, 3)))),
            ("n", LIF(tau_mem=0.02, r=20.0, v_threshold=1.0)),
            ("out", Output()),
        ],
        dt=1e-3,
        timesteps=4,
    )
    with pytest.raises(UnsupportedNodeError, match=r"lava.*'enc' with signed=True"):
        map_graph(graph)
