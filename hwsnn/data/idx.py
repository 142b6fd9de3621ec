"""Reader for IDX files, the format of MNIST and Fashion-MNIST.

An IDX file is a 4-byte magic number ``0x00 0x00 <dtype code> <ndim>``, then
``ndim`` big-endian unsigned 32-bit dimension sizes, then the payload in C order
(big-endian for multi-byte types). Files whose name ends in ``.gz`` are read
through gzip. Format: Y. LeCun, C. Cortes, C. J. C. Burges, "The MNIST database
of handwritten digits", http://yann.lecun.com/exdb/mnist/.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import DataError

__all__ = ["IDX_DTYPES", "IdxHeader", "read_idx", "read_idx_header"]

IDX_DTYPES: dict[int, np.dtype[Any]] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
"""IDX dtype code -> numpy dtype (big-endian, as stored in the file)."""

_MAX_NDIM = 16


@dataclass(frozen=True, kw_only=True)
class IdxHeader:
    """The header of an IDX file.

    Attributes:
        shape: Size of each dimension.
        dtype: Element type in native byte order.
        header_bytes: Length of the header in bytes (4 + 4 * ndim).
    """

    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    header_bytes: int

    @property
    def payload_bytes(self) -> int:
        """Number of payload bytes the header announces."""
        return int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize


def _read(path: Path, size: int = -1) -> bytes:
    """Read ``size`` bytes (all for -1) of ``path``, turning I/O failures into DataError."""
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as gz:
                return gz.read(size)
        with path.open("rb") as raw:
            return raw.read(size)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DataError(f"{path}: corrupt gzip data ({exc})") from exc
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc})") from exc


def _parse_header(data: bytes, path: Path) -> IdxHeader:
    """Decode and validate the magic number and dimensions at the start of ``data``."""
    if len(data) < 4:
        raise DataError(f"{path}: truncated IDX file ({len(data)} bytes, no 4-byte magic number)")
    if data[0] != 0 or data[1] != 0:
        raise DataError(f"{path}: bad IDX magic number 0x{data[:4].hex()} (must start with 0x0000)")
    code, ndim = data[2], data[3]
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise DataError(f"{path}: unknown IDX dtype code 0x{code:02X} (known: {known})")
    if not 1 <= ndim <= _MAX_NDIM:
        raise DataError(f"{path}: IDX ndim is {ndim}, must be in 1..{_MAX_NDIM}")
    header_bytes = 4 + 4 * ndim
    if len(data) < header_bytes:
        raise DataError(
            f"{path}: truncated IDX header ({len(data)} of {header_bytes} bytes for {ndim} dims)"
        )
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[code].newbyteorder("=")
    return IdxHeader(shape=shape, dtype=dtype, header_bytes=header_bytes)


def read_idx_header(path: str | Path) -> IdxHeader:
    """Read and validate only the header of an IDX file (raw or ``.gz``).

    The payload is neither read nor checked, so this is cheap even for large files.

    Args:
        path: The IDX file.

    Returns:
        The file's :class:`IdxHeader`.

    Raises:
        DataError: Missing file, corrupt gzip, bad magic number, unknown dtype code,
            bad ndim or truncated header; the message names the path.
    """
    path = Path(path)
    head = _read(path, 4)
    ndim = head[3] if len(head) == 4 else 0
    return _parse_header(_read(path, 4 + 4 * min(ndim, _MAX_NDIM)), path)


def read_idx(path: str | Path) -> NDArray[Any]:
    """Read an IDX file (raw or ``.gz``) into a read-only numpy array.

    Args:
        path: The IDX file, e.g. ``train-images-idx3-ubyte.gz``.

    Returns:
        Read-only array with the file's shape and dtype (native byte order),
        e.g. uint8 shaped (60000, 28, 28) for MNIST training images.

    Raises:
        DataError: Missing file, corrupt gzip, bad magic number, unknown dtype code,
            bad ndim, or a payload whose size is not the product of the dimensions
            times the element size (truncated file or trailing bytes); the message
            names the path.
    """
    path = Path(path)
    data = _read(path)
    header = _parse_header(data, path)
    payload = len(data) - header.header_bytes
    if payload != header.payload_bytes:
        short = payload < header.payload_bytes
        what = "truncated IDX file" if short else "trailing bytes in IDX file"
        raise DataError(
            f"{path}: {what}: header {header.shape} of {header.dtype} needs "
            f"{header.payload_bytes} payload bytes, found {payload}"
        )
    stored = IDX_DTYPES[data[2]]
    arr = np.frombuffer(data, dtype=stored, offset=header.header_bytes).reshape(header.shape)
    if stored.itemsize > 1:
        arr = arr.astype(header.dtype)
    arr.flags.writeable = False
    return arr
