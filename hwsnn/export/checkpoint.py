"""Export a training checkpoint (``hwsnn train`` / ``hwsnn pipeline``) straight to the IR."""

from __future__ import annotations

from pathlib import Path

from hwsnn.errors import FormatError
from hwsnn.ir import Graph

__all__ = ["export_checkpoint"]


def export_checkpoint(path: str | Path) -> Graph:
    """Rebuild the model saved in ``path`` and export it with its own time base.

    Raises:
        FormatError: The checkpoint is missing, corrupt or lacks its time base.
    """
    from hwsnn.export import export_torch
    from hwsnn.nn.zoo import load_checkpoint

    model, arch, config = load_checkpoint(path)
    try:
        shape = tuple(int(d) for d in config["input_shape"])
        timesteps, dt = int(config["timesteps"]), float(config["dt"])
    except (KeyError, TypeError, ValueError) as exc:
        raise FormatError(f"checkpoint {str(path)!r} ({arch}) lacks its time base: {exc}") from None
    graph = export_torch(model, shape, timesteps=timesteps, dt=dt)
    return graph
