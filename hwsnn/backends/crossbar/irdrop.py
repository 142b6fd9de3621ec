"""IR drop on the row and column wires of a 1T1R crossbar tile: fast surrogate and exact solve.

Geometry: row ``i`` is driven at ``V x_i`` from the left end; each cell segment of a row or
column wire has resistance ``r``; columns are held at virtual ground below the last row; the
access transistor of a row is on only while the row is active (1T1R, no sneak paths).

Surrogate (first order in ``r G``; crossbar.md §6, "spike-aware surrogate"):

* Row term, input independent: node ``(i, j)`` sits ``r V sum_j' G_ij' (min(j, j') + 1)`` below
  the driver, so each cell is replaced by ``G_eff = G / (1 + rho)`` once per programming
  (first order ``G (1 - rho)``, kept positive for large ``rho``).
* Column term, scales with the active rows: with ``g_j`` the mean active conductance of
  column ``j``, ``dI_j = V r g_j^2 S`` and ``S = sum_k x_k (N - k)(2 c_k - x_k)``,
  ``c_k = sum_{i<=k} x_i`` (one cumulative sum per input vector).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["column_pair_sum", "exact_column_currents", "row_drop_factor"]

F64 = NDArray[np.float64]


def row_drop_factor(g_s: F64, wire_ohm: float, cols_per_tile: int) -> F64:
    """Relative voltage lost on the row wire at every cell, ``rho`` (same shape as ``g_s``).

    Args:
        g_s: Cell conductances (S), shape ``(..., rows, cols)``; the last axis is split into
            column tiles of ``cols_per_tile`` cells, each driven from its own left edge.
        wire_ohm: Wire resistance per cell segment (ohm).
        cols_per_tile: Cells per row within one tile.
    """
    rho = np.empty_like(g_s)
    for start in range(0, g_s.shape[-1], cols_per_tile):
        g = g_s[..., start : start + cols_per_tile]
        m = g.shape[-1]
        idx = np.arange(m)
        weight = np.minimum(idx[:, None], idx[None, :]) + 1.0  # (j, j')
        rho[..., start : start + m] = wire_ohm * g @ weight.T
    return rho


def column_pair_sum(x: F64) -> F64:
    """``S = sum_{i,i'} x_i x_i' (N - max(i, i'))`` over the rows (last axis).

    Computed as ``sum_t c_t^2`` with ``c_t = sum_{i<=t} x_i`` the cumulative sum: a pair of
    rows is counted once for every ``t`` at or below its lower row (``N - max(i, i')`` times).
    """
    c = np.cumsum(x, axis=-1)
    s: F64 = np.sum(c * c, axis=-1)
    return s


def _nodal_matrix(
    g_cell: F64, wire_ohm: float
) -> tuple[object, NDArray[np.int64], NDArray[np.int64]]:
    """Sparse conductance matrix of the tile's row and column nodes and their node ids.

    Row node ``(i, j)`` links to its right neighbour by a wire segment and to column node
    ``(i, j)`` through the cell; column nodes link downwards; each row has a driver segment at
    its left end and each column one segment to virtual ground below the last row.
    """
    import scipy.sparse as sp

    rows, cols = g_cell.shape
    gw = 1.0 / wire_ohm
    nr = rows * cols
    r_id = np.arange(nr).reshape(rows, cols)
    c_id = r_id + nr
    diag = np.zeros(2 * nr)
    ii: list[NDArray[np.int64]] = []
    jj: list[NDArray[np.int64]] = []
    vv: list[F64] = []

    def link(a: NDArray[np.int64], b: NDArray[np.int64], g: F64) -> None:
        np.add.at(diag, a, g)
        np.add.at(diag, b, g)
        ii.extend([a, b])
        jj.extend([b, a])
        vv.extend([-g, -g])

    link(r_id[:, :-1].ravel(), r_id[:, 1:].ravel(), np.full(rows * (cols - 1), gw))
    link(c_id[:-1, :].ravel(), c_id[1:, :].ravel(), np.full((rows - 1) * cols, gw))
    link(r_id.ravel(), c_id.ravel(), g_cell.ravel())
    diag[r_id[:, 0]] += gw  # driver at the left end of each row
    diag[c_id[-1, :]] += gw  # virtual ground below the last row
    ii.append(np.arange(2 * nr))
    jj.append(np.arange(2 * nr))
    vv.append(diag)
    a = sp.csc_matrix(
        (np.concatenate(vv), (np.concatenate(ii), np.concatenate(jj))), shape=(2 * nr,) * 2
    )
    return a, r_id, c_id


def exact_column_currents(g_s: F64, x: F64, voltage_v: float, wire_ohm: float) -> F64:
    """Column currents (A) of one tile from a nodal solve of the full resistive network.

    Args:
        g_s: Cell conductances (S), shape ``(rows, cols)``.
        x: Row drive of one input vector, shape ``(rows,)`` (row ``i`` at ``V x_i``; rows with
            ``x_i = 0`` have their access transistors off).
        voltage_v: Read voltage (V).
        wire_ohm: Wire resistance per segment (ohm), > 0.

    Returns:
        Current into virtual ground of each column (A), shape ``(cols,)``.
    """
    from scipy.sparse.linalg import spsolve

    on = np.asarray(x) != 0
    a, r_id, c_id = _nodal_matrix(np.where(on[:, None], g_s, 0.0), wire_ohm)
    gw = 1.0 / wire_ohm
    rhs = np.zeros(2 * r_id.size)
    rhs[r_id[:, 0]] = gw * voltage_v * np.asarray(x, dtype=np.float64)
    v = spsolve(a, rhs)
    out: F64 = np.asarray(gw * v[c_id[-1, :]], dtype=np.float64)
    return out
