"""Render a :class:`Report` as one self-contained HTML page: inline CSS, figures as base64 PNG."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping

from hwsnn.report._blocks import Block, Figure, Heading, Table, Text
from hwsnn.report._document import document
from hwsnn.report.model import Report

__all__ = ["render_html"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:72rem;padding:0 1.5rem;color:#1d232a;line-height:1.45}
h1{border-bottom:3px solid #2b6cb0;padding-bottom:.3rem}
h2{border-bottom:1px solid #cbd5e0;margin-top:2.2rem}
table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem}
th,td{border:1px solid #cbd5e0;padding:.3rem .6rem;vertical-align:top}
th{background:#edf2f7;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td:first-child{white-space:nowrap}
tr:nth-child(even) td{background:#f7fafc}
code{background:#edf2f7;padding:0 .2rem;border-radius:3px;font-size:.85em;word-break:break-all}
figure{margin:1rem 0}figure img{max-width:100%;border:1px solid #e2e8f0}
figcaption{font-style:italic;color:#4a5568;font-size:.9rem}
footer{margin-top:3rem;color:#718096;font-size:.8rem}
"""


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", out)


def _text(markdown: str) -> str:
    """Paragraphs and ``* `` bullet lists (continuation lines indented) to HTML."""
    parts: list[str] = []
    items: list[str] = []
    for line in markdown.splitlines():
        if line.startswith("* "):
            items.append(line[2:])
        elif items and line.startswith("  "):
            items[-1] += " " + line.strip()
        else:
            if items:
                parts.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
                items = []
            if line.strip():
                parts.append(f"<p>{_inline(line)}</p>")
    if items:
        parts.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
    return "\n".join(parts)


def _table(table: Table) -> str:
    head = "".join(f"<th>{_inline(c)}</th>" for c in table.columns)
    rows = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{_inline(c)}</td>'
            if table.is_numeric(i)
            else f"<td>{_inline(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in table.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _figure(figure: Figure, plots: Mapping[str, bytes]) -> str:
    png = plots.get(figure.name)
    if png is None:
        return f"<p><em>Figure {html.escape(figure.name)} was not rendered.</em></p>"
    data = base64.b64encode(png).decode("ascii")
    alt, name = html.escape(figure.caption), html.escape(figure.name)
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{alt}" data-plot="{name}">'
        f"<figcaption>Figure: {alt}.</figcaption></figure>"
    )


def _block(block: Block, plots: Mapping[str, bytes]) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{_inline(block.text)}</h{block.level}>"
    if isinstance(block, Text):
        return _text(block.markdown)
    if isinstance(block, Table):
        return _table(block)
    return _figure(block, plots)


def render_html(report: Report, plots: Mapping[str, bytes]) -> str:
    """The report as a standalone HTML page; ``plots`` maps figure names to PNG bytes."""
    body = "\n".join(_block(b, plots) for b in document(report))
    p = report.provenance
    footer = f"hwsnn {html.escape(p.hwsnn_version)} · IR {p.ir_hash[:16]}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(report.title)}</title>"
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<style>{_CSS}</style></head><body>\n{body}\n<footer>{footer}</footer></body></html>\n"
    )
