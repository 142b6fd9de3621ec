"""Render a :class:`Report` as JSON that is byte-identical for the same inputs and seed.

Keys are sorted, floats are rounded to :data:`SIGNIFICANT_DIGITS` significant digits,
non-finite floats become strings, derived ``*_j`` properties (e.g. ``total_j``) are
included, and nothing time-dependent is written: stage wall times are not part of the
report, and stage metrics whose key ends in one of :data:`VOLATILE_SUFFIXES` are left out.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
from collections.abc import Mapping
from typing import Any

from hwsnn.report._document import ENERGY_RULE
from hwsnn.report.model import Report
from hwsnn.report.plots import available_plots

__all__ = [
    "JSON_SCHEMA_VERSION",
    "SIGNIFICANT_DIGITS",
    "VOLATILE_SUFFIXES",
    "render_json",
    "report_to_dict",
]

JSON_SCHEMA_VERSION = 1
SIGNIFICANT_DIGITS = 8
VOLATILE_SUFFIXES = ("_wall_s",)


def _float(x: float) -> float | str:
    if not math.isfinite(x):
        return str(x)
    return float(f"{x:.{SIGNIFICANT_DIGITS}g}")


def _data(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _data(getattr(value, f.name)) for f in dataclasses.fields(value)}
        derived = [
            n for n, a in vars(type(value)).items() if isinstance(a, property) and n.endswith("_j")
        ]
        return out | {n: _data(getattr(value, n)) for n in derived}
    if isinstance(value, Mapping):
        return {
            str(k): _data(v) for k, v in value.items() if not str(k).endswith(VOLATILE_SUFFIXES)
        }
    if isinstance(value, list | tuple):
        return [_data(v) for v in value]
    if isinstance(value, enum.Enum):
        return _data(value.value)
    if isinstance(value, float):
        return _float(value)
    return value


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report as JSON-able data (rounded floats, volatile metrics dropped)."""
    doc: dict[str, Any] = _data(report)
    doc["schema_version"] = JSON_SCHEMA_VERSION
    doc["energy_rule"] = ENERGY_RULE
    doc["figures"] = {f"{name}.png": caption for name, caption in available_plots(report).items()}
    return doc


def render_json(report: Report) -> str:
    """The report as sorted, indented JSON text (ends with a newline)."""
    return (
        json.dumps(
            report_to_dict(report), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False
        )
        + "\n"
    )
