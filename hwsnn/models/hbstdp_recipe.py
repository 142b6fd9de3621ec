"""``hwsnn train hbstdp``: learned vs random binary kernels, dead-zone variants, IR check.

Baselines: ``random`` keeps the eq. 7 kernels and adapts their thresholds by eq. 4 on the
same images without switching (the fair comparison: same thresholding rule, same
classifier); ``random_zero_threshold`` is paper 002's Sec. 3.3 baseline (random kernels,
zero thresholds). ``window_fractions`` tells how often the averaged traces fell in the
potentiation window, the dead zone and the depression window.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import numpy as np
import torch

from hwsnn.data import Dataset
from hwsnn.errors import HwsnnError
from hwsnn.learn.hbstdp import (
    HBSTDPConfig,
    HBSTDPLayer,
    kernel_memory_compression,
    table3_cifar10_c1,
    variant,
)
from hwsnn.models._common import Timer
from hwsnn.models.hbstdp import (
    FeatureConfig,
    export_hbstdp,
    extract_features,
    features_from_spikes,
    train_readout,
)
from hwsnn.models.recipes import Outcome, RecipeOptions, accuracy, load_for
from hwsnn.sim import simulate

__all__ = ["hbstdp_recipe"]


def _evaluate(
    layer: HBSTDPLayer, ds: Dataset, fc: FeatureConfig, epochs: int, seed: int
) -> tuple[float, Any]:
    gen = torch.Generator().manual_seed(seed + 1)
    f_train = extract_features(ds.x_train, layer.weight, layer.threshold, layer.cfg, fc, gen)
    f_test = extract_features(ds.x_test, layer.weight, layer.threshold, layer.cfg, fc, gen)
    readout = train_readout(f_train, ds.y_train, ds.n_classes, epochs=epochs, seed=seed)
    with torch.no_grad():
        acc = accuracy(readout(f_test).argmax(dim=1).numpy(), ds.y_test)
    return acc, readout


def _learn(
    ds: Dataset,
    cfg: HBSTDPConfig,
    maps: int,
    n_learn: int,
    batch: int,
    seed: int,
    *,
    plastic: bool = True,
) -> HBSTDPLayer:
    """Kernels from eq. 7 and thresholds from eq. 4; switched by HB-STDP when ``plastic``."""
    gen = torch.Generator().manual_seed(seed)
    layer = HBSTDPLayer(ds.input_shape[0], maps, cfg, gen)
    x = torch.from_numpy(np.array(ds.x_train[:n_learn], dtype=np.float32))
    for i in range(0, len(x), batch):
        layer.learn_batch(x[i : i + batch], plastic=plastic)
    return layer


def _sim_check(
    layer: HBSTDPLayer, readout: Any, ds: Dataset, fc: FeatureConfig, seed: int
) -> dict[str, Any]:
    n = min(len(ds.y_test), 200)
    gen = torch.Generator().manual_seed(seed + 7)
    x = torch.from_numpy(np.array(ds.x_test[:n], dtype=np.float32))
    seq = (
        torch.rand((fc.steps, *x.shape), generator=gen) < (x * fc.max_rate_hz * layer.cfg.dt)
    ).float()
    with torch.no_grad():
        torch_pred = readout(
            features_from_spikes(seq, layer.weight, layer.threshold, layer.cfg, fc)
        ).argmax(1)
    body = export_hbstdp(
        layer.weight, layer.threshold, readout, ds.input_shape, layer.cfg, fc, encoder=False
    )
    res = simulate(body, seq.numpy(), record=False)
    full = export_hbstdp(layer.weight, layer.threshold, readout, ds.input_shape, layer.cfg, fc)
    own = simulate(full, ds.x_test, rng=np.random.default_rng(seed), record=False)
    return {
        "graph": full,
        "sim_vs_torch_prediction_agreement_same_input": accuracy(
            res.outputs[-1].argmax(-1), torch_pred.numpy()
        ),
        "sim_accuracy_own_poisson": accuracy(own.outputs[-1].argmax(-1), ds.y_test),
    }


def _summary(layer: HBSTDPLayer, acc: float, seconds: float) -> dict[str, Any]:
    w = layer.weight
    return {
        "accuracy": acc,
        "seconds": seconds,
        "fraction_high": float((w > 0).float().mean()),
        "distinct_kernels": len({tuple(k.flatten().tolist()) for k in w}),
        "threshold_mean": float(layer.threshold.mean()),
        "window_fractions": layer.window_fractions(),
    }


def _tensors(layer: HBSTDPLayer, readout: Any) -> dict[str, Any]:
    return {
        "weight": layer.weight.clone(),
        "threshold": layer.threshold.clone(),
        "readout.weight": readout.weight.detach().clone(),
        "readout.bias": readout.bias.detach().clone(),
    }


WINDOW_SETS = ("fitted", "table3")
FITTED_WINDOWS = (0.25, 0.1)
"""``(pre_hebb_pot, pre_antihebb_dep)`` placed inside the range of the mini-batch-averaged
traces measured on Fashion-MNIST with Table 3 settings (5 % .. 95 % quantiles 0.10 .. 0.36,
median 0.27), so that the dead zone is actually reached; Table 3's 0.02 / 0.005 lie below
every averaged trace there."""


def _variants(quick: bool) -> list[tuple[str, str, str]]:
    """(result key, window set, Fig. 4 variant) in the order they are run."""
    table3 = [("table3_ehb", "table3", "ehb")]
    if not quick:
        table3 += [("table3_ehb2", "table3", "ehb2"), ("table3_ehb3", "table3", "ehb3")]
    return [(v, "fitted", v) for v in ("ehb", "ehb2", "ehb3")] + table3


def _config(windows: str) -> HBSTDPConfig:
    base = table3_cifar10_c1()
    if windows == "table3":
        return base
    return replace(base, pre_hebb_pot=FITTED_WINDOWS[0], pre_antihebb_dep=FITTED_WINDOWS[1])


def hbstdp_recipe(opts: RecipeOptions) -> Outcome:
    """Learn kernels with eHB-STDP and its Fig. 4 variants, compare with random kernels."""
    ds = load_for(opts, quick_train=300, quick_test=100)
    maps = 8 if opts.quick else 16
    n_learn, batch = (200, 100) if opts.quick else (2000, 200)
    fc = FeatureConfig(steps=15 if opts.quick else 30)
    epochs = opts.epochs or (20 if opts.quick else 30)
    results: dict[str, Any] = {
        "dataset": ds.name,
        "n_train": len(ds.y_train),
        "n_test": len(ds.y_test),
        "maps": maps,
        "stdp_images": n_learn,
        "feature_steps": fc.steps,
        "readout_epochs": epochs,
        "kernel_memory_compression_vs_same_size_fp32": kernel_memory_compression(maps, 3, maps, 3),
        "windows": {w: [_config(w).pre_hebb_pot, _config(w).pre_antihebb_dep] for w in WINDOW_SETS},
    }
    graph, tensors = None, {}
    for key, windows, name in _variants(opts.quick):
        timer = Timer()
        layer = _learn(ds, variant(_config(windows), name), maps, n_learn, batch, opts.seed)
        acc, readout = _evaluate(layer, ds, fc, epochs, opts.seed)
        results[key] = _summary(layer, acc, timer.elapsed_s)
        if key == "ehb":
            check = _sim_check(layer, readout, ds, fc, opts.seed)
            results["ehb"].update({k: v for k, v in check.items() if k != "graph"})
            graph, tensors = check["graph"], _tensors(layer, readout)
    _baselines(results, ds, fc, (maps, n_learn, batch, epochs), opts.seed)
    results["learned_beats_random"] = results["ehb"]["accuracy"] > results["random"]["accuracy"]
    results["learned_minus_random_points"] = 100 * (
        results["ehb"]["accuracy"] - results["random"]["accuracy"]
    )
    if graph is None:
        raise HwsnnError("the eHB-STDP layer was not trained")
    return Outcome(tensors, {"hbstdp": graph}, results)


def _baselines(
    results: dict[str, Any],
    ds: Dataset,
    fc: FeatureConfig,
    sizes: tuple[int, int, int, int],
    seed: int,
) -> None:
    """Random-kernel baselines, evaluated with the same classifier.

    ``random``: eq. 7 kernels with thresholds adapted by eq. 4 on the same images, no
    switching; ``random_zero_threshold``: paper 002 Sec. 3.3 baseline (zero thresholds).
    """
    maps, n_learn, batch, epochs = sizes
    timer = Timer()
    layer = _learn(ds, _config("fitted"), maps, n_learn, batch, seed, plastic=False)
    results["random"] = _summary(layer, _evaluate(layer, ds, fc, epochs, seed)[0], timer.elapsed_s)
    timer = Timer()
    zero = copy.copy(layer)
    zero.threshold = torch.zeros_like(layer.threshold)
    results["random_zero_threshold"] = _summary(
        zero, _evaluate(zero, ds, fc, epochs, seed)[0], timer.elapsed_s
    )
