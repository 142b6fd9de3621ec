"""HB-STDP (paper 002): switching rule, windows, layer learning, CLI quick path."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import hwsnn  # noqa: E402
from hwsnn.learn.hbstdp import (  # noqa: E402
    HBSTDPConfig,
    HBSTDPLayer,
)


def test_layer_learns_binary_kernels_and_raises_thresholds() -> None:
    gen = torch.Generator().manual_seed(0)
    layer = HBSTDPLayer(1, 4, HBSTDPConfig(p_hebb_pot=0.2, p_antihebb_dep=0.2), gen)
    before = layer.weight.clone()
    x = torch.zeros(20, 1, 8, 8)
    x[:, :, 2:6, 2:6] = 1.0
    spikes = layer.learn_batch(x)
    assert spikes > 0
    assert set(layer.weight.flatten().tolist()) <= {-1.0, 1.0}
    assert not torch.equal(layer.weight, before)
    assert float(layer.threshold.max()) > 0.0


def test_cli_quick(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hwsnn.cli.train import add_train_arguments, run_train

    parser = argparse.ArgumentParser()
    add_train_arguments(parser)
    assert run_train(parser.parse_args(["hbstdp", "--quick", "--out", str(tmp_path)])) == 0
    results = json.loads((tmp_path / "hbstdp.json").read_text())
    baselines = (
        "random",
        "random_zero_threshold",
        "random_uniform",
        "random_uniform_zero_threshold",
    )
    for name in ("ehb", "ehb2", "ehb3", *baselines):
        assert 0.0 <= results[name]["accuracy"] <= 1.0
        assert 1 <= results[name]["distinct_kernels"] <= results["maps"]
    assert sum(results["ehb"]["window_fractions"].values()) == pytest.approx(1.0)
    assert results["random"]["window_fractions"]["hebb_pot"] == 0.0  # thresholds only
    assert results["random_zero_threshold"]["threshold_mean"] == 0.0
    assert results["ehb"]["sim_vs_torch_prediction_agreement_same_input"] >= 0.95
    assert (tmp_path / "hbstdp.hwir").exists()
    assert results["input"].startswith("DoG") and results["kernel_size"] == 5
    assert set(results["learned_minus_baseline_points"]) == set(baselines)
    assert results["random_uniform"]["fraction_high"] > results["random"]["fraction_high"]
    assert results["random_uniform_zero_threshold"]["threshold_mean"] == 0.0
    assert 0.0 <= results["ehb"]["sim_accuracy_own_poisson"] <= 1.0
    # on DoG input the fitted windows are all reached and the rule moves the eq. 7 kernels
    assert min(results["ehb"]["window_fractions"].values()) > 0.0
    assert results["ehb"]["fraction_high"] != results["random"]["fraction_high"]
    block = results["residual"]  # ReStoCNet-2: layer 2 learned behind frozen layer 1
    for name in ("two_layer", "two_layer_residual", "two_layer_residual_random"):
        assert 0.0 <= block[name]["accuracy"] <= 1.0
        assert block[name]["threshold_mean"] > 0.0
    assert block["two_layer_residual"]["window_fractions"]["hebb_pot"] > 0.0  # it learned
    assert block["two_layer_residual_random"]["window_fractions"]["hebb_pot"] == 0.0
    assert block["one_layer"]["accuracy"] == results["ehb"]["accuracy"]
    assert 0.0 <= block["one_layer_double_maps"]["accuracy"] <= 1.0
    assert block["layer2_maps"] == results["maps"] and block["layer2_p_scale"] == 1 / 25
    assert block["sim_vs_torch_prediction_agreement_same_input"] == 1.0
    assert block["sim_vs_torch_max_abs_logit_diff"] < 1e-3
    assert (tmp_path / "restocnet.hwir").exists()
    state = torch.load(tmp_path / "hbstdp.pt", weights_only=True)
    restoc = hwsnn.load(tmp_path / "restocnet.hwir")  # the checkpoint's layer 2 is the graph's
    np.testing.assert_array_equal(
        restoc.nodes["conv2"].weight,  # type: ignore[attr-defined]
        state["restocnet.layer2.weight"].double().numpy(),
    )
    assert set(np.unique(state["restocnet.layer2.weight"].numpy())) <= {-1.0, 1.0}
    nir = pytest.importorskip("nir")  # the spiking body goes to NIR; the DoG front end cannot
    body = nir.read(tmp_path / "hbstdp_body.nir")
    assert {"LIF", "IF", "LI", "Conv2d"} <= {type(n).__name__ for n in body.nodes.values()}


def test_dog_front_end_is_on_off_and_exports() -> None:
    import numpy as np

    from hwsnn.models.hbstdp import (
        DoGConfig,
        FeatureConfig,
        dog_kernels,
        dog_on_off,
        dog_scale,
        export_hbstdp,
    )

    k = dog_kernels(DoGConfig())
    assert k.shape == (2, 1, 7, 7)
    np.testing.assert_allclose(k[0], -k[1])
    assert abs(k[0].sum()) < 1e-12 and k[0, 0, 3, 3] > 0  # zero-sum centre-surround
    x = np.zeros((2, 1, 12, 12), dtype=np.float32)
    x[0, 0, 4:8, 4:8] = 1.0  # a bright square: ON inside its edge, OFF outside
    scale = dog_scale(x, k)
    y = dog_on_off(x, k, scale)
    assert y.shape == (2, 2, 12, 12) and float(y.min()) >= 0.0
    assert float((y[:, 0] * y[:, 1]).max()) == 0.0  # a pixel is ON or OFF, never both
    assert y[0, 0, 4, 4] > 0 and y[0, 1, 3, 3] > 0 and float(y[1].max()) == 0.0
    assert scale == pytest.approx(float(y[0].max() * scale) / 2)  # mean of per-image maxima

    gen = torch.Generator().manual_seed(0)
    layer = HBSTDPLayer(2, 3, HBSTDPConfig(), gen, kernel_size=5)
    readout = torch.nn.Linear(3 * 6 * 6, 4)
    g = export_hbstdp(
        layer.weight,
        layer.threshold,
        readout,
        (1, 12, 12),
        HBSTDPConfig(),
        FeatureConfig(),
        front=k / scale,
    )
    assert list(g.nodes)[:4] == ["input", "dog", "dog_relu", "poisson"]
    np.testing.assert_allclose(g.nodes["dog"].weight, k / scale)  # type: ignore[attr-defined]


def test_dog_front_end_needs_the_poisson_encoder() -> None:
    from hwsnn.errors import HwsnnError
    from hwsnn.models.hbstdp import DoGConfig, FeatureConfig, dog_kernels, input_nodes

    k = dog_kernels(DoGConfig())
    with pytest.raises(HwsnnError, match="Poisson encoder"):
        input_nodes((1, 12, 12), 1e-3, FeatureConfig(), encoder=False, front=k)
    names = [n for n, _ in input_nodes((1, 12, 12), 1e-3, FeatureConfig(), encoder=True, front=k)]
    assert names == ["input", "dog", "dog_relu", "poisson"]


def test_signed_dog_is_on_minus_off_and_encodes_inhibitory_spikes() -> None:
    import numpy as np

    from hwsnn.models.hbstdp import (
        DoGConfig,
        FeatureConfig,
        dog_kernels,
        dog_on_off,
        dog_signed,
        encode_poisson,
    )

    k = dog_kernels(DoGConfig())
    x = np.zeros((1, 1, 12, 12), dtype=np.float32)
    x[0, 0, 4:8, 4:8] = 1.0
    on_off, signed = dog_on_off(x, k, 0.5), dog_signed(x, k, 0.5)
    assert signed.shape == (1, 1, 12, 12) and float(signed.min()) < 0.0
    np.testing.assert_allclose(signed[:, 0], on_off[:, 0] - on_off[:, 1], atol=1e-6)
    seq = encode_poisson(torch.from_numpy(signed), FeatureConfig(steps=50), 1e-3, torch.Generator())
    neg = torch.from_numpy(signed) < 0
    assert float(seq[:, neg].min()) == -1.0 and float(seq[:, ~neg].min()) == 0.0


def _signed_setup(signed: bool):  # type: ignore[no-untyped-def]
    from hwsnn.models.hbstdp import (
        DoGConfig,
        FeatureConfig,
        dog_kernels,
        dog_scale,
        export_hbstdp,
    )

    k = dog_kernels(DoGConfig())
    x = np.zeros((4, 1, 12, 12), dtype=np.float32)
    x[0, 0, 3:9, 3:9] = 1.0  # a bright square: positive inside its edge, negative outside
    x[1, 0, :, 5:7] = 1.0
    x[2:] = np.random.default_rng(0).uniform(size=(2, 1, 12, 12)).astype(np.float32)
    scale = dog_scale(x, k)
    cfg, fc = HBSTDPConfig(), FeatureConfig(steps=12)
    layer = HBSTDPLayer(1 if signed else 2, 3, cfg, torch.Generator().manual_seed(0), kernel_size=5)
    threshold = torch.tensor([0.5, 1.0, 1.5])
    readout = torch.nn.Linear(3 * 6 * 6, 4)
    front = k[:1] / scale if signed else k / scale
    g = export_hbstdp(
        layer.weight, threshold, readout, (1, 12, 12), cfg, fc, front=front, signed=signed
    )
    return g, x, k, scale, (layer.weight, threshold, readout, cfg, fc)


def test_signed_dog_export_matches_torch_on_the_same_draws() -> None:
    """sim.float of the exported signed-DoG network = torch features on the same uniforms."""
    from hwsnn.models.hbstdp import dog_signed, features_from_spikes
    from hwsnn.sim.float import simulate_float

    g, x, k, scale, (weight, threshold, readout, cfg, fc) = _signed_setup(True)
    assert list(g.nodes)[:3] == ["input", "dog", "poisson"]  # no ReLU: the sign survives
    assert g.nodes["poisson"].signed  # type: ignore[attr-defined]
    enc: list[np.ndarray] = []  # type: ignore[type-arg]
    res = simulate_float(
        g,
        x,
        rng=np.random.default_rng(5),
        record=False,
        observer=lambda t, values: enc.append(np.array(values["poisson"])),
    )
    xs = torch.from_numpy(dog_signed(x, k, scale))
    replay = np.random.default_rng(5)  # sim.float draws one (B, *shape) float32 array a step
    u = torch.from_numpy(
        np.stack([replay.random((4, 1, 12, 12), dtype=np.float32) for _ in range(fc.steps)])
    )
    p = (xs.abs() * fc.max_rate_hz * cfg.dt).clamp(0, 1)  # encode_poisson's expression
    seq = torch.sign(xs) * (u < p).float()
    assert float(seq.min()) == -1.0 and float(seq.max()) == 1.0
    np.testing.assert_array_equal(np.stack(enc), seq.numpy())
    with torch.no_grad():
        logits = readout(features_from_spikes(seq, weight, threshold, cfg, fc)).numpy()
    np.testing.assert_allclose(res.outputs[-1], logits, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(res.outputs[-1].argmax(-1), logits.argmax(-1))


def test_signed_export_needs_the_encoder() -> None:
    from hwsnn.errors import HwsnnError
    from hwsnn.models.hbstdp import FeatureConfig, input_nodes

    with pytest.raises(HwsnnError, match="signed"):
        input_nodes((1, 12, 12), 1e-3, FeatureConfig(), encoder=False, front=None, signed=True)
    nodes = dict(
        input_nodes((1, 8, 8), 1e-3, FeatureConfig(), encoder=True, front=None, signed=True)
    )
    assert list(nodes) == ["input", "poisson"] and nodes["poisson"].signed  # type: ignore[attr-defined]
    on_off, *_ = _signed_setup(False)
    assert not on_off.nodes["poisson"].signed and "dog_relu" in on_off.nodes  # type: ignore[attr-defined]
