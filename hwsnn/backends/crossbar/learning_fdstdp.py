"""Paper 000's frequency-dependent stochastic STDP on a crossbar of binary stochastic devices.

She et al., SAFE-DNN (``papers/000_996d16437485bc79.txt``) eq. 2-3, after Querlioz et al.
2013; the ideal (torch) rule is :func:`hwsnn.learn.fdstdp.fd_stdp_update`, whose constants
(:class:`~hwsnn.learn.fdstdp.FDSTDPConfig`) and eq. 3
(:func:`~hwsnn.learn.fdstdp.event_probabilities`) are used here. At a post-spike every synapse
of the winner, with pre-spike age ``dt`` (no pre-spike in this image = infinitely old) and
normalised input rate ``f_n``, is
potentiated with ``P_pot = gamma_pot exp(-dt / (tau_pot (1 + phi_pot f_n)))``, otherwise
depressed with ``P_dep = min(1, gamma_dep exp(dt / (tau_dep (1 + phi_dep f_n))))``.

On a binary device a step is a full switch. The wanted switching probability keeps the
expected conductance change of eq. 2 at the bound the device sits on:
``p_up = gain alpha_p P_pot / (G_max - G_min)`` for a high-resistance device and
``p_down = gain alpha_d (1 - P_pot) P_dep / (G_max - G_min)`` for a low-resistance one
(``gain`` scales the learning rate of both). The probability differs per synapse and per event,
so the device realisation quantises it to the pulse lookup table of
:class:`~hwsnn.backends.crossbar.learning_pulses.PulseRealiser` (``levels`` log-spaced levels,
nothing below ``p_floor``); the ideal realisation flips with the exact probability.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.crossbar.learning_network import (
    LearningResult,
    Realisation,
    WtaConfig,
    _Network,
    run_network,
)
from hwsnn.backends.crossbar.spec import CrossbarSpec
from hwsnn.learn.fdstdp import FDSTDPConfig, event_probabilities

__all__ = ["FdStdpConfig", "fd_switch_probabilities", "train_fd_stdp"]

F64 = NDArray[np.float64]


@dataclass(frozen=True, kw_only=True)
class FdStdpConfig(WtaConfig):
    """The WTA network plus paper 000's rule constants and a learning-rate gain.

    ``rule = None`` takes :class:`hwsnn.learn.fdstdp.FDSTDPConfig`'s defaults with ``f_max``
    set to the network's ``max_rate_hz``. Only eq. 2's steps at the bounds matter to a binary
    device (``alpha_p`` from ``g_min``, ``alpha_d`` from ``g_max``), so ``beta_p``/``beta_d``
    do not enter.
    """

    rule: FDSTDPConfig | None = None
    gain: float = 4.0

    def rule_constants(self) -> FDSTDPConfig:
        """The eq. 2-3 constants in force."""
        return self.rule or FDSTDPConfig(f_max=self.max_rate_hz)


def fd_switch_probabilities(age_s: F64, freq_hz: F64, cfg: FdStdpConfig) -> tuple[F64, F64]:
    """Wanted switching probabilities (up, down) of binary synapses at a post-spike.

    Args:
        age_s: Pre-spike ages ``t_post - t_pre`` (s); ``inf`` = no pre-spike.
        freq_hz: Input rate of each pre-neuron (Hz).
        cfg: Network and rule constants.

    Returns:
        ``(p_up, p_down)`` in [0, 1]: high -> low resistance and low -> high resistance.
    """
    import torch

    rule = cfg.rule_constants()
    age, freq = np.asarray(age_s, dtype=np.float64), np.asarray(freq_hz, dtype=np.float64)
    p_pot_t, p_dep_t = event_probabilities(torch.from_numpy(age), torch.from_numpy(freq), rule)
    p_pot, p_dep = p_pot_t.numpy(), p_dep_t.numpy()
    span = rule.g_max - rule.g_min
    up = np.clip(cfg.gain * rule.alpha_p * p_pot / span, 0.0, 1.0)
    down = np.clip(cfg.gain * rule.alpha_d * (1 - p_pot) * p_dep / span, 0.0, 1.0)
    return up, down


class _FdNet(_Network):
    rule = "fd-stdp"

    def __init__(
        self, spec: CrossbarSpec, cfg: FdStdpConfig, n_in: int, mode: Realisation, seed: int
    ) -> None:
        super().__init__(spec, cfg, n_in, mode, seed)
        self.fd = cfg
        self.lut: dict[bool, tuple[F64, F64, F64]] = {}
        for st in (True, False):
            levels, amps = self.realiser.table(st)
            real = np.stack([self.realised_map(float(a), st) for a in amps])
            self.lut[st] = (levels, amps, real)

    def _write(self, window: str, p: F64, col: int, to_low: bool) -> None:
        _, amps, real = self.lut[to_low]
        idx = self.realiser.quantise(p, to_low)
        on = idx >= 0
        k = np.where(on, idx, 0)
        if self.mode is Realisation.IDEAL:  # exact probability, priced at the nearest level
            self.write(window, p, amps[k], p, col, to_low)
            return
        rows = np.arange(p.shape[0])
        self.write(window, np.where(on, p, 0.0), amps[k], real[k, rows, col], col, to_low)

    def on_post(self, j: int, pre: F64, age_s: F64, freq_hz: F64) -> None:
        up, down = fd_switch_probabilities(age_s, freq_hz, self.fd)
        high_r = ~self.cells.state[:, j]
        self._write("pot", np.where(high_r, up, 0.0), j, True)
        self._write("dep", np.where(high_r, 0.0, down), j, False)


def train_fd_stdp(
    spec: CrossbarSpec,
    x_train: F64,
    y_train: NDArray[np.int64],
    x_test: F64,
    y_test: NDArray[np.int64],
    *,
    realisation: Realisation,
    seed: int,
    config: FdStdpConfig | None = None,
    epochs: int = 1,
) -> LearningResult:
    """Train the binary WTA SNN with paper 000's stochastic STDP on the crossbar, then test it.

    Arguments as :func:`~hwsnn.backends.crossbar.learning.train_hb_stdp`. The result's
    ``pulses`` lists the lookup-table levels (probability, median-device amplitude, width) of
    the SET table.
    """
    cfg = config or FdStdpConfig()
    net = _FdNet(spec, cfg, x_train.shape[1], realisation, seed)
    levels, amps, _ = net.lut[True]
    width = net.realiser.width_s
    pulses = tuple((float(p), float(a), width) for p, a in zip(levels, amps, strict=True))
    return run_network(
        net, (x_train, y_train, x_test, y_test), seed=seed, epochs=epochs, pulses=pulses
    )
