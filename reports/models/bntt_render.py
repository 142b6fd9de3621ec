"""Markdown body of a ``hwsnn train bntt`` JSON (used by render_tables.py; runnable alone).

.venv/bin/python reports/models/bntt_render.py reports/models/bntt_*.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _pct(v: float) -> str:
    return f"{100 * v:.1f}"


def _gamma_lines(d: dict) -> list[str]:  # type: ignore[type-arg]
    head = "| layer | " + " | ".join(f"t={t + 1}" for t in range(d["timesteps"])) + " |"
    rows = [head, "|---|" + "---:|" * d["timesteps"]]
    for i, p in enumerate(d["gamma_profile"]):
        rows.append(f"| {i} | " + " | ".join(f"{v:.3f}" for v in p) + " |")
    falls = "; ".join(
        f"layer {i}: first {s['first']:.3f}, peak {s['peak']:.3f} at t={s['peak_step']}, last "
        f"{s['last']:.3f} (falls to <= half the peak: {s['falls']})"
        for i, s in enumerate(d["gamma_summary"])
    )
    return ["Mean gamma per layer and step (paper 004 Fig. 3):", "", *rows, "", falls + "."]


def bntt(d: dict) -> list[str]:  # type: ignore[type-arg]
    """Lines of the report for one run."""
    cfg, c = d["config"], d["early_exit_choice"]
    rows = [
        "| mean abs gamma threshold | exit step | steps saved (%) | held-out train acc. (%) | test acc. (%) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in d["early_exit"]:
        rows.append(
            f"| {r['gamma_threshold']:.4f} | {r['exit_step']} / {d['timesteps']} | "
            f"{100 * r['steps_saved_fraction']:.1f} | {_pct(r['val_accuracy'])} | {_pct(r['accuracy'])} |"
        )
    return [
        f"T = {d['timesteps']}, channels {d['channels']}, hidden {cfg['hidden']}, leak {cfg['leak']}, "
        f"Poisson gain {cfg['input_gain']}, SGD lr {cfg['lr']} momentum {cfg['momentum']}, weight decay "
        f"{cfg['weight_decay']}, gamma decay {cfg['gamma_decay']}, {d['epochs']} epochs, batch "
        f"{cfg['batch_size']}; {d['n_train']} training samples, {d['n_val']} held out (exit choice), "
        f"{d['n_test']} test; train {d['train_s']:.0f} s.",
        "",
        f"torch test accuracy (all {d['timesteps']} steps) **{_pct(d['torch_accuracy'])} %**.",
        f"Early exit chosen on the held-out training part ({c['rule']}): exit after "
        f"**{c['exit_step']} / {d['timesteps']} steps ({100 * c['steps_saved_fraction']:.1f} % saved)**, "
        f"mean |gamma| threshold {c['gamma_threshold']:.4f}; held-out {_pct(c['val_accuracy_full'])} -> "
        f"{_pct(c['val_accuracy_exit'])} %; test {_pct(c['test_accuracy_full'])} -> "
        f"**{_pct(c['test_accuracy_exit'])} %** ({c['test_accuracy_loss_points']:.2f} points lost).",
        f"sim.float on the first {d['sim_n_test']} test samples (torch {_pct(d['torch_accuracy_sim_subset'])} %): "
        f"own Poisson draws {_pct(d['sim_accuracy_own_poisson'])} %; same encoded input "
        f"{_pct(d['sim_accuracy_same_input'])} % with "
        f"{_pct(d['sim_vs_torch_prediction_agreement_same_input'])} % prediction agreement "
        f"(max |output diff| {d['sim_vs_torch_max_abs_output_diff']:.3g}); paper eq. 16 threshold fold "
        f"instead of the exact TimeAffine: {_pct(d['sim_accuracy_threshold_fold_same_input'])} %.",
        "",
        *_gamma_lines(d),
        "",
        "Every exit step a gamma threshold can give:",
        "",
        *rows,
    ]


def main(paths: list[str]) -> None:
    """Write ``X.md`` next to each ``X.json``."""
    for path in map(Path, paths):
        d = json.loads(path.read_text())
        lines = [
            f"# bntt on {d['dataset']} ({d['n_train']} + {d['n_val']} train / {d['n_test']} test)",
            "",
            f"Command: `{d.get('command', '')}` (OMP_NUM_THREADS=1, 1 torch thread, seed "
            f"{d['options']['seed']})",
            "",
            *bntt(d),
            "",
        ]
        path.with_suffix(".md").write_text("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
