"""Binary-aware fine-tuning of a spiking network for binary crossbar cells.

A binary cell holds one of two conductances, so every synapse layer maps as ``alpha sign(W)``
(one ``alpha`` per layer, :func:`hwsnn.backends.crossbar.mapping.binary_levels`). Binarising a
float network after training loses accuracy (digits 96 % -> 87 %); fine-tuning a copy with the
binarisation in the forward pass recovers it: BinaryConnect (Courbariaux, Bengio & David,
NeurIPS 2015) with the XNOR-Net per-layer scale ``alpha = mean |W|`` (Rastegari et al., ECCV
2016). Float shadow weights receive the gradient of the binarised ones (straight-through
estimator, Bengio et al. 2013). The float network is left untouched.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import torch

__all__ = ["BinaryFinetune", "binarize_ste", "binary_finetune"]


@dataclass(frozen=True, kw_only=True)
class BinaryFinetune:
    """Outcome of :func:`binary_finetune`.

    Attributes:
        layers: Synapse layers binarised (Linear and Conv2d modules).
        alphas: Weight magnitude ``alpha`` of each binarised layer (weight units).
        losses: Training loss per epoch.
        seconds: Wall time of the fine-tuning (s).
    """

    layers: int
    alphas: tuple[float, ...]
    losses: tuple[float, ...]
    seconds: float


def binarize_ste(w: torch.Tensor) -> torch.Tensor:
    """``alpha sign(w)`` forward (``sign(0) = +1``, ``alpha = mean |w|``), identity backward."""
    import torch

    alpha = w.abs().mean()
    binary = torch.where(w >= 0, alpha, -alpha)
    return binary.detach() + (w - w.detach())  # exactly +-alpha forward (w - w is 0)


def _binary_module() -> torch.nn.Module:
    import torch

    class BinaryWeight(torch.nn.Module):
        """Parametrisation: the layer's weight seen through :func:`binarize_ste`."""

        def forward(self, w: torch.Tensor) -> torch.Tensor:
            return binarize_ste(w)

    return BinaryWeight()


def binary_finetune(
    model: torch.nn.Module,
    x: NDArray[np.float32],
    y: NDArray[np.int64],
    *,
    epochs: int = 5,
    lr: float = 1e-3,
    batch_size: int = 64,
    seed: int = 0,
    timesteps: int | None = None,
) -> tuple[torch.nn.Module, BinaryFinetune]:
    """Fine-tune a copy of ``model`` with binary synapse weights; return it and a summary.

    Every ``torch.nn.Linear`` and ``torch.nn.Conv2d`` of the copy is trained through
    :func:`binarize_ste` and finally holds ``alpha sign(W)`` exactly (two magnitudes-equal
    levels per layer), so it exports and maps onto binary cells without further rounding.
    Biases stay float (digital periphery).

    Args:
        model: A :mod:`hwsnn.nn` network (left unchanged).
        x: Training samples ``(N, *input_shape)``.
        y: Labels ``(N,)``.
        epochs: Passes over the data.
        lr: Adam learning rate.
        batch_size: Samples per step.
        seed: Seed of the shuffling.
        timesteps: Steps per sample (None: the model's own).
    """
    import torch
    from torch.nn.utils import parametrize

    from hwsnn.nn import train_classifier

    binary = copy.deepcopy(model)
    layers = [m for m in binary.modules() if isinstance(m, torch.nn.Linear | torch.nn.Conv2d)]
    for layer in layers:
        parametrize.register_parametrization(layer, "weight", _binary_module())
    history = train_classifier(
        binary, x, y, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed, timesteps=timesteps
    )
    for layer in layers:
        parametrize.remove_parametrizations(layer, "weight", leave_parametrized=True)
        with torch.no_grad():
            layer.weight.copy_(binarize_ste(layer.weight))
    binary.eval()
    alphas = tuple(float(layer.weight.detach().abs().max()) for layer in layers)
    summary = BinaryFinetune(
        layers=len(layers), alphas=alphas, losses=history.losses, seconds=history.seconds
    )
    return binary, summary
