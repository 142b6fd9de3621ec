"""From a wanted switching probability to the programming pulse a chip applies to one device.

Two realisations of a probability ``p`` by pulses (SI units; amplitude in A for MTJ, V for RRAM):

* ``Calibration.POPULATION``: one pulse per probability level, chosen so that the *mean* over the
  device-to-device (d2d) and cycle-to-cycle (c2c) spread of the spec gives ``p``. Each device
  still switches with its own probability: for a 10 ns MTJ pulse in the thermal regime,
  ``d ln P / d ln I_c0 = Delta I/I_c0 ~ 35``, so a 5 % I_c0 spread spreads P over a decade.
* ``Calibration.DEVICE``: a program-and-verify ramp at programme time (``ramps`` ramps per
  device: pulses of rising amplitude at the operating width, a verify read after each, a RESET
  back) measures each device's switching amplitude; its geometric mean over the ramps, divided
  by the nominal device's expected value, is the device's trim. The write driver scales the
  level's amplitude by the trim. Because the switching probability depends on amplitude only
  through ``I / I_c0`` (MTJ, Koch 2004 / Sun 2000) or ``V / V0`` (RRAM, Jo 2009), an exact trim
  cancels the d2d switching spread; the residual is the ramp's estimation error, about
  ``1.28 / (sensitivity sqrt(ramps))`` (the Gumbel spread of a first-passage amplitude). The
  ramps are counted as writes, switches and verify reads, with their energy. Each level's amplitude
  is solved on a virtual population trimmed by the same ramps (``virtual_design``).

Per-event probabilities (paper 000) use a lookup table of ``levels`` log-spaced levels.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtri

from hwsnn.backends.crossbar.cells import Cells
from hwsnn.backends.crossbar.devices import SwitchModel, amplitude_for_probability, switch_model
from hwsnn.backends.crossbar.energy import write_energy_per_attempt
from hwsnn.backends.crossbar.spec import CrossbarSpec
from hwsnn.errors import HwsnnError

__all__ = [
    "Calibration",
    "CalibrationCost",
    "PulseConfig",
    "PulseRealiser",
    "ReadPolarity",
    "population_model",
    "pulse_energy",
    "ramp_calibration",
    "virtual_models",
]

F64 = NDArray[np.float64]
_QUANTILES = 32


class ReadPolarity(enum.StrEnum):
    """Direction a learning-time read pulse pushes a device (read disturb).

    ``SET`` pushes high -> low resistance, ``RESET`` low -> high; ``EITHER`` flips any device
    (:meth:`Cells.disturb` with ``towards=None``); ``NONE`` turns read disturb off.
    """

    SET = "set"
    RESET = "reset"
    EITHER = "either"
    NONE = "none"


class Calibration(enum.StrEnum):
    """How a probability level becomes a pulse for one device."""

    POPULATION = "population"
    DEVICE = "device"


@dataclass(frozen=True, kw_only=True)
class PulseConfig:
    """How wanted probabilities are realised by pulses.

    Attributes:
        calibration: One pulse per level on the population mean, or per-device trimmed pulses.
        width_s: Pulse width of every learning pulse (s); ``None`` = the spec's nominal width.
        ramps: Program-and-verify ramps per device (``Calibration.DEVICE``).
        ramp_steps: Ramp steps between the nominal device's 1 % and 99 % switching amplitudes.
        levels: Probability levels of the lookup table for per-event probabilities.
        p_floor: Smallest level; a wanted probability below it applies no pulse.
        read_polarity: Polarity of the reads during learning (which devices a read disturbs).
            Reading bipolar RRAM in the RESET polarity stresses only low-resistance cells, with
            the slower RESET law.
        c2c_in_mean: Include the c2c drive spread in the population mean (the old behaviour
            chose pulses on the d2d spread only).
        dac_bits: Resolution of the write driver's amplitude DAC (``None`` = continuous); its
            full scale is ``dac_full_scale`` times the larger nominal write amplitude.
        dac_full_scale: DAC full scale in units of the nominal write amplitude.
        virtual_design: With ``Calibration.DEVICE``, choose each level's amplitude on a virtual
            population (drawn from the spec's spreads and put through the same ramps) instead of
            the lognormal residual model; this removes the model's bias (the Delta spread that
            the trims partly absorb, the ramp grid).
    """

    calibration: Calibration = Calibration.DEVICE
    width_s: float | None = None
    ramps: int = 16
    ramp_steps: int = 12
    levels: int = 64
    p_floor: float = 1e-4
    read_polarity: ReadPolarity = ReadPolarity.RESET
    c2c_in_mean: bool = True
    dac_bits: int | None = None
    dac_full_scale: float = 1.5
    virtual_design: bool = True

    def __post_init__(self) -> None:
        if self.dac_bits is not None and not 1 <= self.dac_bits <= 24:
            raise HwsnnError(f"dac_bits: must be in 1..24, got {self.dac_bits}")
        if not self.dac_full_scale > 0:
            raise HwsnnError(f"dac_full_scale: must be > 0, got {self.dac_full_scale}")
        if self.ramps < 1 or self.ramp_steps < 2 or self.levels < 2:
            raise HwsnnError("ramps >= 1, ramp_steps >= 2 and levels >= 2 are required")
        if not 0.0 < self.p_floor < 1.0:
            raise HwsnnError(f"p_floor: must be in (0, 1), got {self.p_floor}")
        if self.width_s is not None and not self.width_s > 0:
            raise HwsnnError(f"width_s: must be > 0, got {self.width_s}")


@dataclass(frozen=True, kw_only=True)
class CalibrationCost:
    """What the per-device ramp calibration cost (counts and joules)."""

    ramps: int
    attempts: int
    switches: int
    verify_reads: int
    write_energy_j: float
    read_energy_j: float
    residual_sigma: float
    """Predicted lognormal sigma of a trim's error (nominal device, Gumbel first passage)."""
    unswitched: int
    """Device-ramps that never switched (stuck devices; their trim is left at 1)."""


def pulse_energy(spec: CrossbarSpec, amplitude: F64, width_s: float) -> F64:
    """Write energy of pulses of the given amplitudes (J), vectorised.

    The priced laws (:func:`~hwsnn.backends.crossbar.energy.write_energy_per_attempt`) are
    ``c |a|^k`` with ``k`` = 1 (STT ``V I t``, RRAM ``V I_cc t``) or 2 (SOT ``I^2 R t``); ``k``
    is read off the law itself.
    """
    e1 = write_energy_per_attempt(spec, 1.0, width_s)
    k = round(math.log2(write_energy_per_attempt(spec, 2.0, width_s) / e1))
    out: F64 = e1 * np.abs(amplitude) ** k
    return out


def population_model(
    spec: CrossbarSpec,
    setting: bool,
    *,
    sigma_scale: float,
    sigma_delta: float,
    quantiles: int = _QUANTILES,
) -> SwitchModel:
    """Switching model averaged over a lognormal spread of the switching scale and of Delta.

    ``sigma_scale`` combines every multiplicative spread of ``I/I_c0`` (or ``V/V0``): d2d (or a
    trim's residual) and the c2c drive spread, as ``hypot`` of their sigmas.
    """
    base = switch_model(spec, setting=setting)
    z = ndtri(np.linspace(0.5 / quantiles, 1 - 0.5 / quantiles, quantiles))
    scale = np.exp(sigma_scale * z)[:, None] if sigma_scale > 0 else np.ones((1, 1))
    delta = np.exp(sigma_delta * z)[None, :] if sigma_delta > 0 else np.ones((1, 1))

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


def _ramp_grid(spec: CrossbarSpec, width_s: float, steps: int) -> F64:
    """Log-spaced ramp amplitudes covering the nominal device and +-4 sigma of d2d spread."""
    var = spec.variability
    nominal = switch_model(spec, setting=True)
    a01, a99 = (float(amplitude_for_probability(nominal, p, width_s)) for p in (0.01, 0.99))
    step = math.log(a99 / a01) / steps
    sigma = math.hypot(var.d2d_sigma_switch, var.c2c_sigma_switch)
    lo = math.log(float(amplitude_for_probability(nominal, 1e-4, width_s))) - 4 * sigma
    hi = math.log(float(amplitude_for_probability(nominal, 1 - 1e-6, width_s))) + 4 * sigma
    grid: F64 = np.exp(np.arange(lo, hi + step, step))
    return grid


def _nominal_first_passage(spec: CrossbarSpec, grid: F64, width_s: float) -> tuple[float, float]:
    """Mean and standard deviation of ``ln a_switch`` for the nominal device on ``grid``."""
    c2c = spec.variability.c2c_sigma_switch
    hazard = population_model(spec, True, sigma_scale=c2c, sigma_delta=0.0).probability(
        grid, width_s
    )
    survive = np.concatenate(([1.0], np.cumprod(1.0 - hazard)[:-1]))
    first = survive * hazard
    first[-1] += 1.0 - first.sum()
    la = np.log(grid)
    mean = float(first @ la)
    return mean, float(np.sqrt(first @ (la - mean) ** 2))


def _nominal_reset(
    spec: CrossbarSpec, s: F64, d: F64, free: NDArray[np.bool_]
) -> tuple[F64, float]:
    """Per-device probability (0 if stuck) and energy (J) of the nominal RESET pulse."""
    reset = switch_model(spec, setting=False)
    a, t = reset.nominal_amplitude, reset.nominal_pulse_s
    p: F64 = np.where(free, reset.probability(a, t, scale=s, delta_scale=d), 0.0)
    return p, float(pulse_energy(spec, np.array([a]), t)[0])


def ramp_calibration(
    spec: CrossbarSpec, cells: Cells, width_s: float, cfg: PulseConfig, rng: np.random.Generator
) -> tuple[F64, CalibrationCost]:
    """Program-and-verify ramps on every device; returns per-device trims and the cost.

    Each ramp starts from the high-resistance state and applies SET pulses of rising amplitude
    (``grid``) at ``width_s``, each followed by a verify read, until the device switches; a
    nominal RESET pulse (repeated until verified) returns it. Nothing is assumed known about a
    device but what its ramps measured.
    """
    grid = _ramp_grid(spec, width_s, cfg.ramp_steps)
    mean_nom, sd_nom = _nominal_first_passage(spec, grid, width_s)
    model = switch_model(spec, setting=True)
    s, d = cells.switch_scale.ravel(), cells.delta_scale.ravel()
    free = cells.stuck.ravel() == 0
    e_cum = np.cumsum(pulse_energy(spec, grid, width_s))
    c2c = spec.variability.c2c_sigma_switch
    p_reset, e_reset = _nominal_reset(spec, s, d, free)
    log_sum = np.zeros(s.size)
    attempts = switches = unswitched = 0
    energy = 0.0
    for _ in range(cfg.ramps):
        drive = grid[None, :] * rng.lognormal(0.0, c2c, (s.size, grid.size)) if c2c > 0 else grid
        p = model.probability(drive, width_s, scale=s[:, None], delta_scale=d[:, None])
        hit = (rng.random(p.shape) < p) & free[:, None]
        ok = hit.any(axis=1)
        k = np.where(ok, np.argmax(hit, axis=1), grid.size - 1)
        log_sum += np.log(grid[k])
        n_reset = np.where(ok, rng.geometric(np.clip(p_reset, 1e-12, 1.0)), 0)
        attempts += int((k + 1).sum() + n_reset.sum())
        switches += 2 * int(ok.sum())
        unswitched += int((~ok).sum())
        energy += float(e_cum[k].sum()) + e_reset * float(n_reset.sum())
    trim = np.where(free, np.exp(log_sum / cfg.ramps - mean_nom), 1.0)
    g_mean = float(np.mean(cells.conductance()))
    cost = CalibrationCost(
        ramps=cfg.ramps,
        attempts=attempts,
        switches=switches,
        verify_reads=attempts,
        write_energy_j=energy,
        read_energy_j=attempts * spec.read.voltage_v**2 * g_mean * spec.read.pulse_s,
        residual_sigma=sd_nom / math.sqrt(cfg.ramps),
        unswitched=unswitched,
    )
    return trim.reshape(cells.state.shape), cost


def virtual_models(
    spec: CrossbarSpec,
    cfg: PulseConfig,
    width_s: float,
    rng: np.random.Generator,
    n_devices: int = 2048,
) -> dict[bool, SwitchModel]:
    """Mean per-event switching probability of trimmed devices, for SET and RESET.

    A virtual population of ``n_devices`` is drawn from the spec's spreads (not the chip's
    devices), trimmed by the same ramps, and its c2c-averaged probability is averaged at each
    (median-device) amplitude: the design-time simulation of the trimmed array.
    """
    from hwsnn.backends.crossbar.cells import make_cells

    cells = make_cells(spec, np.zeros((1, n_devices), dtype=bool), rng)
    trim, _ = ramp_calibration(spec, cells, width_s, cfg, rng)
    free = cells.stuck.ravel() == 0
    v_trim, v_s = trim.ravel()[free], cells.switch_scale.ravel()[free]
    v_d = cells.delta_scale.ravel()[free]
    c2c = spec.variability.c2c_sigma_switch if cfg.c2c_in_mean else 0.0
    out = {}
    for st in (True, False):
        ev = population_model(spec, st, sigma_scale=c2c, sigma_delta=0.0, quantiles=8)

        def prob(a: F64, t: F64, s: F64, d: F64, ev: SwitchModel = ev) -> F64:
            p = ev.probability(
                a[..., None] * v_trim,
                t[..., None],
                scale=v_s * s[..., None],
                delta_scale=v_d * d[..., None],
            )
            mean: F64 = p.mean(axis=-1)
            return mean

        out[st] = dataclasses.replace(switch_model(spec, setting=st), _prob=prob)
    return out


class PulseRealiser:
    """Pulses for wanted probabilities on one device population (amplitude knob).

    Args:
        spec: Device spec.
        cfg: Realisation settings.
        cells: The devices (their trims are measured on them when ``cfg.calibration`` is DEVICE).
        rng: Randomness of the calibration ramps.
    """

    def __init__(
        self, spec: CrossbarSpec, cfg: PulseConfig, cells: Cells, rng: np.random.Generator
    ) -> None:
        self.spec, self.cfg = spec, cfg
        self.width_s = cfg.width_s or switch_model(spec).nominal_pulse_s
        var = spec.variability
        c2c = var.c2c_sigma_switch if cfg.c2c_in_mean else 0.0
        self.trim: F64 | None = None
        self.cost: CalibrationCost | None = None
        if cfg.calibration is Calibration.DEVICE:
            self.trim, self.cost = ramp_calibration(spec, cells, self.width_s, cfg, rng)
            residual = self.cost.residual_sigma
        else:
            residual = var.d2d_sigma_switch
        sigma = math.hypot(residual, c2c)
        self.models = {
            st: population_model(spec, st, sigma_scale=sigma, sigma_delta=var.d2d_sigma_delta)
            for st in (True, False)
        }
        if cfg.calibration is Calibration.DEVICE and cfg.virtual_design:
            seed = int(rng.integers(2**63))
            self.models = virtual_models(spec, cfg, self.width_s, np.random.default_rng(seed))
        self._levels: dict[bool, tuple[F64, F64]] = {}
        self._single: dict[tuple[float, bool], float] = {}

    def amplitude(self, p: float, setting: bool) -> float:
        """Median-device amplitude (A or V) at ``width_s`` for probability level ``p``."""
        key = (p, setting)
        if key not in self._single:
            model = self.models[setting]
            self._single[key] = float(amplitude_for_probability(model, p, self.width_s))
        return self._single[key]

    def table(self, setting: bool) -> tuple[F64, F64]:
        """The lookup table: ``levels`` log-spaced probabilities and their amplitudes."""
        if setting not in self._levels:
            top = min(
                0.999,
                float(
                    self.models[setting].probability(
                        switch_model(self.spec, setting=setting).nominal_amplitude * 4, self.width_s
                    )
                ),
            )
            p = np.geomspace(self.cfg.p_floor, top, self.cfg.levels)
            amp = amplitude_for_probability(self.models[setting], p, self.width_s)
            self._levels[setting] = (p, amp)
        return self._levels[setting]

    def quantise(self, p: F64, setting: bool) -> NDArray[np.intp]:
        """Index of the nearest table level (in log p) of each wanted ``p``; -1 below the floor."""
        levels, _ = self.table(setting)
        edges = 0.5 * (np.log(levels[1:]) + np.log(levels[:-1]))
        idx = np.searchsorted(edges, np.log(np.clip(p, 1e-300, None)))
        out: NDArray[np.intp] = np.where(p < self.cfg.p_floor, -1, idx)
        return out

    def dac(self, amplitude: F64) -> F64:
        """Amplitudes rounded to the write DAC's codes (unchanged without ``dac_bits``)."""
        bits = self.cfg.dac_bits
        if bits is None:
            return amplitude
        full = self.cfg.dac_full_scale * max(
            switch_model(self.spec, setting=st).nominal_amplitude for st in (True, False)
        )
        lsb = full / 2**bits
        out: F64 = np.clip(np.round(amplitude / lsb), 1, 2**bits - 1) * lsb
        return out

    def device_amplitude(self, amp: F64 | float, rows: NDArray[np.intp], col: int) -> F64:
        """Per-device amplitude: the level's amplitude scaled by each device's trim, on the DAC."""
        a = np.array(np.broadcast_to(np.asarray(amp, dtype=np.float64), rows.shape))
        if self.trim is not None:
            a = a * self.trim[rows, col]
        return self.dac(a)

    def amplitude_map(self, amp: float, shape: tuple[int, ...]) -> F64:
        """Every device's amplitude (A or V) for a level of median-device amplitude ``amp``."""
        a = np.full(shape, amp) if self.trim is None else amp * self.trim
        return self.dac(a)
