"""A renderer-neutral document: headings, Markdown text, tables and figures."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Block", "Figure", "Heading", "Table", "Text"]


@dataclass(frozen=True)
class Heading:
    """A section heading, ``level`` 1..4."""

    level: int
    text: str


@dataclass(frozen=True)
class Text:
    """Paragraphs and ``* `` bullet lists in a Markdown subset (``**bold**``, backtick code)."""

    markdown: str


@dataclass(frozen=True)
class Table:
    """A table of preformatted cells; ``numeric`` marks right-aligned columns."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()

    def is_numeric(self, i: int) -> bool:
        """Whether column ``i`` is right-aligned."""
        return self.numeric[i] if i < len(self.numeric) else False


@dataclass(frozen=True)
class Figure:
    """A plot stored as ``<name>.png`` next to the report."""

    name: str
    caption: str


Block = Heading | Text | Table | Figure
