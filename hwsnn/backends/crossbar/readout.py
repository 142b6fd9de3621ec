"""The read path of a mapped layer, vectorised in torch: array MVM, IR drop, read noise, ADC.

Everything static is folded at build time (:func:`make_reader`): device spread, the row-wire
attenuation ``G / (1 + rho)`` and its per-column ADC gain calibration ``kappa``, the nominal
digital offset, the differential pair difference ``G+ - G-``, and the per-row conductance sums
of the energy counters. Per call (one time step), for each row tile (crossbar.md §11):

1. ``A = x G_eff`` (cell units): only driven rows carry current (spikes are 0/1 row drives);
   one batched product over all row tiles, one column per output in both schemes (the
   differential pair is read as ``D = A+ - A-`` with ``G+ - G-`` precomputed);
2. read noise per event: every active cell adds an independent Gaussian of std ``rel * G``;
   their sum per column is one Gaussian of variance ``rel^2 sum_i x_i G_i^2`` (exact for
   two-level cells, from the count ``n`` of active rows and ``A``):
   offset ``(G_L + G_H) A - G_L G_H n``; differential pair ``(G_L + G_H) S - 2 G_L G_H n``
   with ``S = A+ + A-``, which is ``n`` times the tile's mean pair conductance when every
   pair holds one low and one high device (binary weights; else ``S`` is a second product);
3. IR drop on the column wires ``A / (1 + k A)``, ``k = r S_x scale / n^2`` (see
   :mod:`.irdrop`); for a pair ``D / ((1 + k A+)(1 + k A-)) = D / ((1 + k S/2)^2 - (k D/2)^2)``;
   the digital offset ``n G_H`` of the offset scheme sees the same column drop;
4. ADC: the signal in cells above the high-resistance floor, clipped to the calibrated range
   and rounded to ``2^bits - 1`` levels, in place; tiles summed digitally.

Ideal fidelity (nominal devices, no wires or noise, a lossless ADC) is the single product
``alpha x signs`` over all tiles: integers in float32 for spike inputs, as ``sim.float``.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.crossbar.irdrop import row_drop_factor
from hwsnn.backends.crossbar.mapping import CrossbarLayer
from hwsnn.backends.crossbar.noise import GaussianSource
from hwsnn.backends.crossbar.spec import MappingScheme

if TYPE_CHECKING:
    import torch

__all__ = ["Fidelity", "GaussianSource", "ReadCounters", "Reader", "make_reader"]

F64 = NDArray[np.float64]
F32 = NDArray[np.float32]


class Fidelity(enum.StrEnum):
    """Ideal devices and periphery, or every non-ideality of the spec."""

    IDEAL = "ideal"
    NOISY = "noisy"


@dataclass(kw_only=True)
class ReadCounters:
    """Event counts accumulated by a reader (for the energy ledger)."""

    conductance_s: float = 0.0
    """Sum over steps of the total driven conductance sum_ij x_i G_ij (S)."""
    active_rows: float = 0.0
    """Sum over steps and samples of driven rows (row-tile segments)."""
    conversions: float = 0.0
    """ADC conversions (one per column of each row tile with an active row)."""
    steps: int = 0
    """Calls (time steps x batches)."""


@dataclass(kw_only=True, eq=False)
class Reader:
    """Callable read path of one layer: ``(B, n_in) -> (B, n_out)`` in weight units.

    Arithmetic runs in cell units (conductance / ``dG kappa``) in reused float32 buffers.

    Attributes:
        g: ``(row_tiles, rows, n_out)`` effective conductances in cell units, ``G / (1 + rho)
            / (dG kappa)`` (offset) or the pair difference of that (differential).
        g_sum: Pair sums ``(row_tiles, rows, n_out)`` when some pair is not one low and one
            high device (ternary weights, faults), else None.
        pair_mean: Mean pair sum per active row ``(row_tiles, 1, 1)`` (cell units).
        dense: Ideal only: the signs ``(n_in, n_out)`` the devices hold, else None.
        row_s: Conductance of each row ``(1, row_tiles, rows)`` (S), for the counters.
        wire_scale: ``r dG kappa`` per tile ``(row_tiles, 1, 1)``: wire resistance per segment
            times the tile's mean siemens per cell unit.
        c1, c2: Noise variance coefficients ``(G_L + G_H) / s`` and ``G_L G_H / s^2`` with ``s``
            the layer's mean ``dG kappa`` (tile means of ``kappa`` differ by < 1 % up to 4 ohm
            per segment).
        hrs: Nominal high-resistance current per active row in cell units (offset scheme).
        width: Physical columns per row tile (ADC conversions per active tile read).
    """

    layer: CrossbarLayer
    fidelity: Fidelity
    g: torch.Tensor
    g_sum: torch.Tensor | None
    pair_mean: F32
    dense: torch.Tensor | None
    row_s: torch.Tensor
    wire_scale: F32
    c1: float
    c2: float
    hrs: float
    width: int
    adc_levels: int
    adc_range: float
    noise: GaussianSource
    counters: ReadCounters = field(default_factory=ReadCounters)
    count: bool = True
    _buffers: dict[tuple[int, ...], tuple[torch.Tensor, torch.Tensor]] = field(default_factory=dict)
    """Work buffers ``(a, tmp)`` of the last shape (reused while the batch size holds)."""

    @property
    def differential(self) -> bool:
        """Whether weights sit on differential pairs."""
        return self.layer.spec.array.mapping is MappingScheme.DIFFERENTIAL

    def _buffer(self, shape: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor]:
        import torch

        if shape not in self._buffers:
            self._buffers = {shape: (torch.empty(shape), torch.empty(shape))}
        return self._buffers[shape]

    def _tiles(self, x: torch.Tensor) -> torch.Tensor:
        """Row drives ``(B, row_tiles, rows)`` (a view of ``x`` where no padding is needed)."""
        import torch

        n_rt, rows = self.g.shape[0], self.g.shape[1]
        xp = x.to(torch.float32)
        if n_rt * rows != xp.shape[1]:
            xp = torch.nn.functional.pad(xp, (0, n_rt * rows - xp.shape[1]))
        return xp.view(xp.shape[0], n_rt, rows)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Read one time step: ``x (B, n_in)`` row drives (spikes) -> ``(B, n_out)``."""
        import torch

        layer = self.layer
        if self.dense is not None:
            if self.count:
                xb = self._tiles(x)
                self._count(xb, _per_tile(xb.sum(-1).numpy()))
            y = torch.mm(x.to(torch.float32), self.dense).mul_(layer.alpha)
        else:
            y = self._noisy(x)
        if layer.bias is not None:
            y = y.add_(torch.as_tensor(layer.bias, dtype=y.dtype))
        return y

    def _noisy(self, x: torch.Tensor) -> torch.Tensor:
        """The analog read of :class:`Fidelity.NOISY`, before ``alpha`` and the bias.

        Per-(tile, sample) quantities (row counts, IR-drop coefficients, offsets) are small
        ``(row_tiles, B, 1)`` numpy arrays; full-size work runs in place in two buffers.
        """
        import torch

        xb = self._tiles(x)  # (B, tiles, rows)
        wired = self.layer.spec.array.wire_resistance_ohm > 0
        c = torch.cumsum(xb, -1).numpy() if wired else None
        n = _per_tile(xb.sum(-1).numpy() if c is None else c[..., -1])
        if self.count:
            self._count(xb, n)
        xp = xb.transpose(0, 1)
        a, tmp = self._buffer((self.g.shape[0], x.shape[0], self.g.shape[-1]))
        torch.bmm(xp, self.g, out=a)
        k = None if c is None else self._wire(c, n)
        if self.differential:
            self._pair_analog(xp, a, tmp, n, k)
        else:
            self._offset_analog(a, tmp, n, k)
        return self._digitise(a, n)

    def _wire(self, c: F32, n: F32) -> F32:
        """Column IR-drop coefficient ``k = r S_x scale / n^2`` per (tile, sample).

        ``S_x = sum_{i,i'} x_i x_i' (N - max(i, i')) = sum_t c_t^2`` (see
        :func:`.irdrop.column_pair_sum`) from the running row count ``c_t = sum_{i<=t} x_i``
        (``c``, shape ``(B, tiles, rows)``): a pair of rows is counted once for every ``t`` at
        or below its lower row.
        """
        pairs = _per_tile(np.square(c, out=c).sum(-1))
        k: F32 = pairs * self.wire_scale / np.square(np.maximum(n, 1.0))
        return k

    def _offset_analog(self, a: torch.Tensor, tmp: torch.Tensor, n: F32, k: F32 | None) -> None:
        """Read noise, column IR drop and the digital offset, in place on ``a``."""
        import torch

        rel = self.layer.spec.variability.read_noise_rel
        if rel > 0:  # std (cells) = sqrt(c1 A - c2 n)
            torch.add(torch.from_numpy(n * -self.c2), a, alpha=self.c1, out=tmp).clamp_(min=0.0)
            _sqrt_(tmp)
            eps, sign = self.noise.draw(tuple(a.shape))
            a.addcmul_(tmp, eps, value=rel * sign)
        offset = n * self.hrs
        if k is None:
            a.sub_(torch.from_numpy(offset))
            return
        offset /= 1.0 + k * offset  # the digital offset sees the same column drop
        torch.mul(a, torch.from_numpy(k), out=tmp).add_(1.0)  # 1 + k A
        torch.addcdiv(torch.from_numpy(-offset), a, tmp, out=a)  # A / (1 + k A) - offset

    def _pair_analog(
        self, xp: torch.Tensor, a: torch.Tensor, tmp: torch.Tensor, n: F32, k: F32 | None
    ) -> None:
        """Read noise and column IR drop of differential pairs, in place on ``a = D``."""
        import torch

        rel = self.layer.spec.variability.read_noise_rel
        if self.g_sum is None:  # S = n * mean pair sum: small (tiles, B, 1) arrays
            s = torch.from_numpy(n * self.pair_mean)
        else:
            s = torch.bmm(xp, self.g_sum)
        if rel > 0:  # var = c1 S - 2 c2 n (both columns of the pair)
            var = torch.add(torch.from_numpy(n * (-2.0 * self.c2)), s, alpha=self.c1)
            eps, sign = self.noise.draw(tuple(a.shape))
            a.addcmul_(_sqrt_(var.clamp_(min=0.0)), eps, value=rel * sign)
        if k is not None:  # D / ((1 + k S/2)^2 - (k D/2)^2)
            half = torch.from_numpy(0.5 * k)
            torch.mul(a, half, out=tmp)
            torch.addcmul((s * half).add_(1.0).square_(), tmp, tmp, value=-1.0, out=tmp)
            a.div_(tmp)

    def _digitise(self, a: torch.Tensor, n: F32) -> torch.Tensor:
        """ADC per tile (clip, round to the levels) in place, then the digital tile sum."""
        import torch

        diff = self.differential
        step = self.adc_range / self.adc_levels  # codes are counted in steps, scaled once below
        if step != 1.0:
            a.mul_(1.0 / step)
        a.clamp_(-self.adc_levels if diff else 0.0, self.adc_levels).round_()
        alpha = self.layer.alpha
        y = torch.sum(a, 0)
        if diff:
            return y.mul_(alpha * step)
        # offset scheme: alpha (2 m - n) with m the low-resistance count
        return torch.add(torch.from_numpy(n.sum(0) * -alpha), y, alpha=2.0 * alpha * step, out=y)

    def _count(self, xb: torch.Tensor, n: F32) -> None:
        c = self.counters
        c.conductance_s += float((xb * self.row_s).sum())
        c.active_rows += float(n.sum())
        c.conversions += float(np.count_nonzero(n)) * self.width
        c.steps += 1


def _per_tile(v: F32) -> F32:
    """``(B, tiles)`` per-sample values -> contiguous ``(tiles, B, 1)``."""
    return np.ascontiguousarray(v.T[..., None])


def _sqrt_(t: torch.Tensor) -> torch.Tensor:
    """In-place square root of a contiguous float32 tensor of non-negative values.

    numpy's: torch's CPU ``sqrt`` takes a slow path on zeros (4-10x slower when a read has idle
    tiles), numpy's costs the same for every value.
    """
    np.sqrt(t.numpy(), out=t.numpy())
    return t


def _conductances(layer: CrossbarLayer, fidelity: Fidelity) -> tuple[F64, F64, int, float]:
    """Cell conductances (S), column calibration ``kappa``, ADC levels and range."""
    spec = layer.spec
    g_l, g_h = 1.0 / spec.r_low_ohm, 1.0 / spec.r_high_ohm
    kappa = np.ones((layer.row_tiles, 1, layer.cells.state.shape[-1]))
    if fidelity is Fidelity.IDEAL:
        levels = 2 ** math.ceil(math.log2(spec.array.rows + 1)) - 1
        return np.where(layer.cells.state, g_l, g_h), kappa, levels, float(levels)
    g = layer.cells.conductance()
    if spec.array.wire_resistance_ohm > 0:
        att = 1.0 / (1.0 + row_drop_factor(g, spec.array.wire_resistance_ohm, spec.array.cols))
        g = g * att
        kappa = att.mean(axis=1, keepdims=True)
    diff = spec.array.mapping is MappingScheme.DIFFERENTIAL
    levels = max(1, 2 ** (spec.adc.bits - (1 if diff else 0)) - 1)
    return g, kappa, levels, spec.adc.range_rows


def _dense_signs(layer: CrossbarLayer) -> F64:
    """Signs ``(n_in, n_out)`` the devices' present states hold."""
    state = layer.cells.state.reshape(-1, layer.cells.state.shape[-1])[: layer.n_in]
    if layer.spec.array.mapping is MappingScheme.DIFFERENTIAL:
        return state[:, : layer.n_out].astype(np.float64) - state[:, layer.n_out :]
    return 2.0 * state - 1.0


def _pairs(layer: CrossbarLayer, gc: F64) -> tuple[F64, F64 | None, F64]:
    """Pair difference, pair sum and mean pair sum per tile, in cell units.

    The pair sum is None when every used pair holds one low and one high device (binary
    weights): then ``S = n * mean``. The offset scheme gives ``(gc, None, 0)``.
    """
    if layer.spec.array.mapping is not MappingScheme.DIFFERENTIAL:
        return gc, None, np.zeros((layer.row_tiles, 1, 1))
    n = layer.n_out
    plus, minus = gc[..., :n], gc[..., n:]
    total = plus + minus
    rows = layer.spec.array.rows
    used = (np.arange(layer.row_tiles * rows) < layer.n_in).reshape(layer.row_tiles, rows, 1)
    state = layer.cells.state
    complementary = bool(np.all((state[..., :n] != state[..., n:]) | ~used))
    count = np.maximum(used.sum(axis=1, keepdims=True) * n, 1)
    mean = (total * used).sum(axis=(1, 2), keepdims=True) / count
    return plus - minus, None if complementary else total, mean


def make_reader(layer: CrossbarLayer, fidelity: Fidelity, *, rng: np.random.Generator) -> Reader:
    """Build the read path of ``layer`` from its present device states.

    Ideal: nominal conductances, no IR drop or noise, a lossless ADC (one level per cell) for
    spike inputs: one product with the held signs. Noisy: the sampled devices and the spec's
    wire resistance, noise and ADC, with the ADC gain calibrated per column for the row-wire
    attenuation. Rebuild the reader after programming the devices.
    """
    import torch

    spec = layer.spec
    g_l, g_h = 1.0 / spec.r_low_ohm, 1.0 / spec.r_high_ohm
    g, kappa, levels, adc_range = _conductances(layer, fidelity)
    scale = (g_l - g_h) * kappa
    scale_t = scale.mean(axis=2, keepdims=True)
    gc = g / scale
    diff_g, sum_g, pair_mean = _pairs(layer, gc)

    def t(a: F64) -> torch.Tensor:
        return torch.as_tensor(np.ascontiguousarray(a), dtype=torch.float32)

    ideal = fidelity is Fidelity.IDEAL
    return Reader(
        layer=layer,
        fidelity=fidelity,
        g=t(diff_g),
        g_sum=None if sum_g is None else t(sum_g),
        pair_mean=pair_mean.astype(np.float32),
        dense=t(_dense_signs(layer)) if ideal else None,
        row_s=t((gc * scale_t).sum(axis=-1)[None]),
        wire_scale=(spec.array.wire_resistance_ohm * scale_t).astype(np.float32),
        c1=float((g_l + g_h) / scale_t.mean()),
        c2=float((g_l * g_h) / scale_t.mean() ** 2),
        hrs=g_h / (g_l - g_h),
        width=int(layer.cells.state.shape[-1]),
        adc_levels=levels,
        adc_range=adc_range,
        noise=GaussianSource(rng),
    )
