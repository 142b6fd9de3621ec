"""Render the SAFE-DNN tables (``safe_*.md``) from the JSON files ``hwsnn train safe`` wrote.

Run: ``.venv/bin/python reports/models/safe_render.py`` (reads reports/models/safe_*.json).
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
KEYS = ("clean", "40dB", "30dB", "20dB", "15dB", "12dB")


def _pct(v: float) -> str:
    return f"{100 * v:.2f}"


def _rows(d: dict, seed: int) -> list[str]:  # type: ignore[type-arg]
    rows = []
    for name in ("safe", "baseline_cnn"):
        rows.append(f"| {seed} | {name} | " + " | ".join(_pct(d[name][k]) for k in KEYS) + " |")
    diff = [f"{100 * (d['safe'][k] - d['baseline_cnn'][k]):+.2f}" for k in KEYS]
    rows.append(f"| {seed} | safe - baseline (points) | " + " | ".join(diff) + " |")
    return rows


def _drops(d: dict, seed: int) -> list[str]:  # type: ignore[type-arg]
    return [
        f"| {seed} | {name} | "
        + " | ".join(f"{100 * (d[name]['clean'] - d[name][k]):.2f}" for k in KEYS[1:])
        + " |"
        for name in ("safe", "baseline_cnn")
    ]


def _paths(runs: list[dict]) -> list[str]:  # type: ignore[type-arg]
    """Accuracy lost when only one parallel path sees the noisy image (``*_noise_by_path``)."""
    have = [d for d in runs if "safe_noise_by_path" in d]
    if not have:
        return []
    cols = list(have[0]["safe_noise_by_path"])
    lines = [
        "Where the noise gets in: accuracy lost (clean minus noisy, points) when only the front end"
        " (STDP module, or the baseline's trainable conv) or only the auxiliary CNN sees the noisy"
        " image and the other path the clean one:",
        "",
        "| seed | network | " + " | ".join(c.replace("_", " ") for c in cols) + " |",
        "|---|---|" + "---:|" * len(cols),
    ]
    for d in have:
        for name in ("safe", "baseline_cnn"):
            split = d[f"{name}_noise_by_path"]
            lost = [f"{100 * (d[name]['clean'] - split[c]):.2f}" for c in cols]
            lines.append(f"| {d['options']['seed']} | {name} | " + " | ".join(lost) + " |")
    return [*lines, ""]


def _verdict(d: dict) -> str:  # type: ignore[type-arg]
    at20 = 100 * (d["safe"]["20dB"] - d["baseline_cnn"]["20dB"])
    clean = 100 * (d["safe"]["clean"] - d["baseline_cnn"]["clean"])
    met = at20 > 0 and clean >= -0.5
    return (
        f"Seed {d['options']['seed']}: SAFE - baseline = {at20:+.2f} points at 20 dB, "
        f"{clean:+.2f} points clean: target (better at 20 dB, clean within 0.5) "
        + ("**met**." if met else "**not met**.")
    )


def _conversion(d: dict) -> str:  # type: ignore[type-arg]
    """How the STDP kernels were converted (recipe constants recorded in the JSON)."""
    if "on_off" not in d:
        return ""
    share = d["kernel_inhibition"]
    kernels = "zero-sum" if share == 1.0 else f"inhibition {share}"
    pair = ", ON/OFF pair per map (baseline: conv + CReLU)" if d["on_off"] else ""
    return f" ({kernels} kernels, threshold {d['sau_offset_std']:g} std above the mean{pair})"


def _mean_line(runs: list[dict]) -> list[str]:  # type: ignore[type-arg]
    """Mean and standard error over seeds of the paired SAFE - baseline differences."""
    if len(runs) < 2:
        return []
    parts, means = [], {}
    for key in ("clean", "20dB", "12dB"):
        diffs = [100 * (d["safe"][key] - d["baseline_cnn"][key]) for d in runs]
        mean = sum(diffs) / len(diffs)
        se = (sum((x - mean) ** 2 for x in diffs) / (len(diffs) - 1) / len(diffs)) ** 0.5
        parts.append(f"{key} {mean:+.2f} +- {se:.2f}")
        means[key] = mean
    met = sum(
        d["safe"]["20dB"] > d["baseline_cnn"]["20dB"]
        and d["safe"]["clean"] - d["baseline_cnn"]["clean"] >= -0.005
        for d in runs
    )
    return [
        f"Mean over {len(runs)} seeds, SAFE - baseline (points, +- standard error): "
        + ", ".join(parts)
        + f"; target met on {met} of {len(runs)} seeds; the means "
        + ("meet" if means["20dB"] > 0 and means["clean"] >= -0.5 else "do not meet")
        + " it (better at 20 dB, clean within 0.5).",
        "",
    ]


def _network_line(runs: list[dict]) -> list[str]:  # type: ignore[type-arg]
    key = "network_sim_same_prediction_fraction"
    found = [f"{_pct(d[key])} % same predictions" for d in runs if key in d]
    if not found:
        return []
    return ["Whole SAFE-DNN IR export (sim.float) vs torch on the test set: " + ", ".join(found)]


def main() -> None:
    """Write ``safe_fashion-mnist_60k.md`` from every ``safe_fashion-mnist_60k*.json``."""
    runs = [json.loads(p.read_text()) for p in sorted(HERE.glob("safe_fashion-mnist_60k*.json"))]
    head = ["| seed | network | " + " | ".join(KEYS) + " |", "|---|---|" + "---:|" * len(KEYS)]
    rows = [r for d in runs for r in _rows(d, d["options"]["seed"])]
    d0 = runs[0]
    lines = [
        f"# SAFE-DNN vs same-size CNN on {d0['dataset']} ({d0['n_train']} train / "
        f"{d0['n_test']} test), accuracy (%) under Gaussian noise",
        "",
        *(f"Command: `{d['command']}` (OMP_NUM_THREADS=1, 1 torch thread)" for d in runs),
        "",
        f"Spiking module: {d0['front_end_maps']} maps learned by FD stochastic STDP on "
        f"{d0['stdp_images']} clean training images, SAU with {d0['sau_levels']} levels"
        f"{_conversion(d0)}; "
        f"auxiliary CNN {d0.get('aux_layers', 1)} conv layers x {d0['aux_maps']} maps (same in "
        f"both networks); {d0['epochs']} epochs ({d0.get('lr_schedule', 'Adam 2e-3')}), clean "
        "training data only for both networks; same noisy test images for both (per-image SNR).",
        "Front-end IR export (Input -> Conv2d with BN folded -> SAU) vs torch: "
        + ", ".join(f"{_pct(d['front_end_sim_match_fraction'])} % equal" for d in runs)
        + " of activations.",
        *_network_line(runs),
        "",
        *head,
        *rows,
        "",
        "Accuracy lost to the noise (clean minus noisy, points):",
        "",
        "| seed | network | " + " | ".join(KEYS[1:]) + " |",
        "|---|---|" + "---:|" * (len(KEYS) - 1),
        *(r for d in runs for r in _drops(d, d["options"]["seed"])),
        "",
        *_paths(runs),
        *(_verdict(d) for d in runs),
        "",
        *_mean_line(runs),
        *(["![accuracy vs SNR, seed 0](safe_fashion-mnist_60k.png)", ""] if "on_off" in d0 else []),
    ]
    (HERE / "safe_fashion-mnist_60k.md").write_text("\n".join(lines))
    if "on_off" in d0:  # the figure `hwsnn train safe` writes, for the first seed
        from hwsnn.models.safe_plot import noise_figure

        (HERE / "safe_fashion-mnist_60k.png").write_bytes(noise_figure(d0))


if __name__ == "__main__":
    main()
