"""Page geometry, page templates (mirrored for left and right pages), running heads and folios.

Page numbers in the table of contents and in cross-references are printed through form XObjects that are
defined when the PDF is saved, once every heading's page is known: one layout pass, with no re-layout to
settle numbers.

Notes at the foot of the page (:class:`FootNotes`): body pages use a :class:`NoteFrame`, whose bottom rises
by the height of the notes referenced on the page so far. A block is placed only with room for the notes
its lines refer to; a paragraph splits where its lines and their notes fill the page; a note too long for
what is left keeps at least two lines under its reference and continues at the foot of the next page.
"""
from __future__ import annotations

import time

from dataclasses import dataclass, replace

from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.lib.utils import TimeStamp
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from ..theme import Theme
from .flowables import TextBlock, note_keys, page_number_form
from .tagging import PAGINATION, Tagger, artifact, finish

FAMILIES = ("cover", "plain", "body")  # cover: no decorations; plain: none either; body: heads and folios


@dataclass(frozen=True)
class Geometry:
    width: float
    height: float
    measure: float
    text_height: float
    top: float
    inner: float
    outer: float

    @classmethod
    def from_theme(cls, theme: Theme) -> "Geometry":
        page, body = theme.page, theme.body
        width, height = page["width_mm"] * mm, page["height_mm"] * mm
        measure = page["measure_em"] * body["size"]
        text_height = page["lines"] * body["leading"]
        white = width - measure
        if white < 20 * mm:  # 10 mm a side at least: what office printers and binding leave
            raise ValueError(f"the theme's text block is too wide for the page: {measure / mm:.0f} mm of text "
                             f"(measure_em {page['measure_em']:g} × {body['size']:g} pt) on a {page['width_mm']:g} mm "
                             f"page leaves {white / mm:.0f} mm for the margins, under 20 mm "
                             f"(reduce page.measure_em to {int((width - 20 * mm) / body['size'])} or less)")
        bottom = height - text_height - page["top_mm"] * mm
        if bottom < 15 * mm:
            raise ValueError(f"the theme's text block is too tall for the page: {page['lines']:g} lines × "
                             f"{body['leading']:g} pt and {page['top_mm']:g} mm above leave {bottom / mm:.0f} mm "
                             f"below, under 15 mm (reduce page.lines to "
                             f"{int((height - page['top_mm'] * mm - 15 * mm) / body['leading'])} or less)")
        inner = white * page["inner_share"]
        return cls(width, height, measure, text_height, page["top_mm"] * mm, inner, white - inner)

    def text_left(self, page_number: int) -> float:
        """Right-hand (odd) pages have the spine on the left."""
        return self.inner if page_number % 2 else self.outer

    @property
    def text_bottom(self) -> float:
        return self.height - self.top - self.text_height


@dataclass(frozen=True)
class PageDecor:
    """What the typesetter tells the page templates: fonts, styles and the book's title."""

    font: str
    head_size: float
    folio_size: float
    color: str
    rule: str
    book_title: str


NOTE_MIN_LINES = 2  # lines of a note kept on the page of its reference when the note continues


class FootNotes:
    """The notes of the book (key -> its paragraphs, laid out at the measure) and those of the page being made."""

    def __init__(self, notes: dict[str, list[TextBlock]], width: float, rule_color: str, gap: float,
                 per_page: bool = False):
        self.notes = notes
        self.per_page = per_page  # numbered 1, 2, 3 on each page (else as written: per chapter)
        self.numbers: dict[str, str] = {}  # per page: note key -> the number its reference and label print
        self.width = width
        self.rule_color = rule_color
        self.gap = gap  # the space above the notes, with the short rule in it
        self.lines: dict[str, list[tuple[TextBlock, int]]] = {}
        self.placed: list[tuple[str, int, int]] = []  # this page: (key, first line, end line)
        self.done: set[str] = set()  # notes whose first line is placed
        self.carried: list[tuple[str, int]] = []  # (key, first line) continued from the previous page

    def note_lines(self, key: str) -> list[tuple[TextBlock, int]]:
        """(paragraph, line number) of every line of a note, in order."""
        if key not in self.lines:
            self.lines[key] = [(block, n) for block in self.notes.get(key, ())
                               for n in range(len(block.lines_for(self.width)))]
        return self.lines[key]

    def leading(self, key: str) -> float:
        blocks = self.notes.get(key)
        return blocks[0].spec.leading if blocks else 0.0

    def height(self) -> float:
        """Height the notes placed on this page take, the gap above them included."""
        if not self.placed:
            return 0.0
        return self.gap + sum((end - start) * self.leading(key) for key, start, end in self.placed)

    def cost(self, keys: list[str], minimal: bool = False) -> float:
        """Height ``keys`` (new notes) add to the page: whole, or (``minimal``) with only the first lines of
        the last one."""
        total = 0.0 if self.placed else self.gap
        for number, key in enumerate(keys):
            lines = len(self.note_lines(key))
            if minimal and number == len(keys) - 1:
                lines = min(lines, NOTE_MIN_LINES)
            total += lines * self.leading(key)
        return total

    def new(self, flowable, width: float) -> list[str]:
        return [key for key in note_keys(flowable, width) if key in self.notes and key not in self.done]

    def number(self, keys: list[str]) -> None:
        """Give ``keys`` (new on this page) their numbers before their reference is drawn."""
        if self.per_page:
            firsts = sum(1 for key, start, _ in self.placed if start == 0)
            for offset, key in enumerate(keys, start=1):
                self.numbers[key] = str(firsts + offset)

    def place(self, key: str, start: int, end: int) -> None:
        self.placed.append((key, start, end))
        self.done.add(key)
        if end < len(self.note_lines(key)):
            self.carried.append((key, end))

    def begin_page(self, room: float) -> None:
        """Notes continued from the last page go first, as much of them as ``room`` holds."""
        self.placed = []
        carried, self.carried = self.carried, []
        for key, start in carried:
            lines = len(self.note_lines(key))
            fit = int((room - self.cost([])) // self.leading(key)) if self.leading(key) else 0
            end = min(lines, start + max(fit, 1))
            self.placed.append((key, start, end))
            room -= self.height()
            if end < lines:
                self.carried.append((key, end))

    def draw(self, canvas, left: float, bottom: float) -> None:
        """The notes of this page, under a short rule, ending at ``bottom``."""
        if not self.placed:
            return
        top = bottom + self.height()
        with artifact(canvas):
            canvas.saveState()
            canvas.setStrokeColor(HexColor(self.rule_color))
            canvas.setLineWidth(0.5)
            rule_y = top - self.gap * 0.45
            canvas.line(left, rule_y, left + self.width * 0.3, rule_y)
            canvas.restoreState()
        y = top - self.gap
        for key, start, end in self.placed:
            lines = self.note_lines(key)
            index = start
            while index < end:  # one fragment per paragraph of the note on this page
                block, first = lines[index]
                stop = index
                while stop < end and lines[stop][0] is block:
                    stop += 1
                count = len(block.lines_for(self.width))
                last = lines[stop - 1][1]
                piece = block.fragment(first, last + 1, count)
                if piece.deco.label and key in self.numbers:
                    piece.deco = replace(piece.deco, label=self.numbers[key])
                piece.wrap(self.width, piece.spec.leading * (last + 1 - first))
                y -= piece.height
                piece.drawOn(canvas, left, y)
                index = stop


class NoteFrame(Frame):
    """A body page's frame: its bottom rises by the height of the page's foot notes."""

    def __init__(self, *args, notes: FootNotes, **kwargs):
        self.notes = notes  # before Frame.__init__, which resets the frame
        super().__init__(*args, **kwargs)

    def _reset(self):
        super()._reset()
        self.notes.begin_page(self._y2 - self._y1 - self.notes.gap * 4)
        self._y1p = self._y1 + self.notes.height()

    def add(self, flowable, canv, trySplit=0):
        width = self._getAvailableWidth()
        new = self.notes.new(flowable, width)
        if not new:
            return Frame.add(self, flowable, canv, trySplit)
        base = self._y1 + self.notes.height()
        self._y1p = base + self.notes.cost(new)
        self.notes.number(new)
        if Frame.add(self, flowable, canv, trySplit):
            for key in new:
                self.notes.place(key, 0, len(self.notes.note_lines(key)))
            self._y1p = self._y1 + self.notes.height()
            return 1
        # The last note continues on the next page, if the block fits with the first lines of it.
        self._y1p = base
        last = new[-1]
        leading = self.notes.leading(last)
        space = 0 if self._atTop else flowable.getSpaceBefore()
        _, height = flowable.wrap(width, self._y - base - space)
        room = self._y - space - height - base - self.notes.cost(new[:-1])
        fit = int((room - (self.notes.gap if not self.notes.placed and len(new) == 1 else 0)) // leading) \
            if leading else 0
        if fit >= min(NOTE_MIN_LINES, len(self.notes.note_lines(last))) and room > 0:
            self._y1p = self._y - space - height - 0.001
            if Frame.add(self, flowable, canv, trySplit):
                for key in new[:-1]:
                    self.notes.place(key, 0, len(self.notes.note_lines(key)))
                self.notes.place(last, 0, min(fit, len(self.notes.note_lines(last))))
                self._y1p = self._y1 + self.notes.height()
                return 1
        self._y1p = base
        return 0

    def split(self, flowable, canv):
        if isinstance(flowable, TextBlock):
            width = self._getAvailableWidth()
            flowable.note_budget = lambda lines: self.notes.cost(
                [k for k in note_keys(lines, width) if k in self.notes.notes and k not in self.notes.done], True)
        try:
            return Frame.split(self, flowable, canv)
        finally:
            flowable.note_budget = None


def pdf_time(canvas: Canvas, epoch: int | None) -> None:
    """The date a PDF carries (Info and XMP), given as seconds since 1970 rather than read by ReportLab
    from the SOURCE_DATE_EPOCH variable, which would be one setting for the whole process."""
    if epoch is None:
        return
    stamp = TimeStamp(invariant=True)
    stamp.t, stamp.lt = epoch, time.gmtime(epoch)
    stamp.YMDhms, stamp.dhh, stamp.dmm, stamp.tzname = tuple(stamp.lt)[:6], 0, 0, "UTC"
    canvas._doc._timeStamp = stamp


class BookDocTemplate(BaseDocTemplate):
    """A doc template that picks the left or right version of each page template by page parity,
    and remembers on which page every heading landed."""

    def __init__(self, buffer, geometry: Geometry, decor: PageDecor, notes: FootNotes | None = None,
                 epoch: int | None = None, **kwargs):
        self.epoch = epoch  # the PDF's date (see pdf_time)
        super().__init__(buffer, pagesize=(geometry.width, geometry.height), leftMargin=0, rightMargin=0,
                         topMargin=0, bottomMargin=0, **kwargs)
        self.geometry = geometry
        self.decor = decor
        self.notes = notes
        self.anchor_pages: dict[str, int] = {}
        self.chapter_title = ""
        self.chapter_page = 0
        templates = []
        for family in FAMILIES:
            for side in ("recto", "verso"):
                left = geometry.text_left(1 if side == "recto" else 2)
                if family == "cover":
                    frame = Frame(geometry.outer, geometry.text_bottom, geometry.width - 2 * geometry.outer,
                                  geometry.text_height, 0, 0, 0, 0, id=f"{family}-{side}")
                elif family == "body" and notes is not None:
                    frame = NoteFrame(left, geometry.text_bottom, geometry.measure, geometry.text_height,
                                      0, 0, 0, 0, id=f"{family}-{side}", notes=notes)
                else:
                    frame = Frame(left, geometry.text_bottom, geometry.measure, geometry.text_height,
                                  0, 0, 0, 0, id=f"{family}-{side}")
                decorate = {"onPageEnd": self._decorate} if family == "body" else {}
                templates.append(PageTemplate(id=f"{family}-{side}", frames=[frame], **decorate))
        self.addPageTemplates(templates)
        self._by_id = {t.id: t for t in templates}

    def start_with(self, family: str) -> None:
        """Make ``family`` the template of the first page."""
        self.pageTemplate = self._by_id[f"{family}-recto"]

    def handle_pageBegin(self):
        family = self.pageTemplate.id.rsplit("-", 1)[0]
        side = "recto" if (self.page + 1) % 2 else "verso"
        self.pageTemplate = self._by_id[f"{family}-{side}"]
        super().handle_pageBegin()

    def note_heading(self, anchor: str, chapter: str) -> None:
        self.anchor_pages[anchor] = self.page
        if chapter:
            self.chapter_title = chapter
            self.chapter_page = self.page

    def _decorate(self, canvas: Canvas, doc) -> None:
        """Running head (book title on left pages, chapter on right pages) and folio; none on blank
        pages or on the page a chapter opens. Then the page's foot notes."""
        g, page = self.geometry, self.page
        left = g.text_left(page)
        if self.notes is not None:
            self.notes.draw(canvas, left, g.text_bottom)
        if self._curPageFlowableCount == 0:
            return
        with artifact(canvas, PAGINATION):
            self._draw_head_and_folio(canvas)

    def _draw_head_and_folio(self, canvas: Canvas) -> None:
        g, d, page = self.geometry, self.decor, self.page
        left = g.text_left(page)
        right = left + g.measure
        recto = page % 2 == 1
        canvas.saveState()
        canvas.setFillColor(HexColor(d.color))
        if self.chapter_page != page:
            head = self.chapter_title if recto else d.book_title
            y = g.height - g.top + 7 * mm
            canvas.setFont(d.font, d.head_size)
            if recto:
                canvas.drawRightString(right, y, head)
            else:
                canvas.drawString(left, y, head)
            canvas.setStrokeColor(HexColor(d.rule))
            canvas.setLineWidth(0.4)
            canvas.line(left, y - 2.2 * mm, right, y - 2.2 * mm)
        canvas.setFont(d.font, d.folio_size)
        y = g.text_bottom - 9 * mm
        if recto:
            canvas.drawRightString(right, y, str(page))
        else:
            canvas.drawString(left, y, str(page))
        canvas.restoreState()


def deferred_canvas(doc: BookDocTemplate, refs: dict[str, tuple[str, float, str]], line_log: list | None = None,
                    xrefs: dict[str, tuple[str, str, float, str, float]] | None = None, tagged: bool = False):
    """A canvas class that, just before saving, defines the page-number forms the TOC and the
    cross-references (form name -> anchor, font, size, colour, width of the slot) drew."""

    class DeferredCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            self.line_log = line_log
            # ReportLab starts every page with the initial font: make it ours, not an unembedded Helvetica.
            kwargs.update(initialFontName=doc.decor.font, initialFontSize=doc.decor.folio_size)
            super().__init__(*args, **kwargs)
            pdf_time(self, doc.epoch)
            self.tagger = Tagger(doc.lang) if tagged else None

        def save(self):
            for anchor, (font, size, color) in refs.items():
                page = doc.anchor_pages.get(anchor)
                self.beginForm(page_number_form(anchor), lowerx=-60, lowery=-10, upperx=0, uppery=30)
                self.setFont(font, size)
                self.setFillColor(HexColor(color))
                self.drawRightString(0, 0, str(page) if page else "?")
                self.endForm()
            for entry in self.line_log or ():  # the line log says what was printed: the pages, not the slots
                for offset, length, anchor in reversed(entry.get("pagerefs", ())):
                    text = entry["text"]
                    page = str(doc.anchor_pages.get(anchor, "?"))
                    entry["text"] = text[:offset] + page + text[offset + length:]
            for name, (anchor, font, size, color, width) in (xrefs or {}).items():
                text = str(doc.anchor_pages.get(anchor, "?"))
                natural = self.stringWidth(text, font, size)
                self.beginForm(name, lowerx=-width, lowery=-size, upperx=width, uppery=size * 1.5)
                self.setFont(font, size)
                self.setFillColor(HexColor(color))
                if natural > width:  # more digits than the slot was laid out for: narrowed to fit
                    self.scale(width / natural, 1)
                self.drawCentredString(0, 0, text)
                self.endForm()
            finish(self, doc.lang, self.tagger)
            super().save()

    return DeferredCanvas
