"""Node validation: typed errors for bad parameters, frozen arrays, re-validation on replace."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from hwsnn import ir
from hwsnn.errors import HwsnnError, IRValidationError


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: ir.LIF(tau_mem=0.0), "tau_mem"),
        (lambda: ir.LIF(tau_mem=-1e-3), "tau_mem"),
        (lambda: ir.LIF(tau_mem=1e-3, v_threshold=0.0), "v_threshold"),
        (lambda: ir.IF(r=1.0, v_threshold=-1.0), "v_threshold"),
        (lambda: ir.LI(tau_mem=np.array([1e-3, -1e-3])), "tau_mem"),
        (lambda: ir.LIF(tau_mem=1e-3, reset="sideways"), "reset"),
        (lambda: ir.LIF(tau_mem=np.nan), "NaN"),
        (lambda: ir.NLIF(t_max=0.0), "t_max"),
        (lambda: ir.Affine(weight=np.ones((2, 3)), bias=np.ones(3)), "bias"),
        (lambda: ir.Linear(weight=np.ones(3)), "dimensions"),
        (lambda: ir.Conv2d(weight=np.ones((2, 1, 3, 3)), stride=0), "stride"),
        (lambda: ir.Conv2d(weight=np.ones((3, 1, 3, 3)), groups=2), "groups"),
        (lambda: ir.AvgPool2d(kernel_size=2, padding=2), "padding"),
        (lambda: ir.Input(shape=(0, 3)), "shape"),
        (lambda: ir.PoissonEncoder(gain=0.0), "gain"),
        (lambda: ir.Quantization(weight_bits=0), "weight_bits"),
        (lambda: ir.Linear(weight=[["a"]]), "numeric"),
    ],
)
def test_bad_parameters_raise_typed_errors(factory: object, message: str) -> None:
    with pytest.raises(IRValidationError, match=message):
        factory()  # type: ignore[operator]


def test_arrays_are_frozen_copies() -> None:
    weight = np.ones((2, 2))
    node = ir.Linear(weight=weight)
    weight[0, 0] = 5.0
    assert node.weight[0, 0] == 1.0
    with pytest.raises(ValueError, match="read-only"):
        node.weight[0, 0] = 3.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.weight = np.zeros((2, 2))  # type: ignore[misc]


def test_replace_revalidates() -> None:
    node = ir.LIF(tau_mem=1e-2)
    with pytest.raises(IRValidationError):
        dataclasses.replace(node, tau_mem=-1.0)
    assert dataclasses.replace(node, v_threshold=2.0).v_threshold == 2.0


def test_errors_share_one_hierarchy() -> None:
    assert issubclass(IRValidationError, HwsnnError)


def test_neuron_coefficients_follow_forward_euler() -> None:
    c = ir.neuron_coefficients(ir.LIF(tau_mem=1e-2, r=10.0, v_leak=0.5), dt=1e-3)
    assert c.keep.dtype == np.float32
    np.testing.assert_allclose([c.keep, c.gain, c.leak], [0.9, 1.0, 0.05], rtol=1e-6)
    c_if = ir.neuron_coefficients(ir.IF(r=1000.0), dt=1e-3)
    np.testing.assert_allclose([c_if.keep, c_if.gain, c_if.leak], [1.0, 1.0, 0.0], rtol=1e-6)


def test_registry_names_every_type() -> None:
    for name, cls in ir.NODE_TYPES.items():
        assert cls.__name__ == name
    with pytest.raises(IRValidationError, match="unknown node type"):
        ir.node_type("Quux")


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: ir.MaxPool2d(kernel_size=2, padding=2), "padding"),
        (lambda: ir.MaxPool2d(kernel_size=0), "kernel_size"),
        (lambda: ir.MaxPool2d(kernel_size=2, stride=(1, 0)), "stride"),
    ],
)
def test_bad_maxpool_parameters(factory: object, message: str) -> None:
    with pytest.raises(IRValidationError, match=message):
        factory()  # type: ignore[operator]


def test_maxpool_and_relu_shapes_and_types() -> None:
    pool = ir.MaxPool2d(kernel_size=3, stride=2, padding=1)
    assert (pool.kernel_size, pool.stride, pool.padding) == ((3, 3), (2, 2), (1, 1))
    assert ir.MaxPool2d(kernel_size=(2, 3)).stride == (2, 3)
    assert pool.infer_shape(((4, 9, 9),)) == (4, 5, 5)
    assert not isinstance(pool, ir.SumPool2d)  # never counted or lowered as a window sum
    with pytest.raises(IRValidationError, match="C, H, W"):
        pool.infer_shape(((9, 9),))
    relu = ir.ReLU()
    assert relu.infer_shape(((3, 2, 7),)) == (3, 2, 7)
    assert not relu.stateful and not relu.spiking and relu.fields() == {}
