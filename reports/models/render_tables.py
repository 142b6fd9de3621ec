"""Render the TTFS and soft-LIF tables in reports/models/ from the JSON files ``hwsnn train`` wrote.

    .venv/bin/python reports/models/render_tables.py   # reads reports/models/{ttfs,softlif}*.json

BNTT, HB-STDP and SAFE tables have their own renderers: bntt_render.py, hbstdp_render.py,
safe_render.py.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent


def _pct(v: float) -> str:
    return f"{100 * v:.1f}"


_OLD_LR = {
    "[0.001, 0.0001]": " (the recipe default when this was run; the default is now [0.0005, 5e-05])"
}


def _ttfs_setup(d: dict) -> list[str]:  # type: ignore[type-arg]
    if "loss" not in d:  # runs made before the recipe recorded its loss and optimiser
        return []
    net = " -> ".join(s[0] + "(" + ",".join(map(str, s[1:])) + ")" for s in d["spec"])
    return [
        f"Network {net}; loss {d.get('loss')}; Adam lr {d.get('lr')}{_OLD_LR.get(str(d.get('lr')), '')}, "
        f"batch {d.get('batch_size')}; "
        f"{d['epochs']} epochs, then {d['qat_epochs']} QAT epoch per level (8 -> 4 -> 2 bit, forward "
        "quantised, backward full precision). ANN twin: same layers without bias, ReLU, same data, "
        f"epochs and lr schedule ({d['ann_twin_train_s']:.0f} s).",
        "",
    ]


def _ttfs_history(d: dict) -> list[str]:  # type: ignore[type-arg]
    if "history" not in d:
        return []
    return [
        "", "Per epoch (bits, epoch, mean training loss, test accuracy %, seconds):", "",
        "| bits | epoch | loss | test acc. (%) | s |", "|---:|---:|---:|---:|---:|",
        *[f"| {b} | {e} | {l:.3f} | {100 * a:.2f} | {s:.0f} |" for b, e, l, a, s in d["history"]],
    ]


def ttfs(d: dict) -> list[str]:  # type: ignore[type-arg]
    rows = ["| weights | torch accuracy (%) | sim.ttfs accuracy (%) | neurons that spiked |", "|---|---:|---:|---:|"]
    for bits, r in d["by_bits"].items():
        rows.append(f"| {bits}-bit | {_pct(r['torch_accuracy'])} | {_pct(r['sim_accuracy'])} | {r['spiked_fraction']:.3f} |")
    return [
        *_ttfs_setup(d),
        f"ANN twin (same layers, ReLU): **{_pct(d['ann_twin_accuracy'])} %**; TTFS n-LIF (32-bit): "
        f"**{_pct(d['ttfs_accuracy'])} %** (gap {100 * (d['ann_twin_accuracy'] - d['ttfs_accuracy']):.1f} points).",
        f"sim.ttfs vs torch (float64): max |dt| = {d['sim_vs_torch_float64_max_abs_dt_s']:.2e} s, prediction "
        f"agreement {_pct(d['sim_vs_torch_prediction_agreement'])} %. Train time {d['ttfs_train_s']:.0f} s.",
        "", *rows, *_ttfs_history(d),
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


RENDER = {"ttfs": ttfs, "softlif": softlif}
"""Methods rendered here; BNTT, HB-STDP and SAFE have their own ``*_render.py`` beside this file."""


def main() -> None:
    for path in sorted(HERE.glob("*.json")):
        d = json.loads(path.read_text())
        method = d.get("method")
        if method not in RENDER:
            continue
        lines = [f"# {method} on {d['dataset']} ({d['n_train']} train / {d['n_test']} test)", "",
                 f"Command: `{d.get('command', '')}` (OMP_NUM_THREADS=1, 1 torch thread, seed {d['options']['seed']})",
                 "", *RENDER[method](d), ""]
        notes = path.with_suffix(".notes.md")  # a run's discussion, kept beside its table
        if notes.is_file():
            lines += [notes.read_text().rstrip(), ""]
        path.with_suffix(".md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
