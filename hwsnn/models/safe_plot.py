"""Figure of ``hwsnn train safe``: accuracy vs input SNR, and where the noise gets in.

Drawn with matplotlib's Agg canvas to PNG bytes (no global backend state); matplotlib is
imported only here, when the figure is drawn.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

__all__ = ["NETWORKS", "noise_figure"]

NETWORKS = {"safe": "SAFE-DNN", "baseline_cnn": "same-size CNN"}
"""Result keys of the two networks and their legend labels."""


def noise_figure(results: Mapping[str, Any]) -> bytes:
    """PNG: test accuracy (%) vs SNR (dB) of both networks, and accuracy lost by path.

    Args:
        results: The recipe's results: ``{net: {"clean": acc, "<snr>dB": acc}}`` and
            ``{net}_noise_by_path: {"front_<snr>dB": acc, "aux_<snr>dB": acc}``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9.0, 3.6), dpi=100)
    FigureCanvasAgg(fig)
    curve, bars = fig.subplots(1, 2, width_ratios=(3, 2))
    for key, label in NETWORKS.items():
        table = results[key]
        snrs = sorted(
            (float(k.removesuffix("dB")) for k in table if k.endswith("dB")), reverse=True
        )
        xs = [snrs[0] + 10.0, *snrs]
        ys = [100 * table["clean"], *(100 * table[f"{s:g}dB"] for s in snrs)]
        curve.plot(xs, ys, "o-", label=label)
        curve.set_xticks(xs, ["clean", *(f"{s:g}" for s in snrs)])
    curve.invert_xaxis()
    curve.set_xlabel("input SNR (dB)")
    curve.set_ylabel("test accuracy (%)")
    curve.legend()
    _path_bars(bars, results)
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _path_bars(ax: Any, results: Mapping[str, Any]) -> None:
    """Accuracy lost (points) when only the front end or only the aux CNN sees the noise."""
    keys = list(results[f"{next(iter(NETWORKS))}_noise_by_path"])
    width = 0.8 / len(NETWORKS)
    for i, (key, label) in enumerate(NETWORKS.items()):
        split, clean = results[f"{key}_noise_by_path"], results[key]["clean"]
        lost = [100 * (clean - split[k]) for k in keys]
        ax.bar([j + i * width for j in range(len(keys))], lost, width, label=label)
    ax.set_xticks(
        [j + width * (len(NETWORKS) - 1) / 2 for j in range(len(keys))],
        [k.replace("_", "\n") for k in keys],
    )
    ax.set_ylabel("accuracy lost (points)")
    ax.set_title("noise into one path only", fontsize=9)
    ax.axhline(0.0, color="gray", lw=0.5)
