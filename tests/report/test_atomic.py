"""A failed run leaves the previous report intact and no temporary files behind."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from hwsnn.report import Report, write_report
from hwsnn.report import atomic as atomic_mod
from hwsnn.report import write as write_mod


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_failure_while_rendering_keeps_old_report(
    tmp_path: Path, report: Report, monkeypatch
) -> None:
    write_report(report, tmp_path)
    before = _snapshot(tmp_path)
    assert {"report.md", "report.json", "report.html", "spikes_per_layer.png"} <= set(before)

    def broken(*args: object) -> str:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(write_mod, "render_html", broken)
    newer = replace(report, title="a newer report")  # would change report.md if it were written
    with pytest.raises(RuntimeError, match="renderer crashed"):
        write_report(newer, tmp_path)
    assert _snapshot(tmp_path) == before


def test_failure_while_replacing_restores_every_file(tmp_path: Path, monkeypatch) -> None:
    atomic_mod.write_files_atomic(
        tmp_path, {"a.txt": b"old a", "b.txt": b"old b", "c.txt": b"old c"}
    )
    real_replace = os.replace
    calls = {"n": 0}

    def flaky(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls["n"] += 1
        if Path(dst).name == "c.txt" and ".tmp" in Path(src).name and "bak" not in Path(src).name:
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(atomic_mod.os, "replace", flaky)
    with pytest.raises(OSError, match="disk full"):
        atomic_mod.write_files_atomic(
            tmp_path, {"a.txt": b"new a", "b.txt": b"new b", "c.txt": b"new c"}
        )
    assert calls["n"] > 3  # a and b were already replaced before c failed
    assert _snapshot(tmp_path) == {"a.txt": b"old a", "b.txt": b"old b", "c.txt": b"old c"}


def test_written_files_are_world_readable(tmp_path: Path) -> None:
    (path,) = atomic_mod.write_files_atomic(tmp_path, {"x.json": b"{}"})
    assert path.read_bytes() == b"{}"
    assert path.stat().st_mode & 0o777 == atomic_mod.FILE_MODE
