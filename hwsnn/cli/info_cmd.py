"""``hwsnn info MODEL``: layers, shapes, neuron parameters and parameter count."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from hwsnn.cli._io import add_load_options, load_model
from hwsnn.ir import summarize


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``info``."""
    add_load_options(parser)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def run(args: argparse.Namespace) -> int:
    """Print the summary of one IR file."""
    graph = load_model(args)
    rows = summarize(graph)
    total = sum(r.parameters for r in rows)
    if args.json:
        doc = {
            "dt_s": graph.dt,
            "timesteps": graph.timesteps,
            "encoding": graph.encoding,
            "parameters": total,
            "metadata": dict(graph.metadata),
            "nodes": [asdict(r) for r in rows],
        }
        print(json.dumps(doc, indent=2))
        return 0
    print(
        f"{args.model}: dt = {graph.dt:g} s, timesteps = {graph.timesteps}, "
        f"encoding = {graph.encoding}"
    )
    width = max(len(r.name) for r in rows)
    for r in rows:
        shape = "x".join(map(str, r.shape))
        print(f"  {r.name:<{width}}  {r.kind:<14} {shape:<12} {r.parameters:>9}  {r.details}")
    print(f"  parameters: {total}")
    return 0
