"""On-chip HB-STDP (paper 002, eq. 2-3) on a crossbar of binary stochastic devices.

A two-layer fully-connected binary SNN (paper 002 §3.1, after Diehl & Cook 2015): Poisson
inputs, LIF excitatory neurons with winner-take-all lateral inhibition and adaptive
thresholds, binary synapses ``w in {0, 1}`` (1 = low-resistance state). At a post-spike the
pre-trace of every input decides its wanted switching probability (eHB-STDP, eq. 2-3):

* ``trace >= pre_hebb_pot``: potentiate (L -> H) with ``p_hebb_pot`` (Hebbian window);
* ``trace <= pre_antihebb_dep``: depress (H -> L) with ``p_antihebb_dep`` (anti-Hebbian);
* in between: dead zone. At a pre-spike, ``post_trace >= post_hebb_dep`` depresses with
  ``p_hebb_dep`` (Hebbian depression).

``Realisation.DEVICE`` applies, for each wanted probability, the programming pulse of
:mod:`.learning_pulses` (per-device trimmed amplitudes by default); each device then switches
with its own probability (device-to-device and cycle-to-cycle spread), reads disturb it, and
every attempt costs write energy. ``Realisation.IDEAL`` flips with the wanted probability
itself. Both draw the same uniforms (common random numbers): same seed, same data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.crossbar.learning_network import (
    LearningResult,
    Realisation,
    WindowStats,
    WtaConfig,
    _Network,
    run_network,
)
from hwsnn.backends.crossbar.spec import CrossbarSpec

__all__ = [
    "HbStdpConfig",
    "LearningResult",
    "Realisation",
    "WindowStats",
    "WtaConfig",
    "train_hb_stdp",
]

F64 = NDArray[np.float64]
Bool = NDArray[np.bool_]


@dataclass(frozen=True, kw_only=True)
class HbStdpConfig(WtaConfig):
    """eHB-STDP windows and switching probabilities (paper 002 eq. 2-3)."""

    pre_hebb_pot: float = 0.85
    pre_antihebb_dep: float = 0.10
    post_hebb_dep: float = 0.80
    p_hebb_pot: float = 0.08
    p_antihebb_dep: float = 0.06
    p_hebb_dep: float = 0.005


class _HbNet(_Network):
    rule = "hb-stdp"

    def __init__(
        self, spec: CrossbarSpec, cfg: HbStdpConfig, n_in: int, mode: Realisation, seed: int
    ) -> None:
        super().__init__(spec, cfg, n_in, mode, seed)
        self.hb = cfg
        self.levels = {
            "pot": (cfg.p_hebb_pot, True),
            "anti": (cfg.p_antihebb_dep, False),
            "dep": (cfg.p_hebb_dep, False),
        }
        self.amps = {k: self.realiser.amplitude(p, st) for k, (p, st) in self.levels.items()}
        self.real = {k: self.realised_map(self.amps[k], st) for k, (_, st) in self.levels.items()}

    def _apply(self, key: str, mask: Bool, col: int) -> None:
        p, setting = self.levels[key]
        amp = np.full(mask.shape, self.amps[key])
        self.write(key, np.where(mask, p, 0.0), amp, self.real[key][:, col], col, setting)

    def on_pre(self, s: Bool, post: F64) -> None:
        for col in np.flatnonzero(post >= self.hb.post_hebb_dep):
            self._apply("dep", s, int(col))

    def on_post(self, j: int, pre: F64, age_s: F64, freq_hz: F64) -> None:
        self._apply("pot", pre >= self.hb.pre_hebb_pot, j)
        self._apply("anti", pre <= self.hb.pre_antihebb_dep, j)


def train_hb_stdp(
    spec: CrossbarSpec,
    x_train: F64,
    y_train: NDArray[np.int64],
    x_test: F64,
    y_test: NDArray[np.int64],
    *,
    realisation: Realisation,
    seed: int,
    config: HbStdpConfig | None = None,
    epochs: int = 1,
) -> LearningResult:
    """Train the binary SNN with eHB-STDP, label neurons, and test it.

    Args:
        spec: Crossbar spec whose devices hold the synapses.
        x_train: Training images flattened to ``(N, n_in)`` in [0, 1] (spike rates).
        y_train: Training labels ``(N,)``.
        x_test: Test images ``(M, n_in)``.
        y_test: Test labels ``(M,)``.
        realisation: IDEAL probabilities or DEVICE programming pulses.
        seed: Seed of every random stream (shared by both realisations).
        config: Rule and network constants, and the pulse realisation.
        epochs: Passes over ``x_train``.
    """
    cfg = config or HbStdpConfig()
    net = _HbNet(spec, cfg, x_train.shape[1], realisation, seed)
    width = net.realiser.width_s
    pulses = tuple((p, net.amps[k], width) for k, (p, _) in net.levels.items())
    return run_network(
        net, (x_train, y_train, x_test, y_test), seed=seed, epochs=epochs, pulses=pulses
    )
