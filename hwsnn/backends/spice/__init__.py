"""SPICE backend: the VCO/PLL n-LIF neuron of paper 003 in three tiers that agree.

* analytic (:mod:`.analytic`, :mod:`.model`): closed-form type-I PLL response, numpy;
* XSPICE (:mod:`.xspice`): behavioural netlist from ``circuits/`` run in ngspice 39;
* transistor level (:mod:`.transistor`): sky130 or "65 nm-like" VCO/XOR/DFF blocks.

PySpice and ngspice are imported only when a simulation runs.
"""

from hwsnn.backends.spice.backend import LOWERINGS, SpiceArtifact, map_graph, simulate_spice
from hwsnn.backends.spice.calibrate import calibrate, load_calibration
from hwsnn.backends.spice.circuit import PLLNeuronCircuit
from hwsnn.backends.spice.mapping import (
    SpiceLayer,
    energy_per_inference_j,
    map_nlif_layer,
    simulate_nlif_layer,
)
from hwsnn.backends.spice.model import Calibration, NeuronModel
from hwsnn.backends.spice.transistor import NeuronCharacterization, characterize_neuron
from hwsnn.backends.spice.xspice import simulate_neuron_xspice

__all__ = [
    "LOWERINGS",
    "Calibration",
    "NeuronCharacterization",
    "NeuronModel",
    "PLLNeuronCircuit",
    "SpiceArtifact",
    "SpiceLayer",
    "calibrate",
    "characterize_neuron",
    "energy_per_inference_j",
    "load_calibration",
    "map_graph",
    "map_nlif_layer",
    "simulate_neuron_xspice",
    "simulate_nlif_layer",
    "simulate_spice",
]
