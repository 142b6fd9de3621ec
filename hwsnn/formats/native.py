r"""The native ``.hwir`` file: magic, JSON header, raw little-endian arrays; no pickle.

Layout::

    8 bytes   magic  b"\\x89HWIR\\r\\n\\x1a"
    8 bytes   header length n (uint64, little endian)
    n bytes   UTF-8 JSON: the IR header plus "arrays": {key: {dtype, shape, offset, nbytes}}
              and "payload_sha256"
    ...       array payload, concatenated in header order

The SHA-256 of the payload detects truncation and corruption.
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import FormatError
from hwsnn.ir import Graph, graph_from_record, graph_to_record

__all__ = ["MAGIC", "read_native", "write_native"]

MAGIC = b"\x89HWIR\r\n\x1a"
_LENGTH = struct.Struct("<Q")
_DTYPES = {"<f8", "<f4", "<i8", "<i4", "|u1", "|b1"}
_MAX_HEADER_BYTES = 64 << 20


def _array_table(arrays: dict[str, NDArray[Any]]) -> tuple[dict[str, Any], bytes]:
    table: dict[str, Any] = {}
    chunks: list[bytes] = []
    offset = 0
    for key, array in arrays.items():
        data = np.array(array, dtype=array.dtype.newbyteorder("<"), order="C")  # keeps 0-d shape
        raw = data.tobytes()
        table[key] = {
            "dtype": data.dtype.str,
            "shape": list(data.shape),
            "offset": offset,
            "nbytes": len(raw),
        }
        chunks.append(raw)
        offset += len(raw)
    return table, b"".join(chunks)


def write_native(graph: Graph, path: Path) -> None:
    """Write ``graph`` to ``path`` in the native format (atomically)."""
    header, arrays = graph_to_record(graph)
    table, payload = _array_table(arrays)
    header = {**header, "arrays": table, "payload_sha256": hashlib.sha256(payload).hexdigest()}
    blob = json.dumps(header, sort_keys=True, allow_nan=False).encode()
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(MAGIC + _LENGTH.pack(len(blob)) + blob + payload)
    tmp.replace(path)


def _read_header(data: bytes, path: Path) -> tuple[dict[str, Any], int]:
    if not data.startswith(MAGIC):
        raise FormatError(f"{path}: not an hwsnn .hwir file (bad magic)")
    start = len(MAGIC) + _LENGTH.size
    if len(data) < start:
        raise FormatError(f"{path}: truncated .hwir file")
    (length,) = _LENGTH.unpack_from(data, len(MAGIC))
    if length > _MAX_HEADER_BYTES or start + length > len(data):
        raise FormatError(f"{path}: truncated or corrupt .hwir header")
    try:
        header = json.loads(data[start : start + length])
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(
            f"{path}: corrupt .hwir header ({exc.msg if hasattr(exc, 'msg') else exc})"
        ) from None
    if not isinstance(header, dict):
        raise FormatError(f"{path}: corrupt .hwir header")
    return header, start + length


def _read_arrays(header: dict[str, Any], payload: bytes, path: Path) -> dict[str, NDArray[Any]]:
    if hashlib.sha256(payload).hexdigest() != header.get("payload_sha256"):
        raise FormatError(f"{path}: array payload is truncated or corrupt (checksum mismatch)")
    arrays: dict[str, NDArray[Any]] = {}
    try:
        for key, entry in dict(header["arrays"]).items():
            if entry["dtype"] not in _DTYPES:
                raise FormatError(f"{path}: array {key!r} has unsupported dtype {entry['dtype']!r}")
            start, nbytes = int(entry["offset"]), int(entry["nbytes"])
            array = np.frombuffer(payload[start : start + nbytes], dtype=np.dtype(entry["dtype"]))
            arrays[key] = array.reshape(tuple(int(d) for d in entry["shape"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise FormatError(f"{path}: corrupt array table ({exc})") from None
    return arrays


def read_native(path: Path) -> Graph:
    """Read a graph written by :func:`write_native`.

    Raises:
        FormatError: The file is missing, truncated, corrupt or from a newer format.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FormatError(f"{path}: cannot read ({exc.strerror})") from None
    header, start = _read_header(data, path)
    arrays = _read_arrays(header, data[start:], path)
    return graph_from_record(header, arrays)
