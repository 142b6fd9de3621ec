"""Shared helpers of the training code: batching, seeding, evaluation, timing."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor

__all__ = ["Timer", "batches", "evaluate", "torch_generator"]


def torch_generator(seed: int) -> torch.Generator:
    """A CPU torch generator seeded with ``seed`` (no global RNG)."""
    gen = torch.Generator()
    gen.manual_seed(seed)
    return gen


def batches(
    x: NDArray[np.float32], y: NDArray[np.int64], batch_size: int, rng: np.random.Generator | None
) -> Iterator[tuple[Tensor, Tensor]]:
    """Mini-batches as tensors; shuffled by ``rng`` (in order when ``rng`` is None)."""
    order = rng.permutation(len(y)) if rng is not None else np.arange(len(y))
    for start in range(0, len(y), batch_size):
        idx = order[start : start + batch_size]
        yield torch.from_numpy(np.ascontiguousarray(x[idx])), torch.from_numpy(y[idx])


def evaluate(
    predict: Callable[[Tensor], Tensor],
    x: NDArray[np.float32],
    y: NDArray[np.int64],
    batch_size: int = 256,
) -> float:
    """Accuracy (fraction in [0, 1]) of ``predict(images) -> class indices`` on ``(x, y)``."""
    correct = 0
    with torch.no_grad():
        for xb, yb in batches(x, y, batch_size, None):
            correct += int((predict(xb) == yb).sum())
    return correct / max(len(y), 1)


@dataclass
class Timer:
    """Wall-clock stopwatch (s)."""

    start: float = 0.0

    def __post_init__(self) -> None:
        self.start = time.perf_counter()

    @property
    def elapsed_s(self) -> float:
        """Seconds since construction."""
        return time.perf_counter() - self.start
