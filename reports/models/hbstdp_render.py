"""Render the HB-STDP report files from the seed JSONs written by ``hwsnn train hbstdp``.

    .venv/bin/python reports/models/hbstdp_render.py
    # reads reports/models/hbstdp_fashion-mnist_6k*.json, writes the .md beside each and
    # hbstdp_variants.md (paper 002 Fig. 4 variants, learned vs random, paired over seeds)
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

HERE = Path(__file__).parent
ROWS = (
    ("ehb", "eHB-STDP, fitted windows (dead zone {fitted})"),
    ("ehb2", "eHB-STDP2: dead zone -> potentiation"),
    ("ehb3", "eHB-STDP3: dead zone -> depression"),
    ("table3_ehb", "eHB-STDP, Table 3 windows (dead zone {table3})"),
    ("table3_ehb2", "eHB-STDP2, Table 3 windows"),
    ("table3_ehb3", "eHB-STDP3, Table 3 windows"),
    ("random", "random eq. 7 kernels, own eq. 4 thresholds"),
    ("random_zero_threshold", "random eq. 7 kernels, zero thresholds (paper 002 Sec. 3.3 baseline)"),
    ("random_uniform", "random uniform (p = 0.5) kernels, own eq. 4 thresholds"),
    ("random_uniform_zero_threshold", "random uniform kernels, zero thresholds"),
)
PAIRS = (
    ("ehb", "random", "learned - random eq. 7 (own thresholds)"),
    ("ehb", "random_zero_threshold", "learned - random eq. 7, zero thresholds (paper's baseline)"),
    ("ehb", "random_uniform", "learned - random uniform (own thresholds)"),
    ("ehb", "random_uniform_zero_threshold", "learned - random uniform, zero thresholds"),
    ("ehb", "ehb2", "dead zone: eHB-STDP - eHB-STDP2"),
    ("ehb", "ehb3", "dead zone: eHB-STDP - eHB-STDP3"),
    ("ehb", "table3_ehb", "fitted - Table 3 windows"),
)


def _row(key: str, label: str, runs: list[dict]) -> str:  # type: ignore[type-arg]
    acc = [100 * r[key]["accuracy"] for r in runs]
    win = runs[0][key]["window_fractions"]
    cells = " / ".join(f"{a:.2f}" for a in acc)
    return (f"| {label} | {cells} | {statistics.mean(acc):.2f} | {runs[0][key]['fraction_high']:.3f} | "
            f"{runs[0][key]['distinct_kernels']} | {win['hebb_pot']:.3f} / {win['dead_zone']:.3f} / "
            f"{win['antihebb_dep']:.3f} |")


def _diff(a: str, b: str, runs: list[dict]) -> tuple[list[float], float, float]:  # type: ignore[type-arg]
    d = [100 * (r[a]["accuracy"] - r[b]["accuracy"]) for r in runs]
    se = statistics.stdev(d) / len(d) ** 0.5 if len(d) > 1 else float("nan")
    return d, statistics.mean(d), se


def _pair(a: str, b: str, label: str, runs: list[dict]) -> str:  # type: ignore[type-arg]
    d, mean, se = _diff(a, b, runs)
    verdict = "beyond 2 SE" if mean > 2 * se else ("below -2 SE" if mean < -2 * se else "within 2 SE")
    return f"| {label} | {' / '.join(f'{x:+.2f}' for x in d)} | {mean:+.2f} +- {se:.2f} | {verdict} |"


def _seed_md(path: Path, d: dict) -> None:  # type: ignore[type-arg]
    e = d["ehb"]
    lines = [
        f"# hbstdp on {d['dataset']} ({d['n_train']} train / {d['n_test']} test)", "",
        f"Command: `{d['command']}` (OMP_NUM_THREADS=1, 1 torch thread, seed {d['options']['seed']})", "",
        f"Input {d['input']}; {d['maps']} binary {d['kernel_size']}x{d['kernel_size']} maps, "
        f"winner-take-all over depth during learning: {d['wta_depth']}, learned on {d['stdp_images']} "
        f"images; kernel memory compression (eq. 8, vs same-size fp32) "
        f"{d['kernel_memory_compression_vs_same_size_fp32']:.0f}x; sim.float vs torch on the same input: "
        f"{100 * e['sim_vs_torch_prediction_agreement_same_input']:.1f} % agreement; sim.float (DoG "
        f"front end in the graph) with its own Poisson draws: {100 * e['sim_accuracy_own_poisson']:.1f} %.",
        "", "| kernels | accuracy (%) | fraction +1 |", "|---|---:|---:|",
        *(f"| {k} | {100 * d[k]['accuracy']:.2f} | {d[k]['fraction_high']:.3f} |" for k, _ in ROWS if k in d),
        "",
    ]
    path.with_suffix(".md").write_text("\n".join(lines))


def main() -> None:
    paths = sorted(HERE.glob("hbstdp_fashion-mnist_6k*.json"))
    runs = [json.loads(p.read_text()) for p in paths]
    for p, r in zip(paths, runs, strict=True):
        _seed_md(p, r)
    seeds = [r["options"]["seed"] for r in runs]
    d = runs[0]
    k = d["kernel_size"]
    win = {name: f"{lo}..{hi}" for name, (hi, lo) in d["windows"].items()}
    lines = [
        f"# HB-STDP (paper 002): Fig. 4 variants and learned vs random kernels, {d['dataset']}",
        "",
        f"{d['n_train']} train / {d['n_test']} test (class-balanced). Input: {d['input']} for every row. "
        f"{d['maps']} binary {k}x{k} maps learned on {d['stdp_images']} images with winner-take-all over "
        f"depth (mini-batch 200, Table 3 C1 CIFAR-10 column: alpha_init 30, p_pot 0.05, p_dep 0.01, "
        f"tau_pre 1.45 ms, STDP_stride 5, p_drop 0.5, beta_thresh 6e-4), features over "
        f"{d['feature_steps']} steps, softmax readout {d['readout_epochs']} epochs; seeds {seeds}.",
        "Commands: " + "; ".join(f"`{r['command']}`" for r in runs) + " (OMP_NUM_THREADS=1).",
        "",
        "| kernels | accuracy per seed (%) | mean (%) | fraction +1 (first seed) | distinct kernels | "
        "windows hit: pot / dead / dep (first seed) |",
        "|---|---|---:|---:|---:|---|",
        *(_row(key, label.format(**win), runs) for key, label in ROWS if key in d),
        "",
        "Paired differences (same seed, data and test set), points; mean +- SE over seeds:",
        "",
        "| comparison | per seed | mean +- SE | |",
        "|---|---|---:|---|",
        *(_pair(a, b, label, runs) for a, b, label in PAIRS if a in d and b in d),
        "",
        f"SE of one accuracy at {d['n_test']} test images ~{100 * (0.85 * 0.15 / d['n_test']) ** 0.5:.1f} "
        "points (the paired differences share the test set). sim.float vs torch on the same input "
        f"(first seed): {100 * d['ehb']['sim_vs_torch_prediction_agreement_same_input']:.1f} % agreement.",
        "Reading. On this input and architecture the learned kernels beat random eq. 7 kernels with "
        "their own eq. 4 thresholds and random p = 0.5 kernels with their own thresholds in every seed; "
        "against the paper's Sec. 3.3 baseline (eq. 7 kernels, zero thresholds) the gain is smaller and "
        "against p = 0.5 kernels with zero thresholds it is inside the noise (see the table above). "
        "Removing the dead zone toward potentiation (eHB-STDP2) costs accuracy; toward depression "
        "(eHB-STDP3) it does not. Table 3's own windows let potentiation dominate (kernels drift "
        "towards all +1). See hbstdp_sweep.md for how this setting was found and the earlier "
        "(raw-input) results.",
        "",
    ]
    (HERE / "hbstdp_variants.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
