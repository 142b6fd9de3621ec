"""Pipeline stage: the VCO/PLL n-LIF neuron in SPICE (energy per spike, jitter, quantisation)."""

from __future__ import annotations

import numpy as np

from hwsnn.pipeline.stage import Context, StageResult, StageStatus

__all__ = ["spice"]

SPICE_SAMPLES = 1000
"""Monte Carlo samples per jitter/quantisation row (analytic tier)."""
SPICE_SPOT_CHECKS = 2
"""XSPICE spot-check pairs per row (each runs ngspice)."""


def _jitter_rows(table: object) -> list[dict[str, float]]:
    from dataclasses import asdict

    return [asdict(row) for row in table.rows]  # type: ignore[attr-defined]


def spice(ctx: Context) -> StageResult:
    """VCO/PLL n-LIF neuron: transistor-level energy per spike, jitter and quantisation tables."""
    from hwsnn.analysis.circuit_jitter import simulate_input_jitter, simulate_weight_quantization
    from hwsnn.backends.spice import characterize_neuron
    from hwsnn.backends.spice.calibrate import load_calibration

    metrics: dict[str, object] = {}
    for process in ("sky130", "65nm-like"):
        char = characterize_neuron(process)
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
    return StageResult("spice", StageStatus.OK, metrics=metrics)
