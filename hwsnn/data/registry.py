"""Load a data set by name: the one entry point the CLI and the pipeline use."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from hwsnn.data._split import check_limit, stratified_subset
from hwsnn.data.dataset import Dataset
from hwsnn.data.digits import load_digits
from hwsnn.data.fashion_mnist import (
    FASHION_MNIST_ROOT,
    MNIST_CLASSES,
    load_fashion_mnist,
    load_idx_dataset,
)
from hwsnn.errors import DataError

__all__ = ["DATASETS", "load_dataset"]

_Loader = Callable[[Path | None, int, int | None, int | None], Dataset]


def _limited(ds: Dataset, limit_train: int | None, limit_test: int | None, seed: int) -> Dataset:
    """Return ``ds`` with each part cut to its limit by a class-balanced seeded subset."""
    rng = np.random.default_rng(seed)
    parts = {}
    for part, limit in (("train", limit_train), ("test", limit_test)):
        x, y = getattr(ds, f"x_{part}"), getattr(ds, f"y_{part}")
        if limit is not None and limit < y.size:
            keep = stratified_subset(y, limit, rng)
            x, y = x[keep], y[keep]
        parts[f"x_{part}"], parts[f"y_{part}"] = x, y
    return Dataset(**parts, name=ds.name, classes=ds.classes)


def _digits(root: Path | None, seed: int, lt: int | None, le: int | None) -> Dataset:
    if root is not None:
        raise DataError("digits is embedded in scikit-learn and takes no root directory")
    return _limited(load_digits(seed=seed), lt, le, seed)


def _fashion(root: Path | None, seed: int, lt: int | None, le: int | None) -> Dataset:
    return load_fashion_mnist(
        FASHION_MNIST_ROOT if root is None else root, limit_train=lt, limit_test=le, seed=seed
    )


def _mnist(root: Path | None, seed: int, lt: int | None, le: int | None) -> Dataset:
    if root is None:
        raise DataError(
            "mnist needs root: a directory holding train-images-idx3-ubyte[.gz], "
            "train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]"
        )
    return load_idx_dataset(
        root, name="mnist", classes=MNIST_CLASSES, limit_train=lt, limit_test=le, seed=seed
    )


DATASETS: dict[str, _Loader] = {
    "digits": _digits,
    "fashion-mnist": _fashion,
    "mnist": _mnist,
}
"""Built-in data sets by name."""


def load_dataset(
    name: str,
    *,
    root: str | Path | None = None,
    seed: int = 0,
    limit_train: int | None = None,
    limit_test: int | None = None,
) -> Dataset:
    """Load a built-in data set by name.

    Args:
        name: ``"digits"`` (embedded, no files needed), ``"fashion-mnist"`` (Debian
            package ``dataset-fashion-mnist`` or ``root``) or ``"mnist"`` (needs ``root``).
        root: Directory of the IDX files; None for the default (digits takes none).
        seed: Seed of the digits split and of the subset choice under a limit.
        limit_train: Keep at most this many training samples (classes balanced).
        limit_test: Keep at most this many test samples (classes balanced).

    Returns:
        The :class:`Dataset`.

    Raises:
        DataError: Unknown name (the message lists the choices), a missing root for
            mnist, a root for digits, a bad limit, or any error of the loader.
    """
    loader = DATASETS.get(name)
    if loader is None:
        raise DataError(f"unknown data set {name!r}; choose one of: {', '.join(DATASETS)}")
    check_limit(limit_train, "limit_train")
    check_limit(limit_test, "limit_test")
    return loader(None if root is None else Path(root), seed, limit_train, limit_test)
