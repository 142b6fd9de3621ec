"""Exporters from training frameworks to the hwsnn IR (torch is imported on first use)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

    from hwsnn.ir import Graph

__all__ = ["export_torch"]


def export_torch(
    module: torch.nn.Module, input_shape: Sequence[int], *, timesteps: int, dt: float
) -> Graph:
    """Export a torch spiking model to a validated IR graph.

    See :func:`hwsnn.export.torch.export_torch` (dispatch table ``EXPORTERS``).

    Args:
        module: The model (``hwsnn.nn.Sequential`` or any supported module).
        input_shape: Shape of one input sample, no batch dim.
        timesteps: Steps per inference.
        dt: Time step (s); every neuron module must have been built with this ``dt``.
    """
    from hwsnn.export.torch import export_torch as _export_torch

    return _export_torch(module, input_shape, timesteps=timesteps, dt=dt)
