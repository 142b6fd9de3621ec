"""Standard-normal read noise at the cost of a view: random windows of a fixed Gaussian table.

The read path needs one Gaussian per (tile, sample, column) and time step: about 10^5 per call
for a 512x512 layer at batch 64, which ``torch.randn`` or a ziggurat draw make as expensive as
the matrix product itself. A :class:`GaussianSource` instead returns a window of a constant
table of ``2^22`` standard-normal values (drawn once per process from a fixed seed, standardised
to mean 0 and variance 1) at an offset and sign drawn from the caller's ``rng``.

Statistics: the elements of one window are distinct table entries (independent normals); one
element's successive draws are independent (independent offsets and signs), and two different
elements of two calls coincide only when the offsets differ by their distance (probability
``2^-22`` per pair). Windows of different calls overlap at shifted positions, which correlates
nothing a crossbar read sees (one element's noise over time, or the noise of two columns in
one read).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import torch

__all__ = ["TABLE_SIZE", "GaussianSource"]

TABLE_SIZE = 1 << 22
"""Entries of the shared table (16 MiB of float32)."""
_TABLE_SEED = 0x9E3779B9
"""Seed of the table's fixed values (a constant of the table, not a noise stream)."""


def _table() -> NDArray[np.float32]:
    q = np.random.default_rng(_TABLE_SEED).standard_normal(TABLE_SIZE, dtype=np.float32)
    q -= q.mean(dtype=np.float64)
    q /= q.std(dtype=np.float64)
    return q


class GaussianSource:
    """Standard-normal windows of one shared table; offsets and signs from ``rng``."""

    _shared: ClassVar[torch.Tensor | None] = None

    def __init__(self, rng: np.random.Generator) -> None:
        import torch

        self._bits = np.random.SFC64(int(rng.integers(2**63)))
        if GaussianSource._shared is None:
            GaussianSource._shared = torch.from_numpy(_table())
        self._table: torch.Tensor = GaussianSource._shared
        self._buffer: torch.Tensor | None = None

    def draw(self, shape: tuple[int, ...]) -> tuple[torch.Tensor, float]:
        """Standard normals of ``shape`` as ``(values, sign)``: use ``sign * values``.

        The values are a read-only view of the table when they fit in a quarter of it, else a
        reused buffer filled window by window. ``sign`` is +1 or -1 (a free extra draw: the
        caller folds it into its scalar factor).
        """
        import torch

        size = math.prod(shape)
        chunk = TABLE_SIZE // 4
        span = TABLE_SIZE - min(size, chunk) + 1
        raw = int(self._bits.random_raw())
        sign = 1.0 if raw & 1 else -1.0
        if size <= chunk:
            o = (raw >> 1) % span  # bias < span / 2^63
            return self._table[o : o + size].view(shape), sign
        if self._buffer is None or self._buffer.numel() < size:
            self._buffer = torch.empty(size)
        flat = self._buffer[:size]
        for start in range(0, size, chunk):
            stop = min(size, start + chunk)
            o = (int(self._bits.random_raw()) >> 1) % span
            flat[start:stop] = self._table[o : o + stop - start]
        return flat.view(shape), sign
