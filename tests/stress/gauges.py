"""Gauges of line breaking, read back from a built PDF (issue 15). Used by tests/test_breaking.py and
bench/bench_breaking.py.

Two readers of the same gauges:

- :func:`logged_lines` pairs the typesetter's own log of every line with the characters PDFium finds on it;
- :func:`pdf_lines` needs no log (for another typesetter's PDF): it groups characters by baseline, and finds
  which paragraph each line belongs to by matching the text against the source paragraphs in order.

:func:`measure` then counts, over the lines of justified paragraphs: prohibited line starts and ends, non-final
lines flush with the measure, breaks inside Latin words and numbers, single-character last lines, the widest
gap between two Han characters on a justified line, and letter-spaced short lines.
"""
from __future__ import annotations

import ctypes
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium

from handbook import model
try:
    from handbook.typeset import prepare as glyphs  # where the coverage check and font preparation live now
except ImportError:  # before that move
    from handbook import glyphs
from handbook.book import load_book
from handbook.diagnostics import Sink
from handbook.pipeline import BuildOptions, read_edition
from handbook.theme import load_theme
from handbook.typeset import cjk, tokens
from handbook.typeset.layout import typeset

STRESS = Path(__file__).resolve().parent
CAP_EM = 0.25  # no more than this between two Han characters on a justified line
FLUSH_PT = 0.5
HYPHENS = {"\ufffe": "-", "\x02": "-", "\u00ad": "-"}  # PDFium reports a hyphen at a line end as U+FFFE


@dataclass
class Line:
    text: str  # the characters drawn, in order (no spaces)
    chars: list  # (char, loose box (l, b, r, t)) as PDFium reads them
    right: float  # where the measure ends
    size: float
    paragraph: object  # lines of one paragraph share this
    source: str  # the paragraph's source text
    first: bool
    last: bool
    justified_block: bool  # the block is justified (body text, lists, quotes, notes)
    page: int = 0
    compress: str = "none"


# -- building ----------------------------------------------------------------------------------------------
def typeset_edition(content: Path | None, variant: str, theme_name: str | None = None):
    """(line log, PDF bytes, document) of one edition typeset in-process."""
    options = BuildOptions(content_dir=content) if content else BuildOptions()
    sink = Sink()
    book = load_book(options.content_dir, options.project_root, sink)
    theme = load_theme(theme_name or book.theme, options.templates_dir, options.project_root, sink)
    edition = read_edition(book, book.variant(variant), options, sink)
    fonts = glyphs.fonts_for(edition.document, edition.sources, edition.config, theme, options, sink)
    assert not sink.errors, sink.errors
    log: list = []
    pdf = typeset(edition.document, theme, fonts, line_log=log)
    return log, pdf, edition.document, theme


# -- reading -----------------------------------------------------------------------------------------------
def page_chars(document, number: int) -> list:
    textpage = document[number].get_textpage()
    chars = []
    for i in range(textpage.count_chars()):
        char = textpage.get_text_range(i, 1)
        char = HYPHENS.get(char, char)
        if char.strip() and char != "\ufffe":
            x, y = ctypes.c_double(), ctypes.c_double()
            pdfium.raw.FPDFText_GetCharOrigin(textpage, i, ctypes.byref(x), ctypes.byref(y))
            chars.append((char, textpage.get_charbox(i, loose=True), (x.value, y.value)))
    return chars


def logged_lines(log: list, pdf: bytes) -> list[Line]:
    document = pdfium.PdfDocument(pdf)
    pages: dict = {}
    out = []
    for entry in log:
        if entry["page"] not in pages:
            pages[entry["page"]] = page_chars(document, entry["page"] - 1)
        on_line = [(c, box) for c, box, origin in pages[entry["page"]]
                   if -0.6 < origin[1] - entry["baseline"] < entry["size"] / 2
                   and entry["left"] - entry["size"] / 2 - 0.5 <= box[0] <= entry["measure_right"] + 1]
        out.append(Line("".join(c for c, _ in on_line), on_line, entry["measure_right"], entry["size"],
                        entry["paragraph"], entry["source"], entry["first"], entry["last"],
                        entry["align"] == "justify" and not entry["heading"], entry["page"], entry["compress"]))
    return out


def pdf_lines(pdf: bytes, paragraphs: list[tuple[str, bool]], size: float, column, compress: str) -> list[Line]:
    """Lines of a PDF without a log: characters in the text column grouped by baseline, in
    reading order, assigned to the source ``paragraphs`` (text, justified) by matching their text in order.
    Lines that match no paragraph (running heads, folios, contents) are left out; a list label before a
    line's text is dropped. ``column(page)``: (left, right) of the measure on that page (1-based), None to skip the page."""
    document = pdfium.PdfDocument(pdf)
    rows = []
    for number in range(len(document)):
        if column(number + 1) is None:
            continue  # not a page of the chapters (the contents would match headings out of order)
        left, right = column(number + 1)
        chars = [(c, box, origin) for c, box, origin in page_chars(document, number)
                 if left - 2 <= box[0] and box[2] <= right + size]
        chars.sort(key=lambda c: -c[2][1])
        page_rows: list = []
        for char, box, origin in chars:  # a note reference rides half an em above its line
            if page_rows and abs(page_rows[-1][0] - origin[1]) < 0.5 * size:
                page_rows[-1][1].append((char, box))
            else:
                page_rows.append([origin[1], [(char, box)]])
        for _, row in page_rows:
                rows.append((number + 1, right, sorted(row, key=lambda c: c[1][0])))
    targets = [(squash(text), justified, text) for text, justified in paragraphs if squash(text)]
    out: list[Line] = []
    t, done = 0, ""  # the paragraph being matched and how much of it the lines so far cover
    for page, right, chars in rows:
        found = None
        for drop in range(0, min(4, len(chars))):  # a list label: "1." "•"
            text = "".join(c for c, _ in chars[drop:])
            if t < len(targets) and done:
                piece = _match_prefix(text, targets[t][0][len(done):])
                if piece is not None:
                    found = (t, piece, drop)
                    break
            for skip in range(t, min(t + 40, len(targets))):
                if skip == t and done:
                    continue
                piece = _match_prefix(text, targets[skip][0])
                if piece is not None and (len(piece) >= 2 or piece == targets[skip][0]):
                    found = (skip, piece, drop)
                    break
            if found:
                break
        if found is None:
            continue
        index, piece, drop = found
        if index != t:
            t, done = index, ""
        target, justified, original = targets[t]
        first = not done
        done += piece
        last = len(done) >= len(target)
        kept = chars[drop:]
        out.append(Line("".join(c for c, _ in kept), kept, right, size, t, original, first, last, justified,
                        page, compress))
        if last:
            t, done = t + 1, ""
    return out


def _match_prefix(line: str, rest: str) -> str | None:
    """How much of ``rest`` the line holds (a hyphen added at its end does not count), or None."""
    if not line or not rest:
        return None
    if rest.startswith(line):
        return line
    if line.endswith("-") and rest.startswith(line[:-1]) and len(line) > 1:
        return line[:-1]
    return None


def squash(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace() and not tokens.is_ignorable(ch)
                   and unicodedata.category(ch) not in ("Cc", "Cf"))


# -- gauges ------------------------------------------------------------------------------------------------
@dataclass
class Gauges:
    lines: int = 0
    non_final: int = 0
    flush: int = 0
    prohibited: list = field(default_factory=list)
    broken_words: list = field(default_factory=list)
    broken_numbers: list = field(default_factory=list)
    overlong_breaks: int = 0  # inside a token wider than the line: excused
    url_inner_breaks: list = field(default_factory=list)  # a URL or e-mail address broken between two letters
    # or digits of a segment (no hyphen added): the last resort that keeps its line flush, allowed
    orphans: list = field(default_factory=list)
    over_cap: list = field(default_factory=list)
    spread_short: list = field(default_factory=list)
    not_flush: list = field(default_factory=list)
    token_ragged: int = 0  # of the lines not flush: those ending inside a URL, an e-mail address, code or a
    # token wider than the line, at a legal break (the one excuse for a short line)
    widest_han_gap_em: float = 0.0

    @property
    def flush_share(self) -> float:
        return self.flush / self.non_final if self.non_final else 1.0

    @property
    def flush_share_excused(self) -> float:
        """Flush share of the non-final lines that do not end inside a URL or an overlong token."""
        counted = self.non_final - self.token_ragged
        return self.flush / counted if counted else 1.0

    def row(self) -> dict:
        return {"lines": self.lines, "non-final": self.non_final, "flush": f"{self.flush_share:.3f}",
                "ragged in URL": self.token_ragged, "flush, others": f"{self.flush_share_excused:.3f}",
                "URL broken in a segment": len(self.url_inner_breaks),
                "prohibited": len(self.prohibited), "broken words": len(self.broken_words),
                "broken numbers": len(self.broken_numbers), "1-char last lines": len(self.orphans),
                "over cap": len(self.over_cap), "spread ≤3 chars": len(self.spread_short),
                "widest Han gap (em)": f"{self.widest_han_gap_em:.2f}"}


def is_han(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F") and unicodedata.category(char) == "Lo"


def measure(lines: list[Line], measure_pt: float, lenient_marks: bool = False) -> Gauges:
    """The gauges over ``lines`` (of justified blocks only); ``measure_pt``: the body measure, for knowing
    which tokens are wider than a line. ``lenient_marks``: a line ending with a pause or closing mark is flush
    when the mark's box ends anywhere from the measure to half an em past it (another typesetter's way of
    trimming or hanging line-end marks, which a reader cannot tell from ours)."""
    g = Gauges()
    by_paragraph: dict = {}
    for line in lines:
        if line.justified_block and line.chars:
            by_paragraph.setdefault(line.paragraph, []).append(line)
    for paragraph in by_paragraph.values():
        inside_token = _token_breaks(paragraph, g, measure_pt)
        for number, line in enumerate(paragraph):
            g.lines += 1
            text = line.text
            if not line.first and text[0] in cjk.NO_START:
                g.prohibited.append(("start", line.page, text))
            if not line.last and text[-1] in cjk.NO_END:
                g.prohibited.append(("end", line.page, text))
            if line.last:
                if not line.first:
                    units = [c for c in text if c not in cjk.NO_START]
                    if len(units) < 2:
                        g.orphans.append((line.page, text))
                continue
            g.non_final += 1
            last_char, box = line.chars[-1]
            right = box[2]
            if line.compress != "none" and last_char in cjk.TRIM_RIGHT["all" if line.compress == "all" else
                                                                         "brackets"]:
                right -= min(line.size, box[2] - box[0]) / 2  # half the mark (a note is smaller)
            if abs(right - line.right) <= FLUSH_PT or lenient_marks and last_char in cjk.CLOSING | cjk.PAUSES \
                    and -line.size / 2 - FLUSH_PT <= line.right - box[2] <= FLUSH_PT:
                g.flush += 1
            elif number in inside_token:
                g.token_ragged += 1
            else:
                g.not_flush.append((line.page, text, round(line.right - right, 1)))
            widest = 0.0
            for (a, box_a), (b, box_b) in zip(line.chars, line.chars[1:]):
                if is_han(a) and is_han(b):
                    widest = max(widest, (box_b[0] - box_a[2]) / line.size)
            g.widest_han_gap_em = max(g.widest_han_gap_em, widest)
            if widest > CAP_EM + 0.01:
                g.over_cap.append((line.page, text, round(widest, 2)))
                if len(text) <= 3:
                    g.spread_short.append((line.page, text))
    return g


def _token_breaks(paragraph: list[Line], g: Gauges, measure_pt: float) -> set[int]:
    """Each line break that falls inside a Latin token, judged by the token rules; returns the numbers of
    the lines that end inside a URL, an e-mail address, code or an overlong token at a legal place."""
    inside = set()
    source = paragraph[0].source
    plain = [ch for ch in source if not tokens.is_ignorable(ch) and unicodedata.category(ch) not in ("Cc", "Cf")]
    cursor = 0
    for number, (above, below) in enumerate(zip(paragraph, paragraph[1:])):
        text = above.text
        hyphen_added = False
        for index, char in enumerate(text):
            while cursor < len(plain) and plain[cursor].isspace():
                cursor += 1
            if cursor < len(plain) and plain[cursor] == char:
                cursor += 1
            elif index == len(text) - 1 and char == "-":
                hyphen_added = True
        if cursor <= 0 or cursor >= len(plain):
            continue
        before, after = plain[cursor - 1], plain[cursor]
        if not (_narrow(before) and _narrow(after)):
            continue
        start, end = cursor, cursor
        while start > 0 and _narrow(plain[start - 1]):
            start -= 1
        while end < len(plain) and _narrow(plain[end]):
            end += 1
        token = "".join(plain[start:end])
        where = (above.page, token[:cursor - start] + "|" + token[cursor - start:])
        kind = tokens.classify(token)
        if kind in ("url", "email") and not hyphen_added and before.isalnum() and after.isalnum():
            g.url_inner_breaks.append(where)  # inside a segment, between two letters or digits
            inside.add(number)
        elif len(token) * 0.5 * above.size > measure_pt:
            g.overlong_breaks += 1
            inside.add(number)
        elif hyphen_added:
            word_start = cursor
            while word_start > start and plain[word_start - 1].isalpha():
                word_start -= 1
            word_end = cursor
            while word_end < end and plain[word_end].isalpha():
                word_end += 1
            word = "".join(plain[word_start:word_end])
            if cursor - word_start not in tokens.hyphenation_points(word):
                g.broken_words.append(where)
        elif kind != "number" and before in tokens.URL_BREAK_AFTER and after not in tokens.CLOSING_ASCII:
            inside.add(number)  # a URL, an e-mail address or code at one of its separators
        elif kind == "word" and before == "-":
            pass
        elif any(ch.isdigit() for ch in token):
            g.broken_numbers.append(where)
        else:
            g.broken_words.append(where)
    return inside


def _narrow(char: str) -> bool:
    return not char.isspace() and unicodedata.east_asian_width(char) not in ("W", "F") and not (
        unicodedata.east_asian_width(char) == "A" and unicodedata.category(char).startswith("P")
        and char in "“”‘’…—")


def block_texts(document: model.Document) -> list[tuple[str, bool]]:
    """(text, justified) of every text block of the chapters, in reading order (for :func:`pdf_lines`)."""
    out = []

    def walk(blocks, justified=True):
        for block in blocks:
            if isinstance(block, model.Heading):
                out.append((model.plain(block.content), False))
            elif isinstance(block, model.Paragraph):
                out.append((model.plain(block.content), justified))
            elif isinstance(block, model.ListBlock):
                for item in block.items:
                    walk(item.blocks, justified)
            elif isinstance(block, model.Quote):
                walk(block.blocks, justified)
            elif isinstance(block, model.Table):
                for cell in block.header:
                    out.append((model.plain(cell), False))
                for row in block.rows:
                    for cell in row:
                        out.append((model.plain(cell), False))
            elif isinstance(block, model.CodeBlock):
                out.append((block.text, False))

    for chapter in document.chapters:
        walk(chapter.blocks)
        for note in chapter.notes:
            walk(note.blocks)
    return out
