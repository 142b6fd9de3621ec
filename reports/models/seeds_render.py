"""Seed table of TTFS and BNTT runs: per-seed results and the mean +- SE of each target.

Usage: ``python reports/models/seeds_render.py ttfs RUN.json... > OUT.md`` (or ``bntt``), with
the JSON files that ``hwsnn train ttfs|bntt ... --seed N`` wrote (one per seed).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any


def _mean_se(values: list[float]) -> str:
    mean = sum(values) / len(values)
    if len(values) < 2:
        return f"{mean:+.2f}"
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return f"{mean:+.2f} +- {math.sqrt(var / len(values)):.2f}"


def ttfs_table(runs: list[dict[str, Any]]) -> list[str]:
    """TTFS minus ANN twin, and the 4-bit loss, per seed (points)."""
    lines = [
        "| seed | ANN twin (%) | TTFS 32-bit (%) | 8 / 4 / 2-bit (%) | TTFS - ANN | 4-bit loss |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    gaps, losses = [], []
    for run in runs:
        bits = {k: 100 * v["torch_accuracy"] for k, v in run["by_bits"].items()}
        gap = 100 * (run["ttfs_accuracy"] - run["ann_twin_accuracy"])
        loss = bits["32"] - bits["4"]
        gaps.append(gap)
        losses.append(loss)
        lines.append(
            f"| {run['options']['seed']} | {100 * run['ann_twin_accuracy']:.2f} | "
            f"{bits['32']:.2f} | {bits['8']:.2f} / {bits['4']:.2f} / {bits['2']:.2f} | "
            f"{gap:+.2f} | {loss:+.2f} |"
        )
    lines.append(f"| mean +- SE | | | | {_mean_se(gaps)} | {_mean_se(losses)} |")
    return lines


def bntt_table(runs: list[dict[str, Any]]) -> list[str]:
    """Accuracy, gamma fall (last / peak per layer) and the early exit, per seed."""
    lines = [
        "| seed | accuracy (%) | gamma last / peak, per layer | exit step | steps saved "
        "| loss (points) |",
        "|---:|---:|---|---:|---:|---:|",
    ]
    saved, lost = [], []
    for run in runs:
        falls = " / ".join(f"{g['last'] / g['peak']:.2f}" for g in run["gamma_summary"])
        ex = run["early_exit_choice"]
        saved.append(100 * ex["steps_saved_fraction"])
        lost.append(ex["test_accuracy_loss_points"])
        lines.append(
            f"| {run['options']['seed']} | {100 * run['torch_accuracy']:.2f} | {falls} | "
            f"{ex['exit_step']} / {run['timesteps']} | {saved[-1]:.0f} % | "
            f"{ex['test_accuracy_loss_points']:+.2f} |"
        )
    lines.append(f"| mean +- SE | | | | {_mean_se(saved).lstrip('+')} % | {_mean_se(lost)} |")
    return lines


def main(argv: list[str]) -> None:
    """Print the table for ``argv[0]`` (ttfs or bntt) over the JSON files that follow."""
    kind, files = argv[0], argv[1:]
    runs = sorted(
        (json.loads(Path(f).read_text()) for f in files), key=lambda r: r["options"]["seed"]
    )
    table = ttfs_table(runs) if kind == "ttfs" else bntt_table(runs)
    print("\n".join(table))


if __name__ == "__main__":
    main(sys.argv[1:])
