"""typeset(document, theme, fonts) -> PDF bytes: the model turned into flowables on pages.

Input: a :class:`model.Document` (plain data), a :class:`theme.Theme` and the prepared font files.
Output: the reading-order PDF. This module and its siblings are the only ones that know ReportLab.
"""
from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from dataclasses import dataclass, replace

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import CondPageBreak, NextPageTemplate, PageBreak, Spacer, Table, TableStyle
from reportlab.lib.colors import HexColor

from .. import model
from ..parallel import in_parallel
from ..theme import Theme
from .cjk import Run
from .figures import FigureBlock
from .flowables import MIN_LINES, NOTE_PREFIX, Decoration, HorizontalRule, TextBlock, xref_form
from .linecache import LineCache
from .pages import BookDocTemplate, FootNotes, Geometry, PageDecor, deferred_canvas
from .styles import BlockSpec, style_table
from .tagging import LAYOUT, Node, artifact


@dataclass(frozen=True)
class FontFiles:
    """Prepared TrueType bytes for each font role."""

    regular: bytes
    bold: bytes
    faces: tuple[str, str] = ()  # the face and weight each was made from (its advances are the face's)


class Metrics:
    """Registered fonts and their advance widths (the one place the breaker's metrics come from)."""

    def __init__(self, files: FontFiles):
        self.names = {role: register_font(getattr(files, role)) for role in ("regular", "bold")}
        faces = files.faces or tuple(self.names.values())  # unknown faces: the (content-addressed) font name
        self._faces = dict(zip(self.names.values(), faces))
        self._widths = {}
        for name in self.names.values():
            face = pdfmetrics.getFont(name).face
            self._widths[name] = (face.charWidths, face.defaultWidth)

    def advance(self, char: str, font: str, size: float) -> float:
        widths, default = self._widths[font]
        return widths.get(ord(char), default) * size / 1000.0

    def face_of(self, font: str) -> str:
        """The face and weight a registered font was made from."""
        return self._faces[font]


def register_font(data: bytes) -> str:
    """Register TrueType bytes with ReportLab under a name derived from their content."""
    name = "F" + hashlib.sha256(data).hexdigest()[:12]
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
    return name


class StoryBuilder:
    def __init__(self, document: model.Document, theme: Theme, metrics: Metrics, geometry: Geometry,
                 cache: LineCache | None = None, cache_dir: Path | None = None):
        self.doc = document
        self.theme = theme
        self.metrics = metrics
        self.geometry = geometry
        self.cache = cache
        self.cache_dir = cache_dir  # the build's cache folder (figures keep their converted SVG there)
        self.styles = style_table(theme, document.compress)
        self.page_refs: dict[str, tuple[str, float, str]] = {}
        self.xrefs: dict[str, tuple[str, str, float, str, float]] = {}  # form -> anchor, font, size, colour, width
        self.ids = {block.ident: block.anchor for chapter in document.chapters for block in chapter.blocks
                    if isinstance(block, model.Heading) and block.ident}
        self.foot_notes = theme.page.get("notes", "foot") == "foot"
        self.notes: dict[str, list[TextBlock]] = {}  # note key -> its paragraphs (foot notes)
        self.chapter_now: model.Chapter | None = None
        self.heading_level = 0  # the last heading's structure level (H1-H3 nest one level at a time)
        self.page_digits = len(str(self.estimated_pages()))  # a cross-reference's page number slot

    # -- runs --------------------------------------------------------------------------------
    def runs(self, content: model.Inline, spec: BlockSpec) -> list[Run]:
        out = []
        for span in content:
            if "link" in span.styles and span.href and span.href.startswith("#") and span.href[1:] in self.ids:
                out += self.xref(span, spec)
                continue
            role = "bold" if "strong" in span.styles else spec.role
            marks = set()
            color = spec.color
            size, rise = spec.size, 0.0
            if "em" in span.styles:
                marks.add("dots")
            if "code" in span.styles:
                marks.add("code")
            if "pre" in span.styles:
                marks.add("verbatim")
            if "link" in span.styles:
                marks.add("link")
                color = self.theme.colors["accent"]
            href = span.href
            if "noteref" in span.styles:
                marks.add("sup")
                size, rise = spec.size * 0.62, spec.size * 0.42
                if self.chapter_now is not None and href:
                    href = f"{NOTE_PREFIX}{self.chapter_now.name}:{href.lstrip('#')}"
            out.append(Run(span.text, self.metrics.names[role], size, color, frozenset(marks), href, rise))
        return out

    def estimated_pages(self) -> int:
        """About how many pages the book will have (its characters over a page's, a third added for headings,
        lists and breaks; the frame's pages): cross-references are laid out before their page numbers are
        known, in a slot as wide as this many digits (a wider number is narrowed to fit, a narrower one
        centred)."""
        body = self.styles["body"]
        per_page = (self.geometry.measure / body.size) * (self.geometry.text_height / body.leading)
        characters = sum(_text_length(chapter.blocks) for chapter in self.doc.chapters)
        return max(1, round(1.33 * characters / per_page) + len(self.doc.frame))

    def xref(self, span: model.Span, spec: BlockSpec) -> list[Run]:
        """'[准备资料](#prepare)': the link text, then the page of the heading in the edition's words
        (e.g. '（第 12 页）'), all linked to it. The number is a slot two digits wide, filled at save time."""
        anchor = self.ids[span.href[1:]]
        pattern = self.doc.strings.get("xref") or "%(title)s (page %(page)s)"
        font = self.metrics.names["bold" if "strong" in span.styles else spec.role]
        marks = frozenset(m for m, style in (("dots", "em"), ("code", "code")) if style in span.styles)
        out = []
        for part in re.split(r"(%\(title\)s|%\(page\)s)", pattern):
            if part == "%(title)s":
                out.append(Run(span.text, font, spec.size, self.theme.colors["accent"], marks | {"link"},
                               "#" + anchor, 0.0))
            elif part == "%(page)s":
                placeholder = "0" * self.page_digits
                width = sum(self.metrics.advance(ch, font, spec.size) for ch in placeholder)
                self.xrefs[xref_form(anchor, spec.size)] = (anchor, font, spec.size, spec.color, width)
                out.append(Run(placeholder, font, spec.size, spec.color, frozenset({"pageref", "link"}),
                               "#" + anchor, 0.0))
            elif part:
                out.append(Run(part, self.metrics.names[spec.role], spec.size, spec.color, frozenset(),
                               None, 0.0))
        return out

    def text(self, content: model.Inline, style: str | BlockSpec, deco: Decoration = Decoration()) -> TextBlock:
        spec = self.styles[style] if isinstance(style, str) else style
        return TextBlock(self.runs(content, spec), spec, self.metrics.advance, deco, cache=self.cache)

    def plain_text(self, text: str, style: str, deco: Decoration = Decoration()) -> TextBlock:
        return self.text((model.Span(text),), style, deco)

    # -- the book ----------------------------------------------------------------------------
    def story(self) -> list:
        story: list = []
        for index, item in enumerate(self.doc.frame):
            family = "body" if isinstance(item, (model.TocSlot, model.ChapterSlot)) else item.template
            if index:
                story += [NextPageTemplate(f"{family}-recto"), PageBreak()]
            if isinstance(item, model.FramePage):
                story += self.frame_page(item)
            elif isinstance(item, model.TocSlot):
                story += self.toc(item)
            else:
                story += self.chapter(self.doc.chapters[item.index])
        return story

    def first_family(self) -> str:
        first = self.doc.frame[0]
        return first.template if isinstance(first, model.FramePage) else "body"

    def frame_page(self, page: model.FramePage) -> list:
        out = []
        for block in page.blocks:
            if isinstance(block, model.Space):
                out.append(Spacer(1, block.height))
            elif isinstance(block, model.Rule):  # an accent rule, centred on template pages
                out.append(HorizontalRule(self.theme.colors["accent"], 0.16, 6, centered=True, weight=1.6))
            else:
                out.append(self.text(block.content, block.style))
        return out

    def toc(self, slot: model.TocSlot) -> list:
        out = [self.plain_text(slot.title, "toc.title", Decoration(anchor="toc", chapter=slot.title))]
        toc = Node("TOC")
        for chapter in self.doc.chapters:
            for block in chapter.blocks:
                if isinstance(block, model.Heading) and block.level <= 2:
                    style = self.styles[f"toc.{block.level}"]
                    self.page_refs[block.anchor] = (self.metrics.names[style.role], style.size, style.color)
                    out.append(self.text(block.content, style, Decoration(page_ref=block.anchor,
                                                                          page_digits=self.page_digits))
                               .tag((toc, Node("TOCI"), Node("Reference"))))
        return out

    def chapter(self, chapter: model.Chapter) -> list:
        self.chapter_now = chapter
        out = self.blocks(chapter.blocks, chapter=chapter)
        if chapter.notes and self.foot_notes:
            for note in chapter.notes:
                key = f"{NOTE_PREFIX}{chapter.name}:{note.ident}"
                self.notes[key] = [b for b in self.blocks(note.blocks, style="note", label=f"{note.number}",
                                                          parent=(Node("Note", ID=key),))
                                   if isinstance(b, TextBlock)]
        elif chapter.notes:
            out.append(HorizontalRule(self.theme.colors["rule"], 0.3, 5))
            for note in chapter.notes:
                key = f"{NOTE_PREFIX}{chapter.name}:{note.ident}"
                out += self.blocks(note.blocks, style="note", label=f"{note.number}",
                                   parent=(Node("Note", ID=key),))
        return out

    def figure(self, block: model.Figure) -> FigureBlock | None:
        """A figure with its numbered caption under it, or a QR code with its caption and address beside it."""
        asset = self.doc.assets.get(model.asset_key(block))
        if asset is None:
            return None
        caption = url = None
        if asset.kind == "qr":
            if block.caption:
                caption = self.text((model.Span(block.caption),), "caption.side")
            url = self.text((model.Span(asset.path),), "caption.url")
        else:
            chapter = self.chapter_now
            number = int(re.match(r"[0-9]*", chapter.name).group() or 0) if chapter else 0
            label = (self.doc.strings.get("figure") or "Figure %(chapter)s-%(number)s") % {
                "chapter": number, "number": block.number}
            spans = (model.Span(label, frozenset({"strong"})),)
            if block.caption:
                spans += (model.Span(model.caption_separator(self.doc.meta.lang) + block.caption),)
            caption = self.text(spans, "caption")
        fonts = (self.metrics.names["regular"], self.metrics.names["bold"])
        return FigureBlock(block, asset, caption, url, fonts, self.geometry.text_height,
                           self.styles["body"].leading * 0.5, self.cache_dir)

    def blocks(self, blocks, chapter=None, style="body", depth=0, label="", parent: tuple = ()) -> list:
        """Flowables for ``blocks``, each tagged as an element under the structure path ``parent``."""
        out = []
        for index, block in enumerate(blocks):
            if isinstance(block, model.Heading):
                out += self.heading(block, chapter, blocks[index + 1] if index + 1 < len(blocks) else None, parent)
            elif isinstance(block, model.Paragraph):
                spec = self.styles[style]
                deco = Decoration()
                lbl = None
                if label:
                    spec = replace(spec.indented(1.6 * spec.size), first_indent=0.0)
                    deco = Decoration(label=label)
                    label = ""
                    lbl = parent + (Node("Lbl"),)
                out.append(self.text(block.content, spec, deco).tag(parent + (Node("P"),), lbl))
            elif isinstance(block, model.ListBlock):
                quote = self.styles["quote"]
                bar_at = quote.left_indent - 0.9 * quote.size if style == "quote" else None  # the quote's bar
                out += self.list_block(block, style, depth, parent, bar_at)
            elif isinstance(block, model.Quote):
                out += self.quote(block, parent)
            elif isinstance(block, model.Table):
                out.append(self.table(block, parent))
            elif isinstance(block, model.CodeBlock):  # in a list item: under its text
                out.append(self.code_block(block, 2 * self.styles["list"].size * depth, parent))
            elif isinstance(block, model.Rule):
                out.append(HorizontalRule(self.theme.colors["rule"]))
            elif isinstance(block, model.Figure):
                figure = self.figure(block)
                if figure is not None:
                    out.append(figure.structure(parent))
        return out

    def heading(self, block: model.Heading, chapter, following, parent: tuple = ()) -> list:
        level = min(block.level, 3)
        spec = self.styles[f"h{level}"]
        title = model.plain(block.content)
        deco = Decoration(anchor=block.anchor, outline_level=level - 1, outline_title=title,
                          chapter=(chapter.short_title if chapter and level == 1 else ""))
        self.heading_level = min(level, self.heading_level + 1)  # '#' then '###' (a warning): H1, H2
        flowable = self.text(block.content, spec, deco).tag(parent + (Node(f"H{self.heading_level}"),))
        out = []
        if level > 1:  # the reserve is completed by keep_headings_with_text() once what follows is known
            _, height = flowable.wrap(self.geometry.measure, self.geometry.text_height)
            out.append(_HeadingKeep(spec.space_before + height + spec.space_after))
        out.append(flowable)
        if level == 1:
            out.append(HorizontalRule(self.theme.colors["accent"], 0.12, 3))
            out.append(Spacer(1, self.styles["body"].leading * 0.6))
        return out

    def list_block(self, block: model.ListBlock, style: str, depth: int, parent: tuple = (),
                   bar_at: float | None = None) -> list:
        out = []
        base = self.styles["list" if style == "body" else style]
        indent = 2 * base.size
        lst = Node("L", ListNumbering="Decimal" if block.ordered else "Disc")
        for number, item in enumerate(block.items, start=block.start):
            label = f"{number}." if block.ordered else "•"
            li = Node("LI")
            body = parent + (lst, li, Node("LBody"))
            first = True
            for child in item.blocks:
                if isinstance(child, model.Paragraph):
                    spec = base.indented(indent * (depth + 1))
                    deco = Decoration(label=label if first else "", checkbox=(item.task or "") if first else "",
                                      bar=bar_at is not None, bar_at=bar_at)
                    lbl = parent + (lst, li, Node("Lbl")) if first and item.task is None else None
                    out.append(self.text(child.content, spec, deco).tag(body + (Node("P"),), lbl))
                elif isinstance(child, model.ListBlock):
                    out += self.list_block(child, style, depth + 1, body, bar_at)
                else:
                    out += self.blocks((child,), style=style, depth=depth + 1, parent=body)
                first = False
        return out

    def quote(self, block: model.Quote, parent: tuple = ()) -> list:
        out = []
        quote = parent + (Node("BlockQuote"),)
        spec = self.styles["quote"]
        for child in block.blocks:
            if isinstance(child, model.Paragraph):
                out.append(self.text(child.content, "quote", Decoration(bar=True)).tag(quote + (Node("P"),)))
            elif isinstance(child, model.CodeBlock):  # under the quote's text, beside its bar
                out.append(self.code_block(child, spec.left_indent, quote, spec.left_indent - 0.9 * spec.size))
            else:
                out += self.blocks((child,), style="quote", parent=quote)
        return out

    def code_block(self, block: model.CodeBlock, indent: float, parent: tuple, bar_at: float | None = None):
        """A shaded block set as written, ``indent`` further in; with the quote bar at ``bar_at`` if given."""
        code = (model.Span(block.text, frozenset({"pre"})),)
        deco = Decoration(shade=self.theme.colors["shade"], bar=bar_at is not None, bar_at=bar_at)
        return self.text(code, self.styles["code"].indented(indent), deco).tag(parent + (Node("P"),))

    def table(self, block: model.Table, parent: tuple = ()) -> Table:
        cell, head = self.styles["cell"], self.styles["cell.head"]
        columns = max([len(block.header)] + [len(row) for row in block.rows])
        rows = [list(block.header) + [()] * (columns - len(block.header))] if block.header else []
        rows += [list(row) + [()] * (columns - len(row)) for row in block.rows]
        pad = 0.45 * cell.size
        widths = self.column_widths(rows, cell, pad)
        data = []
        table = parent + (Node("Table"),)
        head_node, body_node = Node("THead"), Node("TBody")
        for number, row in enumerate(rows):
            header = bool(block.header) and number == 0
            spec = head if header else cell
            tr = table + (head_node if header else body_node, Node("TR"))
            data.append([self.text(content, _aligned(spec, block.align, col))
                         .tag(tr + ((Node("TH", Scope="Column") if header else Node("TD")),))
                         for col, content in enumerate(row)])
        colors = self.theme.colors
        style = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), self.metrics.names["regular"]),  # else ReportLab selects Helvetica
            ("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ("TOPPADDING", (0, 0), (-1, -1), pad * 0.6), ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.6),
            ("LINEABOVE", (0, 0), (-1, 0), 0.9, HexColor(colors["text"])),
            ("LINEBELOW", (0, -1), (-1, -1), 0.9, HexColor(colors["text"])),
            ("LINEBELOW", (0, 0), (-1, -2), 0.3, HexColor(colors["rule"])),
        ]
        if block.header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), HexColor(colors["shade"])))
        return TaggedTable(data, colWidths=widths, repeatRows=1 if block.header else 0, style=TableStyle(style),
                           hAlign="LEFT", spaceBefore=self.styles["body"].leading * 0.4,
                           spaceAfter=self.styles["body"].leading * 0.6)

    def column_widths(self, rows, spec: BlockSpec, pad: float) -> list[float]:
        """Share the measure by each column's longest text (square-root damped), never narrower than its
        floor: the whole of a short column (dates, amounts), else its longest number (a number is never
        broken), else 3 ems; floors that do not fit together give way in that order."""
        available = self.geometry.measure
        columns = len(rows[0]) if rows else 1
        font = self.metrics.names[spec.role]
        def width_of(text: str) -> float:  # as set: a quarter em between Han and Latin or digits (cjk.glue)
            mixed = len(_MIXED.findall(text))
            return sum(self.metrics.advance(ch, font, spec.size) for ch in text) + 0.25 * spec.size * mixed

        natural, numbers = [0.0] * columns, [0.0] * columns
        for row in rows:
            for col, content in enumerate(row):
                text = "".join(span.text for span in content)
                natural[col] = max(natural[col], width_of(text) + 2 * pad)
                numbers[col] = max([numbers[col]] + [width_of(n) + 2 * pad for n in _NUMBER.findall(text)])
        if sum(natural) <= available:
            spare = available - sum(natural)
            return [n + spare / columns for n in natural]
        least = min(3 * spec.size + 2 * pad, available / columns)
        short = [n if n <= SHORT_COLUMN_EMS * spec.size + 2 * pad else max(least, m) for n, m in zip(natural, numbers)]
        floors = next((f for f in (short, [max(least, m) for m in numbers]) if sum(f) <= available),
                      [least] * columns)
        weights = [max(n, 1.0) ** 0.5 for n in natural]
        widths = [max(floor, available * w / sum(weights)) for floor, w in zip(floors, weights)]
        excess = sum(widths) - available  # taken from the columns above their floor, never below it
        room = sum(w - f for w, f in zip(widths, floors))
        return [w - excess * (w - f) / room if room > 0 else w for w, f in zip(widths, floors)]


def _text_length(blocks) -> int:
    """Characters of text in ``blocks`` (headings, paragraphs, lists, tables, quotes, code)."""
    total = 0
    for block in blocks:
        if isinstance(block, (model.Heading, model.Paragraph)):
            total += sum(len(span.text) for span in block.content if isinstance(span, model.Span))
        elif isinstance(block, model.ListBlock):
            total += sum(_text_length(item.blocks) for item in block.items)
        elif isinstance(block, model.Quote):
            total += _text_length(block.blocks)
        elif isinstance(block, model.Table):
            total += sum(len(span.text) for row in (block.header, *block.rows) for cell in row for span in cell
                         if isinstance(span, model.Span))
        elif isinstance(block, model.CodeBlock):
            total += len(block.text)
    return total


MIN_TABLE_ROWS = 2  # body rows a table split over pages leaves on either page
SHORT_COLUMN_EMS = 10  # a column whose longest cell is this short (2027年10月10日) is not wrapped while the table has room
_MIXED = re.compile(r"(?<=[\u3400-\u9fff])(?=[0-9A-Za-z])|(?<=[0-9A-Za-z])(?=[\u3400-\u9fff])")
_NUMBER = re.compile(r"[-+¥$€£]?[0-9][0-9.,:%/]*[%‰年月日号天元时分]?")  # kept whole by the breaker (cjk._breaks)


class TaggedTable(Table):
    """A table whose rules and shading are drawn as artifacts (its cells tag themselves), split over pages
    with at least :data:`MIN_TABLE_ROWS` body rows on each side (a lone row under a repeated header reads
    as a table of its own)."""

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        if len(parts) != 2:
            return parts
        head, tail = (len(part._cellvalues) - self.repeatRows for part in parts)
        if head < MIN_TABLE_ROWS:
            return []  # begin the table on the next page
        if tail < MIN_TABLE_ROWS and head - (MIN_TABLE_ROWS - tail) >= MIN_TABLE_ROWS:
            moved = sum(parts[0]._rowHeights[-(MIN_TABLE_ROWS - tail):])  # take rows along to the next page
            return super().split(availWidth, availHeight - moved) or parts
        return parts

    def _drawBkgrnd(self):
        with artifact(self.canv, LAYOUT):
            super()._drawBkgrnd()

    def _drawLines(self):
        with artifact(self.canv, LAYOUT):
            super()._drawLines()


class _HeadingKeep(CondPageBreak):
    """A conditional page break before a heading: it needs room for the heading and for the start of
    what follows (at least two lines of it, or all of a block that will not split)."""

    def __init__(self, heading_height: float):
        super().__init__(heading_height)
        self.heading_height = heading_height


def keep_headings_with_text(story: list, width: float, frame_height: float) -> None:
    """Set each heading's reserve from the first content flowable after it."""
    for index, item in enumerate(story):
        if not isinstance(item, _HeadingKeep):
            continue
        following = [f for f in story[index + 2:index + 6] if not isinstance(f, (Spacer, HorizontalRule))]
        if following:
            item.height = min(frame_height, item.heading_height + _start_height(following[0], width, frame_height))


def _start_height(flowable, width: float, frame_height: float) -> float:
    """Height of the smallest piece a flowable can leave at the bottom of a page."""
    if isinstance(flowable, TextBlock):
        lines = len(flowable.lines_for(width))
        kept = lines if lines < 2 * MIN_LINES else MIN_LINES
        return flowable.getSpaceBefore() + kept * flowable.spec.leading
    if isinstance(flowable, Table):
        flowable.wrap(width, frame_height)
        return flowable.getSpaceBefore() + sum(flowable._rowHeights[:2])
    return flowable.wrap(width, frame_height)[1]


PARALLEL_LAYOUT_MIN = 800  # paragraphs to break before a second process pays for itself


def lay_out_ahead(story: list, width: float, cache: LineCache) -> None:
    """A book's first build (its paragraphs not in the line cache): half of them are broken in a forked
    process while this one breaks the other half, and the layout then finds them all in the cache.
    (Breaking is a third of the time of laying out a 250-page book with nothing cached.)"""
    blocks = [f for f in story if isinstance(f, TextBlock)]
    if len(blocks) < PARALLEL_LAYOUT_MIN or cache.size() > len(blocks) / 2:  # small, or mostly cached already
        return
    blocks = [block for block in blocks if not cache.has(block.runs, block.settings(width))]

    def lay_out(chunk: list[TextBlock]) -> dict:
        for block in chunk:
            block.lines_for(width)
        return cache.entries([cache.key(block.runs, block.settings(width)) for block in chunk])

    for entries in in_parallel(lay_out, [blocks[0::2], blocks[1::2]]):
        cache.merge(entries)


def _aligned(spec: BlockSpec, align: tuple[str, ...], col: int) -> BlockSpec:
    if col < len(align) and align[col] in ("center", "right"):
        return replace(spec, align=align[col])
    return spec


def typeset(document: model.Document, theme: Theme, fonts: FontFiles, line_log: list | None = None,
            line_cache: LineCache | None = None, epoch: int | None = None, cache_dir: Path | None = None) -> bytes:
    """Lay out the whole book in one pass and return the PDF (``line_log`` collects every text line;
    ``line_cache``: the paragraph layouts kept between builds, saved at the end; ``epoch``: the PDF's
    date in seconds, else ReportLab's invariant one)."""
    metrics = Metrics(fonts)
    geometry = Geometry.from_theme(theme)
    cache = line_cache.bind(metrics.face_of) if line_cache else None
    builder = StoryBuilder(document, theme, metrics, geometry, cache, cache_dir)
    story = builder.story()
    if cache is not None:
        lay_out_ahead(story, geometry.measure, cache)
    keep_headings_with_text(story, geometry.measure, geometry.text_height)
    buffer = io.BytesIO()
    small = theme.small
    decor = PageDecor(metrics.names["regular"], small["head_size"], small["folio_size"], theme.colors["muted"],
                      theme.colors["rule"], document.meta.title)
    meta = document.meta
    notes = FootNotes(builder.notes, geometry.measure, theme.colors["rule"], builder.styles["note"].leading,
                      theme.page.get("note_numbers", "chapter") == "page") if builder.notes else None
    doc = BookDocTemplate(buffer, geometry, decor, notes, epoch, title=meta.title, author=meta.author,
                          subject=meta.subtitle, creator="handbook", producer="handbook (ReportLab)",
                          lang=meta.lang, invariant=1)
    doc.start_with(builder.first_family())
    doc.build(story, canvasmaker=deferred_canvas(doc, builder.page_refs, line_log, builder.xrefs, tagged=True))
    if cache:
        cache.save()
    return buffer.getvalue()
