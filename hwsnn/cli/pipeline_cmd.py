"""``hwsnn pipeline --out DIR``: the main job on the embedded default data."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from hwsnn.pipeline import PipelineConfig, StageResult, StageStatus, run_pipeline
from hwsnn.pipeline.runner import PipelineResult


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``pipeline``."""
    defaults = PipelineConfig()
    parser.add_argument(
        "--out", type=Path, default=Path("reports"), help="output folder (default: reports)"
    )
    parser.add_argument(
        "--dataset", default=defaults.dataset, help="digits (default) or fashion-mnist"
    )
    parser.add_argument(
        "--arch", default=defaults.arch, choices=("mlp", "conv"), help="network architecture"
    )
    parser.add_argument("--epochs", type=int, default=defaults.epochs, help="training epochs")
    parser.add_argument(
        "--timesteps", type=int, default=defaults.timesteps, help="time steps per inference"
    )
    parser.add_argument("--seed", type=int, default=defaults.seed, help="seed of everything random")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def _print_stage(result: StageResult) -> None:
    mark = {StageStatus.OK: "ok", StageStatus.SKIPPED: "skipped", StageStatus.FAILED: "FAILED"}[
        result.status
    ]
    line = f"[{mark:>7}] {result.name:<10} {result.seconds:6.1f} s"
    if result.reason:
        line += f"  ({result.reason})"
    print(line, file=sys.stderr, flush=True)


def _write_summary(result: PipelineResult, out: Path) -> Path:
    doc = {
        "config": asdict(result.config),
        "stages": [asdict(s) | {"seconds": round(s.seconds, 3)} for s in result.stages],
    }
    path = out / "pipeline.json"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n")
    tmp.replace(path)
    return path


def run(args: argparse.Namespace) -> int:
    """Run every stage, print a summary, write ``pipeline.json``; exit 1 if a stage failed."""
    config = PipelineConfig(
        dataset=args.dataset,
        arch=args.arch,
        epochs=args.epochs,
        timesteps=args.timesteps,
        seed=args.seed,
    )
    result = run_pipeline(config, args.out, progress=not args.no_progress, on_stage=_print_stage)
    path = _write_summary(result, args.out)
    evaluation = next((s for s in result.stages if s.name == "evaluate"), None)
    if evaluation is not None and evaluation.status is StageStatus.OK:
        accuracy = evaluation.metrics["test_accuracy"]
        print(f"spiking network test accuracy ({config.dataset}, sim.float): {100 * accuracy:.2f}%")
    check = next((s for s in result.stages if s.name == "check"), None)
    if check is not None and check.metrics:
        print("format check: " + ", ".join(f"{k}={v}" for k, v in sorted(check.metrics.items())))
    print(f"wrote {path}")
    return 1 if any(s.status is StageStatus.FAILED for s in result.stages) else 0
