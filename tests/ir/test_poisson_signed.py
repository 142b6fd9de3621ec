"""``PoissonEncoder.signed``: validation, defaults and the record (file header) round trip."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from hwsnn import ir
from hwsnn.errors import IRValidationError
from hwsnn.ir import graph_from_record, graph_to_record


def _graph(signed: bool) -> ir.Graph:
    return ir.Graph.sequential(
        [
            ("input", ir.Input(shape=(3,))),
            ("enc", ir.PoissonEncoder(gain=0.25, signed=signed)),
            ("output", ir.Output()),
        ],
        dt=1e-3,
        timesteps=2,
    )


def test_default_is_unsigned_and_flag_is_a_bool() -> None:
    assert ir.PoissonEncoder().signed is False
    node = ir.PoissonEncoder(gain=0.5, signed=np.bool_(True))
    assert node.signed is True and type(node.signed) is bool
    assert "signed=True" in repr(node)
    assert _graph(True).encoding == "poisson"


@pytest.mark.parametrize("bad", ["yes", 1, None, 0.0])
def test_non_bool_signed_is_refused(bad: object) -> None:
    with pytest.raises(IRValidationError, match=r"PoissonEncoder\.signed"):
        ir.PoissonEncoder(gain=0.5, signed=bad)  # type: ignore[arg-type]


def test_replace_revalidates_and_equality_sees_the_sign() -> None:
    node = ir.PoissonEncoder(gain=0.5)
    signed = dataclasses.replace(node, signed=True)
    assert signed.signed and not ir.nodes_equal(node, signed)
    with pytest.raises(IRValidationError):
        dataclasses.replace(node, signed="no")
    assert not ir.graphs_equal(_graph(True), _graph(False))


@pytest.mark.parametrize("signed", [False, True])
def test_record_round_trip(signed: bool) -> None:
    header, arrays = graph_to_record(_graph(signed))
    entry = next(e for e in header["nodes"] if e["name"] == "enc")
    assert entry["fields"] == {"gain": 0.25, "signed": signed}
    back = graph_from_record(header, arrays)
    assert ir.graphs_equal(back, _graph(signed))


def test_record_without_the_field_loads_unsigned() -> None:
    """Headers written before ``signed`` existed decode to the unsigned encoder."""
    header, arrays = graph_to_record(_graph(True))
    for entry in header["nodes"]:
        entry["fields"].pop("signed", None)
    back = graph_from_record(header, arrays)
    assert ir.graphs_equal(back, _graph(False))
