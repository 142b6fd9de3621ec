"""Run the stages in order, time them, and keep going past a stage that cannot run."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from hwsnn.errors import HwsnnError, SimulatorUnavailableError
from hwsnn.pipeline.config import PipelineConfig
from hwsnn.pipeline.stage import Context, StageResult, StageStatus

__all__ = ["PipelineResult", "Stage", "run_pipeline"]

Stage = Callable[[Context], StageResult]


@dataclass(frozen=True)
class PipelineResult:
    """All stage results of one run, in order."""

    config: PipelineConfig
    stages: tuple[StageResult, ...]

    def stage(self, name: str) -> StageResult:
        """The result of the stage called ``name``."""
        return next(s for s in self.stages if s.name == name)


def _run_stage(stage: Stage, ctx: Context, name: str) -> StageResult:
    start = time.perf_counter()
    try:
        result = stage(ctx)
    except SimulatorUnavailableError as exc:
        result = StageResult(name, StageStatus.SKIPPED, str(exc))
    except HwsnnError as exc:
        result = StageResult(name, StageStatus.FAILED, f"{type(exc).__name__}: {exc}")
    return StageResult(
        result.name, result.status, result.reason, result.metrics, time.perf_counter() - start
    )


def run_pipeline(
    config: PipelineConfig,
    out: Path,
    *,
    stages: Sequence[tuple[str, Stage]] | None = None,
    progress: bool = True,
    on_stage: Callable[[StageResult], None] | None = None,
) -> PipelineResult:
    """Run ``stages`` (default: :data:`hwsnn.pipeline.stages.DEFAULT_STAGES`) into folder ``out``.

    A stage whose dependencies failed is skipped with the reason; a missing
    simulator skips its stage; the other stages still run.
    """
    from hwsnn.pipeline.stages import DEFAULT_STAGES

    out.mkdir(parents=True, exist_ok=True)
    ctx = Context(config=config, out=out, progress=progress)
    results: list[StageResult] = []
    for name, stage in stages if stages is not None else DEFAULT_STAGES:
        result = _run_stage(stage, ctx, name)
        results.append(result)
        ctx.results.append(result)
        if on_stage is not None:
            on_stage(result)
    return PipelineResult(config, tuple(results))
