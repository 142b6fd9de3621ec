"""The Markdown report reads on its own: headings, tables, units, rules, provenance, reasons."""

from __future__ import annotations

import re

from hwsnn.analysis.counting import COUNTING_RULES
from hwsnn.report import Report, render_markdown


def test_headings_and_tables(report: Report) -> None:
    md = render_markdown(report)
    headings = re.findall(r"^(#+) (.+)$", md, flags=re.M)
    assert headings[0] == ("#", "hwsnn report: conv.hwir")
    titles = {title for _, title in headings}
    for title in (
        "Provenance",
        "Summary",
        "Network",
        "Operations per inference",
        "Counting rules",
        "Energy per inference",
        "ANN vs SNN (paper 004 style)",
        "Energy coefficients and their sources",
        "Spikes per layer over time",
        "Pipeline stages",
        "What this report could not include",
    ):
        assert title in titles
    # every table has a header separator with as many columns as its header
    for header, sep in re.findall(r"^(\|.+\|)\n(\|[-:|]+\|)$", md, flags=re.M):
        assert header.count(" | ") + 1 == sep.count("|") - 1


def test_provenance_units_and_rules(report: Report) -> None:
    md = render_markdown(report)
    assert report.provenance.ir_hash in md and len(report.provenance.ir_hash) == 64
    assert "| seed | 0 |" in md and "| hwsnn version |" in md
    assert COUNTING_RULES.strip() in md
    assert re.search(r"\d pJ|\d nJ|\d µJ", md), "energies carry engineering units"
    assert "| time step dt | 1.00 ms |" in md
    assert "E_ANN/E_SNN compute" in md and "dense operations per time step × E_MAC" in md
    for name in ("cmos45-fp32", "cmos45-fp16", "cmos45-int8", "loihi1"):
        assert f"| {name} |" in md
    assert "Davies et al., IEEE Micro 2018" in md  # coefficient sources are printed


def test_stages_say_why_and_figures_link(report: Report) -> None:
    md = render_markdown(report)
    assert "**skipped**: ngspice is not installed" in md
    assert "**failed**: TargetConstraintError: rows 64 < 128" in md
    assert "| stage spice | skipped: ngspice is not installed |" in md
    for figure in (
        "spikes_per_layer",
        "energy_per_layer",
        "energy_per_target",
        "accuracy_vs_weight_bits",
        "accuracy_vs_snr_db",
    ):
        assert f"]({figure}.png)" in md
    assert "#### input jitter" in md and "| level | output_jitter_pct |" in md
    assert "| energy_per_inference_j | 2.50 nJ |" in md


def test_no_plot_without_data(report: Report) -> None:
    from dataclasses import replace

    bare = replace(report, stages=(), sweeps=(), stage_energies_j=(), spikes_per_step={})
    md = render_markdown(bare)
    assert (
        "accuracy_vs_" not in md
        and "spikes_per_layer.png" not in md
        and "Pipeline stages" not in md
    )
