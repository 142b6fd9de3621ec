"""Render a report to every format in memory, then write the files atomically."""

from __future__ import annotations

from pathlib import Path

from hwsnn.report.atomic import write_files_atomic
from hwsnn.report.model import Report
from hwsnn.report.plots import render_plots
from hwsnn.report.render_html import render_html
from hwsnn.report.render_json import render_json
from hwsnn.report.render_md import render_markdown

__all__ = ["REPORT_FILES", "render_report_files", "write_report"]

REPORT_FILES = ("report.md", "report.json", "report.html")
"""The text files of a report; the figures are ``<name>.png`` next to them."""


def render_report_files(report: Report) -> dict[str, bytes]:
    """Every file of the report, ``file name -> bytes``, rendered in memory."""
    plots = render_plots(report)
    files = {
        "report.md": render_markdown(report).encode(),
        "report.json": render_json(report).encode(),
        "report.html": render_html(report, plots).encode(),
    }
    return files | {f"{name}.png": png for name, png in plots.items()}


def write_report(report: Report, out: Path) -> tuple[Path, ...]:
    """Write ``report.md``, ``report.json``, ``report.html`` and the PNG figures into ``out``.

    Everything is rendered before the first file is replaced, so an error while
    rendering (or writing) leaves a previous report in ``out`` untouched.

    Returns:
        The written paths.
    """
    return write_files_atomic(out, render_report_files(report))
