"""Shared CLI helpers: loading models, data and writing outputs."""

from __future__ import annotations

import argparse
from pathlib import Path

from hwsnn.formats import load
from hwsnn.ir import Graph

__all__ = ["add_load_options", "load_model"]


def add_load_options(parser: argparse.ArgumentParser, *, positional: str = "model") -> None:
    """Add a model path and the time-base options NIR files may need."""
    parser.add_argument(positional, type=Path, help="IR file: .hwir, .onnx or .nir")
    parser.add_argument(
        "--dt", type=float, default=None, help="time step in seconds (for .nir files without one)"
    )
    parser.add_argument(
        "--timesteps", type=int, default=None, help="number of time steps (for .nir files)"
    )


def load_model(args: argparse.Namespace, attribute: str = "model") -> Graph:
    """Load the IR file named by ``args.<attribute>`` (with --dt/--timesteps for NIR)."""
    path: Path = getattr(args, attribute)
    options = {}
    if path.suffix.lower() == ".nir":
        options = {"dt": args.dt, "timesteps": args.timesteps}
    return load(path, **options)
