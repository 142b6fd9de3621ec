"""Render reports/models/*.md from the JSON files ``hwsnn train`` wrote (copied next to this script).

    .venv/bin/python reports/models/render_tables.py   # reads reports/models/*.json
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent


def _pct(v: float) -> str:
    return f"{100 * v:.1f}"


def ttfs(d: dict) -> list[str]:  # type: ignore[type-arg]
    rows = ["| weights | torch accuracy (%) | sim.ttfs accuracy (%) | neurons that spiked |", "|---|---:|---:|---:|"]
    for bits, r in d["by_bits"].items():
        rows.append(f"| {bits}-bit | {_pct(r['torch_accuracy'])} | {_pct(r['sim_accuracy'])} | {r['spiked_fraction']:.3f} |")
    return [
        f"ANN twin (same layers, ReLU): **{_pct(d['ann_twin_accuracy'])} %**; TTFS n-LIF (32-bit): "
        f"**{_pct(d['ttfs_accuracy'])} %** (gap {100 * (d['ann_twin_accuracy'] - d['ttfs_accuracy']):.1f} points).",
        f"sim.ttfs vs torch (float64): max |dt| = {d['sim_vs_torch_float64_max_abs_dt_s']:.2e} s, prediction "
        f"agreement {_pct(d['sim_vs_torch_prediction_agreement'])} %. Train time {d['ttfs_train_s']:.0f} s.",
        "", *rows,
    ]


def bntt(d: dict) -> list[str]:  # type: ignore[type-arg]
    rows = ["| gamma threshold | exit step | steps saved (%) | accuracy (%) |", "|---:|---:|---:|---:|"]
    for r in d["early_exit"]:
        rows.append(f"| {r['gamma_threshold']:.3f} | {r['exit_step']} / {d['timesteps']} | "
                    f"{100 * r['steps_saved_fraction']:.1f} | {_pct(r['accuracy'])} |")
    prof = d["gamma_profile"]
    return [
        f"T = {d['timesteps']}, channels {d['channels']}, {d['epochs']} epochs, train {d['train_s']:.0f} s.",
        f"torch test accuracy **{_pct(d['torch_accuracy'])} %**; sim.float with its own Poisson draws "
        f"**{_pct(d['sim_accuracy_own_poisson'])} %**; on the same encoded input "
        f"{_pct(d['sim_accuracy_same_input'])} % with {_pct(d['sim_vs_torch_prediction_agreement_same_input'])} % "
        f"prediction agreement (max |output diff| {d['sim_vs_torch_max_abs_output_diff']:.3g}).",
        f"Mean gamma per layer, first -> last step: " + "; ".join(f"layer {i}: {p[0]:.3f} -> {p[-1]:.3f}" for i, p in enumerate(prof)),
        f"gamma falls over time in the last layer: {d['gamma_falls_in_last_layer']}.",
        *([f"Paper eq. 16 threshold fold instead of the exact TimeAffine (sim.float, same input): "
           f"{_pct(d['sim_accuracy_threshold_fold_same_input'])} %."]
          if "sim_accuracy_threshold_fold_same_input" in d else []),
        "", *rows,
    ]


def softlif(d: dict) -> list[str]:  # type: ignore[type-arg]
    steps = list(d["no_noise"]["spiking_accuracy_by_steps"])
    head = "| training | rate net (%) | " + " | ".join(f"spiking, {s} steps (%)" for s in steps) + " | gap (points) |"
    rows = [head, "|---|---:|" + "---:|" * len(steps) + "---:|"]
    for tag in ("no_noise", "noise"):
        r = d[tag]
        accs = " | ".join(_pct(r["spiking_accuracy_by_steps"][s]) for s in steps)
        rows.append(f"| {tag.replace('_', ' ')} | {_pct(r['rate_accuracy'])} | {accs} | {r['gap_points']:.1f} |")
    return [f"dt = {d['dt_s']} s; gap = rate - spiking at {d['timesteps']} steps (negative: spiking is better).",
            "", *rows]


def hbstdp(d: dict) -> list[str]:  # type: ignore[type-arg]
    rows = ["| kernels | accuracy (%) | fraction +1 |", "|---|---:|---:|"]
    for name in ("ehb", "ehb2", "ehb3", "random"):
        rows.append(f"| {name} | {_pct(d[name]['accuracy'])} | {d[name]['fraction_high']:.3f} |")
    e = d["ehb"]
    return [f"{d['maps']} binary 3x3 maps learned on {d['stdp_images']} images; kernel memory compression "
            f"(eq. 8, vs same-size fp32) {d['kernel_memory_compression_vs_same_size_fp32']:.0f}x; sim.float vs torch "
            f"on the same input: {_pct(e['sim_vs_torch_prediction_agreement_same_input'])} % agreement; sim.float with "
            f"its own Poisson draws: {_pct(e['sim_accuracy_own_poisson'])} %.", "", *rows]


def safe(d: dict) -> list[str]:  # type: ignore[type-arg]
    keys = [k for k in d["safe"] if k != "train_s"]
    rows = ["| network | " + " | ".join(keys) + " |", "|---|" + "---:|" * len(keys)]
    for name in ("safe", "baseline_cnn"):
        rows.append(f"| {name} | " + " | ".join(_pct(d[name][k]) for k in keys) + " |")
    return [f"Front-end IR export (Conv2d -> SAU) matches torch on {_pct(d['front_end_sim_match_fraction'])} % of "
            "activations.", "", *rows]


RENDER = {"ttfs": ttfs, "bntt": bntt, "softlif": softlif, "hbstdp": hbstdp, "safe": safe}


def main() -> None:
    for path in sorted(HERE.glob("*.json")):
        d = json.loads(path.read_text())
        method = d.get("method")
        if method not in RENDER:
            continue
        lines = [f"# {method} on {d['dataset']} ({d['n_train']} train / {d['n_test']} test)", "",
                 f"Command: `{d.get('command', '')}` (OMP_NUM_THREADS=1, 1 torch thread, seed {d['options']['seed']})",
                 "", *RENDER[method](d), ""]
        path.with_suffix(".md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
