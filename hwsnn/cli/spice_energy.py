"""``hwsnn simulate spice-energy MODEL``: energy per inference of a TTFS network on VCO/PLL neurons.

Runs the IR file event-exactly on the test set (:func:`hwsnn.sim.ttfs.simulate_ttfs`),
prices the spikes of every NLIF layer with the characterised energy per spike (sky130 and
"65 nm-like") and, unless ``--spot-neurons 0``, maps the first NLIF layer to circuits and
compares a few neurons' XSPICE spike times with the IR closed form.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
from pathlib import Path

from hwsnn.cli._io import add_load_options, load_model

__all__ = ["add_spice_energy_arguments", "format_energy", "run_spice_energy"]


def add_spice_energy_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hwsnn simulate spice-energy``."""
    add_load_options(parser)
    parser.add_argument(
        "--dataset", default="digits", help="digits (default), fashion-mnist or mnist"
    )
    parser.add_argument("--data-root", type=Path, default=None, help="folder of IDX files (mnist)")
    parser.add_argument("--limit", type=int, default=None, help="use the first N test samples")
    parser.add_argument(
        "--spot-neurons",
        type=int,
        default=3,
        help="neurons of the first NLIF layer run in XSPICE (0 to skip ngspice)",
    )
    parser.add_argument("--spot-samples", type=int, default=2, help="test samples for XSPICE")
    parser.add_argument(
        "--characterization",
        type=Path,
        default=None,
        help="energy TOML (default mappings/spice/energy_measured.toml)",
    )
    parser.add_argument("--out", type=Path, default=None, help="write spice_energy.json here")


def format_energy(report: object, spot: object | None = None) -> str:
    """Per-layer table of spikes and energy per inference (pJ), plus the spot check."""
    from hwsnn.analysis.spice_energy import SpiceEnergyReport, SpotCheck

    if not isinstance(report, SpiceEnergyReport):
        raise TypeError("format_energy needs a SpiceEnergyReport")
    names = [p.process for p in report.processes]
    head = f"{'layer':>10} | {'neurons':>7} | {'spikes/inf.':>11} | " + " | ".join(
        f"{n + ' (pJ)':>15}" for n in names
    )
    lines = [
        f"{report.model}: {report.samples} samples, accuracy {100 * report.accuracy:.1f} %",
        head,
        "-" * len(head),
    ]
    for layer in report.layers:
        lines.append(
            f"{layer.layer:>10} | {layer.neurons:>7} | {layer.spikes_per_inference:>11.2f}"
            " | " + " | ".join(f"{e * 1e12:>15.2f}" for e in layer.energy_per_inference_j)
        )
    lines.append(
        f"{'total':>10} | {sum(x.neurons for x in report.layers):>7} | "
        f"{report.spikes_per_inference:>11.2f} | "
        + " | ".join(f"{p.energy_per_inference_j * 1e12:>15.2f}" for p in report.processes)
    )
    for p in report.processes:
        lines.append(
            f"  {p.process}: {p.energy_per_spike_j * 1e12:.2f} pJ/spike at {p.vdd_v} V ({p.label})"
        )
    if isinstance(spot, SpotCheck):
        lines.append(
            f"XSPICE spot check, {spot.layer} neurons {list(spot.neurons)} x {spot.samples} "
            f"samples: median |t_xspice - t_IR| / t_IR = "
            f"{100 * spot.median_rel_error_xspice_ir:.2f} %, vs analytic tier "
            f"{100 * spot.median_rel_error_xspice_analytic:.2f} %, firing agreement "
            f"{100 * spot.fired_agreement:.0f} %"
        )
    return "\n".join(lines)


def run_spice_energy(args: argparse.Namespace) -> int:
    """Print and save the energy table; returns the exit status."""
    from hwsnn.analysis.spice_energy import estimate_spice_energy, spot_check_layer
    from hwsnn.backends.spice.characterize import load_characterizations
    from hwsnn.data import load_dataset

    graph = load_model(args)
    data = load_dataset(args.dataset, root=args.data_root, limit_test=args.limit)
    chars = load_characterizations(args.characterization)
    report = estimate_spice_energy(graph, data.x_test, data.y_test, characterizations=chars)
    spot = None
    if args.spot_neurons > 0 and args.spot_samples > 0:
        spot = spot_check_layer(
            graph, data.x_test[: args.spot_samples], neurons=range(args.spot_neurons)
        )
    print(format_energy(report, spot))
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        doc = {
            "energy": dataclasses.asdict(report),
            "spot_check": dataclasses.asdict(spot) if spot is not None else None,
        }
        text = json.dumps(doc, indent=2, default=lambda v: None if math.isnan(v) else v)
        (args.out / "spice_energy.json").write_text(text + "\n")
    return 0
