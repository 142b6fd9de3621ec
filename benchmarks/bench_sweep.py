"""Wall time of the same sweeps on 1 and 2 local worker processes and on Dask, side by side.

Run: ``.venv/bin/python benchmarks/bench_sweep.py [--jitter-points 1000] [--samples 200]``.

* jitter: ``--jitter-points`` points of the analytic PLL-neuron jitter Monte Carlo (10 input
  jitter levels x repeats, ``--samples`` patterns per point);
* crossbar: accuracy of a binary SNN (trained here in a few seconds) on the RRAM crossbar over
  the whole digits test set per point, on a grid of read noise x d2d spread x ADC bits;
* noop: the same number of points as jitter that do nothing: the engine's cost per task is
  ``(wall(noop N) - wall(noop 2)) / (N - 2)`` (start-up removed), its start-up ``wall(noop 2)``.

Every engine runs every sweep in a fresh folder; tables are checked identical across engines.
The Dask column starts a ``LocalCluster`` of 2 worker processes inside each timed run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

from hwsnn.sweep import (
    DaskEngine,
    Engine,
    ProcessEngine,
    SerialEngine,
    Sweep,
    dask_available,
    run_sweep,
)
from hwsnn.sweep.tasks import crossbar_sweep, jitter_sweep, probe_sweep


def engines(with_serial: bool) -> dict[str, Engine]:
    out: dict[str, Engine] = {}
    if with_serial:
        out["serial"] = SerialEngine()
    out["processes x1"] = ProcessEngine(1)
    out["processes x2"] = ProcessEngine(2)
    if dask_available():
        out["dask local x2"] = DaskEngine(local_workers=2)
    else:
        print("dask[distributed] not installed: no Dask column", file=sys.stderr)
    return out


def crossbar(points_per_axis: int, seed: int) -> Sweep:
    import torch

    from hwsnn.backends.crossbar.demo import train_binary_snn
    from hwsnn.data import load_dataset

    torch.set_num_threads(1)
    data = load_dataset("digits")
    x_tr = data.x_train.reshape(len(data.x_train), -1)
    graph = train_binary_snn(
        x_tr, data.y_train, hidden=64, epochs=3, rng=np.random.default_rng(seed)
    )
    axes = {
        "read_noise": list(np.linspace(0.0, 0.3, points_per_axis)),
        "d2d": list(np.linspace(0.0, 0.3, points_per_axis)),
        "adc_bits": [3.0, 5.0],
    }
    x_te = data.x_test.reshape(len(data.x_test), -1)
    return crossbar_sweep(graph, x_te, data.y_test, axes, target="rram", seed=seed)


def timed(sweep: Sweep, engine: Engine, folder: Path) -> tuple[float, bytes]:
    start = time.perf_counter()
    result = run_sweep(sweep, folder, engine, progress=False)
    wall = time.perf_counter() - start
    if result.failed:
        raise SystemExit(f"{result.failed} points failed on {engine.description}")
    return wall, (folder / "results.csv").read_bytes()


def run(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    repeats = max(1, args.jitter_points // 10)
    sweeps = {
        "jitter": jitter_sweep(
            [float(j) for j in range(1, 11)], samples=args.samples, repeats=repeats, seed=1
        ),
        "crossbar": crossbar(args.crossbar_axis, seed=1),
        "noop": probe_sweep(10 * repeats),
        "noop2": probe_sweep(2),
    }
    walls: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for sname, sweep in sweeps.items():
            tables = set()
            for ename, engine in engines(args.serial).items():
                folder = Path(tmp, sname, ename.replace(" ", "_"))
                wall, table = timed(sweep, engine, folder)
                walls.setdefault(sname, {})[ename] = wall
                tables.add(table)
                print(
                    f"{sname:8s} {ename:14s} {len(sweep.points):5d} points {wall:8.2f} s",
                    file=sys.stderr,
                )
            if len(tables) != 1:
                raise SystemExit(f"{sname}: engines gave different tables")
    n = len(sweeps["noop"].points)
    walls["overhead_ms_per_task"] = {
        e: 1e3 * (walls["noop"][e] - walls["noop2"][e]) / (n - 2) for e in walls["noop"]
    }
    walls["startup_s"] = dict(walls.pop("noop2"))
    walls["points"] = {k: float(len(s.points)) for k, s in sweeps.items() if k != "noop2"}
    return walls


def render(walls: dict[str, dict[str, float]]) -> str:
    cols = list(walls["noop"])
    lines = ["| sweep | points | " + " | ".join(cols) + " |", "|---|---|" + "---|" * len(cols)]
    for name in ("jitter", "crossbar", "noop"):
        cells = " | ".join(f"{walls[name][c]:.2f} s" for c in cols)
        lines.append(f"| {name} | {walls['points'][name]:.0f} | {cells} |")
    lines.append(
        "| start-up (2-point noop) | 2 | "
        + " | ".join(f"{walls['startup_s'][c]:.2f} s" for c in cols)
        + " |"
    )
    lines.append(
        "| overhead per task | - | "
        + " | ".join(f"{walls['overhead_ms_per_task'][c]:.2f} ms" for c in cols)
        + " |"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jitter-points", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=200, help="Monte Carlo patterns/point")
    parser.add_argument(
        "--crossbar-axis",
        type=int,
        default=4,
        help="values per crossbar axis (points = axis^2 x 2)",
    )
    parser.add_argument("--serial", action="store_true", help="add an in-process column")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = parser.parse_args()
    walls = run(args)
    print(f"cores available: {len(os.sched_getaffinity(0))}")
    print(render(walls))
    if args.json is not None:
        args.json.write_text(json.dumps(walls, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
