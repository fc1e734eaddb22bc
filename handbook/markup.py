"""Python-Markdown, configured for content that is data, and knowing source lines.

Input: a Markdown string. Output: an ElementTree (the parsed document after inline processing)
whose top-level elements carry ``data-line`` (1-based line in the given text). This is the only
module that imports ``markdown``.

Python-Markdown keeps no line numbers, so :class:`_LineTracker` (a block processor that runs first
and never consumes anything) notes where each top-level block starts. Raw HTML is not interpreted:
the HTML preprocessor and inline pattern are removed, so ``<b>`` or ``<font>`` stays text.

A worksheet is parsed with ``fields=True``: its field syntax (``____{#name kind}``, a blank with
attributes; ``{...}`` alone, attributes of what precedes them) is found on the source lines before
block parsing, so each field knows its line and column, and comes out as a ``<field>`` element (see
:class:`FieldToken`). Inside code and element attributes a field is text again, as written.
"""
from __future__ import annotations

import html
import re
import threading
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import markdown
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension, TableProcessor
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE, ETX, HTML_PLACEHOLDER, STX, AtomicString, code_escape

# Named priorities of the processors we register (Python-Markdown runs higher numbers first).
PRIORITY_LINE_TRACKER = 1000  # before every block processor
PRIORITY_LINE_STAMP = 1000  # the first treeprocessor: stamp lines before anything moves elements
PRIORITY_CAPTURE = -1000  # the last treeprocessor: keep the finished tree
PRIORITY_TABLES = 75  # the tables extension's own place, taken over by _CountingTables
PRIORITY_FIELDS = 25  # after normalize_whitespace (30), which would remove our markers
PRIORITY_COMMONMARK = 20  # after the fields: they are found at the columns the author wrote
PRIORITY_FENCED_CODE = 95  # a block processor: before indented blocks (90) and code (80)
PRIORITY_FIELD_ELEMENTS = 185  # after code spans (190): a field inside code stays text

FIELD_TAG = "field"
FIELD_INDEX_ATTR = "data-field"  # on a <field>: its index in ParsedMarkdown.fields
_FIELD_TOKEN = re.compile(r"(?<!\\)(?:(?P<blank>_{3,})(?:\{(?P<attrs>[^{}\n]*)\})?|\{(?P<lone>[^{}\n]*)\})")
_FIELD_MARKER = STX + "hbfield:%d" + ETX
_FIELD_MARKER_PATTERN = STX + r"hbfield:(\d+)" + ETX

LINE_ATTR = "data-line"
CELLS_ATTR = "data-cells"  # on a table row that had more cells than its header
_ENCODED_CHARACTER = re.compile(re.escape(AMP_SUBSTITUTE) + r"#(\d+);")  # Python-Markdown hides addresses so
_INTERNAL_PLACEHOLDER = re.compile(STX + "[^" + ETX + "]*" + ETX)  # e.g. the footnote back-link marker


class _LineTracker(BlockProcessor):
    """Records (number of root children so far, line) each time a top-level block is about to be parsed."""

    def __init__(self, parser, state: dict):
        super().__init__(parser)
        self.state = state

    def test(self, parent, block) -> bool:
        return parent is self.parser.root

    def run(self, parent, blocks) -> bool:
        state = self.state
        if state.get("blocks") is None:
            state["blocks"] = blocks
            state["originals"] = list(blocks)
            offsets, offset = [], 0
            for block in blocks:
                offsets.append(offset)
                offset += len(block) + 2
            state["offsets"] = offsets
        line = state["records"][-1][1] if state["records"] else 1
        if blocks is state["blocks"]:
            index = len(state["originals"]) - len(blocks)
            original = state["originals"][index]
            current = blocks[0]
            if original.endswith(current):
                offset = state["offsets"][index] + len(original) - len(current)
                offset += len(current) - len(current.lstrip("\n"))
                line = _origin(state, state["text"].count("\n", 0, offset) + 1)
        state["records"].append((len(parent), line))
        return False  # never consume: let the real processors run


def _origin(state: dict, line: int) -> int:
    """The author's line of a line of the text Python-Markdown parses (see :class:`_CommonMarkBlocks`)."""
    origins = state.get("origins")
    return origins[min(line, len(origins)) - 1] if origins else line


class _LineStamp(Treeprocessor):
    def __init__(self, md, state: dict):
        super().__init__(md)
        self.state = state

    def run(self, root):
        records = self.state["records"]
        last_line = _origin(self.state, self.state["text"].count("\n") + 1)
        cursor = 0
        for index, child in enumerate(root):
            while cursor + 1 < len(records) and records[cursor + 1][0] <= index:
                cursor += 1
            line = records[cursor][1] if records and records[cursor][0] <= index else last_line
            child.set(LINE_ATTR, str(line))


class _CountingTables(TableProcessor):
    """Python-Markdown drops the cells of a row beyond the header's (as GitHub does): the row keeps how many
    it had in ``data-cells``, so that the model can report text that would not be printed."""

    def _build_row(self, row, parent, align):
        super()._build_row(row, parent, align)
        cells = self._split_row(row)
        if any(cell.strip() for cell in cells[len(align):]):
            parent[-1].set(CELLS_ATTR, str(len(cells)))


@dataclass(frozen=True)
class FieldToken:
    """One field as written: ``blank`` underscores (0 for attributes alone), the text in braces (None
    without braces), and where it starts (1-based line and column of the parsed text)."""

    text: str
    blank: int
    attrs: str | None
    line: int
    col: int


class _FieldFinder(Preprocessor):
    """Replaces each field on the source lines by a marker, keeping its token and place."""

    def __init__(self, md, state: dict):
        super().__init__(md)
        self.state = state

    def run(self, lines: list[str]) -> list[str]:
        if not self.state.get("fields_on"):
            return lines
        tokens: list[FieldToken] = self.state["fields"]

        def mark(match: re.Match, line: int) -> str:
            blank, attrs = match.group("blank"), match.group("attrs")
            tokens.append(FieldToken(match.group(0), len(blank) if blank else 0,
                                     attrs if blank else match.group("lone"), line, match.start() + 1))
            return _FIELD_MARKER % (len(tokens) - 1)

        lines = [_FIELD_TOKEN.sub(lambda m, n=number: mark(m, n), text) if ("_" in text or "{" in text) else text
                 for number, text in enumerate(lines, start=1)]
        self.state["text"] = "\n".join(lines)  # what the line tracker counts in: markers add no line
        return lines


_LIST_ITEM = re.compile(r"( *)([-*+]|\d{1,9}[.)])( +|$)")  # list markers ('1)' is handed on as '1.')
_COMMENT = re.compile(r"<!--.*?-->")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_RULE = re.compile(r" {0,3}([-*_])(?: *\1){2,} *$")  # "- - -" is a rule, not an item
_FENCE = re.compile(r"( *)(`{3,}|~{3,})")
_QUOTE = re.compile(r"(?: {0,3}> ?)+")  # a block quote's prefix, at any depth
_CODE_MARKER = STX + "hbcode:%d" + ETX  # a fenced code block's place (normalize_whitespace removed any STX)
_CODE_MARKER_PATTERN = re.compile(STX + r"hbcode:(\d+)" + ETX)


class _CommonMarkBlocks(Preprocessor):
    """Reads three things written the CommonMark way as CommonMark reads them, where Python-Markdown
    would print something else without a word:

    - a nested list indented by its parent's content column (two spaces under ``- ``, three under
      ``1. ``), which Python-Markdown flattens unless it is indented by four;
    - a list right after a paragraph line, which Python-Markdown takes as more of the paragraph;
    - a fenced code block (three backticks or tildes), which it reads as inline code.

    Also: ``1)`` list markers, a backslash at a line's end (a hard break), and HTML comments (an editor's
    notes, not printed). The same holds inside block quotes. Lines are re-indented to Python-Markdown's
    four spaces a level, and a blank line is put before such a list. A fenced block's lines are kept
    aside and a marker block stands in their place, which :class:`_FencedCode` makes a code block (an
    indented code block right after a list would be read as more of the list). ``state["origins"]`` maps
    each line handed on to the line it came from, so that every reported line is the author's."""

    def __init__(self, md, state: dict):
        super().__init__(md)
        self.state = state

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        origins: list[int] = []
        codes: list[list[str]] = self.state.setdefault("codes", [])  # fenced code, by its marker's number
        document = _BlockLines(codes)
        quotes: dict[int, _BlockLines] = {}  # the block quotes open, by depth
        for number, line in enumerate(lines, start=1):
            quote = _QUOTE.match(line) if document.fence is None else None
            if quote and document.items and len(line) - len(line.lstrip(" ")) >= document.items[0]:
                quote = None  # a quote inside a list item: the item's lines, re-indented with it
            if quote:
                document.items.clear()
                depth = quote.group(0).count(">")
                for deeper in [d for d in quotes if d > depth]:
                    del quotes[deeper]
                prefix = quote.group(0)
                written = [prefix + text if text else prefix.rstrip() for text in
                           quotes.setdefault(depth, _BlockLines(codes)).feed(line[len(prefix):])]
                document.after_blank, document.after_text = False, True
            else:
                quotes.clear()
                written = document.feed(line)
            out += written
            origins += [number] * len(written)
        self.state["origins"] = origins
        self.state["text"] = "\n".join(out)  # what the line tracker counts in
        return out


class _FencedCode(BlockProcessor):
    """A fenced code block's marker (see :class:`_CommonMarkBlocks`) becomes ``<pre><code>``, its text
    escaped as Python-Markdown escapes an indented block's."""

    def __init__(self, parser, state: dict):
        super().__init__(parser)
        self.state = state

    def test(self, parent, block) -> bool:
        return _CODE_MARKER_PATTERN.fullmatch(block.rstrip()) is not None  # (indented: a list item's, later)

    def run(self, parent, blocks) -> None:
        code = self.state["codes"][int(_CODE_MARKER_PATTERN.fullmatch(blocks.pop(0).rstrip()).group(1))]
        pre = etree.SubElement(parent, "pre")
        etree.SubElement(pre, "code").text = AtomicString(code_escape("\n".join(code)) + "\n")


class _BlockLines:
    """The lines of one container (the document, or a block quote's content), re-indented one at a time
    for :class:`_CommonMarkBlocks`."""

    def __init__(self, codes: list[list[str]]):
        self.codes = codes
        self.comment = False  # inside an HTML comment that began on an earlier line
        self.items: list[int] = []  # content columns of the open list items, outermost first
        self.fence = None  # (the fence, its indent, its lines of code) while inside one
        self.after_blank, self.after_text = True, False  # what the line before was

    def feed(self, line: str) -> list[str]:
        """The line as Python-Markdown is to read it: one line, or two (a blank line before a list)."""
        text = line.lstrip(" ")
        indent = len(line) - len(text)
        items = self.items
        if self.fence is not None:
            mark, fence_indent, code = self.fence
            closing = text.rstrip()
            if indent < fence_indent + 4 and closing.startswith(mark) and closing == closing[0] * len(closing):
                self.fence, self.after_blank, self.after_text = None, True, False
                return [""]
            code.append(line[min(indent, fence_indent):])
            return []
        if self.comment or "<!--" in line:  # an editor's note: not printed (GitHub hides it too)
            line = self._uncommented(line)
            text = line.lstrip(" ")
            indent = len(line) - len(text)
        if line.endswith("\\") and not line.endswith("\\\\") and not _FENCE.match(line):
            line = line[:-1] + "  "  # a backslash at the end of a line: a hard break, as two spaces are
            text = line.lstrip(" ")
        if not text:
            self.after_blank, self.after_text = True, False
            return [line]
        item = _LIST_ITEM.match(line) if not _RULE.match(line) else None
        if item and (items or indent < 4):
            while items and indent < items[-1]:
                items.pop()
            interrupts = not items and self.after_text and (item.group(2)[0] in "-*+" or item.group(2) == "1.")
            width = len(item.group(2)) + (len(item.group(3)) if 0 < len(item.group(3)) <= 4 else 1)
            if item.group(2).endswith(")"):
                text = item.group(2)[:-1] + "." + text[len(item.group(2)):]
            written = " " * (4 * len(items)) + text
            items.append(indent + width)
            self.after_blank, self.after_text = False, False
            return ["", written] if interrupts else [written]
        depth = len(items)
        if items and self.after_blank:  # a new block: inside the items whose content column it reaches
            depth = sum(1 for column in items if column <= indent)
            del items[depth:]
        opening = _FENCE.match(line)
        if opening and indent - (items[depth - 1] if depth else 0) < 4 and "`" not in text[len(opening.group(2)):]:
            self.codes.append([])
            self.fence = (opening.group(2), indent, self.codes[-1])
            self.after_blank, self.after_text = True, False
            return ["", " " * (4 * depth) + _CODE_MARKER % (len(self.codes) - 1)]  # a block of its own
        if depth:
            extra = max(0, indent - items[depth - 1]) if self.after_blank else 0
            line = " " * (4 * depth + extra) + text
        self.after_blank, self.after_text = False, not depth
        return [line]

    def _uncommented(self, line: str) -> str:
        """The line without HTML comments outside inline code (one may run over several lines)."""
        if self.comment:
            end = line.find("-->")
            if end < 0:
                return ""
            self.comment = False
            line = line[end + 3:]
        code = [match.span() for match in _CODE_SPAN.finditer(line)]
        outside = lambda at: not any(a <= at < b for a, b in code)  # noqa: E731
        line = _COMMENT.sub(lambda match: "" if outside(match.start()) else match.group(0), line)
        start = next((m.start() for m in re.finditer("<!--", line) if outside(m.start())), -1)
        if start >= 0:
            self.comment = True
            line = line[:start]
        return line


class _FieldElements(InlineProcessor):
    """A field's marker becomes a ``<field>`` element where it stands in the text."""

    def handleMatch(self, match, data):
        element = etree.Element(FIELD_TAG)
        element.set(FIELD_INDEX_ATTR, match.group(1))
        return element, match.start(0), match.end(0)


class _Capture(Treeprocessor):
    def __init__(self, md, state: dict):
        super().__init__(md)
        self.state = state

    def run(self, root):
        self.state["tree"] = root


class _SourceExtension(Extension):
    """Line tracking, raw HTML kept as text, and capture of the finished tree."""

    def __init__(self, state: dict):
        super().__init__()
        self.state = state

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.parser.blockprocessors.register(_LineTracker(md.parser, self.state), "line_tracker", PRIORITY_LINE_TRACKER)
        md.parser.blockprocessors.register(_CountingTables(md.parser, {"use_align_attribute": False}), "table",
                                           PRIORITY_TABLES)
        md.preprocessors.register(_FieldFinder(md, self.state), "fields", PRIORITY_FIELDS)
        md.preprocessors.register(_CommonMarkBlocks(md, self.state), "commonmark_blocks", PRIORITY_COMMONMARK)
        md.parser.blockprocessors.register(_FencedCode(md.parser, self.state), "fenced_code", PRIORITY_FENCED_CODE)
        md.inlinePatterns.register(_FieldElements(_FIELD_MARKER_PATTERN, md), "field_elements",
                                   PRIORITY_FIELD_ELEMENTS)
        md.treeprocessors.register(_LineStamp(md, self.state), "line_stamp", PRIORITY_LINE_STAMP)
        md.treeprocessors.register(_Capture(md, self.state), "capture", PRIORITY_CAPTURE)


@dataclass(frozen=True)
class ParsedMarkdown:
    """The finished element tree, and the way back from Python-Markdown's placeholders to text."""

    root: etree.Element
    stash: tuple[str, ...]
    fields: tuple[FieldToken, ...] = ()  # by the index a <field> element carries

    def text(self, value: str | None) -> str:
        """Element text with entity and escape placeholders turned back into characters, and fields
        that are not elements (in code, in attributes) back into what was written."""
        if not value:
            return ""
        if STX not in value:
            return value
        for index, raw in enumerate(self.stash):
            value = value.replace(HTML_PLACEHOLDER % index, html.unescape(raw))
        for index, token in enumerate(self.fields):
            value = value.replace(_FIELD_MARKER % index, token.text)
        value = _ENCODED_CHARACTER.sub(lambda m: chr(int(m.group(1))), value)  # an e-mail autolink's letters
        value = value.replace(AMP_SUBSTITUTE, "&")
        return _INTERNAL_PLACEHOLDER.sub("", value).replace(STX, "").replace(ETX, "")


class _Parser:
    """One configured Markdown and the state its extensions share while parsing one text. Building one
    compiles ~200 regular expressions, so each thread keeps one (extensions are passed as objects:
    named ones make Markdown scan every installed package's entry points first, about 30 ms)."""

    def __init__(self):
        self.state: dict = {}
        self.md = markdown.Markdown(extensions=[
            TableExtension(), FootnoteExtension(BACKLINK_TEXT="", SUPERSCRIPT_TEXT="{}"), SaneListExtension(),
            _SourceExtension(self.state),
        ])

    def parse(self, text: str, fields: bool) -> ParsedMarkdown:
        md, state = self.md, self.state
        md.reset()
        state.clear()
        state.update({"records": [], "blocks": None, "text": text.replace("\t", "    "), "fields_on": fields,
                      "fields": []})
        md.convert(text)
        # Python-Markdown returns early for blank text, before any treeprocessor: an empty chapter.
        root = state.pop("tree", None)
        if root is None:
            root = etree.Element("div")
        stash = tuple(str(item) for item in md.htmlStash.rawHtmlBlocks)
        result = ParsedMarkdown(root, stash, tuple(state["fields"]))
        state.clear()  # nothing of this text stays behind
        return result


_PER_THREAD = threading.local()


def parse_markdown(text: str, fields: bool = False) -> ParsedMarkdown:
    """Parse Markdown; top-level elements carry ``data-line``; footnotes come last as ``div.footnote``;
    with ``fields``, a worksheet's fields are ``<field>`` elements."""
    parser = getattr(_PER_THREAD, "parser", None)
    if parser is None:
        parser = _PER_THREAD.parser = _Parser()
    return parser.parse(text, fields)
