"""The ``report`` stage: one report from the exported graph, the test data and every earlier stage.

The lead appends ``("report", report)`` to :data:`hwsnn.pipeline.stages.DEFAULT_STAGES`.
Earlier stage results are read from ``ctx.results`` (the runner keeps them there); each
stage's metrics become a section, and a skipped or failed stage is listed with its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hwsnn.errors import HwsnnError
from hwsnn.pipeline.stage import Context, StageResult, StageStatus

__all__ = ["REPORT_SAMPLES", "report", "stage_sections"]

REPORT_SAMPLES = 512
"""Test samples on which operations are counted (the first ones of the test split)."""


def stage_sections(results: Sequence[StageResult]) -> tuple[Any, ...]:
    """Stage results as :class:`hwsnn.report.StageSection` (metrics made JSON-able)."""
    from hwsnn.report import StageSection
    from hwsnn.report.build import plain

    return tuple(
        StageSection(r.name, StageStatus(r.status).value, r.reason, plain(r.metrics))
        for r in results
    )


def _evaluation(ctx: Context, samples: int) -> Any:
    """The float evaluation of an earlier stage when it covered exactly these samples."""
    evaluation = ctx.artifacts.get("float_evaluation")
    return evaluation if evaluation is not None and evaluation.samples == samples else None


def report(ctx: Context) -> StageResult:
    """Count, estimate energy, collect all earlier stages and write report.md/.json/.html/*.png."""
    from hwsnn.report import build_report, write_report

    missing = [k for k in ("graph", "data") if k not in ctx.artifacts]
    if missing:
        raise HwsnnError(f"needs {', '.join(missing)} from an earlier stage")
    graph, data = ctx.artifacts["graph"], ctx.artifacts["data"]
    results: Sequence[StageResult] = getattr(ctx, "results", ())
    x, y = data.x_test[:REPORT_SAMPLES], data.y_test[:REPORT_SAMPLES]
    built = build_report(
        graph,
        x,
        y,
        seed=ctx.config.seed,
        model=f"{ctx.config.arch} on {data.name} (pipeline)",
        dataset=data.name,
        target="pipeline: sim.float + energy models + every stage below",
        stages=stage_sections(results),
        evaluation=_evaluation(ctx, len(y)),
        title=f"hwsnn pipeline report: {ctx.config.arch} on {data.name}",
    )
    paths = write_report(built, ctx.out)
    ctx.files.extend(paths)
    metrics: dict[str, Any] = {"files": sorted(p.name for p in paths), "samples": len(y)}
    for comparison in built.energy:
        metrics[f"ann_over_snn_compute_{comparison.model.name}"] = comparison.ann_over_snn_compute
    return StageResult("report", StageStatus.OK, metrics=metrics)
