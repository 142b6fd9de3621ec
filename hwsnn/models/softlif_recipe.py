"""``hwsnn train softlif``: rate training with and without noise, conversion gap in sim.float."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from hwsnn.data import Dataset
from hwsnn.models._common import Timer, batches, evaluate
from hwsnn.models.recipes import Outcome, RecipeOptions, accuracy, load_for
from hwsnn.models.softlif import SoftLIFConfig, SoftLIFNet, export_softlif
from hwsnn.sim import simulate

__all__ = ["softlif_recipe", "spiking_accuracy", "train_softlif"]


def train_softlif(
    ds: Dataset, cfg: SoftLIFConfig, *, noise: bool, epochs: int, seed: int, lr: float = 1e-2
) -> tuple[SoftLIFNet, float, float]:
    """Train the rate network with Adam on cross-entropy; return (model, rate accuracy, s)."""
    torch.manual_seed(seed)  # nn default init uses the global generator
    gen = torch.Generator().manual_seed(seed)
    model = SoftLIFNet(ds.input_shape, ds.n_classes, cfg, noise=noise, generator=gen)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    rng, timer = np.random.default_rng(seed), Timer()
    for _ in range(epochs):
        model.train()
        for xb, yb in batches(ds.x_train, ds.y_train, 64, rng):
            opt.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()  # type: ignore[no-untyped-call]
            opt.step()
    model.eval()

    def predict(x: Tensor) -> Tensor:
        out: Tensor = model(x).argmax(dim=1)
        return out

    return model, evaluate(predict, ds.x_test, ds.y_test), timer.elapsed_s


def spiking_accuracy(
    model: SoftLIFNet, ds: Dataset, timesteps: int, checkpoints: tuple[int, ...]
) -> tuple[Any, dict[str, float]]:
    """Simulate the converted graph in ``sim.float``; accuracy at each number of steps."""
    graph = export_softlif(model, timesteps=timesteps)
    res = simulate(graph, ds.x_test, record=False)
    cum = np.cumsum(res.outputs, axis=0)
    accs = {
        str(k): accuracy(cum[k - 1].argmax(axis=-1), ds.y_test)
        for k in checkpoints
        if k <= timesteps
    }
    return graph, accs


def softlif_recipe(opts: RecipeOptions) -> Outcome:
    """Train with and without noise, convert both, report the rate -> spiking gap."""
    ds = load_for(opts, quick_train=400, quick_test=100)
    cfg = SoftLIFConfig()
    epochs = opts.epochs or (10 if opts.quick else 5)
    steps = 60 if opts.quick else 300
    checkpoints = (30, 60, 100, 200, 300)
    results: dict[str, Any] = {
        "dataset": ds.name,
        "n_train": len(ds.y_train),
        "n_test": len(ds.y_test),
        "epochs": epochs,
        "timesteps": steps,
        "dt_s": cfg.dt,
        "config": {k: getattr(cfg, k) for k in cfg.__dataclass_fields__},
    }
    graphs, tensors = {}, {}
    for noise in (False, True):
        tag = "noise" if noise else "no_noise"
        model, rate_acc, train_s = train_softlif(
            ds, cfg, noise=noise, epochs=epochs, seed=opts.seed, lr=1e-2
        )
        timer = Timer()
        graph, spk = spiking_accuracy(model, ds, steps, checkpoints)
        results[tag] = {
            "rate_accuracy": rate_acc,
            "spiking_accuracy_by_steps": spk,
            "gap_points": 100 * (rate_acc - spk[str(steps)]),
            "train_s": train_s,
            "sim_s": timer.elapsed_s,
        }
        graphs[f"softlif_{tag}"] = graph
        tensors.update({f"{tag}.{k}": v.detach().clone() for k, v in model.state_dict().items()})
    return Outcome(tensors, graphs, results)
