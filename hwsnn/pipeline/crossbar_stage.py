"""Pipeline stage: binary MTJ and RRAM crossbars (accuracy, energy, area)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import HwsnnError
from hwsnn.ir import Graph
from hwsnn.pipeline.stage import Context, StageResult, StageStatus

__all__ = ["crossbar"]

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
