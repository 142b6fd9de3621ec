"""A small report built from the conv test graph, random data and fake pipeline stages."""

from __future__ import annotations

import numpy as np
import pytest

from hwsnn.report import Report, StageSection, build_report
from tests.conftest import conv_lif_graph

STAGES = (
    StageSection("train", "ok", "", {"final_loss": 0.25, "torch_test_accuracy": 0.9}),
    StageSection(
        "quantization",
        "ok",
        "",
        {
            "accuracy_vs_weight_bits": {"2": 0.3, "4": 0.7, "8": 0.88},
            "input_jitter": [
                {"level": 0.01, "output_jitter_pct": 1.2},
                {"level": 0.05, "output_jitter_pct": 4.9},
            ],
            "sweep_wall_s": 12.3,
        },
    ),
    StageSection("spice", "skipped", "ngspice is not installed", {}),
    StageSection("crossbar", "failed", "TargetConstraintError: rows 64 < 128", {}),
    StageSection(
        "lava",
        "ok",
        "",
        {"energy_per_inference_j": 2.5e-9, "accuracy_vs_snr_db": [[0, 0.2], [20, 0.8]]},
    ),
)


def make_report(seed: int = 0) -> Report:
    rng = np.random.default_rng(7)
    graph = conv_lif_graph(rng)
    x = rng.random((12, 1, 8, 8)).astype(np.float32)
    y = rng.integers(0, 10, 12)
    return build_report(graph, x, y, seed=seed, model="conv.hwir", dataset="random", stages=STAGES)


@pytest.fixture(scope="module")
def report() -> Report:
    return make_report()
