"""ONNX model -> graph, through the IR record stored in the model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from numpy.typing import NDArray

from hwsnn.errors import FormatError, HwsnnError
from hwsnn.formats.onnx import _names as nm
from hwsnn.formats.onnx._digest import DIGEST_KEY, record_digest
from hwsnn.formats.onnx.functions import FUNCTIONS
from hwsnn.ir import Graph, graph_from_record

if TYPE_CHECKING:
    from onnx import ModelProto

__all__ = ["load_model", "model_to_graph", "read_onnx"]


def load_model(path: Path) -> ModelProto:
    """Parse the ONNX file at ``path`` (no external data).

    Raises:
        FormatError: The file is missing, unreadable, truncated or not ONNX.
    """
    import onnx
    from google.protobuf.message import DecodeError  # type: ignore[import-untyped,unused-ignore]

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FormatError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return onnx.load_model_from_string(data)
    except (DecodeError, ValueError, RuntimeError) as exc:
        raise FormatError(f"{path}: not a valid ONNX file, truncated or corrupt ({exc})") from None


def _props(model: ModelProto, where: str) -> dict[str, str]:
    """Metadata of an hwsnn model; refuses models of other domains and newer versions."""
    domains = {op.domain: op.version for op in model.opset_import}
    if nm.DOMAIN not in domains:
        found = ", ".join(sorted(d or "ai.onnx" for d in domains)) or "none"
        raise FormatError(
            f"{where}: not an hwsnn ONNX model (no '{nm.DOMAIN}' opset import; domains: {found})"
        )
    if domains[nm.DOMAIN] > nm.DOMAIN_VERSION:
        raise FormatError(
            f"{where}: {nm.DOMAIN} opset {domains[nm.DOMAIN]} is newer than {nm.DOMAIN_VERSION}"
        )
    props = {p.key: p.value for p in model.metadata_props}
    for key in (nm.HEADER_KEY, DIGEST_KEY):
        if key not in props:
            raise FormatError(f"{where}: no '{key}' metadata; not written by hwsnn, or truncated")
    return props


def _header(text: str, where: str) -> dict[str, Any]:
    try:
        header = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"{where}: corrupt '{nm.HEADER_KEY}' metadata ({exc.msg})") from None
    if not isinstance(header, dict):
        raise FormatError(f"{where}: corrupt '{nm.HEADER_KEY}' metadata (not a JSON object)")
    return header


def _array_keys(raw: Any) -> list[str]:
    """Record keys referenced by ``{"array": key}`` entries anywhere in ``raw``."""
    if isinstance(raw, dict):
        if set(raw) == {"array"}:
            return [str(raw["array"])]
        return [k for v in raw.values() for k in _array_keys(v)]
    if isinstance(raw, list):
        return [k for v in raw for k in _array_keys(v)]
    return []


def _arrays(model: ModelProto, keys: list[str], where: str) -> dict[str, NDArray[Any]]:
    from onnx import numpy_helper

    stored = {init.name: init for init in model.graph.initializer}
    missing = sorted(set(keys) - set(stored))
    if missing:
        raise FormatError(f"{where}: truncated or corrupt: initializer(s) {missing[:3]} missing")
    return {key: numpy_helper.to_array(stored[key]) for key in keys}


def _check_functions(model: ModelProto, where: str) -> None:
    """Every ``ai.hwsnn`` op with a body in this hwsnn must have its function in the file."""
    used = {node.op_type for node in model.graph.node if node.domain == nm.DOMAIN}
    present = {f.name for f in model.functions if f.domain == nm.DOMAIN}
    missing = sorted((used & set(FUNCTIONS)) - present)
    if missing:
        raise FormatError(
            f"{where}: truncated or corrupt: function(s) {missing} of {nm.DOMAIN} are missing"
        )


def _record(model: ModelProto, where: str) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
    props = _props(model, where)
    header = _header(props[nm.HEADER_KEY], where)
    keys = _array_keys(header.get("nodes"))
    arrays = _arrays(model, keys, where)
    if record_digest(props[nm.HEADER_KEY], arrays, keys) != props[DIGEST_KEY]:
        raise FormatError(f"{where}: the stored IR is corrupt (SHA-256 mismatch)")
    _check_functions(model, where)
    return header, arrays


def model_to_graph(model: ModelProto, *, where: str = "ONNX model") -> Graph:
    """Rebuild the graph stored in an hwsnn ONNX model.

    Args:
        model: A model written by :func:`hwsnn.formats.onnx.graph_to_model`.
        where: Name used in error messages (e.g. the file path).

    Raises:
        FormatError: The model is from another domain, truncated or corrupt.
        IRValidationError: The stored graph is invalid.
    """
    try:
        header, arrays = _record(model, where)
    except (UnicodeDecodeError, TypeError, KeyError, ValueError, OSError) as exc:
        if isinstance(exc, HwsnnError):
            raise
        raise FormatError(f"{where}: corrupt ONNX model ({type(exc).__name__}: {exc})") from None
    try:
        return graph_from_record(header, arrays)
    except FormatError as exc:
        raise FormatError(f"{where}: {exc}") from None


def read_onnx(path: Path) -> Graph:
    """Read a graph from an ONNX file written by :func:`hwsnn.formats.onnx.write_onnx`.

    Raises:
        FormatError: The file is missing, truncated, corrupt or from another domain.
        IRValidationError: The stored graph is invalid.
    """
    return model_to_graph(load_model(path), where=str(path))
