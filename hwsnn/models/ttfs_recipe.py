"""``hwsnn train ttfs``: paper-003 TTFS network, QAT table, ANN twin, event-exact IR check."""

from __future__ import annotations

import numpy as np
import torch

from hwsnn.models.recipes import Outcome, RecipeOptions, accuracy, load_for
from hwsnn.models.ttfs import PAPER_MNIST_SPEC, TTFSLossConfig
from hwsnn.models.ttfs_train import TTFSTrainConfig, train_ann_twin, train_ttfs
from hwsnn.sim.ttfs import evaluate_ttfs, simulate_ttfs, ttfs_predictions

__all__ = ["ttfs_config", "ttfs_recipe"]


def ttfs_config(opts: RecipeOptions) -> TTFSTrainConfig:
    """Quick: a 64-32-10 dense net, 4 epochs; full: paper 003's MNIST conv net, 3 epochs.

    beta = 2 in eq. 5 (the paper suggests beta > 1 against quantisation jitter).
    """
    loss = TTFSLossConfig(beta=2.0)
    if opts.quick:
        spec: tuple[tuple[object, ...], ...] = (("dense", 32), ("dense", 10))
        return TTFSTrainConfig(
            spec=spec, epochs=opts.epochs or 4, lr_start=5e-3, lr_end=5e-4, loss=loss
        )
    if opts.dataset == "digits":
        spec = (("dense", 64), ("dense", 10))
        return TTFSTrainConfig(
            spec=spec, epochs=opts.epochs or 20, qat_epochs=3, lr_start=5e-3, lr_end=5e-4, loss=loss
        )
    return TTFSTrainConfig(
        spec=PAPER_MNIST_SPEC, epochs=opts.epochs or 3, lr_start=2e-3, lr_end=2e-4, loss=loss
    )


def ttfs_recipe(opts: RecipeOptions) -> Outcome:
    """Train, quantise, export and check every precision in ``sim.ttfs``."""
    torch.manual_seed(opts.seed)
    ds = load_for(opts, quick_train=600, quick_test=200)
    cfg = ttfs_config(opts)
    run = train_ttfs(ds, cfg, seed=opts.seed)
    ann_acc, ann_s = train_ann_twin(ds, cfg, seed=opts.seed)
    sim: dict[str, dict[str, float]] = {}
    for bits, graph in run.graphs_by_bits.items():
        res = simulate_ttfs(graph, ds.x_test)
        sim[str(bits)] = {
            "sim_accuracy": accuracy(ttfs_predictions(res), ds.y_test),
            "torch_accuracy": run.accuracy_by_bits[bits],
            "spiked_fraction": float(
                np.mean([s.mean() for n, s in res.spikes.items() if n.startswith("nlif")])
            ),
        }
    with torch.no_grad():
        t_torch = run.model.double()(torch.from_numpy(ds.x_test.copy()).double()).numpy()
    run.model.float()
    t_sim = evaluate_ttfs(run.graph, ds.x_test)[run.graph.output_name]
    results = {
        "dataset": ds.name,
        "n_train": len(ds.y_train),
        "n_test": len(ds.y_test),
        "spec": [list(map(str, s)) for s in cfg.spec],
        "epochs": cfg.epochs,
        "qat_epochs": cfg.qat_epochs,
        "ann_twin_accuracy": ann_acc,
        "ann_twin_train_s": ann_s,
        "ttfs_accuracy": run.accuracy_by_bits[32],
        "ttfs_train_s": run.train_s,
        "by_bits": sim,
        "sim_vs_torch_float64_max_abs_dt_s": float(np.max(np.abs(t_torch - t_sim))),
        "sim_vs_torch_prediction_agreement": float(np.mean(t_torch.argmin(1) == t_sim.argmin(1))),
        "history": [list(h) for h in run.history],
    }
    tensors = {k: v.detach().clone() for k, v in run.model.state_dict().items()}
    graphs = {("ttfs" if b == 32 else f"ttfs_{b}bit"): g for b, g in run.graphs_by_bits.items()}
    return Outcome(tensors, graphs, results)
