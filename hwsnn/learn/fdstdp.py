"""Frequency-dependent stochastic STDP of paper 000 (SAFE-DNN), eq. 2-3.

She et al., "SAFE-DNN: a deep neural network with spike-assisted feature extraction for
noise-robust inference" (``papers/000_996d16437485bc79.txt``), after Querlioz et al. 2013.
On a post-spike, each synapse with pre-spike age ``dt`` (``t_post - t_pre``; no pre-spike =
infinitely old) and normalised input frequency ``f_n = (f - f_min) / (f_max - f_min)``:
``P_pot = gamma_pot exp(-dt / (tau_pot (1 + phi_pot f_n)))``; otherwise, with
``P_dep = min(1, gamma_dep exp(dt / (tau_dep (1 + phi_dep f_n))))``, it is depressed.
Step sizes (eq. 2): ``dG_p = alpha_p exp(-beta_p (G - G_min) / (G_max - G_min))``,
``dG_d = alpha_d exp(-beta_d (G_max - G) / (G_max - G_min))``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

__all__ = ["FDSTDPConfig", "event_probabilities", "fd_stdp_update"]


@dataclass(frozen=True)
class FDSTDPConfig:
    """Rule constants (conductance in units of ``g_max``; times in s; rates in Hz).

    Attributes:
        alpha_p, alpha_d: Largest potentiation / depression step.
        beta_p, beta_d: Saturation of the steps near the bounds.
        g_min, g_max: Conductance bounds.
        gamma_pot, gamma_dep: Peak probabilities.
        tau_pot, tau_dep: Timing windows (s).
        phi_pot, phi_dep: Frequency dependence of the windows.
        f_min, f_max: Input frequency range (Hz).
    """

    alpha_p: float = 0.02
    alpha_d: float = 0.01
    beta_p: float = 3.0
    beta_d: float = 3.0
    g_min: float = 0.0
    g_max: float = 1.0
    gamma_pot: float = 0.8
    gamma_dep: float = 0.1
    tau_pot: float = 5e-3
    tau_dep: float = 20e-3
    phi_pot: float = 1.0
    phi_dep: float = 1.0
    f_min: float = 0.0
    f_max: float = 200.0


def event_probabilities(age_s: Tensor, freq_hz: Tensor, cfg: FDSTDPConfig) -> tuple[Tensor, Tensor]:
    """Eq. 3: potentiation and depression probabilities of each synapse at a post-spike.

    The one implementation of eq. 3: the torch rule below and the binary-device realisation
    (:func:`hwsnn.backends.crossbar.learning_fdstdp.fd_switch_probabilities`) both use it.

    Args:
        age_s: Pre-spike ages ``t_post - t_pre`` (s); ``inf`` = no pre-spike.
        freq_hz: Input frequency of each synapse's pre-neuron (Hz).
        cfg: Rule constants.

    Returns:
        ``(P_pot, P_dep)`` in [0, 1]; ``P_dep`` applies only where potentiation did not.
    """
    f_n = ((freq_hz - cfg.f_min) / (cfg.f_max - cfg.f_min)).clamp(0, 1)
    p_pot = cfg.gamma_pot * torch.exp(-age_s / (cfg.tau_pot * (1 + cfg.phi_pot * f_n)))
    p_dep = (
        cfg.gamma_dep * torch.exp((age_s / (cfg.tau_dep * (1 + cfg.phi_dep * f_n))).clamp(max=50.0))
    ).clamp(max=1.0)
    return p_pot, p_dep


def fd_stdp_update(
    g: Tensor, age_s: Tensor, freq_hz: Tensor, cfg: FDSTDPConfig, gen: torch.Generator
) -> Tensor:
    """Stochastic update of the conductances of the synapses of neurons that just spiked.

    Args:
        g: Conductances ``(P, K)``: one row per spiking post-neuron (its K synapses).
        age_s: Pre-spike ages ``t_post - t_pre`` (s), ``(P, K)``; ``inf`` = no pre-spike.
        freq_hz: Input frequency of each synapse's pre-neuron (Hz), ``(P, K)``.
        cfg: Rule constants.
        gen: Source of the stochastic decisions.

    Returns:
        New conductances ``(P, K)`` within ``[g_min, g_max]``.
    """
    span = cfg.g_max - cfg.g_min
    p_pot, p_dep = event_probabilities(age_s, freq_hz, cfg)
    u = torch.rand(g.shape, generator=gen)
    pot = u < p_pot
    dep = ~pot & (torch.rand(g.shape, generator=gen) < p_dep)
    dg_p = cfg.alpha_p * torch.exp(-cfg.beta_p * (g - cfg.g_min) / span)
    dg_d = cfg.alpha_d * torch.exp(-cfg.beta_d * (cfg.g_max - g) / span)
    return (g + pot.float() * dg_p - dep.float() * dg_d).clamp(cfg.g_min, cfg.g_max)
