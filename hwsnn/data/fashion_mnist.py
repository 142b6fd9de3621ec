"""Data sets stored as the four standard IDX files: Fashion-MNIST and MNIST."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from hwsnn.data._split import check_limit, stratified_subset
from hwsnn.data.dataset import Dataset
from hwsnn.data.idx import read_idx
from hwsnn.errors import DataError

__all__ = [
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_DEBIAN_PACKAGE",
    "FASHION_MNIST_ROOT",
    "MNIST_CLASSES",
    "idx_file",
    "load_fashion_mnist",
    "load_idx_dataset",
]

FASHION_MNIST_ROOT = Path("/usr/share/datasets/fashion-mnist")
"""Where the Debian package ``dataset-fashion-mnist`` installs the files."""

FASHION_MNIST_DEBIAN_PACKAGE = "dataset-fashion-mnist"

FASHION_MNIST_CLASSES: tuple[str, ...] = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
"""Fashion-MNIST class names, indexed by label (H. Xiao et al., arXiv:1708.07747)."""

MNIST_CLASSES: tuple[str, ...] = tuple(str(d) for d in range(10))
"""MNIST class names, indexed by label."""

_PIXEL_MAX = 255.0
"""Largest value of the uint8 IDX pixels."""

_STEMS = {
    ("train", "images"): "train-images-idx3-ubyte",
    ("train", "labels"): "train-labels-idx1-ubyte",
    ("test", "images"): "t10k-images-idx3-ubyte",
    ("test", "labels"): "t10k-labels-idx1-ubyte",
}


def idx_file(root: Path, part: str, kind: str) -> Path:
    """Find the IDX file of ``part`` ("train"/"test") and ``kind`` ("images"/"labels").

    Accepts the standard name (``train-images-idx3-ubyte``), the variant with a dot
    (``train-images.idx3-ubyte``), each raw or with ``.gz``.

    Raises:
        DataError: If none of the names exists in ``root``; the message lists them.
    """
    stem = _STEMS[(part, kind)]
    dotted = stem.replace("-idx", ".idx")
    names = [stem, stem + ".gz", dotted, dotted + ".gz"]
    for name in names:
        if (root / name).is_file():
            return root / name
    raise DataError(f"{root}: missing {kind} file for {part}; expected one of {', '.join(names)}")


def _load_part(
    root: Path, part: str, n_classes: int, limit: int | None, rng: np.random.Generator
) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """Read, check and (optionally) subset the images and labels of one part."""
    images_path, labels_path = idx_file(root, part, "images"), idx_file(root, part, "labels")
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise DataError(
            f"{images_path}: expected uint8 images shaped (N, H, W); "
            f"got {images.dtype} {images.shape}"
        )
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise DataError(
            f"{labels_path}: expected uint8 labels shaped (N,); got {labels.dtype} {labels.shape}"
        )
    if images.shape[0] != labels.shape[0]:
        raise DataError(
            f"{root}: {part} has {images.shape[0]} images ({images_path.name}) but "
            f"{labels.shape[0]} labels ({labels_path.name})"
        )
    if labels.size and int(labels.max()) >= n_classes:
        raise DataError(f"{labels_path}: label {int(labels.max())} but only {n_classes} classes")
    if limit is not None and limit < labels.size:
        keep = stratified_subset(labels, limit, rng)
        images, labels = images[keep], labels[keep]
    x = images[:, None].astype(np.float32)
    x /= np.float32(_PIXEL_MAX)
    return x, labels.astype(np.int64)


def load_idx_dataset(
    root: str | Path,
    *,
    name: str,
    classes: tuple[str, ...],
    limit_train: int | None = None,
    limit_test: int | None = None,
    seed: int = 0,
) -> Dataset:
    """Load a data set stored as the four standard IDX files in one directory.

    Reads ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte`` (each raw or ``.gz``).
    Pixels (uint8) are divided by 255 into [0, 1]. The train/test split is the one
    the files define.

    Args:
        root: Directory holding the four files.
        name: Name of the returned data set.
        classes: Class names, indexed by label.
        limit_train: Keep at most this many training samples, chosen with classes
            balanced by a permutation seeded with ``seed``; None keeps all.
        limit_test: The same for the test samples.
        seed: Seed of the subset choice (used only with a limit).

    Returns:
        A :class:`Dataset` with images shaped (N, 1, H, W).

    Raises:
        DataError: Missing directory or file, a corrupt file (see :func:`read_idx`),
            image and label counts that differ, labels outside ``classes``, or a
            limit that is not a positive integer.
    """
    root = Path(root)
    check_limit(limit_train, "limit_train")
    check_limit(limit_test, "limit_test")
    if not root.is_dir():
        raise DataError(f"{name}: data directory {root} does not exist")
    rng = np.random.default_rng(seed)
    x_train, y_train = _load_part(root, "train", len(classes), limit_train, rng)
    x_test, y_test = _load_part(root, "test", len(classes), limit_test, rng)
    return Dataset(
        x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test,
        name=name, classes=classes,
    )  # fmt: skip


def load_fashion_mnist(
    root: str | Path = FASHION_MNIST_ROOT,
    *,
    limit_train: int | None = None,
    limit_test: int | None = None,
    seed: int = 0,
) -> Dataset:
    """Load Fashion-MNIST (60000 + 10000 images of 28x28, 10 classes) from IDX files.

    Source: H. Xiao, K. Rasul, R. Vollgraf, "Fashion-MNIST: a Novel Image Dataset
    for Benchmarking Machine Learning Algorithms", arXiv:1708.07747, 2017. The
    default ``root`` is where the Debian package ``dataset-fashion-mnist`` puts it.

    Args:
        root: Directory holding the four IDX files.
        limit_train: Keep at most this many training samples (classes balanced).
        limit_test: Keep at most this many test samples (classes balanced).
        seed: Seed of the subset choice (used only with a limit).

    Returns:
        A :class:`Dataset` named ``"fashion-mnist"`` with images shaped (N, 1, 28, 28).

    Raises:
        DataError: If ``root`` is missing (the message names the Debian package),
            or for any error of :func:`load_idx_dataset`.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataError(
            f"Fashion-MNIST directory {root} does not exist; install the Debian package "
            f"{FASHION_MNIST_DEBIAN_PACKAGE} (apt-get install {FASHION_MNIST_DEBIAN_PACKAGE}) "
            "or pass the directory holding the IDX files"
        )
    return load_idx_dataset(
        root, name="fashion-mnist", classes=FASHION_MNIST_CLASSES,
        limit_train=limit_train, limit_test=limit_test, seed=seed,
    )  # fmt: skip
