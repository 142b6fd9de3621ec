"""``hwsnn simulate jitter|quantization``: paper 003 Table 3 for the VCO/PLL neuron.

The lead's CLI wires :func:`add_jitter_arguments`/:func:`run_jitter`,
:func:`add_quantization_arguments`/:func:`run_quantization` and (from
:mod:`hwsnn.cli.spice_energy`) :func:`add_spice_energy_arguments`/:func:`run_spice_energy`
as subcommands.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
from pathlib import Path

import numpy as np

from hwsnn.cli._io import float_list, int_list
from hwsnn.cli.spice_energy import add_spice_energy_arguments, run_spice_energy
from hwsnn.errors import HwsnnError

__all__ = [
    "add_jitter_arguments",
    "add_quantization_arguments",
    "add_spice_energy_arguments",
    "format_table",
    "run_jitter",
    "run_quantization",
    "run_spice_energy",
]


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--samples", type=int, default=1000, help="Monte Carlo samples per row")
    parser.add_argument(
        "--spot", type=int, default=8, help="XSPICE spot-check pairs per row (0 to skip ngspice)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--calibration",
        type=Path,
        default=None,
        help="calibration TOML (default mappings/spice/calibration.toml)",
    )
    parser.add_argument("--out", type=Path, default=None, help="folder for CSV and JSON")


def add_jitter_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hwsnn simulate jitter``."""
    parser.add_argument(
        "--input-jitter",
        type=float_list,
        default=[1, 3, 5, 7, 9],
        help="relative input jitter levels in percent, e.g. 1,3,5,7,9",
    )
    _common(parser)


def add_quantization_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hwsnn simulate quantization``."""
    parser.add_argument(
        "--weight-bits",
        type=int_list,
        default=[4, 8, 16, 24, 32],
        help="weight bit widths, e.g. 4,8,16,24,32",
    )
    _common(parser)


def format_table(table: object, header: str) -> str:
    """Render a :class:`~hwsnn.analysis.circuit_jitter.JitterTable` as aligned text."""
    from hwsnn.analysis.circuit_jitter import JitterTable

    if not isinstance(table, JitterTable):
        raise HwsnnError("format_table needs a JitterTable")
    lines = [
        f"{header:>18} | output jitter (%) | p95 (%)  | XSPICE spot (%) | analytic spot (%) "
        "| ratio [95 % CI]",
        "-" * 112,
    ]
    for row in table.rows:
        level = f"{row.level * 100:g}" if table.kind == "input_jitter" else f"{row.level:g}-bit"
        low, high = row.spot_ratio_ci95
        lines.append(
            f"{level:>18} | {row.output_jitter_pct:17.4g} "
            f"| {row.output_jitter_pct_p95:8.3g} | {row.xspice_jitter_pct:15.4g} "
            f"| {row.analytic_spot_jitter_pct:17.4g} | {row.spot_ratio:.3f} [{low:.3f}, {high:.3f}]"
        )
    lines.append(
        f"({table.rows[0].n_samples} analytic samples and {table.rows[0].n_spot} "
        f"XSPICE pairs per row, {table.n_inputs} inputs, seed {table.seed})"
    )
    return "\n".join(lines)


def _save(table: object, out: Path | None, stem: str) -> None:
    if out is None or not dataclasses.is_dataclass(table) or isinstance(table, type):
        return
    out.mkdir(parents=True, exist_ok=True)
    record = dataclasses.asdict(table)
    (out / f"{stem}.json").write_text(json.dumps(record, indent=2, allow_nan=True) + "\n")
    with (out / f"{stem}.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(record["rows"][0]))
        writer.writeheader()
        writer.writerows(record["rows"])


def _model(args: argparse.Namespace) -> object:
    from hwsnn.backends.spice.calibrate import load_calibration

    return load_calibration(args.calibration)


def run_jitter(args: argparse.Namespace) -> int:
    """Print and save the input-jitter table; returns the exit status."""
    from hwsnn.analysis.circuit_jitter import simulate_input_jitter
    from hwsnn.backends.spice.model import NeuronModel

    model = _model(args)
    if not isinstance(model, NeuronModel):
        raise HwsnnError("calibration did not load a NeuronModel")
    table = simulate_input_jitter(
        model,
        [j / 100.0 for j in args.input_jitter],
        rng=np.random.default_rng(args.seed),
        n_samples=args.samples,
        n_spot=args.spot,
        seed=args.seed,
        progress=True,
    )
    print(format_table(table, "input jitter (%)"))
    _save(table, args.out, "jitter")
    return 0


def run_quantization(args: argparse.Namespace) -> int:
    """Print and save the weight-quantisation table; returns the exit status."""
    from hwsnn.analysis.circuit_jitter import simulate_weight_quantization
    from hwsnn.backends.spice.model import NeuronModel

    model = _model(args)
    if not isinstance(model, NeuronModel):
        raise HwsnnError("calibration did not load a NeuronModel")
    table = simulate_weight_quantization(
        model,
        args.weight_bits,
        rng=np.random.default_rng(args.seed),
        n_samples=args.samples,
        n_spot=args.spot,
        seed=args.seed,
        progress=True,
    )
    print(format_table(table, "quantization level"))
    _save(table, args.out, "quantization")
    return 0
