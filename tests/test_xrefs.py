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


def test_toc_leaders_end_together_before_the_numbers_and_their_dots_line_up(built):
    with pdfplumber.open(built / "zh-Hans" / "handbook.pdf") as pdf:
        page = pdf.pages[2]  # the table of contents
        assert "目录" in (page.extract_text() or "")
        leaders = [line for line in page.lines
                   if abs(line["top"] - line["bottom"]) < 0.1 and line["x1"] - line["x0"] > 20]
        numbers = [c for c in page.chars if c["text"].isdigit() and c["x0"] > max(line["x1"] for line in leaders)]
    assert len(leaders) > 10
    assert max(line["x1"] for line in leaders) - min(line["x1"] for line in leaders) < 0.01  # they end together
    assert min(c["x0"] for c in numbers) - leaders[0]["x1"] > 2  # and before the numbers
    phases = {round(line["x0"] % 3.0, 2) % 3.0 for line in leaders}
    assert len(phases) == 1  # the dots of every entry sit on one grid
