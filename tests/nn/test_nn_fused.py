"""The fused time loops give the spikes and gradients of a straightforward per-step loop."""

from __future__ import annotations

import itertools

import pytest
import torch

from hwsnn.nn import IF, LI, LIF, FastSigmoid, Sequential, Triangle
from hwsnn.nn.functional import (
    FusableSurrogate,
    fast_sigmoid_spike,
    leaky_sequence_reference,
    spiking_sequence_reference,
)

DT = 1e-3


def _loop_lif(x, keep, gain, leak, thr, *, subtract, v_reset, surrogate, detach):
    """The LIF written out by hand with plain torch ops (independent of hwsnn.nn)."""

    class Spike(torch.autograd.Function):
        @staticmethod
        def forward(ctx, v):
            ctx.save_for_backward(v)
            return (v > thr).float()

        @staticmethod
        def backward(ctx, grad):
            (v,) = ctx.saved_tensors
            if isinstance(surrogate, FastSigmoid):
                return grad / (surrogate.slope * (v - thr).abs() + 1.0) ** 2
            width = (1.0 - ((v - thr) / thr).abs()).clamp_min(0.0)
            return grad * (surrogate.alpha * width)

    v = torch.zeros_like(x[0])
    out = []
    for t in range(x.shape[0]):
        v = keep * v + gain * x[t] + leak
        s = Spike.apply(v)
        r = s.detach() if detach else s
        v = v - r * thr if subtract else torch.where(r > 0, v_reset, v)
        out.append(s)
    return torch.stack(out)


CASES = list(
    itertools.product(
        [FastSigmoid(), FastSigmoid(slope=5.0), Triangle(0.3)],
        [True, False],
        ["subtract", "zero"],
        [(2e-3, 0.0, None), (1.7e-3, 0.3, 0.7)],
    )
)


@pytest.mark.parametrize(("surrogate", "detach", "reset", "lif_args"), CASES)
def test_fused_lif_equals_hand_written_loop(surrogate, detach, reset, lif_args, gen):
    tau, v_leak, r = lif_args
    lif = LIF(
        tau,
        DT,
        v_threshold=0.9,
        reset=reset,
        v_reset=0.2,
        r=r,
        v_leak=v_leak,
        surrogate=surrogate,
        detach_reset=detach,
    )
    x = torch.rand(16, 6, 9, generator=gen) * 2
    weights = torch.randn(16, 6, 9, generator=gen)
    xa, xb, xc = (x.clone().requires_grad_() for _ in range(3))
    fused = lif(xa)
    c = lif.constants()
    hand = _loop_lif(
        xb,
        lif.keep,
        lif.gain,
        lif.leak,
        lif.threshold,
        subtract=lif.subtract,
        v_reset=lif.v_reset,
        surrogate=surrogate,
        detach=detach,
    )
    ref = spiking_sequence_reference(
        xc,
        c,
        lif.threshold,
        subtract=lif.subtract,
        v_reset=lif.v_reset,
        spike=surrogate,
        detach_reset=detach,
    )
    for y in (fused, hand, ref):
        (y * weights).sum().backward()
    assert 0.05 < fused.mean().item() < 0.95
    assert torch.equal(fused, ref) and torch.equal(xa.grad, xc.grad)  # bit for bit
    assert torch.equal(fused, hand)
    torch.testing.assert_close(xa.grad, xb.grad, rtol=1e-5, atol=1e-6)
    assert xa.grad.abs().sum().item() > 0


def test_fused_li_equals_reference(gen):
    li = LI(3e-3, DT, v_leak=0.2)
    x = torch.rand(10, 4, 5, generator=gen)
    xa, xb = x.clone().requires_grad_(), x.clone().requires_grad_()
    ya, yb = li(xa), leaky_sequence_reference(xb, li.constants())
    weights = torch.randn(10, 4, 5, generator=gen)
    (ya * weights).sum().backward()
    (yb * weights).sum().backward()
    assert torch.equal(ya, yb) and torch.equal(xa.grad, xb.grad)


def test_known_surrogates_are_fusable_and_others_fall_back(gen):
    assert isinstance(FastSigmoid(), FusableSurrogate)
    assert isinstance(Triangle(), FusableSurrogate)

    def plain(v, thr):
        return fast_sigmoid_spike(v, thr, 25.0)

    assert not isinstance(plain, FusableSurrogate)
    x = torch.rand(8, 3, 4, generator=gen) * 2
    xa, xb = x.clone().requires_grad_(), x.clone().requires_grad_()
    ya, yb = IF(DT)(xa), IF(DT, surrogate=plain)(xb)
    assert ya.grad_fn is not None and "SpikingLoop" in type(ya.grad_fn).__name__
    assert "SpikingLoop" not in type(yb.grad_fn).__name__
    ya.sum().backward()
    yb.sum().backward()
    assert torch.equal(ya, yb) and torch.equal(xa.grad, xb.grad)


def test_no_grad_and_float64_paths(gen):
    lif = LIF(2e-3, DT)
    x = torch.rand(6, 2, 3, generator=gen) * 2
    with torch.no_grad():
        fast = lif(x)
    assert fast.grad_fn is None and torch.equal(fast, lif(x.requires_grad_()).detach())
    lif64 = LIF(2e-3, DT).to(torch.float64)
    assert torch.equal(lif64(x.detach().double()).float(), fast)


def test_static_prefix_runs_once_with_the_same_result_and_gradients(gen):
    torch.manual_seed(0)
    conv, pool = torch.nn.Conv2d(1, 3, 3), torch.nn.MaxPool2d(2)
    net = Sequential(
        conv,
        pool,
        LIF(2e-3, DT),
        torch.nn.Flatten(),
        torch.nn.Linear(27, 4),
        LIF(2e-3, DT),
        timesteps=5,
    )
    with torch.no_grad():
        net[4].weight.mul_(8.0)
    x = torch.rand(2, 1, 8, 8, generator=gen) * 4
    calls = []
    handle = pool.register_forward_hook(lambda _m, i, _o: calls.append(i[0].shape[0]))
    static = net(x)
    static.sum().backward()
    grads = [p.grad.clone() for p in net.parameters()]
    net.zero_grad()
    repeated = net.forward_sequence(x.unsqueeze(0).repeat(5, 1, 1, 1, 1))
    repeated.sum().backward()
    handle.remove()
    assert calls == [2, 10]  # once on the batch, then on all T * B samples
    assert torch.equal(static, repeated) and static.sum().item() > 0
    assert grads[0].abs().sum().item() > 0  # the gradient reaches the first convolution
    for g, p in zip(grads, net.parameters(), strict=True):
        torch.testing.assert_close(g, p.grad, rtol=1e-5, atol=1e-6)


class _ViewFlatten(torch.nn.Module):
    """A user layer that needs the standard layout (``view`` fails on channels-last)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.view(x.shape[0], -1)


def _dyadic(net: torch.nn.Module) -> None:
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.round(p * 64) / 64)


def test_convolutions_run_channels_last_and_results_do_not_change(gen):
    torch.manual_seed(2)
    conv1, conv2 = torch.nn.Conv2d(1, 6, 3), torch.nn.Conv2d(6, 8, 3)
    net = Sequential(
        conv1, LIF(2e-3, DT), conv2, torch.nn.MaxPool2d(2), LIF(2e-3, DT), _ViewFlatten(),
        torch.nn.Linear(72, 3), LIF(2e-3, DT), timesteps=4,
    )  # fmt: skip
    _dyadic(net)
    with torch.no_grad():
        for layer in (conv1, conv2, net[6]):
            layer.weight.mul_(4.0)
    x = torch.round(torch.rand(5, 1, 10, 10, generator=gen) * 32) / 16  # dyadic: exact sums
    layouts = []
    handle = conv2.register_forward_hook(
        lambda _m, i, _o: layouts.append(i[0].is_contiguous(memory_format=torch.channels_last))
    )
    out = net(x)
    handle.remove()
    assert layouts == [True] and out.is_contiguous()
    # the same network written out step by step in the standard layout
    lifs = [LIF(2e-3, DT) for _ in range(3)]
    s1 = lifs[0](torch.stack([conv1(x)] * 4))
    c2 = torch.stack([torch.nn.functional.max_pool2d(conv2(s1[t]), 2) for t in range(4)])
    s2 = lifs[1](c2)
    expected = lifs[2](torch.stack([net[6](s2[t].reshape(5, -1)) for t in range(4)]))
    assert torch.equal(out, expected) and s2.sum().item() > 0 and out.sum().item() > 0
