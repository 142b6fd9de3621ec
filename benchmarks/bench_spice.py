"""Side-by-side speed of the analytic tier and the XSPICE neuron, per output spike event.

Run: ``.venv/bin/python benchmarks/bench_spice.py [--xspice-runs 30] [--samples 100000]``.
Both tiers evaluate random patterns from the same generator; the analytic time is the
vectorised :meth:`NeuronModel.spike_times` call, the XSPICE time one ngspice run per
pattern (netlist render + load + transient + cleanup). Also reports the spike-time agreement.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

from hwsnn.backends.spice.calibrate import load_calibration, simulate_patterns_xspice
from hwsnn.backends.spice.patterns import PatternSpec, random_patterns


def run(xspice_runs: int, samples: int, seed: int) -> dict[str, float]:
    model = load_calibration()
    rng = np.random.default_rng(seed)
    pats = random_patterns(model, PatternSpec(), xspice_runs, rng)
    start = time.perf_counter()
    t_x = simulate_patterns_xspice(model.circuit, pats)
    xspice_s = (time.perf_counter() - start) / xspice_runs
    big = random_patterns(model, PatternSpec(), samples, rng)
    model.spike_times(big.t_in[:1000], big.weights[:1000], big.window_s)  # warm-up
    start = time.perf_counter()
    t_a = model.spike_times(big.t_in, big.weights, big.window_s)
    analytic_s = (time.perf_counter() - start) / samples
    rel = np.abs(t_x - pats.t_out) / t_x
    return {"xspice_s_per_spike": xspice_s, "analytic_s_per_spike": analytic_s,
            "speedup": xspice_s / analytic_s, "xspice_runs": xspice_runs,
            "analytic_samples": samples, "analytic_fired_fraction": float(np.isfinite(t_a).mean()),
            "median_rel_error": float(np.median(rel)), "max_rel_error": float(np.max(rel))}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--xspice-runs", type=int, default=30)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="JSON output file")
    args = parser.parse_args()
    result = run(args.xspice_runs, args.samples, args.seed)
    print(f"XSPICE   {result['xspice_s_per_spike'] * 1e3:9.2f} ms per spike event "
          f"({args.xspice_runs} ngspice runs)")
    print(f"analytic {result['analytic_s_per_spike'] * 1e6:9.2f} us per spike event "
          f"({args.samples} samples, vectorised numpy)")
    print(f"speed-up {result['speedup']:.3g}x; spike-time agreement median "
          f"{100 * result['median_rel_error']:.3f} %, max {100 * result['max_rel_error']:.3f} %")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["speedup"] >= 1e4 else 1


if __name__ == "__main__":
    sys.exit(main())
