"""Fixtures for the data tests: writing small IDX files."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

_CODES = {
    np.dtype(np.uint8): 0x08,
    np.dtype(np.int8): 0x09,
    np.dtype(np.int16): 0x0B,
    np.dtype(np.int32): 0x0C,
    np.dtype(np.float32): 0x0D,
    np.dtype(np.float64): 0x0E,
}


def _idx_bytes(arr: np.ndarray) -> bytes:
    """Encode ``arr`` as an IDX file (magic, big-endian dims, big-endian payload)."""
    header = bytes([0, 0, _CODES[arr.dtype], arr.ndim])
    dims = np.asarray(arr.shape, dtype=">u4").tobytes()
    return header + dims + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


EncodeIdx = Callable[[np.ndarray], bytes]
WriteIdx = Callable[[Path, np.ndarray], Path]


@pytest.fixture
def encode_idx() -> EncodeIdx:
    """Encode an array as the bytes of an IDX file."""
    return _idx_bytes


@pytest.fixture
def write_idx() -> WriteIdx:
    """Write an array as an IDX file, gzipped when the name ends in .gz."""

    def write(path: Path, arr: np.ndarray) -> Path:
        data = _idx_bytes(arr)
        if path.suffix == ".gz":
            path.write_bytes(gzip.compress(data))
        else:
            path.write_bytes(data)
        return path

    return write


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator."""
    return np.random.default_rng(1234)


MakeIdxDataset = Callable[..., dict[str, np.ndarray]]


@pytest.fixture
def make_idx_dataset(write_idx: WriteIdx, rng: np.random.Generator) -> MakeIdxDataset:
    """Write the four standard IDX files of a tiny 10-class 6x5 data set into a directory.

    The returned callable takes ``(root, *, n_train=50, n_test=20, gz=True)`` and
    returns the arrays it wrote, keyed by file stem.
    """

    def make(root: Path, *, n_train: int = 50, n_test: int = 20, gz: bool = True):
        ext = ".gz" if gz else ""
        arrays = {
            "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 6, 5), dtype=np.uint8),
            "train-labels-idx1-ubyte": (np.arange(n_train) % 10).astype(np.uint8),
            "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 6, 5), dtype=np.uint8),
            "t10k-labels-idx1-ubyte": (np.arange(n_test) % 10).astype(np.uint8),
        }
        for name, arr in arrays.items():
            write_idx(root / (name + ext), arr)
        return arrays

    return make
