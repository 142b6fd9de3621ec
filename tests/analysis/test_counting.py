"""Operation counts on small networks whose counts are worked out by hand in each test."""

from __future__ import annotations

import numpy as np
import pytest

from hwsnn import ir
from hwsnn.analysis.counting import COUNTING_RULES, count_operations

DT = 1e-3
UNIT_R = 1.0 / DT  # IF gain dt*r = 1: v <- v + I


def _layer(counts, name):
    return next(layer for layer in counts.layers if layer.name == name)


def _conv_net(timesteps: int = 3) -> ir.Graph:
    """1x3x3 -> 2x2 conv (one zero weight) -> IF -> 2x2 avg pool -> flatten -> Linear(2x1) -> LI."""
    return ir.Graph.sequential(
        [
            ("input", ir.Input(shape=(1, 3, 3))),
            ("conv", ir.Conv2d(weight=np.array([[[[1.0, 0.0], [2.0, 3.0]]]]), bias=None)),
            ("if", ir.IF(r=UNIT_R, v_threshold=9.0)),
            ("pool", ir.AvgPool2d(kernel_size=2)),
            ("flat", ir.Flatten()),
            ("fc", ir.Linear(weight=np.array([[1.0], [0.0]]))),
            ("readout", ir.LI(tau_mem=1e-2, r=10.0)),
            ("output", ir.Output()),
        ],
        dt=DT,
        timesteps=timesteps,
    )


IMAGE = np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0], [4.0, 0.0, 5.0]], dtype=np.float32)


def test_conv_pool_first_layer_analog_input_by_hand() -> None:
    # Sample 0 is IMAGE, sample 1 is all zeros: per-inference counts are totals / 2.
    x = np.stack([IMAGE[None], np.zeros((1, 3, 3), np.float32)])
    counts = count_operations(_conv_net(), x)
    assert counts.samples == 2 and counts.timesteps == 3
    # conv, one step, sample 0: windows [[1,0],[0,3]] [[0,2],[3,0]] [[0,3],[4,0]] [[3,0],[0,5]]
    # against the non-zero weight mask [[1,0],[1,1]] -> 2 + 1 + 1 + 2 = 6 pairs; analog input ->
    # MACs, at every step.
    conv = _layer(counts, "conv")
    assert conv.macs == 6 * 3 / 2
    assert conv.acs == 0
    # dense: 4 output positions x 4 weights (zero weight included) per step per sample.
    assert conv.dense_ops == 4 * 4 * 3
    assert conv.memory_accesses == conv.macs
    # conv output each step (sample 0): [10, 6, 8, 18]; IF threshold 9, subtract reset:
    # t1 v=[10,6,8,18] -> 2 spikes, v=[1,6,8,9]; t2 v=[11,12,16,27] -> 4, v=[2,3,7,18];
    # t3 v=[12,9,15,36] -> 3 (9 is not > 9). Total 9 spikes; sample 1 never spikes.
    neuron = _layer(counts, "if")
    assert neuron.spikes == 9 / 2
    assert neuron.spike_rate == pytest.approx(9 / 2 / (4 * 3))
    assert neuron.neuron_updates == 4 * 3  # every neuron, every step, per inference
    assert neuron.memory_accesses == 2 * 4 * 3
    # pooling: spikes are binary -> one AC per spike (window weights are all 1); dense 4 per step.
    pool = _layer(counts, "pool")
    assert (pool.acs, pool.macs, pool.dense_ops) == (9 / 2, 0, 4 * 3)
    # fc input = pool output (2/4, 4/4, 3/4 for sample 0, 0 for sample 1): 1 non-zero input x 1
    # non-zero weight per step. Steps 1 and 3 are analog (MACs); at step 2 every value is 0 or 1,
    # so that step counts as an AC (NeuroBench rule). Dense: 1 x 2 weights per step.
    fc = _layer(counts, "fc")
    assert (fc.acs, fc.macs, fc.dense_ops) == (1 / 2, 2 / 2, 2 * 3)
    assert _layer(counts, "readout").neuron_updates == 2 * 3
    assert counts.total("spikes") == 9 / 2
    assert counts.total("macs") == 6 * 3 / 2 + 2 / 2


def test_binary_first_layer_input_counts_accumulates() -> None:
    binary = (IMAGE > 0).astype(np.float32)  # [[1,0,1],[0,1,0],[1,0,1]]
    counts = count_operations(_conv_net(timesteps=2), binary[None, None])
    conv = _layer(counts, "conv")
    # windows [[1,0],[0,1]] [[0,1],[1,0]] [[0,1],[1,0]] [[1,0],[0,1]], mask [[1,0],[1,1]]: 2+1+1+2
    assert (conv.acs, conv.macs) == (6 * 2, 0)


def test_residual_add_by_hand() -> None:
    w1 = np.array([[1.0, 0, 0, 1], [0, 0, 0, 0], [2, 1, 0, 0]])
    w2 = np.array([[0.0, 1, 1, 0], [1, 1, 1, 1], [0, 0, 0, 0]])
    graph = ir.Graph(
        nodes={
            "input": ir.Input(shape=(4,)),
            "a": ir.Linear(weight=w1),
            "b": ir.Linear(weight=w2),
            "add": ir.Add(),
            "if": ir.IF(r=UNIT_R, v_threshold=2.5),
            "output": ir.Output(),
        },
        edges=[
            ("input", "a"),
            ("input", "b"),
            ("a", "add"),
            ("b", "add"),
            ("add", "if"),
            ("if", "output"),
        ],
        dt=DT,
        timesteps=2,
    )
    counts = count_operations(graph, np.array([[1.0, 0.0, 1.0, 1.0]], dtype=np.float32))
    # a: rows see inputs {0,2,3}: row0 -> cols 0,3 (2), row1 -> 0, row2 -> col 0 (1) = 3 per step
    assert (_layer(counts, "a").acs, _layer(counts, "a").dense_ops) == (3 * 2, 12 * 2)
    # b: row0 -> col 2 (1), row1 -> cols 0,2,3 (3), row2 -> 0 = 4 per step
    assert (_layer(counts, "b").acs, _layer(counts, "b").macs) == (4 * 2, 0)
    add = _layer(counts, "add")
    assert (add.acs, add.macs, add.dense_ops, add.neuron_updates) == (0, 0, 0, 0)
    # a x = [2, 0, 2], b x = [1, 3, 0], sum [3, 3, 2]; threshold 2.5, subtract reset:
    # t1 v=[3,3,2] -> 2 spikes, v=[.5,.5,2]; t2 v=[3.5,3.5,4] -> 3 spikes.
    assert _layer(counts, "if").spikes == 5
    assert _layer(counts, "if").neuron_updates == 3 * 2


def test_conv_padding_borders_are_exact() -> None:
    # 3x3 all-ones kernel, padding 1 on a 3x3 image of ones: the number of in-bounds pixels per
    # output position is 4 (corners), 6 (edges), 9 (centre) -> 4*4 + 4*6 + 9 = 49 pairs.
    graph = ir.Graph.sequential(
        [
            ("input", ir.Input(shape=(1, 3, 3))),
            ("conv", ir.Conv2d(weight=np.ones((1, 1, 3, 3)), padding=1)),
            ("if", ir.IF(r=UNIT_R, v_threshold=100.0)),
            ("output", ir.Output()),
        ],
        dt=DT,
        timesteps=1,
    )
    conv = _layer(count_operations(graph, np.ones((1, 1, 3, 3), np.float32)), "conv")
    assert (conv.acs, conv.dense_ops) == (49, 49)


def test_counting_rules_name_every_count() -> None:
    for phrase in (
        "accumulates (ACs)",
        "multiply-accumulates (MACs)",
        "Dense operations",
        "Neuron updates",
        "Memory accesses",
        "Bias is excluded",
        "per inference",
    ):
        assert phrase in COUNTING_RULES


def test_relu_and_maxpool_add_no_operations() -> None:
    """Conv -> ReLU -> MaxPool2d -> Linear: only the two connection layers count (MACs)."""
    graph = ir.Graph.sequential(
        [
            ("input", ir.Input(shape=(1, 3, 3))),
            ("conv", ir.Conv2d(weight=np.array([[[[1.0, 0.0], [2.0, 3.0]]]]), bias=None)),
            ("relu", ir.ReLU()),
            ("pool", ir.MaxPool2d(kernel_size=2)),
            ("flat", ir.Flatten()),
            ("fc", ir.Linear(weight=np.array([[2.0]]))),
            ("output", ir.Output()),
        ],
        dt=DT,
        timesteps=1,
    )
    counts = count_operations(graph, IMAGE[None, None])
    for name in ("relu", "pool"):
        layer = _layer(counts, name)
        assert layer.acs == layer.macs == layer.dense_ops == layer.memory_accesses == 0.0
    # conv: 4 windows x 3 non-zero weights, (non-zero input) pairs: 2+2+2+2... by hand
    windows = [IMAGE[i : i + 2, j : j + 2] for i in range(2) for j in range(2)]
    mask = np.array([[1.0, 0.0], [1.0, 1.0]])
    assert _layer(counts, "conv").macs == sum(float(((w != 0) * mask).sum()) for w in windows)
    assert _layer(counts, "fc").macs == 1.0  # max of positive conv outputs is non-zero
    assert "ReLU and MaxPool2d" in COUNTING_RULES
