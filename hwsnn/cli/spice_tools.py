"""Command lines of the SPICE backend's data files.

``python -m hwsnn.backends.spice.calibrate`` regenerates ``mappings/spice/calibration.toml``;
``python -m hwsnn.backends.spice.characterize`` regenerates ``mappings/spice/energy_measured.toml``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from hwsnn.backends.spice._paths import mappings_dir
from hwsnn.backends.spice.calibrate import calibrate, default_calibration_path, write_calibration
from hwsnn.backends.spice.characterize import characterization_toml
from hwsnn.backends.spice.circuit import PLLNeuronCircuit
from hwsnn.backends.spice.transistor import characterize_neuron

__all__ = ["calibrate_main", "characterize_main"]


def calibrate_main(argv: list[str] | None = None) -> int:
    """Command line: fit and write the calibration file."""
    parser = argparse.ArgumentParser(prog="python -m hwsnn.backends.spice.calibrate")
    parser.add_argument("--out", type=Path, default=None, help="output TOML path")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-fit", type=int, default=40)
    parser.add_argument("--n-check", type=int, default=50)
    args = parser.parse_args(argv)
    report = calibrate(
        PLLNeuronCircuit(),
        rng=np.random.default_rng(args.seed),
        seed=args.seed,
        n_fit=args.n_fit,
        n_check=args.n_check,
    )
    out = args.out or default_calibration_path()
    write_calibration(report, out)
    cal = report.calibration
    print(
        f"offset {cal.offset_s * 1e12:.1f} ps, gain {cal.gain:.5f}; "
        f"median rel. error {100 * report.median_rel_error_before:.3f} % -> "
        f"{100 * report.median_rel_error:.3f} % (max {100 * report.max_rel_error:.3f} %) "
        f"over {report.n_check} patterns; wrote {out}"
    )
    return 0


def characterize_main(argv: list[str] | None = None) -> int:
    """Characterise the requested processes and write the TOML file."""
    parser = argparse.ArgumentParser(prog="python -m hwsnn.backends.spice.characterize")
    parser.add_argument(
        "--process", action="append", default=None, help="sky130 and/or 65nm-like (default: both)"
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    results = [characterize_neuron(p) for p in (args.process or ["sky130", "65nm-like"])]
    out = args.out or mappings_dir() / "spice" / "energy_measured.toml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(characterization_toml(results))
    for r in results:
        e_cycle = r.energy_per_cycle_j[len(r.vctrl_v) // 2]
        print(
            f"{r.process}: {r.label}; f_op {r.f_op_hz / 1e9:.3f} GHz, K_vco "
            f"{r.k_vco_hz_per_v / 1e9:.3f} GHz/V, E/cycle {e_cycle * 1e15:.1f} fJ, "
            f"XOR {r.xor_energy_per_cycle_j * 1e15:.1f} fJ, "
            f"DFF {r.dff_energy_per_cycle_j * 1e15:.1f} fJ; "
            f"energy per spike {r.energy_per_spike_j * 1e12:.2f} pJ at {r.vdd_v} V "
            f"({r.window_s * 1e9:.0f} ns window)"
        )
    print(f"wrote {out}")
    return 0
