"""``hwsnn train bntt``: BNTT conv SNN (paper 004), early exit, IR export checked in sim.float."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor, nn

from hwsnn.data import Dataset
from hwsnn.errors import HwsnnError
from hwsnn.export import export_torch
from hwsnn.models._common import Timer, batches
from hwsnn.models.bntt import (
    build_bntt_net,
    early_exit_step,
    gamma_profile,
    threshold_fold_graph,
)
from hwsnn.models.recipes import Outcome, RecipeOptions, accuracy, load_for
from hwsnn.nn import Sequential
from hwsnn.sim import simulate

__all__ = ["bntt_recipe", "stepwise_outputs", "train_bntt"]

DT = 1e-3
"""Time step of the exported graph (s); the LIF leak is set per step, so only names depend on it."""


def train_bntt(
    model: Sequential,
    ds: Dataset,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    rng: np.random.Generator,
    weight_decay: float = 0.0,
) -> list[tuple[int, float, float]]:
    """Adam on cross-entropy of the time-averaged readout (accumulated membrane / T, eq. 7).

    ``weight_decay > 0`` switches to AdamW (decoupled decay on every parameter, gamma
    included, as the paper's SGD weight decay); it lets unused late-step gammas shrink.

    Returns:
        ``(epoch, mean loss, seconds)`` per epoch.
    """
    opt: torch.optim.Optimizer = (
        torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
        if weight_decay > 0
        else torch.optim.Adam(model.parameters(), lr=lr)
    )
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(epochs, 1))
    history = []
    for epoch in range(epochs):
        model.train()
        timer, losses = Timer(), []
        for xb, yb in batches(ds.x_train, ds.y_train, batch_size, rng):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb).mean(dim=0), yb)
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
            losses.append(float(loss.detach()))
        sched.step()
        history.append((epoch, float(np.mean(losses)), timer.elapsed_s))
    model.eval()
    return history


def stepwise_outputs(
    model: Sequential, x: NDArray[np.float32], batch: int = 250
) -> tuple[Tensor, Tensor]:
    """Encoded inputs ``(T, B, ...)`` (torch Poisson draws) and readout per step ``(T, B, C)``."""
    seqs, outs = [], []
    encoder, body = model[0], model[1:]
    if not isinstance(body, Sequential):
        raise HwsnnError("stepwise_outputs: expected an hwsnn.nn.Sequential model")
    with torch.no_grad():
        for start in range(0, len(x), batch):
            xb = torch.from_numpy(np.array(x[start : start + batch], dtype=np.float32))
            seq = encoder(xb.unsqueeze(0).expand(model.timesteps or 1, *xb.shape))
            seqs.append(seq)
            outs.append(body.forward_sequence(seq))
    return torch.cat(seqs, dim=1), torch.cat(outs, dim=1)


def _early_exit(
    profile: NDArray[np.float64], outs: Tensor, labels: NDArray[np.int64]
) -> list[dict[str, Any]]:
    cum = outs.cumsum(dim=0)
    rows = []
    for thr in sorted(
        {float(v) for v in np.quantile(profile, [0.1, 0.25, 0.5, 0.75, 0.9, 0.95])} | {0.1, 0.5}
    ):
        steps = early_exit_step(profile, thr)
        acc = accuracy(cum[steps - 1].argmax(dim=1).numpy(), labels)
        rows.append(
            {
                "gamma_threshold": thr,
                "exit_step": steps,
                "accuracy": acc,
                "steps_saved_fraction": 1.0 - steps / outs.shape[0],
            }
        )
    return rows


def _sim_checks(
    model: Sequential, ds: Dataset, seq: Tensor, outs: Tensor, seed: int
) -> dict[str, Any]:
    shape, steps = ds.input_shape, model.timesteps or 1
    full = export_torch(model, shape, timesteps=steps, dt=DT)
    res = simulate(full, ds.x_test, rng=np.random.default_rng(seed))
    body = export_torch(model[1:], shape, timesteps=steps, dt=DT)
    same = simulate(body, seq.numpy())
    folded = simulate(threshold_fold_graph(body, model), seq.numpy())
    return {
        "graph": full,
        "body_graph": body,
        "sim_accuracy_own_poisson": accuracy(res.predictions(), ds.y_test),
        "sim_accuracy_same_input": accuracy(same.predictions(), ds.y_test),
        "sim_vs_torch_prediction_agreement_same_input": accuracy(
            same.predictions(), outs.mean(dim=0).argmax(dim=1).numpy()
        ),
        "sim_accuracy_threshold_fold_same_input": accuracy(folded.predictions(), ds.y_test),
        "sim_vs_torch_max_abs_output_diff": float(np.max(np.abs(same.outputs - outs.numpy()))),
    }


def bntt_recipe(opts: RecipeOptions) -> Outcome:
    """Train, measure gamma over time and early exit, export and check in ``sim.float``."""
    ds = load_for(opts, quick_train=300, quick_test=100)
    steps = 8 if opts.quick else 16
    channels = (4, 8) if opts.quick else (8, 16)
    epochs = opts.epochs or 4
    gen = torch.Generator().manual_seed(opts.seed)
    model = build_bntt_net(
        ds.input_shape, ds.n_classes, timesteps=steps, channels=channels, generator=gen
    )
    timer = Timer()
    history = train_bntt(
        model,
        ds,
        epochs=epochs,
        weight_decay=opts.weight_decay or 0.0,
        lr=1e-2 if opts.quick else 3e-3,
        batch_size=64,
        rng=np.random.default_rng(opts.seed),
    )
    train_s = timer.elapsed_s
    seq, outs = stepwise_outputs(model, ds.x_test)
    profile = gamma_profile(model)
    checks = _sim_checks(model, ds, seq, outs, opts.seed)
    last = profile[-1]
    results: dict[str, Any] = {
        "dataset": ds.name,
        "n_train": len(ds.y_train),
        "n_test": len(ds.y_test),
        "timesteps": steps,
        "channels": list(channels),
        "epochs": epochs,
        "train_s": train_s,
        "history": history,
        "torch_accuracy": accuracy(outs.mean(dim=0).argmax(dim=1).numpy(), ds.y_test),
        "gamma_profile": profile.tolist(),
        "gamma_last_layer_first_vs_last_step": [float(last[0]), float(last[-1])],
        "gamma_falls_in_last_layer": bool(last[-1] < last[0]),
        "early_exit": _early_exit(profile, outs, ds.y_test),
        **{k: v for k, v in checks.items() if not k.endswith("graph")},
    }
    tensors = {k: v.detach().clone() for k, v in model.state_dict().items()}
    return Outcome(tensors, {"bntt": checks["graph"], "bntt_body": checks["body_graph"]}, results)
