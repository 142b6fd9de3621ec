"""HB-STDP (paper 002): the probabilistic switching rule, its windows and variants."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from hwsnn.learn.hbstdp import (  # noqa: E402
    HBSTDPConfig,
    hbstdp_update,
    kernel_memory_compression,
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
