"""SAFE-DNN (paper 000): FD stochastic STDP, LIF staircase SAU, IR export, CLI quick path."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest
from numpy.typing import NDArray

torch = pytest.importorskip("torch")

import hwsnn  # noqa: E402
from hwsnn.errors import DataError, UnsupportedNodeError  # noqa: E402
from hwsnn.models.safe import (  # noqa: E402
    CReLU,
    FrontEndConfig,
    SAFENet,
    SAUBlock,
    SpikingFrontEnd,
    export_front_end,
    export_network,
    inhibited_kernels,
    lif_staircase,
    stdp_front_end,
)
from hwsnn.sim import simulate  # noqa: E402


def _vertical_bars(rng: np.random.Generator, n: int, side: int = 12) -> NDArray[np.float32]:
    x = np.zeros((n, 1, side, side), np.float32)
    for i, c in enumerate(rng.integers(2, side - 4, size=n)):
        x[i, 0, :, c : c + 2] = 1.0
    return x


def test_stdp_learns_the_local_correlation_of_the_inputs(rng: np.random.Generator) -> None:
    """Paper 000 Sec. 3: STDP learns the spatial correlation of pixels in a receptive field."""
    fe = stdp_front_end(_vertical_bars(rng, 400), FrontEndConfig(maps=2), batch=20, seed=0)
    for j in range(2):
        k = fe.g[j, 0].numpy()
        assert k.mean(axis=0).var() > 100 * k.mean(axis=1).var()  # vertical bar detectors
        assert k.max() > 0.7 and k.min() < 0.1
    # cross-depth inhibition + homeostasis: the two maps learn different bar positions
    assert float((fe.g[0] - fe.g[1]).abs().max()) > 0.5
    assert float(fe.wins.min()) > 0.5 * float(fe.wins.max())


def test_front_end_rejects_images_without_a_channel_axis() -> None:
    fe = SpikingFrontEnd(FrontEndConfig(), None, torch.Generator().manual_seed(0))
    with pytest.raises(DataError):
        fe.learn(torch.zeros(2, 8, 8))


def test_safe_net_concatenates_front_and_smaller_aux_maps() -> None:
    edges, levels = lif_staircase(10, 10.0, 10)
    block = SAUBlock(torch.rand(6, 1, 5, 5), edges, levels)
    net = SAFENet(block, 6, 10, 28, aux_maps=2)
    assert net(torch.rand(3, 1, 28, 28)).shape == (3, 10)
    assert net.main[1].in_channels == 8
    assert not any(p.requires_grad for p in block.parameters())


def test_inhibited_kernels_take_off_a_share_of_each_kernel_mean() -> None:
    g = torch.rand(4, 1, 5, 5)
    assert torch.equal(inhibited_kernels(g, 0.0), g)
    zero_sum = inhibited_kernels(g, 1.0)
    assert torch.allclose(zero_sum.sum(dim=(1, 2, 3)), torch.zeros(4), atol=1e-5)
    half = inhibited_kernels(g, 0.5)
    assert torch.allclose(half.mean(dim=(2, 3)), 0.5 * g.mean(dim=(2, 3)))
    assert torch.allclose(half - half.mean(dim=(2, 3), keepdim=True), zero_sum, atol=1e-6)
    with pytest.raises(DataError):
        inhibited_kernels(g, 1.5)
    with pytest.raises(DataError):
        inhibited_kernels(g[0], 0.5)


def test_calibrate_offset_raises_the_sau_threshold(rng: np.random.Generator) -> None:
    edges, levels = lif_staircase(20, 10.0, 20)
    x = torch.from_numpy(rng.random((16, 1, 10, 10)).astype(np.float32))
    block = SAUBlock(inhibited_kernels(torch.rand(3, 1, 5, 5), 1.0), edges, levels)
    block.calibrate(x)
    with torch.no_grad():
        z0, active0 = block.pre(x), float((block(x) > 0).float().mean())
        block.calibrate(x, offset=1.0)
        z1, active1 = block.pre(x), float((block(x) > 0).float().mean())
    assert torch.allclose(z0.mean(dim=(0, 2, 3)), torch.zeros(3), atol=1e-4)
    assert torch.allclose(z1, z0 - 1.0, atol=1e-5)
    assert 0 < active1 < active0  # fewer positions reach the first step


def test_on_off_block_mirrors_the_drive_with_the_same_threshold(rng: np.random.Generator) -> None:
    edges, levels = lif_staircase(20, 10.0, 20)
    x = torch.from_numpy(rng.random((8, 1, 10, 10)).astype(np.float32))
    g = inhibited_kernels(torch.rand(3, 1, 5, 5), 1.0)
    on = SAUBlock(g, edges, levels)
    pair = SAUBlock(g, edges, levels, on_off=True)
    on.calibrate(x, offset=0.7)
    pair.calibrate(x, offset=0.7)
    with torch.no_grad():
        z, zz, out = on.pre(x), pair.pre(x), pair(x)
    assert pair.channels == 6 and out.shape == (8, 6, 10, 10)
    assert torch.allclose(zz[:, :3], z) and torch.equal(out[:, :3], on(x))
    # OFF drive = -(normalised drive) - offset: both halves need 0.7 std to reach a step
    assert torch.allclose(zz[:, 3:], -(z + 0.7) - 0.7, atol=1e-5)
    assert not torch.any((out[:, :3] > 0) & (out[:, 3:] > 0))  # never both sides at once
    assert torch.any(out[:, 3:] > 0)


def test_crelu_keeps_both_half_waves() -> None:
    y = torch.tensor([[[[-2.0, 0.5]]]])
    assert torch.equal(CReLU()(y), torch.tensor([[[[0.0, 0.5]], [[2.0, 0.0]]]]))


def test_staircase_counts_lif_spikes() -> None:
    edges, levels = lif_staircase(10, 10.0, 10)
    assert np.all(np.diff(edges) > 0) and np.all(np.diff(levels) > 0)
    assert levels[-1] == pytest.approx(1.0)  # one spike per step at strong drive


@pytest.mark.parametrize("on_off", [False, True])
def test_front_end_export_is_exact_in_sim_float(rng: np.random.Generator, on_off: bool) -> None:
    edges, levels = lif_staircase(10, 10.0, 10)
    block = SAUBlock(torch.randn(3, 1, 5, 5), edges, levels, on_off=on_off)
    x = rng.random((4, 1, 8, 8)).astype(np.float32)
    block.calibrate(torch.from_numpy(x), offset=0.5)
    with torch.no_grad():
        ref = block(torch.from_numpy(x)).numpy()
    out = simulate(export_front_end(block, (1, 8, 8)), x).outputs[0]
    assert np.mean(np.isclose(out, ref)) > 0.99


def test_cli_quick(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hwsnn.cli.train import add_train_arguments, run_train

    parser = argparse.ArgumentParser()
    add_train_arguments(parser)
    assert run_train(parser.parse_args(["safe", "--quick", "--out", str(tmp_path)])) == 0
    results = json.loads((tmp_path / "safe.json").read_text())
    assert results["on_off"] is True and results["kernel_inhibition"] == 1.0
    for net in ("safe", "baseline_cnn"):
        assert set(results[net]) >= {"clean", "40dB", "20dB", "12dB"}
        assert set(results[f"{net}_noise_by_path"]) == {
            "front_20dB",
            "aux_20dB",
            "front_12dB",
            "aux_12dB",
        }
    assert results["front_end_sim_match_fraction"] > 0.99
    # the whole network (front end + aux CNN + main CNN) exported and run by sim.float
    assert results["network_sim_same_prediction_fraction"] == 1.0
    assert results["network_sim_max_abs_logit_diff"] < 1e-3
    assert results["network_sim_accuracy"] == results["network_torch_accuracy"]
    assert results["network_torch_accuracy"] == pytest.approx(results["safe"]["clean"])
    png = tmp_path / "safe_noise.png"  # accuracy vs SNR and noise by path
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert results["files"]["safe_noise"][".png"] == str(png)
    graph = hwsnn.load(next(tmp_path.glob("safe_network.*")))
    kinds = {type(n).__name__ for n in graph.nodes.values()}
    assert {"SAU", "ReLU", "MaxPool2d", "Concat", "Affine"} <= kinds


@pytest.mark.parametrize(("aux_layers", "on_off"), [(1, True), (2, False)])
def test_whole_network_export_matches_torch(  # type: ignore[no-untyped-def]
    rng: np.random.Generator, tmp_path, aux_layers: int, on_off: bool
) -> None:
    """Front end || aux CNN (1 or 2 layers) -> main CNN as one IR graph: sim == torch, ONNX."""
    edges, levels = lif_staircase(20, 10.0, 20)
    torch.manual_seed(0)
    block = SAUBlock(inhibited_kernels(torch.rand(6, 1, 5, 5), 1.0), edges, levels, on_off=on_off)
    x = rng.random((20, 1, 12, 12)).astype(np.float32)
    block.calibrate(torch.from_numpy(x), offset=0.5)
    maps = block.channels
    net = SAFENet(block, maps, 10, 12, aux_maps=2, aux_layers=aux_layers, width=8).eval()
    graph = export_network(net, (1, 12, 12))
    assert graph.shapes["concat"] == (maps + 2, 12, 12) and graph.output_shape == (10,)
    assert graph.predecessors("concat") == ("front.sau", "aux.relu")  # spiking maps first
    assert graph.shapes["front.sau"] == (maps, 12, 12) and graph.shapes["aux.relu"] == (2, 12, 12)
    with torch.no_grad():
        ref = net(torch.from_numpy(x)).numpy()
        front = block(torch.from_numpy(x)).numpy()
    result = simulate(graph, x)
    np.testing.assert_allclose(result.outputs[0], ref, rtol=1e-5, atol=1e-5)
    assert np.array_equal(result.outputs[0].argmax(1), ref.argmax(1))
    assert 0 < np.mean(front > 0) < 1  # the SAU passes some drive, not all
    pytest.importorskip("onnxruntime")
    from hwsnn.formats.onnx import run_onnx, write_onnx

    write_onnx(graph, tmp_path / "safe.onnx")
    out, _ = run_onnx(tmp_path / "safe.onnx", x)
    np.testing.assert_allclose(out[0], result.outputs[0], rtol=1e-5, atol=1e-5)


def test_baseline_front_end_is_not_exported() -> None:
    front = torch.nn.Sequential(torch.nn.Conv2d(1, 3, 5, padding=2), torch.nn.ReLU())
    with pytest.raises(UnsupportedNodeError, match="Sequential"):
        export_network(SAFENet(front, 3, 10, 12), (1, 12, 12))


def test_sau_flat_regions_absorb_small_perturbations(rng: np.random.Generator) -> None:
    """Paper 000 Sec. 4.4: inside a flat region a small input change gives no output change."""
    edges, levels = lif_staircase(20, 10.0, 20)
    mids = (edges[:-2] + edges[1:-1]) / 2
    block = SAUBlock(torch.ones(1, 1, 1, 1), edges, levels)
    z = torch.tensor(mids, dtype=torch.float32).reshape(1, 1, 1, -1)
    half_gap = float(np.min(np.diff(edges[:-1]))) / 2
    noisy = z + torch.from_numpy(rng.uniform(-0.9, 0.9, z.shape).astype(np.float32)) * half_gap
    with torch.no_grad():
        assert torch.equal(block(z), block(noisy))
        assert torch.equal(block(z).flatten(), torch.tensor(levels[:-1], dtype=torch.float32))


def _bars_dataset(rng: np.random.Generator, n_test: int) -> hwsnn.data.Dataset:
    from hwsnn.data import Dataset

    x = _vertical_bars(rng, 20 + n_test)
    y = (x[:, 0].sum(axis=1).argmax(axis=1) > 6).astype(np.int64)
    return Dataset(
        x_train=x[:20],
        y_train=y[:20],
        x_test=x[20:],
        y_test=y[20:],
        name="bars",
        classes=("left", "right"),
    )


def test_noise_by_path_feeds_noise_to_one_path_only(rng: np.random.Generator) -> None:
    """A silent front end (threshold above any drive) ignores its noise; the aux path does not."""
    from hwsnn.models.safe_recipe import PATH_SNRS_DB, _noise_table, noise_by_path

    ds = _bars_dataset(rng, 300)
    edges, levels = lif_staircase(20, 10.0, 20)
    block = SAUBlock(torch.rand(3, 1, 5, 5), edges, levels)
    block.calibrate(torch.from_numpy(np.array(ds.x_train)), offset=1e6)  # SAU never fires
    torch.manual_seed(0)
    net = SAFENet(block, 3, 2, 12, aux_maps=2).eval()
    with torch.no_grad():
        net.aux[0].weight *= 1e3  # an aux path that any noise moves
    x = torch.from_numpy(np.array(ds.x_test))
    with torch.no_grad():
        assert torch.equal(net.forward_paths(x, x), net(x))
        assert not net.front(x + torch.randn(x.shape)).any()
    full = _noise_table(net, ds, seed=0)
    table = noise_by_path(net, ds, seed=0)
    assert set(table) == {f"{p}_{s:g}dB" for p in ("front", "aux") for s in PATH_SNRS_DB}
    for snr in PATH_SNRS_DB:
        assert full[f"{snr:g}dB"] != full["clean"]  # the noise matters for this network
        assert table[f"front_{snr:g}dB"] == full["clean"]
        assert table[f"aux_{snr:g}dB"] == full[f"{snr:g}dB"]  # same draws as the noise table
