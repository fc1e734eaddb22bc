"""Page geometry, page templates (mirrored for left and right pages), running heads and folios.

Page numbers in the table of contents are printed through form XObjects that are defined when the PDF
is saved, once every heading's page is known: one layout pass, with no re-layout to settle numbers.
"""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from ..theme import Theme
from .flowables import page_number_form

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
        if white < 20 * mm or height - text_height - page["top_mm"] * mm < 15 * mm:
            raise ValueError("the theme's text block does not fit the page with printable margins "
                             "(reduce page.measure_em or page.lines)")
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


class BookDocTemplate(BaseDocTemplate):
    """A doc template that picks the left or right version of each page template by page parity,
    and remembers on which page every heading landed."""

    def __init__(self, buffer, geometry: Geometry, decor: PageDecor, **kwargs):
        super().__init__(buffer, pagesize=(geometry.width, geometry.height), leftMargin=0, rightMargin=0,
                         topMargin=0, bottomMargin=0, **kwargs)
        self.geometry = geometry
        self.decor = decor
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
        pages or on the page a chapter opens."""
        if self._curPageFlowableCount == 0:
            return
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


def deferred_canvas(doc: BookDocTemplate, refs: dict[str, tuple[str, float, str]], line_log: list | None = None):
    """A canvas class that, just before saving, defines the page-number forms the TOC drew."""

    class DeferredCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            self.line_log = line_log
            # ReportLab starts every page with the initial font: make it ours, not an unembedded Helvetica.
            kwargs.update(initialFontName=doc.decor.font, initialFontSize=doc.decor.folio_size)
            super().__init__(*args, **kwargs)

        def save(self):
            for anchor, (font, size, color) in refs.items():
                page = doc.anchor_pages.get(anchor)
                self.beginForm(page_number_form(anchor), lowerx=-60, lowery=-10, upperx=0, uppery=30)
                self.setFont(font, size)
                self.setFillColor(HexColor(color))
                self.drawRightString(0, 0, str(page) if page else "?")
                self.endForm()
            super().save()

    return DeferredCanvas
