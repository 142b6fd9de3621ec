"""load_digits: shape, range, determinism, stratification."""

from __future__ import annotations

import numpy as np
import pytest

from hwsnn.data import DIGITS_CLASSES, Dataset, load_digits
from hwsnn.errors import DataError


@pytest.fixture(scope="module")
def digits() -> Dataset:
    return load_digits()


def test_shapes_and_dtypes(digits: Dataset) -> None:
    assert digits.name == "digits"
    assert digits.classes == DIGITS_CLASSES == tuple("0123456789")
    assert digits.input_shape == (1, 8, 8)
    assert digits.x_train.shape[0] + digits.x_test.shape[0] == 1797
    assert digits.x_train.shape[1:] == digits.x_test.shape[1:] == (1, 8, 8)
    assert digits.x_train.dtype == digits.x_test.dtype == np.float32
    assert digits.y_train.dtype == digits.y_test.dtype == np.int64
    assert digits.y_train.shape == (digits.x_train.shape[0],)


def test_pixel_range_is_scaled_by_16(digits: Dataset) -> None:
    x = np.concatenate([digits.x_train, digits.x_test])
    assert x.min() == 0.0
    assert x.max() == 1.0
    # Pixels are 4-bit counts 0..16: every value times 16 is an integer.
    np.testing.assert_array_equal(x * 16, np.round(x * 16))


def test_matches_sklearn_data(digits: Dataset) -> None:
    from sklearn.datasets import load_digits as sk_load_digits

    bunch = sk_load_digits()
    ref = {
        (bytes(img.astype(np.uint8)), int(t))
        for img, t in zip(bunch.images, bunch.target, strict=True)
    }
    x = np.concatenate([digits.x_train, digits.x_test])[:, 0] * 16
    y = np.concatenate([digits.y_train, digits.y_test])
    got = {(bytes(img.astype(np.uint8)), int(t)) for img, t in zip(x, y, strict=True)}
    assert got == ref


def test_same_seed_same_split(digits: Dataset) -> None:
    again = load_digits(seed=0)
    np.testing.assert_array_equal(again.x_train, digits.x_train)
    np.testing.assert_array_equal(again.y_test, digits.y_test)


def test_other_seed_other_split(digits: Dataset) -> None:
    other = load_digits(seed=1)
    assert other.x_train.shape == digits.x_train.shape
    assert not np.array_equal(other.y_train, digits.y_train)


@pytest.mark.parametrize("fraction", [0.1, 0.2, 0.5])
def test_split_is_stratified(fraction: float) -> None:
    ds = load_digits(seed=3, test_fraction=fraction)
    total = np.bincount(np.concatenate([ds.y_train, ds.y_test]), minlength=10)
    test = np.bincount(ds.y_test, minlength=10)
    np.testing.assert_array_equal(test, np.round(total * fraction).astype(int))


def test_parts_are_shuffled(digits: Dataset) -> None:
    # Not grouped by class: many label changes between neighbours.
    assert np.count_nonzero(np.diff(digits.y_train)) > 0.8 * digits.y_train.size


def test_arrays_are_read_only(digits: Dataset) -> None:
    for arr in (digits.x_train, digits.y_train, digits.x_test, digits.y_test):
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = 0


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5])
def test_bad_test_fraction(fraction: float) -> None:
    with pytest.raises(DataError, match="test_fraction"):
        load_digits(test_fraction=fraction)
