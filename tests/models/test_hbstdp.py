"""HB-STDP (paper 002): switching rule, windows, layer learning, CLI quick path."""

from __future__ import annotations

import argparse
import json

import pytest

torch = pytest.importorskip("torch")

from hwsnn.learn.hbstdp import (  # noqa: E402
    HBSTDPConfig,
    HBSTDPLayer,
    hbstdp_update,
    kernel_memory_compression,
    variant,
)


def test_update_follows_windows_and_dead_zone() -> None:
    cfg = HBSTDPConfig(p_hebb_pot=1.0, p_antihebb_dep=1.0)
    w = torch.tensor([-1.0, -1.0, 1.0, 1.0, -1.0, 1.0]).reshape(1, 1, 2, 3)
    trace = torch.tensor([0.5, 0.01, 0.001, 0.01, 0.001, 0.5]).reshape(1, 1, 2, 3)
    gen = torch.Generator().manual_seed(0)
    new = hbstdp_update(w, trace, torch.tensor([True]), cfg, gen)
    # near -> potentiate low; dead zone -> unchanged; far -> depress high
    assert new.flatten().tolist() == [1.0, -1.0, -1.0, 1.0, -1.0, 1.0]
    inh = hbstdp_update(w, trace, torch.tensor([True]), cfg, gen, inhibitory=True)
    assert inh.flatten().tolist() == [-1.0, -1.0, 1.0, 1.0, 1.0, -1.0]
    assert torch.equal(hbstdp_update(w, trace, torch.tensor([False]), cfg, gen), w)


def test_switching_probability_is_respected() -> None:
    cfg = HBSTDPConfig(p_hebb_pot=0.2)
    w = -torch.ones(1, 1, 100, 100)
    new = hbstdp_update(
        w, torch.ones_like(w), torch.tensor([True]), cfg, torch.Generator().manual_seed(1)
    )
    assert float((new > 0).float().mean()) == pytest.approx(0.2, abs=0.02)


def test_variants_remove_the_dead_zone() -> None:
    base = HBSTDPConfig()
    assert variant(base, "ehb2").pre_hebb_pot <= base.pre_antihebb_dep * 1.01
    assert variant(base, "ehb3").pre_antihebb_dep >= base.pre_hebb_pot * 0.99
    assert kernel_memory_compression(36, 5, 36, 3) == pytest.approx(25 * 32 / (9 * 2))


def test_layer_learns_binary_kernels_and_raises_thresholds() -> None:
    gen = torch.Generator().manual_seed(0)
    layer = HBSTDPLayer(1, 4, HBSTDPConfig(p_hebb_pot=0.2, p_antihebb_dep=0.2), gen)
    before = layer.weight.clone()
    x = torch.zeros(20, 1, 8, 8)
    x[:, :, 2:6, 2:6] = 1.0
    spikes = layer.learn_batch(x)
    assert spikes > 0
    assert set(layer.weight.unique().tolist()) <= {-1.0, 1.0}
    assert not torch.equal(layer.weight, before)
    assert float(layer.threshold.max()) > 0.0


def test_cli_quick(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hwsnn.cli.train import add_train_arguments, run_train

    parser = argparse.ArgumentParser()
    add_train_arguments(parser)
    assert run_train(parser.parse_args(["hbstdp", "--quick", "--out", str(tmp_path)])) == 0
    results = json.loads((tmp_path / "hbstdp.json").read_text())
    for name in ("ehb", "ehb2", "ehb3", "random"):
        assert 0.0 <= results[name]["accuracy"] <= 1.0
    assert results["ehb"]["sim_vs_torch_prediction_agreement_same_input"] >= 0.95
    assert (tmp_path / "hbstdp.hwir").exists()
