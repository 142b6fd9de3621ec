"""Pipeline stage: Loihi 2 (emulator and a real-Lava conformance check)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import HwsnnError
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
