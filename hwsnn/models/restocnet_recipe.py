"""The ``residual`` block of ``hwsnn train hbstdp``: ReStoCNet-2 (paper 002 Sec. 3.3).

A second binary conv layer learned by HB-STDP behind the recipe's frozen eHB-STDP layer,
without and with residual input spike maps (:mod:`hwsnn.models.restocnet`), a random-kernel
layer-2 control and a 1-layer control with twice the maps, all read out by the same softmax
layer; the residual network is exported as ``restocnet`` and checked in ``sim.float``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from hwsnn.data import Dataset
from hwsnn.learn.hbstdp import HBSTDPLayer
from hwsnn.models._common import Timer
from hwsnn.models.hbstdp import FeatureConfig
from hwsnn.models.hbstdp_recipe import _config, _evaluate, _Inputs, _learn, _summary
from hwsnn.models.recipes import accuracy
from hwsnn.models.restocnet import (
    ConvLayer,
    evaluate_restoc,
    export_restocnet,
    learn_layer2_on,
    restoc_features_from_spikes,
)
from hwsnn.sim import simulate

__all__ = ["LAYER2_P_SCALE", "RESTOC_VARIANTS", "restoc_block", "restoc_sim_check"]

LAYER2_P_SCALE = 1 / 25
"""Layer-2 switching probabilities relative to layer 1 (Table 3, C2 column); layer 2 keeps
layer 1's windows (as Table 3 does) and learns at 500 Hz input."""

RESTOC_VARIANTS = (
    ("two_layer_residual", True, True),
    ("two_layer", False, True),
    ("two_layer_residual_random", True, False),
)
"""(result key, residual input maps, layer-2 kernels switched by HB-STDP)."""


def restoc_block(
    layer1: HBSTDPLayer,
    data: tuple[_Inputs, Dataset, Any],
    fc: FeatureConfig,
    sizes: tuple[int, int, int, int],
    seed: int,
    out: tuple[dict[str, Any], dict[str, Any]],
    one_layer_acc: float,
) -> dict[str, Any]:
    """ReStoCNet-2 without / with residual input maps vs 1 layer (and 1 layer, twice the maps).

    Layer 2 learns on the next ``n_learn`` training images (the paper uses a different
    subset); the readout sees both layers' pooled LPF activations, concatenated. ``out``
    holds the recipe's graphs and checkpoint tensors: the residual network's graph
    (``restocnet``) and its layer-2 kernels, thresholds and readout (``restocnet.*``) are
    added to them.
    """
    ds, maps, (_, n_learn, batch, epochs) = data[0], sizes[0], sizes
    x2 = torch.from_numpy(np.array(ds.x_train[n_learn : 2 * n_learn], dtype=np.float32))
    block: dict[str, Any] = {"layer2_maps": maps, "layer2_images": len(x2)}
    block |= {"layer2_p_scale": LAYER2_P_SCALE, "one_layer": {"accuracy": one_layer_acc}}
    checked: list[tuple[list[ConvLayer], Any]] = []
    for key, residual, plastic in RESTOC_VARIANTS:
        timer = Timer()
        layer2 = learn_layer2_on(
            layer1, x2, batch, seed, residual=residual, p_scale=LAYER2_P_SCALE, plastic=plastic
        )
        layers = [ConvLayer.of(layer1), ConvLayer.of(layer2)]
        acc, readout = evaluate_restoc(layers, ds, fc, epochs, seed, residual=residual)
        block[key] = _summary(layer2, acc, timer.elapsed_s)
        checked.append((layers, readout))
    timer = Timer()
    wide = _learn(ds, layer1.cfg, 2 * maps, n_learn, batch, seed)
    acc = _evaluate(wide, ds, fc, epochs, seed)[0]
    block["one_layer_double_maps"] = _summary(wide, acc, timer.elapsed_s)
    for key in ("two_layer", "two_layer_residual_random", "one_layer", "one_layer_double_maps"):
        block[f"residual_minus_{key}_points"] = 100 * (
            block["two_layer_residual"]["accuracy"] - block[key]["accuracy"]
        )
    (layers, readout), (graphs, tensors) = checked[0], out  # the residual network
    check = restoc_sim_check(layers, readout, data, fc, seed)
    graphs["restocnet"] = check.pop("graph")
    tensors |= {
        "restocnet.layer2.weight": layers[1].weight.clone(),
        "restocnet.layer2.threshold": layers[1].threshold.clone(),
        "restocnet.readout.weight": readout.weight.detach().clone(),
        "restocnet.readout.bias": readout.bias.detach().clone(),
    }
    return block | check


def restoc_sim_check(
    layers: list[ConvLayer],
    readout: Any,
    data: tuple[_Inputs, Dataset, Any],
    fc: FeatureConfig,
    seed: int,
) -> dict[str, Any]:
    """sim.float vs torch on the same spikes for the residual network; full graph own draws."""
    ds, raw, front = data
    cfg = _config("fitted")
    n = min(len(ds.y_test), 200)
    gen = torch.Generator().manual_seed(seed + 7)
    x = torch.from_numpy(np.array(ds.x_test[:n], dtype=np.float32))
    seq = (torch.rand((fc.steps, *x.shape), generator=gen) < (x * fc.max_rate_hz * cfg.dt)).float()
    with torch.no_grad():
        feats = restoc_features_from_spikes(seq, layers, cfg, fc, residual=True)
        torch_out = readout(feats)
    body = export_restocnet(layers, readout, ds.input_shape, cfg, fc, residual=True, encoder=False)
    res = simulate(body, seq.numpy(), record=False)
    full = export_restocnet(layers, readout, raw.input_shape, cfg, fc, residual=True, front=front)
    own = simulate(full, raw.x_test, rng=np.random.default_rng(seed), record=False)
    return {
        "graph": full,
        "sim_vs_torch_prediction_agreement_same_input": accuracy(
            res.outputs[-1].argmax(-1), torch_out.argmax(1).numpy()
        ),
        "sim_vs_torch_max_abs_logit_diff": float(np.abs(res.outputs[-1] - torch_out.numpy()).max()),
        "sim_accuracy_own_poisson": accuracy(own.outputs[-1].argmax(-1), ds.y_test),
    }
