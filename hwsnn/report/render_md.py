"""Render a :class:`Report` as Markdown that reads well on its own (figures: ``<name>.png``)."""

from __future__ import annotations

from hwsnn.report._blocks import Block, Heading, Table, Text
from hwsnn.report._document import document
from hwsnn.report.model import Report

__all__ = ["render_markdown"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(table: Table) -> str:
    lines = [
        "| " + " | ".join(_cell(c) for c in table.columns) + " |",
        "|"
        + "|".join("---:" if table.is_numeric(i) else "---" for i in range(len(table.columns)))
        + "|",
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    return "\n".join(lines)


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        return "#" * block.level + " " + block.text
    if isinstance(block, Text):
        return block.markdown
    if isinstance(block, Table):
        return _table(block)
    return f"![{block.caption}]({block.name}.png)\n\n*Figure: {block.caption}.*"


def render_markdown(report: Report) -> str:
    """The whole report as Markdown text (ends with a newline)."""
    return "\n\n".join(_block(b) for b in document(report)) + "\n"
