"""Float -> Loihi fixed-point conversions, each returning the integers and its error metrics.

Formats are those of Lava's bit-accurate CPU models (lava-nc 0.10.0, ``lava.proc.lif.models``,
``lava.proc.dense.models``, ``lava.utils.weightutils``), with the bit widths read from the
target spec (``numeric`` section of ``mappings/loihi2.toml``):

- weights: ``weight_bits``-bit magnitude; a mixed-sign matrix is clipped to
  ``[-2**weight_bits, 2**weight_bits - 1]`` and loses its least significant bit (even values
  only), an excitatory one is clipped to ``[0, 2**weight_bits - 1]``; the accumulated sum is
  shifted by a shared per-layer exponent ``weight_exp``;
- decays: ``decay_bits`` unsigned, current decay ``du = round(4096 δu) - 1`` (Lava adds 1),
  voltage decay ``dv = round(4096 δv)``;
- bias: signed ``bias_mant_bits`` mantissa times ``2**bias_exp`` (``bias_exp_bits`` unsigned);
  the bias is *not* shifted by ``act_shift``, unlike synaptic input and threshold.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from hwsnn.targets import TargetSpec

__all__ = ["decay_int", "quantize_bias", "quantize_weights", "sign_mode"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def sign_mode(weights: F64) -> str:
    """Lava ``determine_sign_mode``: excitatory if all >= 0, inhibitory if all <= 0, else mixed."""
    if weights.size == 0 or weights.min() >= 0:
        return "excitatory"
    if weights.max() <= 0:
        return "inhibitory"
    return "mixed"


def _weight_range(mode: str, bits: int) -> tuple[int, int, int]:
    """(min, max, step) of the integer weights Lava leaves unchanged for ``mode``."""
    top = 2**bits - 1
    if mode == "mixed":
        return (-(2**bits), top - 1, 2)
    if mode == "excitatory":
        return (0, top, 1)
    return (-top, 0, 1)


def quantize_weights(
    weights: F64, spec: TargetSpec, *, use_exponent: bool
) -> tuple[I64, int, str, dict[str, float]]:
    """Quantise real weights (in units of one synaptic input step) to Lava integers.

    The shared exponent is the smallest that fits the largest weight into the mantissa range,
    so the mantissa uses the full range; Lava's CPU ``Conv`` ignores ``weight_exp``, hence
    ``use_exponent=False`` for convolutions (the exponent is then 0).

    Args:
        weights: Real weights ``w`` with ``w ~= mantissa * 2**weight_exp``.
        spec: Target with ``numeric.weight_bits``, ``weight_exp_min``, ``weight_exp_max``.
        use_exponent: Whether a shared exponent is available.

    Returns:
        ``(mantissa, weight_exp, sign_mode, metrics)`` with metrics ``clipped_fraction``,
        ``zeroed_fraction`` (non-zero weights that became 0), ``rms_error_rel`` (RMS error over
        the largest magnitude), ``step_rel`` (one weight step over the largest magnitude).
    """
    mode = sign_mode(weights)
    low, high, step = _weight_range(mode, spec.bits("weight_bits"))
    peak = float(np.abs(weights).max()) if weights.size else 0.0
    exp = 0
    if use_exponent and peak > 0:
        exp = math.ceil(math.log2(peak / max(abs(low), high)))
        exp = min(max(exp, spec.bits("weight_exp_min")), spec.bits("weight_exp_max"))
    scaled = weights / 2.0**exp
    mant = np.clip(np.round(scaled / step) * step, low, high).astype(np.int64)
    error = mant * 2.0**exp - weights
    nonzero = weights != 0
    metrics = {
        "clipped_fraction": float(np.mean((scaled < low - step / 2) | (scaled > high + step / 2)))
        if weights.size
        else 0.0,
        "zeroed_fraction": float(np.mean(mant[nonzero] == 0)) if nonzero.any() else 0.0,
        "rms_error_rel": float(np.sqrt(np.mean(error**2)) / peak) if peak > 0 else 0.0,
        "step_rel": float(step * 2.0**exp / peak) if peak > 0 else 0.0,
        "weight_exp": float(exp),
        "dropped_lsb": float(mode == "mixed"),
    }
    return mant, exp, mode, metrics


def quantize_bias(bias: F64, spec: TargetSpec) -> tuple[I64, I64, dict[str, float]]:
    """Per-neuron bias (in ``v`` units per step) -> ``(bias_mant, bias_exp, metrics)``.

    Each neuron gets the smallest exponent whose mantissa fits ``bias_mant_bits``; values
    beyond the largest exponent are clipped.
    """
    mant_max = 2 ** (spec.bits("bias_mant_bits") - 1) - 1
    exp_max = 2 ** spec.bits("bias_exp_bits") - 1
    mag = np.abs(bias)
    with np.errstate(divide="ignore"):
        need = np.ceil(np.log2(np.maximum(mag, 1e-300) / mant_max))
    exp = np.clip(need, 0, exp_max).astype(np.int64)
    mant = np.clip(np.round(bias / 2.0**exp), -mant_max - 1, mant_max).astype(np.int64)
    error = mant * 2.0**exp - bias
    peak = float(mag.max()) if mag.size else 0.0
    metrics = {
        "clipped_fraction": float(np.mean(need > exp_max)) if mag.size else 0.0,
        "max_abs_error_v_lsb": float(np.abs(error).max()) if mag.size else 0.0,
        "rms_error_rel": float(np.sqrt(np.mean(error**2)) / peak) if peak > 0 else 0.0,
    }
    return mant, exp, metrics


def decay_int(fraction: float, spec: TargetSpec, *, offset: int) -> tuple[int, float]:
    """Decay fraction per step -> unsigned ``decay_bits`` integer, and the realised fraction.

    Lava decays ``x`` by ``(4096 - (d + offset)) / 4096``: ``offset = 1`` for the current
    (``du``), ``0`` for the voltage (``dv``).
    """
    unity = 2 ** spec.bits("decay_bits")
    value = int(np.clip(round(unity * fraction) - offset, 0, unity - 1))
    return value, (value + offset) / unity
