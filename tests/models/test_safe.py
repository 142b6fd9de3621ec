"""SAFE-DNN (paper 000): FD stochastic STDP, LIF staircase SAU, IR export, CLI quick path."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hwsnn.models.safe import SAUBlock, export_front_end, lif_staircase  # noqa: E402
from hwsnn.sim import simulate  # noqa: E402


def test_staircase_counts_lif_spikes() -> None:
    edges, levels = lif_staircase(10, 10.0, 10)
    assert np.all(np.diff(edges) > 0) and np.all(np.diff(levels) > 0)
    assert levels[-1] == pytest.approx(1.0)  # one spike per step at strong drive


def test_front_end_export_is_exact_in_sim_float(rng: np.random.Generator) -> None:
    edges, levels = lif_staircase(10, 10.0, 10)
    block = SAUBlock(torch.randn(3, 1, 5, 5), edges, levels)
    x = rng.random((4, 1, 8, 8)).astype(np.float32)
    block.calibrate(torch.from_numpy(x))
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
    for net in ("safe", "baseline_cnn"):
        assert set(results[net]) >= {"clean", "40dB", "20dB", "12dB"}
    assert results["front_end_sim_match_fraction"] > 0.99
