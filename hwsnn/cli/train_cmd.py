"""``hwsnn train METHOD --dataset D --out DIR``: train one of the papers' models."""

from __future__ import annotations

import argparse

from hwsnn.cli.train import add_train_arguments, run_train


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``train``."""
    add_train_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Train, export and write the measured results."""
    return run_train(args)
