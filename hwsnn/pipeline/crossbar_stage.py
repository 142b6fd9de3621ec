"""Pipeline stage: binary MTJ and RRAM crossbars (accuracy, energy, area).

Binary cells hold ``alpha sign(W)`` per layer. The stage fine-tunes a binary-aware copy of the
trained network (:func:`hwsnn.backends.crossbar.binary_training.binary_finetune`, a few
seconds on digits) and maps that copy; the float network of the other stages is untouched.
Without a trained torch model (a pipeline started from a graph) it falls back to binarising
the float weights post hoc, and says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import HwsnnError
from hwsnn.ir import Graph
from hwsnn.pipeline.stage import Context, StageResult, StageStatus

__all__ = ["BINARY_EPOCHS", "BINARY_LR", "crossbar"]

CROSSBAR_TARGETS = {"crossbar-mtj": "mtj", "crossbar-rram": "rram"}
"""Pipeline crossbar targets and their device spec in ``mappings/crossbar``."""
BINARY_EPOCHS = 5
"""Epochs of binary-aware fine-tuning (digits: 96.1 % float -> 95.8 % binary, about 1 s)."""
BINARY_LR = 1e-3
"""Adam learning rate of the fine-tuning (half the pipeline's training rate)."""


def _crossbar_target(
    graph: Graph,
    spec_name: str,
    x: NDArray[np.float32],
    y: NDArray[np.int64],
    seed: int,
    binarize: bool,
) -> dict[str, object]:
    from hwsnn.backends.crossbar import Fidelity, load_spec, map_graph, simulate_crossbar
    from hwsnn.backends.crossbar.energy import estimate_inference_energy

    spec = load_spec(spec_name)
    metrics: dict[str, object] = {}
    for fidelity in (Fidelity.IDEAL, Fidelity.NOISY):
        ideal = fidelity is Fidelity.IDEAL
        art = map_graph(
            graph, spec, rng=np.random.default_rng(seed), ideal=ideal, binarize=binarize
        )
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


def _binary_graph(ctx: Context, graph: Graph) -> tuple[Graph, dict[str, Any]]:
    """The binary-aware fine-tuned graph and what was done (or the float graph, post hoc)."""
    if "model" not in ctx.artifacts:
        return graph, {"weights": "binarised post hoc to mean|w| * sign(w) (no torch model)"}
    from hwsnn.backends.crossbar.binary_training import binary_finetune
    from hwsnn.export import export_torch

    cfg, data = ctx.config, ctx.artifacts["data"]
    model, summary = binary_finetune(
        ctx.artifacts["model"],
        data.x_train,
        data.y_train,
        epochs=BINARY_EPOCHS,
        lr=BINARY_LR,
        batch_size=cfg.batch_size,
        seed=cfg.seed,
        timesteps=cfg.timesteps,
    )
    binary = export_torch(model, tuple(data.input_shape), timesteps=cfg.timesteps, dt=cfg.dt)
    return binary, {
        "weights": "binary-aware fine-tuned copy: alpha * sign(W) per layer (straight-through)",
        "binary_finetune_epochs": BINARY_EPOCHS,
        "binary_finetune_wall_s": summary.seconds,
    }


def crossbar(ctx: Context) -> StageResult:
    """Binary MTJ and RRAM crossbars: accuracy (ideal and noisy devices), energy, area."""
    from hwsnn.sim.evaluate import fit_inputs
    from hwsnn.sim.float import simulate_float

    if "graph" not in ctx.artifacts:
        raise HwsnnError("needs the exported graph")
    graph, data = ctx.artifacts["graph"], ctx.artifacts["data"]
    x = fit_inputs(graph, data.x_test)
    reference = simulate_float(graph, x, record=False).predictions()
    binary, info = _binary_graph(ctx, graph)
    metrics: dict[str, object] = {"float_accuracy": float(np.mean(reference == data.y_test))}
    metrics.update(info)
    post_hoc = binary is graph
    if not post_hoc:
        found = simulate_float(binary, x, record=False).predictions()
        metrics["binary_accuracy"] = float(np.mean(found == data.y_test))
    for target, spec_name in CROSSBAR_TARGETS.items():
        found_t = _crossbar_target(binary, spec_name, x, data.y_test, ctx.config.seed, post_hoc)
        prefix = target.replace("-", "_")
        metrics.update({f"{prefix}_{key}": value for key, value in found_t.items()})
    return StageResult("crossbar", StageStatus.OK, metrics=metrics)
