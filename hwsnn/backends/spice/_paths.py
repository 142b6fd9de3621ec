"""Locate the data folders (``circuits/``, ``mappings/``) in a wheel or a checkout."""

from __future__ import annotations

from pathlib import Path

from hwsnn.errors import DataError

__all__ = ["circuits_dir", "mappings_dir"]

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def _data_dir(name: str) -> Path:
    for candidate in (_PACKAGE_ROOT / "_data" / name, _PACKAGE_ROOT.parent / name):
        if candidate.is_dir():
            return candidate
    raise DataError(f"hwsnn data folder {name!r} not found next to {_PACKAGE_ROOT}")


def circuits_dir() -> Path:
    """Folder holding the SPICE templates (``circuits/`` or ``hwsnn/_data/circuits``)."""
    return _data_dir("circuits")


def mappings_dir() -> Path:
    """Folder holding the TOML mappings (``mappings/`` or ``hwsnn/_data/mappings``)."""
    return _data_dir("mappings")
