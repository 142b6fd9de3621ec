"""Energy ledger of a crossbar: reads per cell event, ADC per conversion, writes per attempt.

* Read: ``E = V^2 G t_read`` per driven cell, i.e. ``V^2 t_read sum_t sum_ij x_i G_ij``;
* row drivers: ``C_row V^2`` per driven row segment and step;
* ADC: ``FoM 2^bits`` per conversion (Walden figure of merit; Kull et al., JSSC 2013);
* write, per attempt (paid whether or not the device switches; crossbar.md §9.1):
  STT ``V_drive I t``, SOT ``I^2 R_HM t`` (heavy-metal strip), RRAM ``V I_compliance t``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hwsnn.backends.crossbar.readout import ReadCounters
from hwsnn.backends.crossbar.spec import CrossbarSpec, DeviceKind, WritePath
from hwsnn.errors import HwsnnError

__all__ = ["InferenceEnergy", "estimate_inference_energy", "write_energy_per_attempt"]


@dataclass(frozen=True, kw_only=True)
class InferenceEnergy:
    """Energy of crossbar reads over a simulation (J) and per sample (J)."""

    read_j: float
    row_driver_j: float
    adc_j: float
    total_j: float
    per_sample_j: float
    conversions: float
    active_rows: float


def estimate_inference_energy(
    spec: CrossbarSpec, counters: Iterable[ReadCounters], *, samples: int
) -> InferenceEnergy:
    """Sum the energy of the read events a simulation counted.

    Args:
        spec: The target spec (read voltage/pulse, row capacitance, ADC).
        counters: Event counters of every layer's reader.
        samples: Number of inputs (batch size) the counters cover, >= 1.
    """
    if samples < 1:
        raise HwsnnError(f"samples: must be >= 1, got {samples}")
    v, t = spec.read.voltage_v, spec.read.pulse_s
    g = rows = conv = 0.0
    for c in counters:
        g += c.conductance_s
        rows += c.active_rows
        conv += c.conversions
    read = v * v * t * g
    driver = spec.read.row_capacitance_f * v * v * rows
    adc = spec.adc.fom_j * 2.0**spec.adc.bits * conv
    total = read + driver + adc
    return InferenceEnergy(
        read_j=read,
        row_driver_j=driver,
        adc_j=adc,
        total_j=total,
        per_sample_j=total / samples,
        conversions=conv,
        active_rows=rows,
    )


def write_energy_per_attempt(spec: CrossbarSpec, amplitude: float, pulse_s: float) -> float:
    """Energy of one programming pulse (J) of ``amplitude`` (A for MTJ, V for RRAM)."""
    if spec.device_kind is DeviceKind.RRAM and spec.rram is not None:
        return abs(amplitude) * spec.rram.compliance_current_a * pulse_s
    if spec.write_path is WritePath.SOT and spec.sot is not None:
        return amplitude * amplitude * spec.sot.hm_resistance_ohm * pulse_s
    if spec.stt is not None:
        return spec.stt.voltage_v * abs(amplitude) * pulse_s
    raise HwsnnError(f"{spec.name}: no write path to price")
