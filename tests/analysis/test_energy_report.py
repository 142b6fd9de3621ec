"""Energy estimates and the paper 004 ANN/SNN comparison on a hand-counted network."""

from __future__ import annotations

import numpy as np
import pytest

from hwsnn import ir
from hwsnn.analysis.counting import count_operations
from hwsnn.analysis.energy import (
    ENERGY_MODELS,
    estimate_ann_energy,
    estimate_energy,
    load_energy_model,
)
from hwsnn.report.build import energy_comparisons


def _net() -> ir.Graph:
    """Binary input (4) -> Linear 2x4 -> IF (unit gain, threshold 1.5) -> Output, T = 2."""
    return ir.Graph.sequential(
        [
            ("input", ir.Input(shape=(4,))),
            ("fc", ir.Linear(weight=np.array([[1.0, 1.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0]]))),
            ("if", ir.IF(r=1e3, v_threshold=1.5)),
            ("output", ir.Output()),
        ],
        dt=1e-3,
        timesteps=2,
    )


@pytest.mark.parametrize("name", ENERGY_MODELS)
def test_energy_by_hand(name: str) -> None:
    model = load_energy_model(name)
    counts = count_operations(_net(), np.array([[1.0, 1.0, 1.0, 0.0]], dtype=np.float32))
    # fc per step: row0 sees inputs 0,1 (2 ACs), row1 input 2 (1 AC) -> 3 ACs, x2 steps = 6.
    # fc x = [2, 1]: IF t1 v=[2,1] -> spike 1, v=[.5,1]; t2 v=[2.5,2] -> 2 spikes: 3 spikes.
    # neuron updates 2 x 2 = 4; memory = 6 weight reads + 2 x 4 state accesses = 14.
    snn = estimate_energy(counts, model)
    compute = 6 * model.ac_j + 4 * model.neuron_update_j + 3 * model.spike_extra_j
    assert snn.compute_j == pytest.approx(compute, rel=1e-12)
    assert snn.memory_j == pytest.approx(14 * model.memory_access_j, rel=1e-12)
    # ANN twin: 8 dense connections evaluated once, each a MAC (and one weight read).
    ann = estimate_ann_energy(counts, model)
    assert ann.compute_j == pytest.approx(8 * model.mac_j, rel=1e-12)
    (comparison,) = energy_comparisons(counts, [name])
    assert comparison.ann_over_snn_compute == pytest.approx(8 * model.mac_j / compute, rel=1e-12)
    assert comparison.ann_over_snn_total == pytest.approx(ann.total_j / snn.total_j, rel=1e-12)


def test_every_coefficient_has_a_source() -> None:
    for name in ENERGY_MODELS:
        model = load_energy_model(name)
        assert {key for key, _ in model.sources} >= {"mac", "ac", "memory_access", "neuron_update"}
        assert all(source.strip() for _, source in model.sources)
