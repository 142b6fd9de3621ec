"""Explicit list of the simulators that backends provide (no directory scanning)."""

from __future__ import annotations

__all__ = ["register_all"]


def register_all() -> None:
    """Register every built-in backend simulator whose module is present."""
