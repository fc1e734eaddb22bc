"""ReportLab flowables that draw text laid out by :mod:`cjk`.

:class:`TextBlock` is the one paragraph flowable of the book: body text, list items, quotes, notes,
table cells, TOC entries and headings all go through it, so every line obeys the same rules. It
splits between pages by whole lines and never leaves a lone line at the top or bottom of a page.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Sequence

from reportlab.lib.colors import HexColor
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.platypus import Flowable

from .cjk import Advance, Line, Run
from .paragraph import layout_paragraph
from .linecache import LineCache
from .styles import BlockSpec
from .tagging import PAGINATION, Node, artifact, link, tagged, tagger_of

SLANT = 0.2  # tan 11.3°: the slant of emphasised Latin text (Chinese text gets emphasis dots instead)
ASCENT = 0.88  # CJK em box: the baseline sits 0.88 em below the top of the em box
MIN_LINES = 2  # lines kept together at the bottom and top of a page when a paragraph splits



def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode CMap, but with characters outside the BMP (𠮷, U+20BB7) written as UTF-16
    surrogate pairs (ReportLab 5.1 writes ``<20BB7>``, an odd-length code that readers reject, so such
    characters vanished from the PDF's text: found by tests/test_fuzz.py), without entries for U+0000 (the
    subset's .notdef slot), U+FEFF and U+FFFE (PDF/UA and PDF/A forbid them), in blocks of at most 100."""
    entries = [f"<{i:02X}> <{chr(code).encode('utf-16-be').hex().upper()}>"
               for i, code in enumerate(subset) if code not in (0, 0xFEFF, 0xFFFE)]
    blocks = []
    for start in range(0, len(entries), 100):
        chunk = entries[start:start + 100]
        blocks += [f"{len(chunk)} beginbfchar", *chunk, "endbfchar"]
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
        f"<< /Registry ({fontname})", f"/Ordering ({fontname})", "/Supplement 0", ">> def",
        f"/CMapName /{fontname} def", "/CMapType 2 def", "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange", *blocks, "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"])


if not hasattr(ttfonts, "_handbook_original_cmap"):
    ttfonts._handbook_original_cmap = ttfonts.makeToUnicodeCMap
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap


@dataclass(frozen=True)
class Decoration:
    """What a block draws besides its text."""

    label: str = ""  # list marker drawn in the hanging indent of the first line
    checkbox: str = ""  # task list items: "open" or "done", a square (ticked when done) instead of a label
    bar: bool = False  # a quote bar in the left indent
    bar_at: float | None = None  # the bar's x when it is not in this block's own indent (a list in a quote)
    shade: str | None = None  # background colour (code blocks)
    anchor: str = ""  # heading: bookmark key
    outline_level: int = -1  # heading: outline level (-1: not in the outline)
    outline_title: str = ""
    chapter: str = ""  # heading that opens a chapter: its running-head title
    page_ref: str = ""  # TOC entry: the anchor whose page number is printed at the right
    page_digits: int = 2  # TOC entry: digits of the book's page numbers (the leader stops before them)

    def continued(self) -> "Decoration":
        """What the rest of a block split over pages draws: its bar and shade, not its label or anchor."""
        return Decoration(bar=self.bar, bar_at=self.bar_at, shade=self.shade)


class TextBlock(Flowable):
    """A paragraph: lines from :func:`paragraph.layout_paragraph`, drawn with PDF character spacing."""

    def __init__(self, runs: Sequence[Run], spec: BlockSpec, advance: Advance, deco: Decoration = Decoration(),
                 lines: list[Line] | None = None, first: bool = True, last: bool = True,
                 cache: LineCache | None = None):
        super().__init__()
        self.runs = tuple(runs)  # fixed: the line cache knows a paragraph's key by this object
        self.spec = spec
        self.advance = advance
        self.deco = deco
        self.cache = cache  # layouts of earlier builds
        self._lines = lines
        self._laid_width = None
        self.first = first  # this fragment holds the paragraph's first line
        self.last = last
        self.width = self.height = 0.0
        self.note_budget = None  # set by a NoteFrame while it splits this block: lines -> height of their notes
        self.struct: tuple[Node, ...] = (Node("P"),)  # the structure element its text belongs to (tagging.py)
        self.label_struct: tuple[Node, ...] | None = None  # the Lbl element of its label (list items, notes)
        self.link_nodes: dict[str, Node] = {}  # href -> the Link element of its text

    def tag(self, struct: tuple[Node, ...], label: tuple[Node, ...] | None = None) -> "TextBlock":
        self.struct, self.label_struct = struct, label
        return self

    def _share(self, piece: "TextBlock") -> "TextBlock":
        piece.struct, piece.label_struct, piece.link_nodes = self.struct, self.label_struct, self.link_nodes
        return piece

    def link_path(self, run: Run) -> tuple[Node, ...]:
        node = self.link_nodes.get(run.href)
        if node is None:
            node = self.link_nodes[run.href] = Node("Link")
        return self.struct + (node,)

    # -- layout ------------------------------------------------------------------------------
    def lines_for(self, width: float) -> list[Line]:
        if self._lines is not None and (self._laid_width is None or abs(self._laid_width - width) < 0.01):
            return self._lines
        settings = self.settings(width)
        compute = lambda: layout_paragraph(self.runs, self.advance, *settings)  # noqa: E731
        self._lines = self.cache.lines(self.runs, settings, compute) if self.cache else compute()
        self._laid_width = width
        return self._lines

    def settings(self, width: float) -> tuple:
        """(measure, first-line indent, alignment, punctuation style) of this block at ``width``."""
        spec = self.spec
        return (width - spec.left_indent - spec.right_indent, spec.first_indent if self.first else 0.0,
                spec.align, spec.compress)

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        self.height = len(self.lines_for(avail_width)) * self.spec.leading
        return self.width, self.height

    def getSpaceBefore(self):
        return self.spec.space_before if self.first else 0.0

    def getSpaceAfter(self):
        return self.spec.space_after if self.last else 0.0

    def split(self, avail_width, avail_height):
        lines = self.lines_for(avail_width)
        fit = int((avail_height + 0.01) // self.spec.leading)
        fit = min(fit, len(lines) - MIN_LINES)
        if self.note_budget is not None:  # the lines placed here bring their foot notes along
            while fit >= MIN_LINES and fit * self.spec.leading + self.note_budget(lines[:fit]) > avail_height + 0.01:
                fit -= 1
        if self.deco.outline_level >= 0 or len(lines) < 2 * MIN_LINES or fit < MIN_LINES:
            return []
        head = TextBlock(self.runs, self.spec, self.advance, self.deco, lines[:fit], self.first, False)
        tail_deco = self.deco.continued()
        tail = TextBlock(self.runs, self.spec, self.advance, tail_deco, lines[fit:], False, self.last)
        head._laid_width = tail._laid_width = avail_width
        return [self._share(head), self._share(tail)]

    def fragment(self, start: int, end: int, count: int) -> "TextBlock":
        """Lines ``start`` to ``end`` (of ``count``) of this block, laid out already (a note split over pages)."""
        lines = self.lines_for(self._laid_width or self.width)
        deco = self.deco if start == 0 else self.deco.continued()
        piece = TextBlock(self.runs, self.spec, self.advance, deco, lines[start:end], start == 0, end == count)
        piece._laid_width = self._laid_width
        return self._share(piece)

    # -- drawing -----------------------------------------------------------------------------
    def draw(self):
        tagger = tagger_of(self.canv)
        if tagger is not None and not tagger.first_drawing(self):  # a table's header, repeated on a new page
            with artifact(self.canv, PAGINATION):
                self._draw(None)
        else:
            self._draw(tagger)

    def _draw(self, tagger):
        canvas = self.canv
        lines = self.lines_for(self.width)
        deco = self.deco
        if deco.shade or deco.bar:
            with artifact(canvas):
                self._draw_background()
        if self.first:
            self._draw_label()  # before the text, so that extracted text reads label first
        if tagger is not None and self.first:
            tagger.element(self.struct, canvas.getPageNumber())  # an empty table cell is an element too
        self._draw_lines(lines, tagger)
        marked = [(line, number) for number, line in enumerate(lines) if any(p.run.marks for p in line.pieces)]
        if marked:
            with artifact(canvas):
                for line, number in marked:
                    self._decorate_line(line, self.baseline(number))
            for line, number in marked:
                self._link_line(line, self.baseline(number))
        if self.first:
            self._register_heading()
        if deco.page_ref and lines:
            self._draw_page_ref(lines[-1], self.baseline(len(lines) - 1))

    def _draw_background(self):
        canvas, spec, deco = self.canv, self.spec, self.deco
        if deco.shade:
            canvas.setFillColor(HexColor(deco.shade))
            canvas.rect(spec.left_indent - spec.size * 0.4, 0, self.width - spec.left_indent + spec.size * 0.4,
                        self.height, stroke=0, fill=1)
        if deco.bar:
            canvas.setStrokeColor(HexColor("#999999"))
            canvas.setLineWidth(1.2)
            x = spec.left_indent - spec.size * 0.9 if deco.bar_at is None else deco.bar_at
            canvas.line(x, spec.leading * 0.15, x, self.height - spec.leading * 0.15)

    def _draw_lines(self, lines: list[Line], tagger=None):
        """One text object for the block, written as PDF operators: font, colour, spacing and scale are
        set only when they change. (ReportLab's text object costs 15 µs a piece in Python overhead, half
        the drawing time of a book; the operators are the same it writes.)"""
        canvas, spec = self.canv, self.spec
        doc = canvas._doc  # the PDF document: TrueType subsets are numbered per document
        ops = [] if tagger is not None else ["BT"]
        current = None  # tagging: the path whose marked content is open (outside the text object)
        font_state, color_state, space_state, scale_state = None, None, 0.0, 1.0
        selects: dict[tuple, str] = {}  # (font, size, subset) -> its Tf operator
        log = getattr(canvas, "line_log", None)
        notes = getattr(getattr(canvas, "_doctemplate", None), "notes", None)
        for number, line in enumerate(lines):
            baseline = self.baseline(number)
            x0 = spec.left_indent + line.offset
            for piece in line.pieces:
                run = piece.run
                if tagger is not None:
                    target = self.link_path(run) if "link" in run.marks and run.href else self.struct
                    if "sup" in run.marks and run.href and run.href.startswith(NOTE_PREFIX):
                        target = target + (Node("Reference"),)  # a note's number: refers to the Note element
                    elif tagger.latin and _LATIN_WORD.search(piece.text) and _latin(piece.text):
                        target = target + (Node("Span", Lang=tagger.latin),)  # a change of language
                    if target != current:
                        if current is not None:
                            ops += ["ET", "EMC"]
                        ops += [tagger.begin(canvas, target), "BT"]
                        current = target
                if "pageref" in run.marks:  # a cross-reference's page number: a form, in reading order
                    ops.append("ET")
                    canvas.addLiteral("\n".join(ops))
                    canvas.saveState()
                    canvas.translate(x0 + piece.x + piece.width / 2, baseline + run.rise)
                    canvas.doForm(xref_form(run.href[1:], run.size))
                    canvas.restoreState()
                    ops = ["BT"]  # text state (font, spacing, colour) outlives the text object
                    continue
                slant = SLANT if "dots" in run.marks and _latin(piece.text) else 0  # Latin emphasis: oblique
                ops.append(f"1 0 {fp_str(slant)} 1 {fp_str(x0 + piece.x, baseline + run.rise)} Tm")
                if run.color != color_state:
                    color = HexColor(run.color)
                    ops.append(f"{fp_str(color.red, color.green, color.blue)} rg")
                    color_state = run.color
                if piece.char_space != space_state:
                    ops.append(f"{fp_str(piece.char_space)} Tc")
                    space_state = piece.char_space
                if piece.scale != scale_state:
                    ops.append(f"{fp_str(piece.scale * 100)} Tz")
                    scale_state = piece.scale
                font = pdfmetrics.getFont(run.font)
                text = piece.text
                if "sup" in run.marks and notes is not None and run.href in notes.numbers:
                    text = notes.numbers[run.href]  # numbered per page: the number the page gave the note
                for subset, data in font.splitString(text, doc):
                    key = (run.font, run.size, subset)
                    if key != font_state:
                        select = selects.get(key)
                        if select is None:
                            select = selects[key] = f"{font.getSubsetInternalName(subset, doc)} {fp_str(run.size)} Tf"
                        ops.append(select)
                        font_state = key
                    ops.append(f"({escapePDF(data)}) Tj")
            if log is not None:
                self._log_line(log, line, number, len(lines), baseline)
        if tagger is None:
            ops.append("ET")
        elif current is not None:
            ops += ["ET", "EMC"]
        if ops:
            canvas.addLiteral("\n".join(ops))

    def _log_line(self, log: list, line: Line, number: int, count: int, baseline: float):
        """For tests and diagnostics: where each line went, and whether it had to be justified."""
        spec, canvas = self.spec, self.canv
        left = spec.left_indent + line.offset
        x, y = canvas.absolutePosition(left, baseline)
        right, _ = canvas.absolutePosition(self.width - spec.right_indent, baseline)
        log.append({
            "page": canvas.getPageNumber(), "baseline": y, "left": x, "right": x + line.width,
            "measure_right": right, "justified": line.justified, "size": spec.size, "align": spec.align,
            "compress": spec.compress, "source": "".join(run.text for run in self.runs),
            "heading": self.deco.outline_level >= 0,
            "paragraph": id(self.runs), "first": self.first and number == 0, "last": self.last and number == count - 1,
            "text": "".join(p.text for p in line.pieces),
            "pagerefs": _pagerefs(line),  # cross-references' page numbers: filled in when the PDF is saved
        })

    def baseline(self, number: int) -> float:
        spec = self.spec
        top = self.height - number * spec.leading
        return top - (spec.leading - spec.size) / 2 - ASCENT * spec.size

    def _decorate_line(self, line: Line, baseline: float):
        canvas, spec = self.canv, self.spec
        x0 = spec.left_indent + line.offset
        code_box = None  # [run, left, right]: the words of one code span on this line share one box
        for piece in line.pieces:
            marks = piece.run.marks
            if code_box and code_box[0] is not piece.run:
                self._draw_code_box(*code_box[1:], code_box[0].size, baseline)
                code_box = None
            if not marks:
                continue
            x = x0 + piece.x
            width = piece.width + piece.char_space * max(0, len(piece.text) - 1)
            size = piece.run.size
            if "dots" in marks and not _latin(piece.text):  # 着重号: a dot under each character
                canvas.setFillColor(HexColor(piece.run.color))
                cursor = x
                for char in piece.text:
                    advance = self.advance(char, piece.run.font, size)
                    canvas.circle(cursor + advance / 2, baseline - 0.26 * size, 0.075 * size, stroke=0, fill=1)
                    cursor += advance + piece.char_space
            if "code" in marks:
                code_box = [piece.run, code_box[1] if code_box else x, x + width]
        if code_box:
            self._draw_code_box(*code_box[1:], code_box[0].size, baseline)

    def _draw_code_box(self, left: float, right: float, size: float, baseline: float):
        canvas = self.canv
        canvas.setStrokeColor(HexColor("#bbbbbb"))
        canvas.setLineWidth(0.4)
        canvas.roundRect(left - 1, baseline - 0.2 * size, right - left + 2, 1.1 * size, 1.5, stroke=1, fill=0)

    def _link_line(self, line: Line, baseline: float):
        canvas, spec = self.canv, self.spec
        x0 = spec.left_indent + line.offset
        for piece in line.pieces:
            if "link" in piece.run.marks and piece.run.href:
                x = x0 + piece.x
                width = piece.width + piece.char_space * max(0, len(piece.text) - 1)
                size = piece.run.size
                box = (x, baseline - 0.15 * size, x + width, baseline + 0.85 * size)
                text = "".join(run.text for run in self.runs if run.href == piece.run.href)
                if piece.run.href.startswith("#"):  # a cross-reference: to the page of the heading
                    link(canvas, tagger_of(canvas), self.link_path(piece.run), box, dest=piece.run.href[1:],
                         contents=text)
                else:
                    link(canvas, tagger_of(canvas), self.link_path(piece.run), box, url=piece.run.href,
                         contents=f"{text} ({piece.run.href})" if text != piece.run.href else text)

    def _draw_label(self):
        deco, spec, canvas = self.deco, self.spec, self.canv
        if not (deco.label or deco.checkbox):
            return
        baseline = self.baseline(0)
        if deco.checkbox:
            side = spec.size * 0.8
            with artifact(canvas):
                canvas.setStrokeColor(HexColor(spec.color))
                canvas.setLineWidth(0.7)
                x, y = spec.left_indent - spec.size * 1.45, baseline - 0.1 * spec.size
                canvas.rect(x, y, side, side, stroke=1, fill=0)
                if deco.checkbox == "done":  # '- [x]': a tick in the square
                    canvas.setLineWidth(1.0)
                    tick = canvas.beginPath()
                    tick.moveTo(x + side * 0.2, y + side * 0.5)
                    tick.lineTo(x + side * 0.42, y + side * 0.25)
                    tick.lineTo(x + side * 0.82, y + side * 0.78)
                    canvas.drawPath(tick, stroke=1, fill=0)
            return
        font = self._label_font()
        canvas.setFillColor(HexColor(spec.color))
        canvas.setFont(font, spec.size)
        with tagged(canvas, self.label_struct or self.struct):
            canvas.drawRightString(spec.left_indent - spec.size * 0.4, baseline, deco.label)

    def _label_font(self) -> str:
        return self.runs[0].font if self.runs else "Helvetica"

    def _register_heading(self):
        deco = self.deco
        if not deco.anchor:
            return
        canvas = self.canv
        canvas.bookmarkHorizontal(deco.anchor, 0, self.height + self.spec.space_before)
        if deco.outline_level >= 0:
            # PDF outlines nest one level at a time: a skipped heading level (# then ###, reported by the
            # model) nests one below the previous entry instead of failing the build.
            level = min(deco.outline_level, getattr(canvas, "outline_depth", -1) + 1)
            canvas.outline_depth = level
            canvas.addOutlineEntry(deco.outline_title, deco.anchor, level, closed=level > 0)
        doc = getattr(canvas, "_doctemplate", None)
        if doc is not None and hasattr(doc, "note_heading"):
            doc.note_heading(deco.anchor, deco.chapter)

    def _draw_page_ref(self, line: Line, baseline: float):
        canvas, spec = self.canv, self.spec
        right = self.width
        end = spec.left_indent + line.offset + line.width + spec.size * 0.5
        end = math.ceil(end / LEADER_STEP) * LEADER_STEP  # on one grid: the dots of every entry line up
        start_numbers = right - spec.size * (DIGIT_EM * self.deco.page_digits + 0.6)  # the widest number, a gap
        start_numbers = math.floor(start_numbers / LEADER_STEP) * LEADER_STEP + 0.6  # ends on a dot of the grid
        if start_numbers > end:
            with artifact(canvas):  # the dotted leader
                canvas.saveState()
                canvas.setStrokeColor(HexColor("#888888"))
                canvas.setLineWidth(0.6)
                canvas.setDash([0.6, LEADER_STEP - 0.6], 0)
                canvas.line(end, baseline + 0.3 * spec.size, start_numbers, baseline + 0.3 * spec.size)
                canvas.restoreState()
        with tagged(canvas, self.struct):
            canvas.saveState()
            canvas.translate(right, baseline)
            canvas.doForm(page_number_form(self.deco.page_ref))
            canvas.restoreState()


LEADER_STEP = 3.0  # pt from one leader dot to the next
DIGIT_EM = 0.56  # a lining figure's width in the body fonts, in ems


def _pagerefs(line: Line) -> list[tuple[int, int, str]]:
    """(offset in the line's text, length, heading anchor) of each page-number slot on a line."""
    out, offset = [], 0
    for piece in line.pieces:
        if "pageref" in piece.run.marks:
            out.append((offset, len(piece.text), piece.run.href[1:]))
        offset += len(piece.text)
    return out


_LATIN_WORD = re.compile(r"[A-Za-z]{2}")


def _latin(text: str) -> bool:
    return not any(unicodedata.east_asian_width(char) in ("W", "F") for char in text)


NOTE_PREFIX = "note:"  # href of a note reference's run: note:<chapter key>:<note id>


def note_keys(item, width: float) -> list[str]:
    """The notes that a flowable's lines (or a list of lines) refer to, in order, each once."""
    if isinstance(item, list):
        lines = item
    elif isinstance(item, TextBlock):
        lines = item.lines_for(width)
    else:
        blocks = getattr(item, "note_blocks", None)
        if blocks is None:
            return []
        return list(dict.fromkeys(key for block in blocks() for key in note_keys(block, block.width or width)))
    keys = []
    for line in lines:
        for piece in line.pieces:
            href = piece.run.href
            if href and href.startswith(NOTE_PREFIX) and href not in keys:
                keys.append(href)
    return keys


def xref_form(anchor: str, size: float) -> str:
    """Name of the form XObject that prints, centred, the page number of the heading ``anchor``."""
    return "xr_" + "".join(ch if ch.isalnum() else "_" for ch in anchor) + f"_{round(size * 100)}"


def page_number_form(anchor: str) -> str:
    """Name of the form XObject that prints the page number of ``anchor`` (defined when the PDF is saved)."""
    return "pg_" + "".join(ch if ch.isalnum() else "_" for ch in anchor)


class HorizontalRule(Flowable):
    def __init__(self, color: str, width_share: float = 1.0, space: float = 6.0, centered: bool = False,
                 weight: float = 0.5):
        super().__init__()
        self.color = color
        self.share = width_share
        self.space = space
        self.centered = centered
        self.weight = weight

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, self.space * 2

    def draw(self):
        with artifact(self.canv):
            self.canv.setStrokeColor(HexColor(self.color))
            self.canv.setLineWidth(self.weight)
            start = self.width * (1 - self.share) / 2 if self.centered else 0.0
            self.canv.line(start, self.space, start + self.width * self.share, self.space)
