"""``hwsnn export SRC --out DST...``: checkpoint -> IR, or convert between IR formats."""

from __future__ import annotations

import argparse
from pathlib import Path

from hwsnn.errors import FormatError
from hwsnn.formats import FORMATS, load, save
from hwsnn.ir import Graph


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``export``."""
    parser.add_argument(
        "source",
        type=Path,
        help="a training checkpoint (.pt, from 'hwsnn train' or 'hwsnn pipeline') or an IR file",
    )
    parser.add_argument(
        "--out",
        type=Path,
        nargs="+",
        required=True,
        help="output file(s); the suffix picks the format: " + ", ".join(sorted(FORMATS)),
    )
    parser.add_argument(
        "--dt", type=float, default=None, help="time step (s) for .nir input without one"
    )
    parser.add_argument(
        "--timesteps", type=int, default=None, help="time steps for .nir input without them"
    )


def _read_source(args: argparse.Namespace) -> Graph:
    source: Path = args.source
    suffix = source.suffix.lower()
    if suffix in FORMATS:
        options = {"dt": args.dt, "timesteps": args.timesteps} if suffix == ".nir" else {}
        return load(source, **options)
    if suffix in (".pt", ".pth"):
        from hwsnn.export.checkpoint import export_checkpoint

        return export_checkpoint(source)
    raise FormatError(
        f"{source}: unknown suffix {source.suffix!r}; "
        f"use .pt or one of {', '.join(sorted(FORMATS))}"
    )


def run(args: argparse.Namespace) -> int:
    """Export or convert, then print what was written."""
    graph = _read_source(args)
    for path in args.out:
        save(graph, path)
        print(f"wrote {path} ({FORMATS[path.suffix.lower()].description})")
    return 0
