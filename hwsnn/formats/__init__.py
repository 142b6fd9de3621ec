"""File formats on one registry, chosen by suffix: ``.hwir`` (native), ``.onnx``, ``.nir``.

All three store the same record of :func:`hwsnn.ir.graph_to_record`; ONNX and NIR add
what their ecosystems need (an executable ONNX step function; NIR primitives).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hwsnn.errors import FormatError
from hwsnn.ir import Graph

__all__ = ["FORMATS", "FileFormat", "load", "save"]


def _native_write(graph: Graph, path: Path) -> None:
    from hwsnn.formats.native import write_native

    write_native(graph, path)


def _native_read(path: Path, **options: Any) -> Graph:
    from hwsnn.formats.native import read_native

    return read_native(path)


def _onnx_write(graph: Graph, path: Path) -> None:
    from hwsnn.formats.onnx import write_onnx

    write_onnx(graph, path)


def _onnx_read(path: Path, **options: Any) -> Graph:
    from hwsnn.formats.onnx import read_onnx

    return read_onnx(path)


def _nir_write(graph: Graph, path: Path) -> None:
    from hwsnn.formats.nir_format import write_nir

    write_nir(graph, path)


def _nir_read(path: Path, **options: Any) -> Graph:
    from hwsnn.formats.nir_format import read_nir

    return read_nir(path, **options)


@dataclass(frozen=True)
class FileFormat:
    """A file format: its suffix, a writer and a reader."""

    suffix: str
    description: str
    write: Callable[[Graph, Path], None]
    read: Callable[..., Graph]


FORMATS: dict[str, FileFormat] = {
    f.suffix: f
    for f in (
        FileFormat(".hwir", "hwsnn native IR", _native_write, _native_read),
        FileFormat(".onnx", "ONNX, ai.hwsnn domain (one time step)", _onnx_write, _onnx_read),
        FileFormat(".nir", "NIR (neuromorphic intermediate representation)", _nir_write, _nir_read),
    )
}


def _format_of(path: Path) -> FileFormat:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise FormatError(
            f"{path}: unknown suffix {path.suffix!r}; use one of {', '.join(sorted(FORMATS))}"
        ) from None


def save(graph: Graph, path: str | Path) -> Path:
    """Write ``graph`` to ``path`` in the format its suffix names; returns the path."""
    path = Path(path)
    fmt = _format_of(path)
    if not path.parent.is_dir():
        raise FormatError(f"{path}: directory {path.parent} does not exist")
    fmt.write(graph, path)
    return path


def load(path: str | Path, **options: Any) -> Graph:
    """Read a graph from ``path`` (format by suffix).

    Args:
        path: A ``.hwir``, ``.onnx`` or ``.nir`` file.
        **options: Format options, e.g. ``dt=`` and ``timesteps=`` for NIR files
            that carry no time base.

    Raises:
        FormatError: Missing file, unknown suffix, or a corrupt file.
    """
    path = Path(path)
    fmt = _format_of(path)
    if not path.is_file():
        raise FormatError(f"{path}: no such file")
    return fmt.read(path, **options)
