r"""On-chip learning tables: device-realised vs ideal-probability STDP on MTJ and RRAM crossbars.

    OMP_NUM_THREADS=1 python -m hwsnn.backends.crossbar.learning_report \
        --out reports/crossbar --seeds 16 --workers 2

For each rule (paper 002 HB-STDP, paper 000 FD-STDP), target and realisation variant, trains
the binary WTA SNN on digits with ``seeds`` paired seeds (ablation variants on the first
``ablation-seeds``) (the same seed gives the same data
order, initial weights, input spikes and rule uniforms to every variant) and writes

* ``learning_runs.jsonl``: one line per run (appended as runs finish);
* ``learning_tables.json`` / ``learning_tables.md``: mean accuracy with its standard error over
  seeds, the paired gap to the ideal rule with its standard error, write attempts, switches,
  disturbs, write energy per epoch, the one-off calibration cost, and wanted vs realised
  switching probability per rule window.

Variants: ``ideal`` (exact probabilities); ``population`` (the earlier realisation: one pulse
per level on the d2d population mean, bidirectional read disturb); ``trimmed-either`` (per-device
ramp-trimmed pulses, same disturb); ``population-reset-read`` (population pulses, reads in the
RESET polarity); ``trimmed`` (both; the default of :class:`PulseConfig`); ``trimmed-64`` (64
ramps per device instead of 16); ``trimmed-virtual`` (levels designed on a virtual trimmed
population, :func:`~hwsnn.backends.crossbar.learning_pulses.virtual_models`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.crossbar.learning import HbStdpConfig, Realisation, train_hb_stdp
from hwsnn.backends.crossbar.learning_fdstdp import FdStdpConfig, train_fd_stdp
from hwsnn.backends.crossbar.learning_pulses import Calibration, PulseConfig, ReadPolarity

__all__ = ["VARIANTS", "plan", "probability_table", "run_one", "summarise", "write_tables"]

F64 = NDArray[np.float64]

VARIANTS: dict[str, tuple[Realisation, PulseConfig]] = {
    "ideal": (Realisation.IDEAL, PulseConfig()),
    "population": (
        Realisation.DEVICE,
        PulseConfig(
            calibration=Calibration.POPULATION, c2c_in_mean=False, read_polarity=ReadPolarity.EITHER
        ),
    ),
    "trimmed-either": (
        Realisation.DEVICE,
        PulseConfig(read_polarity=ReadPolarity.EITHER, virtual_design=False),
    ),
    "population-reset-read": (
        Realisation.DEVICE,
        PulseConfig(calibration=Calibration.POPULATION),
    ),
    "trimmed": (Realisation.DEVICE, PulseConfig(virtual_design=False)),
    "trimmed-64": (Realisation.DEVICE, PulseConfig(ramps=64, virtual_design=False)),
    "trimmed-virtual": (Realisation.DEVICE, PulseConfig(virtual_design=True)),
}
_ESSENTIAL: dict[str, tuple[tuple[str, str], ...]] = {
    "hb-stdp": (
        ("mtj", "ideal"),
        ("mtj", "trimmed"),
        ("rram", "trimmed"),
        ("mtj", "trimmed-64"),
        ("mtj", "trimmed-virtual"),
        ("rram", "trimmed-virtual"),
    ),
    "fd-stdp": (
        ("mtj", "ideal"),
        ("mtj", "trimmed"),
        ("rram", "trimmed"),
        ("mtj", "trimmed-virtual"),
        ("rram", "trimmed-virtual"),
    ),
}
"""Every seed: the ideal rule (one target: its trajectory does not depend on the device) and the
trimmed realisation on both targets."""
_ABLATION: dict[str, tuple[tuple[str, str], ...]] = {
    "hb-stdp": (
        ("mtj", "population"),
        ("rram", "population"),
        ("rram", "trimmed-either"),
        ("rram", "population-reset-read"),
    ),
    "fd-stdp": (("mtj", "population"), ("rram", "population-reset-read")),
}
NETWORK: dict[str, Any] = {"n_neurons": 100, "timesteps": 60, "max_rate_hz": 300.0}
"""The network of ``studies.run_learning`` (100 neurons, 60 steps of 1 ms, 300 Hz inputs)."""


def plan(seeds: int, ablation_seeds: int, seed0: int = 0) -> list[tuple[str, str, str, int]]:
    """Every (rule, target, variant, seed) run: ablations on the first ``ablation_seeds`` first."""
    jobs = []
    for k in range(max(seeds, ablation_seeds)):
        table = [_ESSENTIAL] if k < seeds else []
        table += [_ABLATION] if k < ablation_seeds else []
        jobs += [
            (rule, target, variant, seed0 + k)
            for part in table
            for rule, pairs in part.items()
            for target, variant in pairs
        ]
    return jobs


def _digits() -> tuple[F64, NDArray[np.int64], F64, NDArray[np.int64]]:
    from hwsnn.data import load_digits

    d = load_digits()

    def flat(a: NDArray[np.float32]) -> F64:
        return np.ascontiguousarray(a.reshape(len(a), -1), dtype=np.float64)

    return flat(d.x_train), d.y_train, flat(d.x_test), d.y_test


def run_one(job: tuple[str, str, str, int]) -> dict[str, Any]:
    """Run one (rule, target, variant, seed) and return its result as a JSON-able dict."""
    from hwsnn.backends.crossbar.specfile import load_spec

    rule, target, variant, seed = job
    mode, pulses = VARIANTS[variant]
    spec = load_spec(target)
    data = _digits()
    if rule == "hb-stdp":
        res = train_hb_stdp(
            spec, *data, realisation=mode, seed=seed, config=HbStdpConfig(**NETWORK, pulses=pulses)
        )
    else:
        res = train_fd_stdp(
            spec, *data, realisation=mode, seed=seed, config=FdStdpConfig(**NETWORK, pulses=pulses)
        )
    doc = dataclasses.asdict(res)
    doc.update(target=spec.name, variant=variant)
    if rule == "fd-stdp":
        doc["pulses"] = doc["pulses"][:: max(1, len(doc["pulses"]) // 8)]
    return doc


def _stat(values: list[float]) -> dict[str, float]:
    a = np.asarray(values, dtype=np.float64)
    sd = float(a.std(ddof=1)) if a.size > 1 else float("nan")
    return {"mean": float(a.mean()), "sd": sd, "se": sd / math.sqrt(a.size), "n": int(a.size)}


def _windows(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name in sorted({w["window"] for r in runs for w in r["windows"]}):
        ws = [w for r in runs for w in r["windows"] if w["window"] == name]
        out[name] = {
            k: float(np.mean([w[k] for w in ws]))
            for k in ("wanted_mean", "realised_mean", "realised_cv")
        }
    return out


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per (rule, target, variant): accuracy, paired gap to ideal, counts and energies."""
    table: dict[str, Any] = {}
    keys = sorted({(r["rule"], r["target"], r["variant"]) for r in runs})
    for rule, target, variant in keys:
        mine = {
            r["seed"]: r
            for r in runs
            if (r["rule"], r["target"], r["variant"]) == (rule, target, variant)
        }
        # the ideal trajectory does not depend on the target (common random numbers)
        ideal = {r["seed"]: r for r in runs if (r["rule"], r["variant"]) == (rule, "ideal")}
        paired = sorted(set(mine) & set(ideal))
        rs = list(mine.values())
        row: dict[str, Any] = {
            "accuracy": _stat([r["accuracy"] for r in rs]),
            "test_samples": rs[0]["test_samples"],
            "per_run_binomial_se": float(np.mean([r["accuracy_se"] for r in rs])),
            "write_attempts_per_epoch": float(
                np.mean([r["write_attempts"] / r["epochs"] for r in rs])
            ),
            "switches_per_epoch": float(np.mean([r["switches"] / r["epochs"] for r in rs])),
            "disturbs_per_epoch": float(np.mean([r["disturbs"] / r["epochs"] for r in rs])),
            "write_energy_per_epoch_j": float(np.mean([r["write_energy_per_epoch_j"] for r in rs])),
            "windows": _windows(rs),
            "pulses": rs[0]["pulses"],
        }
        if paired and variant != "ideal":
            gap = [100 * (ideal[s]["accuracy"] - mine[s]["accuracy"]) for s in paired]
            row["gap_points"] = _stat(gap)
        cal = [r["calibration"] for r in rs if r.get("calibration")]
        if cal:
            row["calibration"] = {
                k: float(np.mean([c[k] for c in cal])) for k in cal[0] if k != "ramps"
            } | {"ramps": cal[0]["ramps"]}
        table[f"{rule}/{target}/{variant}"] = row
    return table


def probability_table(seed: int = 0, shape: tuple[int, int] = (64, 100)) -> list[dict[str, Any]]:
    """Realised per-device switching probability of two HB-STDP levels, without training.

    For each target, calibration and DAC resolution: the mean and coefficient of variation over
    a ``shape`` population (seed ``seed``) of the per-event probability (c2c averaged) that the
    pulse for a wanted 0.08 (SET) or 0.005 (RESET) gives each device.
    """
    from hwsnn.backends.crossbar.cells import make_cells
    from hwsnn.backends.crossbar.learning_pulses import PulseRealiser, population_model
    from hwsnn.backends.crossbar.specfile import load_spec

    rows = []
    for target in ("mtj", "rram"):
        spec = load_spec(target)
        cells = make_cells(spec, np.zeros(shape, dtype=bool), np.random.default_rng(seed + 1))
        c2c = spec.variability.c2c_sigma_switch
        for cal in Calibration:
            for bits in (None, 8, 10, 12):
                cfg = PulseConfig(calibration=cal, dac_bits=bits)
                r = PulseRealiser(spec, cfg, cells, np.random.default_rng(seed + 4))
                for want, setting in ((0.08, True), (0.005, False)):
                    a = r.amplitude_map(r.amplitude(want, setting), shape)
                    ev = population_model(spec, setting, sigma_scale=c2c, sigma_delta=0.0)
                    p = ev.probability(
                        a, r.width_s, scale=cells.switch_scale, delta_scale=cells.delta_scale
                    )
                    rows.append(
                        {
                            "target": spec.name,
                            "calibration": cal.value,
                            "dac_bits": bits,
                            "wanted": want,
                            "realised_mean": float(p.mean()),
                            "realised_cv": float(p.std() / p.mean()),
                        }
                    )
    return rows


def _md_probabilities(rows: list[dict[str, Any]]) -> str:
    head = (
        "\nPer-device switching probability per event (c2c averaged) for two HB-STDP levels, "
        "64 x 100 devices, no training:\n"
        "\n| target | calibration | DAC bits | wanted p | realised mean | realised CV |\n"
        + "|---" * 6
        + "|\n"
    )
    return head + "".join(
        f"| {r['target']} | {r['calibration']} | {r['dac_bits'] or 'continuous'} | {r['wanted']} "
        f"| {r['realised_mean']:.4f} | {r['realised_cv']:.2f} |\n"
        for r in rows
    )


_INTRO = """# On-chip learning on MTJ / RRAM crossbars: device-realised vs ideal probabilities

Digits (1438 train / 359 test), WTA binary SNN of 100 neurons, 60 steps of 1 ms, 300 Hz inputs,
one epoch. Every variant of one seed shares data order, initial weights, input spikes and the
rule's uniforms with the ideal run. Accuracy SE is over seeds; the gap is ideal minus variant,
paired by seed (SE of the paired differences). One run's binomial SE on 359 test images is
~2.4 points. Calibration = per-device program-and-verify ramps, paid once before learning
(writes include the RESETs; energy = writes + verify reads). Regenerate with
`python -m hwsnn.backends.crossbar.learning_report --out reports/crossbar`.

"""


def _md(table: dict[str, Any]) -> str:
    head = _INTRO + (
        "| rule / target / variant | seeds | accuracy % (SE) | gap to ideal, points (SE) "
        "| attempts/epoch | switches/epoch | disturbs/epoch | write E/epoch (J) "
        "| calibration writes | calibration E (J) |\n" + "|---" * 10 + "|\n"
    )
    lines = []
    for key, r in table.items():
        a, g = r["accuracy"], r.get("gap_points")
        cal = r.get("calibration")
        lines.append(
            f"| {key} | {a['n']} | {100 * a['mean']:.1f} ({100 * a['se']:.1f}) | "
            + (f"{g['mean']:+.2f} ({g['se']:.2f})" if g else "-")
            + f" | {r['write_attempts_per_epoch']:.0f} | {r['switches_per_epoch']:.0f} | "
            f"{r['disturbs_per_epoch']:.0f} | {r['write_energy_per_epoch_j']:.3g} | "
            + (
                f"{cal['attempts']:.3g} | {cal['write_energy_j'] + cal['read_energy_j']:.3g} |"
                if cal
                else "- | - |"
            )
        )
    return head + "\n".join(lines) + "\n"


def write_tables(
    runs: list[dict[str, Any]], out: Path, *, probability_shape: tuple[int, int] = (64, 100)
) -> dict[str, Any]:
    """Summarise ``runs`` into ``learning_tables.json`` and ``learning_tables.md`` in ``out``.

    ``probability_shape`` is the device population of :func:`probability_table`.
    """
    table = summarise(runs)
    probs = probability_table(shape=probability_shape)
    doc = {
        "network": NETWORK,
        "dataset": "digits",
        "variants": list(VARIANTS),
        "table": table,
        "probabilities": probs,
    }
    (out / "learning_tables.json").write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    (out / "learning_tables.md").write_text(_md(table) + _md_probabilities(probs))
    return doc


def _runs(jobs: list[tuple[str, str, str, int]], workers: int) -> Iterator[dict[str, Any]]:
    if workers <= 1:
        yield from map(run_one, jobs)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(run_one, jobs)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: ``--out DIR --seeds N [--workers K] [--resume]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add = parser.add_argument
    add("--out", type=Path, default=Path("reports/crossbar"), help="folder of the tables")
    add("--seeds", type=int, default=16, help="paired seeds per rule and target (default 16)")
    add("--ablation-seeds", type=int, default=6, help="seeds per ablation variant (default 6)")
    add("--seed0", type=int, default=0, help="first seed")
    add("--workers", type=int, default=1, help="processes running the runs (default 1)")
    add("--resume", action="store_true", help="keep runs already in learning_runs.jsonl")
    add("--population", type=int, nargs=2, default=(64, 100), metavar=("ROWS", "COLS"),
        help="size of the virtual device population the pulses are designed on")  # fmt: skip
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    args.out.mkdir(parents=True, exist_ok=True)
    log = args.out / "learning_runs.jsonl"
    done = (
        [json.loads(x) for x in log.read_text().splitlines()]
        if args.resume and log.exists()
        else []
    )
    have = {
        (r["rule"], r["target"].removeprefix("crossbar-"), r["variant"], r["seed"]) for r in done
    }
    jobs = [j for j in plan(args.seeds, args.ablation_seeds, args.seed0) if j not in have]
    with log.open("a" if args.resume else "w") as fh:
        for doc in _runs(jobs, args.workers):
            done.append(doc)
            fh.write(json.dumps(doc) + "\n")
            fh.flush()
    write_tables(done, args.out, probability_shape=tuple(args.population))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
