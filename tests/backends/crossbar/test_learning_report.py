"""The on-chip learning report: plan, paired summary and tables (synthetic runs; no training)."""

import json

import pytest

from hwsnn.backends.crossbar.learning_report import VARIANTS, main, plan, summarise, write_tables


def _run(rule: str, target: str, variant: str, seed: int, acc: float) -> dict:
    return {
        "rule": rule,
        "target": f"crossbar-{target}",
        "variant": variant,
        "seed": seed,
        "accuracy": acc,
        "accuracy_se": 0.02,
        "test_samples": 359,
        "write_attempts": 1000,
        "switches": 100,
        "disturbs": 3,
        "epochs": 1,
        "write_energy_per_epoch_j": 1e-9,
        "windows": [
            {
                "window": "pot",
                "attempts": 10,
                "wanted_mean": 0.08,
                "realised_mean": 0.07,
                "realised_cv": 0.3,
            }
        ],
        "pulses": [[0.08, 1e-5, 1e-8]],
        "calibration": None
        if variant in ("ideal", "population")
        else {"ramps": 16, "attempts": 10.0, "write_energy_j": 1e-9, "read_energy_j": 2e-9},
    }


def test_plan_runs_ablations_on_the_first_seeds() -> None:
    jobs = plan(3, 1)
    assert len(jobs) == len(set(jobs))
    assert {j[2] for j in jobs} <= set(VARIANTS)
    assert {j[2] for j in jobs if j[3] > 0} == {"ideal", "trimmed", "trimmed-64", "trimmed-virtual"}
    assert ("hb-stdp", "rram", "population", 0) in jobs
    assert ("hb-stdp", "rram", "ideal", 0) not in jobs  # the ideal trajectory is device-free


def test_summary_pairs_each_variant_with_the_ideal_seed() -> None:
    runs = [_run("hb-stdp", "mtj", "ideal", s, 0.70 + 0.01 * s) for s in range(3)]
    runs += [
        _run("hb-stdp", "rram", "trimmed", s, 0.69 + 0.01 * s + 0.01 * (s == 2)) for s in range(3)
    ]
    table = summarise(runs)
    row = table["hb-stdp/crossbar-rram/trimmed"]
    assert row["gap_points"]["mean"] == pytest.approx((1 + 1 + 0) / 3)
    assert row["gap_points"]["n"] == 3 and row["gap_points"]["se"] > 0
    assert row["accuracy"]["mean"] == pytest.approx(0.70 + 0.01 / 3 + 0.0)
    assert row["calibration"]["ramps"] == 16
    assert "gap_points" not in table["hb-stdp/crossbar-mtj/ideal"]


def test_tables_and_cli_resume(tmp_path) -> None:
    runs = [_run("fd-stdp", "mtj", v, s, 0.6) for v in ("ideal", "trimmed") for s in range(2)]
    doc = write_tables(runs, tmp_path, probability_shape=(4, 5))
    probs = doc["probabilities"]
    assert {(r["target"], r["calibration"]) for r in probs} == {
        (t, c) for t in ("crossbar-mtj", "crossbar-rram") for c in ("population", "device")
    }
    assert all(0 < r["realised_mean"] < 1 for r in probs)
    assert json.loads((tmp_path / "learning_tables.json").read_text()) == json.loads(
        json.dumps(doc)
    )
    md = (tmp_path / "learning_tables.md").read_text()
    assert "fd-stdp/crossbar-mtj/trimmed" in md and "+0.00" in md
    (tmp_path / "learning_runs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in runs))
    (tmp_path / "learning_tables.md").unlink()
    args = ["--out", str(tmp_path), "--seeds", "0", "--ablation-seeds", "0", "--resume"]
    assert main([*args, "--population", "4", "5"]) == 0
    assert (tmp_path / "learning_tables.md").read_text() == md
