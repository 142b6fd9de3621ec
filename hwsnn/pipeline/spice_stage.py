"""Pipeline stage: the VCO/PLL n-LIF neuron in SPICE.

Energy per spike, the jitter and quantisation tables, and the energy per inference of a
small trained TTFS network.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np

from hwsnn.pipeline.stage import Context, StageResult, StageStatus

__all__ = ["spice"]

SPICE_SAMPLES = 1000
"""Monte Carlo samples per jitter/quantisation row (analytic tier)."""
SPICE_SPOT_CHECKS = 2
"""XSPICE spot-check pairs per row (each runs ngspice)."""
TTFS_TRAIN_SAMPLES = 800
"""Digits training images of the small TTFS network priced in energy per inference."""
TTFS_EPOCHS = 8
"""Its epochs (about 0.3 s each on one core; ~85 % test accuracy)."""
TTFS_TEST_SAMPLES = 200
TTFS_SPOT_NEURONS = (0, 1)
"""First-layer neurons of that network run in XSPICE on one test image."""


def _jitter_rows(table: object) -> list[dict[str, float]]:
    return [asdict(row) for row in table.rows]  # type: ignore[attr-defined]


def _ttfs_energy(seed: int, chars: dict[str, Any]) -> dict[str, object]:
    """Train a 64-16-10 TTFS net on digits (seconds), price its spikes, spot-check XSPICE."""
    import torch

    from hwsnn.analysis.spice_energy import estimate_spice_energy, spot_check_layer
    from hwsnn.data import load_dataset
    from hwsnn.models.ttfs import TTFSLossConfig
    from hwsnn.models.ttfs_train import TTFSTrainConfig, train_ttfs

    torch.manual_seed(seed)
    ds = load_dataset("digits", seed=seed, limit_train=TTFS_TRAIN_SAMPLES,
                      limit_test=TTFS_TEST_SAMPLES)
    cfg = TTFSTrainConfig(spec=(("dense", 16), ("dense", 10)), epochs=TTFS_EPOCHS, bits=(),
                          lr_start=5e-3, lr_end=5e-4,
                          loss=TTFSLossConfig(beta=2.0, logit_scale=50.0))
    run = train_ttfs(ds, cfg, seed=seed)
    report = estimate_spice_energy(run.graph, ds.x_test, ds.y_test, characterizations=chars)
    spot = spot_check_layer(run.graph, ds.x_test[:1], neurons=TTFS_SPOT_NEURONS)
    return {
        "ttfs_network": f"64-16-10 TTFS n-LIF on digits ({len(ds.y_train)} train / "
        f"{len(ds.y_test)} test), whatever the pipeline's data set",
        "ttfs_accuracy": report.accuracy,
        "ttfs_spikes_per_inference": report.spikes_per_inference,
        "ttfs_layers": [asdict(layer) for layer in report.layers],
        **{f"ttfs_{p.process.replace('-', '_')}_energy_per_inference_j": p.energy_per_inference_j
           for p in report.processes},
        "ttfs_xspice_vs_ir_median_rel_error": spot.median_rel_error_xspice_ir,
        "ttfs_xspice_vs_analytic_median_rel_error": spot.median_rel_error_xspice_analytic,
    }


def spice(ctx: Context) -> StageResult:
    """VCO/PLL n-LIF neuron: energy per spike, jitter/quantisation tables, TTFS energy."""
    from hwsnn.analysis.circuit_jitter import simulate_input_jitter, simulate_weight_quantization
    from hwsnn.backends.spice import characterize_neuron
    from hwsnn.backends.spice.calibrate import load_calibration

    metrics: dict[str, object] = {}
    chars = {}
    for process in ("sky130", "65nm-like"):
        char = characterize_neuron(process)
        chars[process] = char
        key = process.replace("-", "_")
        metrics[f"{key}_label"] = char.label
        metrics[f"{key}_supply_v"] = char.vdd_v
        metrics[f"{key}_k_vco_hz_per_v"] = char.k_vco_hz_per_v
        metrics[f"{key}_energy_per_spike_j"] = char.energy_per_spike_j
    model = load_calibration()
    rng = np.random.default_rng(ctx.config.seed)
    jitter = simulate_input_jitter(
        model,
        (0.01, 0.03, 0.05, 0.07, 0.09),
        rng=rng,
        n_samples=SPICE_SAMPLES,
        n_spot=SPICE_SPOT_CHECKS,
    )
    quant = simulate_weight_quantization(
        model, (4, 8, 16, 24, 32), rng=rng, n_samples=SPICE_SAMPLES, n_spot=SPICE_SPOT_CHECKS
    )
    metrics["input_jitter_table"] = _jitter_rows(jitter)
    metrics["weight_quantization_table"] = _jitter_rows(quant)
    metrics.update(_ttfs_energy(ctx.config.seed, chars))
    return StageResult("spice", StageStatus.OK, metrics=metrics)
