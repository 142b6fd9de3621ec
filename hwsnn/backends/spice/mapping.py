"""Map IR ``Linear``/``Affine`` + ``NLIF`` layers to VCO/PLL neuron circuits.

For ``NLIF(tau_syn, v_threshold)`` the IR spike time in units ``u = t / tau`` obeys paper 003
eq. 4 with ``w' = w tau / theta``; the first-order circuit obeys the same equation with
``u = K t_c`` and ``w' = a / (K psi_th)`` (research ``spice.md`` §6.3). Hence

* circuit time ``t_c = t / (K tau)`` (``time_scale`` circuit seconds per IR second);
* circuit weight ``w_c = w' K psi_th / membrane_gain`` and resistor ``1 / (|w_c| g_unit)``;
* a bias is an input spiking at ``t = 0`` (as in :mod:`hwsnn.sim.ttfs`).

If the largest excitatory or inhibitory weight sum of the layer would push the PLL phase
error past the XOR's linear range (``pi/2`` from lock), ``f_H - f_L`` is widened and
``g_unit`` narrowed by the same factor, which keeps ``a_i`` and the spike times unchanged
(``I_th`` rises when ``I_L`` would get too small).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hwsnn.backends.spice.circuit import PLLNeuronCircuit, weights_to_conductances
from hwsnn.backends.spice.model import NeuronModel
from hwsnn.backends.spice.xspice import simulate_neuron_xspice
from hwsnn.errors import HwsnnError, UnsupportedNodeError
from hwsnn.ir import NLIF, Linear

__all__ = ["SpiceLayer", "energy_per_inference_j", "map_nlif_layer", "quantize_weights",
           "simulate_nlif_layer"]

FloatArray = NDArray[np.float64]
_HEADROOM_RAD = 0.8 * math.pi / 2
_MAX_WIDENING = 100.0
"""Largest factor by which ``f_H - f_L`` is widened (and ``g_unit`` narrowed)."""
_MIN_I_L_FRACTION = 0.5
"""When ``I_L`` would fall below this fraction of its default, ``I_th`` is raised instead
(only ``I_H - I_L`` sets the membrane slope; VCO3/VCO4 simply run faster)."""


def quantize_weights(weights: ArrayLike, bits: int, full_scale: float) -> FloatArray:
    """Round to signed ``bits``-bit levels ``k * full_scale / (2^(bits-1) - 1)``, clipped.

    Raises:
        HwsnnError: ``bits < 2`` or ``full_scale <= 0``.
    """
    if bits < 2 or not full_scale > 0:
        raise HwsnnError(f"quantisation needs bits >= 2 and full_scale > 0, got {bits}, "
                         f"{full_scale}")
    levels = 2.0 ** (bits - 1) - 1.0
    step = full_scale / levels
    return np.asarray(np.clip(np.round(np.asarray(weights) / step), -levels, levels) * step)


@dataclass(frozen=True)
class SpiceLayer:
    """One NLIF layer as circuits (one neuron netlist per output neuron).

    Attributes:
        model: Calibrated analytic neuron with the layer's (possibly rescaled) circuit.
        time_scale: Circuit seconds per IR second, ``1 / (K tau_syn)``.
        weights: Circuit weights ``(out, in + bias)`` in units of ``g_unit`` (signed).
        resistors_ohm: Weight resistors ``(out, in + bias)`` (ohm); ``inf`` = no resistor.
        has_bias: Whether the last column is the bias input (spikes at t = 0).
        t_max: The IR "no spike" time (s, IR units).
        weight_bits: Bit width the IR weights were quantised to (None = exact).
        max_quantization_error: Largest ``|w - w_q|`` in IR weight units (0 if exact).
    """

    model: NeuronModel
    time_scale: float
    weights: FloatArray
    resistors_ohm: FloatArray
    has_bias: bool
    t_max: float
    weight_bits: int | None
    max_quantization_error: float


def _scalar(node: NLIF, name: str) -> float:
    value = np.asarray(getattr(node, name))
    if value.size != 1:
        raise UnsupportedNodeError(f"NLIF with per-neuron {name}", "backends.spice",
                                   ["NLIF with scalar tau_syn and v_threshold"])
    return float(value.reshape(()))


def _fit_headroom(circuit: PLLNeuronCircuit, weights: FloatArray) -> PLLNeuronCircuit:
    pos = np.clip(weights, 0, None).sum(1).max(initial=0.0)
    neg = np.clip(-weights, 0, None).sum(1).max(initial=0.0)
    worst = max(pos, neg) * circuit.phase_per_unit_weight_rad
    if worst <= _HEADROOM_RAD:
        return circuit
    k = worst / _HEADROOM_RAD
    if k > _MAX_WIDENING:
        raise HwsnnError(f"weights too large for the PLL's linear range (factor {k:.1f})")
    half = 0.5 * k * (circuit.i_h_a - circuit.i_l_a)
    i_l = max(circuit.i_th_a - half, _MIN_I_L_FRACTION * circuit.i_l_a)
    return dataclasses.replace(circuit, i_h_a=i_l + 2.0 * half, i_l_a=i_l,
                               g_unit_s=circuit.g_unit_s / k)


def map_nlif_layer(synapse: Linear, node: NLIF, *, weight_bits: int | None = None,
                   model: NeuronModel | None = None) -> SpiceLayer:
    """Map ``synapse`` (Linear/Affine) + ``node`` (NLIF) to resistor values and a circuit.

    Args:
        synapse: The Linear or Affine node before the NLIF (weights ``(out, in)``).
        node: The NLIF population.
        weight_bits: Quantise the IR weights (bias included) to this many signed bits over
            the layer's largest magnitude; None keeps them exact.
        model: Calibrated analytic neuron (default: circuit defaults, no calibration).

    Raises:
        UnsupportedNodeError: The synapse is not Linear/Affine or NLIF has per-neuron values.
    """
    if not isinstance(synapse, Linear):
        raise UnsupportedNodeError(type(synapse).__name__, "backends.spice (NLIF input)",
                                   ["Affine", "Linear"])
    model = model or NeuronModel()
    tau, theta = _scalar(node, "tau_syn"), _scalar(node, "v_threshold")
    w = np.asarray(synapse.weight, dtype=np.float64)
    bias = getattr(synapse, "bias", None)
    if bias is not None:
        w = np.concatenate([w, np.asarray(bias, dtype=np.float64)[:, None]], axis=1)
    w_q = w if weight_bits is None else quantize_weights(w, weight_bits, float(np.abs(w).max()))
    c = model.circuit
    w_c = w_q * (tau / theta) * c.loop_gain_per_s * c.psi_th_cycles / c.membrane_gain
    circuit = _fit_headroom(c, w_c)
    g = weights_to_conductances(circuit, w_c)
    with np.errstate(divide="ignore"):
        resistors = np.where(g > 0, 1.0 / np.where(g > 0, g, 1.0), np.inf)
    return SpiceLayer(
        model=dataclasses.replace(model, circuit=circuit),
        time_scale=1.0 / (circuit.loop_gain_per_s * tau), weights=w_c, resistors_ohm=resistors,
        has_bias=bias is not None, t_max=float(node.t_max), weight_bits=weight_bits,
        max_quantization_error=float(np.abs(w - w_q).max()))


def _circuit_inputs(layer: SpiceLayer, t_in: FloatArray) -> FloatArray:
    t = np.where(t_in >= layer.t_max, np.inf, t_in) * layer.time_scale
    if layer.has_bias:
        t = np.concatenate([t, np.zeros((t.shape[0], 1))], axis=1)
    return np.asarray(t)


def _xspice(layer: SpiceLayer, t: FloatArray, w: FloatArray, hint: float,
            window: float) -> float:
    """XSPICE spike time, stopping shortly after the analytic one (full window if silent)."""
    stop = min(window, 1.25 * hint + 1.0 / layer.model.circuit.loop_gain_per_s)
    spike = simulate_neuron_xspice(layer.model.circuit, t, w, stop).t_spike_s
    if not math.isfinite(spike) and stop < window:
        spike = simulate_neuron_xspice(layer.model.circuit, t, w, window).t_spike_s
    return spike


def simulate_nlif_layer(layer: SpiceLayer, t_in: ArrayLike, *, tier: str = "analytic",
                        neurons: Sequence[int] | None = None) -> FloatArray:
    """Output spike times (IR seconds; ``t_max`` = silent) for input times ``(B, in)``.

    Args:
        layer: The mapped layer.
        t_in: Input spike times in IR seconds, ``t_max`` or later = no spike.
        tier: ``"analytic"`` (calibrated closed form) or ``"xspice"`` (ngspice per neuron).
        neurons: Output neurons to simulate (default all); others are returned as NaN.
    """
    t = _circuit_inputs(layer, np.atleast_2d(np.asarray(t_in, dtype=np.float64)))
    idx = list(range(layer.weights.shape[0])) if neurons is None else list(neurons)
    window = layer.t_max * layer.time_scale
    out = np.full((t.shape[0], layer.weights.shape[0]), np.nan)
    for j in idx:
        w = np.broadcast_to(layer.weights[j], t.shape)
        if tier == "analytic":
            out[:, j] = layer.model.spike_times(t, w, window)
        elif tier == "xspice":
            hint = layer.model.spike_times(t, w, window)
            out[:, j] = [_xspice(layer, tb, wb, h, window) for tb, wb, h in zip(t, w, hint,
                                                                                  strict=True)]
        else:
            raise HwsnnError(f"unknown tier {tier!r}; use 'analytic' or 'xspice'")
    ir = out / layer.time_scale
    return np.asarray(np.where(np.isnan(ir), np.nan, np.minimum(ir, layer.t_max)))


def energy_per_inference_j(t_out: ArrayLike, t_max: float, energy_per_spike_j: float) -> float:
    """Mean energy per inference (J): output spikes (``t < t_max``) x energy per spike."""
    t = np.atleast_2d(np.asarray(t_out, dtype=np.float64))
    return float((t < t_max).sum() / t.shape[0] * energy_per_spike_j)
