from __future__ import annotations

import pytest
import torch

from hwsnn.nn.functional import FastSigmoid, Triangle, fast_sigmoid_spike, triangle_spike

THR = torch.tensor(1.0)


@pytest.mark.parametrize("spike", [FastSigmoid(), Triangle(), FastSigmoid(slope=5.0)])
def test_forward_is_strict_heaviside(spike):
    v = torch.tensor([0.0, 0.999, 1.0, 1.0001, 3.0, -2.0])
    assert spike(v, THR).tolist() == [0.0, 0.0, 0.0, 1.0, 1.0, 0.0]


def test_fast_sigmoid_gradient_matches_formula():
    v = torch.tensor([1.1, 0.6, 1.0], requires_grad=True)
    fast_sigmoid_spike(v, THR, 25.0).sum().backward()
    x = torch.tensor([0.1, -0.4, 0.0])
    expected = 1.0 / (25.0 * x.abs() + 1.0) ** 2
    torch.testing.assert_close(v.grad, expected)
    assert v.grad[2] == 1.0


def test_triangle_gradient_is_paper_004_eq8():
    thr = torch.tensor(2.0)
    v = torch.tensor([2.0, 3.0, 1.0, 4.5, -1.0], requires_grad=True)
    triangle_spike(v, thr, 0.3).sum().backward()
    # alpha * max(0, 1 - |(v - thr) / thr|)
    expected = torch.tensor([0.3, 0.15, 0.15, 0.0, 0.0])
    torch.testing.assert_close(v.grad, expected)


def test_surrogates_give_no_gradient_to_threshold():
    thr = torch.tensor(1.0, requires_grad=True)
    v = torch.tensor([1.2], requires_grad=True)
    FastSigmoid()(v, thr).sum().backward()
    assert thr.grad is None
    assert v.grad is not None and v.grad.item() > 0
