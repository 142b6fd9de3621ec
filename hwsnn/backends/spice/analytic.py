"""Analytic tier: closed-form type-I PLL response and the n-LIF spike time (numpy, vectorised).

A phase step ``dtheta`` on VCO1 leaves the PLL phase error (paper 003 eq. 2, research
``spice.md`` §6.2)

    E(s) = dtheta (s + w) / (s^2 + w s + K w),     w = omega_lf, K = K_pd K_vco,

whose integral ``M(t) = int_0^t e/dtheta`` is ``1/K + c_1 e^{l_1 t} + c_2 e^{l_2 t}`` with
``l_{1,2}`` the roots of ``s^2 + w s + K w`` and ``c_k = (l_k + w) / (l_k (l_k - l_other))``
(complex for an underdamped loop; ``w -> inf`` gives the first-order ``(1 - e^{-Kt})/K``).
The membrane is ``psi(t) = sum_i a_i M(t - t_i)`` (cycles) and the neuron fires at the first
``t`` with ``psi(t) >= psi_th``. Between two sorted inputs ``psi`` is a sum of exponentials,
so its coefficients are running sums and each interval is searched on a small grid, then
refined by a few bisection and Newton steps (real arithmetic when the loop is overdamped).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hwsnn.errors import HwsnnError

__all__ = ["PLLResponse", "error_response", "membrane_kernel", "spike_times"]

FloatArray = NDArray[np.float64]
_GRID = 10
_BISECT = 4
_NEWTON = 3


@dataclass(frozen=True)
class PLLResponse:
    """Poles and residues of the normalised PLL response.

    Attributes:
        loop_gain_per_s: ``K`` (1/s).
        omega_lf_rad_per_s: Loop-filter corner (rad/s); ``inf`` for the first-order limit.
    """

    loop_gain_per_s: float
    omega_lf_rad_per_s: float = math.inf

    def __post_init__(self) -> None:
        if not (self.loop_gain_per_s > 0 and self.omega_lf_rad_per_s > 0):
            raise HwsnnError("PLLResponse: loop gain and loop-filter corner must be > 0")

    def poles(self) -> tuple[NDArray[np.complex128], NDArray[np.complex128]]:
        """``(lambda_k, c_k)`` such that ``M(t) = 1/K + sum_k c_k exp(lambda_k t)``."""
        k, w = self.loop_gain_per_s, self.omega_lf_rad_per_s
        if math.isinf(w):
            return np.array([-k], dtype=complex), np.array([-1.0 / k], dtype=complex)
        disc = complex(w * w - 4.0 * k * w) ** 0.5
        if abs(disc) < 1e-9 * w:  # critical damping: split the double pole slightly
            disc = complex(1e-6 * w)
        lam = np.array([(-w + disc) / 2.0, (-w - disc) / 2.0])
        c = (lam + w) / (lam * (lam - lam[::-1]))
        return lam, c


def membrane_kernel(t: ArrayLike, response: PLLResponse) -> FloatArray:
    """``M(t)`` (s): integral of the normalised phase error, 0 for ``t < 0``."""
    tt = np.asarray(t, dtype=np.float64)
    lam, c = response.poles()
    pos = np.maximum(tt, 0.0)[..., None]
    m = 1.0 / response.loop_gain_per_s + (c * np.exp(lam * pos)).sum(-1).real
    return np.where(tt > 0, m, 0.0)


def error_response(t: ArrayLike, response: PLLResponse) -> FloatArray:
    """``e(t)/dtheta`` (dimensionless): normalised phase error after a step, 0 for ``t < 0``."""
    tt = np.asarray(t, dtype=np.float64)
    lam, c = response.poles()
    pos = np.maximum(tt, 0.0)[..., None]
    e = (c * lam * np.exp(lam * pos)).sum(-1).real
    return np.where(tt >= 0, e, 0.0)


Poles = NDArray[np.inexact[Any]]


def _real_if_possible(lam: Poles, c: Poles) -> tuple[Poles, Poles]:
    """Real arrays for an overdamped loop (half the cost of complex exponentials)."""
    if np.all(lam.imag == 0) and np.all(c.imag == 0):
        return lam.real.copy(), c.real.copy()
    return lam, c


def _psi(s0: FloatArray, b: Poles, c: Poles, lam: Poles, tau: FloatArray, k: float) -> FloatArray:
    """``psi`` at ``tau`` after the interval start; ``s0``/``b`` have a trailing pole axis."""
    return np.asarray(s0 / k + (c * b * np.exp(lam * tau[..., None])).sum(-1).real)


def _first_crossing(psi_grid: FloatArray, threshold: float) -> tuple[FloatArray, FloatArray]:
    above = psi_grid >= threshold
    hit = above.any(-1)
    return hit, np.where(hit, above.argmax(-1), 0)


def _refine(lo: FloatArray, hi: FloatArray, s0: FloatArray, b: Poles, poles: tuple[Poles, Poles],
            k: float, threshold: float) -> FloatArray:
    """Bisection to a narrow bracket, then Newton steps clamped to the bracket."""
    lam, c = poles
    for _ in range(_BISECT):
        mid = 0.5 * (lo + hi)
        above = _psi(s0, b, c, lam, mid, k) >= threshold
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    t = 0.5 * (lo + hi)
    for _ in range(_NEWTON):
        terms = c * b * np.exp(lam * t[:, None])
        f = s0 / k + terms.sum(-1).real - threshold
        slope = (terms * lam).sum(-1).real
        step = np.where(slope > 0, f / np.where(slope > 0, slope, 1.0), 0.0)
        t = np.clip(t - step, lo, hi)
    return t


def spike_times(t_in: ArrayLike, amplitude: ArrayLike, response: PLLResponse,
                threshold: float, t_max: float) -> FloatArray:
    """First time ``psi(t) = sum_i a_i M(t - t_i)`` reaches ``threshold`` (vectorised).

    Args:
        t_in: Input spike times, shape ``(N, n)`` (s); ``inf`` for a silent input.
        amplitude: ``a_i`` (cycles/s, signed), shape ``(N, n)`` or broadcastable.
        response: The PLL response.
        threshold: ``psi_th`` (cycles), > 0.
        t_max: End of the window (s); no crossing before it gives ``inf``.

    Returns:
        Spike times, shape ``(N,)`` (s); ``inf`` where the neuron does not fire.
    """
    t = np.atleast_2d(np.asarray(t_in, dtype=np.float64))
    a = np.broadcast_to(np.asarray(amplitude, dtype=np.float64), t.shape)
    order = np.argsort(t, axis=1)
    t, a = np.take_along_axis(t, order, 1), np.take_along_axis(a, order, 1)
    a = np.where(np.isfinite(t), a, 0.0)
    lam, c = _real_if_possible(*response.poles())
    n_samples, n_inputs = t.shape
    s0 = np.zeros(n_samples)
    b: Poles = np.zeros((n_samples, lam.size), dtype=lam.dtype)
    out = np.full(n_samples, np.inf)
    frac = np.linspace(0.0, 1.0, _GRID + 1)[1:]
    for m in range(n_inputs):
        start = np.minimum(t[:, m], t_max)
        if m:
            b = np.asarray(b * np.exp(lam * (start - np.minimum(t[:, m - 1], t_max))[:, None]))
        s0, b = s0 + a[:, m], np.asarray(b + a[:, m, None])
        end = np.minimum(t[:, m + 1], t_max) if m + 1 < n_inputs else np.full(n_samples, t_max)
        width = np.maximum(end - start, 0.0)
        grid = width[:, None] * frac
        psi = _psi(s0[:, None], b[:, None, :], c, lam, grid, response.loop_gain_per_s)
        hit, idx = _first_crossing(psi, threshold)
        todo = hit & np.isinf(out) & (width > 0)
        if todo.any():
            lo = np.where(idx > 0, width * frac[np.maximum(idx - 1, 0)], 0.0)[todo]
            hi = (width * frac[idx])[todo]
            out[todo] = start[todo] + _refine(lo, hi, s0[todo], b[todo], (lam, c),
                                              response.loop_gain_per_s, threshold)
    return out
