"""The report as data: frozen dataclasses with provenance, filled by :mod:`hwsnn.report.build`.

Every number here was computed elsewhere (``hwsnn.analysis``, ``hwsnn.sim``, pipeline
stages); the renderers only format it. Energies are joules, times seconds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hwsnn.analysis.counting import OperationCounts
from hwsnn.analysis.energy import EnergyEstimate, EnergyModel
from hwsnn.ir import Graph, graph_to_record

__all__ = [
    "EnergyComparison",
    "LayerInfo",
    "Provenance",
    "Report",
    "StageSection",
    "Sweep",
    "graph_hash",
]


def graph_hash(graph: Graph) -> str:
    """SHA-256 (hex) of the canonical IR record: sorted-key JSON header, then every array.

    Arrays are hashed in key order as key, dtype, shape and little-endian C-order bytes,
    so the hash depends on the graph only, not on the file format it was read from.
    """
    header, arrays = graph_to_record(graph)
    digest = hashlib.sha256(json.dumps(header, sort_keys=True, allow_nan=False).encode())
    for key in sorted(arrays):
        array = np.asarray(arrays[key])
        data = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
        digest.update(json.dumps([key, data.dtype.str, list(data.shape)]).encode())
        digest.update(data.tobytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class Provenance:
    """Where the numbers come from.

    Attributes:
        hwsnn_version: Version of the hwsnn that produced the report.
        ir_hash: :func:`graph_hash` of the analysed graph.
        model: Name of the model (file name or pipeline artifact).
        target: What was simulated/estimated, e.g. ``sim.float + energy models``.
        seed: Seed of every random choice (encoders, data subsets, device noise).
        dataset: Data set name.
        samples: Test samples the counts and accuracy are measured on.
        timesteps: Time steps per inference.
        dt_s: Time step (s).
    """

    hwsnn_version: str
    ir_hash: str
    model: str
    target: str
    seed: int
    dataset: str
    samples: int
    timesteps: int
    dt_s: float


@dataclass(frozen=True)
class LayerInfo:
    """One node of the graph: name, type and output shape (no batch dim)."""

    name: str
    kind: str
    shape: tuple[int, ...]


@dataclass(frozen=True)
class EnergyComparison:
    """One energy model applied to the SNN and to its ANN twin (paper 004 Sec. 4.3, Table 3).

    Attributes:
        model: The energy model with its coefficients and their sources.
        snn: Energy per inference of the spiking network.
        ann: Energy per inference of the equivalent ANN (every dense op once, as a MAC).
        ann_over_snn_compute: E_ANN / E_SNN, compute energy only (paper 004's ratio).
        ann_over_snn_total: E_ANN / E_SNN with the memory term included.
    """

    model: EnergyModel
    snn: EnergyEstimate
    ann: EnergyEstimate
    ann_over_snn_compute: float
    ann_over_snn_total: float


@dataclass(frozen=True)
class Sweep:
    """An accuracy curve reported by a stage, e.g. accuracy vs weight bits.

    Attributes:
        stage: Stage that measured it.
        variable: What was swept (``weight_bits``, ``snr_db``, ``device_sigma``, ...).
        points: ``(x, accuracy)`` pairs, accuracy in 0..1, sorted by x.
    """

    stage: str
    variable: str
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class StageSection:
    """A pipeline stage as the report shows it.

    Attributes:
        name: Stage name.
        status: ``ok``, ``skipped`` or ``failed``.
        reason: Why it was skipped or failed (empty when ok).
        metrics: The stage's measured numbers (JSON-able; keys carry units).
    """

    name: str
    status: str
    reason: str = ""
    metrics: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    """Everything a report shows.

    Attributes:
        title: Heading of the report.
        provenance: Version, IR hash, target, seed, data.
        layers: The graph's nodes in topological order.
        accuracy: Test accuracy (0..1) in the reference simulator, or None.
        counts: Operation counts per inference, or None (see ``unavailable``).
        counting_rules: The rules the counts follow (Markdown).
        energy: One comparison per energy model.
        spikes_per_step: Spikes per inference at each step, per spiking node.
        stages: Pipeline stages in run order (empty for ``hwsnn report``).
        sweeps: Accuracy curves found in the stages' metrics.
        stage_energies_j: ``(stage, metric, joules)`` energies reported by stages.
        unavailable: ``section -> reason`` for every section that could not be produced.
    """

    title: str
    provenance: Provenance
    layers: tuple[LayerInfo, ...]
    accuracy: float | None
    counts: OperationCounts | None
    counting_rules: str
    energy: tuple[EnergyComparison, ...]
    spikes_per_step: Mapping[str, tuple[float, ...]]
    stages: tuple[StageSection, ...] = ()
    sweeps: tuple[Sweep, ...] = ()
    stage_energies_j: tuple[tuple[str, str, float], ...] = ()
    unavailable: Mapping[str, str] = field(default_factory=dict)
