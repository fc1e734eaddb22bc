"""The document model: plain, frozen data built from the parsed Markdown tree.

Input: :class:`markup.ParsedMarkdown` and the :class:`content.Source` it came from. Output:
:class:`Chapter` with blocks (headings, paragraphs, lists, tables, quotes, code, rules) whose text is a
tuple of :class:`Span` (text + semantic styles). Every block carries its ``pos``. The typesetter sees
only these classes; it never sees Markdown. A worksheet's text also holds :class:`FieldMark` s.
"""
from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

from .content import Source
from .diagnostics import Sink, SourcePos
from .markup import CELLS_ATTR, FIELD_INDEX_ATTR, FIELD_TAG, LINE_ATTR, ParsedMarkdown


@dataclass(frozen=True)
class Span:
    """A run of text with semantic styles ('strong', 'em', 'code', 'link', 'noteref'; 'pre': a code block's
    text). A link's ``href`` is its URL, or ``#id`` for a cross-reference to a heading; a note reference's is
    ``#fn:label``."""

    text: str
    styles: frozenset[str] = frozenset()
    href: str | None = None


@dataclass(frozen=True)
class FieldMark:
    """A worksheet field where it is written in the text (parsed with ``fields=True``): ``blank``
    underscores (0: attributes alone, ``{#name}``, of what precedes them), the ``attrs`` in braces (None
    when there are none) and the exact place. ``text`` is the source as written."""

    text: str
    blank: int
    attrs: str | None
    pos: SourcePos


Inline = tuple[Span | FieldMark, ...]


def plain(content: Inline) -> str:
    return "".join(span.text for span in content)


@dataclass(frozen=True)
class Heading:
    level: int
    content: Inline
    pos: SourcePos
    anchor: str = ""
    ident: str = ""  # '## 准备资料 {#prepare}': the id cross-references name


@dataclass(frozen=True)
class Figure:
    """``![alt](src "caption"){width=60%}`` alone in its paragraph: an image file (PNG, JPEG, SVG) relative
    to the chapter's file, or ``qr:URL`` for a QR code. ``number`` counts the chapter's numbered figures
    (QR codes are not numbered: 0)."""

    src: str
    alt: str
    caption: str
    width: float  # share of the measure; 0: the image's own size, at most the measure
    number: int
    pos: SourcePos

    @property
    def qr(self) -> str:
        """The URL of a QR code, else ''."""
        return self.src[3:] if self.src.startswith("qr:") else ""


@dataclass(frozen=True)
class Asset:
    """What a figure draws, read and checked (see :mod:`figures`): 'raster' (PNG, JPEG), 'svg' or 'qr'."""

    kind: str
    path: str  # the file (absolute), or the URL of a QR code
    digest: str  # of the file's bytes: an edited image makes the book again
    size: tuple[float, float] = (0.0, 0.0)  # raster: pixels, upright; svg: points; qr: modules
    text: str = ""  # svg: the characters its text draws (they need glyphs too)
    matrix: tuple[str, ...] = ()  # qr: rows of '1' (dark) and '0'


@dataclass(frozen=True)
class Paragraph:
    content: Inline
    pos: SourcePos | None
    style: str = "body"


@dataclass(frozen=True)
class ListItem:
    blocks: tuple
    task: str | None = None  # None, "open" or "done" for '- [ ]' / '- [x]' items


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    start: int
    items: tuple[ListItem, ...]
    pos: SourcePos


@dataclass(frozen=True)
class Table:
    header: tuple[Inline, ...]
    rows: tuple[tuple[Inline, ...], ...]
    align: tuple[str, ...]
    pos: SourcePos


@dataclass(frozen=True)
class Quote:
    blocks: tuple
    pos: SourcePos


@dataclass(frozen=True)
class CodeBlock:
    text: str
    pos: SourcePos


@dataclass(frozen=True)
class Rule:
    pos: SourcePos


@dataclass(frozen=True)
class Note:
    """A footnote: its number and body; ``ident`` is what its references point at (``fn:label``)."""

    number: int
    blocks: tuple
    pos: SourcePos
    ident: str = ""


@dataclass(frozen=True)
class Chapter:
    name: str  # file name, the same in every variant
    title: str
    short_title: str
    blocks: tuple
    notes: tuple[Note, ...]
    pos: SourcePos


@dataclass(frozen=True)
class FrontMatter:
    """Book-level texts that templates and PDF metadata need."""

    title: str
    subtitle: str
    author: str
    lang: str  # BCP 47, e.g. zh-Hans
    edition: str  # formatted for the locale


@dataclass(frozen=True)
class Document:
    """One edition of the book, ready to typeset: framing pages from templates plus the chapters."""

    variant: str
    meta: FrontMatter
    frame: tuple  # FramePage | TocSlot | ChapterSlot
    chapters: tuple[Chapter, ...]
    compress: str = "none"  # punctuation compression of the edition: "none" | "brackets" | "all"
    strings: dict = field(default_factory=dict)  # localized UI strings the typesetter draws itself
    assets: dict = field(default_factory=dict)  # figure source (Figure.pos.path, Figure.src) key -> Asset


def caption_separator(lang: str) -> str:
    """Between a figure's number and its caption: an ideographic space in Chinese and Japanese, else '. '."""
    return "\u3000" if lang.split("-")[0] in ("zh", "ja") else ". "


def asset_key(figure: "Figure") -> str:
    """Which asset a figure draws: its source as written, from its chapter's file."""
    return f"{figure.pos.path}|{figure.src}"


@dataclass(frozen=True)
class FramePage:
    """A page made by a template (cover, title page, back cover): styled paragraphs, in order."""

    template: str
    blocks: tuple
    pos: SourcePos


@dataclass(frozen=True)
class Space:
    """Vertical space on a template page, in points."""

    height: float


@dataclass(frozen=True)
class FrameString:
    """A string the template gives the typesetter for the PDFs but not for a page (the booklet's note)."""

    name: str
    text: str
    pos: SourcePos


@dataclass(frozen=True)
class TocSlot:
    title: str
    pos: SourcePos


@dataclass(frozen=True)
class ChapterSlot:
    index: int
    pos: SourcePos


_WIDE = ("W", "F")


def is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in _WIDE


def join_soft_breaks(text: str) -> str:
    """A source line break inside a paragraph: nothing between two Chinese characters, else a space."""
    return _soft_breaks([Span(text)])[0].text


class _Builder:
    """Walks one chapter's element tree; reports what it cannot represent."""

    def __init__(self, parsed: ParsedMarkdown, source: Source, sink: Sink, chapter_key: str):
        self.parsed = parsed
        self.source = source
        self.sink = sink
        self.key = chapter_key
        self.headings = 0
        self.level = 0  # level of the last heading, to catch jumps (# then ###)
        self.here: SourcePos = source.pos(1)  # the block being built
        self.lines = source.text.split("\n")
        self.found: set[tuple[int, int]] = set()  # places already reported by locate()
        self.figures = 0  # numbered figures so far

    def pos_of(self, element: etree.Element, fallback: SourcePos | None = None) -> SourcePos:
        line = element.get(LINE_ATTR)
        if line:
            return self.source.pos(int(line))
        return fallback or self.source.pos(1)

    # -- blocks ------------------------------------------------------------------------------
    def blocks(self, parent: etree.Element, pos: SourcePos) -> tuple:
        out = []
        for element in parent:
            here = self.pos_of(element, pos)
            block = self.block(element, here)
            if block is not None:
                out.append(block)
        return tuple(out)

    def locate(self, needle: str) -> SourcePos:
        """Where ``needle`` is written, at or after the block being built (each place is found once);
        Python-Markdown keeps only the line where a top-level block starts."""
        for number in range(max(self.here.line - self.source.first_line, 0), len(self.lines)):
            col = self.lines[number].find(needle)
            while col >= 0 and (number, col) in self.found:
                col = self.lines[number].find(needle, col + 1)
            if col >= 0:
                self.found.add((number, col))
                return self.source.pos(number + 1, col + 1)
        return self.here

    def block(self, element: etree.Element, pos: SourcePos):
        tag = element.tag
        self.here = pos
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.headings += 1
            self.check_level(int(tag[1]), pos)
            content, ident = self.heading_id(self.inline(element), pos)
            return Heading(int(tag[1]), content, pos, f"{self.key}.{self.headings}", ident)
        if tag == "p":
            image = _lone_image(element, self.parsed.fields)
            if image is not None:
                return self.figure(image, pos, self._figure_attrs(element))
            content = self.inline(element)
            return Paragraph(content, pos) if plain(content).strip() else None
        if tag in ("ul", "ol"):
            start = int(element.get("start", "1") or 1)
            items = tuple(self.list_item(li, pos) for li in element if li.tag == "li")
            return ListBlock(tag == "ol", start, items, pos)
        if tag == "table":
            return self.table(element, pos)
        if tag == "blockquote":
            return Quote(self.blocks(element, pos), pos)
        if tag == "pre":
            code = element.find("code")
            text = html.unescape(self.parsed.text((code if code is not None else element).text))  # (escaped)
            return CodeBlock(text.rstrip("\n"), pos)
        if tag == "hr":
            return Rule(pos)
        if tag == "div" and element.get("class") == "footnote":
            return None  # handled by notes()
        self.sink.warning(f"unsupported Markdown construct <{tag}> printed as plain text", pos)
        return Paragraph((Span("".join(element.itertext())),), pos)

    def heading_id(self, content: Inline, pos: SourcePos) -> tuple[Inline, str]:
        """'## 准备资料 {#prepare}': the text without the braces, and the id."""
        if not content or not isinstance(content[-1], Span) or "{" not in content[-1].text:
            return content, ""
        last = content[-1]
        match = _HEADING_ID.search(last.text)
        if match is None:
            return content, ""
        ident = match.group(1)
        if not _ID.match(ident):
            self.sink.error(f"heading id '{ident}' must be letters, digits, '-' or '_', starting with a letter",
                            self.locate("{#"))
        rest = Span(last.text[:match.start()].rstrip(), last.styles, last.href)
        return tuple(content[:-1]) + ((rest,) if rest.text else ()), ident

    def _figure_attrs(self, p: etree.Element) -> str:
        """The '{width=..}' after a figure's image: its tail, or a worksheet's attributes-alone field."""
        children = list(p)
        if len(children) == 2:
            return self.parsed.fields[int(children[1].get(FIELD_INDEX_ATTR))].text
        return self.parsed.text(children[0].tail or "").strip()

    def figure(self, image: etree.Element, pos: SourcePos, attrs: str) -> Figure:
        """A paragraph that is one image: a figure (checked for its alt text and attributes here; the file
        itself is read by :mod:`figures`)."""
        where = self.locate("![")
        src = self.parsed.text(image.get("src", "")).strip()
        alt = self.parsed.text(image.get("alt", "")).strip()
        caption = join_soft_breaks(self.parsed.text(image.get("title", ""))).strip()
        if not alt:
            self.sink.error("the image has no alt text: ![alt text](...) is what a screen reader says instead",
                            where, "describe what the figure shows, e.g. ![办理流程图](figures/flow.svg)")
        width = 0.0
        if attrs:
            for name, value in _ATTR.findall(attrs[1:-1]):
                share = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)%", value)
                if name == "width" and share and 0 < float(share.group(1)) <= 100:
                    width = float(share.group(1)) / 100
                elif name == "width":
                    self.sink.error(f"figure width '{value}' is not a share of the line's width: it is a percentage, "
                                    "more than 0% and at most 100%", where, "e.g. {width=60%}")
                else:
                    self.sink.error(f"unknown figure attribute '{name}={value}'", where,
                                    "figures take {width=NN%} (a share of the line's width, at most 100%)")
        if not src:
            self.sink.error("the image has no file", where)
        qr = src.startswith("qr:")
        if qr and not re.fullmatch(r"https?://[^\s]+", src[3:]):
            self.sink.error(f"a QR code needs a web address (http:// or https://), not '{src[3:]}'", where)
        if not qr:
            self.figures += 1
        return Figure(src, alt, caption, width, 0 if qr else self.figures, where)

    def check_level(self, level: int, pos: SourcePos) -> None:
        """A skipped heading level breaks the outline (bookmarks nest one level at a time): warn, and the
        typesetter nests the heading one level below the previous one."""
        if level > self.level + 1:
            if self.level == 0:
                self.sink.warning(f"the chapter's first heading is level {level} ({'#' * level}); "
                                  "a chapter starts with a level-1 heading ('# ...')", pos)
            else:
                self.sink.warning(f"heading level jumps from {self.level} to {level} "
                                  f"({'#' * self.level} then {'#' * level})", pos,
                                  f"use '{'#' * (self.level + 1)}' here, or add the missing level")
        self.level = level

    def list_item(self, li: etree.Element, pos: SourcePos) -> ListItem:
        children = list(li)
        block_tags = {"p", "ul", "ol", "blockquote", "pre", "table", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}
        if any(child.tag in block_tags for child in children):
            # A loose item, or one with a nested list: text before the first block is a paragraph.
            blocks = []
            lead = etree.Element("p")
            lead.text = li.text
            for child in children:
                if child.tag in block_tags:
                    break
                lead.append(child)
            if plain(self.inline(lead)).strip():
                blocks.append(Paragraph(self.inline(lead), pos))
            for child in children:
                if child.tag in block_tags:
                    block = self.block(child, pos)
                    if block is not None:
                        blocks.append(block)
            content_blocks = tuple(blocks)
        else:
            content_blocks = (Paragraph(self.inline(li), pos),)
        return _task_item(content_blocks)

    def table(self, element: etree.Element, pos: SourcePos) -> Table:
        head = element.find("thead")
        body = element.find("tbody")
        header_row = head.find("tr") if head is not None else None
        header = tuple(self.inline(cell) for cell in header_row) if header_row is not None else ()
        align = tuple(_align(cell.get("style", "")) for cell in header_row) if header_row is not None else ()
        rows = tuple(tuple(self.inline(cell) for cell in tr) for tr in (body if body is not None else []))
        for number, tr in enumerate(body if body is not None else [], start=1):
            if tr.get(CELLS_ATTR):  # the header's line, the delimiter row's, then the rows'
                self.sink.error(f"table row has {tr.get(CELLS_ATTR)} cells, but the header has {len(header)}: "
                                "the extra cells would not be printed", pos.shifted(number + 1),
                                "add columns to the header row, or remove the extra cells")
        return Table(header, rows, align, pos)

    def notes(self, root: etree.Element, pos: SourcePos) -> tuple[Note, ...]:
        notes = []
        for div in root.findall("div"):
            if div.get("class") != "footnote":
                continue
            ol = div.find("ol")
            referred = {a.get("href", "")[1:] for a in root.iter("a") if a.get("class") == "footnote-ref"}
            for number, li in enumerate(ol if ol is not None else [], start=1):
                if li.get("id", "") not in referred:
                    label = li.get("id", "").split(":", 1)[-1]
                    self.sink.warning(f"footnote [^{label}] is never referred to: it is not printed",
                                      self._note_pos(li.get("id", ""), pos),
                                      f"refer to it with [^{label}] in the text, or delete it")
                for anchor in li.iter("a"):
                    if anchor.get("class") == "footnote-backref":
                        anchor.text = ""
                note_pos = self._note_pos(li.get("id", ""), pos)
                notes.append(Note(number, self.blocks(li, note_pos), note_pos, li.get("id", "")))
        return tuple(notes)

    def _note_pos(self, note_id: str, fallback: SourcePos) -> SourcePos:
        label = note_id.split(":", 1)[-1]
        for number, line in enumerate(self.source.text.split("\n"), start=1):
            if line.startswith(f"[^{label}]:"):
                return self.source.pos(number)
        return fallback

    # -- inline ------------------------------------------------------------------------------
    def inline(self, element: etree.Element) -> Inline:
        spans: list[Span] = []
        self._inline_into(element, frozenset(), None, spans, top=True)
        return _merge(_soft_breaks(spans))

    def _inline_into(self, element, styles, href, spans, top=False):
        if element.text:
            self._text(element.text, styles, href, spans)
        for child in element:
            tag = child.tag
            child_styles, child_href = styles, href
            if tag in ("strong", "b"):
                child_styles = styles | {"strong"}
            elif tag in ("em", "i"):
                child_styles = styles | {"em"}
            elif tag == "code":
                child_styles = styles | {"code"}
            elif tag == "a":
                if child.get("class") == "footnote-backref":
                    child_styles = None
                elif child.get("class") == "footnote-ref":  # inside <sup>: the reference keeps its note's id
                    child_href = child.get("href")
                else:
                    child_href = self._link_target(child.get("href"))
                    child_styles = styles | {"link"} if child_href else styles
            elif tag == "sup":
                child_styles = styles | {"noteref"}
            elif tag == "br":
                spans.append(Span(HARD_BREAK, styles))
            elif tag == FIELD_TAG:
                token = self.parsed.fields[int(child.get(FIELD_INDEX_ATTR))]
                spans.append(FieldMark(token.text, token.blank, token.attrs, self.source.pos(token.line, token.col)))
                child_styles = None
            elif tag == "img":
                self.sink.error("an image must be a paragraph of its own (a figure)", self.locate("!["),
                                "put a blank line before and after ![...](...)")
                child_styles = None
            else:
                child_styles = styles
            if child_styles is not None and tag != "br":
                self._inline_into(child, child_styles, child_href, spans)
            if child.tail:
                self._text(child.tail, styles, href, spans)

    def _link_target(self, raw: str | None) -> str | None:
        """A link's target, or None when its text is to print as plain text: a PDF goes to headings and
        opens web, mail and phone addresses; any other target would be a dead link, or a script."""
        href = self.parsed.text(raw).strip()
        if href.startswith("#"):
            return href  # a cross-reference: checked against the headings' ids later
        scheme = _SCHEME.match(href)
        if scheme and scheme.group(1).lower() in LINK_SCHEMES:
            return href
        where = self.locate(f"]({raw}" if raw else "]()")
        if not href:
            self.sink.warning("link has no target: its text is printed as text", where,
                              "write [text](https://...), or remove the brackets")
        elif scheme is None:
            self.sink.warning(f"link target '{_shorten(href)}' is not a web address: a PDF cannot open it, so its "
                              "text is printed as text", where,
                              "write the whole address (https://...), or link a heading: [text](#id)")
        else:
            self.sink.error(f"link target '{_shorten(href)}' is refused: links may be {', '.join(LINK_SCHEMES)}, "
                            "or #id for a heading", where)
        return None

    def _text(self, raw: str, styles, href, spans):
        text = self.parsed.text(raw)
        if "code" in styles:
            text = html.unescape(text).replace("\n", " ")  # Python-Markdown escapes & < > in code
            if text:
                spans.append(Span(text, styles, href))
            return
        if "'" in text:
            text = _APOSTROPHE.sub("\u2019", text)  # it's, don't: typed straight, printed as an apostrophe
        if "[^" in text:
            for label in _NOTE_REFERENCE.findall(text):  # Python-Markdown leaves a reference to no note as text
                self.sink.warning(f"footnote reference [^{label}] has no note: it is printed as written",
                                  self.locate(f"[^{label}]"), f"add a line '[^{label}]: the note' to this file")
        if text:
            spans.append(Span(text, styles, href))


HARD_BREAK = "\u2028"  # a Markdown hard line break, kept apart from source line breaks until they are joined


def _soft_breaks(spans: list[Span]) -> list[Span]:
    """Join source line breaks across the whole paragraph (a break may fall at a style boundary),
    then turn hard breaks into newlines."""
    text = "".join(span.text for span in spans)
    if "\n" not in text and HARD_BREAK not in text:
        return spans
    out, offset = [], 0
    for span in spans:
        if isinstance(span, FieldMark):  # written on one line
            out.append(span)
            offset += len(span.text)
            continue
        chars = []
        for index, char in enumerate(span.text, start=offset):
            if char == "\n":
                before = text[:index].rstrip(" ")
                after = text[index + 1:].lstrip(" ")
                wide = (before and is_wide(before[-1])) or (after and is_wide(after[0]))
                if not wide and before and after and not before.endswith(" ") and not chars[-1:] == [" "]:
                    chars.append(" ")
            else:
                chars.append("\n" if char == HARD_BREAK else char)
        offset += len(span.text)
        out.append(Span("".join(chars), span.styles, span.href))
    return out


def _merge(spans: list[Span]) -> Inline:
    """Adjacent spans of the same style become one; surrounding blanks are dropped."""
    merged: list[Span | FieldMark] = []
    for span in spans:
        last = merged[-1] if merged else None
        if isinstance(last, Span) and isinstance(span, Span) and last.styles == span.styles and last.href == span.href:
            merged[-1] = Span(last.text + span.text, span.styles, span.href)
        else:
            merged.append(span)
    if merged and isinstance(merged[0], Span):
        merged[0] = Span(merged[0].text.lstrip(), merged[0].styles, merged[0].href)
    if merged and isinstance(merged[-1], Span):
        merged[-1] = Span(merged[-1].text.rstrip(), merged[-1].styles, merged[-1].href)
    return tuple(span for span in merged if span.text)


_TASK = re.compile(r"^\[( |x|X)\]\s+")
_HEADING_ID = re.compile(r"\s*\{#([^}\s]*)\}\s*$")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_ATTR = re.compile(r"([A-Za-z-]+)=(\S+)")
_FIGURE_ATTRS = re.compile(r"^\{[^{}\n]*\}$")


def _lone_image(p: etree.Element, fields: tuple = ()) -> etree.Element | None:
    """The image of a paragraph that holds one image and nothing else (but its '{width=..}', which in a
    worksheet is an attributes-alone field)."""
    children = list(p)
    if not children or children[0].tag != "img" or (p.text or "").strip():
        return None
    tail = (children[0].tail or "").strip()
    if len(children) == 2:
        last = children[1]
        lone = (last.tag == FIELD_TAG and not fields[int(last.get(FIELD_INDEX_ATTR))].blank and not tail
                and not (last.tail or "").strip())
        return children[0] if lone else None
    return children[0] if len(children) == 1 and (not tail or _FIGURE_ATTRS.match(tail)) else None


_APOSTROPHE = re.compile(r"(?<=[A-Za-z])'(?=[A-Za-z])")
_NOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\]")
LINK_SCHEMES = ("https", "http", "mailto", "tel")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _task_item(blocks: tuple) -> ListItem:
    """'- [ ] text' items are checkboxes: the marker leaves the text and becomes the item's state."""
    if blocks and isinstance(blocks[0], Paragraph) and blocks[0].content:
        first = blocks[0].content[0]
        match = _TASK.match(first.text)
        if match and not first.styles:
            rest = (Span(first.text[match.end():], first.styles, first.href),) + blocks[0].content[1:]
            para = Paragraph(_merge(list(rest)), blocks[0].pos, blocks[0].style)
            return ListItem((para,) + blocks[1:], "done" if match.group(1) in "xX" else "open")
    return ListItem(blocks)


def _align(style: str) -> str:
    match = re.search(r"text-align:\s*(left|right|center)", style)
    return match.group(1) if match else ""


def build_chapter(parsed: ParsedMarkdown, source: Source, sink: Sink, key: str) -> Chapter:
    """The chapter of one file: its title is the front matter's or the first heading's."""
    builder = _Builder(parsed, source, sink, key)
    start = source.pos(1)
    blocks = builder.blocks(parsed.root, start)
    notes = builder.notes(parsed.root, start)
    first_heading = next((b for b in blocks if isinstance(b, Heading)), None)
    title = source.meta.get("title") or (plain(first_heading.content) if first_heading else "")
    if not title:
        sink.warning("chapter has no heading and no 'title' in its front matter", start)
    if not blocks:
        sink.warning("chapter is empty", start)
    return Chapter(source.name, title, source.meta.get("short_title", title), blocks, notes, start)
