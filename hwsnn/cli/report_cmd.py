"""``hwsnn report MODEL --out DIR``: operations, energy and spikes of any IR file on test data."""

from __future__ import annotations

import argparse
from pathlib import Path

from hwsnn.analysis.energy import ENERGY_MODELS
from hwsnn.cli._io import add_load_options, load_model
from hwsnn.errors import HwsnnError


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``report``."""
    add_load_options(parser)
    parser.add_argument(
        "--out", type=Path, required=True, help="folder for report.md/.json/.html and figures"
    )
    parser.add_argument(
        "--dataset", default="digits", help="digits (default), fashion-mnist or mnist"
    )
    parser.add_argument("--data-root", type=Path, default=None, help="folder of IDX files (mnist)")
    parser.add_argument(
        "--limit", type=int, default=None, help="use the first N test samples (class-balanced)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the data subset and of encoders"
    )
    parser.add_argument(
        "--energy-model",
        action="append",
        choices=ENERGY_MODELS,
        default=None,
        help="energy model to apply (repeatable; default: all of " + ", ".join(ENERGY_MODELS) + ")",
    )


def run(args: argparse.Namespace) -> int:
    """Build the report and write it atomically into ``--out``."""
    from hwsnn.data import load_dataset
    from hwsnn.report import build_report, write_report

    if args.limit is not None and args.limit < 1:
        raise HwsnnError(f"--limit must be at least 1, got {args.limit}")
    graph = load_model(args)
    data = load_dataset(args.dataset, root=args.data_root, seed=args.seed, limit_test=args.limit)
    report = build_report(
        graph,
        data.x_test,
        data.y_test,
        seed=args.seed,
        model=Path(args.model).name,
        dataset=data.name,
        energy_models=tuple(args.energy_model or ENERGY_MODELS),
    )
    paths = write_report(report, args.out)
    if report.accuracy is not None:
        print(
            f"{args.model} on {data.name} test ({report.provenance.samples} samples): "
            f"accuracy {100 * report.accuracy:.2f}%"
        )
    for comparison in report.energy:
        print(
            f"  {comparison.model.name}: E_SNN {comparison.snn.compute_j:.3e} J compute "
            f"+ {comparison.snn.memory_j:.3e} J memory; E_ANN/E_SNN (compute) "
            f"{comparison.ann_over_snn_compute:.3g}"
        )
    for section, reason in report.unavailable.items():
        print(f"  not included: {section}: {reason}")
    print(f"wrote {', '.join(str(p) for p in paths)}")
    return 0
