"""The main job: train on the embedded default data, export, check, map and report.

Each stage is a function of a :class:`Context` that returns a :class:`StageResult`;
a stage that cannot run says why instead of vanishing from the report.
"""

from hwsnn.pipeline.config import PipelineConfig
from hwsnn.pipeline.runner import PipelineResult, run_pipeline
from hwsnn.pipeline.stage import Context, StageResult, StageStatus

__all__ = [
    "Context",
    "PipelineConfig",
    "PipelineResult",
    "StageResult",
    "StageStatus",
    "run_pipeline",
]
