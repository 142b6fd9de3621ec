"""One training recipe per method: train on a data set, export, check in the IR simulator.

Each recipe returns a :class:`Outcome` (plain tensors to checkpoint, IR graphs, measured
results as JSON-able values). ``quick`` recipes run in seconds on the embedded digits set
and are what the test suite runs; full recipes are for benchmarks and reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from torch import Tensor

from hwsnn.data import Dataset, load_dataset
from hwsnn.ir import Graph

__all__ = ["RECIPES", "Outcome", "RecipeOptions", "run_recipe"]


@dataclass(frozen=True)
class RecipeOptions:
    """What the user asked for.

    Attributes:
        dataset: Data set name (``digits``, ``fashion-mnist``).
        quick: Seconds-long configuration (tests).
        seed: Seed of every random choice.
        epochs: Override of the recipe's epochs (None: recipe default).
        limit_train, limit_test: Class-balanced subsets (None: full parts).
        weight_decay: SGD weight decay of the weights where a recipe supports it (bntt).
    """

    dataset: str = "digits"
    quick: bool = False
    seed: int = 0
    epochs: int | None = None
    limit_train: int | None = None
    limit_test: int | None = None
    weight_decay: float | None = None


@dataclass
class Outcome:
    """What a recipe produced.

    Attributes:
        tensors: Named plain tensors for ``torch.save`` (loadable with ``weights_only=True``).
        graphs: IR graph by file stem.
        results: Measured values (JSON-able).
        figures: PNG images by file stem.
    """

    tensors: dict[str, Tensor]
    graphs: dict[str, Graph]
    results: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, bytes] = field(default_factory=dict)


def load_for(
    opts: RecipeOptions, quick_train: int | None = None, quick_test: int | None = None
) -> Dataset:
    """Load the requested data set with the user's (or the quick recipe's) limits."""
    lt = opts.limit_train if opts.limit_train is not None else (quick_train if opts.quick else None)
    le = opts.limit_test if opts.limit_test is not None else (quick_test if opts.quick else None)
    return load_dataset(opts.dataset, seed=opts.seed, limit_train=lt, limit_test=le)


def _ttfs(opts: RecipeOptions) -> Outcome:
    from hwsnn.models.ttfs_recipe import ttfs_recipe

    return ttfs_recipe(opts)


def _bntt(opts: RecipeOptions) -> Outcome:
    from hwsnn.models.bntt_recipe import bntt_recipe

    return bntt_recipe(opts)


def _softlif(opts: RecipeOptions) -> Outcome:
    from hwsnn.models.softlif_recipe import softlif_recipe

    return softlif_recipe(opts)


def _hbstdp(opts: RecipeOptions) -> Outcome:
    from hwsnn.models.hbstdp_recipe import hbstdp_recipe

    return hbstdp_recipe(opts)


def _safe(opts: RecipeOptions) -> Outcome:
    from hwsnn.models.safe_recipe import safe_recipe

    return safe_recipe(opts)


RECIPES: dict[str, Callable[[RecipeOptions], Outcome]] = {
    "ttfs": _ttfs,
    "bntt": _bntt,
    "softlif": _softlif,
    "hbstdp": _hbstdp,
    "safe": _safe,
}
"""Training recipe by method name."""


def run_recipe(method: str, opts: RecipeOptions) -> Outcome:
    """Run the recipe of ``method``; the results record the options and the data set."""
    outcome = RECIPES[method](opts)
    outcome.results.setdefault("method", method)
    outcome.results.setdefault("options", vars(opts) if hasattr(opts, "__dict__") else {})
    return outcome


def accuracy(pred: np.ndarray[Any, Any], labels: np.ndarray[Any, Any]) -> float:
    """Fraction of ``pred == labels``."""
    return float(np.mean(np.asarray(pred) == np.asarray(labels)))
