"""Frequency-dependent stochastic STDP (paper 000, eq. 2-3)."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from hwsnn.learn.fdstdp import FDSTDPConfig, fd_stdp_update  # noqa: E402


def test_recent_pre_spikes_potentiate_and_absent_ones_depress() -> None:
    cfg = FDSTDPConfig(gamma_pot=1.0, gamma_dep=1.0)
    g = torch.full((1, 4), 0.5)
    age = torch.tensor([[0.0, 0.0, math.inf, math.inf]])
    new = fd_stdp_update(g, age, torch.full((1, 4), 100.0), cfg, torch.Generator().manual_seed(0))
    assert float(new[0, 0]) > 0.5 and float(new[0, 1]) > 0.5
    assert float(new[0, 2]) < 0.5 and float(new[0, 3]) < 0.5
    assert float(new.max()) <= cfg.g_max and float(new.min()) >= cfg.g_min


def test_higher_input_frequency_widens_the_potentiation_window() -> None:
    cfg = FDSTDPConfig(gamma_dep=0.0)
    g = torch.full((20000, 1), 0.5)
    age = torch.full((20000, 1), 5e-3)
    gen = torch.Generator().manual_seed(0)
    slow = (fd_stdp_update(g, age, torch.zeros_like(g), cfg, gen) > 0.5).float().mean()
    fast = (fd_stdp_update(g, age, torch.full_like(g, 200.0), cfg, gen) > 0.5).float().mean()
    assert float(fast) > float(slow)


def test_steps_saturate_towards_the_bounds() -> None:
    """Eq. 2: potentiation shrinks near g_max, depression shrinks near g_min."""
    cfg = FDSTDPConfig(gamma_pot=1.0, gamma_dep=1.0)
    gen = torch.Generator().manual_seed(0)
    g = torch.tensor([[0.1, 0.9]])
    up = fd_stdp_update(g, torch.zeros_like(g), torch.zeros_like(g), cfg, gen) - g
    down = g - fd_stdp_update(g, torch.full_like(g, math.inf), torch.zeros_like(g), cfg, gen)
    assert float(up[0, 0]) > float(up[0, 1]) > 0
    assert float(down[0, 1]) > float(down[0, 0]) > 0
