"""SHA-256 of the stored IR record, so that corrupted weights or headers are detected."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["DIGEST_KEY", "record_digest"]

DIGEST_KEY = "hwsnn.ir.sha256"
"""``metadata_props`` key of the digest."""


def record_digest(header_json: str, arrays: Mapping[str, NDArray[Any]], keys: list[str]) -> str:
    """Hex SHA-256 over the header text and the arrays ``keys`` (name, dtype, shape, bytes).

    The bytes are those of the little-endian C-ordered array, independent of how
    protobuf happened to encode the initializer.
    """
    digest = hashlib.sha256(header_json.encode())
    for key in sorted(keys):
        array = np.ascontiguousarray(arrays[key])
        array = array.astype(array.dtype.newbyteorder("<"), copy=False)
        digest.update(f"\0{key}\0{array.dtype.str}\0{array.shape}\0".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()
