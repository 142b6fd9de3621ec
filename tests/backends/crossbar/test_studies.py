"""The report studies: network training, sweeps on both targets, JSON and plots."""

import json

import numpy as np

from hwsnn.backends.crossbar.studies import TARGETS, NetworkPlan, run_studies, run_sweeps
from hwsnn.backends.crossbar.sweeps import SWEEPS

TINY = NetworkPlan(hidden=16, epochs=2, binary_epochs=1, timesteps=4)


def test_run_sweeps_documents_float_binary_and_every_sweep(tmp_path) -> None:
    doc = run_sweeps("digits", seed=0, out=tmp_path, train_limit=200, test_limit=40, plan=TINY)
    assert doc["train_samples"] == 200 and doc["test_samples"] == 40
    assert doc["network"]["hidden"] == 16
    assert 0.0 <= doc["binary_accuracy"] <= 1.0 and 0.0 <= doc["float_accuracy"] <= 1.0
    assert set(doc["targets"]) == {"crossbar-mtj", "crossbar-rram"}
    for per in doc["targets"].values():
        assert set(per) == set(SWEEPS)
        for sweep in per.values():
            # ideal devices reproduce sim.float: the ideal crossbar accuracy is the binary one
            assert sweep["ideal_accuracy"] == doc["binary_accuracy"]
            assert len(sweep["points"]) == len(SWEEPS[sweep["parameter"]][2])
            assert all(np.isfinite(p["energy_per_sample_j"]) for p in sweep["points"])
    assert sorted(p.name for p in tmp_path.glob("*.png")) == [
        f"accuracy_digits_{t}.png" for t in TARGETS
    ]
    json.dumps(doc)


def test_run_studies_writes_both_datasets_and_points_to_the_learning_tables(
    tmp_path, monkeypatch
) -> None:
    import hwsnn.backends.crossbar.studies as studies

    calls = []

    def small(dataset: str, **kw):  # the sweeps themselves are tested above
        calls.append(dataset)
        return {"dataset": dataset}

    monkeypatch.setattr(studies, "run_sweeps", small)
    doc = run_studies(tmp_path)
    assert calls == ["digits", "fashion-mnist"]
    assert "learning_report" in doc["learning"]
    assert json.loads((tmp_path / "crossbar_studies.json").read_text()) == doc
