"""load_idx_dataset on small IDX files written into tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from hwsnn.data import MNIST_CLASSES, load_dataset, load_idx_dataset
from hwsnn.errors import DataError

MakeIdxDataset = Callable[..., dict[str, np.ndarray]]
WriteIdx = Callable[[Path, np.ndarray], Path]


@pytest.mark.parametrize("gz", [True, False])
def test_loads_all_four_files(tmp_path: Path, make_idx_dataset: MakeIdxDataset, gz: bool) -> None:
    arrays = make_idx_dataset(tmp_path, gz=gz)
    ds = load_idx_dataset(tmp_path, name="tiny", classes=MNIST_CLASSES)
    assert ds.name == "tiny"
    assert ds.input_shape == (1, 6, 5)
    assert ds.x_train.shape == (50, 1, 6, 5) and ds.x_test.shape == (20, 1, 6, 5)
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    np.testing.assert_allclose(ds.x_train[:, 0] * 255, arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(ds.y_test, arrays["t10k-labels-idx1-ubyte"])


def test_dotted_names(tmp_path: Path, make_idx_dataset: MakeIdxDataset) -> None:
    make_idx_dataset(tmp_path, gz=False)
    for path in tmp_path.iterdir():
        path.rename(tmp_path / path.name.replace("-idx", ".idx"))
    assert load_idx_dataset(tmp_path, name="m", classes=MNIST_CLASSES).x_test.shape[0] == 20


def test_limits_are_balanced_and_deterministic(
    tmp_path: Path, make_idx_dataset: MakeIdxDataset
) -> None:
    arrays = make_idx_dataset(tmp_path, n_train=200, n_test=40)
    a = load_idx_dataset(tmp_path, name="t", classes=MNIST_CLASSES, limit_train=30, limit_test=10)
    b = load_idx_dataset(tmp_path, name="t", classes=MNIST_CLASSES, limit_train=30, limit_test=10)
    c = load_idx_dataset(
        tmp_path, name="t", classes=MNIST_CLASSES, limit_train=30, limit_test=10, seed=5
    )
    assert a.x_train.shape == (30, 1, 6, 5) and a.x_test.shape == (10, 1, 6, 5)
    np.testing.assert_array_equal(np.bincount(a.y_train, minlength=10), np.full(10, 3))
    np.testing.assert_array_equal(np.bincount(a.y_test, minlength=10), np.ones(10))
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert not np.array_equal(a.x_train, c.x_train)
    # Every kept sample is a real (image, label) pair of the file.
    images = arrays["train-images-idx3-ubyte"].reshape(200, -1)
    for x, y in zip(a.x_train, a.y_train, strict=True):
        row = np.flatnonzero((images == np.round(x.reshape(-1) * 255)).all(axis=1))
        assert row.size == 1 and arrays["train-labels-idx1-ubyte"][row[0]] == y


def test_limit_above_size_keeps_all(tmp_path: Path, make_idx_dataset: MakeIdxDataset) -> None:
    make_idx_dataset(tmp_path)
    ds = load_idx_dataset(tmp_path, name="t", classes=MNIST_CLASSES, limit_train=10_000)
    assert ds.x_train.shape[0] == 50


@pytest.mark.parametrize("limit", [0, -3, 2.5, True])
def test_bad_limit(tmp_path: Path, make_idx_dataset: MakeIdxDataset, limit: object) -> None:
    make_idx_dataset(tmp_path)
    with pytest.raises(DataError, match="limit_train must be a positive integer"):
        load_idx_dataset(tmp_path, name="t", classes=MNIST_CLASSES, limit_train=limit)  # type: ignore[arg-type]


def test_missing_root(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        load_idx_dataset(tmp_path / "absent", name="t", classes=MNIST_CLASSES)


def test_missing_file(tmp_path: Path, make_idx_dataset: MakeIdxDataset) -> None:
    make_idx_dataset(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match=r"missing labels file for test.*t10k-labels-idx1-ubyte"):
        load_idx_dataset(tmp_path, name="t", classes=MNIST_CLASSES)


def test_count_mismatch(
    tmp_path: Path, make_idx_dataset: MakeIdxDataset, write_idx: WriteIdx
) -> None:
    make_idx_dataset(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(49, dtype=np.uint8))
    with pytest.raises(DataError, match=r"train has 50 images .* but 49 labels"):
        load_idx_dataset(tmp_path, name="t", classes=MNIST_CLASSES)


def test_label_outside_classes(
    tmp_path: Path, make_idx_dataset: MakeIdxDataset, write_idx: WriteIdx
) -> None:
    make_idx_dataset(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.full(20, 10, dtype=np.uint8))
    with pytest.raises(DataError, match="label 10 but only 10 classes"):
        load_idx_dataset(tmp_path, name="t", classes=MNIST_CLASSES)


@pytest.mark.parametrize(
    ("stem", "array", "message"),
    [
        ("train-images-idx3-ubyte.gz", np.zeros((50, 30), np.uint8), "expected uint8 images"),
        ("train-images-idx3-ubyte.gz", np.zeros((50, 6, 5), np.float32), "expected uint8 images"),
        ("train-labels-idx1-ubyte.gz", np.zeros((50, 1), np.uint8), "expected uint8 labels"),
    ],
)
def test_wrong_file_layout(
    tmp_path: Path,
    make_idx_dataset: MakeIdxDataset,
    write_idx: WriteIdx,
    stem: str,
    array: np.ndarray,
    message: str,
) -> None:
    make_idx_dataset(tmp_path)
    write_idx(tmp_path / stem, array)
    with pytest.raises(DataError, match=message):
        load_idx_dataset(tmp_path, name="t", classes=MNIST_CLASSES)


def test_corrupt_file_is_named(tmp_path: Path, make_idx_dataset: MakeIdxDataset) -> None:
    make_idx_dataset(tmp_path)
    bad = tmp_path / "t10k-images-idx3-ubyte.gz"
    bad.write_bytes(bad.read_bytes()[:-20])
    with pytest.raises(DataError, match="corrupt gzip") as info:
        load_idx_dataset(tmp_path, name="t", classes=MNIST_CLASSES)
    assert str(bad) in str(info.value)


def test_mnist_through_load_dataset(tmp_path: Path, make_idx_dataset: MakeIdxDataset) -> None:
    make_idx_dataset(tmp_path)
    ds = load_dataset("mnist", root=tmp_path, limit_test=10)
    assert ds.name == "mnist"
    assert ds.classes == MNIST_CLASSES
    assert ds.x_train.shape[0] == 50 and ds.x_test.shape[0] == 10
