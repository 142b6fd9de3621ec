"""The native .hwir format: exact round trip of every node type, clear errors on bad files."""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

import numpy as np
import pytest

import hwsnn
from hwsnn import ir
from hwsnn.errors import FormatError
from hwsnn.formats.native import MAGIC
from tests.conftest import all_nodes_graph, conv_lif_graph


def _nlif_graph(rng: np.random.Generator) -> ir.Graph:
    return ir.Graph.sequential(
        [
            ("input", ir.Input(shape=(4,))),
            ("fc", ir.Linear(weight=rng.random((3, 4)))),
            ("nlif", ir.NLIF(tau_syn=1.0, v_threshold=1.0, t_max=8.0)),
            ("output", ir.Output()),
        ],
        dt=1e-3,
        timesteps=1,
    )


def test_every_node_type_round_trips(tmp_path: Path, rng: np.random.Generator) -> None:
    graphs = [all_nodes_graph(rng), conv_lif_graph(rng), _nlif_graph(rng)]
    covered = {type(n).__name__ for g in graphs for n in g.nodes.values()}
    builtin = {
        "Input",
        "PoissonEncoder",
        "CurrentEncoder",
        "Affine",
        "Linear",
        "Conv2d",
        "AvgPool2d",
        "SumPool2d",
        "Flatten",
        "Add",
        "Scale",
        "LIF",
        "IF",
        "LI",
        "NLIF",
        "Output",
    }
    graphs.append(
        ir.Graph.sequential(
            [
                ("input", ir.Input(shape=(3,))),
                ("enc", ir.PoissonEncoder(gain=0.5)),
                ("output", ir.Output()),
            ],
            dt=1e-3,
            timesteps=2,
        )
    )
    covered.add("PoissonEncoder")
    assert builtin <= covered
    for i, graph in enumerate(graphs):
        path = hwsnn.save(graph, tmp_path / f"g{i}.hwir")
        assert ir.graphs_equal(hwsnn.load(path), graph)


def _good_file(tmp_path: Path, rng: np.random.Generator) -> Path:
    return hwsnn.save(conv_lif_graph(rng), tmp_path / "model.hwir")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="no such file"):
        hwsnn.load(tmp_path / "absent.hwir")


def test_wrong_suffix(tmp_path: Path, rng: np.random.Generator) -> None:
    with pytest.raises(FormatError, match="unknown suffix"):
        hwsnn.save(conv_lif_graph(rng), tmp_path / "model.txt")


@pytest.mark.parametrize("cut", [4, 12, 100, -10])
def test_truncated_file(tmp_path: Path, rng: np.random.Generator, cut: int) -> None:
    path = _good_file(tmp_path, rng)
    data = path.read_bytes()
    path.write_bytes(data[:cut])
    with pytest.raises(FormatError):
        hwsnn.load(path)


def test_corrupted_payload_is_detected(tmp_path: Path, rng: np.random.Generator) -> None:
    path = _good_file(tmp_path, rng)
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError, match="checksum"):
        hwsnn.load(path)


def test_random_bytes_and_newer_version(tmp_path: Path, rng: np.random.Generator) -> None:
    bad = tmp_path / "noise.hwir"
    bad.write_bytes(rng.bytes(200))
    with pytest.raises(FormatError, match="magic"):
        hwsnn.load(bad)
    header, arrays = ir.graph_to_record(conv_lif_graph(rng))
    with pytest.raises(FormatError, match="format_version"):
        ir.graph_from_record({**header, "format_version": 99}, arrays)


def test_write_is_atomic(tmp_path: Path, rng: np.random.Generator) -> None:
    path = _good_file(tmp_path, rng)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_relu_and_maxpool_round_trip(tmp_path: Path, rng: np.random.Generator) -> None:
    graph = ir.Graph.sequential(
        [
            ("input", ir.Input(shape=(2, 7, 7))),
            ("conv", ir.Conv2d(weight=rng.normal(size=(3, 2, 3, 3)), padding=(1, 1))),
            ("relu", ir.ReLU()),
            ("pool", ir.MaxPool2d(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1))),
            ("output", ir.Output()),
        ],
        dt=1e-3,
        timesteps=1,
    )
    back = hwsnn.load(hwsnn.save(graph, tmp_path / "cnn.hwir"))
    assert ir.graphs_equal(back, graph)
    pool = back.nodes["pool"]
    assert isinstance(pool, ir.MaxPool2d) and not isinstance(pool, ir.SumPool2d)
    assert (pool.kernel_size, pool.stride, pool.padding) == ((3, 2), (2, 1), (1, 1))


def _poisson_graph(signed: bool) -> ir.Graph:
    return ir.Graph.sequential(
        [
            ("input", ir.Input(shape=(3,))),
            ("enc", ir.PoissonEncoder(gain=0.5, signed=signed)),
            ("output", ir.Output()),
        ],
        dt=1e-3,
        timesteps=2,
    )


@pytest.mark.parametrize("signed", [False, True])
def test_signed_poisson_round_trips(tmp_path: Path, signed: bool) -> None:
    path = hwsnn.save(_poisson_graph(signed), tmp_path / "p.hwir")
    back = hwsnn.load(path)
    assert back.nodes["enc"].signed is signed  # type: ignore[attr-defined]
    assert ir.graphs_equal(back, _poisson_graph(signed))


def test_file_from_before_signed_poisson_loads_unsigned(tmp_path: Path) -> None:
    """A .hwir header without ``PoissonEncoder.signed`` (older writer) reads as unsigned."""
    from hwsnn.formats.native import _array_table

    header, arrays = ir.graph_to_record(_poisson_graph(False))
    for entry in header["nodes"]:
        entry["fields"].pop("signed", None)
    table, payload = _array_table(arrays)
    header = {**header, "arrays": table, "payload_sha256": hashlib.sha256(payload).hexdigest()}
    blob = json.dumps(header, sort_keys=True).encode()
    path = tmp_path / "old.hwir"
    path.write_bytes(MAGIC + struct.pack("<Q", len(blob)) + blob + payload)
    assert "signed" not in blob.decode()
    assert ir.graphs_equal(hwsnn.load(path), _poisson_graph(False))
