"""The winner-take-all binary SNN on a crossbar that on-chip STDP rules train.

Poisson inputs, LIF excitatory neurons with winner-take-all lateral inhibition and adaptive
thresholds (paper 002 §3.1, after Diehl & Cook 2015), binary synapses held by the devices of
a :class:`~hwsnn.backends.crossbar.cells.Cells` population (1 = low resistance). A rule
subclass supplies the events (:meth:`_Network.on_pre`, :meth:`_Network.on_post`) and calls
:meth:`_Network.write` with wanted switching probabilities; the network realises them ideally
or by device pulses (:mod:`.learning_pulses`), counts attempts, switches and read disturbs, and
prices every attempt. Ideal and device runs of one seed share every uniform (common random
numbers): data order, initial weights, input spikes and the rule's switching draws.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.crossbar.cells import Cells, make_cells, read_disturb_probability
from hwsnn.backends.crossbar.devices import switch_model
from hwsnn.backends.crossbar.learning_pulses import (
    Calibration,
    CalibrationCost,
    PulseConfig,
    PulseRealiser,
    ReadPolarity,
    population_model,
    pulse_energy,
)
from hwsnn.backends.crossbar.spec import CrossbarSpec, DeviceKind

__all__ = [
    "LearningResult",
    "Realisation",
    "WindowStats",
    "WtaConfig",
    "evaluate",
    "run_network",
]

F64 = NDArray[np.float64]
Bool = NDArray[np.bool_]


class Realisation(enum.StrEnum):
    """How a wanted switching probability is realised."""

    IDEAL = "ideal"
    DEVICE = "device"


@dataclass(frozen=True, kw_only=True)
class WtaConfig:
    """Winner-take-all binary SNN constants (paper 002 Table 1, time scaled to ``dt``)."""

    n_neurons: int = 40
    timesteps: int = 40
    dt_s: float = 1e-3
    max_rate_hz: float = 200.0
    tau_pre_s: float = 20e-3
    tau_post_s: float = 20e-3
    tau_mem_s: float = 20e-3
    theta0: float = 4.0
    theta_plus: float = 0.5
    theta_decay: float = 0.999
    init_p_high: float = 0.2
    pulses: PulseConfig = field(default_factory=PulseConfig)
    """How the device realisation turns probabilities into pulses."""


@dataclass(frozen=True, kw_only=True)
class WindowStats:
    """Wanted vs realised switching probability of one rule window, over its write attempts."""

    window: str
    attempts: int
    wanted_mean: float
    realised_mean: float
    realised_cv: float
    """Coefficient of variation of the per-attempt probability (device spread, trim error)."""


@dataclass(frozen=True, kw_only=True)
class LearningResult:
    """Outcome of one training run and its evaluation (counts per run; energies in J)."""

    realisation: str
    rule: str
    accuracy: float
    accuracy_se: float
    """Binomial standard error of ``accuracy`` over the test samples."""
    test_samples: int
    write_attempts: int
    switches: int
    disturbs: int
    write_energy_j: float
    write_energy_per_epoch_j: float
    epochs: int
    seed: int
    pulses: tuple[tuple[float, float, float], ...]
    """(wanted probability, median-device amplitude (A or V), width (s)) per rule window."""
    windows: tuple[WindowStats, ...] = ()
    calibration: CalibrationCost | None = None
    """Cost of the per-device ramp calibration (paid once, before learning)."""


def _disturb_map(spec: CrossbarSpec, cells: Cells, polarity: ReadPolarity) -> F64:
    """Per-read disturb probability of every device for reads of ``polarity``.

    RRAM: the device's own (d2d-scaled) Poisson SET or RESET law at the read voltage and pulse
    (Jo 2009 / Gaba 2013). MTJ: the nominal thermal switching probability at the read current
    (:func:`~hwsnn.backends.crossbar.cells.read_disturb_probability`), either direction.
    """
    shape = cells.state.shape
    if polarity is ReadPolarity.NONE:
        return np.zeros(shape)
    if polarity is ReadPolarity.EITHER or spec.device_kind is DeviceKind.MTJ:
        return np.full(shape, read_disturb_probability(spec))
    model = switch_model(spec, setting=polarity is ReadPolarity.SET)
    p: F64 = model.probability(spec.read.voltage_v, spec.read.pulse_s, scale=cells.switch_scale)
    return p


class _Network:
    """The WTA network on a device population; subclasses supply the rule's events."""

    rule = "none"

    def __init__(
        self, spec: CrossbarSpec, cfg: WtaConfig, n_in: int, mode: Realisation, seed: int
    ) -> None:
        self.cfg, self.mode, self.spec = cfg, mode, spec
        state = np.random.default_rng(seed).random((n_in, cfg.n_neurons)) < cfg.init_p_high
        ideal = mode is Realisation.IDEAL
        self.cells: Cells = make_cells(spec, state, np.random.default_rng(seed + 1), ideal=ideal)
        self.u_rng = np.random.default_rng(seed + 2)  # shared uniforms and input spikes
        self.dev_rng = np.random.default_rng(seed + 3)  # device-only randomness
        pcfg = cfg.pulses
        if ideal:  # ideal flips are priced at the population pulses, without calibration
            pcfg = PulseConfig(
                calibration=Calibration.POPULATION,
                width_s=pcfg.width_s,
                levels=pcfg.levels,
                p_floor=pcfg.p_floor,
            )
        self.realiser = PulseRealiser(spec, pcfg, self.cells, np.random.default_rng(seed + 4))
        c2c = spec.variability.c2c_sigma_switch
        self.event_models = {
            st: population_model(spec, st, sigma_scale=c2c, sigma_delta=0.0) for st in (True, False)
        }
        self.polarity = ReadPolarity.NONE if ideal else pcfg.read_polarity
        self.p_disturb = _disturb_map(spec, self.cells, self.polarity)
        self.theta = np.full(cfg.n_neurons, cfg.theta0)
        self.attempts = self.switches = self.disturbs = 0
        self.energy_j = 0.0
        self.stats: dict[str, list[float]] = {}

    def realised_map(self, amp: float, setting: bool) -> F64:
        """Per-event switching probability of every device for a level's pulse (c2c averaged).

        Includes each device's d2d spread, trim and DAC rounding; stuck devices give 0. As the
        c2c spread is drawn afresh per event, ``u < p`` is the device's switching decision.
        """
        c = self.cells
        if self.mode is Realisation.IDEAL:
            return np.full(c.state.shape, np.nan)
        a = self.realiser.amplitude_map(amp, c.state.shape)
        p = self.event_models[setting].probability(
            a, self.realiser.width_s, scale=c.switch_scale, delta_scale=c.delta_scale
        )
        out: F64 = np.where(c.stuck == 0, p, 0.0)
        return out

    def write(self, window: str, p: F64, amp: F64, real: F64, col: int, to_low: bool) -> None:
        """Attempt to switch column ``col`` to ``to_low`` where ``p > 0`` (one uniform per row).

        ``amp`` is each row's level amplitude (the device run scales it by the row's trim) and
        ``real`` each row's per-event switching probability for that pulse (:meth:`realised_map`:
        its own d2d scale and trim, averaged over the c2c drive spread drawn afresh per event,
        so ``u < real`` is the device's Bernoulli switch). One attempt per device not already in
        the target state (write-verify), paid whether or not it switches.
        """
        u = self.u_rng.random(p.shape[0])
        todo = (p > 0) & (self.cells.state[:, col] != to_low)
        rows = np.flatnonzero(todo)
        if rows.size == 0:
            return
        ideal = self.mode is Realisation.IDEAL
        prob = p[rows] if ideal else real[rows]
        flip = rows[u[rows] < prob]
        self.cells.state[flip, col] = to_low
        self.attempts += rows.size
        self.switches += flip.size
        a = amp[rows] if ideal else self.realiser.device_amplitude(amp[rows], rows, col)
        self.energy_j += float(pulse_energy(self.spec, a, self.realiser.width_s).sum())
        self._stat(window, p[rows], prob)

    def _stat(self, window: str, wanted: F64, real: F64) -> None:
        acc = self.stats.setdefault(window, [0.0, 0.0, 0.0, 0.0])
        acc[0] += wanted.size
        acc[1] += float(wanted.sum())
        acc[2] += float(real.sum())
        acc[3] += float((real * real).sum())

    def window_stats(self) -> tuple[WindowStats, ...]:
        """Wanted vs realised probability per window."""
        out = []
        for name, (n, sw, sr, sq) in self.stats.items():
            mean = sr / n
            var = max(sq / n - mean * mean, 0.0)
            out.append(
                WindowStats(
                    window=name,
                    attempts=int(n),
                    wanted_mean=sw / n,
                    realised_mean=mean,
                    realised_cv=math.sqrt(var) / mean if mean > 0 else 0.0,
                )
            )
        return tuple(out)

    def on_pre(self, s: Bool, post: F64) -> None:
        """Rule hook at every step with input spikes ``s`` (post-traces ``post``)."""

    def on_post(self, j: int, pre: F64, age_s: F64, freq_hz: F64) -> None:
        """Rule hook at a post-spike of neuron ``j``: pre-traces, pre-spike ages, input rates."""

    def present(self, x: F64) -> None:
        """Run one image with learning on."""
        cfg = self.cfg
        rate = x * cfg.max_rate_hz * cfg.dt_s
        keep = math.exp(-cfg.dt_s / cfg.tau_mem_s)
        dpre, dpost = math.exp(-cfg.dt_s / cfg.tau_pre_s), math.exp(-cfg.dt_s / cfg.tau_post_s)
        v, post = np.zeros(cfg.n_neurons), np.zeros(cfg.n_neurons)
        pre, last = np.zeros(x.size), np.full(x.size, -np.inf)
        reads = np.zeros(x.size, dtype=np.int64)
        w = self.cells.state.astype(np.float64)
        for t in range(cfg.timesteps):
            s = self.u_rng.random(x.size) < rate
            reads += s
            pre = np.where(s, 1.0, pre * dpre)
            last = np.where(s, t, last)
            post *= dpost
            v = keep * v + s @ w
            above = v - self.theta
            j = int(np.argmax(above))
            if s.any():
                self.on_pre(s, post)
            if above[j] > 0:
                v[:] = 0.0
                post[j] = 1.0
                self.theta[j] += cfg.theta_plus
                self.on_post(j, pre, (t - last) * cfg.dt_s, x * cfg.max_rate_hz)
                w = self.cells.state.astype(np.float64)
        self.theta = cfg.theta0 + (self.theta - cfg.theta0) * cfg.theta_decay
        self._disturb(reads)

    def _disturb(self, reads: NDArray[np.int64]) -> None:
        """Flip the devices the image's reads disturbed (towards the read polarity's state)."""
        if self.polarity is ReadPolarity.NONE:
            return
        towards = (
            None if self.polarity is ReadPolarity.EITHER else self.polarity is ReadPolarity.SET
        )
        self.disturbs += self.cells.disturb(
            reads[:, None], self.p_disturb, self.dev_rng, towards=towards
        )

    def responses(self, x: F64) -> F64:
        """Spike counts ``(N, n_neurons)`` of a batch of images, learning off (batched)."""
        cfg = self.cfg
        rate = x * cfg.max_rate_hz * cfg.dt_s
        keep = math.exp(-cfg.dt_s / cfg.tau_mem_s)
        w = self.cells.state.astype(np.float64)
        v = np.zeros((x.shape[0], cfg.n_neurons))
        counts = np.zeros_like(v)
        rows = np.arange(x.shape[0])
        for _ in range(cfg.timesteps):
            s = (self.u_rng.random(x.shape) < rate).astype(np.float64)
            v = keep * v + s @ w
            above = v - self.theta
            j = np.argmax(above, axis=1)
            fire = above[rows, j] > 0
            counts[rows[fire], j[fire]] += 1
            v[fire] = 0.0
        return counts


def evaluate(
    net: _Network, x_train: F64, y_train: NDArray[np.int64], x_test: F64, y_test: NDArray[np.int64]
) -> float:
    """Label each neuron by its strongest class on the training set, then vote on the test set."""
    n_cls = int(max(y_train.max(), y_test.max())) + 1
    resp = np.zeros((n_cls, net.cfg.n_neurons))
    np.add.at(resp, y_train, net.responses(x_train))
    labels = np.argmax(resp / np.maximum(np.bincount(y_train, minlength=n_cls)[:, None], 1), axis=0)
    counts = net.responses(x_test)
    votes = np.full((len(x_test), n_cls), -1.0)
    for k in range(n_cls):
        if np.any(labels == k):
            votes[:, k] = counts[:, labels == k].mean(axis=1)
    return float(np.mean(np.argmax(votes, axis=1) == y_test))


def run_network(
    net: _Network,
    data: tuple[F64, NDArray[np.int64], F64, NDArray[np.int64]],
    *,
    seed: int,
    epochs: int,
    pulses: tuple[tuple[float, float, float], ...],
) -> LearningResult:
    """Train ``net`` for ``epochs`` on the training images, evaluate, and collect the counts."""
    x_train, y_train, x_test, y_test = data
    for _ in range(epochs):
        for x in x_train:
            net.present(x)
    acc = evaluate(net, x_train, y_train, x_test, y_test)
    return LearningResult(
        realisation=net.mode.value,
        rule=net.rule,
        accuracy=acc,
        accuracy_se=math.sqrt(acc * (1 - acc) / len(y_test)),
        test_samples=len(y_test),
        write_attempts=net.attempts,
        switches=net.switches,
        disturbs=net.disturbs,
        write_energy_j=net.energy_j,
        write_energy_per_epoch_j=net.energy_j / epochs,
        epochs=epochs,
        seed=seed,
        pulses=pulses,
        windows=net.window_stats(),
        calibration=net.realiser.cost,
    )
