"""HB-STDP (paper 002): switching rule, windows, layer learning, CLI quick path."""

from __future__ import annotations

import argparse
import json

import pytest

torch = pytest.importorskip("torch")

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
    assert set(layer.weight.unique().tolist()) <= {-1.0, 1.0}
    assert not torch.equal(layer.weight, before)
    assert float(layer.threshold.max()) > 0.0


def test_cli_quick(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hwsnn.cli.train import add_train_arguments, run_train

    parser = argparse.ArgumentParser()
    add_train_arguments(parser)
    assert run_train(parser.parse_args(["hbstdp", "--quick", "--out", str(tmp_path)])) == 0
    results = json.loads((tmp_path / "hbstdp.json").read_text())
    for name in ("ehb", "ehb2", "ehb3", "random", "random_zero_threshold"):
        assert 0.0 <= results[name]["accuracy"] <= 1.0
        assert 1 <= results[name]["distinct_kernels"] <= results["maps"]
    assert sum(results["ehb"]["window_fractions"].values()) == pytest.approx(1.0)
    assert results["random"]["window_fractions"]["hebb_pot"] == 0.0  # thresholds only
    assert results["random_zero_threshold"]["threshold_mean"] == 0.0
    assert results["ehb"]["sim_vs_torch_prediction_agreement_same_input"] >= 0.95
    assert (tmp_path / "hbstdp.hwir").exists()
