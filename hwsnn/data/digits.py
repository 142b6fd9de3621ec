"""scikit-learn's 8x8 handwritten digits: hwsnn's embedded default data set."""

from __future__ import annotations

import numpy as np

from hwsnn.data._split import stratified_split
from hwsnn.data.dataset import Dataset
from hwsnn.errors import DataError

__all__ = ["DIGITS_CLASSES", "DIGITS_MAX_PIXEL", "load_digits"]

DIGITS_CLASSES: tuple[str, ...] = tuple(str(d) for d in range(10))
"""Class names of the digits data set, indexed by label."""

DIGITS_MAX_PIXEL = 16.0
"""Largest pixel value of the digits images (4-bit counts of 4x4 blocks)."""


def load_digits(*, seed: int = 0, test_fraction: float = 0.2) -> Dataset:
    """Load scikit-learn's 8x8 digits (1797 images, 10 classes) with a stratified split.

    The data ship inside scikit-learn, so nothing is downloaded. Pixels are divided
    by 16 into [0, 1]. Every class gives ``round(n_c * test_fraction)`` of its
    ``n_c`` images to the test part; the choice is made by
    ``numpy.random.default_rng(seed)`` only, so a seed gives the same split on
    every machine. Source: E. Alpaydin, C. Kaynak, "Optical Recognition of
    Handwritten Digits", UCI ML repository, 1998, doi:10.24432/C50P49.

    Args:
        seed: Seed of the split.
        test_fraction: Share of each class put in the test part, in (0, 1).

    Returns:
        A :class:`Dataset` named ``"digits"`` with images shaped (N, 1, 8, 8).

    Raises:
        DataError: If scikit-learn is not installed or ``test_fraction`` is not in (0, 1).
    """
    try:
        from sklearn.datasets import load_digits as sk_load_digits
    except ImportError as exc:
        raise DataError("the digits data set needs scikit-learn: pip install scikit-learn") from exc
    bunch = sk_load_digits()
    images = np.asarray(bunch.images, dtype=np.float32)[:, None] / np.float32(DIGITS_MAX_PIXEL)
    labels = np.asarray(bunch.target, dtype=np.int64)
    train_idx, test_idx = stratified_split(labels, test_fraction, np.random.default_rng(seed))
    return Dataset(
        x_train=images[train_idx],
        y_train=labels[train_idx],
        x_test=images[test_idx],
        y_test=labels[test_idx],
        name="digits",
        classes=DIGITS_CLASSES,
    )
