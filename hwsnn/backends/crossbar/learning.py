"""On-chip HB-STDP (paper 002, eq. 2-3) on a crossbar of binary stochastic devices.

A two-layer fully-connected binary SNN (paper 002 §3.1, after Diehl & Cook 2015): Poisson
inputs, LIF excitatory neurons with winner-take-all lateral inhibition and adaptive
thresholds, binary synapses ``w in {0, 1}`` (1 = low-resistance state). At a post-spike the
pre-trace of every input decides its wanted switching probability (eHB-STDP, eq. 2-3):

* ``trace >= pre_hebb_pot``: potentiate (L -> H) with ``p_hebb_pot`` (Hebbian window);
* ``trace <= pre_antihebb_dep``: depress (H -> L) with ``p_antihebb_dep`` (anti-Hebbian);
* in between: dead zone. At a pre-spike, ``post_trace >= post_hebb_dep`` depresses with
  ``p_hebb_dep`` (Hebbian depression).

``Realisation.DEVICE`` applies, for each wanted probability, the programming pulse that the
nominal device model says gives it (amplitude at the nominal width); each device then
switches with its own probability (device-to-device and cycle-to-cycle spread), reads
disturb it, and every attempt costs write energy. ``Realisation.IDEAL`` flips with the wanted
probability itself. Both draw the same uniforms (common random numbers): same seed, same data.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.crossbar.cells import Cells, make_cells, read_disturb_probability
from hwsnn.backends.crossbar.devices import (
    SwitchModel,
    amplitude_for_probability,
    switch_model,
    width_for_probability,
)
from hwsnn.backends.crossbar.energy import write_energy_per_attempt
from hwsnn.backends.crossbar.spec import CrossbarSpec

__all__ = ["HbStdpConfig", "LearningResult", "Realisation", "train_hb_stdp"]

F64 = NDArray[np.float64]


class Realisation(enum.StrEnum):
    """How a wanted switching probability is realised."""

    IDEAL = "ideal"
    DEVICE = "device"


@dataclass(frozen=True, kw_only=True)
class HbStdpConfig:
    """eHB-STDP and network constants (paper 002 Table 1, time scaled to ``dt``)."""

    n_neurons: int = 40
    timesteps: int = 40
    dt_s: float = 1e-3
    max_rate_hz: float = 200.0
    tau_pre_s: float = 20e-3
    tau_post_s: float = 20e-3
    tau_mem_s: float = 20e-3
    pre_hebb_pot: float = 0.85
    pre_antihebb_dep: float = 0.10
    post_hebb_dep: float = 0.80
    p_hebb_pot: float = 0.08
    p_antihebb_dep: float = 0.06
    p_hebb_dep: float = 0.005
    theta0: float = 4.0
    theta_plus: float = 0.5
    theta_decay: float = 0.999
    init_p_high: float = 0.2
    calibrate_spread: bool = True
    pulse_knob: str = "amplitude"
    """"amplitude" (at the nominal width) or "width" (at the nominal amplitude)."""
    """Choose pulses on the population-mean switching probability (device-to-device spread)."""


@dataclass(frozen=True, kw_only=True)
class LearningResult:
    """Outcome of one HB-STDP training run and its evaluation."""

    realisation: str
    accuracy: float
    write_attempts: int
    switches: int
    disturbs: int
    write_energy_j: float
    write_energy_per_epoch_j: float
    epochs: int
    seed: int
    pulses: tuple[tuple[float, float, float], ...]
    """(wanted probability, amplitude (A or V), width (s)) used for each rule window."""


def _population_model(spec: CrossbarSpec, setting: bool) -> SwitchModel:
    """Switching model averaged over the spec's device-to-device spread (64 quantiles each).

    Programming pulses are calibrated on this population mean, as a designer who knows the
    spread would do; each device still switches with its own probability.
    """
    base = switch_model(spec, setting=setting)
    var = spec.variability
    q = np.linspace(0.5 / 64, 1 - 0.5 / 64, 64)
    from scipy.special import ndtri

    z = ndtri(q)
    scale = np.exp(var.d2d_sigma_switch * z)[:, None]
    delta = np.exp(var.d2d_sigma_delta * z)[None, :]

    def prob(a: F64, t: F64, s: F64, d: F64) -> F64:
        p = base.probability(
            a[..., None, None],
            t[..., None, None],
            scale=scale * s[..., None, None],
            delta_scale=delta * d[..., None, None],
        )
        mean: F64 = p.mean(axis=(-2, -1))
        return mean

    return dataclasses.replace(base, _prob=prob)


def _pulses(spec: CrossbarSpec, cfg: HbStdpConfig) -> dict[str, tuple[float, float, float, bool]]:
    out = {}
    for key, p, setting in (
        ("pot", cfg.p_hebb_pot, True),
        ("anti", cfg.p_antihebb_dep, False),
        ("dep", cfg.p_hebb_dep, False),
    ):
        model = (
            _population_model(spec, setting)
            if cfg.calibrate_spread
            else switch_model(spec, setting=setting)
        )
        if cfg.pulse_knob == "width":
            amp, width = model.nominal_amplitude, float(width_for_probability(model, p))
        else:
            amp, width = float(amplitude_for_probability(model, p)), model.nominal_pulse_s
        out[key] = (p, amp, width, setting)
    return out


class _Learner:
    def __init__(
        self, spec: CrossbarSpec, cfg: HbStdpConfig, n_in: int, mode: Realisation, seed: int
    ) -> None:
        self.cfg, self.mode, self.spec = cfg, mode, spec
        init = np.random.default_rng(seed)
        state = init.random((n_in, cfg.n_neurons)) < cfg.init_p_high
        self.cells: Cells = make_cells(
            spec, state, np.random.default_rng(seed + 1), ideal=mode is Realisation.IDEAL
        )
        self.u_rng = np.random.default_rng(seed + 2)  # shared uniforms and input spikes
        self.dev_rng = np.random.default_rng(seed + 3)  # device-only randomness
        self.pulses = _pulses(spec, cfg)
        self.p_disturb = read_disturb_probability(spec) if mode is Realisation.DEVICE else 0.0
        self.theta = np.full(cfg.n_neurons, cfg.theta0)
        self.attempts = self.switches = self.disturbs = 0
        self.energy_j = 0.0

    def _apply(self, key: str, mask: NDArray[np.bool_], col: int) -> None:
        p, amp, width, to_low = self.pulses[key]
        u = self.u_rng.random(mask.shape[0])
        full = np.zeros(self.cells.state.shape, dtype=bool)
        full[:, col] = mask
        if self.mode is Realisation.DEVICE:
            uu = np.zeros(self.cells.state.shape)
            uu[:, col] = u
            c = self.cells.program(
                full, to_low, rng=self.dev_rng, amplitude=amp, pulse_s=width, uniforms=uu
            )
            self.energy_j += c.attempts * write_energy_per_attempt(self.spec, amp, width)
            self.attempts, self.switches = self.attempts + c.attempts, self.switches + c.switches
            return
        todo = mask & (self.cells.state[:, col] != to_low)
        flip = todo & (u < p)
        self.cells.state[flip, col] = to_low
        self.attempts += int(todo.sum())
        self.switches += int(flip.sum())
        self.energy_j += int(todo.sum()) * write_energy_per_attempt(self.spec, amp, width)

    def present(self, x: F64, learn: bool) -> F64:
        """Run one image; returns spike counts per neuron."""
        cfg = self.cfg
        rate = x * cfg.max_rate_hz * cfg.dt_s
        keep = np.exp(-cfg.dt_s / cfg.tau_mem_s)
        dpre, dpost = np.exp(-cfg.dt_s / cfg.tau_pre_s), np.exp(-cfg.dt_s / cfg.tau_post_s)
        v = np.zeros(cfg.n_neurons)
        pre = np.zeros(x.size)
        post = np.zeros(cfg.n_neurons)
        counts = np.zeros(cfg.n_neurons)
        reads = np.zeros(x.size, dtype=np.int64)
        w = self.cells.state.astype(np.float64)
        for _ in range(cfg.timesteps):
            s = self.u_rng.random(x.size) < rate
            reads += s
            pre = np.where(s, 1.0, pre * dpre)
            post *= dpost
            v = keep * v + s @ w
            above = v - self.theta
            j = int(np.argmax(above))
            if learn and s.any():
                hebb_dep = post >= cfg.post_hebb_dep
                for col in np.flatnonzero(hebb_dep):
                    self._apply("dep", s, int(col))
            if above[j] > 0:
                counts[j] += 1
                v[:] = 0.0
                post[j] = 1.0
                if learn:
                    self.theta[j] += cfg.theta_plus
                    self._apply("pot", pre >= cfg.pre_hebb_pot, j)
                    self._apply("anti", pre <= cfg.pre_antihebb_dep, j)
                    w = self.cells.state.astype(np.float64)
        if learn:
            self.theta = cfg.theta0 + (self.theta - cfg.theta0) * cfg.theta_decay
            if self.p_disturb > 0:
                self.disturbs += self.cells.disturb(
                    reads[:, None].repeat(cfg.n_neurons, 1), self.p_disturb, self.dev_rng
                )
        return counts


def _evaluate(
    net: _Learner, x_train: F64, y_train: NDArray[np.int64], x_test: F64, y_test: NDArray[np.int64]
) -> float:
    """Label each neuron by its strongest class on the training set, then vote on the test set."""
    n_cls = int(max(y_train.max(), y_test.max())) + 1
    resp = np.zeros((n_cls, net.cfg.n_neurons))
    for x, y in zip(x_train, y_train, strict=True):
        resp[y] += net.present(x, learn=False)
    labels = np.argmax(resp / np.maximum(np.bincount(y_train, minlength=n_cls)[:, None], 1), axis=0)
    correct = 0
    for x, y in zip(x_test, y_test, strict=True):
        c = net.present(x, learn=False)
        votes = [c[labels == k].mean() if np.any(labels == k) else -1.0 for k in range(n_cls)]
        correct += int(np.argmax(votes) == y)
    return correct / len(y_test)


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
        config: Rule and network constants.
        epochs: Passes over ``x_train``.
    """
    cfg = config or HbStdpConfig()
    net = _Learner(spec, cfg, x_train.shape[1], realisation, seed)
    for _ in range(epochs):
        for x in x_train:
            net.present(x, learn=True)
    acc = _evaluate(net, x_train, y_train, x_test, y_test)
    return LearningResult(
        realisation=realisation.value,
        accuracy=acc,
        write_attempts=net.attempts,
        switches=net.switches,
        disturbs=net.disturbs,
        write_energy_j=net.energy_j,
        write_energy_per_epoch_j=net.energy_j / epochs,
        epochs=epochs,
        seed=seed,
        pulses=tuple((p, a, t) for p, a, t, _ in net.pulses.values()),
    )
