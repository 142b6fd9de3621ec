"""The fused read path: noise statistics, differential-pair shortcuts, buffers, counters."""

import dataclasses

import numpy as np
import pytest
import torch

from hwsnn.backends.crossbar import Fidelity, load_spec
from hwsnn.backends.crossbar.mapping import map_matrix
from hwsnn.backends.crossbar.noise import TABLE_SIZE, GaussianSource
from hwsnn.backends.crossbar.readout import _conductances, _pairs, make_reader


def _spec(name: str, *, noise: float, wire: float):
    spec = load_spec(name)
    var = dataclasses.replace(spec.variability, read_noise_rel=noise)
    arr = dataclasses.replace(spec.array, wire_resistance_ohm=wire, ir_drop_tolerance=10.0)
    return dataclasses.replace(spec, variability=var, array=arr)


def test_gaussian_windows_are_standard_normal_and_fresh() -> None:
    src = GaussianSource(np.random.default_rng(0))
    a, s1 = src.draw((64, 500))
    first = (s1 * a).clone()
    b, s2 = src.draw((64, 500))
    assert abs(float(first.mean())) < 0.02 and abs(float(first.std()) - 1) < 0.02
    assert not torch.equal(first, s2 * b)  # another offset / sign
    big, _ = src.draw((TABLE_SIZE // 4 + 10,))  # several windows into a buffer
    assert abs(float(big.std()) - 1) < 0.01


@pytest.mark.parametrize("name", ["rram", "mtj"])
def test_read_noise_has_the_per_event_variance(name: str) -> None:
    """Output variance = rel^2 sum_i x_i G_i^2 (cell units), summed over the row tiles."""
    spec = _spec(name, noise=0.05, wire=0.0)
    rng = np.random.default_rng(3)
    w = np.where(rng.random((20, 200)) < 0.5, -1.0, 1.0)
    layer = map_matrix("fc", w, None, spec, rng=rng, ideal=True, binarize=False)
    reader = make_reader(layer, Fidelity.NOISY, rng=rng)
    x = torch.as_tensor((rng.random((1, 200)) < 0.5).astype(np.float32)).repeat(4000, 1)
    # exclude ADC rounding: compare the analog sum before digitising
    xb = reader._tiles(x)
    n = np.ascontiguousarray(xb.sum(-1).numpy().T[..., None])
    a, tmp = reader._buffer((reader.g.shape[0], x.shape[0], reader.g.shape[-1]))
    torch.bmm(xb.transpose(0, 1), reader.g, out=a)
    clean = a.clone()
    if reader.differential:
        reader._pair_analog(xb.transpose(0, 1), a, tmp, n, None)
    else:
        reader._offset_analog(a, tmp, n, None)
        clean.sub_(torch.from_numpy(n * reader.hrs))
    noise = (a - clean).sum(0)
    g_l, g_h = 1 / spec.r_low_ohm, 1 / spec.r_high_ohm
    dg = g_l - g_h
    state = layer.cells.state.reshape(-1, layer.cells.state.shape[-1])[:200]
    g2 = np.where(state, g_l, g_h) ** 2 / dg**2
    if reader.differential:
        g2 = g2[:, :20] + g2[:, 20:]
    want = 0.05**2 * (x[0].numpy() @ g2)
    np.testing.assert_allclose(noise.var(0).numpy(), want, rtol=0.1)


def test_pair_shortcut_matches_exact_pair_sums() -> None:
    """Binary pairs use S = n * mean pair sum; forcing the exact second product agrees."""
    spec = _spec("mtj", noise=0.0, wire=1.0)
    rng = np.random.default_rng(4)
    w = np.where(rng.random((30, 300)) < 0.5, -1.0, 1.0)
    layer = map_matrix("fc", w, None, spec, rng=rng, ideal=False, binarize=False)
    fast = make_reader(layer, Fidelity.NOISY, rng=rng)
    exact = make_reader(layer, Fidelity.NOISY, rng=rng)
    assert fast.g_sum is None
    g, kappa, _, _ = _conductances(layer, Fidelity.NOISY)
    gc = g / ((1 / spec.r_low_ohm - 1 / spec.r_high_ohm) * kappa)
    exact.g_sum = torch.as_tensor(gc[..., :30] + gc[..., 30:], dtype=torch.float32)
    assert _pairs(layer, gc)[1] is None
    x = torch.as_tensor((rng.random((64, 300)) < 0.3).astype(np.float32))
    y_fast, y_exact = fast(x), exact(x)
    assert float((y_fast - y_exact).abs().max()) <= 1.0  # at most one ADC level per tile sum


def test_counters_and_buffers_follow_the_batch() -> None:
    spec = _spec("rram", noise=0.01, wire=0.15)
    rng = np.random.default_rng(5)
    w = 0.2 * np.where(rng.random((10, 150)) < 0.5, -1.0, 1.0)
    layer = map_matrix("fc", w, None, spec, rng=rng, ideal=False, binarize=False)
    reader = make_reader(layer, Fidelity.NOISY, rng=rng)
    for b in (7, 7, 3):
        x = torch.as_tensor((rng.random((b, 150)) < 0.2).astype(np.float32))
        y = reader(x)
        assert y.shape == (b, 10) and torch.isfinite(y).all()
    c = reader.counters
    assert c.steps == 3 and c.active_rows > 0
    g = layer.cells.conductance().reshape(-1, 10)[:150]
    assert c.conductance_s == pytest.approx(c.active_rows * g.sum(1).mean(), rel=0.3)
    assert c.conversions <= 17 * 2 * 10 and c.conversions % 10 == 0
