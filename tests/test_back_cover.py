"""The back cover's how-to-print note (user trial): it was printed by a book that makes no booklet
(outputs = ["handbook"]) and always said A4 and the short edge, whatever book.toml's [booklet] said.
Now it is printed only when the build makes a booklet, with the book's paper and duplex."""
from __future__ import annotations

import re

import pytest

from conftest import run_build
from handbook import model
from handbook.book import load_book
from handbook.diagnostics import Sink
from handbook.pipeline import BuildOptions, read_edition
from pdfread import page_texts

# The default book's note, word for word as it was printed before the note followed book.toml.
DEFAULT_NOTES = {
    "zh-Hans": "自行打印小册子：用A4纸双面打印handbook-booklet.pdf，选择“短边翻转”和“实际大小”；将整叠纸对折，在折线处装订。",
    "zh-Hant": "自行列印小冊子：用A4紙雙面列印handbook-booklet.pdf，選擇「短邊翻轉」和「實際大小」；將整疊紙對摺，在摺線處裝訂。",
    "zh-Hant-HK": "自行打印小冊子：用A4紙雙面打印handbook-booklet.pdf，選擇「短邊翻轉」和「實際大小」；將整疊紙對摺，在摺線處裝訂。",
}


def set_book(project, outputs: str | None = None, booklet: str | None = None) -> None:
    """Change book.toml's [book] outputs line, and replace its [booklet] table (None: leave it; '': drop it)."""
    path = project / "content" / "book.toml"
    text = path.read_text(encoding="utf-8")
    if outputs is not None:
        text, count = re.subn(r"(?m)^outputs = .*$", f"outputs = {outputs}", text)
        assert count == 1
    if booklet is not None:
        text, count = re.subn(r"(?ms)^\[booklet\].*?(?=^\[)", booklet + "\n", text)
        assert count == 1
    path.write_text(text, encoding="utf-8")


def back_cover(project, name: str, outputs: tuple[str, ...] = ()) -> list[str]:
    """The paragraphs of the book's last template page, as the template made them for edition ``name``."""
    options = BuildOptions(content_dir=project / "content", project_root=project, outputs=outputs)
    sink = Sink()
    book = load_book(options.content_dir, options.project_root, sink)
    edition = read_edition(book, book.variant(name), options, sink)
    assert sink.errors == [], sink.errors
    page = [item for item in edition.document.frame if isinstance(item, model.FramePage)][-1]
    return ["".join(span.text for span in block.content) for block in page.blocks if isinstance(block, model.Paragraph)]


@pytest.mark.parametrize("name", sorted(DEFAULT_NOTES))
def test_the_default_book_says_what_it_always_said(project, name):
    assert back_cover(project, name)[1:] == [DEFAULT_NOTES[name]]


def test_without_a_booklet_table_the_note_has_the_imposers_defaults(project):
    set_book(project, booklet="")
    assert back_cover(project, "zh-Hans")[1:] == [DEFAULT_NOTES["zh-Hans"]]


@pytest.mark.parametrize("name, words", [
    ("zh-Hans", ("用Letter纸双面打印", "“长边翻转”")),
    ("zh-Hant", ("用Letter紙雙面列印", "「長邊翻轉」")),
    ("zh-Hant-HK", ("用Letter紙雙面打印", "「長邊翻轉」")),
])
def test_the_note_says_the_books_paper_and_duplex(project, name, words):
    set_book(project, booklet='[booklet]\npaper = "letter"\nduplex = "long-edge"\n')
    note = back_cover(project, name)[1]
    assert all(word in note for word in words), note
    assert "A4" not in note and "短" not in note


def test_a_book_without_a_booklet_prints_no_note(project):
    """The user's case, through the real command: the back cover has the title and nothing about booklets."""
    set_book(project, outputs='["handbook"]')
    out = project / "out"
    result = run_build("--content", str(project / "content"), "--output", str(out), "--variant", "zh-Hans", "--strict")
    assert result.returncode == 0, result.stderr + result.stdout
    assert not (out / "zh-Hans" / "handbook-booklet.pdf").exists()
    last = page_texts(out / "zh-Hans" / "handbook.pdf")[-1]
    assert "花呗逾期沟通手册" in last
    assert "booklet" not in last and "小册子" not in last and "A4" not in last


def test_a_booklet_asked_for_on_the_command_line_gets_its_note(project):
    """'--only booklet' makes a booklet of a book whose outputs have none: its pages say how to print it."""
    set_book(project, outputs='["handbook"]')
    assert back_cover(project, "zh-Hans")[1:] == []
    assert back_cover(project, "zh-Hans", outputs=("booklet",))[1:] == [DEFAULT_NOTES["zh-Hans"]]
