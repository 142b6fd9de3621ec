"""Hardware stages of the pipeline: Loihi 2 (emulator and a real-Lava conformance check)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import HwsnnError
from hwsnn.ir import Graph
from hwsnn.pipeline.stage import Context, StageResult, StageStatus

__all__ = ["loihi"]

LAVA_CHECK_SAMPLES = 4
"""Test samples that run in real Lava to check the emulator spike for spike."""


def _lava_conformance(artifact: object, x: NDArray[np.float32]) -> dict[str, object]:
    from hwsnn.backends.lava.encode import encode_inputs
    from hwsnn.backends.lava.process import run_lava
    from hwsnn.sim.loihi import run_emulator

    payload = encode_inputs(artifact, x).payload  # type: ignore[arg-type]
    lava = run_lava(artifact, payload)  # type: ignore[arg-type]
    emulator = run_emulator(artifact, payload)  # type: ignore[arg-type]
    equal = all(np.array_equal(emulator.spikes[n], s) for n, s in lava.spikes.items())
    spikes = int(sum(int(s.sum()) for s in lava.spikes.values()))
    return {"lava_samples": len(x), "lava_spikes": spikes, "lava_emulator_bit_exact": equal}


def loihi(ctx: Context) -> StageResult:
    """Map to Loihi 2: fixed-point vs float accuracy, cores, energy; check the emulator in Lava."""
    from hwsnn.backends.lava.lowering import map_graph
    from hwsnn.backends.lava.stage import loihi_stage
    from hwsnn.sim.evaluate import fit_inputs
    from hwsnn.targets import load_target

    if "graph" not in ctx.artifacts:
        raise HwsnnError("needs the exported graph")
    graph, data = ctx.artifacts["graph"], ctx.artifacts["data"]
    rng = np.random.default_rng(ctx.config.seed)
    result = loihi_stage(graph, fit_inputs(graph, data.x_test), data.y_test, rng=rng)
    ctx.artifacts["loihi"] = result
    metrics: dict[str, object] = {
        "target": result.target,
        "float_accuracy": result.accuracy_float,
        "fixed_point_accuracy": result.accuracy_fixed,
        "cores": result.resources.cores,
        "diagnostics": result.diagnostics,
        "energy_per_inference_j": result.energy.energy_j,
        "synops_per_inference": result.energy.synops,
        "energy_coefficients": {
            k: {"value_j": v, "source": s} for k, (v, s) in result.energy.coefficients.items()
        },
    }
    artifact = map_graph(graph, load_target("loihi2"), rng=rng)
    x = fit_inputs(graph, data.x_test[:LAVA_CHECK_SAMPLES])
    metrics.update(_lava_conformance(artifact, x))
    ok = bool(metrics["lava_emulator_bit_exact"])
    return StageResult(
        "loihi",
        StageStatus.OK if ok else StageStatus.FAILED,
        "" if ok else "Lava and the emulator disagree",
        metrics,
    )


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


CROSSBAR_TARGETS = {"crossbar-mtj": "mtj", "crossbar-rram": "rram"}
"""Pipeline crossbar targets and their device spec in ``mappings/crossbar``."""


def _crossbar_target(
    graph: Graph, spec_name: str, x: NDArray[np.float32], y: NDArray[np.int64], seed: int
) -> dict[str, object]:
    from hwsnn.backends.crossbar import Fidelity, load_spec, map_graph, simulate_crossbar
    from hwsnn.backends.crossbar.energy import estimate_inference_energy

    spec = load_spec(spec_name)
    metrics: dict[str, object] = {}
    for fidelity in (Fidelity.IDEAL, Fidelity.NOISY):
        ideal = fidelity is Fidelity.IDEAL
        art = map_graph(graph, spec, rng=np.random.default_rng(seed), ideal=ideal, binarize=True)
        result, readers = simulate_crossbar(
            art, x, fidelity=fidelity, rng=np.random.default_rng(seed), record=False
        )
        metrics[f"{fidelity.value}_accuracy"] = float(np.mean(result.predictions() == y))
    counters = [reader.counters for reader in readers.values()]
    energy = estimate_inference_energy(spec, counters, samples=len(y))
    res = art.resources()
    metrics.update(
        energy_per_inference_j=energy.per_sample_j,
        adc_energy_per_inference_j=energy.adc_j / len(y),
        tiles=res.tiles,
        cells=res.cells,
        utilisation=res.utilisation,
        area_m2=res.cell_area_m2 + res.adc_area_m2,
    )
    return metrics


def crossbar(ctx: Context) -> StageResult:
    """Binary MTJ and RRAM crossbars: accuracy (ideal and noisy devices), energy, area."""
    from hwsnn.sim.evaluate import fit_inputs
    from hwsnn.sim.float import simulate_float

    if "graph" not in ctx.artifacts:
        raise HwsnnError("needs the exported graph")
    graph, data = ctx.artifacts["graph"], ctx.artifacts["data"]
    x = fit_inputs(graph, data.x_test)
    reference = simulate_float(graph, x, record=False).predictions()
    metrics: dict[str, object] = {
        "float_accuracy": float(np.mean(reference == data.y_test)),
        "weights": "binarised per layer to mean|w| * sign(w) (the cells are binary)",
    }
    for target, spec_name in CROSSBAR_TARGETS.items():
        found = _crossbar_target(graph, spec_name, x, data.y_test, ctx.config.seed)
        prefix = target.replace("-", "_")
        metrics.update({f"{prefix}_{key}": value for key, value in found.items()})
    return StageResult("crossbar", StageStatus.OK, metrics=metrics)
