"""Before layout: content the page cannot hold, reported at its line instead of failing inside ReportLab.

ReportLab stops with an exception on a flowable that cannot fit a frame, and draws past the page edge
what it is told to: a table too wide for the measure (columns narrower than one character, or narrower
than their padding), a table row or a heading taller than a page (neither breaks across pages), a list
nested so deep that its text has no room left, a running head or a footer longer than the line. Each is
found here with the typesetter's own flowables and metrics, the book's (:func:`check_fit`) and the
worksheet's (:func:`check_sheet_fit`), so the limits are exactly the layout's; a theme whose page cannot
hold any text is reported at the theme's file. Only the blocks that can be at risk are measured
(headings, tables, deeply nested lists, checklists), so a book costs a few ms.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, TypeVar

from reportlab.lib.units import mm
from reportlab.platypus import Table

from .. import model
from ..diagnostics import Sink, SourcePos
from ..sheet import Checklist, Grid, Worksheet
from ..sheet import Heading as SheetHeading
from .figures import LOW_DPI, placed_size, print_dpi, svg_drawing
from .flowables import TextBlock
from .layout import FontFiles, Metrics, StoryBuilder
from .linecache import LineCache
from .pages import Geometry

EPSILON = 0.01  # pt
DEEP_LIST = 4  # lists nested at least this deep are measured
MIN_SHARE = 0.25  # the text of a list item keeps at least this share of the measure
FOOTER_GAP = 10 * mm  # the least space between the worksheet footer's title and its page number
TALL_ROW = "table row is taller than a page: a row never breaks across pages"
TALL_HEADING = "heading is too long: it does not fit on a page, and a heading never breaks"
T = TypeVar("T")


def _from_theme(make: Callable[[], T], sink: Sink, theme_pos: SourcePos) -> T | None:
    """``make()``: the page geometry of a theme; None after reporting, at the theme's file, why the
    theme's sizes leave no page to lay out on."""
    try:
        return make()
    except ValueError as exc:
        sink.error(str(exc), theme_pos)
        return None


def check_fit(document: model.Document, theme, fonts: FontFiles, sink: Sink, theme_pos: SourcePos,
              title_pos: SourcePos | None = None, layouts: LineCache | None = None,
              cache_dir: Path | None = None,
              front_matter: Callable[[SourcePos, str], SourcePos | None] | None = None) -> bool:
    """Report every block of ``document`` that the pages cannot hold; True when there is none. (``layouts``:
    the line cache the layout will use, so that what is measured here is not broken again there;
    ``cache_dir``: the build's cache folder; ``front_matter``: the line of a chapter's front matter (the
    chapter's place, a key) that sets the key, None when it does not.)"""
    before = len(sink.errors)
    geometry = _from_theme(lambda: Geometry.from_theme(theme), sink, theme_pos)
    if geometry is None:
        return False
    metrics = Metrics(fonts)
    cache = layouts.bind(metrics.face_of) if layouts else None
    checker = _Checker(StoryBuilder(document, theme, metrics, geometry, cache, cache_dir), geometry, sink)
    head_font, head_size = metrics.names["regular"], theme.small["head_size"]

    def head_width(text: str) -> float:
        return sum(metrics.advance(ch, head_font, head_size) for ch in text)

    if head_width(document.meta.title) > geometry.measure:
        sink.error("the book's title is too long for the running head of left-hand pages", title_pos,
                   "shorten the title in book.toml")
    for page in document.frame:
        spaces = [b.height for b in getattr(page, "blocks", ()) if isinstance(b, model.Space)]
        if any(height > geometry.text_height for height in spaces):
            sink.error(f"<space> taller than the page's text area ({geometry.text_height:.0f} pt) in the "
                       f"'{page.template}' page", page.pos)
    for chapter in document.chapters:
        if head_width(chapter.short_title) > geometry.measure:
            short = front_matter(chapter.pos, "short_title") if front_matter else None
            if short is None:
                sink.error("the chapter's title is too long for the running head of right-hand pages",
                           _title_pos(chapter), "add a shorter 'short_title:' to the chapter's front matter")
            else:
                fitting = _fitting(chapter.short_title, head_width, geometry.measure)
                sink.error("the chapter's short_title is too long for the running head of right-hand pages", short,
                           f"shorten it: the running head holds {fitting} of its {len(chapter.short_title)} "
                           "characters")
        checker.blocks(chapter.blocks, "body")
        for note in chapter.notes:
            checker.blocks(note.blocks, "note")
    return len(sink.errors) == before


class _Checker:
    def __init__(self, builder: StoryBuilder, geometry: Geometry, sink: Sink):
        self.builder = builder
        self.geometry = geometry
        self.sink = sink

    def blocks(self, blocks, style: str) -> None:
        for block in blocks:
            if isinstance(block, model.Heading):
                self.heading(block)
            elif isinstance(block, model.Table):
                self.table(block, self.builder.table(block), self.geometry.measure)
            elif isinstance(block, model.ListBlock):
                self.list_block(block, style)
            elif isinstance(block, model.Quote):
                self.blocks(block.blocks, "quote")
            elif isinstance(block, model.Figure):
                self.figure(block)

    def figure(self, block: model.Figure) -> None:
        """A raster printed below 150 dpi at its placed size looks soft: a warning (not an error: a
        screenshot may be all there is)."""
        asset = self.builder.doc.assets.get(model.asset_key(block))
        if asset is not None and asset.kind == "svg":
            names = self.builder.metrics.names
            try:
                drawing = svg_drawing(asset, names["regular"], names["bold"], self.builder.cache_dir)
            except Exception as exc:  # noqa: BLE001 -- svglib fails in many ways on SVG it cannot read
                drawing = None
                reason = str(exc).split("\n")[0][:80] or type(exc).__name__
            else:
                reason = "svglib found nothing to draw"
            if drawing is None or not drawing.width or not drawing.height:
                self.sink.error(f"SVG '{block.src}' cannot be drawn ({reason})", block.pos,
                                "save it again as plain SVG (e.g. Inkscape's 'Plain SVG')")
        if asset is None or asset.kind != "raster":
            return
        width, _ = placed_size(block, asset, self.geometry.measure, self.geometry.text_height * 0.8)
        dpi = print_dpi(asset, width)
        if dpi < LOW_DPI:
            self.sink.warning(f"image '{block.src}' prints at {dpi:.0f} dpi ({asset.size[0]:.0f} pixels across "
                              f"{width / 72 * 25.4:.0f} mm): below {LOW_DPI} dpi it looks soft on paper", block.pos,
                              f"use an image at least {width / 72 * LOW_DPI:.0f} pixels wide, or a smaller "
                              "{width=NN%}")

    def heading(self, block: model.Heading) -> None:
        spec = self.builder.styles[f"h{min(block.level, 3)}"]
        flowable = self.builder.text(block.content, spec)
        _, height = flowable.wrap(self.geometry.measure, self.geometry.text_height)
        if height + spec.space_before + spec.space_after > self.geometry.text_height:
            self.sink.error(TALL_HEADING, block.pos, "shorten it, and put the rest in a paragraph below")

    def list_block(self, block: model.ListBlock, style: str) -> None:
        """A deeply nested list is laid out as the typesetter would, to see whether its text still has room."""
        depth = _depth(block)
        if depth >= DEEP_LIST:
            width = self.geometry.measure
            for flowable in self.builder.list_block(block, style, 0):
                spec = getattr(flowable, "spec", None)
                if spec is not None and width - spec.left_indent - spec.right_indent < MIN_SHARE * width:
                    self.sink.error(f"list is nested {depth} deep: its inner items have no room left on the line",
                                    block.pos, "nest lists at most a few levels deep")
                    return
        for item in block.items:
            self.blocks(item.blocks, style)

    def table(self, block: model.Table, table: Table, width: float) -> None:
        """A table whose columns are narrower than a character, or with a row taller than a page."""
        height = self.geometry.text_height
        columns = max([len(row) for row in table._cellvalues] or [0])
        try:
            table.wrap(width, height)
        except ValueError:  # ReportLab: a column narrower than its padding
            self._too_wide(block, columns)
            return
        broken = False
        for row in table._cellvalues:
            for cell in row:  # wrapping makes each cell a tuple of its flowables
                flowables = cell if isinstance(cell, tuple) else (cell,)
                if any(isinstance(f, TextBlock) and _overflows(f) for f in flowables):
                    self._too_wide(block, columns)
                    return
                broken = broken or any(isinstance(f, TextBlock) and _breaks_a_number(f) for f in flowables)
        if broken:
            self.sink.warning(f"table is too wide for its numbers: with {columns} columns, some numbers are broken "
                              "across lines", block.pos,
                              "use fewer columns or shorter numbers (amounts in thousands, say), or split the table")
        heights = list(table._rowHeights)
        header = heights[0] if table.repeatRows else 0.0
        for number, row_height in enumerate(heights):
            if row_height + (header if number else 0.0) > height:
                # the header is the block's line; the delimiter row follows it, then body row n
                where = block.pos.shifted(number + 1) if number else block.pos
                self.sink.error(TALL_ROW, where, "shorten the text in this row's cells, or move it out of the table")
                return

    def _too_wide(self, block, columns: int) -> None:
        self.sink.error(f"table is too wide for the page: with {columns} columns, some are narrower than "
                        "one character", block.pos, "split it into narrower tables, or make it a list")


def check_sheet_fit(sheet: Worksheet, theme, fonts: FontFiles, sink: Sink, theme_pos: SourcePos) -> bool:
    """Report what the worksheet's page cannot hold: a title too long for the footer, a table with more
    columns than fit, a table row, a section heading or a checkbox taller than a page; True when there is
    none. Measured with the worksheet's own flowables, in the theme's geometry."""
    from .worksheet import ChecklistBlock, GridTable, Recorder, SectionBar, Style  # not in a book-only build

    before = len(sink.errors)
    style = _from_theme(lambda: Style.of(fonts, theme), sink, theme_pos)
    if style is None:
        return False
    measure, height = style.geometry.measure, style.geometry.frame_height
    footer = sheet.title + sheet.strings["page"] % {"page": 999, "pages": 999}
    if style.width((model.Span(footer),), style.spec(style.geometry.small)) + FOOTER_GAP > measure:
        where = next((b.pos for b in sheet.blocks if isinstance(b, SheetHeading) and b.level == 1),
                     sheet.source.pos(1))
        sink.error("the worksheet's title is too long for the page footer", where, "shorten the title (# ...)")
    for block in sheet.blocks:
        if isinstance(block, Grid):
            grid = GridTable(block, style, Recorder())
            grid.measure(measure)
            if sum(grid.widths) > measure + EPSILON:
                sink.error(f"a table of {len(block.columns)} columns does not fit the page width", block.pos,
                           "split it into narrower tables")
                continue
            for number, row_height in enumerate(grid.row_heights, start=1):
                if grid.head_height + row_height > height:  # the delimiter row is below the header's line
                    sink.error(TALL_ROW, block.pos.shifted(number + 1),
                               "shorten the text in its cells, or use fewer lines")
                    break
        elif isinstance(block, SheetHeading) and block.level == 2:
            if SectionBar(block.text, style).wrap(measure, height)[1] > height:
                sink.error(TALL_HEADING, block.pos, "shorten it")
        elif isinstance(block, Checklist):
            checklist = ChecklistBlock(block, style, Recorder())
            checklist.wrap(measure, height)
            for row, _, _, check in checklist.cells:
                if checklist.row_heights[row] > height:
                    sink.error("checkbox label is too long: it does not fit on a page", check.field.pos,
                               "shorten it, and put the rest in a paragraph")
                    break
    return len(sink.errors) == before


def _title_pos(chapter: model.Chapter) -> SourcePos:
    """The heading the running head comes from; else the front matter (at the top of the file) that set it."""
    for block in chapter.blocks:
        if isinstance(block, model.Heading) and model.plain(block.content) == chapter.short_title:
            return block.pos
    return SourcePos(chapter.pos.path, 1)


def _fitting(text: str, width: Callable[[str], float], measure: float) -> int:
    """How many characters of the start of ``text`` fit in ``measure``."""
    count = 0
    while count < len(text) and width(text[:count + 1]) <= measure:
        count += 1
    return count


def _breaks_a_number(cell: TextBlock) -> bool:
    """Whether a line of the cell ends inside a number (the breaker splits one only when a column is
    narrower than it: 18,61|1.00)."""
    lines = cell.lines_for(cell.width)
    ends = ["".join(piece.text for piece in line.pieces) for line in lines]
    return any(a and b and (a[-1].isdigit() or a[-1] in ".,") and b[0].isdigit() for a, b in zip(ends, ends[1:]))


def _overflows(cell: TextBlock) -> bool:
    room = cell.width - cell.spec.left_indent - cell.spec.right_indent
    return any(line.offset + line.width > room + EPSILON for line in cell.lines_for(cell.width))


def _depth(block: model.ListBlock) -> int:
    """How many lists deep ``block`` goes (1: no nested list)."""
    inner = [_depth(child) for item in block.items for child in item.blocks if isinstance(child, model.ListBlock)]
    return 1 + max(inner, default=0)
