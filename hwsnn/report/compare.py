"""Compare a freshly produced ``report.json`` with a committed reference, within tolerances."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["Tolerance", "compare_report_json"]


@dataclass(frozen=True)
class Tolerance:
    """How far a number may move between runs on different machines.

    Attributes:
        rel: Relative tolerance for every number (|a - b| <= rel * max(|a|, |b|)).
        accuracy_abs: Absolute tolerance for keys containing ``accuracy`` (0.01 = 1 point).
    """

    rel: float = 0.05
    accuracy_abs: float = 0.01


def _leaves(doc: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(doc, dict):
        for key in sorted(doc):
            yield from _leaves(doc[key], f"{path}.{key}" if path else str(key))
    elif isinstance(doc, list):
        for i, item in enumerate(doc):
            yield from _leaves(item, f"{path}[{i}]")
    else:
        yield path, doc


def _close(path: str, a: float, b: float, tol: Tolerance) -> bool:
    if "accuracy" in path.rsplit(".", 1)[-1]:
        return abs(a - b) <= tol.accuracy_abs
    return math.isclose(a, b, rel_tol=tol.rel, abs_tol=1e-12)


def compare_report_json(
    reference: dict[str, Any], fresh: dict[str, Any], tol: Tolerance = Tolerance()
) -> list[str]:
    """Differences between two report documents beyond ``tol``; empty when they agree.

    Strings and booleans must be equal, numbers close, and both must have the same keys.
    Hashes (keys ending in ``hash``) are skipped: the last bit of a trained weight may
    differ between CPUs, which changes the IR hash but not the measured numbers.
    """
    ref = {p: v for p, v in _leaves(reference) if not p.endswith("hash")}
    new = {p: v for p, v in _leaves(fresh) if not p.endswith("hash")}
    problems = [f"missing in fresh report: {p}" for p in sorted(set(ref) - set(new))]
    problems += [f"new in fresh report: {p}" for p in sorted(set(new) - set(ref))]
    for path in sorted(set(ref) & set(new)):
        a, b = ref[path], new[path]
        numeric = isinstance(a, int | float) and isinstance(b, int | float)
        if numeric and not isinstance(a, bool) and not isinstance(b, bool):
            if not _close(path, float(a), float(b), tol):
                problems.append(f"{path}: {a} -> {b}")
        elif a != b:
            problems.append(f"{path}: {a!r} -> {b!r}")
    return problems
