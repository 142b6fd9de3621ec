"""Weights -> binary device states on tiles (Linear/Affine, Conv2d by im2col) and resource counts.

A weight matrix ``W (out, in)`` becomes a crossbar matrix with one row per input and one column
(``offset`` scheme) or two columns (``differential`` scheme, ``[G+ | G-]``) per output. Binary
weights ``{-a, +a}`` suit both schemes; ternary ``{-a, 0, +a}`` needs the differential pair
(``0`` = both devices high-resistance). Other weights are refused unless ``binarize`` is set,
which uses ``a sign(w)`` with ``a = mean |w|`` (over the non-zero weights on differential
pairs, where zeros stay zero) and reports the relative weight error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.crossbar.cells import Cells, make_cells
from hwsnn.backends.crossbar.spec import CrossbarSpec, MappingScheme
from hwsnn.errors import TargetConstraintError

__all__ = ["ConvGeometry", "CrossbarLayer", "LayerResources", "binary_levels", "map_matrix"]

F64 = NDArray[np.float64]
ConvGeometry = tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int]]
"""Conv2d ``(kernel, stride, padding, dilation)`` pairs."""


@dataclass(frozen=True, kw_only=True)
class LayerResources:
    """Hardware used by one mapped layer."""

    row_tiles: int
    col_tiles: int
    tiles: int
    cells: int
    """Devices holding weights."""
    cells_available: int
    """Devices in the allocated tiles."""
    utilisation: float
    """cells / cells_available."""
    adcs: int


@dataclass(kw_only=True, eq=False)
class CrossbarLayer:
    """One synapse node on tiles.

    Attributes:
        name: IR node name.
        n_in, n_out: Matrix inputs (rows used) and outputs.
        alpha: Weight magnitude represented by one binary device (weight units).
        signs: Target signs ``(n_in, n_out)`` in {-1, 0, +1} (int8), rows = inputs.
        bias: Digital bias ``(n_out,)`` or None.
        cells: Devices, shape ``(row_tiles, rows, n_out or 2*n_out)``; padded rows are unused.
        weight_error_rel: ``||W - alpha*signs|| / ||W||`` (0 for binary/ternary weights).
        conv: ``None`` or the Conv2d geometry ``(kh, kw, stride, padding, dilation)``.
    """

    name: str
    spec: CrossbarSpec
    n_in: int
    n_out: int
    alpha: float
    signs: NDArray[np.int8]
    bias: F64 | None
    cells: Cells
    weight_error_rel: float
    conv: ConvGeometry | None = None

    @property
    def row_tiles(self) -> int:
        """Tiles stacked along the inputs."""
        return int(self.cells.state.shape[0])

    def target_state(self) -> NDArray[np.bool_]:
        """Low-resistance pattern that holds ``signs`` (same shape as ``cells.state``)."""
        return device_states(self.signs, self.spec, self.row_tiles)

    def resources(self) -> LayerResources:
        """Tiles, cells and utilisation of this layer."""
        arr = self.spec.array
        width = self.cells.state.shape[-1]
        col_tiles = math.ceil(width / arr.cols)
        tiles = self.row_tiles * col_tiles
        cells = self.n_in * width
        adcs = tiles * math.ceil(arr.cols / self.spec.adc.columns_per_adc)
        return LayerResources(
            row_tiles=self.row_tiles,
            col_tiles=col_tiles,
            tiles=tiles,
            cells=cells,
            cells_available=tiles * arr.rows * arr.cols,
            utilisation=cells / (tiles * arr.rows * arr.cols),
            adcs=adcs,
        )


def binary_levels(
    weight: F64, *, ternary_ok: bool, binarize: bool, where: str
) -> tuple[float, NDArray[np.int8], float]:
    """Split ``weight`` into ``alpha * signs``; returns ``(alpha, signs, relative error)``.

    Raises:
        TargetConstraintError: More magnitudes than the scheme holds and ``binarize`` is off.
    """
    mags = np.unique(np.round(np.abs(weight[weight != 0]), 12))
    zeros = bool(np.any(weight == 0))
    exact = mags.size <= 1 and (ternary_ok or not zeros)
    if mags.size > 1 and np.allclose(mags, mags[0], rtol=1e-9, atol=0):
        exact = ternary_ok or not zeros
    if not exact and not binarize:
        levels = mags.size + (1 if zeros else 0)
        raise TargetConstraintError("weight_levels", 3 if ternary_ok else 2, levels, where=where)
    if exact and mags.size:
        alpha = float(mags[0])
    else:  # least squares for fixed signs: mean |w| over the weights the cells hold (zeros
        # stay zero on differential pairs, become +alpha on the offset scheme)
        held = np.abs(weight[weight != 0]) if ternary_ok else np.abs(weight)
        alpha = float(np.mean(held)) if held.size else 1.0
    alpha = alpha or 1.0
    signs = np.sign(weight).astype(np.int8)
    if not ternary_ok:
        signs[signs == 0] = 1
    norm = float(np.linalg.norm(weight)) or 1.0
    return alpha, signs, float(np.linalg.norm(weight - alpha * signs)) / norm


def device_states(signs: NDArray[np.int8], spec: CrossbarSpec, row_tiles: int) -> NDArray[np.bool_]:
    """Low-resistance pattern ``(row_tiles, rows, cols)`` for signs ``(n_in, n_out)``."""
    n_in = signs.shape[0]
    if spec.array.mapping is MappingScheme.DIFFERENTIAL:
        state = np.concatenate([signs > 0, signs < 0], axis=1)
    else:
        state = signs > 0
    padded = np.zeros((row_tiles * spec.array.rows, state.shape[1]), dtype=bool)
    padded[:n_in] = state
    return padded.reshape(row_tiles, spec.array.rows, state.shape[1])


def map_matrix(
    name: str,
    weight: F64,
    bias: F64 | None,
    spec: CrossbarSpec,
    *,
    rng: np.random.Generator,
    ideal: bool,
    binarize: bool,
    conv: ConvGeometry | None = None,
) -> CrossbarLayer:
    """Map a weight matrix ``(out, in)`` onto tiles of ``spec.array`` and sample its devices."""
    diff = spec.array.mapping is MappingScheme.DIFFERENTIAL
    alpha, signs, err = binary_levels(weight, ternary_ok=diff, binarize=binarize, where=name)
    n_out, n_in = weight.shape
    row_tiles = math.ceil(n_in / spec.array.rows)
    state = device_states(np.ascontiguousarray(signs.T), spec, row_tiles)
    cells = make_cells(spec, state, rng, ideal=ideal)
    return CrossbarLayer(
        name=name,
        spec=spec,
        n_in=n_in,
        n_out=n_out,
        alpha=alpha,
        signs=np.ascontiguousarray(signs.T),
        bias=None if bias is None else np.array(bias),
        cells=cells,
        weight_error_rel=err,
        conv=conv,
    )
