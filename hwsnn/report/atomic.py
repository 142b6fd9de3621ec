"""Write a set of files so that a failed run leaves the previous set intact.

Every file is first written to a temporary file in the destination folder; only when all
of them are written are they moved into place with :func:`os.replace` (atomic on POSIX).
If a move fails part-way, the files already moved are put back from backups.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["FILE_MODE", "write_atomic", "write_files_atomic"]

FILE_MODE = 0o644
"""Permissions of written files (``mkstemp`` would leave them owner-only)."""


def _temp(folder: Path, name: str, data: bytes) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, FILE_MODE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _restore(moved: list[tuple[Path, Path | None]]) -> None:
    for path, backup in reversed(moved):
        if backup is not None:
            os.replace(backup, path)
        else:
            path.unlink(missing_ok=True)


def write_files_atomic(folder: Path, files: Mapping[str, bytes]) -> tuple[Path, ...]:
    """Write ``name -> bytes`` into ``folder`` all together or not at all.

    Returns:
        The written paths, in the order of ``files``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    temps: dict[str, Path] = {}
    try:
        for name, data in files.items():
            temps[name] = _temp(folder, name, data)
        moved: list[tuple[Path, Path | None]] = []
        try:
            for name, tmp in temps.items():
                path = folder / name
                backup = None
                if path.exists():
                    backup = _temp(folder, name + ".bak", b"")
                    os.replace(path, backup)
                moved.append((path, backup))
                os.replace(tmp, path)
        except BaseException:
            _restore(moved)
            raise
        for _, backup in moved:
            if backup is not None:
                backup.unlink(missing_ok=True)
    finally:
        for tmp in temps.values():
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    return tuple(folder / name for name in files)


def write_atomic(path: Path, data: bytes) -> Path:
    """Write one file atomically (temporary file in the same folder, then ``os.replace``)."""
    return write_files_atomic(path.parent, {path.name: data})[0]
