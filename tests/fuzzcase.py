"""One fuzz case: a one-chapter book built in-process, judged by the rule of issue 7.

The rule: whatever an editor types, the build either makes a valid PDF whose text holds every printable
character of the text they wrote, all of it on the printable page, or stops with located diagnostics
(``path:line``). Anything else (an exception, a PDF a reader rejects, a character lost or drawn past the
edge of the paper) is a failure. Shared by ``tests/test_fuzz.py`` (a short run in CI) and ``bench/fuzz.py``
(the long run). Worksheets are fuzzed the same way, with their own field syntax.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

from handbook.diagnostics import Diagnostic, HandbookError, Sink
from handbook.pipeline import BuildOptions, make_all

CHAPTER = "01-fuzz.md"
BOOK_TOML = """[book]
source = "zh-Hans"
edition = 2026-11-28
outputs = ["handbook"]

[variants.zh-Hans]
locale = "zh_Hans_CN"
fonts = "SC"
punctuation = "mainland"
title = "测试"
"""

# Text: what must come out again. Han and full-width marks, Latin, digits, non-BMP Han the font has,
# combining marks; also characters the font lacks (emoji, Ext. B it does not cover, right-to-left
# scripts), control and format characters. None of these is Markdown syntax.
HAN = "的一是在不了有人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
MARKS = "，。、；：？！（）《》「」『』“”‘’—…·％"
LATIN = "abcdefxyzABCXYZ0123456789"
RARE = "𠮷𡈽\u0301\u20dd\u3099\u3000\u00a0é"  # non-BMP Han, combining marks, ideographic and no-break space
LACKING = "😀𠀀\u0308שלוםمرحبا\ufffd\ue000"  # not in the font: a diagnostic is the right answer
CONTROL = "\x00\x01\x07\x0b\x0c\x1b\x7f\x85\u200b\u200d\u200e\u202e\u2028\u2029\u2060\ufeff\u00ad"
TEXT_ALPHABET = HAN + MARKS + LATIN + RARE

# Markdown and markup syntax, HTML, template syntax: none of it hides the text around it.
SYNTAX = ["\n", "\n\n", "  \n", "# ", "## ", "#### ", "- ", "* ", "1. ", "    ", "> ", "| ", " |", "|---|",
          "---", "***", "```", "`", "*", "**", "_", "__", "<", ">", "&", "&amp;", "&lt;", "\\", "{{ x }}",
          "{% if %}", "<b>", "</b>", "<font>", "<para>", "<br/>", "<!--", "-->", "<div>", "[^1]", "\t", "\r",
          "\r\n", "~~~", "___", "$", "%", "'", '"', "https://example.com/a?b=c&d", "\u2028"]
# Syntax that may legitimately hide text: link targets, images, footnote and reference definitions,
# script overrides for the other edition, character references, and arbitrary strings.
HIDING = ["[", "]", "(", ")", "](", "![", "[a](b)", "[^1]: ", "[x]: ", "-{", "}-", "-{zh-Hans:甲;zh-Hant:乙}-",
          "{", "}", "&#x41;", "&#0;", "&#x1F600;", "&#x200B;"]


def _text(alphabet: str) -> st.SearchStrategy[tuple[str, bool]]:
    return st.text(alphabet=alphabet, min_size=1, max_size=12).map(lambda t: (t, True))


def _syntax(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[str, bool]]:
    return strategy.map(lambda t: (t, False))


_cell = st.text(alphabet=HAN + LATIN + "，。", min_size=0, max_size=30)
_tables = st.lists(_cell.filter(bool), min_size=1, max_size=24).flatmap(lambda header: st.builds(
    lambda rows: "\n\n| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n"
    + "".join("| " + " | ".join(row) + " |\n" for row in rows) + "\n",
    st.lists(st.lists(_cell, min_size=1, max_size=len(header)), max_size=40)))
_lists = st.builds(
    lambda items: "\n\n" + "".join("    " * depth + f"{marker} {text}\n" for depth, marker, text in items) + "\n",
    st.lists(st.tuples(st.integers(0, 14), st.sampled_from(["-", "*", "1."]), _cell.filter(bool)), min_size=1,
             max_size=20).map(lambda items: [(min(d, i), m, t) for i, (d, m, t) in enumerate(items)]))
_front_matter = st.sampled_from(["---\ntitle: 标题\n---\n", "---\nshort_title: 短\n---\n", "---\ntitle: [\n---\n",
                                 "---\nunknown: 1\n---\n", "---\n- a\n---\n", "---\ntitle: 1\n---\n", "---\n"])


def _block(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[str, bool]]:
    """Generated blocks: what is between their syntax is text the PDF must show."""
    return strategy.map(lambda t: (t, True))


clean_tokens = st.one_of(
    _block(_tables),
    _block(_lists),
    _text(TEXT_ALPHABET),
    _text(TEXT_ALPHABET),
    _text(HAN + MARKS),
    _syntax(st.sampled_from(SYNTAX)),
    _syntax(st.sampled_from(SYNTAX)),
    _text(CONTROL),
    st.builds(lambda ch, n: (ch * n, True), st.sampled_from("a中/-"), st.integers(50, 700)),  # huge tokens
    _syntax(st.sampled_from(HIDING)),
)
any_tokens = st.one_of(clean_tokens, _text(LACKING), _syntax(st.text(min_size=1, max_size=4)))


@dataclass(frozen=True)
class Document:
    """Random Markdown, and the characters that must be printed (None: the text may hide some)."""

    text: str
    expected: frozenset[str] | None


def _document(parts: list[tuple[str, bool]]) -> Document:
    text = "".join(part for part, _ in parts)
    hiding = any(not is_text and part not in SYNTAX and not part.startswith("---\n") for part, is_text in parts)
    expected = None if hiding else frozenset(printable("".join(part for part, is_text in parts if is_text)))
    return Document(text, expected)


# Half the documents use only characters the font has, so that most of them make a PDF to check.
documents = st.builds(lambda front, parts: ([(front, False)] if front else []) + parts,
                      st.one_of(st.just(""), st.just(""), st.just(""), _front_matter),
                      st.one_of(st.lists(clean_tokens, max_size=60), st.lists(any_tokens, max_size=60))).map(_document)


def printable(text: str) -> set[str]:
    """The characters of the text alphabet in ``text``: each must be somewhere in the PDF's text."""
    return {ch for ch in text if ch in TEXT_ALPHABET and not ch.isspace()
            and unicodedata.category(ch) not in ("Mn", "Me")}


# Worksheets: the field syntax (blanks, attributes, checkboxes, write-in tables) mixed with text.
SHEET_SYNTAX = ["\n", "\n\n", "# ", "## ", "### ", "> ", "- [ ] ", "- [x] ", "1. ", "___", "________", "　"]
SHEET_HIDING = ["{#name}", "{#amount money}", "{#day date}", "{#n number}", "{#area lines=3}", "{lines=99}",
                "{#Bad-Name}", "{currency=CNY}", "{currency=cny}", "{#sec}", "{#x checkbox}", "{", "}",
                "\n\n| 日期 {#log_date date} | 内容 |\n|---|---|\n|  |  |\n|  | 写好了 |\n\n",
                "\n\n| 甲 | 乙 {#b lines=2} |\n|---|---|\n|  |  |\n\n", "    code", "```", "[^1]", "[^1]: 注",
                "![图](a.png)", "-{", "}-"]
clean_sheet_tokens = st.one_of(
    _text(HAN + MARKS + LATIN), _text(HAN + MARKS + LATIN), _text(CONTROL), _block(_tables),
    _syntax(st.sampled_from(SHEET_SYNTAX)), _syntax(st.sampled_from(SHEET_SYNTAX)),
    st.builds(lambda ch, n: (ch * n, True), st.sampled_from("a中_"), st.integers(20, 400)),
)
sheet_tokens = st.one_of(clean_sheet_tokens, _text(LACKING), _syntax(st.sampled_from(SHEET_HIDING)))


def _sheet(parts: list[tuple[str, bool]]) -> Document:
    text = "".join(part for part, _ in parts)
    hiding = any(not is_text and part not in SHEET_SYNTAX + SHEET_TITLES for part, is_text in parts)
    return Document(text, None if hiding else frozenset(printable("".join(p for p, is_text in parts if is_text))))


SHEET_TITLES = ["# 工作表 {currency=CNY}\n\n", "# 工作表\n\n", ""]
sheets = st.builds(lambda title, parts: [(title, False)] + parts, st.sampled_from(SHEET_TITLES + SHEET_TITLES[:2]),
                   st.one_of(st.lists(clean_sheet_tokens, max_size=50), st.lists(sheet_tokens, max_size=50))
                   ).map(_sheet)


@dataclass
class Outcome:
    kind: str  # "pdf" | "diagnostics" | failures: "exception", "unlocated", "invalid-pdf", "off-page", "missing-text"
    detail: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.kind not in ("pdf", "diagnostics")


class Book:
    """A scratch book folder reused for many cases (only the chapter changes)."""

    def __init__(self, folder: Path, cache_dir: Path, output: str = "handbook"):
        self.content = folder / "content"
        (self.content / "zh-Hans").mkdir(parents=True, exist_ok=True)
        (self.content / "book.toml").write_text(BOOK_TOML, encoding="utf-8")
        (self.content / "zh-Hans" / CHAPTER).write_text("# 章\n\n正文。\n", encoding="utf-8")
        self.file = self.content / "zh-Hans" / ("worksheet.md" if output == "worksheet" else CHAPTER)
        self.options = BuildOptions(content_dir=self.content, output_dir=folder / "out", cache_dir=cache_dir,
                                    outputs=(output,), force=True)

    def run(self, text: str | bytes, expected: frozenset[str] | None = None) -> Outcome:
        """Build the book with ``text`` as its chapter (or worksheet); ``expected``: characters the PDF must show."""
        self.file.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        try:
            return self._build(expected)
        except Exception as exc:  # the failure the fuzz looks for
            return Outcome("exception", f"{type(exc).__name__}: {exc}"[:300])

    def _build(self, expected: frozenset[str] | None) -> Outcome:
        """The pipeline's own orchestration (pipeline.make_all), in memory: nothing is written."""
        sink = Sink()
        try:
            made = make_all(self.options, sink)[0]
        except HandbookError:
            made = []  # the configuration could not be read: the sink holds why
        pdf = next((data for edition in made for data in edition.files.values()), None)
        if sink.errors:
            unlocated = [d for d in sink.errors if d.pos is None or not d.pos.line]
            if unlocated:
                return Outcome("unlocated", str(unlocated[0]), sink.errors)
            return Outcome("diagnostics", str(sink.errors[0]), sink.errors)
        problem = check_pdf(pdf)
        if problem:
            return Outcome("invalid-pdf", problem)
        text, outside = pdf_text(pdf)
        if outside:
            return Outcome("off-page", outside)
        if expected:
            missing = expected - set(text)
            if missing:
                return Outcome("missing-text", "".join(sorted(missing)))
        return Outcome("pdf", diagnostics=sink.warnings)


QPDF = shutil.which("qpdf")


def check_pdf(pdf: bytes) -> str:
    """'' when pypdf (strict), PDFium and, if installed, ``qpdf --check`` accept the PDF; else the complaint."""
    import pypdf
    import pypdfium2 as pdfium

    try:
        reader = pypdf.PdfReader(io.BytesIO(pdf), strict=True)
        for page in reader.pages:
            page.extract_text()
        document = pdfium.PdfDocument(pdf)
        count = len(document)
        document.close()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    if not count == len(reader.pages) > 0:
        return "page counts differ"
    if QPDF:
        with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
            file.write(pdf)
            file.flush()
            check = subprocess.run([QPDF, "--check", file.name], capture_output=True)
        if check.returncode != 0 or b"WARNING" in check.stdout + check.stderr:
            return "qpdf --check: " + (check.stdout + check.stderr).decode(errors="replace")[-300:]
    return ""


SAFE = 5 * 72 / 25.4  # pt: what office printers cannot print, at each edge


def pdf_text(pdf: bytes) -> tuple[str, str]:
    """The PDF's text (PDFium), and the first character drawn off the printable page ('' if none)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    parts, outside = [], ""
    try:
        for number, page in enumerate(document, start=1):
            width, height = page.get_size()
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            parts.append(text)
            for index in range(textpage.count_chars()):
                left, bottom, right, top = textpage.get_charbox(index)
                if not outside and right > left and not (SAFE <= left and right <= width - SAFE
                                                         and SAFE <= bottom and top <= height - SAFE):
                    outside = f"page {number}: {textpage.get_text_range(index, 1)!r} at ({left:.0f}, {bottom:.0f})"
            textpage.close()
            page.close()
        return "".join(parts), outside
    finally:
        document.close()
