"""The results table of a sweep: one row per point, as JSON lines and CSV.

``results.jsonl`` is appended one complete line per finished point with a single ``write``
on an ``O_APPEND`` descriptor, so a killed run leaves complete rows (a torn last line, if the
kill lands inside a write, is dropped and truncated away on the next open). When the sweep
ends the table is rewritten in point order (stable whatever the completion order) and
``results.csv`` and ``summary.csv`` are written next to it; every rewrite goes to a temporary
file first and replaces the old one atomically.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hwsnn.errors import DataError
from hwsnn.sweep.spec import Scalar

__all__ = ["Row", "RowWriter", "read_rows", "summarize", "write_atomic", "write_table"]

FIXED = ("index", "key", "seed", "status", "error", "attempts")


def _num(value: float) -> float | None:
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class Row:
    """One point's result.

    Attributes:
        index: Point index in the sweep.
        key: Resume key ``"<index>-<params hash>"``.
        seed: The point's seed.
        status: ``"ok"`` or ``"failed"``.
        error: One-line error of the last attempt (empty when ok).
        attempts: Attempts made (1, or 2 after a retry).
        params: Parameter values.
        metrics: Metric values (empty when failed); NaN is stored as JSON ``null``.
    """

    index: int
    key: str
    seed: int
    status: str
    error: str
    attempts: int
    params: Mapping[str, Scalar]
    metrics: Mapping[str, float]

    def to_json(self) -> str:
        """One JSON line (no newline), keys in a fixed order."""
        doc: dict[str, Any] = {name: getattr(self, name) for name in FIXED}
        doc["params"] = dict(self.params)
        doc["metrics"] = {k: _num(v) for k, v in sorted(self.metrics.items())}
        return json.dumps(doc, allow_nan=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Row:
        """Parse one line written by :meth:`to_json` (raises ``ValueError``/``KeyError``)."""
        doc = json.loads(text)
        metrics = {str(k): math.nan if v is None else float(v) for k, v in doc["metrics"].items()}
        return cls(
            index=int(doc["index"]),
            key=str(doc["key"]),
            seed=int(doc["seed"]),
            status=str(doc["status"]),
            error=str(doc["error"]),
            attempts=int(doc["attempts"]),
            params=dict(doc["params"]),
            metrics=metrics,
        )


def read_rows(path: Path, *, repair: bool = False) -> list[Row]:
    """Rows of a JSON-lines table in file order; a torn last line is ignored.

    Args:
        path: The ``results.jsonl`` file (missing: no rows).
        repair: Truncate the file after its last complete row (before appending to it).

    Raises:
        DataError: A complete line in the middle of the file is not a row.
    """
    if not path.exists():
        return []
    data = path.read_bytes()
    rows: list[Row] = []
    good = 0
    for number, line in enumerate(data.split(b"\n")[:-1], start=1):
        try:
            rows.append(Row.from_json(line.decode()))
        except (ValueError, KeyError, TypeError) as exc:
            raise DataError(f"{path}:{number}: not a sweep row ({exc})") from None
        good += len(line) + 1
    if repair and good < len(data):
        with path.open("r+b") as handle:
            handle.truncate(good)
    return rows


class RowWriter:
    """Appends rows to a JSON-lines file, one ``os.write`` per row (see the module doc)."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def append(self, row: Row) -> None:
        """Write ``row`` as one line."""
        data = (row.to_json() + "\n").encode()
        while data:
            data = data[os.write(self._fd, data) :]

    def close(self) -> None:
        """Flush to disk and close."""
        os.fsync(self._fd)
        os.close(self._fd)

    def __enter__(self) -> RowWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _columns(rows: Sequence[Row]) -> tuple[list[str], list[str]]:
    params: dict[str, None] = {}
    metrics: set[str] = set()
    for row in rows:
        params.update(dict.fromkeys(row.params))
        metrics.update(row.metrics)
    return list(params), sorted(metrics)


def _csv(records: Iterable[Mapping[str, object]], header: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for record in records:
        writer.writerow([_cell(record.get(h, "")) for h in header])
    return buffer.getvalue()


def _flat(row: Row, params: Sequence[str]) -> dict[str, object]:
    record: dict[str, object] = {name: getattr(row, name) for name in FIXED}
    record.update(row.params)
    for name, value in row.metrics.items():
        record[f"metric_{name}" if name in params or name in FIXED else name] = value
    return record


def write_table(rows: Iterable[Row], out: Path) -> list[Row]:
    """Write ``results.jsonl``, ``results.csv`` and ``summary.csv`` in point order.

    Returns:
        The rows sorted by index.
    """
    ordered = sorted(rows, key=lambda r: r.index)
    params, metrics = _columns(ordered)
    write_atomic(out / "results.jsonl", "".join(r.to_json() + "\n" for r in ordered))
    header = [
        *FIXED,
        *params,
        *(f"metric_{m}" if m in params or m in FIXED else m for m in metrics),
    ]
    write_atomic(out / "results.csv", _csv((_flat(r, params) for r in ordered), header))
    summary = summarize(ordered)
    if summary:
        write_atomic(out / "summary.csv", _csv(summary, list(summary[0])))
    return ordered


def _weighted_mean(rows: Sequence[Row], metric: str) -> float:
    values = [r.metrics.get(metric, math.nan) for r in rows]
    weights = [r.metrics.get("samples", 1.0) if metric != "samples" else 1.0 for r in rows]
    total = sum(weights)
    return math.fsum(v * w for v, w in zip(values, weights, strict=True)) / total


def summarize(
    rows: Sequence[Row], over: Sequence[str] = ("repeat", "shard")
) -> list[dict[str, object]]:
    """Mean of every metric over the ``ok`` rows that differ only in the ``over`` parameters.

    Metrics are weighted by the row's ``samples`` metric when it has one (so shards of a data
    set combine into the accuracy over the whole set); ``samples`` itself is summed.
    """
    groups: dict[tuple[tuple[str, Scalar], ...], list[Row]] = {}
    for row in rows:
        if row.status == "ok":
            key = tuple((k, v) for k, v in row.params.items() if k not in over)
            groups.setdefault(key, []).append(row)
    out = []
    for key, members in groups.items():
        record: dict[str, object] = dict(key)
        record["points"] = len(members)
        for metric in sorted({m for r in members for m in r.metrics}):
            if metric == "samples":
                record[metric] = math.fsum(r.metrics.get(metric, 0.0) for r in members)
            else:
                record[metric] = _weighted_mean(members, metric)
        out.append(record)
    return out
