"""The one error hierarchy of hwsnn.

Every error a user can cause (bad file, bad parameter, graph that does not fit a
target, simulator not installed) is an :class:`HwsnnError`; the CLI prints its
message on one line and exits with status 1.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "DataError",
    "FormatError",
    "HwsnnError",
    "IRValidationError",
    "SimulatorUnavailableError",
    "TargetConstraintError",
    "UnsupportedNodeError",
]


class HwsnnError(Exception):
    """Base class of every error hwsnn raises on purpose."""


class IRValidationError(HwsnnError, ValueError):
    """A node or graph of the IR is invalid (bad parameter, shape, edge)."""


class FormatError(HwsnnError):
    """A file cannot be read or written (missing, truncated, corrupt, wrong suffix or domain)."""


class DataError(HwsnnError):
    """A data set is missing, truncated or inconsistent."""


class UnsupportedNodeError(HwsnnError):
    """A backend, format or exporter met a node (or module) type it does not support.

    Args:
        kind: Name of the unsupported node or module type.
        where: The backend, format or exporter that refused it.
        supported: Names of the types it does support.
    """

    def __init__(self, kind: str, where: str, supported: Iterable[str]) -> None:
        self.kind = kind
        self.where = where
        self.supported = tuple(sorted(supported))
        super().__init__(f"{where} does not support {kind}; supported: {', '.join(self.supported)}")


class TargetConstraintError(HwsnnError):
    """A mapped graph exceeds a hardware limit of its target.

    Args:
        limit_name: Name of the limit, e.g. ``"neurons_per_core"``.
        limit: The limit's value from the target spec.
        actual: The value the graph would need.
        where: Optional location (layer or core) that breaks the limit.
    """

    def __init__(self, limit_name: str, limit: float, actual: float, where: str = "") -> None:
        self.limit_name = limit_name
        self.limit = limit
        self.actual = actual
        self.where = where
        at = f" at {where}" if where else ""
        super().__init__(f"{limit_name} exceeded{at}: needs {actual}, limit is {limit}")


class SimulatorUnavailableError(HwsnnError):
    """A simulator or toolchain (Lava, ngspice, model cards) is not installed.

    Args:
        what: The missing part.
        hint: How to install it.
    """

    def __init__(self, what: str, hint: str) -> None:
        self.what = what
        self.hint = hint
        super().__init__(f"{what} is not available: {hint}")
