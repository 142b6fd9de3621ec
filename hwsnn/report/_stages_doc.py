"""Blocks for the pipeline stages: a status table, then each stage's metrics.

Metric values are laid out by shape: scalars in one table, a mapping of scalars as a
two-column table, a list of records (e.g. a jitter table) as a table with one column per
field, an ``accuracy_vs_<variable>`` curve as a figure plus its table.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from hwsnn.report import _format as fmt
from hwsnn.report._blocks import Block, Figure, Heading, Table, Text
from hwsnn.report.build import SWEEP_PREFIX
from hwsnn.report.model import Report, StageSection
from hwsnn.report.plots import available_plots

__all__ = ["stage_blocks"]


def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, bool | int | float | str)


def _records(key: str, rows: Sequence[Mapping[str, Any]]) -> list[Block]:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    cells = tuple(tuple(fmt.metric(c, row.get(c)) for c in columns) for row in rows)
    numeric = tuple(all(isinstance(row.get(c), int | float) for row in rows) for c in columns)
    return [Heading(4, key.replace("_", " ")), Table(tuple(columns), cells, numeric)]


def _mapping(key: str, values: Mapping[str, Any]) -> list[Block]:
    rows = tuple((str(k), fmt.metric(key, v)) for k, v in values.items())
    return [Heading(4, key.replace("_", " ")), Table(("key", key), rows, (False, True))]


def _metric_blocks(key: str, v: Any, figures: dict[str, str], shown: set[str]) -> list[Block]:
    blocks: list[Block] = []
    if key.startswith(SWEEP_PREFIX) and key in figures and key not in shown:
        shown.add(key)
        blocks.append(Figure(key, figures[key]))
    if isinstance(v, Mapping) and all(_scalar(x) for x in v.values()):
        return blocks + _mapping(key, v)
    if isinstance(v, list) and v and all(isinstance(r, Mapping) for r in v):
        return blocks + _records(key, v)
    if isinstance(v, list) and v and all(isinstance(r, list) and len(r) == 2 for r in v):
        rows = tuple((fmt.value(a), fmt.metric(key, b)) for a, b in v)
        return [*blocks, Heading(4, key.replace("_", " ")), Table(("x", key), rows, (True, True))]
    return [*blocks, Heading(4, key.replace("_", " ")), Text(f"`{json.dumps(v, sort_keys=True)}`")]


def _stage(stage: StageSection, figures: dict[str, str], shown: set[str]) -> list[Block]:
    blocks: list[Block] = [Heading(3, f"Stage `{stage.name}`")]
    if stage.status != "ok":
        blocks.append(Text(f"**{stage.status}**: {stage.reason or 'no reason given'}"))
    scalars = tuple((k, fmt.metric(k, v)) for k, v in sorted(stage.metrics.items()) if _scalar(v))
    if scalars:
        blocks.append(Table(("metric", "value"), scalars, (False, True)))
    elif stage.status == "ok" and not stage.metrics:
        blocks.append(Text("No metrics reported."))
    for key, v in sorted(stage.metrics.items()):
        if not _scalar(v):
            blocks += _metric_blocks(key, v, figures, shown)
    return blocks


def stage_blocks(report: Report) -> list[Block]:
    """The pipeline section (empty when the report was not made by the pipeline)."""
    if not report.stages:
        return []
    rows = tuple((s.name, s.status, s.reason or "–") for s in report.stages)
    blocks: list[Block] = [
        Heading(2, "Pipeline stages"),
        Text("Every stage the pipeline ran, in order; a stage that could not run says why."),
        Table(("stage", "status", "reason"), rows),
    ]
    figures = available_plots(report)
    shown: set[str] = set()
    for stage in report.stages:
        blocks += _stage(stage, figures, shown)
    return blocks
