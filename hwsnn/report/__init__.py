"""Reports: frozen report data with provenance, rendered to Markdown, JSON, HTML and PNG figures.

Numbers come from :mod:`hwsnn.analysis` and :mod:`hwsnn.sim`; this package collects and
formats them and does no modelling of its own. matplotlib is imported only to draw.
"""

from hwsnn.report.build import build_report
from hwsnn.report.model import (
    EnergyComparison,
    LayerInfo,
    Provenance,
    Report,
    StageSection,
    Sweep,
    graph_hash,
)
from hwsnn.report.render_html import render_html
from hwsnn.report.render_json import render_json
from hwsnn.report.render_md import render_markdown
from hwsnn.report.write import REPORT_FILES, render_report_files, write_report

__all__ = [
    "REPORT_FILES",
    "EnergyComparison",
    "LayerInfo",
    "Provenance",
    "Report",
    "StageSection",
    "Sweep",
    "build_report",
    "graph_hash",
    "render_html",
    "render_json",
    "render_markdown",
    "render_report_files",
    "write_report",
]
