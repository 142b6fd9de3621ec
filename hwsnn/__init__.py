"""hwsnn: take trained spiking neural networks to neuromorphic hardware, with measured numbers.

The top-level API is imported lazily so that ``import hwsnn`` stays cheap and silent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["__version__", "export_torch", "load", "save", "simulate"]

if TYPE_CHECKING:
    from hwsnn.export import export_torch
    from hwsnn.formats import load, save
    from hwsnn.sim import simulate

_LAZY = {
    "export_torch": "hwsnn.export",
    "load": "hwsnn.formats",
    "save": "hwsnn.formats",
    "simulate": "hwsnn.sim",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'hwsnn' has no attribute {name!r}")
