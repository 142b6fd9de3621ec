"""``hwsnn train bntt``: BNTT conv SNN (paper 004), gamma early exit, export checked in sim.float.

Training follows paper 004 Sec. 4.1: SGD with momentum 0.9 and weight decay 5e-4 (every
weight), a step schedule (lr / 10 at 50, 70 and 90 % of the epochs), Poisson rate input,
T = 25 steps. Paper 004 trains 120 epochs at lr 0.3, so its decay shrinks an unused gamma
by ``exp(-lr * decay * iterations) ~ exp(-3.5)``; a CPU run of a few hundred iterations
gets a comparable pull only with a larger decay on the gammas (``gamma_decay``; the
convolutions feed a BNTT, so their scale does not change the function). That pull is what
makes ``gamma_t`` fall over time (Fig. 3): an early ``gamma_t`` drives every later
membrane, a late one only the last steps, so the late ones lose. Measured (seed 0, 4.8k
Fashion-MNIST training samples, 5k test, T = 25, 6 epochs; reports/models/bntt_*): decay
5e-4 on gamma: 84.0 %, gamma rises over time, no gamma exit; 0.005 (default): 81.8 %,
gamma peaks at t = 2-3 and falls, exit after 6 / 25 steps for -0.1 points; 0.02: 79.0 %,
gamma falls to ~0.01, exit after 9 / 25 for -0.1 points.
The Poisson gain 3 ~ 1 / std of Fashion-MNIST pixels: paper 004 feeds mean/std-normalised
pixels to its generator, so most bright pixels spike at every step.
The early-exit threshold is chosen on held-out training samples (:mod:`.bntt_exit`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor, nn

from hwsnn.data import Dataset
from hwsnn.errors import HwsnnError
from hwsnn.export import export_torch
from hwsnn.models._common import Timer, batches
from hwsnn.models.bntt import build_bntt_net, gamma_profile, threshold_fold_graph
from hwsnn.models.bntt_exit import choose_exit, exit_thresholds, stepwise_accuracy
from hwsnn.models.recipes import Outcome, RecipeOptions, accuracy, load_for
from hwsnn.nn import Sequential
from hwsnn.sim import simulate

__all__ = ["BnttConfig", "bntt_recipe", "config_for", "run_bntt", "stepwise_outputs", "train_bntt"]

DT = 1e-3
"""Time step of the exported graph (s); the LIF leak is set per step, so only names depend on it."""


@dataclass(frozen=True)
class BnttConfig:
    """Training set-up (defaults: the full recipe; see the module docstring for sources).

    Attributes:
        timesteps: ``T`` (paper 004: 25 on CIFAR-10).
        channels: Conv stage widths.
        hidden: Hidden FC-BNTT-LIF widths (paper's ``fc1``).
        leak: Membrane keep factor per step (paper code: 0.95).
        input_gain: Poisson spike probability per step of a pixel of 1.
        epochs: Training epochs.
        lr: SGD base learning rate.
        momentum: SGD momentum (paper: 0.9).
        weight_decay: L2 decay of every weight (paper: 5e-4).
        gamma_decay: L2 decay of the BNTT gammas (see the module docstring).
        batch_size: Mini-batch size.
        val_fraction: Part of the training set held out to choose the exit threshold.
        exit_budget: Largest held-out accuracy loss accepted for the early exit (fraction).
        sim_limit: Test samples run through ``sim.float`` for the export checks (the
            numpy simulator is ~5x slower than torch).
    """

    timesteps: int = 25
    channels: tuple[int, ...] = (8, 16)
    hidden: tuple[int, ...] = ()
    leak: float = 0.95
    input_gain: float = 3.0
    epochs: int = 6
    lr: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 5e-4
    gamma_decay: float = 0.005
    batch_size: int = 64
    val_fraction: float = 0.2
    exit_budget: float = 0.0025
    sim_limit: int = 1000


QUICK = BnttConfig(timesteps=8, channels=(4, 8), epochs=4)
"""Seconds-long configuration of the test suite."""


def train_bntt(
    model: Sequential,
    x: NDArray[np.float32],
    y: NDArray[np.int64],
    cfg: BnttConfig,
    rng: np.random.Generator,
) -> list[tuple[int, float, float]]:
    """SGD on cross-entropy of the time-averaged readout (accumulated membrane / T, eq. 7).

    Returns:
        ``(epoch, mean loss, seconds)`` per epoch.
    """
    gammas = [p for n, p in model.named_parameters() if n.endswith("gamma")]
    others = [p for n, p in model.named_parameters() if not n.endswith("gamma")]
    groups: list[dict[str, Any]] = [
        {"params": others},
        {"params": gammas, "weight_decay": cfg.gamma_decay},
    ]
    opt = torch.optim.SGD(
        groups,
        lr=cfg.lr,
        momentum=cfg.momentum,
        weight_decay=cfg.weight_decay,
    )
    miles = sorted({max(1, int(cfg.epochs * f)) for f in (0.5, 0.7, 0.9)})
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, miles, 0.1)
    history = []
    for epoch in range(cfg.epochs):
        model.train()
        timer, losses = Timer(), []
        for xb, yb in batches(x, y, cfg.batch_size, rng):
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


def _cum_accuracy(outs: Tensor, labels: NDArray[np.int64]) -> NDArray[np.float64]:
    return stepwise_accuracy(outs.cumsum(dim=0).argmax(dim=2).numpy(), labels)


def _early_exit(
    profile: NDArray[np.float64],
    val_acc: NDArray[np.float64],
    test_acc: NDArray[np.float64],
    budget: float,
) -> dict[str, Any]:
    steps = len(test_acc)
    choice = choose_exit(profile, val_acc, budget)
    rows = [
        {
            "gamma_threshold": thr,
            "exit_step": step,
            "steps_saved_fraction": 1.0 - step / steps,
            "val_accuracy": float(val_acc[step - 1]),
            "accuracy": float(test_acc[step - 1]),
        }
        for thr, step in exit_thresholds(profile)
    ]
    return {
        "early_exit": rows,
        "early_exit_choice": {
            "rule": f"earliest exit losing <= {budget * 100:g} points on the held-out train part",
            "gamma_threshold": choice.gamma_threshold,
            "exit_step": choice.exit_step,
            "steps_saved_fraction": 1.0 - choice.exit_step / steps,
            "val_accuracy_full": choice.val_accuracy_full,
            "val_accuracy_exit": choice.val_accuracy_exit,
            "test_accuracy_full": float(test_acc[-1]),
            "test_accuracy_exit": float(test_acc[choice.exit_step - 1]),
            "test_accuracy_loss_points": 100 * float(test_acc[-1] - test_acc[choice.exit_step - 1]),
        },
        "stepwise_val_accuracy": val_acc.tolist(),
        "stepwise_test_accuracy": test_acc.tolist(),
    }


def _simulate_chunked(graph: Any, x: NDArray[Any], rng: np.random.Generator | None) -> NDArray[Any]:
    """``sim.float`` outputs ``(T, B, C)`` in chunks of 500 samples (bounded memory)."""
    axis = 0 if rng is not None else 1
    parts = []
    for start in range(0, x.shape[axis], 500):
        chunk = x[start : start + 500] if axis == 0 else x[:, start : start + 500]
        opts: dict[str, Any] = {"record": False} | ({"rng": rng} if rng is not None else {})
        parts.append(simulate(graph, chunk, **opts).outputs)
    return np.concatenate(parts, axis=1)


def _sim_checks(
    model: Sequential, ds: Dataset, seq: Tensor, outs: Tensor, seed: int, limit: int
) -> dict[str, Any]:
    """Export and run ``sim.float`` on the first ``limit`` test samples."""
    shape, steps = ds.input_shape, model.timesteps or 1
    x, y = ds.x_test[:limit], ds.y_test[:limit]
    seq, outs = seq[:, :limit], outs[:, :limit]
    full = export_torch(model, shape, timesteps=steps, dt=DT)
    own = _simulate_chunked(full, x, np.random.default_rng(seed))
    body = export_torch(model[1:], shape, timesteps=steps, dt=DT)
    same = _simulate_chunked(body, seq.numpy(), None)
    folded = _simulate_chunked(threshold_fold_graph(body, model), seq.numpy(), None)
    pred = outs.mean(dim=0).argmax(dim=1).numpy()
    return {
        "graph": full,
        "body_graph": body,
        "sim_n_test": len(y),
        "torch_accuracy_sim_subset": accuracy(pred, y),
        "sim_accuracy_own_poisson": accuracy(own.mean(axis=0).argmax(axis=1), y),
        "sim_accuracy_same_input": accuracy(same.mean(axis=0).argmax(axis=1), y),
        "sim_vs_torch_prediction_agreement_same_input": accuracy(
            same.mean(axis=0).argmax(axis=1), pred
        ),
        "sim_accuracy_threshold_fold_same_input": accuracy(folded.mean(axis=0).argmax(axis=1), y),
        "sim_vs_torch_max_abs_output_diff": float(np.max(np.abs(same - outs.numpy()))),
    }


def _gamma_summary(profile: NDArray[np.float64]) -> list[dict[str, float | int | bool]]:
    """Per layer: first, peak (step, 1-based) and last mean gamma; falls: last <= peak / 2."""
    return [
        {
            "first": float(row[0]),
            "peak": float(row.max()),
            "peak_step": int(row.argmax()) + 1,
            "last": float(row[-1]),
            "falls": bool(row[-1] <= 0.5 * row.max()),
        }
        for row in profile
    ]


def _split(ds: Dataset, fraction: float, rng: np.random.Generator) -> tuple[NDArray[Any], ...]:
    """``(x_fit, y_fit, x_val, y_val)``: a random ``fraction`` of the training set held out."""
    order = rng.permutation(len(ds.y_train))
    n_val = max(1, round(len(order) * fraction))
    fit, val = order[n_val:], order[:n_val]
    return ds.x_train[fit], ds.y_train[fit], ds.x_train[val], ds.y_train[val]


def config_for(opts: RecipeOptions) -> BnttConfig:
    """The recipe's configuration for the user's options (quick, epochs, weight decay)."""
    cfg = QUICK if opts.quick else BnttConfig()
    changes: dict[str, Any] = {}
    if opts.epochs is not None:
        changes["epochs"] = opts.epochs
    if opts.weight_decay is not None:
        changes["weight_decay"] = opts.weight_decay
    return cfg if not changes else BnttConfig(**{**cfg.__dict__, **changes})


def bntt_recipe(opts: RecipeOptions) -> Outcome:
    """Train, measure gamma over time and early exit, export and check in ``sim.float``."""
    return run_bntt(opts, config_for(opts))


def run_bntt(opts: RecipeOptions, cfg: BnttConfig) -> Outcome:
    """:func:`bntt_recipe` with an explicit configuration (data, seed from ``opts``)."""
    ds = load_for(opts, quick_train=300, quick_test=100)
    gen = torch.Generator().manual_seed(opts.seed)
    model = build_bntt_net(
        ds.input_shape,
        ds.n_classes,
        timesteps=cfg.timesteps,
        channels=cfg.channels,
        hidden=cfg.hidden,
        leak=cfg.leak,
        input_gain=cfg.input_gain,
        dt=DT,
        generator=gen,
    )
    rng = np.random.default_rng(opts.seed)
    x_fit, y_fit, x_val, y_val = _split(ds, cfg.val_fraction, rng)
    timer = Timer()
    history = train_bntt(model, x_fit, y_fit, cfg, rng)
    train_s = timer.elapsed_s
    seq, outs = stepwise_outputs(model, ds.x_test)
    val_acc = _cum_accuracy(stepwise_outputs(model, x_val)[1], y_val)
    test_acc = _cum_accuracy(outs, ds.y_test)
    profile = gamma_profile(model)
    checks = _sim_checks(model, ds, seq, outs, opts.seed, cfg.sim_limit)
    results: dict[str, Any] = {
        "dataset": ds.name,
        "n_train": len(y_fit),
        "n_val": len(y_val),
        "n_test": len(ds.y_test),
        "config": {k: list(v) if isinstance(v, tuple) else v for k, v in cfg.__dict__.items()},
        "timesteps": cfg.timesteps,
        "channels": list(cfg.channels),
        "epochs": cfg.epochs,
        "train_s": train_s,
        "history": history,
        "torch_accuracy": float(test_acc[-1]),
        "gamma_profile": profile.tolist(),
        "gamma_abs_profile": gamma_profile(model, absolute=True).tolist(),
        "gamma_summary": _gamma_summary(profile),
        **_early_exit(gamma_profile(model, absolute=True), val_acc, test_acc, cfg.exit_budget),
        **{k: v for k, v in checks.items() if not k.endswith("graph")},
    }
    tensors = {k: v.detach().clone() for k, v in model.state_dict().items()}
    return Outcome(tensors, {"bntt": checks["graph"], "bntt_body": checks["body_graph"]}, results)
