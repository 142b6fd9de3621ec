"""``hwsnn sweep``: parameter sweeps on local processes (default) or a Dask cluster.

Forms:
    hwsnn sweep jitter --input-jitter 1,3,5,7,9 --repeats 20 --out runs/jitter
    hwsnn sweep quantization --weight-bits 4,8,16 --out runs/quant
    hwsnn sweep crossbar MODEL --read-noise 0,0.03,0.1 --adc-bits 3,5 --shards 4 --out runs/xbar
    hwsnn sweep loihi MODEL --weight-bits 4,6,8 --out runs/loihi
    hwsnn sweep noop --points 1000 --out runs/noop          (engine overhead probe)
Engines: --workers N (local processes, default all cores) | --serial | --dask-local N |
--scheduler tcp://HOST:PORT. --resume continues an interrupted sweep in the same --out.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hwsnn.cli._io import float_list, int_list

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from hwsnn.ir import Graph
    from hwsnn.sweep import Engine, Sweep

__all__ = ["configure", "make_engine", "run"]


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="output folder of the table")
    parser.add_argument("--resume", action="store_true", help="skip points already in --out")
    parser.add_argument("--seed", type=int, default=0, help="base seed (point i: SeedSequence)")
    parser.add_argument("--repeats", type=int, default=1, help="seeds per parameter point")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    engine = parser.add_mutually_exclusive_group()
    engine.add_argument("--workers", type=int, default=None, help="local worker processes")
    engine.add_argument("--serial", action="store_true", help="run in this process")
    engine.add_argument(
        "--dask-local",
        type=int,
        default=None,
        metavar="N",
        help="start a Dask LocalCluster of N worker processes",
    )
    engine.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDR",
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786",
    )
    parser.add_argument(
        "--connect-timeout",
        type=float,
        default=5.0,
        help="seconds to reach the Dask scheduler (default 5)",
    )


def _circuit(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--samples", type=int, default=1000, help="Monte Carlo patterns/point")
    parser.add_argument(
        "--spot",
        type=int,
        default=0,
        help="XSPICE spot-check pairs per point (needs ngspice; default 0)",
    )
    parser.add_argument("--calibration", type=Path, default=None, help="calibration TOML")


def _data(parser: argparse.ArgumentParser) -> None:
    from hwsnn.cli._io import add_load_options

    add_load_options(parser)
    parser.add_argument("--dataset", default="digits", help="digits, fashion-mnist or mnist")
    parser.add_argument("--data-root", type=Path, default=None, help="folder of IDX files")
    parser.add_argument("--limit", type=int, default=None, help="first N test samples")
    parser.add_argument("--shards", type=int, default=1, help="split the test set into N points")
    parser.add_argument("--batch-size", type=int, default=256, help="samples per batch")


def _configure_studies(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("jitter", help="output jitter vs input jitter (analytic PLL neuron)")
    p.add_argument(
        "--input-jitter",
        type=float_list,
        default=[1, 3, 5, 7, 9],
        help="relative input jitter levels in percent",
    )
    _circuit(p)
    p = sub.add_parser("quantization", help="output jitter vs weight bits (analytic neuron)")
    p.add_argument("--weight-bits", type=int_list, default=[4, 8, 16, 24, 32], help="bit widths")
    _circuit(p)
    p = sub.add_parser("crossbar", help="crossbar accuracy vs device non-idealities")
    _data(p)
    p.add_argument(
        "--target",
        default="crossbar-rram",
        help="crossbar-rram, crossbar-mtj or a spec name in mappings/crossbar",
    )
    p.add_argument("--spec", type=Path, default=None, help="custom crossbar spec TOML")
    p.add_argument("--binarize", action="store_true", help="binarize non-binary weights")
    for flag, what in (
        ("--d2d", "sigma of ln R"),
        ("--read-noise", "relative read noise"),
        ("--adc-bits", "ADC bits"),
        ("--stuck", "stuck-at fault rate"),
        ("--ir-drop", "wire resistance per cell (ohm)"),
    ):
        p.add_argument(flag, type=float_list, default=None, help=f"{what} values, comma-separated")
    p = sub.add_parser("loihi", help="Loihi fixed-point (emulator) accuracy vs weight bits")
    _data(p)
    p.add_argument("--target", default="loihi2", help="Loihi target in mappings/")
    p.add_argument("--weight-bits", type=int_list, default=[], help="weight bits to try")
    p.add_argument("--input-range", type=float, default=1.0, help="largest direct input")
    p = sub.add_parser("noop", help="probe points that only sleep: engine overhead")
    p.add_argument("--points", type=int, default=1000, help="number of points")
    p.add_argument("--sleep-s", type=float, default=0.0, help="seconds each point sleeps")
    p.add_argument("--record-dir", type=Path, default=None, help="leave a marker per task run")


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the sweep kinds and their arguments."""
    sub = parser.add_subparsers(dest="study", metavar="KIND", required=True)
    _configure_studies(sub)
    for study in sub.choices.values():
        _common(study)


def make_engine(args: argparse.Namespace) -> Engine:
    """The engine the arguments ask for (Dask falls back to local processes if missing)."""
    from hwsnn.sweep import DaskEngine, ProcessEngine, SerialEngine, dask_available

    if args.serial:
        return SerialEngine()
    if args.scheduler is not None or args.dask_local is not None:
        if dask_available():
            return DaskEngine(
                address=args.scheduler,
                local_workers=args.dask_local,
                connect_timeout_s=args.connect_timeout,
            )
        print(
            "hwsnn: Dask is not installed (pip install 'hwsnn[dask]'); "
            "running on local processes instead",
            file=sys.stderr,
        )
    return ProcessEngine(args.workers)


def _load_data(args: argparse.Namespace) -> tuple[Graph, NDArray[Any], NDArray[Any]]:
    from hwsnn.cli._io import load_model
    from hwsnn.data import load_dataset

    graph = load_model(args)
    data = load_dataset(args.dataset, root=args.data_root, limit_test=args.limit)
    return graph, data.x_test, data.y_test


def _crossbar_target(args: argparse.Namespace) -> str:
    if args.spec is not None:
        return str(args.spec)
    return str(args.target).removeprefix("crossbar-")


def _build(args: argparse.Namespace) -> Sweep:
    from hwsnn.sweep import tasks

    common = {"repeats": args.repeats, "seed": args.seed}
    if args.study in ("jitter", "quantization"):
        circuit = {"samples": args.samples, "spot": args.spot, "calibration": args.calibration}
        if args.study == "jitter":
            return tasks.jitter_sweep(args.input_jitter, **circuit, **common)
        return tasks.quantization_sweep(args.weight_bits, **circuit, **common)
    if args.study == "noop":
        return tasks.probe_sweep(
            args.points, sleep_s=args.sleep_s, seed=args.seed, record_dir=args.record_dir
        )
    graph, x, y = _load_data(args)
    data = {"shards": args.shards, "batch_size": args.batch_size, **common}
    if args.study == "crossbar":
        axes = {
            name: getattr(args, name)
            for name in tasks.CROSSBAR_AXES
            if getattr(args, name) is not None
        }
        return tasks.crossbar_sweep(
            graph,
            x,
            y,
            axes,
            target=_crossbar_target(args),
            binarize=args.binarize,
            **data,
        )
    return tasks.loihi_sweep(
        graph,
        x,
        y,
        weight_bits=args.weight_bits,
        target=args.target,
        input_range=args.input_range,
        **data,
    )


def _print_summary(rows: list[dict[str, object]], limit: int = 40) -> None:
    if not rows:
        return
    header = list(rows[0])
    cells: list[list[str]] = [header]
    for row in rows[:limit]:
        cells.append([f"{v:.6g}" if isinstance(v, float) else str(v) for v in row.values()])
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells)
    print("\n".join(lines))
    if len(rows) > limit:
        print(f"... {len(rows) - limit} more rows in summary.csv")


def run(args: argparse.Namespace) -> int:
    """Build the sweep, run it on the chosen engine, print a summary; returns 0."""
    from hwsnn.sweep import run_sweep, summarize

    sweep = _build(args)
    engine = make_engine(args)
    print(
        f"hwsnn sweep {sweep.name}: {len(sweep.points)} points on {engine.description}",
        file=sys.stderr,
    )
    result = run_sweep(
        sweep,
        args.out,
        engine,
        resume=args.resume,
        progress=not args.no_progress,
    )
    _print_summary(summarize(result.rows))
    print(
        f"{len(result.rows)} points: {result.computed} computed, {result.skipped} already "
        f"done, {result.failed} failed; {result.wall_s:.2f} s on {result.engine}; "
        f"table {args.out / 'results.csv'}"
    )
    return 0
