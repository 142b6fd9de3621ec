"""``hwsnn train hbstdp``: learned vs random binary kernels, dead-zone variants, IR check."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from hwsnn.data import Dataset
from hwsnn.learn.hbstdp import HBSTDPConfig, HBSTDPLayer, kernel_memory_compression, variant
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
    ds: Dataset, cfg: HBSTDPConfig, maps: int, n_learn: int, batch: int, seed: int
) -> HBSTDPLayer:
    gen = torch.Generator().manual_seed(seed)
    layer = HBSTDPLayer(ds.input_shape[0], maps, cfg, gen)
    x = torch.from_numpy(np.array(ds.x_train[:n_learn], dtype=np.float32))
    for i in range(0, len(x), batch):
        layer.learn_batch(x[i : i + batch])
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


def hbstdp_recipe(opts: RecipeOptions) -> Outcome:
    """Learn kernels with eHB-STDP and its two variants, compare with random kernels."""
    ds = load_for(opts, quick_train=300, quick_test=100)
    maps = 8 if opts.quick else 16
    n_learn, batch = (200, 100) if opts.quick else (2000, 200)
    fc = FeatureConfig(steps=15 if opts.quick else 30)
    epochs = opts.epochs or (20 if opts.quick else 30)
    base = HBSTDPConfig()
    results: dict[str, Any] = {
        "dataset": ds.name,
        "n_train": len(ds.y_train),
        "n_test": len(ds.y_test),
        "maps": maps,
        "stdp_images": n_learn,
        "feature_steps": fc.steps,
        "readout_epochs": epochs,
        "kernel_memory_compression_vs_same_size_fp32": kernel_memory_compression(maps, 3, maps, 3),
    }
    layers: dict[str, HBSTDPLayer] = {}
    for name in ("ehb", "ehb2", "ehb3", "random"):
        timer = Timer()
        cfg = variant(base, "ehb" if name == "random" else name)
        layer = _learn(ds, cfg, maps, 0 if name == "random" else n_learn, batch, opts.seed)
        if name == "random":  # same threshold statistics as the learned layer, random kernels
            layer.threshold = layers["ehb"].threshold.clone()
        acc, readout = _evaluate(layer, ds, fc, epochs, opts.seed)
        results[name] = {
            "accuracy": acc,
            "seconds": timer.elapsed_s,
            "fraction_high": float((layer.weight > 0).float().mean()),
            "threshold_mean": float(layer.threshold.mean()),
        }
        layers[name] = layer
        if name == "ehb":
            check = _sim_check(layer, readout, ds, fc, opts.seed)
            results["ehb"].update({k: v for k, v in check.items() if k != "graph"})
            graph, tensors = (
                check["graph"],
                {
                    "weight": layer.weight.clone(),
                    "threshold": layer.threshold.clone(),
                    "readout.weight": readout.weight.detach().clone(),
                    "readout.bias": readout.bias.detach().clone(),
                },
            )
    results["learned_beats_random"] = results["ehb"]["accuracy"] > results["random"]["accuracy"]
    return Outcome(tensors, {"hbstdp": graph}, results)
