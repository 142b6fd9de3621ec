"""The Dataset container: validation, copies, read-only arrays."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from hwsnn.data import Dataset
from hwsnn.errors import DataError


def _parts(n_train: int = 6, n_test: int = 4) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    return {
        "x_train": rng.random((n_train, 1, 3, 2)).astype(np.float32),
        "y_train": np.arange(n_train) % 3,
        "x_test": rng.random((n_test, 1, 3, 2)).astype(np.float32),
        "y_test": np.arange(n_test) % 3,
        "name": "tiny",
        "classes": ("a", "b", "c"),
    }


def test_copies_and_freezes() -> None:
    parts = _parts()
    ds = Dataset(**parts)
    parts["x_train"][0] = 0.5
    assert not np.array_equal(ds.x_train[0], parts["x_train"][0])
    assert not ds.x_train.flags.writeable
    assert not ds.y_test.flags.writeable
    assert ds.y_train.dtype == np.int64
    assert ds.input_shape == (1, 3, 2)
    assert ds.n_classes == 3
    assert "tiny" in repr(ds) and "train=6" in repr(ds)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds.name = "other"  # type: ignore[misc]


def test_replace_revalidates() -> None:
    ds = Dataset(**_parts())
    with pytest.raises(DataError, match="outside"):
        dataclasses.replace(ds, classes=("a", "b"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"x_train": np.zeros((6, 3, 2), np.float32)}, r"x_train must be a floating array"),
        ({"x_test": np.zeros((4, 1, 3, 2), np.uint8)}, r"x_test must be a floating array"),
        ({"x_train": np.full((6, 1, 3, 2), 1.5, np.float32)}, r"in \[0, 1\]"),
        ({"x_train": np.full((6, 1, 3, 2), np.nan, np.float32)}, r"finite"),
        ({"y_train": np.zeros(6, np.float32)}, r"y_train must be a 1-D integer"),
        ({"y_test": np.array([0, 1, 2, 3])}, r"y_test holds labels in \[0, 3\], outside \[0, 3\)"),
        ({"y_train": np.zeros(5, np.int64)}, r"train: 6 images but 5 labels"),
        ({"x_test": np.zeros((4, 1, 2, 3), np.float32)}, r"differ in shape"),
        ({"classes": ()}, r"at least one class"),
    ],
)
def test_invalid(change: dict[str, Any], message: str) -> None:
    with pytest.raises(DataError, match=message):
        Dataset(**(_parts() | change))
