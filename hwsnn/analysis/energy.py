"""Energy estimates from operation counts and per-operation energy models in ``mappings/energy``.

``E = MACs * E_mac + ACs * E_ac + neuron_updates * E_update + spikes * E_spike_extra``
(compute), with ``memory_accesses * E_memory`` reported separately (the memory term can
change an SNN-vs-ANN conclusion by more than an order of magnitude).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from hwsnn._data import data_path
from hwsnn.analysis.counting import OperationCounts
from hwsnn.errors import HwsnnError

__all__ = [
    "ENERGY_MODELS",
    "EnergyEstimate",
    "EnergyModel",
    "LayerEnergy",
    "estimate_ann_energy",
    "estimate_energy",
    "load_energy_model",
]

ENERGY_MODELS = ("cmos45-fp32", "cmos45-fp16", "cmos45-int8", "loihi1")
_COEFFICIENTS = ("mac", "ac", "memory_access", "neuron_update", "spike_extra")


@dataclass(frozen=True)
class EnergyModel:
    """Energy per operation (J) with the source of every number."""

    name: str
    description: str
    mac_j: float
    ac_j: float
    memory_access_j: float
    neuron_update_j: float
    spike_extra_j: float
    sources: tuple[tuple[str, str], ...]


@cache
def load_energy_model(name: str) -> EnergyModel:
    """Load ``mappings/energy/<name>.toml`` (``-`` in the name maps to ``_``)."""
    if name not in ENERGY_MODELS:
        raise HwsnnError(f"unknown energy model {name!r}; available: {', '.join(ENERGY_MODELS)}")
    raw = tomllib.loads(
        data_path("mappings", "energy", name.replace("-", "_") + ".toml").read_text()
    )
    values, sources = {}, []
    for key in _COEFFICIENTS:
        entry = raw.get(key, {"value": 0.0, "source": "not part of this model"})
        value = float(entry["value"])
        if value < 0 or "source" not in entry:
            raise HwsnnError(f"energy model {name}: {key} needs a value >= 0 and a source")
        values[f"{key}_j"] = value
        sources.append((key, str(entry["source"])))
    return EnergyModel(
        name=raw["name"], description=raw["description"], sources=tuple(sources), **values
    )


@dataclass(frozen=True)
class LayerEnergy:
    """Energy of one layer per inference (J)."""

    name: str
    compute_j: float
    memory_j: float


@dataclass(frozen=True)
class EnergyEstimate:
    """Energy per inference under one model (J), compute and memory kept apart."""

    model: str
    layers: tuple[LayerEnergy, ...]
    compute_j: float
    memory_j: float
    spikes: float

    @property
    def total_j(self) -> float:
        """Compute plus memory energy per inference (J)."""
        return self.compute_j + self.memory_j

    @property
    def energy_per_spike_j(self) -> float:
        """Compute energy divided by the spikes per inference (J); 0 without spikes."""
        return self.compute_j / self.spikes if self.spikes else 0.0


def estimate_energy(counts: OperationCounts, model: EnergyModel) -> EnergyEstimate:
    """Energy per inference of a spiking network from its operation counts."""
    layers = tuple(
        LayerEnergy(
            name=c.name,
            compute_j=c.macs * model.mac_j
            + c.acs * model.ac_j
            + c.neuron_updates * model.neuron_update_j
            + c.spikes * model.spike_extra_j,
            memory_j=c.memory_accesses * model.memory_access_j,
        )
        for c in counts.layers
    )
    return EnergyEstimate(
        model=model.name,
        layers=layers,
        compute_j=sum(layer.compute_j for layer in layers),
        memory_j=sum(layer.memory_j for layer in layers),
        spikes=counts.total("spikes"),
    )


def estimate_ann_energy(counts: OperationCounts, model: EnergyModel) -> EnergyEstimate:
    """Energy of the equivalent ANN: every dense operation once, as a MAC (paper 004, Sec. 4)."""
    layers = tuple(
        LayerEnergy(
            name=c.name,
            compute_j=c.dense_ops / counts.timesteps * model.mac_j,
            memory_j=c.dense_ops / counts.timesteps * model.memory_access_j,
        )
        for c in counts.layers
    )
    return EnergyEstimate(
        model=model.name,
        layers=layers,
        compute_j=sum(layer.compute_j for layer in layers),
        memory_j=sum(layer.memory_j for layer in layers),
        spikes=0.0,
    )
