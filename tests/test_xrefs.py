"""A cross-reference's page number is laid out before the pages are known, in a slot as many digits wide
as the book is estimated to need (layout.StoryBuilder.estimated_pages): a six-page English book prints
'(page 2)' without gaps around the number. Built with the real command and read back from the PDF."""
from __future__ import annotations

import shutil

import pdfplumber

from conftest import ROOT, run_build


def test_a_short_book_prints_its_page_numbers_without_gaps(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(ROOT / "examples" / "english", book)
    chapter = book / "en" / "01-before.md"
    text = chapter.read_text(encoding="utf-8").replace("## Gather the facts", "## Gather the facts {#facts}", 1)
    chapter.write_text(text + "\nAs said in [the facts](#facts), write everything down.\n", encoding="utf-8")
    result = run_build("--content", str(book), "--output", str(tmp_path / "out"), "--only", "handbook", "--strict")
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(tmp_path / "out" / "en" / "handbook.pdf") as pdf:
        page = next(p for p in pdf.pages if "write everything down" in (p.extract_text() or ""))
        chars = [c for c in page.chars if not c["text"].isspace()]
    drawn = "".join(c["text"] for c in chars)
    start = drawn.index("(page") + len("(page")
    digit, closing = chars[start], chars[start + 1]
    assert digit["text"].isdigit() and closing["text"] == ")"
    assert closing["x0"] - digit["x1"] < 0.1 * digit["size"]  # no half-digit gap: the slot is one digit wide
