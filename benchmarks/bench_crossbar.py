"""Noisy crossbar inference of a 512x512 binary layer at batch 64 vs an ideal torch matmul.

Both run side by side (interleaved) in one process on one thread; the noisy path includes
device spread, row/column IR drop, per-event read noise (one exact Gaussian per column read),
per-tile ADC and the digital offset. Costs are the thread's CPU time per call (``ratio``, the
target noisy / ideal <= 2), robust to other processes on a shared machine; wall-clock times
are reported beside them (``*_wall_ms``, ``ratio_wall``).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_crossbar.py [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import torch

from hwsnn.backends.crossbar import Fidelity, load_spec
from hwsnn.backends.crossbar.mapping import map_matrix
from hwsnn.backends.crossbar.readout import make_reader


def _median_ms(fn, x, repeats: int, inner: int) -> tuple[float, float]:
    """Median (CPU, wall) milliseconds per call over ``repeats`` runs of ``inner`` calls."""
    cpu, wall = [], []
    for _ in range(repeats):
        c0, t0 = time.thread_time(), time.perf_counter()
        for _ in range(inner):
            fn(x)
        cpu.append((time.thread_time() - c0) / inner)
        wall.append((time.perf_counter() - t0) / inner)
    return 1e3 * float(np.median(cpu)), 1e3 * float(np.median(wall))


def bench(
    target: str,
    *,
    n: int = 512,
    batch: int = 64,
    activity: float = 0.2,
    repeats: int = 15,
    inner: int = 20,
) -> dict[str, float | str]:
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    spec = load_spec(target)
    w = 0.05 * np.where(rng.random((n, n)) < 0.5, -1.0, 1.0)
    layer = map_matrix("bench", w, None, spec, rng=rng, ideal=False, binarize=False)
    reader = make_reader(layer, Fidelity.NOISY, rng=rng)
    reader.count = False
    linear = torch.nn.Linear(n, n, bias=False)
    with torch.no_grad():
        linear.weight.copy_(torch.as_tensor(w, dtype=torch.float32))
    x = torch.as_tensor((rng.random((batch, n)) < activity).astype(np.float32))
    with torch.no_grad():
        err = float((reader(x) - linear(x)).norm() / linear(x).norm())
        ideal, noisy = [], []
        for _ in range(3):  # interleave to share machine load fairly
            ideal.append(_median_ms(linear, x, repeats, inner))
            noisy.append(_median_ms(reader, x, repeats, inner))
    (t_i, w_i), (t_n, w_n) = min(ideal), min(noisy)
    return {
        "target": spec.name,
        "tile": f"{spec.array.rows}x{spec.array.cols}",
        "mapping": spec.array.mapping.value,
        "batch": batch,
        "ideal_ms": t_i,
        "noisy_ms": t_n,
        "ratio": t_n / t_i,
        "ideal_wall_ms": w_i,
        "noisy_wall_ms": w_n,
        "ratio_wall": w_n / w_i,
        "relative_error": err,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    rows = [bench(t) for t in ("rram", "mtj")]
    for r in rows:
        print(
            f"{r['target']:14s} tiles {r['tile']:8s} ideal {r['ideal_ms']:.3f} ms  noisy "
            f"{r['noisy_ms']:.3f} ms  ratio {r['ratio']:.2f}x (wall {r['ratio_wall']:.2f}x)  "
            f"rel. error {r['relative_error']:.3f}"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
