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
A field without ``#name`` is named by position, ``<section>_<n>``; the parity check between editions
catches a position that moved. Everything else (code, images, stray braces) is an error at its line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import model
from ..content import Source
from ..diagnostics import Sink, SourcePos
from ..model import Span
from ..figures import FigureError, qr_asset
from ..sheet import (Area, Blank, Check, Checklist, Code, Column, Field, Grid, Heading, Hint, Item, Row, Worksheet)

_TOKENS = re.compile(r"(?P<blank>_{3,})(?:\{(?P<attrs>[^{}]*)\})?|\{(?P<lone>[^{}]*)\}")
_TRAILING = re.compile(r"\s*\{(?P<attrs>[^{}]*)\}\s*$")
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
        self.lines = source.text.split("\n")
        self.seen: dict[str, Field] = {}
        self.section = "s0"
        self.sections = 0
        self.counter = 0
        self.tables = 0  # tables in the current section
        self.section_title = ""
        self.currency = ""
        self.title = ""
        self.title_pos = source.pos(1)

    # -- positions ---------------------------------------------------------------------------
    def locate(self, needle: str, start: SourcePos) -> SourcePos:
        """The line (at or after ``start``) where ``needle`` is written; ``start`` if not found."""
        first = max(start.line - self.source.first_line, 0)
        for number in range(first, len(self.lines)):
            col = self.lines[number].find(needle) if needle else -1
            if col >= 0:
                return self.source.pos(number + 1, col + 1)
        return start

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

    def items(self, spans: tuple[Span, ...], pos: SourcePos, allow_lines: bool = False) -> tuple[Item, ...]:
        """Text spans with blanks cut out of them; stray braces are errors."""
        out: list[Item] = []
        for span in spans:
            if "code" in span.styles:
                out.append(span)
                continue
            cursor = 0
            for match in _TOKENS.finditer(span.text):
                if match.start() > cursor:
                    out.append(Span(span.text[cursor:match.start()], span.styles, span.href))
                cursor = match.end()
                here = self.locate(match.group(0), pos)
                if match.group("lone") is not None:
                    self.sink.error(f"attributes '{match.group(0)}' do not follow a blank", here,
                                    "write them right after the underscores, e.g. ____{#amount money}")
                    continue
                try:
                    attrs = parse_attrs(match.group("attrs") or "", ("name", "kind", "lines"))
                except ValueError as exc:
                    self.sink.error(str(exc), here)
                    attrs = Attrs()
                lines = attrs.lines or 1
                if lines > 1 and (attrs.kind not in (None, "text") or not allow_lines):
                    self.sink.error("a writing area (lines=N) must stand alone in its paragraph, as text", here)
                    lines = 1
                kind = "multiline" if lines > 1 else (attrs.kind or "text")
                size = lines if lines > 1 else len(match.group("blank"))
                field = self.add_field(attrs, kind, size, "", here)
                out.append(Blank(field))
            if cursor < len(span.text):
                out.append(Span(span.text[cursor:], span.styles, span.href))
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
            items = self.items(tuple(spans), block.pos)
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
        text = model.plain(block.content) + (f" {{#{block.ident}}}" if block.ident else "")  # the model took the id
        match = _TRAILING.search(text)
        attrs = Attrs()
        if match:
            text = text[:match.start()]
            allowed = ("currency",) if block.level == 1 else ("name",) if block.level == 2 else ()
            try:
                attrs = parse_attrs(match.group("attrs"), allowed)
            except ValueError as exc:
                self.sink.error(str(exc), self.locate(match.group(0).strip(), block.pos))
        if "{" in text or "}" in text or "___" in text:
            self.sink.error("a heading cannot hold blanks or attributes in its middle", block.pos)
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
        items = self.items(content, pos, allow_lines=not marker)
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
            if item.task is None:
                marker = f"{number}." if block.ordered else "•"
                rows.append(self.paragraph(content, self.locate(model.plain(content)[:6], block.pos), [], marker))
                continue
            if item.task == "done":
                self.sink.warning("a checkbox is printed empty even when the source ticks it ([x])", block.pos)
            checks.append(self.check(content, block.pos))
        if rows:
            return rows[0] if len(rows) == 1 else _Rows(tuple(rows))
        return Checklist(tuple(checks), block.pos)

    def check(self, content, list_pos: SourcePos) -> Check:
        text = model.plain(content)
        pos = self.locate(text[:6], list_pos)
        attrs = Attrs()
        match = _TRAILING.search(content[-1].text) if content else None
        if match and not content[-1].text[:match.start()].endswith("_"):
            try:
                attrs = parse_attrs(match.group("attrs"), ("name",))
            except ValueError as exc:
                self.sink.error(str(exc), self.locate(match.group(0).strip(), pos))
            last = content[-1]
            content = content[:-1] + (Span(last.text[:match.start()], last.styles, last.href),)
        label = model.plain(content)
        label = _TOKENS.sub("", label).strip().rstrip(_LABEL_END) or self.section_title
        field = self.add_field(attrs, "checkbox", 0, label, pos)
        return Check(field, self.items(content, pos))

    def table(self, block: model.Table) -> Grid:
        columns, keys = [], []
        self.tables += 1  # a section's second table names its columns <section>_t2c1 ...: no clash
        table = f"t{self.tables}" if self.tables > 1 else ""
        for index, cell in enumerate(block.header):
            text = model.plain(cell)
            match = _TRAILING.search(text)
            attrs = Attrs()
            if match:
                try:
                    attrs = parse_attrs(match.group("attrs"), ("name", "kind", "checkbox", "lines"))
                except ValueError as exc:
                    self.sink.error(str(exc), self.locate(match.group(0).strip(), block.pos))
                cell = _cut(cell, len(text) - match.start())
            align = block.align[index] if index < len(block.align) else ""
            kind = attrs.kind or "text"
            lines = attrs.lines or 1
            if lines > 1 and kind != "text":
                where = self.locate(match.group(0).strip(), block.pos)
                self.sink.error(f"a {kind} column has one line per cell", where)
                lines = 1
            columns.append(Column(tuple(cell), kind, lines, align or ("center" if kind == "checkbox" else "")))
            keys.append(attrs.name or f"{self.section}_{table}c{index + 1}")
        rows = []
        for number, row in enumerate(block.rows, start=1):
            cells = []
            row_label = next((model.plain(c) for c in row if model.plain(c).strip()), "")
            for index, content in enumerate(list(row) + [()] * (len(columns) - len(row))):
                if index >= len(columns):
                    self.sink.error("a table row has more cells than the header", block.pos)
                    break
                if model.plain(content).strip():
                    items = self.items(content, block.pos)
                    if any(isinstance(i, Blank) for i in items):
                        self.sink.error("a table cell is written in when it is empty; it cannot hold blanks",
                                        block.pos)
                    cells.append(tuple(i for i in items if isinstance(i, Span)))
                    continue
                column = columns[index]
                kind = "multiline" if column.lines > 1 else column.kind
                header = model.plain(column.header).strip()
                row_name = row_label or self.strings["row"] % {"n": number}
                label = self.strings["hint"] % {"label": header, "hint": row_name}
                cells.append(self.add_field(Attrs(f"{keys[index]}_{number}"), kind,
                                            column.lines if column.lines > 1 else 0, label, block.pos))
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


def _cut(cell: tuple[Span, ...], chars: int) -> tuple[Span, ...]:
    """``cell`` without its last ``chars`` characters (the attributes)."""
    out = list(cell)
    while chars > 0 and out:
        last = out.pop()
        if len(last.text) > chars:
            out.append(Span(last.text[:-chars].rstrip(), last.styles, last.href))
        chars -= len(last.text)
    return tuple(out)


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


def check_parity(sheet: Worksheet, reference: Worksheet, sink: Sink) -> None:
    """Every edition's worksheet has the same fields (name, kind, size) as the source edition's."""
    theirs = {f.name: f for f in reference.fields}
    ours = {f.name: f for f in sheet.fields}
    for field in sheet.fields:
        other = theirs.get(field.name)
        if other is None:
            sink.error(f"field '{field.name}' is not in {reference.source.shown}", field.pos,
                       "every edition's worksheet has the same fields")
        elif (other.kind, other.size) != (field.kind, field.size):
            sink.error(f"field '{field.name}' is {_describe(field)} here but {_describe(other)} in "
                       f"{other.pos}", field.pos)
    for field in reference.fields:
        if field.name not in ours:
            sink.error(f"field '{field.name}' ({field.pos}) is missing from this worksheet",
                       SourcePos(sheet.source.shown), "every edition's worksheet has the same fields")


def _describe(field: Field) -> str:
    if field.kind == "multiline":
        return f"multiline ({field.size} lines)"
    return f"{field.kind} (size {field.size})" if field.size else field.kind
