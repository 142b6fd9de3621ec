"""NIR adapter: ``.nir`` files (HDF5, via the ``nir`` package) on the one IR record path.

NIR (Pedersen et al., Nat. Commun. 15, 2024, doi:10.1038/s41467-024-52259-9) is the
field's exchange format. It is continuous-time like the IR, so parameters map one to one;
what NIR leaves open is stored explicitly:

* The graph metadata holds ``hwsnn.dt`` (s), ``hwsnn.timesteps`` and ``hwsnn.header``, the
  JSON header of :func:`hwsnn.ir.graph_to_record` (reset modes, quantisation, encoding,
  node order, ``Add`` nodes, provenance). Arrays live in the NIR nodes themselves, plus
  ``hwsnn.array.<field>`` node metadata for the few NIR has no slot for. A file written by
  hwsnn therefore reads back to an equal graph (:func:`hwsnn.ir.graphs_equal`).
* NIR sums fan-in implicitly and has no ``Add``: on export an ``Add`` disappears and its
  inputs feed its successors directly; on import of a foreign graph, a node with several
  inputs gets an ``Add`` node named ``<node>.sum`` in front of it.
* A foreign graph (no ``hwsnn.header``) gets NIR semantics: neurons reset to ``v_reset``
  (``ResetMode.ZERO``), no quantisation, direct input encoding. It needs the caller's
  ``dt`` (s) and ``timesteps``; node names the IR does not allow are rewritten
  (invalid characters become ``_``, a leading digit gets the prefix ``n_``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hwsnn.errors import FormatError, IRValidationError
from hwsnn.ir import Add, Conv2d, Graph, Input, Node, Output, graph_to_record

__all__ = ["from_nir", "read_nir", "to_nir", "write_nir"]

_DT, _STEPS, _HEADER = "hwsnn.dt", "hwsnn.timesteps", "hwsnn.header"
_READ_ERRORS = (
    OSError,
    KeyError,
    ValueError,
    TypeError,
    AssertionError,
    AttributeError,
    IndexError,
)


# ---------------------------------------------------------------- IR -> NIR


def _nir_edges(graph: Graph) -> list[tuple[str, str]]:
    """Edges with every ``Add`` removed: its inputs feed its successors (NIR sums fan-in)."""

    def sources(name: str) -> list[str]:
        if isinstance(graph.nodes[name], Add):
            return [s for p in graph.predecessors(name) for s in sources(p)]
        return [name]

    edges = [
        (s, dst)
        for src, dst in graph.edges
        if not isinstance(graph.nodes[dst], Add)
        for s in sources(src)
    ]
    if len(set(edges)) != len(edges):
        raise FormatError(
            "NIR export: a node reaches an Add twice; NIR cannot express the doubled input"
        )
    return edges


def _nir_types_agree(graph: Graph) -> bool:
    """False when nir 1.0.8's type inference would wrongly reject ``graph``.

    It takes the conv kernel width from ``weight.shape[2]`` (square kernels only) and the
    input channels from ``weight.shape[1]`` (ignoring ``groups``); such files are still
    valid NIR but need ``nir.read(..., type_check=False)``.
    """
    convs = [n for n in graph.nodes.values() if isinstance(n, Conv2d)]
    return all(c.weight.shape[2] == c.weight.shape[3] and c.groups == 1 for c in convs)


def to_nir(graph: Graph) -> Any:
    """Convert ``graph`` to a ``nir.NIRGraph`` (type-checked by ``nir``).

    Raises:
        UnsupportedNodeError: A node has no NIR primitive (names it and what is supported).
        FormatError: The ``nir`` package rejects the converted graph.
    """
    import nir

    from hwsnn.formats._nir_nodes import node_to_nir

    nodes: dict[str, Any] = {}
    for name in graph.order:
        node = graph.nodes[name]
        if isinstance(node, Add):
            continue
        inputs = graph.predecessors(name)
        in_shape = graph.shapes[inputs[0]] if inputs else graph.shapes[name]
        nodes[name] = node_to_nir(node, in_shape, graph.shapes[name])
    header, _ = graph_to_record(graph)
    metadata = {
        _DT: graph.dt,
        _STEPS: graph.timesteps,
        _HEADER: json.dumps(header, sort_keys=True, allow_nan=False),
    }
    try:
        result = nir.NIRGraph(
            nodes=nodes,
            edges=_nir_edges(graph),
            metadata=metadata,
            type_check=_nir_types_agree(graph),
        )
        result.validate_structure()
    except (ValueError, AssertionError) as exc:
        raise FormatError(f"NIR export: the nir package rejects the graph: {exc}") from None
    return result


def write_nir(graph: Graph, path: Path) -> None:
    """Write ``graph`` to the NIR file ``path`` (HDF5, gzip-compressed arrays).

    Raises:
        UnsupportedNodeError: A node has no NIR primitive.
        FormatError: The file cannot be written.
    """
    import nir

    converted = to_nir(graph)
    tmp = path.with_name(path.name + ".tmp")
    try:
        nir.write(str(tmp), converted)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise FormatError(f"{path}: cannot write NIR file ({exc})") from None


# ---------------------------------------------------------------- NIR -> IR


def _time_base(
    meta: Mapping[str, Any], dt: float | None, timesteps: int | None
) -> tuple[float, int]:
    """The caller's ``dt``/``timesteps``, else the file's; an error names the missing flag."""
    try:
        dt = float(meta[_DT]) if dt is None and _DT in meta else dt
        timesteps = int(meta[_STEPS]) if timesteps is None and _STEPS in meta else timesteps
    except (TypeError, ValueError) as exc:
        raise FormatError(f"NIR metadata: bad time base ({exc})") from None
    if dt is None:
        raise FormatError("the NIR graph has no time step: pass dt in seconds (CLI: --dt)")
    if timesteps is None:
        raise FormatError(
            "the NIR graph has no number of time steps: pass timesteps (CLI: --timesteps)"
        )
    return dt, timesteps


def _own_arrays(entry: Mapping[str, Any], nir_node: Any) -> dict[str, Any]:
    """Arrays of one hwsnn-written node: NIR parameters plus ``hwsnn.array.*`` metadata."""
    from hwsnn.formats._nir_nodes import FIELD_MAP, array_from_nir, nir_params
    from hwsnn.ir import node_type

    name, kind = str(entry["name"]), node_type(str(entry["type"]))
    if type(nir_node).__name__ != kind.__name__:
        raise FormatError(
            f"NIR node {name!r} is a {type(nir_node).__name__}, hwsnn header says {kind.__name__}"
        )
    meta, params = nir_node.metadata, nir_params(nir_node, kind)
    shapes = json.loads(meta["hwsnn.shapes"])
    arrays: dict[str, Any] = {}
    for field, raw in dict(entry["fields"]).items():
        if not (isinstance(raw, dict) and set(raw) == {"array"}):
            continue
        if field in FIELD_MAP[kind]:
            arrays[raw["array"]] = array_from_nir(
                params[field], tuple(shapes[field]), f"{name}.{field}"
            )
        else:
            arrays[raw["array"]] = meta[f"hwsnn.array.{field}"]
    return arrays


def _from_header(nir_graph: Any, header: dict[str, Any], dt: float, timesteps: int) -> Graph:
    from hwsnn.ir import graph_from_record

    entries = list(header["nodes"])
    expected = {str(e["name"]) for e in entries if e["type"] != "Add"}
    if expected != set(nir_graph.nodes):
        raise FormatError(
            f"NIR nodes {sorted(nir_graph.nodes)} do not match the hwsnn header {sorted(expected)}"
        )
    arrays: dict[str, Any] = {}
    for entry in entries:
        if entry["type"] != "Add":
            arrays.update(_own_arrays(entry, nir_graph.nodes[entry["name"]]))
    return graph_from_record({**header, "dt": dt, "timesteps": timesteps}, arrays)


_BAD_CHARS = re.compile(r"[^A-Za-z0-9_.\-]")


def _ir_names(names: list[str]) -> dict[str, str]:
    """NIR name -> a unique name the IR accepts (valid names are kept)."""
    valid = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,127}$")
    taken = {n for n in names if valid.match(n)}
    result: dict[str, str] = {}
    for name in names:
        if valid.match(name):
            result[name] = name
            continue
        new = _BAD_CHARS.sub("_", name)[:100]
        new = new if re.match(r"^[A-Za-z_]", new) else f"n_{new}"
        while new in taken:
            new += "_"
        taken.add(new)
        result[name] = new
    return result


def _sum_fan_in(
    nodes: dict[str, Node], edges: list[tuple[str, str]]
) -> tuple[dict[str, Node], list[tuple[str, str]]]:
    """Put an ``Add`` named ``<node>.sum`` in front of every node with several inputs."""
    counts: dict[str, int] = {}
    for _, dst in edges:
        counts[dst] = counts.get(dst, 0) + 1
    sums: dict[str, str] = {}
    for dst in (d for d, c in counts.items() if c > 1):
        name = f"{dst}.sum"
        while name in nodes or name in sums.values():
            name += "_"
        sums[dst] = name
    out: dict[str, Node] = {}
    for name, node in nodes.items():
        if name in sums:
            out[sums[name]] = Add()
        out[name] = node
    new_edges = [(src, sums.get(dst, dst)) for src, dst in edges] + [
        (s, d) for d, s in sums.items()
    ]
    return out, new_edges


def _from_foreign(nir_graph: Any, dt: float, timesteps: int) -> Graph:
    from hwsnn.formats._nir_nodes import node_from_nir

    names = _ir_names([str(n) for n in nir_graph.nodes])
    nodes: dict[str, Node] = {}
    for name, nir_node in nir_graph.nodes.items():
        try:
            nodes[names[name]] = node_from_nir(nir_node)
        except IRValidationError as exc:
            raise IRValidationError(f"NIR node {name!r}: {exc}") from None
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            raise FormatError(f"NIR node {name!r}: malformed ({_one_line(exc)})") from None
    for kind in (Input, Output):
        found = [n for n, node in nodes.items() if isinstance(node, kind)]
        if len(found) != 1:
            raise FormatError(
                f"hwsnn needs exactly one NIR {kind.__name__} node, the graph has {found}"
            )
    try:
        edges = [(names[str(a)], names[str(b)]) for a, b in nir_graph.edges]
    except KeyError as exc:
        raise FormatError(f"NIR edge refers to unknown node {exc}") from None
    nodes, edges = _sum_fan_in(nodes, edges)
    return Graph(
        nodes=nodes,
        edges=tuple(edges),
        dt=dt,
        timesteps=timesteps,
        metadata={"source_format": "nir"},
    )


def from_nir(nir_graph: Any, *, dt: float | None = None, timesteps: int | None = None) -> Graph:
    """Convert a ``nir.NIRGraph`` to an IR graph.

    Args:
        nir_graph: The NIR graph (one ``Input``, one ``Output``, no nested graphs).
        dt: Time step (s); overrides the file's ``hwsnn.dt``; required if it has none.
        timesteps: Steps per inference; overrides ``hwsnn.timesteps``; required if absent.

    Raises:
        UnsupportedNodeError: A NIR primitive hwsnn does not read (e.g. ``CubaLIF``).
        FormatError: Missing time base, or an inconsistent graph.
        IRValidationError: A parameter is invalid in the IR.
    """
    from hwsnn.formats._nir_nodes import check_importable

    if type(nir_graph).__name__ != "NIRGraph":
        raise FormatError(f"expected a nir.NIRGraph, got {type(nir_graph).__name__}")
    for node in nir_graph.nodes.values():
        check_importable(type(node).__name__)
    meta = nir_graph.metadata if isinstance(nir_graph.metadata, dict) else {}
    dt, timesteps = _time_base(meta, dt, timesteps)
    if _HEADER not in meta:
        return _from_foreign(nir_graph, dt, timesteps)
    try:
        return _from_header(nir_graph, json.loads(str(meta[_HEADER])), dt, timesteps)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, IRValidationError):
            raise
        raise FormatError(
            f"NIR file: malformed hwsnn metadata ({type(exc).__name__}: {exc})"
        ) from None


def _scan(path: Path) -> None:
    """Check ``path`` is a readable NIR file whose primitives hwsnn reads (before parsing)."""
    import h5py

    from hwsnn.formats._nir_nodes import check_importable

    try:
        with h5py.File(path, "r") as f:
            if "node" not in f or "nodes" not in f["node"]:
                raise FormatError(f"{path}: not a NIR file (no /node/nodes group)")
            kinds = [f["node"]["nodes"][n]["type"][()] for n in f["node"]["nodes"]]
    except _READ_ERRORS as exc:
        raise FormatError(f"{path}: not a readable NIR (HDF5) file: {_one_line(exc)}") from None
    for kind in kinds:
        check_importable(kind.decode() if isinstance(kind, bytes) else str(kind))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def read_nir(path: Path, *, dt: float | None = None, timesteps: int | None = None) -> Graph:
    """Read a NIR file into an IR graph (see :func:`from_nir` for ``dt`` and ``timesteps``).

    Raises:
        FormatError: Missing, truncated or corrupt file, not a NIR file, or no time base.
        UnsupportedNodeError: The file holds a NIR primitive hwsnn does not read.
    """
    import nir

    path = Path(path)
    if not path.is_file():
        raise FormatError(f"{path}: no such file")
    _scan(path)
    try:
        nir_graph = nir.read(str(path), type_check=False)
    except _READ_ERRORS as exc:
        raise FormatError(f"{path}: corrupt NIR file: {_one_line(exc)}") from None
    return from_nir(nir_graph, dt=dt, timesteps=timesteps)
