"""The worksheet as plain data: what :mod:`worksheet.syntax` reads from ``worksheet.md`` and
:mod:`typeset.worksheet` draws.

A worksheet is a title and a list of blocks. Blocks hold printed text (:class:`model.Span`) and
:class:`Field` s, the places the reader writes in. Every field has a stable name (the same in every
edition), a kind, a size and a label (what it asks for: the tooltip, and the word in messages).
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field

from .content import Source
from .diagnostics import SourcePos
from .model import Asset, Figure, Span

KINDS = ("text", "multiline", "date", "money", "number", "checkbox")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # one of KINDS
    size: int  # blank: minimum width in ems (its underscores); multiline: lines; cell and checkbox: 0
    label: str  # what the field asks for, in the edition's language
    pos: SourcePos


@dataclass(frozen=True)
class Blank:
    """A write-in place inside a line of text."""

    field: Field


Item = Span | Blank  # the pieces of a row: printed text and blanks


@dataclass(frozen=True)
class Heading:
    level: int  # 1: the worksheet's title; 2: a section; 3: a sub-heading
    text: str
    pos: SourcePos


@dataclass(frozen=True)
class Row:
    """A paragraph or list item: text, possibly with blanks; ``marker`` is a list label ('1.', '•')."""

    items: tuple[Item, ...]
    pos: SourcePos
    marker: str = ""

    @property
    def blanks(self) -> tuple[Blank, ...]:
        return tuple(item for item in self.items if isinstance(item, Blank))


@dataclass(frozen=True)
class Hint:
    """Guidance printed in a quieter style (a block quote in the source)."""

    items: tuple[Span, ...]
    pos: SourcePos


@dataclass(frozen=True)
class Check:
    """One checkbox and its label (the label may hold blanks, e.g. 'other: ____')."""

    field: Field
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Checklist:
    checks: tuple[Check, ...]
    pos: SourcePos


@dataclass(frozen=True)
class Area:
    """A writing area of ``field.size`` ruled lines across the measure."""

    field: Field
    pos: SourcePos


@dataclass(frozen=True)
class Column:
    header: tuple[Span, ...]
    kind: str  # kind of its write-in cells
    lines: int  # handwriting lines per cell
    align: str  # '', 'center' or 'right'


Cell = tuple[Span, ...] | Field  # printed text, or a write-in cell


@dataclass(frozen=True)
class Grid:
    """A table; its empty body cells are write-in fields."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    pos: SourcePos


@dataclass(frozen=True)
class Code:
    """A QR code (``![alt](qr:URL "caption")``), printed with its caption and address beside it."""

    figure: Figure
    asset: Asset
    pos: SourcePos


@dataclass(frozen=True)
class Worksheet:
    title: str
    blocks: tuple
    fields: tuple[Field, ...]  # every field, in reading order
    currency: str  # ISO 4217 code of money fields (content: region facts are data)
    source: Source  # worksheet.md as read (or derived): for messages and locating characters
    strings: dict = dc_field(default_factory=dict)  # localized UI strings (footer, tooltips' hints)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def text(self) -> str:
        """Every character the worksheet prints (for the font coverage check)."""
        parts = [self.title, *self.strings.values()]
        for block in self.blocks:
            parts.extend(_block_text(block))
        parts.extend(f.label for f in self.fields)
        return "".join(parts)


def _block_text(block) -> list[str]:
    if isinstance(block, Heading):
        return [block.text]
    if isinstance(block, (Row, Hint)):
        return [block.marker if isinstance(block, Row) else ""] + [i.text for i in block.items if isinstance(i, Span)]
    if isinstance(block, Checklist):
        return [i.text for check in block.checks for i in check.items if isinstance(i, Span)]
    if isinstance(block, Code):
        return [block.figure.caption, block.asset.path]
    if isinstance(block, Grid):
        out = [s.text for column in block.columns for s in column.header]
        out += [s.text for row in block.rows for cell in row if not isinstance(cell, Field) for s in cell]
        return out
    return []
