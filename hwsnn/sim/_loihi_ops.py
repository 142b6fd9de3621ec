"""Integer kernels of Lava's bit-accurate models, vectorised over a batch (numpy).

Each function reproduces one ``run_spk`` of lava-nc 0.10.0 operation by operation, including
its integer types: ``PyLifModelBitAcc`` (``lava/proc/lif/models.py``), ``PyDenseModelBitAcc``
and ``PyDelayDenseModelBitAcc`` (``lava/proc/dense/models.py``), ``PyConvModelFixed``
(``lava/proc/conv/models.py``). Constants come from the target spec's ``numeric`` section.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.lava._chain import conv2d_f64
from hwsnn.backends.lava.artifact import Connection, Population
from hwsnn.targets import TargetSpec

__all__ = ["LifConstants", "LifState", "conn_output", "lif_step"]

I32 = NDArray[np.int32]


@dataclass(frozen=True)
class LifConstants:
    """Shifts and widths of Lava's fixed-point LIF (from the target spec).

    Attributes:
        decay_shift: ``decay_bits`` (12): decays are ``x * (4096 - d) >> 12``.
        act_shift: Synaptic input shift (6).
        vth_shift: Threshold shift (6).
        max_uv: ``2 ** (state_bits - 1)``: ``u`` wraps past it, ``v`` saturates below it.
    """

    decay_shift: int
    act_shift: int
    vth_shift: int
    max_uv: int

    @classmethod
    def from_spec(cls, spec: TargetSpec) -> LifConstants:
        """Read the constants from ``spec.numeric``."""
        return cls(
            spec.bits("decay_bits"),
            spec.bits("act_shift"),
            spec.bits("vth_shift"),
            2 ** (spec.bits("state_bits") - 1),
        )


@dataclass
class LifState:
    """``u``, ``v`` of one population for a batch, and its constant integers."""

    u: I32
    v: I32
    bias: I32
    du: int
    dv: int
    vth_scaled: np.int32

    @classmethod
    def start(cls, pop: Population, batch: int, k: LifConstants) -> LifState:
        """Zero state; bias ``bias_mant << bias_exp`` as Lava's ``scale_bias`` computes it."""
        bias = np.left_shift(pop.bias_mant.astype(np.int32), pop.bias_exp.astype(np.int32))
        zeros = np.zeros((batch, pop.size), dtype=np.int32)
        return cls(
            zeros,
            zeros.copy(),
            bias.astype(np.int32),
            pop.du,
            pop.dv,
            np.left_shift(np.int32(pop.vth), np.int32(k.vth_shift)),
        )


def _decay(x: I32, d: int, k: LifConstants) -> I32:
    decayed = x.astype(np.int64) * ((1 << k.decay_shift) - d)
    out: I32 = (np.sign(decayed) * np.right_shift(np.abs(decayed), k.decay_shift)).astype(np.int32)
    return out


def lif_step(state: LifState, a_in: I32, k: LifConstants) -> NDArray[np.bool_]:
    """One step of ``PyLifModelBitAcc``.

    24-bit ``u`` wraps, ``v`` saturates, the threshold is strict, spiking neurons reset to 0.
    """
    curr = _decay(state.u, state.du + 1, k)
    curr = curr + np.left_shift(a_in.astype(np.int32), np.int32(k.act_shift))
    wrapped = np.where(curr > k.max_uv, curr - 2 * k.max_uv, curr)
    wrapped = np.where(wrapped <= -k.max_uv, curr + 2 * k.max_uv, wrapped)
    state.u = wrapped.astype(np.int32)
    volt = _decay(state.v, state.dv, k) + state.u + state.bias
    state.v = np.clip(volt, -k.max_uv + 1, k.max_uv - 1).astype(np.int32)
    spikes: NDArray[np.bool_] = state.v > state.vth_scaled
    state.v[spikes] = 0
    return spikes


def _shift(acc: NDArray[np.int64], exp: int) -> NDArray[np.int64]:
    return np.left_shift(acc, exp) if exp > 0 else np.right_shift(acc, -exp)


def conn_output(
    conn: Connection, weights_f64: NDArray[np.float64], x: NDArray[np.generic], k: LifConstants
) -> I32:
    """What ``conn`` computes this step from source output ``x`` (B, n_src); sent next step.

    Dense: ``sum_j w_ij x_j`` (binary sources: ``x != 0``), then ``<< weight_exp`` (or an
    arithmetic ``>>`` for a negative exponent), sent as int32. Conv: true integer convolution,
    ``weight_exp`` ignored, wrapped to 24 bits (``lava.proc.conv.utils.signed_clamp``).
    The float64 products are exact: every partial sum stays far below 2**53.
    """
    src = x if conn.graded else (x != 0)
    xf = np.asarray(src, dtype=np.float64)
    if conn.kind == "dense":
        acc = (xf @ weights_f64.T).astype(np.int64)
        return _shift(acc, conn.weight_exp).astype(np.int32)
    batch = xf.shape[0]
    out = (
        conv2d_f64(
            xf.reshape(batch, *conn.in_shape),
            weights_f64,
            conn.stride,
            conn.padding,
            conn.dilation,
            conn.groups,
        )
        .reshape(batch, -1)
        .astype(np.int64)
    )
    half = 2 * k.max_uv
    return (((out + half // 2) % half) - half // 2).astype(np.int32)
