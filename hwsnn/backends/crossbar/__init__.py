"""Crossbar backend: binary MTJ / RRAM stochastic synapses on tiles.

Device non-idealities, on-chip probabilistic STDP and an energy ledger.

Entry point: :func:`map_graph` (with the lowering table :data:`LOWERINGS`); specs come from
``mappings/crossbar/*.toml`` through :func:`load_spec`.
"""

from hwsnn.backends.crossbar.backend import (
    LOWERINGS,
    CrossbarArtifact,
    ResourceReport,
    map_graph,
    simulate_crossbar,
    simulator_for,
    synapse_functions,
)
from hwsnn.backends.crossbar.binary_training import binary_finetune
from hwsnn.backends.crossbar.readout import Fidelity
from hwsnn.backends.crossbar.spec import CrossbarSpec
from hwsnn.backends.crossbar.specfile import available_specs, load_spec

__all__ = [
    "LOWERINGS",
    "CrossbarArtifact",
    "CrossbarSpec",
    "Fidelity",
    "ResourceReport",
    "available_specs",
    "binary_finetune",
    "load_spec",
    "map_graph",
    "simulate_crossbar",
    "simulator_for",
    "synapse_functions",
]
