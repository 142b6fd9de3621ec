"""The one serialisation path: graph <-> (JSON-able header, named arrays).

Every file format (native ``.hwir``, ONNX, NIR) stores exactly this header and these
arrays, so a graph round-trips through any of them to an equal graph.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import FormatError, IRValidationError
from hwsnn.ir._base import Node, Quantization
from hwsnn.ir.graph import Graph
from hwsnn.ir.registry import node_type

__all__ = ["FORMAT_VERSION", "Record", "graph_from_record", "graph_to_record"]

FORMAT_VERSION = 1
"""Version of the header layout; bumped on any incompatible change."""

Record = tuple[dict[str, Any], dict[str, NDArray[Any]]]


def _encode(value: Any, key: str, arrays: dict[str, NDArray[Any]]) -> Any:
    if isinstance(value, np.ndarray):
        arrays[key] = value
        return {"array": key}
    if isinstance(value, Quantization):
        return {
            "quantization": {
                f.name: _encode(getattr(value, f.name), key, arrays)
                for f in dataclasses.fields(value)
            }
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_encode(v, key, arrays) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise FormatError(f"cannot serialise field {key!r} of type {type(value).__name__}")


def _decode(raw: Any, arrays: Mapping[str, NDArray[Any]]) -> Any:
    if isinstance(raw, dict):
        if set(raw) == {"array"}:
            try:
                return arrays[raw["array"]]
            except KeyError:
                raise FormatError(f"array {raw['array']!r} is missing from the file") from None
        if set(raw) == {"quantization"}:
            return Quantization(**{k: _decode(v, arrays) for k, v in raw["quantization"].items()})
        raise FormatError(f"unexpected object in node fields: {sorted(raw)}")
    if isinstance(raw, list):
        return tuple(_decode(v, arrays) for v in raw)
    return raw


def node_to_record(name: str, node: Node, arrays: dict[str, NDArray[Any]]) -> dict[str, Any]:
    """Header entry of one node; its arrays are added to ``arrays`` as ``name.field``."""
    fields = {k: _encode(v, f"{name}.{k}", arrays) for k, v in node.fields().items()}
    return {"name": name, "type": type(node).__name__, "fields": fields}


def node_from_record(entry: Mapping[str, Any], arrays: Mapping[str, NDArray[Any]]) -> Node:
    """Rebuild (and validate) one node from its header entry."""
    cls = node_type(str(entry["type"]))
    fields = {k: _decode(v, arrays) for k, v in dict(entry["fields"]).items()}
    try:
        return cls(**fields)
    except TypeError as exc:
        raise FormatError(f"node {entry.get('name')!r} ({cls.__name__}): {exc}") from None


def graph_to_record(graph: Graph) -> Record:
    """Split ``graph`` into a JSON-able header and its named arrays."""
    arrays: dict[str, NDArray[Any]] = {}
    header = {
        "format_version": FORMAT_VERSION,
        "dt": graph.dt,
        "timesteps": graph.timesteps,
        "metadata": dict(graph.metadata),
        "nodes": [node_to_record(name, node, arrays) for name, node in graph.nodes.items()],
        "edges": [list(edge) for edge in graph.edges],
    }
    return header, arrays


def graph_from_record(header: Mapping[str, Any], arrays: Mapping[str, NDArray[Any]]) -> Graph:
    """Rebuild and validate a graph from :func:`graph_to_record` output.

    Raises:
        FormatError: The header is from a newer format or malformed.
        IRValidationError: The decoded graph is invalid.
    """
    version = header.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
        raise FormatError(
            f"unsupported hwsnn IR format_version {version!r} "
            f"(this hwsnn reads <= {FORMAT_VERSION})"
        )
    try:
        nodes = {str(e["name"]): node_from_record(e, arrays) for e in header["nodes"]}
        edges = tuple((str(a), str(b)) for a, b in header["edges"])
        return Graph(
            nodes=nodes,
            edges=edges,
            dt=header["dt"],
            timesteps=header["timesteps"],
            metadata={str(k): str(v) for k, v in dict(header.get("metadata", {})).items()},
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, IRValidationError):
            raise
        raise FormatError(f"malformed IR header: {type(exc).__name__}: {exc}") from None
