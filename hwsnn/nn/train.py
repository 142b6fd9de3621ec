"""A generic back-propagation-through-time trainer for spiking classifiers.

Loss: cross-entropy of the output averaged over time (the IR's classification readout
convention: the predicted class is the argmax of the time-averaged output). Optimiser:
Adam. Shuffling draws from a seeded ``torch.Generator``. No data-loader workers are
started and the torch thread count is left as the caller set it (``torch.set_num_threads``).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike
from torch import Tensor

from hwsnn.errors import DataError, HwsnnError
from hwsnn.nn.containers import Sequential, as_sequence

__all__ = ["TrainHistory", "evaluate", "predict_logits", "train_classifier"]


@dataclass(frozen=True)
class TrainHistory:
    """What a training run did.

    Attributes:
        losses: Mean training cross-entropy per epoch (nats).
        accuracies: Training accuracy per epoch, on the batches as they were trained (0..1).
        seconds: Wall-clock training time (s).
        seed: Seed of the shuffling generator.
    """

    losses: tuple[float, ...]
    accuracies: tuple[float, ...]
    seconds: float
    seed: int


def _as_data(x: ArrayLike | Tensor, y: ArrayLike | Tensor) -> tuple[Tensor, Tensor]:
    # np.array copies: data sets hand out read-only arrays, which torch warns about
    xt = x.float() if isinstance(x, Tensor) else torch.from_numpy(np.array(x, dtype=np.float32))
    yt = y.long() if isinstance(y, Tensor) else torch.from_numpy(np.array(y, dtype=np.int64))
    if yt.ndim != 1 or xt.shape[0] != yt.shape[0] or xt.shape[0] == 0:
        raise DataError(
            f"x has shape {tuple(xt.shape)} and y {tuple(yt.shape)}: need (N, ...) and (N,), N > 0"
        )
    return xt, yt


def _run(model: torch.nn.Module, x: Tensor, timesteps: int | None) -> Tensor:
    out: Tensor
    if isinstance(model, Sequential):
        out = model(x, timesteps)
        return out
    out = model(as_sequence(x, timesteps))
    return out


def predict_logits(model: torch.nn.Module, x: Tensor, timesteps: int | None = None) -> Tensor:
    """Time-averaged output ``(B, n_classes)`` of ``model`` for a static batch ``x``."""
    return _run(model, x, timesteps).mean(dim=0).flatten(1)


def _check(epochs: int, lr: float, batch_size: int) -> None:
    if epochs < 1 or batch_size < 1 or not lr > 0:
        raise HwsnnError(
            f"need epochs >= 1, batch_size >= 1, lr > 0; got {epochs}, {batch_size}, {lr}"
        )


def train_classifier(
    model: torch.nn.Module,
    x_train: ArrayLike | Tensor,
    y_train: ArrayLike | Tensor,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    seed: int,
    timesteps: int | None,
    progress: bool = False,
) -> TrainHistory:
    """Train ``model`` in place with Adam on cross-entropy of the time-averaged output.

    Args:
        model: A spiking network; ``model(x)`` returns ``(T, B, n_classes)``.
        x_train: Static samples ``(N, *input_shape)``, repeated over ``timesteps`` steps.
        y_train: Class labels ``(N,)``, integers in ``0..n_classes-1``.
        epochs: Passes over the data.
        lr: Adam learning rate.
        batch_size: Samples per gradient step.
        seed: Seed of the shuffling generator.
        timesteps: Steps per sample (``None``: the model's own ``timesteps``).
        progress: Show a tqdm progress bar on stderr.

    Returns:
        Loss and accuracy per epoch.
    """
    _check(epochs, lr, batch_size)
    x, y = _as_data(x_train, y_train)
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    start = time.perf_counter()
    model.train()
    losses, accuracies = _epochs(
        model, optimiser, (x, y), (epochs, batch_size, timesteps), generator, progress
    )
    model.eval()
    return TrainHistory(tuple(losses), tuple(accuracies), time.perf_counter() - start, seed)


def _epochs(
    model: torch.nn.Module,
    optimiser: torch.optim.Optimizer,
    data: tuple[Tensor, Tensor],
    plan: tuple[int, int, int | None],
    generator: torch.Generator,
    progress: bool,
) -> tuple[list[float], list[float]]:
    """Run ``epochs`` passes (``plan = (epochs, batch_size, timesteps)``) under a progress bar."""
    from tqdm import tqdm

    x, y = data
    epochs, batch_size, timesteps = plan
    losses: list[float] = []
    accuracies: list[float] = []
    total = epochs * -(-x.shape[0] // batch_size)
    with tqdm(
        total=total, file=sys.stderr, disable=not progress, desc="train", unit="batch"
    ) as bar:
        for _ in range(epochs):
            loss_sum, correct = _epoch(
                model, optimiser, x, y, batch_size, timesteps, generator, bar
            )
            losses.append(loss_sum / x.shape[0])
            accuracies.append(correct / x.shape[0])
            bar.set_postfix(loss=f"{losses[-1]:.4f}", acc=f"{accuracies[-1]:.3f}")
    return losses, accuracies


def _epoch(
    model: torch.nn.Module,
    optimiser: torch.optim.Optimizer,
    x: Tensor,
    y: Tensor,
    batch_size: int,
    timesteps: int | None,
    generator: torch.Generator,
    bar: Any,
) -> tuple[float, int]:
    """One pass over shuffled batches; returns (summed loss, correct predictions)."""
    order = torch.randperm(x.shape[0], generator=generator)
    loss_sum = torch.zeros(())
    correct = torch.zeros((), dtype=torch.long)
    for begin in range(0, x.shape[0], batch_size):
        index = order[begin : begin + batch_size]
        logits = predict_logits(model, x[index], timesteps)
        loss = torch.nn.functional.cross_entropy(logits, y[index])
        optimiser.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        optimiser.step()
        loss_sum += loss.detach() * index.shape[0]
        correct += (logits.detach().argmax(dim=1) == y[index]).sum()
        bar.update(1)
    return float(loss_sum), int(correct)


def evaluate(
    model: torch.nn.Module,
    x: ArrayLike | Tensor,
    y: ArrayLike | Tensor,
    *,
    batch_size: int = 256,
    timesteps: int | None = None,
) -> float:
    """Accuracy (0..1) of ``model`` on ``(x, y)``: argmax of the time-averaged output.

    Args:
        model: The network (put in eval mode).
        x: Static samples ``(N, *input_shape)``.
        y: Labels ``(N,)``.
        batch_size: Samples per forward pass.
        timesteps: Steps per sample (``None``: the model's own ``timesteps``).
    """
    xt, yt = _as_data(x, y)
    model.eval()
    correct = torch.zeros((), dtype=torch.long)
    with torch.no_grad():
        for begin in range(0, xt.shape[0], max(1, batch_size)):
            logits = predict_logits(model, xt[begin : begin + batch_size], timesteps)
            correct += (logits.argmax(dim=1) == yt[begin : begin + batch_size]).sum()
    return int(correct) / xt.shape[0]
