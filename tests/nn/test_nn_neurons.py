from __future__ import annotations

import numpy as np
import pytest
import torch

from hwsnn import ir
from hwsnn.errors import IRValidationError
from hwsnn.nn import IF, LI, LIF, FastSigmoid, Triangle

DT = 1e-3


def _seq(values: list[float]) -> torch.Tensor:
    """A (T, 1, 1) input current sequence."""
    return torch.tensor(values, dtype=torch.float32).reshape(-1, 1, 1)


def _flat(out: torch.Tensor) -> list[float]:
    return out.reshape(-1).tolist()


def test_lif_subtract_trajectory_by_hand():
    # tau = 2 dt: keep = 0.5, gain = 1. v: .8, 1.2->.2, .9, 1.25->.25, .925, 1.2625->.2625
    lif = LIF(2e-3, DT)
    assert _flat(lif(_seq([0.8] * 6))) == [0, 1, 0, 1, 0, 1]


def test_lif_zero_reset_to_v_reset_by_hand():
    # v: .8, 1.2 -> reset .5, .25+.8=1.05 -> .5, 1.05 -> .5, ...
    lif = LIF(2e-3, DT, reset="zero", v_reset=0.5)
    assert _flat(lif(_seq([0.8] * 5))) == [0, 1, 1, 1, 1]
    # with subtraction the same input spikes every other step
    assert _flat(LIF(2e-3, DT)(_seq([0.8] * 5))) == [0, 1, 0, 1, 0]


def test_lif_threshold_and_resistance():
    # r = 1 (instead of tau/dt = 2): gain = 0.5; threshold 0.5
    # v: .5 (not > .5), .25+.5=.75 -> .25, .125+.5=.625 -> .125, .5625 -> .0625
    lif = LIF(2e-3, DT, r=1.0, v_threshold=0.5)
    assert _flat(lif(_seq([1.0] * 4))) == [0, 1, 1, 1]


def test_li_trajectory_with_leak_by_hand():
    # tau = 4 dt: keep = .75, gain = 1, leak = .25 * v_leak = .1
    li = LI(4e-3, DT, v_leak=0.4)
    out = _flat(li(_seq([0.0, 0.0, 1.0, 0.0])))
    expected = [0.1, 0.175, 0.175 * 0.75 + 1.0 + 0.1, (0.175 * 0.75 + 1.1) * 0.75 + 0.1]
    np.testing.assert_allclose(out, expected, rtol=1e-6)


def test_if_trajectory_by_hand():
    # unit gain, no leak (dyadic values, exact): v: .625, 1.25->.25, .875, 1.5->.5, 1.125->.125, .75
    assert _flat(IF(DT)(_seq([0.625] * 6))) == [0, 1, 0, 1, 1, 0]
    # strict threshold: v: .5, 1.0 (not > 1), 1.5 -> .5, 1.0, 1.5
    assert _flat(IF(DT)(_seq([0.5] * 5))) == [0, 0, 1, 0, 1]
    # r = 500 /s: gain = dt * r = .5
    assert _flat(IF(DT, r=500.0)(_seq([1.0] * 4))) == [0, 0, 1, 0]


def test_zero_reset_if():
    assert _flat(IF(DT, reset="zero", v_threshold=1.0)(_seq([0.7] * 4))) == [0, 1, 0, 1]


def test_batch_and_shape_are_kept():
    x = torch.rand(5, 3, 2, 4, 4)
    assert LIF(5e-3, DT)(x).shape == x.shape
    assert LI(5e-3, DT)(x).shape == x.shape


def test_coefficients_come_from_the_ir():
    lif = LIF(7e-3, DT, v_leak=0.3, r=2.0)
    node = lif.to_ir()
    assert isinstance(node, ir.LIF)
    c = ir.neuron_coefficients(node, DT)
    for name in ("keep", "gain", "leak"):
        assert np.array_equal(getattr(lif, name).numpy(), getattr(c, name))
        assert getattr(lif, name).dtype == torch.float32
    assert float(node.r) == 2.0 and float(node.v_leak) == 0.3
    # derived buffers are not saved
    assert lif.state_dict() == {}


def test_default_resistance_is_unit_gain():
    assert LIF(5e-3, DT).gain.item() == 1.0
    assert IF(DT).gain.item() == 1.0
    assert LI(5e-3, DT).gain.item() == 1.0


@pytest.mark.parametrize("surrogate", [FastSigmoid(), Triangle(alpha=0.5)])
@pytest.mark.parametrize("detach_reset", [True, False])
def test_gradients_flow_through_time(surrogate, detach_reset, gen):
    lif = LIF(5e-3, DT, surrogate=surrogate, detach_reset=detach_reset)
    x = (torch.rand(8, 4, 10, generator=gen) * 1.5).requires_grad_()
    out = lif(x)
    assert 0 < out.mean().item() < 1
    out.sum().backward()
    assert x.grad is not None and x.grad.abs().sum().item() > 0
    assert torch.isfinite(x.grad).all()


def test_detach_reset_changes_gradient_not_forward(gen):
    x = torch.rand(10, 3, 6, generator=gen) * 1.5
    a, b = LIF(5e-3, DT, detach_reset=True), LIF(5e-3, DT, detach_reset=False)
    xa, xb = x.clone().requires_grad_(), x.clone().requires_grad_()
    ya, yb = a(xa), b(xb)
    assert torch.equal(ya, yb)
    ya.sum().backward()
    yb.sum().backward()
    assert not torch.equal(xa.grad, xb.grad)


def test_bad_parameters_raise_typed_errors():
    with pytest.raises(IRValidationError, match="dt"):
        LIF(1e-3, 0.0)
    with pytest.raises(IRValidationError, match="reset"):
        LIF(1e-3, DT, reset="hard")
    with pytest.raises(IRValidationError, match="tau_mem"):
        LIF(-1e-3, DT)
    with pytest.raises(IRValidationError, match="v_threshold"):
        IF(DT, v_threshold=0.0)


def test_modules_follow_dtype_device_moves():
    lif = LIF(5e-3, DT).to(torch.float64)
    assert lif.keep.dtype == torch.float64
    assert lif(torch.rand(3, 2, 4, dtype=torch.float64)).dtype == torch.float64
