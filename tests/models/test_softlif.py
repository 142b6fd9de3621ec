"""Soft-LIF (paper 001): rate curve, noise, conversion to LIF + alpha synapses, CLI."""

from __future__ import annotations

import argparse
import json
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hwsnn import ir  # noqa: E402
from hwsnn.models.softlif import (  # noqa: E402
    SoftLIFConfig,
    SoftLIFNet,
    SoftLIFRate,
    export_softlif,
    soft_lif_rate,
)
from hwsnn.sim import simulate  # noqa: E402


def test_rate_tends_to_lif_rate_as_gamma_shrinks() -> None:
    cfg = SoftLIFConfig(gamma=1e-4)
    j = torch.tensor([0.5, 1.5, 3.0], dtype=torch.float64)
    r = soft_lif_rate(j, cfg)
    exact = [1.0 / (cfg.tau_ref + cfg.tau_rc * math.log1p(1.0 / (v - 1.0))) for v in (1.5, 3.0)]
    np.testing.assert_allclose(r.numpy()[1:], exact, rtol=1e-6)
    assert float(r[0]) < 0.05 * float(r[1])  # the log tail below threshold is small, not zero


def test_discrete_ir_lif_fires_at_the_matched_rate() -> None:
    """Constant current into the IR LIF: rate within 3% of the rate model (tau_ref = dt/2)."""
    cfg = SoftLIFConfig(gamma=1e-4)
    currents = np.array([[1.2, 1.5, 2.0, 4.0]], dtype=np.float32)
    graph = ir.Graph.sequential(
        [
            ("in", ir.Input(shape=(4,))),
            ("lif", ir.LIF(tau_mem=cfg.tau_mem, r=1.0, v_threshold=1.0, reset=ir.ResetMode.ZERO)),
            ("out", ir.Output()),
        ],
        dt=cfg.dt,
        timesteps=4000,
    )
    res = simulate(graph, currents)
    measured = res.spikes["lif"].sum(axis=0)[0] / (4000 * cfg.dt)
    model = soft_lif_rate(torch.from_numpy(currents[0]).double(), cfg).numpy()
    np.testing.assert_allclose(measured, model, rtol=0.03)


def test_alpha_synapse_has_unit_area_and_settles_at_the_rate() -> None:
    graph = ir.Graph.sequential(
        [
            ("in", ir.Input(shape=(1,))),
            ("syn", ir.AlphaSynapse(tau_syn=0.005)),
            ("out", ir.Output()),
        ],
        dt=1e-3,
        timesteps=400,
    )
    import hwsnn.sim.temporal_kernels  # noqa: F401

    impulse = np.zeros((400, 1, 1), dtype=np.float32)
    impulse[0] = 1.0
    y = simulate(graph, impulse).outputs[:, 0, 0]
    assert float(y.sum() * 1e-3) == pytest.approx(1.0, rel=1e-3)
    assert int(np.argmax(y)) in (4, 5)  # alpha peaks near tau_syn
    train = np.zeros((400, 1, 1), dtype=np.float32)
    train[::10] = 1.0  # 100 Hz
    assert float(simulate(graph, train).outputs[200:, 0, 0].mean()) == pytest.approx(
        100.0, rel=0.02
    )


def test_training_noise_only_above_threshold_and_only_in_training() -> None:
    act = SoftLIFRate(SoftLIFConfig(), noise=True, generator=torch.Generator().manual_seed(0))
    j = torch.tensor([0.0, 0.5, 2.0, 3.0]).repeat(100, 1)
    y = act(j)
    assert float(y[:, :2].std(dim=0).max()) == 0.0 and float(y[:, 2:].std(dim=0).min()) > 0.0
    act.eval()
    assert float(act(j).std(dim=0).max()) == 0.0


def test_export_keeps_weights_and_folds_amplitude() -> None:
    cfg = SoftLIFConfig()
    model = SoftLIFNet((1, 8, 8), 10, cfg, noise=False)
    graph = export_softlif(model, timesteps=5)
    kinds = [type(graph.nodes[n]).__name__ for n in graph.order]
    assert kinds == [
        "Input",
        "Conv2d",
        "LIF",
        "AlphaSynapse",
        "AvgPool2d",
        "Flatten",
        "Affine",
        "LIF",
        "AlphaSynapse",
        "Affine",
        "Output",
    ]
    fc = graph.nodes["fc4"]
    np.testing.assert_allclose(
        fc.weight, model[4].weight.detach().double().numpy() * cfg.amplitude, rtol=1e-12
    )


def test_cli_quick_reports_gap_with_and_without_noise(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hwsnn.cli.train import add_train_arguments, run_train

    parser = argparse.ArgumentParser()
    add_train_arguments(parser)
    assert run_train(parser.parse_args(["softlif", "--quick", "--out", str(tmp_path)])) == 0
    results = json.loads((tmp_path / "softlif.json").read_text())
    for tag in ("noise", "no_noise"):
        assert results[tag]["rate_accuracy"] > 0.3
        assert "gap_points" in results[tag]
    assert (tmp_path / "softlif_noise.hwir").exists()
