"""JSON output: byte-identical for the same seed, sorted, no volatile values."""

from __future__ import annotations

import json

from hwsnn import ir
from hwsnn.report import Report, graph_hash, render_json
from tests.conftest import conv_lif_graph
from tests.report.conftest import make_report


def test_same_seed_gives_identical_bytes(report: Report) -> None:
    again = make_report(seed=0)
    assert render_json(report).encode() == render_json(again).encode()


def test_content_and_volatile_metrics(report: Report) -> None:
    text = render_json(report)
    doc = json.loads(text)
    assert json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n" == text
    assert (
        doc["provenance"]["seed"] == 0 and doc["provenance"]["ir_hash"] == report.provenance.ir_hash
    )
    assert "sweep_wall_s" not in text  # wall-clock numbers stay out of the JSON
    energy = doc["energy"][0]
    snn = energy["snn"]
    assert abs(snn["total_j"] - snn["compute_j"] - snn["memory_j"]) <= 1e-7 * snn["total_j"]
    assert doc["counting_rules"].startswith("* **Effective synaptic operations**")
    assert set(doc["figures"]) >= {"spikes_per_layer.png", "accuracy_vs_weight_bits.png"}


def test_graph_hash_tracks_content(rng) -> None:
    import dataclasses

    import numpy as np

    graph = conv_lif_graph(rng)
    record = ir.graph_to_record(graph)
    same = ir.graph_from_record(*record)
    assert graph_hash(graph) == graph_hash(same)
    conv = graph.nodes["conv"]
    changed_w = np.array(conv.weight)
    changed_w[0, 0, 0, 0] += 1e-9
    nodes = dict(graph.nodes) | {"conv": dataclasses.replace(conv, weight=changed_w)}
    other = dataclasses.replace(graph, nodes=nodes)
    assert graph_hash(other) != graph_hash(graph)
