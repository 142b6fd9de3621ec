"""Stages of the pipeline and the context they share."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hwsnn.pipeline.config import PipelineConfig

__all__ = ["Context", "StageResult", "StageStatus"]


class StageStatus(enum.StrEnum):
    """How a stage ended."""

    OK = "ok"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class StageResult:
    """Outcome of one stage.

    Attributes:
        name: Stage name.
        status: ok, skipped (with the reason) or failed (with the error).
        reason: Why it was skipped or failed; empty when ok.
        metrics: Measured numbers (JSON-serialisable), keys carry units.
        seconds: Wall time of the stage (s).
    """

    name: str
    status: StageStatus
    reason: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class Context:
    """Mutable state handed from stage to stage (the trained model, the graph, files)."""

    config: PipelineConfig
    out: Path
    progress: bool = True
    artifacts: dict[str, Any] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    results: list[StageResult] = field(default_factory=list)
