"""Folders of the SPICE backend's data, found by :func:`hwsnn._data.data_path`."""

from __future__ import annotations

from pathlib import Path

from hwsnn._data import data_path

__all__ = ["circuits_dir", "mappings_dir"]


def circuits_dir() -> Path:
    """Folder holding the SPICE templates (``circuits/`` or ``hwsnn/_data/circuits``)."""
    return data_path("circuits")


def mappings_dir() -> Path:
    """Folder holding the TOML mappings (``mappings/`` or ``hwsnn/_data/mappings``)."""
    return data_path("mappings")
