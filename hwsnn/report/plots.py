"""Report figures rendered with matplotlib's Agg canvas to PNG bytes (no global backend state).

A figure exists only when its data is in the report: :func:`available_plots` decides,
:func:`render_plots` draws. matplotlib is imported only when drawing.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from hwsnn.report.model import Report

__all__ = ["available_plots", "render_plots"]

STAGE_ENERGY_SUFFIX = "energy_per_inference_j"
"""Stage metrics ending with this are drawn next to the energy models in the per-target plot."""

_VARIABLE_LABELS = {
    "weight_bits": "weight bits",
    "snr_db": "input SNR (dB)",
    "noise_sigma": "input noise σ",
    "device_sigma": "device variation σ (relative)",
}


def _target_energies(report: Report) -> list[tuple[str, float]]:
    return [
        (f"{stage}: {key.removesuffix('_j')}", j)
        for stage, key, j in report.stage_energies_j
        if key.endswith(STAGE_ENERGY_SUFFIX)
    ]


def available_plots(report: Report) -> dict[str, str]:
    """``name -> caption`` of every figure the report's data supports, in display order."""
    plots: dict[str, str] = {}
    if any(report.spikes_per_step.values()):
        plots["spikes_per_layer"] = "Spikes per inference in each spiking layer at every time step"
    if report.energy and report.counts is not None:
        plots["energy_per_layer"] = (
            "SNN compute energy per inference by layer under each energy model"
            " (memory in the table)"
        )
    if report.energy or _target_energies(report):
        plots["energy_per_target"] = (
            "Energy per inference per target: SNN compute and memory, ANN twin"
        )
    for variable in dict.fromkeys(s.variable for s in report.sweeps):
        label = _VARIABLE_LABELS.get(variable, variable.replace("_", " "))
        plots[f"accuracy_vs_{variable}"] = f"Accuracy vs {label}"
    return plots


def _figure(width: float = 7.0, height: float = 3.6) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _spikes(report: Report) -> bytes:
    fig = _figure()
    ax = fig.add_subplot()
    for name, series in report.spikes_per_step.items():
        ax.plot(range(1, len(series) + 1), series, marker="o", markersize=3, label=name)
    ax.set_xlabel("time step")
    ax.set_ylabel("spikes per inference")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _png(fig)


def _energy_layers(report: Report) -> bytes:
    fig = _figure(7.0, 4.0)
    layers = report.energy[0].snn.layers
    keep = [i for i in range(len(layers)) if any(c.snn.layers[i].compute_j for c in report.energy)]
    series = {c.model.name: [c.snn.layers[i].compute_j for i in keep] for c in report.energy}
    _log_bars(fig.add_subplot(), [layers[i].name for i in keep], series)
    return _png(fig)


def _log_bars(ax: Any, labels: list[str], series: dict[str, list[float]]) -> None:
    """Grouped bars on a log axis whose lower limit sits below the smallest positive value."""
    width = 0.8 / len(series)
    for k, (name, values) in enumerate(series.items()):
        ax.bar([x - 0.4 + (k + 0.5) * width for x in range(len(labels))], values, width, label=name)
    positive = [v for values in series.values() for v in values if v > 0]
    ax.set_yscale("log")
    if positive:
        ax.set_ylim(min(positive) / 3, max(positive) * 3)
    ax.set_xticks(range(len(labels)), labels, rotation=25, ha="right", fontsize=8)
    ax.set_ylabel("energy per inference (J)")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8)


def _energy_targets(report: Report) -> bytes:
    fig = _figure(7.0, 4.0)
    targets = _target_energies(report)
    labels = [c.model.name for c in report.energy] + [label for label, _ in targets]
    pad = [0.0] * len(targets)
    series = {
        "SNN compute (stages: total)": [c.snn.compute_j for c in report.energy]
        + [j for _, j in targets],
        "SNN memory": [c.snn.memory_j for c in report.energy] + pad,
        "ANN twin compute": [c.ann.compute_j for c in report.energy] + pad,
    }
    _log_bars(fig.add_subplot(), labels, series)
    return _png(fig)


def _sweep(report: Report, variable: str) -> bytes:
    fig = _figure(6.0, 3.6)
    ax = fig.add_subplot()
    for sweep in report.sweeps:
        if sweep.variable == variable:
            xs, ys = zip(*sweep.points, strict=True)
            ax.plot(xs, [100 * y for y in ys], marker="o", label=sweep.stage)
    ax.set_xlabel(_VARIABLE_LABELS.get(variable, variable.replace("_", " ")))
    ax.set_ylabel("accuracy (%)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _png(fig)


def _drawer(name: str) -> Callable[[Report], bytes]:
    fixed: dict[str, Callable[[Report], bytes]] = {
        "spikes_per_layer": _spikes,
        "energy_per_layer": _energy_layers,
        "energy_per_target": _energy_targets,
    }
    if name in fixed:
        return fixed[name]
    variable = name.removeprefix("accuracy_vs_")
    return lambda report: _sweep(report, variable)


def render_plots(report: Report) -> dict[str, bytes]:
    """PNG bytes of every available figure, ``name -> png`` (file name ``<name>.png``)."""
    return {name: _drawer(name)(report) for name in available_plots(report)}
