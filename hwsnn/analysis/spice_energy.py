"""Energy per inference of a trained n-LIF (TTFS) network on VCO/PLL neuron circuits.

Paper 003 (Zhou et al., AAAI 2021, doi:10.1609/aaai.v35i12.17329) reports energy per output
spike of its VCO/PLL neuron; for a network the energy per inference is

    E_inference = sum_layers (output spikes of the layer per inference) x E_spike,

with the spike counts from the exact event-time simulation of the IR graph
(:func:`hwsnn.sim.ttfs.simulate_ttfs`, each neuron fires at most once) and ``E_spike`` from
the transistor-level characterisation (``mappings/spice/energy_measured.toml``, one value
per process: sky130 and "65 nm-like"). ``all_neurons_j`` is the bound where every neuron's
VCOs run for the window whether it fires or not.

:func:`spot_check_layer` maps one NLIF layer to circuits
(:func:`hwsnn.backends.spice.mapping.map_nlif_layer`), runs a few neurons on a few test
inputs in XSPICE and compares their spike times with the IR closed form (eq. 4) and with the
calibrated analytic tier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.spice.model import NeuronModel
from hwsnn.backends.spice.transistor import NeuronCharacterization
from hwsnn.errors import HwsnnError
from hwsnn.ir import NLIF, Graph, Linear

__all__ = [
    "LayerEnergy",
    "ProcessEnergy",
    "SpiceEnergyReport",
    "SpotCheck",
    "estimate_spice_energy",
    "spot_check_layer",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class LayerEnergy:
    """Spikes and energy of one NLIF layer.

    Attributes:
        layer: NLIF node name.
        neurons: Neurons in the layer.
        spikes_per_inference: Mean output spikes per input sample.
        energy_per_inference_j: Per process (order of :attr:`SpiceEnergyReport.processes`), J.
    """

    layer: str
    neurons: int
    spikes_per_inference: float
    energy_per_inference_j: tuple[float, ...]


@dataclass(frozen=True)
class ProcessEnergy:
    """Network energy on one process.

    Attributes:
        process: Process name (``sky130``, ``65nm-like``).
        label: Node, supply and model-card provenance.
        vdd_v: Supply (V).
        energy_per_spike_j: Characterised neuron energy per output spike (J).
        energy_per_inference_j: Spikes per inference x energy per spike (J).
        all_neurons_j: Every neuron's VCOs running for the window (upper bound), J.
    """

    process: str
    label: str
    vdd_v: float
    energy_per_spike_j: float
    energy_per_inference_j: float
    all_neurons_j: float


@dataclass(frozen=True)
class SpiceEnergyReport:
    """Energy per inference of a TTFS network (see the module docstring).

    Attributes:
        model: Graph name (metadata ``model``) or ``"graph"``.
        samples: Test samples simulated.
        accuracy: First-spike accuracy on them (fraction), NaN without labels.
        spikes_per_inference: All NLIF output spikes per sample.
        layers: Per NLIF layer.
        processes: Per characterised process.
        source: Where the energy per spike comes from.
    """

    model: str
    samples: int
    accuracy: float
    spikes_per_inference: float
    layers: tuple[LayerEnergy, ...]
    processes: tuple[ProcessEnergy, ...]
    source: str


def estimate_spice_energy(graph: Graph, inputs: NDArray[np.generic],
                          labels: NDArray[np.generic] | None = None, *,
                          characterizations: Mapping[str, NeuronCharacterization] | None = None,
                          ) -> SpiceEnergyReport:
    """Simulate ``graph`` on ``inputs`` (event-exact) and price its spikes per process.

    Args:
        graph: A TTFS graph (Input, TTFSEncoder, Linear/Affine/Conv2d + NLIF, ...).
        inputs: ``(B, *input_shape)`` pixels in [0, 1].
        labels: Optional ``(B,)`` classes for the accuracy.
        characterizations: Process name -> characterisation (default: the measured file).

    Raises:
        HwsnnError: The graph has no NLIF layer or ``inputs`` is empty.
        DataError: The characterisation file is missing or malformed.
    """
    from hwsnn.backends.spice.characterize import load_characterizations
    from hwsnn.sim.ttfs import simulate_ttfs, ttfs_predictions

    chars = dict(characterizations or load_characterizations())
    x = np.asarray(inputs)
    if x.shape[0] == 0:
        raise HwsnnError("estimate_spice_energy needs at least one input sample")
    result = simulate_ttfs(graph, x)
    nlif = [n for n in graph.order if isinstance(graph.nodes[n], NLIF)]
    if not nlif:
        raise HwsnnError("the graph has no NLIF layer to map onto VCO/PLL neurons")
    per_sample = {n: float(result.spike_totals[n].sum()) / x.shape[0] for n in nlif}
    sizes = {n: int(np.prod(result.spikes[n].shape[2:])) for n in nlif}
    e_spike = [c.energy_per_spike_j for c in chars.values()]
    layers = tuple(LayerEnergy(n, sizes[n], per_sample[n],
                               tuple(per_sample[n] * e for e in e_spike)) for n in nlif)
    total = sum(per_sample.values())
    neurons = sum(sizes.values())
    procs = tuple(ProcessEnergy(c.process, c.label, c.vdd_v, c.energy_per_spike_j,
                                total * c.energy_per_spike_j, neurons * c.energy_per_spike_j)
                  for c in chars.values())
    acc = (float(np.mean(ttfs_predictions(result) == np.asarray(labels)))
           if labels is not None else float("nan"))
    return SpiceEnergyReport(model=str(graph.metadata.get("model", "graph")), samples=x.shape[0],
                             accuracy=acc, spikes_per_inference=total, layers=layers,
                             processes=procs,
                             source="mappings/spice/energy_measured.toml (ngspice 39, "
                                    "transistor-level VCO/XOR/DFF characterisation)")


@dataclass(frozen=True)
class SpotCheck:
    """XSPICE versus IR closed form on a few neurons of one layer.

    Attributes:
        layer: NLIF node name.
        neurons: Neurons simulated.
        samples: Test samples simulated.
        t_ir_s: IR spike times, shape ``(samples, neurons)`` (IR seconds).
        t_xspice_s: XSPICE spike times mapped back to IR seconds, same shape.
        t_analytic_s: Calibrated analytic-tier times, same shape.
        median_rel_error_xspice_ir: Median ``|t_x - t_ir| / t_ir`` over neurons that fired.
        median_rel_error_xspice_analytic: Median ``|t_x - t_a| / t_a``.
        fired_agreement: Fraction of (sample, neuron) where XSPICE and IR agree on firing.
        time_scale: Circuit seconds per IR second.
    """

    layer: str
    neurons: tuple[int, ...]
    samples: int
    t_ir_s: tuple[tuple[float, ...], ...]
    t_xspice_s: tuple[tuple[float, ...], ...]
    t_analytic_s: tuple[tuple[float, ...], ...]
    median_rel_error_xspice_ir: float
    median_rel_error_xspice_analytic: float
    fired_agreement: float
    time_scale: float


def _layer_inputs(graph: Graph, layer: str, x: NDArray[np.generic]) -> tuple[Linear, NLIF,
                                                                            FloatArray, FloatArray]:
    from hwsnn.sim.ttfs import evaluate_ttfs

    node = graph.nodes[layer]
    synapse = graph.nodes[graph.predecessors(layer)[0]]
    if not isinstance(node, NLIF) or not isinstance(synapse, Linear):
        raise HwsnnError(f"{layer!r} is not an NLIF node after a Linear/Affine node")
    values = evaluate_ttfs(graph, x)
    t_in = values[graph.predecessors(graph.predecessors(layer)[0])[0]]
    return synapse, node, np.asarray(t_in, dtype=np.float64).reshape(x.shape[0], -1), values[layer]


def _rel(a: FloatArray, b: FloatArray, mask: NDArray[np.bool_]) -> float:
    return float(np.median(np.abs(a[mask] - b[mask]) / b[mask])) if mask.any() else float("nan")


def spot_check_layer(graph: Graph, inputs: NDArray[np.generic], *, layer: str | None = None,
                     neurons: Sequence[int] = (0, 1, 2), model: NeuronModel | None = None,
                     ) -> SpotCheck:
    """Map ``layer`` (default: the first NLIF) to circuits and run ``neurons`` in XSPICE.

    Args:
        graph: A TTFS graph whose ``layer`` follows a Linear/Affine node.
        inputs: ``(B, *input_shape)`` test pixels; every sample runs every listed neuron.
        layer: NLIF node name.
        neurons: Output neurons of the layer to simulate.
        model: Calibrated analytic neuron (default: ``mappings/spice/calibration.toml``).

    Raises:
        HwsnnError: No such NLIF layer; SimulatorUnavailableError without ngspice.
    """
    from hwsnn.backends.spice.calibrate import load_calibration
    from hwsnn.backends.spice.mapping import map_nlif_layer, simulate_nlif_layer

    name = layer or next((n for n in graph.order if isinstance(graph.nodes[n], NLIF)), None)
    if name is None or name not in graph.nodes:
        raise HwsnnError(f"no NLIF layer {layer!r} in the graph")
    x = np.asarray(inputs)
    synapse, node, t_in, t_ir_all = _layer_inputs(graph, name, x)
    mapped = map_nlif_layer(synapse, node, model=model or load_calibration())
    idx = list(neurons)
    t_x = simulate_nlif_layer(mapped, t_in, tier="xspice", neurons=idx)[:, idx]
    t_a = simulate_nlif_layer(mapped, t_in, neurons=idx)[:, idx]
    t_ir = np.asarray(t_ir_all, dtype=np.float64).reshape(x.shape[0], -1)[:, idx]
    t_max = mapped.t_max
    both = (t_x < t_max) & (t_ir < t_max)
    return SpotCheck(
        layer=name, neurons=tuple(idx), samples=x.shape[0],
        t_ir_s=tuple(map(tuple, t_ir.tolist())), t_xspice_s=tuple(map(tuple, t_x.tolist())),
        t_analytic_s=tuple(map(tuple, t_a.tolist())),
        median_rel_error_xspice_ir=_rel(t_x, t_ir, both),
        median_rel_error_xspice_analytic=_rel(t_x, t_a, both & (t_a < t_max)),
        fired_agreement=float(np.mean((t_x < t_max) == (t_ir < t_max))),
        time_scale=mapped.time_scale)
