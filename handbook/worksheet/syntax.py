"""``worksheet.md`` -> :class:`sheet.Worksheet`: plain Markdown conventions read as form fields.

The conventions (DESIGN §3), chosen so that the file still reads as a form in any Markdown viewer:

* ``- [ ] label`` is a checkbox; ``___`` (three or more underscores) is a write-in blank, as long as
  its underscores (one em each) or, when it ends its line, running to the right margin;
* a table's empty body cells are write-in cells (several empty rows make a log to fill in);
* a blank alone in its paragraph with ``lines=N`` is a writing area of N ruled lines.

Attributes in braces name and type a field, Pandoc style, right after what they describe:
``____{#overdue_amount money}``, ``____{#reflection lines=4}``, ``- [ ] 健康问题 {#reason_health}``,
``| 日期 {#log_date date} |`` (a column: its cells are ``log_date_1``, ``log_date_2`` ...; unnamed, the
cells of column 2 are ``<section>_c2_1`` ..., in a section's second table ``<section>_t2c2_1`` ...),
``## 一、我的情况 {#situation}`` (a section id), ``# 工作表 {currency=CNY}``. Kinds: text (the
default), date, money, number, checkbox (table columns only: task items are checkboxes anyway).
A field without ``#name`` is named by position, ``<section>_<n>``; the field check between editions
(:mod:`drift`) catches a position that moved. Everything else (code, images, stray braces) is an error
at its line.

The fields themselves are found by the Markdown parser (``markup.parse_markdown(fields=True)``): they
reach this module as :class:`model.FieldMark` s in the chapter model, each with its line and column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import model
from ..content import Source
from ..diagnostics import Sink, SourcePos
from ..model import FieldMark, Span
from ..figures import FigureError, qr_asset
from ..sheet import (Area, Blank, Check, Checklist, Code, Column, Field, Grid, Heading, Hint, Item, Row, Worksheet)

_ITEM_START = re.compile(r"\s*(?:[-*+]|[0-9]+[.)])\s+(?:\[[ xX]\]\s+)?")  # a list item's marker and checkbox
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
BLANK_KINDS = ("text", "date", "money", "number")
_LABEL_END = "：:（(［[ \u3000"
_CLAUSE = "，,。；;、"


@dataclass(frozen=True)
class Attrs:
    name: str | None = None
    kind: str | None = None
    lines: int | None = None
    currency: str | None = None


def parse_attrs(text: str, allowed: tuple[str, ...]) -> Attrs:
    """``#name kind lines=N currency=XXX`` -> Attrs; ValueError naming the first token it cannot use.

    ``allowed`` lists what this place accepts: 'name', 'kind', 'checkbox', 'lines', 'currency'."""
    name = kind = lines = currency = None
    for token in text.split():
        if token.startswith("#") and "name" in allowed:
            if not _NAME.match(token[1:]):
                raise ValueError(f"field name '{token[1:]}' must be lower-case ASCII letters, digits and '_', "
                                 "starting with a letter")
            name = token[1:]
        elif token in BLANK_KINDS and "kind" in allowed or token == "checkbox" and "checkbox" in allowed:
            kind = token
        elif token.startswith("lines=") and "lines" in allowed:
            if not token[6:].isdigit() or not 1 <= int(token[6:]) <= 30:
                raise ValueError(f"'{token}': lines must be a number from 1 to 30")
            lines = int(token[6:])
        elif token.startswith("currency=") and "currency" in allowed:
            if not _CURRENCY.match(token[9:]):
                raise ValueError(f"'{token}': a currency is an ISO 4217 code like CNY")
            currency = token[9:]
        else:
            raise ValueError(f"unknown attribute '{token}' here (this place takes: {', '.join(allowed) or 'none'})")
    return Attrs(name, kind, lines, currency)


def plain_items(items) -> str:
    return "".join(i.text for i in items if isinstance(i, Span))


def trailing_attrs(content: model.Inline) -> tuple[model.Inline, FieldMark | None]:
    """``content`` without the attributes that end it ('健康问题 {#reason_health}'), and those attributes."""
    if not content or not isinstance(content[-1], FieldMark) or content[-1].blank:
        return content, None
    rest = list(content[:-1])
    if rest and isinstance(rest[-1], Span):
        last = rest.pop()
        if last.text.rstrip():
            rest.append(Span(last.text.rstrip(), last.styles, last.href))
    return tuple(rest), content[-1]


def label_before(items: tuple[Item, ...], index: int) -> str:
    """The words in front of item ``index``: the label of a blank ('逾期天数' in '…，逾期天数 ___ 天')."""
    text = ""
    for item in reversed(items[:index]):
        if isinstance(item, Blank):
            break
        text = item.text + text
    text = text.rstrip(_LABEL_END).rsplit("\u3000", 1)[-1]  # a wide space ends the field before (its unit: '天')
    for mark in _CLAUSE:
        text = text.rsplit(mark, 1)[-1]
    return text.strip(_LABEL_END)


class _Reader:
    """Walks the chapter model of worksheet.md once, collecting blocks, fields and problems."""

    def __init__(self, source: Source, sink: Sink, strings: dict):
        self.source = source
        self.sink = sink
        self.strings = strings
        self.lines = source.text.split("\n")  # for where a list item's text starts on its line
        self.seen: dict[str, Field] = {}
        self.section = "s0"
        self.sections = 0
        self.counter = 0
        self.tables = 0  # tables in the current section
        self.section_title = ""
        self.currency = ""
        self.title = ""
        self.title_pos = source.pos(1)

    # -- fields ------------------------------------------------------------------------------
    def add_field(self, attrs: Attrs, kind: str, size: int, label: str, pos: SourcePos) -> Field:
        if attrs.name:
            name = attrs.name
        else:
            self.counter += 1
            name = f"{self.section}_{self.counter}"
        field = Field(name, kind, size, label, pos)
        if name in self.seen:
            self.sink.error(f"duplicate field name '{name}'", pos,
                            f"it is also used at line {self.seen[name].pos.line}; names must be unique")
        else:
            self.seen[name] = field
        return field

    def attrs(self, mark: FieldMark | None, allowed: tuple[str, ...]) -> Attrs:
        """The attributes of ``mark`` (none without it); an unusable one is an error at its place."""
        if mark is None or not mark.attrs:
            return Attrs()
        try:
            return parse_attrs(mark.attrs, allowed)
        except ValueError as exc:
            self.sink.error(str(exc), mark.pos)
            return Attrs()

    def items(self, content: model.Inline, allow_lines: bool = False) -> tuple[Item, ...]:
        """Text and blanks; attributes that follow no blank are errors."""
        out: list[Item] = []
        for item in content:
            if isinstance(item, Span):
                out.append(item)
                continue
            if not item.blank:
                self.sink.error(f"attributes '{item.text}' do not follow a blank", item.pos,
                                "write them right after the underscores, e.g. ____{#amount money}")
                continue
            attrs = self.attrs(item, ("name", "kind", "lines"))
            lines = attrs.lines or 1
            if lines > 1 and (attrs.kind not in (None, "text") or not allow_lines):
                self.sink.error("a writing area (lines=N) must stand alone in its paragraph, as text", item.pos)
                lines = 1
            kind = "multiline" if lines > 1 else (attrs.kind or "text")
            size = lines if lines > 1 else item.blank
            out.append(Blank(self.add_field(attrs, kind, size, "", item.pos)))
        return tuple(_with_labels(out, self.section_title))

    # -- blocks ------------------------------------------------------------------------------
    def blocks(self, blocks: tuple) -> list:
        out: list = []
        for block in blocks:
            made = self.block(block, out)
            if made is not None:
                out.append(made)
        return out

    def block(self, block, before: list):
        if isinstance(block, model.Heading):
            return self.heading(block)
        if isinstance(block, model.Paragraph):
            return self.paragraph(block.content, block.pos, before)
        if isinstance(block, model.ListBlock):
            return self.list_block(block)
        if isinstance(block, model.Table):
            return self.table(block)
        if isinstance(block, model.Quote):
            spans = []
            for child in block.blocks:
                if isinstance(child, model.Paragraph):
                    spans += [Span("\n")] * bool(spans) + list(child.content)
                else:
                    self.sink.error("a block quote in a worksheet holds paragraphs only", block.pos)
            items = self.items(tuple(spans))
            if any(isinstance(i, Blank) for i in items):
                self.sink.error("blanks in a block quote are not supported: quotes print guidance", block.pos)
            return Hint(tuple(i for i in items if isinstance(i, Span)), block.pos)
        if isinstance(block, model.Figure) and block.qr:  # QR codes only: a worksheet is printed for writing
            try:
                return Code(block, qr_asset(block.qr), block.pos)
            except FigureError as exc:
                self.sink.error(str(exc), block.pos)
                return None
        name = type(block).__name__.lower()
        self.sink.error(f"a {name} is not supported in a worksheet", getattr(block, "pos", self.source.pos(1)),
                        "use headings, paragraphs with blanks, task lists, tables and block quotes")
        return None

    def heading(self, block: model.Heading) -> Heading:
        content, mark = trailing_attrs(block.content)
        allowed = ("currency",) if block.level == 1 else ("name",) if block.level == 2 else ()
        attrs = self.attrs(mark, allowed)
        inside = next((item for item in content if isinstance(item, FieldMark)), None)
        if inside is not None:
            self.sink.error("a heading cannot hold blanks or attributes in its middle", inside.pos)
        text = plain_items(content)
        if block.level == 1:
            if self.title:
                self.sink.error("a worksheet has one title (# ...)", block.pos)
            self.title, self.title_pos, self.currency = text.strip(), block.pos, attrs.currency or ""
        elif block.level == 2:
            self.sections += 1
            self.section, self.counter, self.section_title = attrs.name or f"s{self.sections}", 0, text.strip()
            self.tables = 0
        return Heading(min(block.level, 3), text.strip(), block.pos)

    def paragraph(self, content, pos: SourcePos, before: list, marker: str = ""):
        items = self.items(content, allow_lines=not marker)
        blanks = [i for i in items if isinstance(i, Blank)]
        area = next((b for b in blanks if b.field.kind == "multiline"), None)
        if area is None:
            return Row(items, pos, marker)
        if len(blanks) > 1 or plain_items(items).strip():
            self.sink.error("a writing area (lines=N) must stand alone in its paragraph", area.field.pos)
        field = area.field
        previous = before[-1] if before else None
        if isinstance(previous, Row) and not previous.blanks:  # the line above is the area's label
            field = _relabel(field, plain_items(previous.items).strip().rstrip(_LABEL_END))
        return Area(field, pos)

    def list_block(self, block: model.ListBlock):
        tasks = [item.task is not None for item in block.items]
        if any(tasks) and not all(tasks):
            self.sink.error("a list mixes checkboxes (- [ ]) and plain items", block.pos)
        checks, rows = [], []
        for number, item in enumerate(block.items, start=block.start):
            paragraphs = [b for b in item.blocks if isinstance(b, model.Paragraph)]
            if len(paragraphs) != len(item.blocks) or len(paragraphs) > 1:
                self.sink.error("a worksheet list item holds one line of text (no nested lists or paragraphs)",
                                block.pos)
            content = paragraphs[0].content if paragraphs else ()
            pos = self.item_pos(content, block.pos)
            if item.task is None:
                marker = f"{number}." if block.ordered else "•"
                rows.append(self.paragraph(content, pos, [], marker))
                continue
            if item.task == "done":
                self.sink.warning("a checkbox is printed empty even when the source ticks it ([x])", pos)
            checks.append(self.check(content, pos))
        if rows:
            return rows[0] if len(rows) == 1 else _Rows(tuple(rows))
        return Checklist(tuple(checks), block.pos)

    def item_pos(self, content: model.Inline, fallback: SourcePos) -> SourcePos:
        """Where a list item's text starts: on its first field's line (Python-Markdown keeps no line of an
        item), after the list marker and the checkbox; ``fallback`` (the list's line) when it has no field."""
        mark = next((item for item in content if isinstance(item, FieldMark)), None)
        if mark is None:
            return fallback
        start = _ITEM_START.match(self.lines[mark.pos.line - self.source.first_line])
        return mark.pos.shifted(col=start.end() + 1 if start else 1)

    def check(self, content, pos: SourcePos) -> Check:
        content, mark = trailing_attrs(content)
        attrs = self.attrs(mark, ("name",))
        label = plain_items(content).strip().rstrip(_LABEL_END) or self.section_title
        field = self.add_field(attrs, "checkbox", 0, label, pos)
        return Check(field, self.items(content))

    def table(self, block: model.Table) -> Grid:
        columns, keys = [], []
        self.tables += 1  # a section's second table names its columns <section>_t2c1 ...: no clash
        table = f"t{self.tables}" if self.tables > 1 else ""
        for index, cell in enumerate(block.header):
            cell, mark = trailing_attrs(cell)
            attrs = self.attrs(mark, ("name", "kind", "checkbox", "lines"))
            stray = next((item for item in cell if isinstance(item, FieldMark)), None)
            if stray is not None:
                self.sink.error("a table header names its column; it cannot hold blanks", stray.pos)
                cell = tuple(item for item in cell if isinstance(item, Span))
            align = block.align[index] if index < len(block.align) else ""
            kind = attrs.kind or "text"
            lines = attrs.lines or 1
            if lines > 1 and kind != "text":
                self.sink.error(f"a {kind} column has one line per cell", mark.pos)
                lines = 1
            columns.append(Column(tuple(cell), kind, lines, align or ("center" if kind == "checkbox" else "")))
            keys.append(attrs.name or f"{self.section}_{table}c{index + 1}")
        rows = []
        for number, row in enumerate(block.rows, start=1):
            row_pos = block.pos.shifted(number + 1)  # after the header's line and the delimiter row
            cells = []
            row_label = next((model.plain(c) for c in row if model.plain(c).strip()), "")
            for index, content in enumerate(list(row) + [()] * (len(columns) - len(row))):
                if index >= len(columns):
                    self.sink.error("a table row has more cells than the header", row_pos)
                    break
                if model.plain(content).strip():
                    items = self.items(content)
                    if any(isinstance(i, Blank) for i in items):
                        self.sink.error("a table cell is written in when it is empty; it cannot hold blanks",
                                        row_pos)
                    cells.append(tuple(i for i in items if isinstance(i, Span)))
                    continue
                column = columns[index]
                kind = "multiline" if column.lines > 1 else column.kind
                header = model.plain(column.header).strip()
                row_name = row_label or self.strings["row"] % {"n": number}
                label = self.strings["hint"] % {"label": header, "hint": row_name}
                cells.append(self.add_field(Attrs(f"{keys[index]}_{number}"), kind,
                                            column.lines if column.lines > 1 else 0, label, row_pos))
            rows.append(tuple(cells))
        return Grid(tuple(columns), tuple(rows), block.pos)


@dataclass(frozen=True)
class _Rows:
    """Several rows made from one list; flattened by :func:`read_worksheet`."""

    rows: tuple


def _relabel(field: Field, label: str) -> Field:
    return Field(field.name, field.kind, field.size, label or field.label, field.pos)


def _with_labels(items: list[Item], fallback: str) -> list[Item]:
    """Give each blank the words in front of it as its label (else ``fallback``, the section's title)."""
    out = list(items)
    for index, item in enumerate(out):
        if isinstance(item, Blank) and not item.field.label:
            out[index] = Blank(_relabel(item.field, label_before(tuple(out), index) or fallback))
    return out





def read_worksheet(source: Source, chapter: model.Chapter, sink: Sink, strings: dict) -> Worksheet | None:
    """The worksheet of one edition, or None after reporting why it cannot be made."""
    reader = _Reader(source, sink, strings)
    blocks = []
    for block in reader.blocks(chapter.blocks):
        blocks.extend(block.rows if isinstance(block, _Rows) else [block])
    if chapter.notes:
        sink.error("footnotes are not supported in a worksheet", chapter.notes[0].pos)
    if not reader.title:
        sink.error("a worksheet needs a title: start it with '# ...'", source.pos(1))
    fields = _fields(blocks)
    if any(f.kind == "money" for f in fields) and not reader.currency:
        sink.error("money fields need the currency: add it to the title, e.g. '# 工作表 {currency=CNY}'",
                   reader.title_pos)
    if not fields:
        sink.warning("the worksheet has no fields to fill in", source.pos(1))
    return Worksheet(reader.title, tuple(blocks), tuple(fields), reader.currency, source, dict(strings))


def _fields(blocks) -> list[Field]:
    """Fields in reading order, as they ended up in the blocks (labels included)."""
    out = []
    for block in blocks:
        if isinstance(block, Row):
            out += [b.field for b in block.blanks]
        elif isinstance(block, Area):
            out.append(block.field)
        elif isinstance(block, Checklist):
            for check in block.checks:
                out.append(check.field)
                out += [i.field for i in check.items if isinstance(i, Blank)]
        elif isinstance(block, Grid):
            out += [cell for row in block.rows for cell in row if isinstance(cell, Field)]
    return out
