"""Offline data sets: scikit-learn digits (embedded default), Fashion-MNIST and MNIST IDX files.

Nothing is downloaded. Every loader returns a read-only :class:`Dataset` with
images float32 in [0, 1] shaped (N, 1, H, W) and int64 labels; splits and subsets
are deterministic for a seed.
"""

from hwsnn.data.dataset import Dataset
from hwsnn.data.digits import DIGITS_CLASSES, load_digits
from hwsnn.data.fashion_mnist import (
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_DEBIAN_PACKAGE,
    FASHION_MNIST_ROOT,
    MNIST_CLASSES,
    load_fashion_mnist,
    load_idx_dataset,
)
from hwsnn.data.idx import IdxHeader, read_idx, read_idx_header
from hwsnn.data.registry import DATASETS, load_dataset

__all__ = [
    "DATASETS",
    "DIGITS_CLASSES",
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_DEBIAN_PACKAGE",
    "FASHION_MNIST_ROOT",
    "MNIST_CLASSES",
    "Dataset",
    "IdxHeader",
    "load_dataset",
    "load_digits",
    "load_fashion_mnist",
    "load_idx_dataset",
    "read_idx",
    "read_idx_header",
]
