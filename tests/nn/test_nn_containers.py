from __future__ import annotations

import numpy as np
import pytest
import torch

from hwsnn.errors import IRValidationError
from hwsnn.nn import LI, LIF, PoissonEncoder, Residual, Sequential, as_sequence, record_spikes

DT = 1e-3


def test_as_sequence_repeats_static_batches():
    x = torch.rand(4, 3)
    seq = as_sequence(x, 5)
    assert seq.shape == (5, 4, 3) and torch.equal(seq[2], x)
    assert as_sequence(torch.rand(5, 4, 3), None).shape == (5, 4, 3)
    # with the input shape both layouts are accepted
    assert as_sequence(x, 5, (3,)).shape == (5, 4, 3)
    assert as_sequence(torch.rand(7, 4, 3), 5, (3,)).shape == (7, 4, 3)
    with pytest.raises(IRValidationError, match="neither"):
        as_sequence(torch.rand(4, 2), 5, (3,))
    with pytest.raises(IRValidationError, match="timesteps"):
        as_sequence(x, None, (3,))


def _net(timesteps: int | None = None) -> Sequential:
    torch.manual_seed(0)
    return Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(6, 5),
        LIF(4e-3, DT),
        torch.nn.Linear(5, 2),
        LI(4e-3, DT),
        timesteps=timesteps,
        input_shape=(2, 3),
    )


def test_sequential_runs_stateless_layers_per_step(gen):
    net = _net()
    x = torch.rand(6, 3, 2, 3, generator=gen) * 2
    out = net(x)
    assert out.shape == (6, 3, 2)
    # the same computation written out step by step
    lin1, lif, lin2, li = net[1], net[2], net[3], net[4]
    currents = torch.stack([lin1(x[t].flatten(1)) for t in range(6)])
    spikes = lif(currents)
    expected = li(torch.stack([lin2(spikes[t]) for t in range(6)]))
    assert torch.equal(out, expected)


def test_static_input_equals_repeated_sequence(gen):
    # a static input runs the first layers once; dyadic values keep every sum exact
    net = _net(timesteps=4)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.round(p * 64) / 64)
    x = torch.round(torch.rand(3, 2, 3, generator=gen) * 16) / 16
    assert net(x)[0].ndim == 2 and net[1](x.flatten(1)).shape == (3, 5)
    assert torch.equal(net(x), net(x.unsqueeze(0).repeat(4, 1, 1, 1)))
    assert net(x, timesteps=7).shape == (7, 3, 2)


def test_nested_sequentials_and_residual(gen):
    torch.manual_seed(1)
    inner = Sequential(torch.nn.Linear(4, 4), LIF(3e-3, DT))
    net = Sequential(
        torch.nn.Linear(4, 4),
        LIF(3e-3, DT),
        Residual(inner),
        torch.nn.Sequential(torch.nn.Identity()),
    )
    x = torch.rand(5, 2, 4, generator=gen) * 3
    h = net[1](torch.stack([net[0](x[t]) for t in range(5)]))
    expected = h + inner.forward_sequence(h)
    assert torch.equal(net(x), expected)
    assert expected.max().item() == 2.0  # skip spike + block spike


def test_record_spikes_keys_are_node_names(gen):
    torch.manual_seed(2)
    net = Sequential(
        PoissonEncoder(generator=gen),
        torch.nn.Linear(4, 4),
        LIF(3e-3, DT),
        Residual(Sequential(torch.nn.Linear(4, 4), LIF(3e-3, DT))),
        timesteps=3,
    )
    spikes = record_spikes(net, torch.rand(2, 4))
    assert sorted(spikes) == ["layer0", "layer2", "layer3.block.1"]
    assert all(s.shape == (3, 2, 4) and s.dtype == np.uint8 for s in spikes.values())
    from_numpy = record_spikes(net, np.ones((2, 4)))  # arrays are accepted too
    assert from_numpy["layer0"].all()
    assert not net[2]._forward_hooks  # hooks removed


def test_poisson_encoder_rate_and_seed():
    x = torch.full((2000, 1, 3), 0.25)
    x[..., 1] = 1.5  # clipped to probability 1
    x[..., 2] = -1.0  # clipped to 0
    a = PoissonEncoder(generator=torch.Generator().manual_seed(3))(x)
    b = PoissonEncoder(generator=torch.Generator().manual_seed(3))(x)
    assert torch.equal(a, b)
    assert abs(a[..., 0].mean().item() - 0.25) < 0.03
    assert a[..., 1].min().item() == 1.0 and a[..., 2].max().item() == 0.0
    assert PoissonEncoder(gain=0.5).to_ir().gain == 0.5


def test_signed_poisson_encoder_fires_the_input_sign():
    x = torch.full((4000, 1, 4), 0.25)
    x[..., 1] = -0.25
    x[..., 2] = -1.5  # probability clipped at 1: -1 every step
    x[..., 3] = 0.0
    enc = PoissonEncoder(signed=True, generator=torch.Generator().manual_seed(3))
    s = enc(x)
    assert set(s.unique().tolist()) == {-1.0, 0.0, 1.0}
    assert abs(s[..., 0].mean().item() - 0.25) < 0.03
    assert abs(s[..., 1].mean().item() + 0.25) < 0.03 and s[..., 1].max().item() == 0.0
    assert s[..., 2].max().item() == -1.0 and not s[..., 3].any()
    # the same draws as the unsigned encoder: equal on non-negative inputs
    plain = PoissonEncoder(generator=torch.Generator().manual_seed(3))(x)
    assert torch.equal(plain[..., 0], s[..., 0]) and not plain[..., 1:3].any()
    node = PoissonEncoder(gain=0.5, signed=True).to_ir()
    assert node.signed and node.gain == 0.5 and not PoissonEncoder().to_ir().signed
    assert "signed=True" in repr(enc)


def test_slicing_and_deepcopy_keep_working(gen):
    import copy

    net = _net(timesteps=3)
    head = net[:3]
    assert isinstance(head, Sequential) and len(head) == 3
    x = torch.rand(2, 2, 3, generator=gen)
    twin = copy.deepcopy(net)
    assert torch.equal(twin(x), net(x))
    assert twin[2].to_ir() is not net[2].to_ir()


def test_record_spikes_keeps_signed_encoder_spikes_as_int8() -> None:
    enc = PoissonEncoder(gain=1.0, signed=True, generator=torch.Generator().manual_seed(0))
    x = torch.tensor([[[-1.0, 0.0, 1.0]]]).expand(5, 1, 3)
    rec = record_spikes(Sequential(enc), x)
    (spikes,) = rec.values()
    assert spikes.dtype == np.int8
    np.testing.assert_array_equal(spikes[..., 0], -1)
    np.testing.assert_array_equal(spikes[..., 2], 1)
