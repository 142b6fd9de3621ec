"""Accuracy-versus-non-ideality curves (matplotlib, imported on use)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hwsnn.backends.crossbar.sweeps import SweepResult

__all__ = ["plot_sweeps"]


def plot_sweeps(results: Sequence[SweepResult], path: Path) -> Path:
    """One panel per sweep: accuracy (%) vs value, with the ideal-device accuracy dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(3.2 * len(results), 3.0), squeeze=False)
    for ax, res in zip(axes[0], results, strict=True):
        ax.plot([p.value for p in res.points], [100 * p.accuracy for p in res.points], "o-")
        ax.axhline(100 * res.ideal_accuracy, ls="--", c="gray", label="ideal devices")
        ax.set_xlabel(res.label, fontsize=8)
        ax.set_ylabel("accuracy (%)")
        ax.set_title(f"{res.target}", fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
