"""HB-STDP (paper 002): the probabilistic switching rule, its windows and variants."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from hwsnn.learn.hbstdp import (  # noqa: E402
    HBSTDPConfig,
    hbstdp_update,
    kernel_memory_compression,
    table3_cifar10_c1,
    variant,
)


def test_update_follows_windows_and_dead_zone() -> None:
    cfg = HBSTDPConfig(p_hebb_pot=1.0, p_antihebb_dep=1.0)
    w = torch.tensor([-1.0, -1.0, 1.0, 1.0, -1.0, 1.0]).reshape(1, 1, 2, 3)
    trace = torch.tensor([0.5, 0.01, 0.001, 0.01, 0.001, 0.5]).reshape(1, 1, 2, 3)
    gen = torch.Generator().manual_seed(0)
    new = hbstdp_update(w, trace, torch.tensor([True]), cfg, gen)
    # near -> potentiate low; dead zone -> unchanged; far -> depress high
    assert new.flatten().tolist() == [1.0, -1.0, -1.0, 1.0, -1.0, 1.0]
    inh = hbstdp_update(w, trace, torch.tensor([True]), cfg, gen, inhibitory=True)
    assert inh.flatten().tolist() == [-1.0, -1.0, 1.0, 1.0, 1.0, -1.0]
    assert torch.equal(hbstdp_update(w, trace, torch.tensor([False]), cfg, gen), w)


def test_switching_probability_is_respected() -> None:
    cfg = HBSTDPConfig(p_hebb_pot=0.2)
    w = -torch.ones(1, 1, 100, 100)
    new = hbstdp_update(
        w, torch.ones_like(w), torch.tensor([True]), cfg, torch.Generator().manual_seed(1)
    )
    assert float((new > 0).float().mean()) == pytest.approx(0.2, abs=0.02)


def test_variants_remove_the_dead_zone() -> None:
    base = HBSTDPConfig()
    assert variant(base, "ehb2").pre_hebb_pot <= base.pre_antihebb_dep * 1.01
    assert variant(base, "ehb3").pre_antihebb_dep >= base.pre_hebb_pot * 0.99
    assert kernel_memory_compression(36, 5, 36, 3) == pytest.approx(25 * 32 / (9 * 2))
    cifar = table3_cifar10_c1()
    assert (cifar.alpha_weight_init, cifar.pre_hebb_pot, cifar.p_hebb_pot) == (30.0, 0.02, 0.05)


def test_dead_zone_trace_moves_only_in_the_variants() -> None:
    base = HBSTDPConfig(p_hebb_pot=1.0, p_antihebb_dep=1.0)
    mid = (base.pre_hebb_pot * base.pre_antihebb_dep) ** 0.5  # inside the dead zone
    trace = torch.full((1, 1, 2, 1), mid)
    w = torch.tensor([-1.0, 1.0]).reshape(1, 1, 2, 1)
    active = torch.tensor([True])

    def run(name: str) -> list[float]:
        gen = torch.Generator().manual_seed(0)
        return hbstdp_update(w, trace, active, variant(base, name), gen).flatten().tolist()

    assert run("ehb") == [-1.0, 1.0]  # dead zone: no switching
    assert run("ehb2") == [1.0, 1.0]  # dead zone became potentiation
    assert run("ehb3") == [-1.0, -1.0]  # dead zone became depression


def test_window_fractions_and_frozen_kernels() -> None:
    from hwsnn.learn.hbstdp import HBSTDPLayer

    gen = torch.Generator().manual_seed(0)
    layer = HBSTDPLayer(1, 4, HBSTDPConfig(p_drop=0.0), gen)
    assert layer.window_fractions() == {"hebb_pot": 0.0, "dead_zone": 0.0, "antihebb_dep": 0.0}
    x = torch.zeros(10, 1, 10, 10)
    x[:, :, 3:7, 3:7] = 1.0
    before = layer.weight.clone()
    layer.learn_batch(x, plastic=False)
    assert torch.equal(layer.weight, before)
    assert float(layer.threshold.min()) > 0.0
    assert layer.window_fractions()["hebb_pot"] == 0.0
    layer.learn_batch(x)
    fractions = layer.window_fractions()
    assert sum(fractions.values()) == pytest.approx(1.0)
    assert fractions["hebb_pot"] > 0.0


def test_winner_over_depth_keeps_one_spike_per_position() -> None:
    from hwsnn.learn.hbstdp import _winner_over_depth

    over = torch.tensor([[0.5, 2.0], [1.0, -1.0], [3.0, 0.1]]).reshape(1, 3, 1, 2)
    post = (over > 0).float()
    post[0, 2, 0, 0] = 0.0  # map 2 has the largest overshoot at position 0 but did not fire
    win, fired = _winner_over_depth(over, post)
    assert win[0, :, 0, 0].tolist() == [0.0, 1.0, 0.0]
    assert win[0, :, 0, 1].tolist() == [1.0, 0.0, 0.0]
    assert fired.flatten().tolist() == [1.0, 1.0]
    silent = _winner_over_depth(over, torch.zeros_like(post))
    assert float(silent[0].sum()) == 0.0 and float(silent[1].sum()) == 0.0


def test_kernel_size_and_depth_wta_layer() -> None:
    from hwsnn.errors import HwsnnError
    from hwsnn.learn.hbstdp import HBSTDPLayer

    cfg = HBSTDPConfig(p_drop=0.0)
    with pytest.raises(HwsnnError):
        HBSTDPLayer(1, 4, cfg, torch.Generator().manual_seed(0), kernel_size=4)
    layer = HBSTDPLayer(1, 6, cfg, torch.Generator().manual_seed(0), kernel_size=5, wta_depth=True)
    assert tuple(layer.weight.shape) == (6, 1, 5, 5)
    x = torch.zeros(8, 1, 12, 12)
    x[:, :, 2:10, 4:8] = 1.0
    spikes = layer.learn_batch(x)
    plain = HBSTDPLayer(1, 6, cfg, torch.Generator().manual_seed(0), kernel_size=5)
    # one winner per position fires, so the depth-WTA layer emits fewer spikes
    assert 0 < spikes < plain.learn_batch(x)
    assert set(layer.weight.flatten().tolist()) <= {-1.0, 1.0}


def test_ihb_probabilities_follow_the_mirrored_windows() -> None:
    from hwsnn.learn.hbstdp import hbstdp_update_signed

    # Table 3 iHB-STDP: near -> depression with p_Hebb_dep (= p_hebb_pot here),
    # far -> potentiation with p_antiHebb_pot (= p_antihebb_dep here)
    cfg = HBSTDPConfig(p_hebb_pot=1.0, p_antihebb_dep=0.0)
    w = torch.tensor([1.0, -1.0, 1.0, -1.0]).reshape(1, 1, 2, 2)
    near, far = 0.5, 0.001
    trace = torch.tensor([-near, -far, near, far]).reshape(1, 1, 2, 2)  # inh, inh, exc, exc
    gen = torch.Generator().manual_seed(0)
    new = hbstdp_update_signed(w, trace, torch.tensor([True]), cfg, gen)
    assert new.flatten().tolist() == [-1.0, -1.0, 1.0, -1.0]  # far switching has p = 0
    cfg = HBSTDPConfig(p_hebb_pot=0.0, p_antihebb_dep=1.0)
    new = hbstdp_update_signed(w, trace, torch.tensor([True]), cfg, gen)
    assert new.flatten().tolist() == [1.0, 1.0, 1.0, -1.0]  # inh far -> potentiated
    inh = hbstdp_update(
        w.abs(), torch.full_like(w, 0.0), torch.tensor([True]), cfg, gen, inhibitory=True
    )
    assert inh.flatten().tolist() == [1.0] * 4  # zero trace is far for iHB too: no depression


def _mirror_layer(sign: float) -> list[float]:
    """Channels: A (w=-1), B (w=+1), three drivers (w=+1); A and B fire with ``sign``."""
    from hwsnn.learn.hbstdp import HBSTDPLayer

    cfg = HBSTDPConfig(p_hebb_pot=1.0, p_antihebb_dep=1.0, p_drop=0.0, stdp_stride=1)
    layer = HBSTDPLayer(5, 1, cfg, torch.Generator().manual_seed(0), kernel_size=1)
    layer.weight = torch.tensor([-1.0, 1.0, 1.0, 1.0, 1.0]).reshape(1, 5, 1, 1)
    pre = torch.tensor([sign, sign, 1.0, 1.0, 1.0]).reshape(1, 1, 5, 1, 1)
    assert layer.learn_spikes(pre) == 1  # one step, one post-spike, traces all near
    return layer.weight.flatten().tolist()


def test_layer_mirrors_the_rule_for_inhibitory_pre_spikes() -> None:
    # near excitatory pre-spikes potentiate (A: -1 -> +1), B stays high
    assert _mirror_layer(1.0) == [1.0, 1.0, 1.0, 1.0, 1.0]
    # near inhibitory pre-spikes depress (B: +1 -> -1), A stays low
    assert _mirror_layer(-1.0) == [-1.0, -1.0, 1.0, 1.0, 1.0]


def test_signed_poisson_and_learn_spikes_tensor() -> None:
    from hwsnn.learn.hbstdp import HBSTDPLayer, poisson_signed

    x = torch.tensor([0.5, -0.5, 0.0]).repeat(20000, 1)
    s = poisson_signed(x, 200.0, 1e-3, torch.Generator().manual_seed(0))
    assert set(s.unique().tolist()) <= {-1.0, 0.0, 1.0}
    assert float(s[:, 0].mean()) == pytest.approx(0.1, abs=0.01)
    assert float(s[:, 1].mean()) == pytest.approx(-0.1, abs=0.01)
    assert float(s[:, 2].abs().sum()) == 0.0
    layer = HBSTDPLayer(1, 2, HBSTDPConfig(p_drop=0.0), torch.Generator().manual_seed(0))
    seq = torch.zeros(5, 3, 1, 6, 6)
    seq[:, :, :, 2:4, 2:4] = 1.0
    assert layer.learn_spikes(seq) > 0 and float(layer.threshold.min()) > 0.0
    signed = HBSTDPLayer(1, 2, HBSTDPConfig(p_drop=0.0), torch.Generator().manual_seed(0))
    img = torch.zeros(4, 1, 6, 6)
    img[:, :, 1:3] = -1.0
    img[:, :, 3:5] = 1.0
    signed.learn_batch(img)  # negative pixels fire inhibitory spikes; must run and learn
    assert set(signed.weight.flatten().tolist()) <= {-1.0, 1.0}
