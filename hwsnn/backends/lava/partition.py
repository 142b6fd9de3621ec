"""Partition populations onto cores within a target's per-core limits; report the usage.

Per core the checks are those of nengo-loihi's ``hardware/validate.py`` (ir_lava.md section 8,
pitfall 10): neurons (compartments), synapse memory (bit), input axons (fan-in) and output axon
routes (fan-out). Synapse memory follows nengo-loihi's ``block.py`` cost model: every synapse
stores its weight and a target index, every input axon a group header, rounded up to words.
A population is split over the fewest cores that satisfy all limits; a limit that no split can
satisfy (fan-in, or one neuron's synapses) raises :class:`TargetConstraintError`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from hwsnn.backends.lava.artifact import Connection, InputSpec, Population
from hwsnn.backends.lava.resources import PopulationUsage, ResourceReport
from hwsnn.errors import TargetConstraintError
from hwsnn.targets import TargetSpec

__all__ = ["partition"]


def _fan_in(conn: Connection) -> int:
    """Distinct source neurons of ``conn`` (conv: every source neuron, an upper bound)."""
    if conn.kind == "dense":
        return int(np.count_nonzero(np.any(conn.weights != 0, axis=0)))
    return math.prod(conn.in_shape)


def _cores_for(
    pop: Population, incoming: Sequence[Connection], spec: TargetSpec
) -> tuple[int, int, int]:
    """(cores, synapse bits on the fullest core, fan-in axons) of one population."""
    core = spec.core
    fan_in = sum(_fan_in(c) for c in incoming)
    if fan_in > core.fan_in_axons:
        raise TargetConstraintError("fan_in_axons", core.fan_in_axons, fan_in, where=pop.name)
    bits_per_synapse = spec.bits("weight_bits") + 1 + core.synapse_index_bits
    synapses = sum(c.synapses for c in incoming)
    header = fan_in * core.synapse_group_overhead_bits

    def bits(k: int) -> int:
        raw = math.ceil(synapses * k / pop.size) * bits_per_synapse + header
        return math.ceil(raw / core.synapse_word_bits) * core.synapse_word_bits

    if bits(1) > core.synapse_memory_bits:
        raise TargetConstraintError(
            "synapse_memory_bits", core.synapse_memory_bits, bits(1), where=pop.name
        )
    cores = math.ceil(pop.size / core.neurons)
    while bits(math.ceil(pop.size / cores)) > core.synapse_memory_bits:
        cores += 1
    return cores, bits(math.ceil(pop.size / cores)), fan_in


def _usage(
    pop: Population,
    placed: dict[str, tuple[int, int, int]],
    connections: Sequence[Connection],
    spec: TargetSpec,
) -> PopulationUsage:
    """Cores, synapses and fan-in/out of ``pop``; fan-out checked against the core limit."""
    cores, bits, fan_in = placed[pop.name]
    per_core = math.ceil(pop.size / cores)
    dest_cores = sum(placed[c.dst][0] for c in connections if c.src == pop.name)
    fan_out = per_core * dest_cores
    if fan_out > spec.core.fan_out_axons:
        raise TargetConstraintError(
            "fan_out_axons", spec.core.fan_out_axons, fan_out, where=pop.name
        )
    synapses = sum(c.synapses for c in connections if c.dst == pop.name)
    return PopulationUsage(pop.name, pop.size, cores, per_core, synapses, bits, fan_in, fan_out)


def partition(
    source: InputSpec,
    populations: Sequence[Population],
    connections: Sequence[Connection],
    spec: TargetSpec,
    *,
    chips: int = 1,
) -> ResourceReport:
    """Assign every population to cores and check the target's limits.

    The host-side input source occupies no core. Fan-out of a core counts one route per
    neuron and destination core (an upper bound).

    Raises:
        TargetConstraintError: A per-core or per-chip limit cannot be met (limit and value named).
    """
    del source
    placed = {
        pop.name: _cores_for(pop, [c for c in connections if c.dst == pop.name], spec)
        for pop in populations
    }
    usage = [_usage(pop, placed, connections, spec) for pop in populations]
    total_cores = sum(u.cores for u in usage)
    if total_cores > spec.chip.cores * chips:
        raise TargetConstraintError("cores", spec.chip.cores * chips, total_cores)
    neurons = sum(u.neurons for u in usage)
    if neurons > spec.chip.neurons * chips:
        raise TargetConstraintError("neurons_per_chip", spec.chip.neurons * chips, neurons)
    limits = {
        "neurons_per_core": spec.core.neurons,
        "synapse_memory_bits": spec.core.synapse_memory_bits,
        "fan_in_axons": spec.core.fan_in_axons,
        "fan_out_axons": spec.core.fan_out_axons,
        "cores": spec.chip.cores * chips,
    }
    return ResourceReport(
        spec.name,
        total_cores,
        math.ceil(total_cores / spec.chip.cores),
        neurons,
        sum(u.synapses for u in usage),
        tuple(usage),
        limits,
    )
