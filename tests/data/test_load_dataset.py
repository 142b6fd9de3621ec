"""load_dataset: dispatch by name and its errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hwsnn.data import DATASETS, load_dataset, load_digits
from hwsnn.errors import DataError


def test_names() -> None:
    assert set(DATASETS) == {"digits", "fashion-mnist", "mnist"}


def test_digits_default_equals_load_digits() -> None:
    ds = load_dataset("digits")
    ref = load_digits(seed=0)
    np.testing.assert_array_equal(ds.x_test, ref.x_test)
    np.testing.assert_array_equal(ds.y_train, ref.y_train)


def test_digits_seed_and_limits() -> None:
    a = load_dataset("digits", seed=2, limit_train=100, limit_test=30)
    b = load_dataset("digits", seed=2, limit_train=100, limit_test=30)
    assert a.x_train.shape == (100, 1, 8, 8) and a.x_test.shape == (30, 1, 8, 8)
    np.testing.assert_array_equal(np.bincount(a.y_train, minlength=10), np.full(10, 10))
    np.testing.assert_array_equal(np.bincount(a.y_test, minlength=10), np.full(10, 3))
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)


def test_unknown_name_lists_choices() -> None:
    with pytest.raises(
        DataError, match=r"unknown data set 'cifar10'.*digits, fashion-mnist, mnist"
    ):
        load_dataset("cifar10")


def test_mnist_needs_root() -> None:
    with pytest.raises(DataError, match="mnist needs root"):
        load_dataset("mnist")


def test_mnist_missing_root(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        load_dataset("mnist", root=tmp_path / "absent")


def test_digits_takes_no_root(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="takes no root"):
        load_dataset("digits", root=tmp_path)


def test_fashion_missing_root_names_debian_package(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="dataset-fashion-mnist"):
        load_dataset("fashion-mnist", root=tmp_path / "absent")


@pytest.mark.parametrize("limit", [0, -1])
def test_bad_limit(limit: int) -> None:
    with pytest.raises(DataError, match="limit_test must be a positive integer"):
        load_dataset("digits", limit_test=limit)
