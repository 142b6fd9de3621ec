"""Lay a :class:`Report` out as blocks (shared by the Markdown and HTML renderers)."""

from __future__ import annotations

from hwsnn.analysis.counting import LayerCounts, OperationCounts
from hwsnn.report import _format as fmt
from hwsnn.report._blocks import Block, Figure, Heading, Table, Text
from hwsnn.report._stages_doc import stage_blocks
from hwsnn.report.model import Report
from hwsnn.report.plots import available_plots

__all__ = ["ENERGY_RULE", "document"]

ENERGY_RULE = """\
* **E_SNN** (per inference) = MACs × E_MAC + ACs × E_AC + neuron updates × E_update
  + spikes × E_spike (compute), using the counts above.
* **E_ANN** (the equivalent ANN, paper 004 Sec. 4.3) = dense operations per time step × E_MAC:
  every synaptic connection evaluated once as a multiply-accumulate.
* **Memory** = memory accesses × E_memory, shown separately and never folded silently
  into compute; the ratio is given both without (paper 004's convention) and with it.
* Each coefficient below names its source; E_ANN/E_SNN > 1 means the SNN uses less energy."""


def _figure(report: Report, name: str) -> list[Block]:
    caption = available_plots(report).get(name)
    return [Figure(name, caption)] if caption else []


def _provenance(report: Report) -> list[Block]:
    p = report.provenance
    rows = (
        ("model", p.model),
        ("hwsnn version", p.hwsnn_version),
        ("IR hash (SHA-256)", f"`{p.ir_hash}`"),
        ("target", p.target),
        ("seed", str(p.seed)),
        ("data set", p.dataset),
        ("test samples", str(p.samples)),
        ("time steps", str(p.timesteps)),
        ("time step dt", fmt.eng(p.dt_s, "s")),
    )
    return [Heading(1, report.title), Heading(2, "Provenance"), Table(("field", "value"), rows)]


def _summary(report: Report) -> list[Block]:
    rows = []
    if report.accuracy is not None:
        rows.append(("test accuracy (sim.float)", fmt.percent(report.accuracy)))
    if report.counts is not None:
        c = report.counts
        rows += [
            ("spikes per inference", fmt.count(c.total("spikes"))),
            ("synaptic ACs per inference", fmt.count(c.total("acs"))),
            ("synaptic MACs per inference", fmt.count(c.total("macs"))),
            ("latency", f"{c.timesteps} time steps"),
        ]
    for e in report.energy:
        rows.append(
            (
                f"E_SNN / E_ANN under {e.model.name} (compute)",
                f"{fmt.eng(e.snn.compute_j, 'J')} / {fmt.eng(e.ann.compute_j, 'J')} "
                f"(E_ANN/E_SNN = {fmt.ratio(e.ann_over_snn_compute)})",
            )
        )
    return [Heading(2, "Summary"), Table(("quantity", "value"), tuple(rows))] if rows else []


def _network(report: Report) -> list[Block]:
    rows = tuple(
        (layer.name, layer.kind, "×".join(map(str, layer.shape)) or "scalar")
        for layer in report.layers
    )
    return [
        Heading(2, "Network"),
        Table(("node", "type", "output shape (C×H×W or features)"), rows),
    ]


_COUNT_FIELDS = {
    "acs": "ACs",
    "macs": "MACs",
    "dense_ops": "dense ops",
    "spikes": "spikes",
    "spike_rate": "spike rate (per neuron per step)",
    "neuron_updates": "neuron updates",
    "memory_accesses": "memory accesses",
}


def _counts_table(c: OperationCounts) -> Table:
    def cell(layer: LayerCounts, f: str) -> str:
        return fmt.number(layer.spike_rate) if f == "spike_rate" else fmt.count(getattr(layer, f))

    rows = [
        (layer.name, layer.kind, *(cell(layer, f) for f in _COUNT_FIELDS)) for layer in c.layers
    ]
    totals = ("" if f == "spike_rate" else fmt.count(c.total(f)) for f in _COUNT_FIELDS)
    rows.append(("**total**", "", *totals))
    numeric = (False, False, *[True] * len(_COUNT_FIELDS))
    return Table(("node", "type", *_COUNT_FIELDS.values()), tuple(rows), numeric)


def _counts(report: Report) -> list[Block]:
    blocks: list[Block] = [Heading(2, "Operations per inference")]
    if report.counts is None:
        reason = report.unavailable.get("operation counts and energy", "no counts.")
        return [*blocks, Text(f"Not available: {reason}")]
    c = report.counts
    text = (
        f"Measured with `sim.float` on {c.samples} test samples over {c.timesteps} time steps; "
        "every count is per inference (one sample, all time steps)."
    )
    return [
        *blocks,
        Text(text),
        _counts_table(c),
        Heading(3, "Counting rules"),
        Text(report.counting_rules.strip()),
    ]


def _energy(report: Report) -> list[Block]:
    if not report.energy:
        reason = report.unavailable.get(
            "operation counts and energy", "no energy model was applied"
        )
        return [Heading(2, "Energy per inference"), Text(f"Not available: {reason}")]
    rows = tuple(
        (
            e.model.name,
            fmt.eng(e.snn.compute_j, "J"),
            fmt.eng(e.snn.memory_j, "J"),
            fmt.eng(e.snn.total_j, "J"),
            fmt.eng(e.snn.energy_per_spike_j, "J"),
            e.model.description,
        )
        for e in report.energy
    )
    cols = ("energy model", "SNN compute", "SNN memory", "SNN total", "compute per spike", "model")
    names = [layer.name for layer in report.energy[0].snn.layers]
    layer_rows = tuple(
        (
            name,
            *(
                f"{fmt.eng(layer.compute_j, 'J')} + {fmt.eng(layer.memory_j, 'J')}"
                for layer in (e.snn.layers[i] for e in report.energy)
            ),
        )
        for i, name in enumerate(names)
        if any(e.snn.layers[i].compute_j or e.snn.layers[i].memory_j for e in report.energy)
    )
    return [
        Heading(2, "Energy per inference"),
        Table(cols, rows, (False, True, True, True, True, False)),
        *_figure(report, "energy_per_target"),
        Heading(3, "Per layer: compute + memory"),
        Table(
            ("node", *(e.model.name for e in report.energy)),
            layer_rows,
            (False, *[True] * len(report.energy)),
        ),
        *_figure(report, "energy_per_layer"),
    ]


def _stage_energies(report: Report) -> list[Block]:
    if not report.stage_energies_j:
        return []
    rows = tuple((stage, key, fmt.eng(j, "J")) for stage, key, j in report.stage_energies_j)
    return [
        Heading(3, "Energies measured by the pipeline stages"),
        Table(("stage", "metric", "energy"), rows, (False, False, True)),
    ]


def _ann_vs_snn(report: Report) -> list[Block]:
    if not report.energy:
        return []
    rows = tuple(
        (
            e.model.name,
            fmt.eng(e.ann.compute_j, "J"),
            fmt.eng(e.snn.compute_j, "J"),
            fmt.ratio(e.ann_over_snn_compute),
            fmt.eng(e.ann.total_j, "J"),
            fmt.eng(e.snn.total_j, "J"),
            fmt.ratio(e.ann_over_snn_total),
        )
        for e in report.energy
    )
    cols = (
        "energy model",
        "E_ANN compute",
        "E_SNN compute",
        "E_ANN/E_SNN compute",
        "E_ANN with memory",
        "E_SNN with memory",
        "E_ANN/E_SNN with memory",
    )
    return [
        Heading(2, "ANN vs SNN (paper 004 style)"),
        Text(ENERGY_RULE),
        Table(cols, rows, (False, *[True] * 6)),
    ]


def _coefficients(report: Report) -> list[Block]:
    if not report.energy:
        return []
    rows = []
    for e in report.energy:
        for key, source in e.model.sources:
            rows.append((e.model.name, key, fmt.eng(getattr(e.model, f"{key}_j"), "J"), source))
    return [
        Heading(3, "Energy coefficients and their sources"),
        Table(
            ("model", "coefficient", "energy per operation", "source"),
            tuple(rows),
            (False, False, True, False),
        ),
    ]


def _spikes(report: Report) -> list[Block]:
    if not report.spikes_per_step:
        return []
    rows = tuple(
        (name, " ".join(fmt.count(v) for v in series))
        for name, series in report.spikes_per_step.items()
    )
    return [
        Heading(2, "Spikes per layer over time"),
        *_figure(report, "spikes_per_layer"),
        Table(("spiking node", "spikes per inference at steps 1, 2, ..., T"), rows),
    ]


def _missing(report: Report) -> list[Block]:
    if not report.unavailable:
        return []
    rows = tuple(sorted(report.unavailable.items()))
    return [Heading(2, "What this report could not include"), Table(("section", "reason"), rows)]


def document(report: Report) -> tuple[Block, ...]:
    """All blocks of the report in reading order."""
    parts = (
        _provenance,
        _summary,
        _network,
        _counts,
        _energy,
        _stage_energies,
        _ann_vs_snn,
        _coefficients,
        _spikes,
        stage_blocks,
        _missing,
    )
    return tuple(block for part in parts for block in part(report))
