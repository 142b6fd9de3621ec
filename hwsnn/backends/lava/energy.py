"""Loihi energy estimate from emulated activity and the target's per-operation energies.

``E = N_synop * synop_j + N_active * neuron_update_active_j + N_inactive * neuron_update_inactive_j
+ N_spikes * spike_within_tile_j`` (the estimator of ir_lava.md section 3.1 without tile hops),
with coefficients from ``mappings/<target>.toml`` (Davies et al. 2018, Table 2: minimum,
pre-silicon values at 0.75 V). A synaptic op is one non-zero synapse reached by one spike
(or non-zero graded payload); a neuron update is active in a step where the neuron spikes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.lava.artifact import Connection, LoihiArtifact
from hwsnn.targets import TargetSpec

__all__ = ["COEFFICIENTS", "EnergyEstimate", "estimate_energy"]

COEFFICIENTS = (
    "synop_j",
    "neuron_update_active_j",
    "neuron_update_inactive_j",
    "spike_within_tile_j",
)


@dataclass(frozen=True)
class EnergyEstimate:
    """Energy per inference (J) and the counts it comes from (per inference, batch mean).

    Attributes:
        energy_j: Total energy per inference (J).
        synops: Synaptic operations.
        spikes: Spikes of all populations.
        neuron_updates: Neuron updates (neurons x Lava steps).
        coefficients: Name -> (J per operation, source).
    """

    energy_j: float
    synops: float
    spikes: float
    neuron_updates: float
    coefficients: dict[str, tuple[float, str]]


def _fan_out(conn: Connection) -> NDArray[np.float64]:
    """Non-zero synapses leaving each source neuron."""
    if conn.kind == "dense":
        counts: NDArray[np.float64] = np.count_nonzero(conn.weights, axis=0).astype(np.float64)
        return counts
    taps = np.count_nonzero(conn.weights) / conn.groups  # per source channel, interior neurons
    return np.full(int(np.prod(conn.in_shape)), taps * conn.weights.shape[0] / conn.in_shape[0])


def estimate_energy(
    artifact: LoihiArtifact,
    spikes: dict[str, NDArray[np.uint8]],
    payload: NDArray[np.integer[Any]],
    spec: TargetSpec,
) -> EnergyEstimate:
    """Estimate energy from raw emulator spikes ``name -> (steps, B, n)`` and input payloads."""
    batch = payload.shape[1]
    events = {artifact.input.name: (payload != 0).sum(axis=(0, 1)).astype(np.float64)}
    events.update({n: s.sum(axis=(0, 1)).astype(np.float64) for n, s in spikes.items()})
    synops = sum(float(events[c.src] @ _fan_out(c)) for c in artifact.connections) / batch
    total_spikes = sum(float(s.sum()) for s in spikes.values()) / batch
    updates = float(sum(p.size for p in artifact.populations) * payload.shape[0])
    coef = {name: (spec.energy[name], spec.source(f"energy.{name}")) for name in COEFFICIENTS}
    energy = (
        synops * coef["synop_j"][0]
        + total_spikes * coef["neuron_update_active_j"][0]
        + (updates - total_spikes) * coef["neuron_update_inactive_j"][0]
        + total_spikes * coef["spike_within_tile_j"][0]
    )
    return EnergyEstimate(energy, synops, total_spikes, updates, coef)
