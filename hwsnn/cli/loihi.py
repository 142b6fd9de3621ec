"""``hwsnn map MODEL --target loihi2 --out DIR`` and the Loihi stage of ``hwsnn pipeline``."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from hwsnn.backends.lava.stage import LoihiStageResult, loihi_stage
from hwsnn.cli._io import add_load_options, load_model

__all__ = ["LoihiStageResult", "add_map_arguments", "loihi_stage", "run_map"]


def add_map_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the model path and the Loihi mapping options to ``parser``."""
    add_load_options(parser)
    parser.add_argument(
        "--target", default="loihi2", help="target spec in mappings/ (loihi2, loihi1)"
    )
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--input-range", type=float, default=1.0, help="largest direct input value")
    parser.add_argument(
        "--subtract-reset",
        choices=["approximate", "refuse"],
        default="approximate",
        help="what to do with SUBTRACT-reset neurons (Loihi resets to 0)",
    )
    parser.add_argument(
        "--headroom",
        type=float,
        default=None,
        help="largest input per step (thresholds) that must not wrap; default: worst case",
    )
    parser.add_argument("--chips", type=int, default=1, help="chips available")


def run_map(args: argparse.Namespace) -> int:
    """Lower the model, write lowering/resources/diagnostics to ``--out``; return the exit code."""
    from hwsnn.backends.lava._population import LoweringConfig
    from hwsnn.backends.lava.lowering import map_graph
    from hwsnn.backends.lava.serialize import write_artifact

    graph = load_model(args)
    config = LoweringConfig(
        input_range=args.input_range,
        subtract_reset=args.subtract_reset,
        headroom=args.headroom,
        chips=args.chips,
    )
    artifact = map_graph(graph, args.target, rng=np.random.default_rng(0), config=config)
    paths = write_artifact(artifact, args.out)
    report = artifact.resources
    print(
        f"{args.target}: {report.cores} core(s), {report.neurons} neurons, "
        f"{report.synapses} synapses, "
        f"latency {artifact.latency} step(s)"
    )
    for use in report.populations:
        print(
            f"  {use.name}: {use.cores} core(s), {use.neurons_per_core} neurons/core, "
            f"{use.synapse_bits_per_core} synapse bits/core, fan-in {use.fan_in_axons}"
        )
    for diag in artifact.diagnostics:
        if diag.step in ("weight_quantization", "reset_approximation", "bias_lead"):
            print(f"  [{diag.step}] {diag.node}: {diag.message}")
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0
