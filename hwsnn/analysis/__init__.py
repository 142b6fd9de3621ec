"""Analysis of simulated networks: operation counts, energy estimates, circuit jitter.

Computation only; rendering lives in :mod:`hwsnn.report`.
"""

from hwsnn.analysis.counting import COUNTING_RULES, LayerCounts, OperationCounts, count_operations
from hwsnn.analysis.energy import (
    ENERGY_MODELS,
    EnergyEstimate,
    EnergyModel,
    LayerEnergy,
    estimate_ann_energy,
    estimate_energy,
    load_energy_model,
)

__all__ = [
    "COUNTING_RULES",
    "ENERGY_MODELS",
    "EnergyEstimate",
    "EnergyModel",
    "LayerCounts",
    "LayerEnergy",
    "OperationCounts",
    "count_operations",
    "estimate_ann_energy",
    "estimate_energy",
    "load_energy_model",
]
