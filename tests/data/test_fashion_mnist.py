"""Fashion-MNIST from the Debian package dataset-fashion-mnist (real files)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hwsnn.data import (
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_ROOT,
    load_fashion_mnist,
    read_idx_header,
)
from hwsnn.errors import DataError

needs_files = pytest.mark.skipif(
    not FASHION_MNIST_ROOT.is_dir(),
    reason=f"{FASHION_MNIST_ROOT} absent (install the Debian package dataset-fashion-mnist)",
)


@needs_files
def test_full_sizes_from_headers() -> None:
    train = read_idx_header(FASHION_MNIST_ROOT / "train-images-idx3-ubyte.gz")
    assert train.shape == (60000, 28, 28)
    assert train.dtype == np.uint8
    assert read_idx_header(FASHION_MNIST_ROOT / "train-labels-idx1-ubyte.gz").shape == (60000,)
    assert read_idx_header(FASHION_MNIST_ROOT / "t10k-images-idx3-ubyte.gz").shape == (
        10000,
        28,
        28,
    )
    assert read_idx_header(FASHION_MNIST_ROOT / "t10k-labels-idx1-ubyte.gz").shape == (10000,)


@needs_files
def test_loads_with_limits() -> None:
    ds = load_fashion_mnist(limit_train=500, limit_test=100)
    assert ds.name == "fashion-mnist"
    assert ds.classes == FASHION_MNIST_CLASSES and len(ds.classes) == 10
    assert ds.input_shape == (1, 28, 28)
    assert ds.x_train.shape == (500, 1, 28, 28) and ds.x_test.shape == (100, 1, 28, 28)
    assert ds.x_train.dtype == np.float32 and ds.y_test.dtype == np.int64
    assert ds.x_train.min() >= 0.0 and ds.x_train.max() <= 1.0
    # Real images, not blank: a clear spread of intensities and every class present.
    assert 0.1 < float(ds.x_train.mean()) < 0.6
    np.testing.assert_array_equal(np.bincount(ds.y_train, minlength=10), np.full(10, 50))
    np.testing.assert_array_equal(np.bincount(ds.y_test, minlength=10), np.full(10, 10))
    again = load_fashion_mnist(limit_train=500, limit_test=100)
    np.testing.assert_array_equal(again.x_test, ds.x_test)


def test_missing_root_names_debian_package(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"install the Debian package dataset-fashion-mnist"):
        load_fashion_mnist(tmp_path / "nowhere")
