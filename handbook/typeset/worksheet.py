"""The worksheet's pages (A4 in the default theme), drawn with ReportLab, and where every blank landed.

Input: a :class:`sheet.Worksheet` and a :class:`Style`: the prepared fonts, the theme's colours and its
page geometry. Output: the PDF bytes
and one :class:`Placed` per field: its page, the rectangle of the printed blank (line, box, cell or
ruled area) and the baselines a value is written on. :mod:`forms` puts the form fields exactly there.

Every piece of text goes through the book's :class:`TextBlock`, so labels obey the same CJK rules as
the handbook. The page and its handwriting sizes are the theme's ``[worksheet]`` (:class:`SheetGeometry`,
on the :class:`Style` every flowable has): rows, ruled lines and table rows a line pitch apart (>= 8 mm),
checkboxes >= 4 mm; tables repeat their header on a new page. What the page cannot hold is found
before layout by :func:`fit.check_sheet_fit`, with these same flowables.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, replace
from typing import ClassVar

from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Flowable, Frame, KeepTogether, PageTemplate, Spacer

from ..model import Span
from .cjk import Run
from .flowables import Decoration, TextBlock
from .layout import FontFiles, Metrics
from .pages import pdf_time
from .styles import BlockSpec
from ..sheet import Area, Blank, Check, Checklist, Code, Field, Grid, Heading, Hint, Row, Worksheet
from .figures import FigureBlock
from .tagging import PAGINATION, Node, Tagger, artifact, finish, tagger_of
from ..theme import Theme, out_of_range


@dataclass(frozen=True)
class SheetGeometry:
    """The worksheet's page and handwriting sizes, all in pt, from the theme's ``[worksheet]`` (whose keys
    say mm or pt). Every flowable, the fit check and the form's values read them here."""

    width: float
    height: float
    margin: float  # left and right
    top: float
    bottom: float  # bottom of the text frame; the footer sits below it
    footer: float  # the footer's baseline above the paper's edge
    pitch: float  # handwriting line pitch: rows, ruled areas, table rows
    box: float  # checkbox side
    write_height: float  # height of a blank's form field above its line
    label: float  # label size; one underscore of a blank is one em of it
    small: float  # hints, tables, the footer
    field_font: float  # size of typed and pre-filled values
    cell_font: float  # the same in table cells
    underline: float  # the blank's line sits this far under the labels' baseline
    wide_gap: float  # ems between two fields of a row (a U+3000 in the source)
    narrow_gap: float  # ems between a label and its blank
    value_pad: float  # between a blank's ends and a value written in it
    min_cell: dict[str, float]  # the narrowest write-in table column, by field kind

    MIN_FRAME: ClassVar[float] = 100 * mm  # the text frame's least width and height: a few columns, a page of rows

    @property
    def footer_rule(self) -> float:
        """The height of the footer's rule above the paper's edge."""
        return self.footer + 4.2 * mm

    @property
    def measure(self) -> float:
        return self.width - 2 * self.margin

    @property
    def frame_height(self) -> float:
        return self.height - self.top - self.bottom

    @classmethod
    def from_theme(cls, theme: Theme) -> "SheetGeometry":
        """The theme's sizes in pt; ValueError, saying which keys, for a page the worksheet cannot be
        laid out on (a pitch under 8 mm, margins that leave no room, a footer in the text)."""
        values = theme.worksheet
        problems = out_of_range("worksheet", values)
        if problems:
            raise ValueError(problems[0][1])
        length = {key: values[key] * mm for key in values if key.endswith("_mm")}
        size = {key: float(values[key]) for key in values if not key.endswith("_mm")}
        geometry = cls(
            width=length["width_mm"], height=length["height_mm"], margin=length["margin_mm"], top=length["top_mm"],
            bottom=length["bottom_mm"], footer=length["footer_mm"], pitch=length["pitch_mm"], box=length["box_mm"],
            write_height=length["write_mm"], label=size["label_size"], small=size["small_size"],
            field_font=size["field_size"], cell_font=size["cell_size"], underline=size["underline"],
            wide_gap=size["wide_gap_em"], narrow_gap=size["narrow_gap_em"], value_pad=size["value_pad"],
            min_cell={kind: length[f"{kind}_cell_mm"] for kind in ("date", "money", "number", "checkbox", "text",
                                                                   "multiline")})
        geometry.check()
        return geometry

    def check(self) -> None:
        """ValueError for sizes that contradict each other."""
        least = self.MIN_FRAME / mm
        if min(self.measure, self.frame_height) < self.MIN_FRAME:
            raise ValueError(f"the worksheet's text frame is {self.measure / mm:.0f} × "
                             f"{self.frame_height / mm:.0f} mm on its {self.width / mm:g} × {self.height / mm:g} mm "
                             "page: it needs at least "
                             f"{least:g} × {least:g} mm (smaller [worksheet] margin_mm, top_mm, bottom_mm)")
        if self.footer_rule > self.bottom:
            raise ValueError(f"[worksheet] footer_mm is too high for bottom_mm: the footer's rule, "
                             f"{(self.footer_rule - self.footer) / mm:g} mm above its baseline, must be below the "
                             "text")
        if max(self.write_height, self.box) > self.pitch:
            raise ValueError("[worksheet] write_mm and box_mm must be at most pitch_mm: a blank's field or a "
                             "checkbox would reach into the line above")


@dataclass(frozen=True)
class Placed:
    """A field as printed: page (0-based), rectangle (x0, y0, x1, y1 in pt) and value baselines."""

    field: Field
    page: int
    rect: tuple[float, float, float, float]
    baselines: tuple[float, ...]
    size: float  # font size of values
    align: str = "left"
    obj: int = 0  # tagged PDF: the object number kept for its widget (0: none), and its /StructParent
    struct_parent: int = -1


@dataclass(frozen=True)
class Style:
    """Fonts, colours and the page's geometry: what the flowables share."""

    metrics: Metrics
    regular: str
    bold: str
    text: str
    accent: str
    muted: str
    rule: str
    shade: str
    geometry: SheetGeometry

    @classmethod
    def of(cls, fonts: FontFiles, theme: Theme) -> "Style":
        """The worksheet's style in ``theme`` (ValueError: see :meth:`SheetGeometry.from_theme`)."""
        geometry = SheetGeometry.from_theme(theme)
        metrics, colors = Metrics(fonts), theme.colors
        return cls(metrics, metrics.names["regular"], metrics.names["bold"], colors["text"], colors["accent"],
                   colors["muted"], colors["rule"], colors["shade"], geometry)

    def spec(self, size: float, bold: bool = False, color: str | None = None, align: str = "left",
             leading: float | None = None, **extra) -> BlockSpec:
        return BlockSpec("bold" if bold else "regular", size, leading or size * 1.45, color or self.text, align,
                         **extra)

    def runs(self, spans, spec: BlockSpec) -> list[Run]:
        out = []
        for span in spans:
            font = self.bold if spec.role == "bold" or "strong" in span.styles else self.regular
            marks = frozenset({"dots"}) if "em" in span.styles else frozenset()
            color = self.accent if "link" in span.styles else spec.color
            out.append(Run(span.text, font, spec.size, color, marks, span.href))
        return out

    def block(self, spans, spec: BlockSpec, deco: Decoration = Decoration()) -> TextBlock:
        return TextBlock(self.runs(spans, spec), spec, self.metrics.advance, deco)

    def width(self, spans, spec: BlockSpec) -> float:
        """Set width of text on one line."""
        lines = self.block(spans, replace(spec, align="left")).lines_for(1e6)
        return lines[0].width if lines else 0.0


class Recorder:
    """Collects where fields were drawn, in absolute page coordinates."""

    def __init__(self):
        self.placed: list[Placed] = []

    def add(self, canvas: Canvas, field: Field, x0, y0, x1, y1, baselines=(), align="left", *, size: float) -> None:
        ax0, ay0 = canvas.absolutePosition(x0, y0)
        ax1, ay1 = canvas.absolutePosition(x1, y1)
        shift = ay0 - y0
        self.placed.append(Placed(field, canvas.getPageNumber() - 1, (ax0, ay0, ax1, ay1),
                                  tuple(b + shift for b in baselines), size, align))


def form_id(field: Field) -> str:
    """The /ID of a field's Form structure element: forms.py puts the field's widget in it."""
    return "field:" + field.name


def _form(canvas: Canvas, path: tuple, field: Field) -> None:
    """The Form structure element of ``field``, where its blank is printed, with its widget's place
    (tagging only)."""
    tagger = tagger_of(canvas)
    if tagger is not None:
        tagger.reserve(canvas, path + (Node("Form", ID=form_id(field)),))


def _draw_label(canvas: Canvas, block: TextBlock, x: float, baseline: float) -> None:
    """Draw a one-line TextBlock with its first baseline at ``baseline``."""
    block.wrap(1e6, 1e6)
    block.drawOn(canvas, x, baseline - block.baseline(0))


# -- flowables ------------------------------------------------------------------------------------
class SectionBar(Flowable):
    """A section heading on a shaded band across the measure; a title too long for one line wraps."""

    PAD = 3.5 * mm  # from the band's left edge to the text

    def __init__(self, text: str, style: Style):
        super().__init__()
        self.style = style
        self.size = style.geometry.label + 1.5
        self.label = style.block((Span(text),), style.spec(self.size, bold=True)).tag((Node("H2"),))
        self.height = 8 * mm

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        _, text_height = self.label.wrap(avail_width - 2 * self.PAD, avail_height)
        self.height = max(8 * mm, text_height + 2 * mm)
        return avail_width, self.height

    def getSpaceBefore(self):
        return 5 * mm

    def getSpaceAfter(self):
        return 1.5 * mm

    def draw(self):
        canvas, style = self.canv, self.style
        with artifact(canvas):
            canvas.setFillColor(HexColor(style.shade))
            canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
            canvas.setFillColor(HexColor(style.accent))
            canvas.rect(0, 0, 1.4 * mm, self.height, stroke=0, fill=1)
        if self.label.height <= 8 * mm - 2 * mm:  # one line: its baseline where it always was
            _draw_label(canvas, self.label, self.PAD, self.height / 2 - 0.38 * self.size)
        else:
            self.label.drawOn(canvas, self.PAD, (self.height - self.label.height) / 2)


class Rule(Flowable):
    def __init__(self, color: str, thickness: float, space: float = 0.0):
        super().__init__()
        self.color, self.thickness, self.space = color, thickness, space

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, self.thickness + self.space

    def draw(self):
        with artifact(self.canv):
            self.canv.setStrokeColor(HexColor(self.color))
            self.canv.setLineWidth(self.thickness)
            self.canv.line(0, self.space, self.width, self.space)


@dataclass
class _Piece:
    kind: str  # 'text' | 'blank'
    width: float
    block: TextBlock | None = None
    field: Field | None = None
    stretch: bool = False


class FieldRow(Flowable):
    """Labels and blanks on handwriting lines. A wide space (U+3000) in the source separates fields.

    Two or three fields that fit share the line in equal columns, their last blank filling the
    column, so that the fields of consecutive rows line up; otherwise fields flow and wrap as units
    and the row's last blank runs to the right edge."""

    def __init__(self, row: Row, style: Style, recorder: Recorder):
        super().__init__()
        self.row, self.style, self.recorder = row, style, recorder
        self.spec = style.spec(style.geometry.label)
        self.indent = 1.6 * style.geometry.label if row.marker else 0.0
        self.lines: list[list[tuple[float, _Piece, float]]] = []
        self.struct: tuple = (Node("P"),)  # the paragraph of its labels, with a Form element for each blank

    def groups(self, measure: float) -> list[list[_Piece]]:
        groups: list[list[_Piece]] = [[]]
        em = self.style.geometry.label  # a blank is an em of the labels an underscore, and at most a line long
        for item in self.row.items:
            if isinstance(item, Blank):
                size = min(max(item.field.size, 3) * em, measure)
                groups[-1].append(_Piece("blank", size, field=item.field))
                continue
            parts = item.text.split("\u3000")
            for number, part in enumerate(parts):
                if number and groups[-1]:
                    groups.append([])
                text = part.strip(" ")
                if text:
                    block = self.style.block((Span(text, item.styles, item.href),), self.spec)
                    width = self.style.width((Span(text, item.styles),), self.spec)
                    if width <= measure:
                        groups[-1].append(_Piece("text", width, block))
                        continue
                    # longer than the line: one piece per line, broken by the book's line breaker
                    lines = block.lines_for(measure)
                    for line in lines:
                        piece = _Piece("text", line.width, TextBlock(block.runs, block.spec, block.advance,
                                                                     lines=[line]))
                        groups[-1].append(piece)
                        if line is not lines[-1]:
                            groups.append([])
        groups = [g for g in groups if g]
        if groups and groups[-1][-1].kind == "blank":
            groups[-1][-1].stretch = True
        return groups

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        measure = avail_width - self.indent
        groups = self.groups(measure)
        self.lines = self.columns(groups, measure) or self.flow(groups, measure)
        self.height = self.style.geometry.pitch * len(self.lines)
        return avail_width, self.height

    def columns(self, groups: list[list[_Piece]], measure: float) -> list | None:
        """One line of equal columns, or None when a field does not fit its column."""
        geometry = self.style.geometry
        gap, gutter = geometry.narrow_gap * geometry.label, geometry.wide_gap * geometry.label
        if not 2 <= len(groups) <= 3:
            return None
        column = (measure - gutter * (len(groups) - 1)) / len(groups)
        line = []
        for number, group in enumerate(groups):
            natural = sum(p.width for p in group) + gap * (len(group) - 1)
            blanks = [i for i, p in enumerate(group) if p.kind == "blank"]
            if natural > column or not blanks:
                return None
            x = number * (column + gutter)
            for index, piece in enumerate(group):
                width = piece.width + (column - natural if index == blanks[-1] else 0.0)
                line.append((x, piece, width))
                x += width + gap
        return [line]

    def flow(self, groups: list[list[_Piece]], measure: float) -> list:
        """Fields flow as units; a field wider than the line breaks between its pieces, never between a
        label and the blank after it ('Due date' at a line's end, its blank alone on the next)."""
        lines, line, x = [], [], 0.0
        geometry = self.style.geometry
        gap_wide, gap = geometry.wide_gap * geometry.label, geometry.narrow_gap * geometry.label
        for group in groups:
            need = sum(p.width for p in group) + gap * (len(group) - 1)
            start = x + gap_wide if line else 0.0
            if line and start + need > measure:
                lines.append(line)
                line, start = [], 0.0
            x = start
            for number, piece in enumerate(group):
                if number:
                    x += gap
                after = group[number + 1] if number + 1 < len(group) else None
                keep = piece.width + (gap + after.width if piece.kind == "text" and after and after.kind == "blank"
                                      else 0.0)
                if line and x + min(keep, measure) > measure + 0.01:
                    lines.append(line)
                    line, x = [], 0.0
                width = piece.width
                if piece.stretch:
                    width = max(measure - x, piece.width)
                line.append((x, piece, width))
                x += width
        if line:
            lines.append(line)
        return lines

    def draw(self):
        canvas, style, geometry = self.canv, self.style, self.style.geometry
        for number, line in enumerate(self.lines):
            rule_y = self.height - (number + 1) * geometry.pitch + 2.2 * mm
            baseline = rule_y + geometry.underline
            if number == 0 and self.row.marker:
                marker = style.block((Span(self.row.marker),), self.spec).tag(self.struct)
                _draw_label(canvas, marker, 0, baseline)
            for x, piece, width in line:
                x += self.indent
                if piece.kind == "text":
                    _draw_label(canvas, piece.block.tag(self.struct), x, baseline)
                    continue
                with artifact(canvas):
                    canvas.setStrokeColor(HexColor(style.text))
                    canvas.setLineWidth(0.6)
                    canvas.line(x, rule_y, x + width, rule_y)
                _form(canvas, self.struct, piece.field)
                self.recorder.add(canvas, piece.field, x, rule_y, x + width, rule_y + geometry.write_height,
                                  (rule_y + 2.6,), size=geometry.field_font)


class ChecklistBlock(Flowable):
    """Checkboxes in one to three columns; an item with a blank takes a whole row. A label too long for
    its column wraps (its row grows by a line pitch a line), and a long list splits between rows. A row is
    a box and 3.3 mm tall, so boxes keep their spacing whatever their size."""

    def __init__(self, checklist: Checklist, style: Style, recorder: Recorder):
        super().__init__()
        self.checklist, self.checks, self.style, self.recorder = checklist, checklist.checks, style, recorder
        self.spec = style.spec(style.geometry.label)
        self.row = style.geometry.box + 3.3 * mm
        self.cells: list[tuple[int, int, int, Check]] = []  # (row, column, span, check)
        self.row_heights: list[float] = []

    def item_width(self, check: Check) -> float:
        text = tuple(i for i in check.items if isinstance(i, Span))
        return self.style.geometry.box + 2 * mm + self.style.width(text, self.spec)

    def label(self, check: Check, span: int) -> FieldRow:
        """The label (and any blanks) of a checkbox, wrapped to its column."""
        inline = FieldRow(Row(check.items, check.field.pos), self.style, self.recorder)
        inline.wrap(self.width / self.columns * span - self.style.geometry.box - 2 * mm, self.style.geometry.pitch)
        return inline

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        simple = [self.item_width(c) for c in self.checks if not any(isinstance(i, Blank) for i in c.items)]
        widest = max(simple, default=0.0) + 6 * mm
        self.columns = max(1, min(3, int(avail_width // widest) if widest else 1))
        self.cells, row, col = [], 0, 0
        for check in self.checks:
            wide = any(isinstance(i, Blank) for i in check.items)
            if wide and col:
                row, col = row + 1, 0
            self.cells.append((row, col, self.columns if wide else 1, check))
            col += self.columns if wide else 1
            if col >= self.columns:
                row, col = row + 1, 0
        self.row_heights = [self.row] * (row + (1 if col else 0))
        for row, _, span, check in self.cells:
            extra = self.label(check, span).height - self.style.geometry.pitch
            self.row_heights[row] = max(self.row_heights[row], self.row + extra)
        self.height = sum(self.row_heights)
        return avail_width, self.height

    def split(self, avail_width, avail_height):
        """Whole rows on this page (at least one), the rest after."""
        self.wrap(avail_width, avail_height)
        used, fit = 0.0, 0
        for height in self.row_heights:
            if used + height > avail_height + 0.01:
                break
            used, fit = used + height, fit + 1
        if fit == 0 or fit == len(self.row_heights):
            return []
        first = [check for row, _, _, check in self.cells if row < fit]
        rest = self.checks[len(first):]
        pos = self.checklist.pos
        return [ChecklistBlock(Checklist(tuple(first), pos), self.style, self.recorder),
                ChecklistBlock(Checklist(tuple(rest), pos), self.style, self.recorder)]

    def draw(self):
        canvas, style, geometry = self.canv, self.style, self.style.geometry
        box = geometry.box
        column_width = self.width / self.columns
        tops = [self.height - sum(self.row_heights[:row]) for row in range(len(self.row_heights))]
        for row, col, span, check in self.cells:
            x = col * column_width
            baseline = tops[row] - self.row + 2.6 * mm
            box_y = baseline + 0.38 * geometry.label - box / 2
            with artifact(canvas):
                canvas.setStrokeColor(HexColor(style.text))
                canvas.setLineWidth(0.7)
                canvas.rect(x, box_y, box, box, stroke=1, fill=0)
            item = (Node("P"),)  # the box's Form element, then its label
            _form(canvas, item, check.field)
            self.recorder.add(canvas, check.field, x, box_y, x + box, box_y + box, (box_y,), "center",
                              size=geometry.field_font)
            inline = self.label(check, span)
            inline.struct = item
            # the label's first baseline on the checkbox row's baseline (FieldRow: rule 2.2 mm up a pitch)
            inline.drawOn(canvas, x + box + 2 * mm,
                          baseline - geometry.underline - 2.2 * mm - (inline.height - geometry.pitch))


class RuledArea(Flowable):
    """``lines`` ruled handwriting lines across the measure: one multi-line field."""

    def __init__(self, area: Area, style: Style, recorder: Recorder):
        super().__init__()
        self.field, self.style, self.recorder = area.field, style, recorder

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        self.height = self.field.size * self.style.geometry.pitch
        return avail_width, self.height

    def getSpaceAfter(self):
        return 2 * mm

    def draw(self):
        canvas = self.canv
        geometry = self.style.geometry
        rules = [self.height - (n + 1) * geometry.pitch for n in range(self.field.size)]
        with artifact(canvas):
            canvas.setStrokeColor(HexColor(self.style.rule))
            canvas.setLineWidth(0.5)
            for y in rules:
                canvas.line(0, y, self.width, y)
        _form(canvas, (), self.field)
        self.recorder.add(canvas, self.field, 0, rules[-1], self.width, self.height, tuple(y + 2.6 for y in rules),
                          size=geometry.field_font)


class GridTable(Flowable):
    """A table with write-in cells; it splits between rows and repeats its header."""

    PAD = 1.6 * mm

    def __init__(self, grid: Grid, style: Style, recorder: Recorder, rows: range | None = None,
                 nodes: tuple | None = None):
        super().__init__()
        self.grid, self.style, self.recorder = grid, style, recorder
        self.nodes = nodes or (Node("Table"), Node("THead"), Node("TBody"))  # shared by the pieces of a split
        self.rows = rows if rows is not None else range(len(grid.rows))
        small = style.geometry.small
        self.head_spec = style.spec(small, bold=True, leading=small * 1.35)
        self.cell_spec = style.spec(small + 0.4, leading=(small + 0.4) * 1.35)
        self.widths: list[float] = []

    def column_widths(self, total: float) -> list[float]:
        min_cell = self.style.geometry.min_cell
        natural = []
        for index, column in enumerate(self.grid.columns):
            kind = "multiline" if column.lines > 1 else column.kind
            printed = [self.style.width(row[index], self.cell_spec) for row in self.grid.rows
                       if index < len(row) and not isinstance(row[index], Field)]
            writes = any(isinstance(row[index], Field) for row in self.grid.rows if index < len(row))
            head = self.style.width(column.header, self.head_spec)
            floor = min_cell[kind] if writes else 0.0
            natural.append(max(head + 2 * self.PAD, max(printed, default=0) + 2 * self.PAD, floor))
        writes = [any(isinstance(row[i], Field) for row in self.grid.rows if i < len(row))
                  for i in range(len(self.grid.columns))]
        weights = [column.lines * (1.5 if column.kind == "text" else 1.0) if write else 0.3
                   for column, write in zip(self.grid.columns, writes)]
        spare = total - sum(natural)
        if spare >= 0:
            return [n + spare * w / sum(weights) for n, w in zip(natural, weights)]
        floors = [min(n, min_cell["number"]) for n in natural]  # shrink, wrapping headers, to the floor
        give = [n - f for n, f in zip(natural, floors)]
        scale = min(1.0, -spare / max(sum(give), 1e-6))
        return [n - g * scale for n, g in zip(natural, give)]

    def head_blocks(self) -> list[TextBlock]:
        """Headers centred over write-in columns, aligned like the text of printed columns."""
        out = []
        for index, column in enumerate(self.grid.columns):
            writes = any(isinstance(row[index], Field) for row in self.grid.rows if index < len(row))
            align = "center" if writes else column.align or "left"
            out.append(self.style.block(column.header, replace(self.head_spec, align=align)))
        return out

    def measure(self, width: float) -> None:
        self.widths = self.column_widths(width)
        self.heads = self.head_blocks()
        head_lines = max(len(b.lines_for(w - 2 * self.PAD)) for b, w in zip(self.heads, self.widths))
        self.head_height = max(8 * mm, head_lines * self.head_spec.leading + 2 * self.PAD)
        self.row_heights = [self.row_height(self.grid.rows[r]) for r in range(len(self.grid.rows))]

    def row_height(self, row) -> float:
        lines = max(c.lines for c in self.grid.columns)
        height = self.style.geometry.pitch * lines
        for cell, width in zip(row, self.widths):
            if not isinstance(cell, Field):
                block = self.style.block(cell, self.cell_spec)
                height = max(height, len(block.lines_for(width - 2 * self.PAD)) * self.cell_spec.leading
                             + 2 * self.PAD)
        return height

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        self.measure(avail_width)
        self.height = self.head_height + sum(self.row_heights[r] for r in self.rows)
        return avail_width, self.height

    def split(self, avail_width, avail_height):
        self.measure(avail_width)
        used, fit = self.head_height, 0
        for r in self.rows:
            if used + self.row_heights[r] > avail_height + 0.01:
                break
            used += self.row_heights[r]
            fit += 1
        if len(self.rows) - fit < 2 and fit > 2:  # leave at least two rows for the next page
            fit = max(2, len(self.rows) - 2)
        geometry = self.style.geometry
        if fit < 2 and not (fit == 1 and avail_height > geometry.frame_height - geometry.pitch):
            return []  # a header with one row is not worth a page bottom; on a page of its own, it must do
        first = self.rows.start
        return [GridTable(self.grid, self.style, self.recorder, range(first, first + fit), self.nodes),
                GridTable(self.grid, self.style, self.recorder, range(first + fit, self.rows.stop), self.nodes)]

    def getSpaceBefore(self):
        return 1.5 * mm

    def getSpaceAfter(self):
        return 3 * mm

    def draw(self):
        canvas, style = self.canv, self.style
        xs = [0.0]
        for width in self.widths:
            xs.append(xs[-1] + width)
        top = self.height
        with artifact(canvas):
            canvas.setFillColor(HexColor(style.shade))
            canvas.rect(0, top - self.head_height, self.width, self.head_height, stroke=0, fill=1)
        table, head, body = self.nodes
        with artifact(canvas, PAGINATION) if self.rows.start else _Nothing():  # a header repeated on a new page
            row = (table, head, Node("TR"))
            for block, x, width in zip(self.heads, xs, self.widths):
                block.tag(row + (Node("TH", Scope="Column"),))
                block.wrap(width - 2 * self.PAD, self.head_height)
                block.drawOn(canvas, x + self.PAD, top - self.head_height / 2 - block.height / 2)
        y = top - self.head_height
        edges = [top, y]
        for r in self.rows:
            height = self.row_heights[r]
            self.draw_row(self.grid.rows[r], xs, y - height, height, (table, body, Node("TR")))
            y -= height
            edges.append(y)
        with artifact(canvas):
            self.draw_rules(edges, xs, top)

    def draw_rules(self, edges, xs, top) -> None:
        canvas, style = self.canv, self.style
        canvas.setStrokeColor(HexColor(style.muted))
        canvas.setLineWidth(0.45)
        for edge in edges[2:-1]:
            canvas.line(0, edge, self.width, edge)
        for x in xs[1:-1]:
            canvas.line(x, 0, x, top)
        canvas.setStrokeColor(HexColor(style.text))
        canvas.setLineWidth(0.9)
        canvas.rect(0, 0, self.width, top, stroke=1, fill=0)
        canvas.line(0, top - self.head_height, self.width, top - self.head_height)

    def draw_row(self, row, xs, bottom: float, height: float, path: tuple = ()) -> None:
        canvas, style, geometry = self.canv, self.style, self.style.geometry
        box, pitch = geometry.box, geometry.pitch
        lines = max(c.lines for c in self.grid.columns)
        if any(not isinstance(c, Field) and c and all("strong" in s.styles for s in c) for c in row):
            with artifact(canvas):
                canvas.setFillColor(HexColor(_lighter(style.shade)))  # a total: a row in bold is tinted
                canvas.rect(0, bottom, self.width, height, stroke=0, fill=1)
        for index, cell in enumerate(row):
            x0, x1 = xs[index], xs[index + 1]
            column = self.grid.columns[index]
            td = path + (Node("TD"),)
            if not isinstance(cell, Field):
                block = style.block(cell, replace(self.cell_spec, align=column.align or "left")).tag(td)
                block.wrap(x1 - x0 - 2 * self.PAD, height)
                block.drawOn(canvas, x0 + self.PAD, bottom + height / 2 - block.height / 2)
                continue
            _form(canvas, td, cell)
            if cell.kind == "checkbox":
                bx, by = (x0 + x1 - box) / 2, bottom + (height - box) / 2
                with artifact(canvas):
                    canvas.setStrokeColor(HexColor(style.text))
                    canvas.setLineWidth(0.7)
                    canvas.rect(bx, by, box, box, stroke=1, fill=0)
                self.recorder.add(canvas, cell, bx, by, bx + box, by + box, (by,), "center", size=geometry.field_font)
                continue
            if lines > 1:  # faint guides between the handwriting lines of a tall row
                with artifact(canvas):
                    canvas.setStrokeColor(HexColor(style.rule))
                    canvas.setLineWidth(0.3)
                    canvas.setDash([0.8, 1.6], 0)
                    for n in range(1, lines):
                        canvas.line(x0 + self.PAD, bottom + n * pitch, x1 - self.PAD, bottom + n * pitch)
                    canvas.setDash([], 0)
            baselines = tuple(bottom + (lines - n - 1) * pitch + 2.4 * mm for n in range(max(cell.size, 1)))
            align = "right" if column.align == "right" else "left"
            self.recorder.add(canvas, cell, x0, bottom, x1, bottom + height, baselines, align, size=geometry.cell_font)


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


def _lighter(color: str) -> str:
    """Half-way between a colour and white."""
    channels = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{(c + 255) // 2:02x}" for c in channels)


# -- pages ----------------------------------------------------------------------------------------
def _footer_canvas(title: str, page_format: str, style: Style, lang: str = "", tagger: Tagger | None = None,
                   epoch: int | None = None):
    """A canvas that numbers pages 'x of y' once it knows y (it holds pages until save)."""
    geometry = style.geometry

    class FooterCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            kwargs.update(initialFontName=style.regular, initialFontSize=geometry.small)
            super().__init__(*args, **kwargs)
            pdf_time(self, epoch)
            self._pages: list[dict] = []
            self.tagger = tagger

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            finish(self, lang, self.tagger)
            super().save()

        def _footer(self, total: int) -> None:
            with artifact(self, PAGINATION):
                self._draw_footer(total)

        def _draw_footer(self, total: int) -> None:
            left, right, baseline = geometry.margin, geometry.width - geometry.margin, geometry.footer
            self.saveState()
            self.setStrokeColor(HexColor(style.rule))
            self.setLineWidth(0.4)
            self.line(left, geometry.footer_rule, right, geometry.footer_rule)
            self.setFillColor(HexColor(style.muted))
            self.setFont(style.regular, geometry.small)
            self.drawString(left, baseline, title)
            self.drawRightString(right, baseline, page_format % {"page": self._pageNumber, "pages": total})
            self.restoreState()

    return FooterCanvas


def story(sheet: Worksheet, style: Style, recorder: Recorder) -> list:
    """The worksheet's blocks as flowables. Headings, the label above a block and the items of a
    numbered list are kept with what follows them; a table may split, after its header and rows."""
    out: list = []
    chain: list = []  # flowables waiting to be kept with the next block
    blocks = list(sheet.blocks)
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        made = flowable(block, style, recorder)
        if isinstance(block, Heading) and block.level == 1:
            out += [made, Rule(style.accent, 1.4, 0), Spacer(1, 3 * mm)]
        elif _keeps_with_next(block, following):
            chain.append(made)
        elif chain and isinstance(block, Grid):
            out += [CondPageBreak(_lead(chain, made, style.geometry)), *chain, made]
            chain = []
        elif chain:
            out.append(KeepTogether(chain + [made]))
            chain = []
        else:
            out.append(made)
    return out + chain


def _lead(chain: list, table: GridTable, geometry: SheetGeometry) -> float:
    """The height of what leads into a table (its heading, its label) with the table's header and first
    two rows: where less is left, they start the next page together."""
    width, height = geometry.measure, geometry.frame_height
    lead = sum(f.wrap(width, height)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in chain)
    table.measure(width)
    return lead + table.getSpaceBefore() + table.head_height + sum(table.row_heights[:2])


def _keeps_with_next(block, following) -> bool:
    if following is None:
        return False
    if isinstance(block, Heading):
        return True
    if isinstance(block, Row) and not block.blanks:
        return not isinstance(following, Heading)
    return isinstance(block, Row) and bool(block.marker) and isinstance(following, Row) and bool(following.marker)


def flowable(block, style: Style, recorder: Recorder) -> Flowable:
    label, small = style.geometry.label, style.geometry.small
    if isinstance(block, Heading):
        if block.level == 1:
            return style.block((Span(block.text),), style.spec(19, bold=True, leading=26)).tag((Node("H1"),))
        if block.level == 2:
            return SectionBar(block.text, style)
        spec = style.spec(label + 0.5, bold=True, leading=style.geometry.pitch * 0.9, space_before=2 * mm)
        return style.block((Span(block.text),), spec).tag((Node("H3"),))
    if isinstance(block, Row):
        if block.blanks:
            return FieldRow(block, style, recorder)
        spec = style.spec(label, leading=7 * mm, align="justify", space_before=1.5 * mm)
        if block.marker:
            return style.block(block.items, replace(spec, left_indent=1.6 * label), Decoration(label=block.marker))
        return style.block(block.items, spec)
    if isinstance(block, Hint):
        spec = style.spec(small + 0.2, color=style.muted, align="justify", leading=(small + 0.2) * 1.6,
                          left_indent=3.2 * mm, space_before=1 * mm, space_after=2 * mm)
        return style.block(block.items, spec, Decoration(bar=True))
    if isinstance(block, Checklist):
        return ChecklistBlock(block, style, recorder)
    if isinstance(block, Area):
        return RuledArea(block, style, recorder)
    if isinstance(block, Grid):
        return GridTable(block, style, recorder)
    if isinstance(block, Code):  # a QR code with its caption and address beside it
        caption = style.block((Span(block.figure.caption),), style.spec(label, bold=True, space_after=1 * mm)) \
            if block.figure.caption else None
        url = style.block((Span(block.asset.path),), style.spec(small + 0.5, color=style.muted))
        return FigureBlock(block.figure, block.asset, caption, url, (style.regular, style.bold),
                           style.geometry.frame_height, 2 * mm).structure(())
    raise TypeError(f"no flowable for {type(block).__name__}")


def typeset(sheet: Worksheet, style: Style, meta: dict) -> tuple[bytes, list[Placed]]:
    """Lay the worksheet out on the pages of ``style.geometry``; return the PDF and every field's printed
    place. (Check it first with :func:`fit.check_sheet_fit`: ReportLab stops on what a page cannot hold.)"""
    geometry = style.geometry
    recorder = Recorder()
    buffer = io.BytesIO()
    frame = Frame(geometry.margin, geometry.bottom, geometry.measure, geometry.frame_height, 0, 0, 0, 0, id="sheet")
    doc = BaseDocTemplate(buffer, pagesize=(geometry.width, geometry.height), leftMargin=geometry.margin,
                          rightMargin=geometry.margin, topMargin=geometry.top,
                          bottomMargin=geometry.bottom, title=sheet.title, author=meta.get("author", ""),
                          subject=meta.get("subject", ""), creator="handbook", producer="handbook (ReportLab)",
                          lang=meta.get("lang", ""), invariant=1)
    doc.addPageTemplates([PageTemplate(id="sheet", frames=[frame])])
    tagger = Tagger(meta.get("lang", ""))
    doc.build(story(sheet, style, recorder),
              canvasmaker=_footer_canvas(sheet.title, sheet.strings["page"], style, meta.get("lang", ""), tagger,
                                         meta.get("epoch")))
    placed = []
    for item in recorder.placed:
        obj, key = tagger.reserved.get(form_id(item.field), (0, -1))
        placed.append(replace(item, obj=obj, struct_parent=key))
    return buffer.getvalue(), placed
