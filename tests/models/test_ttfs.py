"""TTFS n-LIF (paper 003): closed form, torch vs event-exact IR simulator, QAT, CLI."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hwsnn.formats import load, save  # noqa: E402
from hwsnn.ir import NLIF, Graph, Input, Linear, Output, graphs_equal  # noqa: E402
from hwsnn.ir.temporal import MaxPoolTTFS, TTFSEncoder  # noqa: E402
from hwsnn.models._ttfs_ops import nlif_dense, quantize_ste  # noqa: E402
from hwsnn.models.ttfs import (  # noqa: E402
    TTFSLossConfig,
    build_ttfs_net,
    export_ttfs,
    ttfs_loss,
)
from hwsnn.sim.ttfs import evaluate_ttfs, simulate_ttfs, ttfs_predictions  # noqa: E402


def _brute_force_time(
    t_in: np.ndarray, w: np.ndarray, t_end: float = 10.0, dt: float = 1e-5
) -> float:
    """Integrate dv/dt = sum_i w_i exp(-(t - t_i)) u(t - t_i) and return the first v >= 1."""
    t = np.arange(0.0, t_end, dt)
    current = (
        w[None, :] * np.exp(-(t[:, None] - t_in[None, :])) * (t[:, None] >= t_in[None, :])
    ).sum(axis=1)
    v = np.cumsum(current) * dt
    hit = np.nonzero(v >= 1.0)[0]
    return float(t[hit[0]]) if hit.size else np.inf


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_closed_form_matches_integration_of_eq1(seed: int) -> None:
    rng = np.random.default_rng(seed)
    t_in = rng.uniform(0.0, 2.0, 6)
    w = rng.normal(0.4, 0.5, 6)
    z = torch.from_numpy(np.exp(t_in))[None]
    z_out = nlif_dense(z, torch.from_numpy(w)[None], float(np.exp(10.0)))
    t_closed = float(torch.log(z_out)[0, 0])
    t_num = _brute_force_time(t_in, w)
    if np.isinf(t_num):
        assert t_closed == pytest.approx(10.0)
    else:
        assert t_closed == pytest.approx(t_num, abs=1e-3)


def test_closed_form_with_tied_input_times_matches_integration() -> None:
    t_in = np.array([0.3, 0.3, 0.3, 1.0, 1.0, 1.5])  # ties, like the zero pixels of an image
    w = np.array([0.5, 0.4, 0.3, 0.6, -0.2, 0.5])
    z_out = nlif_dense(torch.from_numpy(np.exp(t_in))[None], torch.from_numpy(w)[None], 1e4)
    assert float(torch.log(z_out)[0, 0]) == pytest.approx(_brute_force_time(t_in, w), abs=1e-3)


def test_analytic_gradient_matches_finite_differences(rng: np.random.Generator) -> None:
    z = torch.from_numpy(np.exp(rng.uniform(0.0, 1.0, (4, 12)))).requires_grad_()
    w = torch.from_numpy(rng.normal(0.25, 0.3, (5, 12))).requires_grad_()
    out = nlif_dense(z, w, float(np.exp(10.0)))
    assert bool((out < np.exp(10.0)).any())  # some neurons fire, so gradients are non-zero
    assert torch.autograd.gradcheck(lambda a, b: nlif_dense(a, b, float(np.exp(10.0))), (z, w))


def test_logit_scale_sharpens_the_cross_entropy_term() -> None:
    net = build_ttfs_net((1, 2, 2), (("dense", 3),), alpha=1.0, t_max=10.0, seed=0)
    with torch.no_grad():
        net.layers[0].weight.fill_(1.0)  # weight sums 4 > beta: no hinge
    times, label = torch.tensor([[1.0, 1.5, 2.0]]), torch.tensor([0])
    cfg = TTFSLossConfig(k=0.0, l2=0.0, logit_scale=10.0)
    expected = torch.nn.functional.cross_entropy(-10.0 * times, label)
    sharp = float(ttfs_loss(net, times, label, cfg).detach())
    assert sharp == pytest.approx(float(expected))
    assert sharp < float(ttfs_loss(net, times, label, TTFSLossConfig(k=0.0, l2=0.0)).detach())


def test_torch_and_ir_simulator_agree_exactly_on_conv_pool_dense(rng: np.random.Generator) -> None:
    net = build_ttfs_net(
        (1, 8, 8), (("conv", 4, 3, 1), ("pool", 2), ("dense", 10)), alpha=1.0, t_max=10.0, seed=0
    ).double()
    x = rng.random((20, 1, 8, 8))
    t_torch = net(torch.from_numpy(x)).detach().numpy()
    graph = export_ttfs(net, (1, 8, 8))
    assert any(isinstance(n, MaxPoolTTFS) for n in graph.nodes.values())
    t_sim = evaluate_ttfs(graph, x)[graph.output_name]
    np.testing.assert_allclose(t_sim, t_torch, atol=1e-9)
    assert np.array_equal(ttfs_predictions(simulate_ttfs(graph, x)), t_torch.argmin(axis=1))


def test_weight_sum_at_most_one_never_fires_and_reads_t_max() -> None:
    nodes = [
        ("in", Input(shape=(2,))),
        ("enc", TTFSEncoder(alpha=1.0, t_max=5.0)),
        ("fc", Linear(weight=np.array([[0.5, 0.5], [0.1, 0.1]]))),
        ("n", NLIF(t_max=5.0)),
        ("out", Output()),
    ]
    graph = Graph.sequential(nodes, dt=5.0, timesteps=1)
    t = evaluate_ttfs(graph, np.ones((1, 2)))["out"]  # inputs at t = 0, weight sum 1 -> never fires
    assert t[0, 1] == pytest.approx(5.0)
    assert t[0, 0] == pytest.approx(5.0)


def test_maxpool_is_earliest_spike() -> None:
    net = build_ttfs_net((1, 4, 4), (("pool", 2), ("dense", 2)), alpha=1.0, t_max=10.0, seed=0)
    z = torch.arange(16, dtype=torch.float32).reshape(1, 1, 4, 4) + 1
    assert net.layers[0](z, 1e4).flatten().tolist() == [1.0, 3.0, 9.0, 11.0]


@pytest.mark.parametrize("bits", [8, 4, 2])
def test_quantisation_grid_and_straight_through_gradient(bits: int) -> None:
    w = torch.randn(20, 30, requires_grad=True)
    q = quantize_ste(w, bits)
    levels = np.unique(
        np.round(q.detach().numpy() / q.detach().abs().max().item() * (2 ** (bits - 1) - 1))
    )
    assert levels.size <= 2**bits - 1
    q.sum().backward()
    assert torch.equal(w.grad, torch.ones_like(w))


@pytest.mark.parametrize("bits", [3, 4, 6, 8])
def test_quantisation_step_minimises_the_squared_error(bits: int) -> None:
    """Few bits clip the outliers (smaller step than the max rule, lower error); r = 1 is kept."""
    from hwsnn.models._ttfs_ops import quant_scale

    w = torch.randn(64, 400, generator=torch.Generator().manual_seed(bits))
    levels = 2 ** (bits - 1) - 1

    def sq_error(step: float) -> float:
        return float(((torch.clamp(torch.round(w / step), -levels, levels) * step - w) ** 2).sum())

    best, top = float(quant_scale(w, bits)), float(w.abs().max()) / levels
    assert best < top and sq_error(best) < sq_error(top)
    for ratio in (0.3, 0.5, 0.8):
        assert sq_error(best) <= sq_error(ratio * top) * (1 + 1e-6)
    assert float(quant_scale(w, 24)) == pytest.approx(float(w.abs().max()) / (2**23 - 1))


def test_loss_has_weight_sum_hinge_and_l2() -> None:
    net = build_ttfs_net((1, 2, 2), (("dense", 3),), alpha=1.0, t_max=10.0, seed=0)
    with torch.no_grad():
        net.layers[0].weight.fill_(0.0)
    times = torch.zeros(1, 3)
    loss = ttfs_loss(net, times, torch.tensor([0]))
    ce = float(np.log(3.0))
    assert float(loss.detach()) == pytest.approx(ce + 100.0 * 3 * 1.0)


def test_graph_round_trips_through_native_format(tmp_path) -> None:  # type: ignore[no-untyped-def]
    net = build_ttfs_net(
        (1, 8, 8), (("conv", 2, 3, 1), ("pool", 2), ("dense", 10)), alpha=1.0, t_max=10.0, seed=1
    )
    graph = export_ttfs(net, (1, 8, 8))
    save(graph, tmp_path / "g.hwir")
    assert graphs_equal(load(tmp_path / "g.hwir"), graph)


def test_cli_quick_trains_exports_and_reproduces_accuracy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hwsnn.cli.train import add_train_arguments, run_train

    parser = argparse.ArgumentParser()
    add_train_arguments(parser)
    assert run_train(parser.parse_args(["ttfs", "--quick", "--out", str(tmp_path)])) == 0
    results = json.loads((tmp_path / "ttfs.json").read_text())
    for bits in ("32", "8", "4", "2"):
        row = results["by_bits"][bits]
        assert row["sim_accuracy"] == row["torch_accuracy"]
    assert results["sim_vs_torch_prediction_agreement"] == 1.0
    assert results["ttfs_accuracy"] > 0.15  # better than chance (0.1) after a seconds-long run
    state = torch.load(tmp_path / "ttfs.pt", weights_only=True)
    assert all(isinstance(v, torch.Tensor) for v in state.values())
    assert (tmp_path / "ttfs.hwir").exists() and (tmp_path / "ttfs_4bit.hwir").exists()
