"""ReStoCNet-2 (paper 002 Sec. 2.1, 3.3): residual merge, layer-2 learning, features, IR export."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hwsnn.learn.hbstdp import HBSTDPConfig, HBSTDPLayer  # noqa: E402
from hwsnn.models.hbstdp import FeatureConfig, features_from_spikes  # noqa: E402
from hwsnn.models.restocnet import (  # noqa: E402
    ConvLayer,
    export_restocnet,
    layer2_config,
    layer2_inputs,
    learn_layer2,
    replicate_channels,
    residual_merge,
    restoc_features_from_spikes,
    trace_quantiles,
)


def test_replication_and_unit_magnitude_merge() -> None:
    x = torch.arange(2.0).reshape(1, 2, 1, 1) + 1  # channels 1, 2
    assert replicate_channels(x, 5).flatten().tolist() == [1.0, 2.0, 1.0, 2.0, 1.0]
    direct = torch.tensor([1.0, 0.0, 1.0, 0.0]).reshape(1, 4, 1, 1)
    res = torch.tensor([1.0, 0.0]).reshape(1, 2, 1, 1)
    assert residual_merge(direct, res).flatten().tolist() == [1.0, 0.0, 1.0, 0.0]
    res = torch.tensor([0.0, 1.0]).reshape(1, 2, 1, 1)
    assert residual_merge(direct, res).flatten().tolist() == [1.0, 1.0, 1.0, 1.0]
    signed = residual_merge(-direct, -torch.ones(1, 2, 1, 1))
    assert signed.flatten().tolist() == [-1.0, -1.0, -1.0, -1.0]
    cfg = layer2_config(HBSTDPConfig(p_hebb_pot=0.05), 1 / 25)
    assert cfg.p_hebb_pot == pytest.approx(0.002) and cfg.max_rate_hz == 500.0


def _layers(gen: torch.Generator) -> list[ConvLayer]:
    w1 = torch.where(torch.rand(4, 2, 3, 3, generator=gen) < 0.6, 1.0, -1.0)
    w2 = torch.where(torch.rand(3, 4, 3, 3, generator=gen) < 0.6, 1.0, -1.0)
    return [ConvLayer(w1, torch.tensor([0.5, 1.0, 1.5, 2.0])), ConvLayer(w2, torch.ones(3))]


def _spikes(gen: torch.Generator, steps: int = 12) -> torch.Tensor:
    return (torch.rand(steps, 5, 2, 8, 8, generator=gen) < 0.3).float()


def test_features_concatenate_both_layers_and_residual_changes_layer2() -> None:
    gen = torch.Generator().manual_seed(0)
    layers, seq = _layers(gen), _spikes(gen)
    cfg, fc = HBSTDPConfig(), FeatureConfig()
    one = restoc_features_from_spikes(seq, layers[:1], cfg, fc, residual=False)
    ref = features_from_spikes(seq, layers[0].weight, layers[0].threshold, cfg, fc)
    assert torch.equal(one, ref)
    plain = restoc_features_from_spikes(seq, layers, cfg, fc, residual=False)
    res = restoc_features_from_spikes(seq, layers, cfg, fc, residual=True)
    assert plain.shape == res.shape == (5, (4 + 3) * 4 * 4)
    assert torch.equal(plain[:, : 4 * 16], ref) and torch.equal(res[:, : 4 * 16], ref)
    assert not torch.equal(plain, res) and float(res[:, 4 * 16 :].sum()) > 0
    ins = list(layer2_inputs(seq, layers[0], cfg, residual=True))
    direct = list(layer2_inputs(seq, layers[0], cfg, residual=False))
    assert all(float(a.max()) <= 1.0 for a in ins)
    assert sum(float(a.sum()) for a in ins) > sum(float(d.sum()) for d in direct)


def test_layer2_learns_on_frozen_layer1() -> None:
    gen = torch.Generator().manual_seed(1)
    layer1 = _layers(gen)[0]
    before = layer1.weight.clone()
    cfg = layer2_config(HBSTDPConfig(p_hebb_pot=0.2, p_antihebb_dep=0.2, p_drop=0.0), 1.0)
    layer2 = HBSTDPLayer(4, 3, cfg, torch.Generator().manual_seed(2))
    w0 = layer2.weight.clone()
    images = torch.zeros(6, 2, 8, 8)
    images[:, 0, 2:6, 2:6] = 1.0
    images[:, 1, 1:3, :] = 1.0
    learn_layer2(layer2, layer1, images, 3, residual=True)
    assert torch.equal(layer1.weight, before)
    assert not torch.equal(layer2.weight, w0) and float(layer2.threshold.max()) > 0
    probe = HBSTDPLayer(4, 3, cfg, torch.Generator().manual_seed(2))
    q = trace_quantiles(probe, images, 3, (0.25, 0.5, 0.9), layer1, residual=True)
    assert 0.0 <= q[0] <= q[1] <= q[2] <= 1.0
    assert torch.equal(probe.weight, w0)  # the probe switches nothing


def test_export_matches_torch_on_the_same_spikes() -> None:
    from hwsnn.sim import simulate

    gen = torch.Generator().manual_seed(3)
    layers, seq = _layers(gen), _spikes(gen, steps=10)
    cfg, fc = HBSTDPConfig(), FeatureConfig(steps=10)
    readout = torch.nn.Linear(7 * 16, 4)
    with torch.no_grad():
        for residual in (False, True):
            logits = readout(restoc_features_from_spikes(seq, layers, cfg, fc, residual=residual))
            g = export_restocnet(
                layers, readout, (2, 8, 8), cfg, fc, residual=residual, encoder=False
            )
            assert ("clamp" in g.nodes) == residual and g.shapes["concat"] == (7, 4, 4)
            out = simulate(g, seq.numpy(), record=False).outputs[-1]
            np.testing.assert_allclose(out, logits.numpy(), rtol=1e-4, atol=1e-5)
    full = export_restocnet(
        layers, readout, (1, 8, 8), cfg, fc, residual=True, front=np.ones((2, 1, 3, 3))
    )
    assert list(full.nodes)[:4] == ["input", "dog", "dog_relu", "poisson"]
    from hwsnn.errors import HwsnnError

    with pytest.raises(HwsnnError):
        export_restocnet(layers[:1], readout, (2, 8, 8), cfg, fc, residual=True)


def test_signed_input_exports_without_residual_and_is_refused_with_it() -> None:
    from hwsnn.errors import HwsnnError
    from hwsnn.sim import simulate

    gen = torch.Generator().manual_seed(4)
    layers = _layers(gen)
    cfg, fc = HBSTDPConfig(), FeatureConfig(steps=8)
    readout = torch.nn.Linear(7 * 16, 4)
    with pytest.raises(HwsnnError, match="signed input with residual=True"):
        export_restocnet(layers, readout, (2, 8, 8), cfg, fc, residual=True, signed=True)
    g = export_restocnet(layers, readout, (2, 8, 8), cfg, fc, residual=False, signed=True)
    assert g.nodes["poisson"].signed and "clamp" not in g.nodes  # type: ignore[attr-defined]
    u = torch.rand(8, 5, 2, 8, 8, generator=gen)
    seq = torch.where(u < 0.2, -1.0, torch.where(u > 0.7, 1.0, 0.0))  # signed input spikes
    body = export_restocnet(layers, readout, (2, 8, 8), cfg, fc, residual=False, encoder=False)
    with torch.no_grad():
        logits = readout(restoc_features_from_spikes(seq, layers, cfg, fc, residual=False))
    out = simulate(body, seq.numpy(), record=False).outputs[-1]
    np.testing.assert_allclose(out, logits.numpy(), rtol=1e-4, atol=1e-5)
