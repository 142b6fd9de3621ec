"""The explicit list of subcommands (no plugin scanning); each module imports lazily."""

from __future__ import annotations

import argparse
import importlib
from dataclasses import dataclass
from typing import Any

__all__ = ["COMMANDS", "Command"]


@dataclass(frozen=True)
class Command:
    """A subcommand: ``hwsnn.cli.<module>`` with ``configure(parser)`` and ``run(args)``."""

    name: str
    module: str
    help: str

    def add(self, sub: Any) -> None:
        """Add this command's parser to the subparsers ``sub``."""
        parser: argparse.ArgumentParser = sub.add_parser(
            self.name, help=self.help, description=self.help
        )
        impl = importlib.import_module(f"hwsnn.cli.{self.module}")
        impl.configure(parser)
        parser.set_defaults(run=impl.run)


COMMANDS = (
    Command(
        "train", "train_cmd", "train a model of the papers (bntt, softlif, ttfs, hbstdp, safe)"
    ),
    Command(
        "export",
        "export_cmd",
        "export a training checkpoint to the IR, or convert between .hwir/.onnx/.nir",
    ),
    Command(
        "info",
        "info_cmd",
        "show layers, shapes, neuron parameters and parameter count of an IR file",
    ),
    Command(
        "simulate",
        "simulate_cmd",
        "simulate an IR file on a data set; circuit studies: jitter, quantization, spice-energy",
    ),
    Command(
        "pipeline",
        "pipeline_cmd",
        "the main job: train, export, check and report on the default data",
    ),
    Command("report", "report_cmd", "spikes, operations and energy of an IR file: md/json/html"),
    Command("sweep", "sweep_cmd", "parameter sweeps on local processes or a Dask cluster"),
)
