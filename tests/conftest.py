"""Shared fixtures: a seeded generator and small IR graphs of every family."""

from __future__ import annotations

import numpy as np
import pytest

from hwsnn import ir


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator (tests never use global RNG state)."""
    return np.random.default_rng(1234)


def conv_lif_graph(
    rng: np.random.Generator, *, reset: str = "subtract", timesteps: int = 6
) -> ir.Graph:
    """Input -> Conv2d -> LIF -> AvgPool2d -> Flatten -> Affine -> LI -> Output on 1x8x8 inputs."""
    return ir.Graph.sequential(
        [
            ("input", ir.Input(shape=(1, 8, 8))),
            (
                "conv",
                ir.Conv2d(
                    weight=rng.normal(0, 0.8, (4, 1, 3, 3)), bias=rng.normal(0, 0.1, 4), padding=1
                ),
            ),
            ("lif1", ir.LIF(tau_mem=5e-3, r=5.0, v_threshold=0.5, reset=reset)),
            ("pool", ir.AvgPool2d(kernel_size=2)),
            ("flat", ir.Flatten()),
            ("fc", ir.Affine(weight=rng.normal(0, 0.5, (10, 64)), bias=np.zeros(10))),
            ("readout", ir.LI(tau_mem=1e-2, r=10.0)),
            ("output", ir.Output()),
        ],
        dt=1e-3,
        timesteps=timesteps,
        metadata={"source": "test"},
    )


def all_nodes_graph(rng: np.random.Generator) -> ir.Graph:
    """A residual graph that uses every built-in node type except NLIF."""
    nodes: dict[str, ir.Node] = {
        "input": ir.Input(shape=(2, 6, 6)),
        "enc": ir.CurrentEncoder(gain=2.0),
        "conv": ir.Conv2d(
            weight=rng.normal(size=(4, 2, 3, 3)),
            stride=1,
            padding=(1, 1),
            quant=ir.Quantization(weight_bits=8, scale=0.01),
        ),
        "lif": ir.LIF(
            tau_mem=np.full((4, 6, 6), 2e-2),
            r=20.0,
            v_threshold=1.0,
            reset="zero",
            threshold_scale=np.linspace(1.0, 0.5, 4),
        ),
        "sum": ir.SumPool2d(kernel_size=2),
        "avg": ir.AvgPool2d(kernel_size=(2, 2), stride=(2, 2)),
        "skip_scale": ir.Scale(scale=np.full((4, 3, 3), 0.5)),
        "add": ir.Add(),
        "if": ir.IF(r=1000.0, v_threshold=0.5),
        "flat": ir.Flatten(start_dim=0, end_dim=-1),
        "lin": ir.Linear(weight=rng.normal(size=(5, 36))),
        "aff": ir.Affine(weight=rng.normal(size=(3, 5)), bias=rng.normal(size=3)),
        "li": ir.LI(tau_mem=1e-2, r=10.0, v_leak=0.1),
        "output": ir.Output(),
    }
    edges = [
        ("input", "enc"),
        ("enc", "conv"),
        ("conv", "lif"),
        ("lif", "sum"),
        ("lif", "avg"),
        ("avg", "skip_scale"),
        ("sum", "add"),
        ("skip_scale", "add"),
        ("add", "if"),
        ("if", "flat"),
        ("flat", "lin"),
        ("lin", "aff"),
        ("aff", "li"),
        ("li", "output"),
    ]
    return ir.Graph(nodes=nodes, edges=edges, dt=1e-3, timesteps=4, metadata={"k": "v"})


def concat_graph(rng: np.random.Generator, axis: int = 0) -> ir.Graph:
    """Input -> (conv 3 maps -> ReLU, conv 2 maps) -> Concat -> conv 5->2 maps -> Output."""
    nodes: dict[str, ir.Node] = {
        "in": ir.Input(shape=(1, 6, 6)),
        "a": ir.Conv2d(weight=rng.normal(size=(3, 1, 3, 3)), padding=(1, 1)),
        "relu_a": ir.ReLU(),
        "b": ir.Conv2d(weight=rng.normal(size=(2, 1, 3, 3)), padding=(1, 1)),
        "join": ir.Concat(axis=axis),
        "mix": ir.Conv2d(weight=rng.normal(size=(2, 5, 3, 3))),
        "out": ir.Output(),
    }
    edges = [
        ("in", "a"),
        ("a", "relu_a"),
        ("in", "b"),
        ("relu_a", "join"),
        ("b", "join"),
        ("join", "mix"),
        ("mix", "out"),
    ]
    return ir.Graph(nodes=nodes, edges=edges, dt=1e-3, timesteps=1)
