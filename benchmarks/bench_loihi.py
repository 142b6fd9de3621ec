"""Emulator (hwsnn.sim.loihi) vs Lava fixed_pt throughput on a 784-128-10 LIF MLP at T = 100.

Run: ``.venv/bin/python benchmarks/bench_loihi.py [--batch 256] [--lava-samples 2]``.
Throughput is sample x time steps per second. Lava runs one sample per run (its CPU runtime is
one OS process per Lava process); the emulator runs the whole batch at once. Spikes of every
layer are compared on the samples Lava ran.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "1")

from hwsnn.backends.lava.encode import encode_inputs
from hwsnn.backends.lava.lowering import map_graph
from hwsnn.backends.lava.process import run_lava
from hwsnn.ir import LIF, Graph, Input, Linear, Output
from hwsnn.sim.loihi import run_emulator

DT = 1e-3


def build(rng: np.random.Generator, steps: int) -> Graph:
    def lif() -> LIF:
        return LIF(tau_mem=0.02, r=20.0, reset="zero")

    return Graph.sequential(
        [
            ("x", Input(shape=(784,))),
            ("fc1", Linear(weight=rng.normal(0.0, 0.08, (128, 784)))),
            ("lif1", lif()),
            ("fc2", Linear(weight=rng.normal(0.05, 0.3, (10, 128)))),
            ("lif2", lif()),
            ("out", Output()),
        ],
        dt=DT,
        timesteps=steps,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--lava-samples", type=int, default=2)
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    artifact = map_graph(build(rng, args.steps), "loihi2")
    payload = encode_inputs(artifact, rng.random((args.batch, 784))).payload
    steps = payload.shape[0]
    start = time.perf_counter()
    emu = run_emulator(artifact, payload)
    emu_s = time.perf_counter() - start
    lava_s, exact = 0.0, True
    for i in range(args.lava_samples):
        start = time.perf_counter()
        trace = run_lava(artifact, payload[:, i : i + 1])
        lava_s += time.perf_counter() - start
        exact &= all(
            np.array_equal(trace.spikes[n], emu.spikes[n][:, i : i + 1]) for n in trace.spikes
        )
    emu_rate = args.batch * steps / emu_s
    lava_rate = args.lava_samples * steps / lava_s
    result = {
        "network": "784-128-10 LIF",
        "lava_steps": steps,
        "batch": args.batch,
        "emulator_sample_steps_per_s": emu_rate,
        "lava_sample_steps_per_s": lava_rate,
        "speedup": emu_rate / lava_rate,
        "bit_exact": bool(exact),
        "lava_samples": args.lava_samples,
        "spike_rate_lif1": float(emu.spikes["lif1"].mean()),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)


if __name__ == "__main__":
    main()
