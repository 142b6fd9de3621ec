"""The ``hwsnn`` command line: one subcommand per pipeline stage.

``main(argv) -> int`` is testable in-process: 0 on success, 1 on an
:class:`~hwsnn.errors.HwsnnError` (one line, no traceback unless ``--debug``),
2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from hwsnn import __version__
from hwsnn.cli._commands import COMMANDS
from hwsnn.errors import HwsnnError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="hwsnn",
        description="Take trained spiking networks to neuromorphic hardware: export to the "
        "hwsnn IR "
        "(.hwir/.onnx/.nir), map to Loihi 2, MTJ/RRAM crossbars and VCO/PLL circuits, and report "
        "spikes, synaptic operations, energy, jitter and accuracy.",
    )
    parser.add_argument("--version", action="version", version=f"hwsnn {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add(sub)
    return parser


def _parse(argv: list[str]) -> argparse.Namespace:
    """Parse ``argv``; ``simulate jitter|quantization|spice-energy`` have parsers of their own."""
    from hwsnn.cli.simulate_cmd import (
        CIRCUIT_STUDIES,
        circuit_study_parser,
        crossbar_sweep_parser,
        wants_crossbar_sweep,
    )

    start = next((i for i, a in enumerate(argv) if not a.startswith("-")), len(argv))
    if (
        argv[start : start + 1] == ["simulate"]
        and argv[start + 1 : start + 2]
        and argv[start + 1] in CIRCUIT_STUDIES
    ):
        args = circuit_study_parser(argv[start + 1]).parse_args(argv[start + 2 :])
        args.debug = args.debug or "--debug" in argv[:start]
        return args
    if argv[start : start + 1] == ["simulate"] and wants_crossbar_sweep(argv[start + 1 :]):
        args = crossbar_sweep_parser().parse_args(argv[start + 1 :])
        args.debug = args.debug or "--debug" in argv[:start]
        return args
    if argv[start : start + 1] == ["map"]:
        from hwsnn.cli.map_cmd import find_target, target_parser

        target = find_target(argv[start + 1 :])
        if target is not None:
            args = target_parser(target).parse_args(argv[start + 1 :])
            args.debug = args.debug or "--debug" in argv[:start]
            return args
    return build_parser().parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parse(argv)
    except HwsnnError as exc:
        print(f"hwsnn: error: {exc}", file=sys.stderr)
        return 1
    try:
        return int(args.run(args))
    except HwsnnError as exc:
        if args.debug:
            raise
        print(f"hwsnn: error: {exc}".splitlines()[0], file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("hwsnn: interrupted", file=sys.stderr)
        return 130
