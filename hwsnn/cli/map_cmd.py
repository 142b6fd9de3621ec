"""``hwsnn map MODEL --target T --out DIR``: lower an IR file onto a hardware target.

Each target family has its own options (``hwsnn map --target loihi2 --help``).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

__all__ = ["TARGETS", "configure", "run", "target_parser"]

TARGETS = {
    "loihi2": "hwsnn.cli.loihi",
    "loihi1": "hwsnn.cli.loihi",
    "crossbar-mtj": "hwsnn.cli.crossbar",
    "crossbar-rram": "hwsnn.cli.crossbar",
}
"""Target name -> CLI module with ``add_map_arguments(parser)`` and ``run_map(args)``."""


def configure(parser: argparse.ArgumentParser) -> None:
    """Generic arguments; the target's own parser takes over once ``--target`` is known."""
    parser.epilog = "target options: hwsnn map MODEL --target T --help"
    parser.add_argument("model", help="IR file: .hwir, .onnx or .nir")
    parser.add_argument("--target", required=True, choices=sorted(TARGETS), help="hardware target")
    parser.add_argument("--out", required=True, help="output directory")


def target_parser(target: str) -> argparse.ArgumentParser:
    """The full parser of ``hwsnn map --target <target>``."""
    module = importlib.import_module(TARGETS[target])
    parser = argparse.ArgumentParser(prog=f"hwsnn map --target {target}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    module.add_map_arguments(parser)
    if not any(a.dest == "model" for a in parser._actions):
        from hwsnn.cli._io import add_load_options

        add_load_options(parser)
    if not any("--target" in a.option_strings for a in parser._actions):
        parser.add_argument("--target", required=True, choices=sorted(TARGETS))
    parser.set_defaults(run=module.run_map)
    return parser


def find_target(argv: Sequence[str]) -> str | None:
    """The value of ``--target`` in ``argv`` if it names a known target."""
    for i, arg in enumerate(argv):
        value = argv[i + 1] if arg == "--target" and i + 1 < len(argv) else None
        if arg.startswith("--target="):
            value = arg.split("=", 1)[1]
        if value in TARGETS:
            return value
    return None


def run(args: argparse.Namespace) -> int:
    """Only reached when the target's parser did not take over (an unknown target)."""
    return int(target_parser(args.target).parse_args([args.model, "--out", args.out]).run(args))
