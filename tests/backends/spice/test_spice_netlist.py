"""Netlist templating: strict validation and golden netlists."""

from __future__ import annotations

import numpy as np
import pytest

from hwsnn.backends.spice.circuit import PLLNeuronCircuit
from hwsnn.backends.spice.netlist import (
    Netlist,
    format_number,
    load_template,
    render,
    validate_name,
)
from hwsnn.backends.spice.xspice import build_neuron_netlist
from hwsnn.errors import DataError, HwsnnError

from .conftest import GOLDEN, UPDATE_GOLDEN

SYNAPSE = {"name": "in0", "node": "in0", "t0": 1e-9, "t1": 1.1e-9, "t2": 2e-9, "t3": 2.1e-9,
           "amp": 1.0, "r": 2000.0}


@pytest.mark.parametrize("bad", ["x\n.control", "a b", "1abc", "", "in0;", "x.exec", "é", "a" * 41])
def test_bad_names_are_rejected(bad: str) -> None:
    with pytest.raises(HwsnnError):
        validate_name(bad)
    with pytest.raises(HwsnnError):
        render(load_template("nlif_synapse"), {**SYNAPSE, "node": bad})


@pytest.mark.parametrize("bad", ["1; .exec", "1\n.control", float("nan"), float("inf"), True,
                                 None, "1", 1j, [1.0]])
def test_bad_values_are_rejected(bad: object) -> None:
    with pytest.raises(HwsnnError):
        format_number(bad)
    with pytest.raises(HwsnnError):
        render(load_template("nlif_synapse"), {**SYNAPSE, "r": bad})


def test_blocks_must_be_rendered_and_parameters_exact() -> None:
    tmpl = load_template("nlif_xspice")
    with pytest.raises(HwsnnError, match="blocks"):
        render(tmpl, {k: 1.0 for k in tmpl.parameters} | {"synapses": ".control\nshell rm"})
    with pytest.raises(HwsnnError, match="missing"):
        render(load_template("nlif_synapse"), {"name": "in0"})
    with pytest.raises(HwsnnError, match="undeclared"):
        render(load_template("nlif_synapse"), {**SYNAPSE, "extra": 1.0})
    with pytest.raises(HwsnnError):
        load_template("../etc/passwd")
    with pytest.raises(DataError):
        load_template("no_such_template")


def test_rendered_values_are_numbers() -> None:
    net = render(load_template("nlif_synapse"), SYNAPSE)
    assert isinstance(net, Netlist)
    want = "Vin0 in0 0 PWL(0 0 1e-09 0 1.1e-09 1 2e-09 1 2.1e-09 0)\nRin0 in0 sum 2000\n"
    assert net.text == want
    assert format_number(np.float32(0.5)) == "0.5"


def test_templates_declare_units_and_ports() -> None:
    tmpl = load_template("nlif_xspice")
    assert {"sum", "qa", "psi"} <= set(tmpl.ports)
    assert tmpl.parameters["r_lf"].unit == "ohm"
    assert all(p.unit for p in tmpl.parameters.values() if p.kind == "number")


def test_golden_neuron_netlist() -> None:
    net = build_neuron_netlist(PLLNeuronCircuit(), [0.0, 2e-9, np.inf, 7e-9],
                               [0.5, -0.25, 0.4, 0.6], t_stop_s=60e-9)
    path = GOLDEN / "nlif_xspice_4in.cir"
    if UPDATE_GOLDEN:
        path.write_text(net.text)
    assert net.text == path.read_text()
