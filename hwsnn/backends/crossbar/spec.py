"""Typed, frozen crossbar specs (device, variability, array, periphery) loaded from ``mappings/``.

Every number in a spec file is an inline table ``{ value = ..., source = "..." }``; the loader
(:mod:`.specfile`) refuses a bare number. Sources are kept in :attr:`CrossbarSpec.sources`
(dotted field path -> citation) for reports.
"""

from __future__ import annotations

import enum
import math
import types
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from hwsnn.errors import HwsnnError, TargetConstraintError

__all__ = [
    "AdcSpec",
    "ArraySpec",
    "CrossbarSpec",
    "DeviceKind",
    "MappingScheme",
    "MtjSpec",
    "ReadSpec",
    "RramSpec",
    "SotWrite",
    "SttWrite",
    "VariabilitySpec",
    "WritePath",
]


def _pos(unit: str) -> dict[str, str]:
    return {"check": "positive", "unit": unit}


def _nonneg(unit: str) -> dict[str, str]:
    return {"check": "nonnegative", "unit": unit}


_PROB = {"check": "probability", "unit": "1"}


class _Checked:
    """Mixin: validate every field against its ``metadata['check']`` on construction."""

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            check = f.metadata.get("check")
            value = getattr(self, f.name)
            if check is None:
                continue
            if (
                not isinstance(value, int | float)
                or isinstance(value, bool)
                or not math.isfinite(value)
            ):
                raise HwsnnError(f"{f.name}: must be a finite number, got {value!r}")
            bad = (
                (check == "positive" and value <= 0)
                or (check == "nonnegative" and value < 0)
                or (check == "probability" and not 0.0 <= value <= 1.0)
            )
            if bad:
                rule = {"positive": "> 0", "nonnegative": ">= 0", "probability": "in [0, 1]"}[check]
                raise HwsnnError(f"{f.name}: must be {rule}, got {value!r}")


class DeviceKind(enum.StrEnum):
    """Which binary device a spec describes."""

    MTJ = "mtj"
    RRAM = "rram"


class WritePath(enum.StrEnum):
    """How an MTJ is programmed: spin-transfer torque through the junction, or spin-orbit torque."""

    STT = "stt"
    SOT = "sot"


class MappingScheme(enum.StrEnum):
    """How a signed binary weight sits on devices."""

    OFFSET = "offset"
    """One device per weight; ``G_mid * V * (number of active rows)`` subtracted digitally."""
    DIFFERENTIAL = "differential"
    """Two devices per weight (G+, G-); the column pair difference is read."""


@dataclass(frozen=True, kw_only=True)
class MtjSpec(_Checked):
    """Binary MTJ: parallel (low R) / antiparallel (high R) states and switching physics."""

    r_low_ohm: float = field(metadata=_pos("ohm"))
    """Parallel-state resistance R_P (ohm)."""
    tmr: float = field(metadata=_pos("1"))
    """Tunnel magnetoresistance ratio, R_AP = R_P (1 + tmr)."""
    delta: float = field(metadata=_pos("1"))
    """Thermal stability factor E_b / k_B T."""
    tau0_s: float = field(metadata=_pos("s"))
    """Attempt time of thermal activation (s)."""
    i_c0_a: float = field(metadata=_pos("A"))
    """Intrinsic critical (spin) current (A)."""
    thermal_exponent: float = field(metadata=_pos("1"))
    """Exponent beta of (1 - I/I_c0)^beta in the thermal barrier."""
    tau_d_s: float = field(metadata=_pos("s"))
    """Precessional characteristic time (1 + alpha^2) / (alpha gamma mu0 H_k) (s)."""

    @property
    def r_high_ohm(self) -> float:
        """Antiparallel resistance R_AP (ohm)."""
        return self.r_low_ohm * (1.0 + self.tmr)


@dataclass(frozen=True, kw_only=True)
class SttWrite(_Checked):
    """STT write through the junction."""

    current_a: float = field(metadata=_pos("A"))
    """Nominal write current (A)."""
    pulse_s: float = field(metadata=_pos("s"))
    """Nominal write pulse width (s)."""
    voltage_v: float = field(metadata=_pos("V"))
    """Driver voltage during a write (V); energy per attempt = V I t."""


@dataclass(frozen=True, kw_only=True)
class SotWrite(_Checked):
    """SOT write through a heavy-metal strip under the free layer."""

    theta_sh: float = field(metadata=_pos("1"))
    """Spin-Hall angle of the heavy metal."""
    mtj_length_m: float = field(metadata=_pos("m"))
    """Free-layer length along the strip (m)."""
    hm_thickness_m: float = field(metadata=_pos("m"))
    """Heavy-metal thickness (m)."""
    hm_width_m: float = field(metadata=_pos("m"))
    """Heavy-metal strip width (m)."""
    hm_length_m: float = field(metadata=_pos("m"))
    """Heavy-metal strip length between contacts (m)."""
    lambda_sf_m: float = field(metadata=_pos("m"))
    """Spin-diffusion length of the heavy metal (m)."""
    hm_resistivity_ohm_m: float = field(metadata=_pos("ohm m"))
    """Heavy-metal resistivity (ohm m)."""
    current_a: float = field(metadata=_pos("A"))
    """Nominal heavy-metal charge current (A)."""
    pulse_s: float = field(metadata=_pos("s"))
    """Nominal write pulse width (s)."""

    @property
    def hm_resistance_ohm(self) -> float:
        """Resistance of the heavy-metal strip (ohm)."""
        return (
            self.hm_resistivity_ohm_m * self.hm_length_m / (self.hm_width_m * self.hm_thickness_m)
        )


@dataclass(frozen=True, kw_only=True)
class RramSpec(_Checked):
    """Binary 1T1R RRAM with Poisson SET/RESET, tau(V) = tau0 exp(-V / V0)."""

    r_low_ohm: float = field(metadata=_pos("ohm"))
    """LRS resistance (ohm)."""
    r_high_ohm: float = field(metadata=_pos("ohm"))
    """HRS resistance (ohm)."""
    set_tau0_s: float = field(metadata=_pos("s"))
    """SET wait-time prefactor (s)."""
    set_v0_v: float = field(metadata=_pos("V"))
    """SET voltage scale (V)."""
    reset_tau0_s: float = field(metadata=_pos("s"))
    """RESET wait-time prefactor (s)."""
    reset_v0_v: float = field(metadata=_pos("V"))
    """RESET voltage scale (V), applied to the RESET amplitude magnitude."""
    set_voltage_v: float = field(metadata=_pos("V"))
    """Nominal SET amplitude (V)."""
    reset_voltage_v: float = field(metadata=_pos("V"))
    """Nominal RESET amplitude magnitude (V)."""
    pulse_s: float = field(metadata=_pos("s"))
    """Nominal programming pulse width (s)."""
    compliance_current_a: float = field(metadata=_pos("A"))
    """Programming current (compliance) (A); energy per attempt = V I t."""


@dataclass(frozen=True, kw_only=True)
class VariabilitySpec(_Checked):
    """Device-to-device (once per device) and cycle-to-cycle (per event) spread, noise, faults."""

    d2d_sigma_r: float = field(metadata=_nonneg("1"))
    """Lognormal sigma of each state's resistance, per device."""
    d2d_sigma_switch: float = field(metadata=_nonneg("1"))
    """Lognormal sigma of the switching scale (I_c0 for MTJ, V0 for RRAM), per device."""
    d2d_sigma_delta: float = field(metadata=_nonneg("1"))
    """Lognormal sigma of the MTJ thermal stability, per device (0 for RRAM)."""
    c2c_sigma_r: float = field(metadata=_nonneg("1"))
    """Lognormal sigma of the resistance re-drawn at every switch."""
    c2c_sigma_switch: float = field(metadata=_nonneg("1"))
    """Lognormal sigma of the effective drive amplitude, per programming event."""
    read_noise_rel: float = field(metadata=_nonneg("1"))
    """Relative Gaussian read noise of a cell's conductance per read event."""
    stuck_low_rate: float = field(metadata=_PROB)
    """Fraction of devices stuck in the low-resistance state."""
    stuck_high_rate: float = field(metadata=_PROB)
    """Fraction of devices stuck in the high-resistance state."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.stuck_low_rate + self.stuck_high_rate > 1.0:
            raise HwsnnError("stuck_low_rate + stuck_high_rate: must be <= 1")


@dataclass(frozen=True, kw_only=True)
class ReadSpec(_Checked):
    """Read (inference) operating point."""

    voltage_v: float = field(metadata=_pos("V"))
    """Read voltage across an active cell (V)."""
    pulse_s: float = field(metadata=_pos("s"))
    """Read pulse width per time step (s)."""
    row_capacitance_f: float = field(metadata=_nonneg("F"))
    """Row (word/bit line) capacitance charged per active row per step (F)."""


@dataclass(frozen=True, kw_only=True)
class ArraySpec(_Checked):
    """One crossbar tile."""

    rows: int = field(metadata=_pos("1"))
    """Rows (inputs) per tile."""
    cols: int = field(metadata=_pos("1"))
    """Columns (devices per row) per tile."""
    wire_resistance_ohm: float = field(metadata=_nonneg("ohm"))
    """Line resistance per cell segment (ohm)."""
    ir_drop_tolerance: float = field(metadata=_pos("1"))
    """Largest allowed worst-case IR-drop figure rows * cols * r_wire / R_low."""
    cell_area_m2: float = field(metadata=_pos("m^2"))
    """Area of one device with its access transistor(s) (m^2)."""
    mapping: MappingScheme = MappingScheme.OFFSET
    """Signed-weight scheme."""

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("rows", "cols"):
            if not isinstance(getattr(self, name), int):
                raise HwsnnError(f"{name}: must be an integer, got {getattr(self, name)!r}")
        object.__setattr__(self, "mapping", MappingScheme(self.mapping))


@dataclass(frozen=True, kw_only=True)
class AdcSpec(_Checked):
    """Column ADC (one per ``columns_per_adc`` columns, time-multiplexed)."""

    bits: int = field(metadata=_pos("1"))
    """Resolution (bits)."""
    range_rows: float = field(metadata=_pos("1"))
    """Calibrated full scale, in active low-resistance cells (1 = one cell's signal swing)."""
    fom_j: float = field(metadata=_pos("J"))
    """Walden figure of merit: energy per conversion step (J); E_conv = fom * 2^bits."""
    area_m2: float = field(metadata=_pos("m^2"))
    """Area of one ADC (m^2)."""
    columns_per_adc: int = field(metadata=_pos("1"))
    """Columns sharing one ADC."""


@dataclass(frozen=True, kw_only=True)
class CrossbarSpec:
    """A complete crossbar target."""

    name: str
    device_kind: DeviceKind
    mtj: MtjSpec | None
    stt: SttWrite | None
    sot: SotWrite | None
    rram: RramSpec | None
    write_path: WritePath | None
    variability: VariabilitySpec
    read: ReadSpec
    array: ArraySpec
    adc: AdcSpec
    sources: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", types.MappingProxyType(dict(self.sources)))
        need = ("mtj", "stt", "sot") if self.device_kind is DeviceKind.MTJ else ("rram",)
        for name in need:
            if getattr(self, name) is None:
                raise HwsnnError(
                    f"{self.name}: [{name}] is required for a {self.device_kind.value} spec"
                )
        if self.device_kind is DeviceKind.MTJ and self.write_path is None:
            raise HwsnnError(f"{self.name}: write_path is required for an MTJ spec")
        figure = self.array.rows * self.array.cols * self.array.wire_resistance_ohm / self.r_low_ohm
        if figure > self.array.ir_drop_tolerance:
            raise TargetConstraintError(
                "array.rows*array.cols*wire_resistance_ohm/r_low_ohm",
                self.array.ir_drop_tolerance,
                figure,
                where=self.name,
            )
        if self.r_high_ohm <= self.r_low_ohm:
            raise HwsnnError(f"{self.name}: r_high_ohm must exceed r_low_ohm")

    @property
    def r_low_ohm(self) -> float:
        """Nominal low-resistance state (ohm)."""
        dev = self.mtj if self.mtj is not None else self.rram
        return dev.r_low_ohm  # type: ignore[union-attr]

    @property
    def r_high_ohm(self) -> float:
        """Nominal high-resistance state (ohm)."""
        dev = self.mtj if self.mtj is not None else self.rram
        return dev.r_high_ohm  # type: ignore[union-attr]
