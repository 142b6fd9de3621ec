"""Deterministic stratified splits and subsets (numpy ``Generator`` only)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import DataError

__all__ = ["check_limit", "stratified_split", "stratified_subset"]


def stratified_split(
    labels: NDArray[np.integer[Any]], test_fraction: float, rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Split sample indices into train and test parts with the same class proportions.

    Each class ``c`` with ``n_c`` samples gives ``round(n_c * test_fraction)`` samples
    to the test part, drawn at random by ``rng``; both parts are then shuffled.

    Args:
        labels: Integer class labels shaped (N,).
        test_fraction: Share of each class that goes to the test part, in (0, 1).
        rng: Source of randomness; the same state gives the same split.

    Returns:
        ``(train_idx, test_idx)``, int64 index arrays that together cover ``range(N)``
        exactly once.

    Raises:
        DataError: If ``test_fraction`` is not in (0, 1).
    """
    if not 0.0 < test_fraction < 1.0:
        raise DataError(f"test_fraction must be in (0, 1); got {test_fraction}")
    train: list[NDArray[np.int64]] = []
    test: list[NDArray[np.int64]] = []
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_test = round(idx.size * test_fraction)
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    train_idx = rng.permutation(np.concatenate(train)).astype(np.int64)
    test_idx = rng.permutation(np.concatenate(test)).astype(np.int64)
    return train_idx, test_idx


def stratified_subset(
    labels: NDArray[np.integer[Any]], n: int, rng: np.random.Generator
) -> NDArray[np.int64]:
    """Choose ``n`` sample indices with classes as balanced as the data allow.

    The samples are shuffled by ``rng`` and then taken round-robin over the classes
    (the first of every class, then the second of every class, ...), so every class
    gets ``n // n_classes`` or one more samples while it has samples left.

    Args:
        labels: Integer class labels shaped (N,).
        n: Number of samples to keep, ``1 <= n <= N``.
        rng: Source of randomness; the same state gives the same subset.

    Returns:
        int64 index array shaped (n,), in shuffled order.
    """
    perm = rng.permutation(labels.size)
    shuffled = labels[perm]
    rank = np.empty(labels.size, dtype=np.int64)
    for c in np.unique(shuffled):
        mask = shuffled == c
        rank[mask] = np.arange(int(mask.sum()))
    order = np.lexsort((np.arange(labels.size), rank))
    chosen = np.sort(order[:n])
    out: NDArray[np.int64] = perm[chosen].astype(np.int64)
    return out


def check_limit(limit: int | None, name: str) -> None:
    """Raise :class:`DataError` unless ``limit`` is None or a positive integer."""
    if limit is None:
        return
    if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
        raise DataError(f"{name} must be a positive integer or None; got {limit!r}")
