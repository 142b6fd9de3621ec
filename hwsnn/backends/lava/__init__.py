"""Loihi 2 backend on Intel's Lava (lava-nc 0.10.0, CPU simulation with ``Loihi2SimCfg``).

Lava is imported lazily. Code that imports ``lava`` itself must first call :func:`import_lava`,
which makes lava-nc 0.10.0 importable on Python 3.11 (see ``_compat`` and the README).
"""

from hwsnn.backends.lava._compat import import_lava

__all__ = ["import_lava"]
