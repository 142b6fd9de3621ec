"""read_idx / read_idx_header: round trips and every error case."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from hwsnn.data import read_idx, read_idx_header
from hwsnn.errors import DataError

WriteIdx = Callable[[Path, np.ndarray], Path]
EncodeIdx = Callable[[np.ndarray], bytes]
Reader = Callable[[Path], object]

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_round_trip(tmp_path: Path, write_idx: WriteIdx, suffix: str, dtype: type) -> None:
    rng = np.random.default_rng(0)
    arr = (rng.standard_normal((4, 3, 2)) * 50).astype(dtype)
    path = write_idx(tmp_path / f"a-idx3-ubyte{suffix}", arr)
    out = read_idx(path)
    assert out.dtype == np.dtype(dtype)
    assert out.dtype.isnative
    np.testing.assert_array_equal(out, arr)
    assert not out.flags.writeable
    header = read_idx_header(path)
    assert header.shape == (4, 3, 2)
    assert header.dtype == np.dtype(dtype)
    assert header.header_bytes == 4 + 4 * 3


def test_one_dim_and_empty(tmp_path: Path, write_idx: WriteIdx) -> None:
    labels = np.arange(7, dtype=np.uint8)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "l", labels)), labels)
    empty = np.zeros((0, 28, 28), dtype=np.uint8)
    assert read_idx(write_idx(tmp_path / "e", empty)).shape == (0, 28, 28)


def test_header_only_does_not_read_payload(tmp_path: Path, encode_idx: EncodeIdx) -> None:
    # A header announcing a huge payload that is absent: the header reader is fine,
    # the full reader reports truncation.
    data = encode_idx(np.zeros((60000, 28, 28), dtype=np.uint8))[:16]
    path = tmp_path / "big.gz"
    path.write_bytes(gzip.compress(data))
    assert read_idx_header(path).shape == (60000, 28, 28)
    assert read_idx_header(path).payload_bytes == 60000 * 28 * 28
    with pytest.raises(DataError, match="truncated IDX file"):
        read_idx(path)


@pytest.mark.parametrize("reader", [read_idx, read_idx_header])
def test_missing_file(tmp_path: Path, reader: Reader) -> None:
    path = tmp_path / "nope-idx1-ubyte.gz"
    with pytest.raises(DataError, match="file not found") as info:
        reader(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_truncated_payload(tmp_path: Path, suffix: str, encode_idx: EncodeIdx) -> None:
    data = encode_idx(np.ones((5, 4, 4), dtype=np.uint8))[:-3]
    path = tmp_path / f"t{suffix}"
    path.write_bytes(gzip.compress(data) if suffix else data)
    with pytest.raises(DataError, match=r"truncated IDX file.*needs 80 payload bytes, found 77"):
        read_idx(path)


def test_trailing_bytes(tmp_path: Path, encode_idx: EncodeIdx) -> None:
    path = tmp_path / "t"
    path.write_bytes(encode_idx(np.ones(5, dtype=np.uint8)) + b"\x00")
    with pytest.raises(DataError, match="trailing bytes"):
        read_idx(path)


@pytest.mark.parametrize("data", [b"", b"\x00\x00", b"\x00\x00\x08\x03\x00\x00\x00\x05"])
@pytest.mark.parametrize("reader", [read_idx, read_idx_header])
def test_truncated_header(tmp_path: Path, data: bytes, reader: Reader) -> None:
    path = tmp_path / "h"
    path.write_bytes(data)
    with pytest.raises(DataError, match="truncated IDX") as info:
        reader(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("reader", [read_idx, read_idx_header])
def test_bad_magic(tmp_path: Path, reader: Reader) -> None:
    path = tmp_path / "m"
    path.write_bytes(b"\x1f\x8b\x08\x01" + bytes(8))  # e.g. a gzip file without .gz
    with pytest.raises(DataError, match="bad IDX magic number 0x1f8b0801"):
        reader(path)


@pytest.mark.parametrize("reader", [read_idx, read_idx_header])
def test_unknown_dtype_code(tmp_path: Path, reader: Reader) -> None:
    path = tmp_path / "d"
    path.write_bytes(b"\x00\x00\x0a\x01" + (3).to_bytes(4, "big") + b"abc")
    with pytest.raises(DataError, match="unknown IDX dtype code 0x0A"):
        reader(path)


def test_zero_ndim(tmp_path: Path) -> None:
    path = tmp_path / "z"
    path.write_bytes(b"\x00\x00\x08\x00")
    with pytest.raises(DataError, match="ndim is 0"):
        read_idx(path)


def test_corrupt_gzip_garbage(tmp_path: Path, encode_idx: EncodeIdx) -> None:
    path = tmp_path / "g.gz"
    path.write_bytes(encode_idx(np.ones(5, dtype=np.uint8)))  # raw data named .gz
    for reader in (read_idx, read_idx_header):
        with pytest.raises(DataError, match="corrupt gzip") as info:
            reader(path)
        assert str(path) in str(info.value)


def test_corrupt_gzip_truncated_stream(tmp_path: Path, encode_idx: EncodeIdx) -> None:
    rng = np.random.default_rng(3)
    data = gzip.compress(encode_idx(rng.integers(0, 256, (50, 28, 28), dtype=np.uint8)))
    path = tmp_path / "cut.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="corrupt gzip"):
        read_idx(path)


def test_corrupt_gzip_bad_crc(tmp_path: Path, encode_idx: EncodeIdx) -> None:
    data = bytearray(gzip.compress(encode_idx(np.arange(100, dtype=np.uint8))))
    data[-8] ^= 0xFF  # CRC32 of the trailer
    path = tmp_path / "crc.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match="corrupt gzip"):
        read_idx(path)


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        read_idx(tmp_path)
