"""Notes at the foot of the page (脚注): on the page of their reference, under a short rule, in the note size;
a long note continues at the foot of the next page; chapter endnotes stay a theme choice. Read back from
examples/features built with the real command, and from the same book typeset in-process with notes = "end"."""
from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest

from conftest import ROOT, run_build
from handbook.book import load_book
from handbook.diagnostics import Sink
from handbook.pipeline import BuildOptions, read_edition
from handbook.theme import load_theme
from handbook.typeset import prepare as glyphs
from handbook.typeset.layout import typeset
from pdfread import page_texts, squash

EXAMPLE = ROOT / "examples" / "features"
NOTE_SIZE, BODY_SIZE = 8.5, 10.5  # templates/themes/default.toml


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("notes")
    result = run_build("--content", str(EXAMPLE), "--output", str(out), "--variant", "zh-Hans", "--only", "handbook",
                       "--strict")
    assert result.returncode == 0, result.stderr
    return out / "zh-Hans" / "handbook.pdf"


def chars_of(page, text: str) -> list[dict]:
    """The characters of the first occurrence of ``text`` on a pdfplumber page."""
    chars = [c for c in page.chars if not c["text"].isspace()]
    drawn = "".join(c["text"] for c in chars)
    start = drawn.index(squash(text))
    return chars[start:start + len(squash(text))]


def test_a_note_sits_at_the_foot_of_its_references_page_under_a_short_rule(pdf):
    texts = [squash(t) for t in page_texts(pdf)]
    number = next(n for n, t in enumerate(texts, start=1) if "字号比正文小1" in t)  # the reference, superscript 1
    with pdfplumber.open(pdf) as document:
        page = document.pages[number - 1]
        note = chars_of(page, "这是一条脚注：它和引用它的那一行在同一页")
        reference = chars_of(page, "字号比正文小1")
        body = [c for c in page.chars if c["size"] == pytest.approx(BODY_SIZE)]
        rules = [line for line in page.lines if abs(line["top"] - line["bottom"]) < 0.1]
    assert all(c["size"] == pytest.approx(NOTE_SIZE) for c in note)
    assert reference[-1]["size"] < BODY_SIZE * 0.7  # the reference is a superscript
    assert min(c["top"] for c in note) > max(c["bottom"] for c in body)  # under all the text of the page
    rule = [r for r in rules if max(c["bottom"] for c in body) < r["top"] < min(c["top"] for c in note)]
    assert len(rule) == 1 and rule[0]["x1"] - rule[0]["x0"] == pytest.approx(0.3 * 29 * BODY_SIZE, abs=0.5)


def test_a_long_note_continues_at_the_foot_of_the_next_page(pdf):
    texts = [squash(t) for t in page_texts(pdf)]
    reference = next(n for n, t in enumerate(texts, start=1) if "仍然留在本页2" in t)
    assert "2这是一条很长的注释" in texts[reference - 1]  # begins on the reference's page
    assert "注释的最后一行印在下一页" in texts[reference]  # ends on the next one
    with pdfplumber.open(pdf) as document:
        page = document.pages[reference]
        end = chars_of(page, "注释的最后一行印在下一页")
        body = [c for c in page.chars if c["size"] == pytest.approx(BODY_SIZE)]
    assert body and min(c["top"] for c in end) > max(c["bottom"] for c in body)


def typeset_with(page: dict) -> list[str]:
    """examples/features (zh-Hans) typeset in-process with theme [page] settings: the text of each page."""
    options = BuildOptions(content_dir=EXAMPLE)
    sink = Sink()
    book = load_book(options.content_dir, options.project_root, sink)
    theme = load_theme(book.theme, options.templates_dir, options.project_root, sink)
    edition = read_edition(book, book.variant("zh-Hans"), options, sink)
    fonts = glyphs.fonts_for(edition.document, edition.sources, edition.config, theme, options, sink)
    assert fonts is not None, sink.items
    document = pdfium.PdfDocument(io.BytesIO(typeset(edition.document, replace(theme, page={**theme.page, **page}),
                                                     fonts)))
    try:
        return [squash(page.get_textpage().get_text_range()) for page in document]
    finally:
        document.close()


def test_chapter_endnotes_remain_a_theme_choice():
    text = "".join(typeset_with({"notes": "end"}))
    last_paragraph = text.index("下一次沟通就越顺利")  # the chapter's last paragraph, then its notes
    assert text.index("1这是一条脚注") > last_paragraph and text.index("2这是一条很长的注释") > last_paragraph


@pytest.mark.parametrize("numbers, printed", [("chapter", "3"), ("page", "1")])
def test_notes_are_numbered_per_chapter_or_per_page_as_the_theme_says(numbers, printed):
    pages = typeset_with({"note_numbers": numbers})
    page = next(text for text in pages if "记录可以写在配套的工作表上" in text)
    assert "这是一条脚注" not in page  # notes 1 and 2 are on an earlier page: per page, this one is the first
    assert f"机会{printed}。" in page and f"{printed}记录可以写在配套的工作表上" in page  # reference and note agree
