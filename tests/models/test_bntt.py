"""BNTT (paper 004): per-step normalisation, exact TimeAffine export, early exit, CLI."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hwsnn.export import export_torch  # noqa: E402
from hwsnn.ir import TimeAffine  # noqa: E402
from hwsnn.models.bntt import BNTT, build_bntt_net, early_exit_step, threshold_fold  # noqa: E402
from hwsnn.sim import simulate  # noqa: E402


def test_training_mode_normalises_each_step_with_its_own_gamma() -> None:
    bn = BNTT(3, 4)
    with torch.no_grad():
        bn.gamma.copy_(torch.arange(12, dtype=torch.float32).reshape(4, 3) / 10 + 0.1)
    x = torch.randn(4, 32, 3, 5, 5) * 3 + 2
    y = bn(x)
    std = y.transpose(1, 2).reshape(4, 3, -1).std(dim=2, unbiased=False)
    torch.testing.assert_close(std, bn.gamma.detach(), rtol=1e-3, atol=1e-3)
    assert float(y.detach().mean(dim=(1, 3, 4)).abs().max()) < 1e-4
    assert not bn.running_mean.eq(0).all()


def test_eval_mode_equals_exported_affine_and_sim_is_spike_exact(rng: np.random.Generator) -> None:
    gen = torch.Generator().manual_seed(0)
    model = build_bntt_net((1, 8, 8), 10, timesteps=5, channels=(3, 4), generator=gen)
    model.train()
    model(torch.rand(16, 1, 8, 8))  # populate running statistics
    model.eval()
    body = export_torch(model[1:], (1, 8, 8), timesteps=5, dt=1e-3)
    affine = [n for n in body.nodes.values() if isinstance(n, TimeAffine)]
    assert len(affine) == 2 and affine[0].scale.shape == (5, 3, 1, 1)
    seq = (torch.rand(5, 6, 1, 8, 8) < 0.5).float()
    with torch.no_grad():
        out = model[1:].forward_sequence(seq)
    res = simulate(body, seq.numpy())
    np.testing.assert_allclose(res.outputs, out.numpy(), atol=1e-5)
    with torch.no_grad():
        spikes = model[3](model[2](model[1](seq.flatten(0, 1)).reshape(5, 6, 3, 8, 8)))
    assert np.array_equal(res.spikes["layer3"], spikes.numpy().astype(np.uint8))


def test_early_exit_step_and_threshold_fold() -> None:
    profile = np.array([[1.0, 0.5, 0.05, 0.04], [0.9, 0.2, 0.3, 0.01]])
    assert early_exit_step(profile, 0.1) == 3
    assert early_exit_step(profile, 2.0) == 1
    assert early_exit_step(profile, 0.001) == 4
    model = build_bntt_net((1, 8, 8), 10, timesteps=3, channels=(2,))
    (fold,) = threshold_fold(model)
    np.testing.assert_allclose(fold, np.sqrt(1 + 1e-4), rtol=1e-6)


def test_cli_quick_trains_and_sim_reproduces(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hwsnn.cli.train import add_train_arguments, run_train

    parser = argparse.ArgumentParser()
    add_train_arguments(parser)
    assert run_train(parser.parse_args(["bntt", "--quick", "--out", str(tmp_path)])) == 0
    results = json.loads((tmp_path / "bntt.json").read_text())
    assert results["sim_vs_torch_prediction_agreement_same_input"] == 1.0
    assert results["sim_accuracy_same_input"] == results["torch_accuracy"]
    assert (
        len(results["gamma_profile"]) == 2
        and len(results["gamma_profile"][0]) == results["timesteps"]
    )
    choice = results["early_exit_choice"]
    assert 1 <= choice["exit_step"] <= results["timesteps"]
    assert results["n_val"] + results["n_train"] == 300
    assert len(results["stepwise_test_accuracy"]) == results["timesteps"]
    assert results["stepwise_test_accuracy"][-1] == results["torch_accuracy"]
    assert torch.load(tmp_path / "bntt.pt", weights_only=True)
    assert (tmp_path / "bntt.hwir").exists()


def test_threshold_fold_graph_replaces_time_affine_by_lif_thresholds() -> None:
    from hwsnn.ir import LIF
    from hwsnn.models.bntt import threshold_fold_graph

    model = build_bntt_net((1, 8, 8), 10, timesteps=4, channels=(3,))
    model.eval()
    body = export_torch(model[1:], (1, 8, 8), timesteps=4, dt=1e-3)
    folded = threshold_fold_graph(body, model)
    assert not any(isinstance(n, TimeAffine) for n in folded.nodes.values())
    (lif,) = [n for n in folded.nodes.values() if isinstance(n, LIF)]
    assert lif.threshold_scale is not None and lif.threshold_scale.shape == (4,)
    assert lif.v_threshold.shape == (3, 1, 1)
    np.testing.assert_allclose(lif.v_threshold.ravel(), np.sqrt(1 + 1e-4), rtol=1e-6)


def test_gamma_decay_pulls_only_the_gammas(rng: np.random.Generator) -> None:
    from hwsnn.models.bntt_recipe import BnttConfig, train_bntt

    x = rng.random((32, 1, 8, 8)).astype(np.float32)
    y = rng.integers(0, 10, 32)
    norms = {}
    for decay in (0.0, 5.0):
        model = build_bntt_net(
            (1, 8, 8), 10, timesteps=4, channels=(3,), generator=torch.Generator().manual_seed(0)
        )
        cfg = BnttConfig(
            timesteps=4,
            epochs=2,
            lr=0.05,
            momentum=0.0,
            gamma_decay=decay,
            weight_decay=0.0,
            batch_size=8,
        )
        train_bntt(model, x, y, cfg, np.random.default_rng(0))
        gamma = float(model[2].gamma.detach().abs().mean())
        norms[decay] = (gamma, float(model[1].weight.detach().abs().mean()))
    assert norms[5.0][0] < 0.5 * norms[0.0][0]  # 0.75 ** 4 * 0.975 ** 4 ~ 0.29, plus the gradient
    assert norms[5.0][1] > 0.8 * norms[0.0][1]  # the conv weights are not decayed


def test_hidden_fc_stage_exports_a_per_step_affine_that_sim_reproduces() -> None:
    gen = torch.Generator().manual_seed(1)
    model = build_bntt_net(
        (1, 8, 8), 10, timesteps=3, channels=(2,), hidden=(6,), input_gain=2.0, generator=gen
    )
    model.train()
    model(torch.rand(16, 1, 8, 8))
    model.eval()
    assert model[0].gain == 2.0
    body = export_torch(model[1:], (1, 8, 8), timesteps=3, dt=1e-3)
    affine = [n for n in body.nodes.values() if isinstance(n, TimeAffine)]
    assert [a.scale.shape for a in affine] == [(3, 2, 1, 1), (3, 6)]
    seq = (torch.rand(3, 4, 1, 8, 8) < 0.5).float()
    with torch.no_grad():
        out = model[1:].forward_sequence(seq)
    np.testing.assert_allclose(simulate(body, seq.numpy()).outputs, out.numpy(), atol=1e-5)
