"""Shared CLI helpers: loading models, data and writing outputs."""

from __future__ import annotations

import argparse
from pathlib import Path

from hwsnn.formats import load
from hwsnn.ir import Graph

__all__ = ["add_load_options", "float_list", "int_list", "load_model"]


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


def float_list(text: str) -> list[float]:
    """``"1,3,5"`` -> ``[1.0, 3.0, 5.0]`` (an argparse ``type``)."""
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers like 1,3,5, got {text!r}") from None


def int_list(text: str) -> list[int]:
    """``"4,8,16"`` -> ``[4, 8, 16]`` (an argparse ``type``)."""
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected integers like 4,8,16, got {text!r}") from None
