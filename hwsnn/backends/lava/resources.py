"""Resource report of a Loihi partition (frozen data, JSON-ready)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["PopulationUsage", "ResourceReport"]


@dataclass(frozen=True)
class PopulationUsage:
    """How one population is spread over cores (the worst core is reported).

    Attributes:
        name: Population (IR node) name.
        neurons: Neurons in the population.
        cores: Cores it occupies.
        neurons_per_core: Neurons on the fullest core.
        synapses: Non-zero synapses into the population.
        synapse_bits_per_core: Synapse memory on the fullest core (bit).
        fan_in_axons: Input axons of the fullest core.
        fan_out_axons: Output axon routes of the fullest core.
    """

    name: str
    neurons: int
    cores: int
    neurons_per_core: int
    synapses: int
    synapse_bits_per_core: int
    fan_in_axons: int
    fan_out_axons: int


@dataclass(frozen=True)
class ResourceReport:
    """Cores and per-core usage of a mapped graph against the target's limits.

    Attributes:
        target: Target spec name.
        cores: Cores used in total.
        chips: Chips needed (cores / cores per chip, rounded up).
        neurons: Neurons in total.
        synapses: Non-zero synapses in total.
        populations: Per-population usage.
        limits: The per-core and per-chip limits checked, by name.
    """

    target: str
    cores: int
    chips: int
    neurons: int
    synapses: int
    populations: tuple[PopulationUsage, ...]
    limits: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return asdict(self)
