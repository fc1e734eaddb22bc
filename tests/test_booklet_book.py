"""The real handbook's imposed booklet: printed, folded, and read back page by page."""
from __future__ import annotations

import shutil

import pdfplumber
import pypdf
import pypdfium2 as pdfium
import pytest

from handbook.booklet import Sheet, Side
from conftest import ROOT, run_build
from pdfread import page_texts, squash
from test_booklet import folded_sequence

A4_LANDSCAPE = (841.89, 595.28)


def half_texts(path, top: float | None = None) -> list[tuple[str, str]]:
    """(left half text, right half text) of every printed side, up to ``top`` pt from the bottom."""
    pdf = pdfium.PdfDocument(str(path))
    sides = []
    for page in pdf:
        width, height = page.get_size()
        textpage = page.get_textpage()
        top_edge = height if top is None else top
        sides.append((squash(textpage.get_text_bounded(0, 0, width / 2, top_edge)),
                      squash(textpage.get_text_bounded(width / 2, 0, width, top_edge))))
    return sides


def folded(path, top: float | None = None) -> list[str]:
    sides = half_texts(path, top)
    sheets = [Sheet(Side(*sides[i]), Side(*sides[i + 1])) for i in range(0, len(sides), 2)]
    return folded_sequence(sheets)  # what a reader sees turning the pages of the folded stack


@pytest.mark.parametrize("variant", ["zh-Hans", "zh-Hant", "zh-Hant-HK"])
def test_folded_booklet_reads_as_the_book(built, variant):
    reading = [squash(text) for text in page_texts(built / variant / "handbook.pdf")]
    imposed = built / variant / "handbook-booklet.pdf"
    reader = pypdf.PdfReader(imposed)
    pages = len(reading)
    padded = -(-pages // 4) * 4
    assert len(reader.pages) == padded // 2
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_LANDSCAPE, abs=0.1)
    expected = reading[:-1] + [""] * (padded - pages) + reading[-1:]
    assert folded(imposed) == expected
    # The page numbers printed in the foot of each half, read in folded order, count up 1, 2, 3 ...
    folios = [text for text in folded(imposed, top=16 * 72 / 25.4) if text]
    assert len(folios) > pages // 2
    assert [int(f) for f in folios] == sorted(int(f) for f in folios)
    assert all(int(f) == number for number, f in enumerate(folded(imposed, top=16 * 72 / 25.4), start=1) if f)


@pytest.mark.parametrize("variant", ["zh-Hans", "zh-Hant"])
def test_booklet_shares_fonts_and_stays_small(built, variant):
    reading = (built / variant / "handbook.pdf").stat().st_size
    imposed = (built / variant / "handbook-booklet.pdf").stat().st_size
    assert imposed <= 1.1 * reading
    subject = pypdf.PdfReader(built / variant / "handbook-booklet.pdf").metadata.subject
    assert "short edge" in subject or "短边" in subject or "短邊" in subject


def test_book_toml_chooses_long_edge_duplex_and_marks(project):
    config = project / "content" / "book.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('duplex = "short-edge"', 'duplex = "long-edge"')
                      .replace("marks = false", "marks = true"), encoding="utf-8")
    out = project / "out"
    result = run_build("--content", str(project / "content"), "--output", str(out), "--variant", "zh-Hans",
                       "--only", "booklet")
    assert result.returncode == 0, result.stderr
    path = out / "zh-Hans" / "handbook-booklet.pdf"
    assert "长边翻转" in pypdf.PdfReader(path).metadata.subject
    with pdfplumber.open(path) as pdf:
        front, back = pdf.pages[0], pdf.pages[1]
        assert all(c["matrix"][0] > 0 for c in front.chars)  # fronts upright
        assert all(c["matrix"][0] < 0 for c in back.chars)  # backs turned for a long-edge flip
        assert front.lines or front.rects or front.curves  # fold marks drawn


def test_bad_booklet_setting_is_reported(project):
    config = project / "content" / "book.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('paper = "A4"', 'paper = "A3"'), encoding="utf-8")
    result = run_build("--content", str(project / "content"), "--output", str(project / "out"))
    assert result.returncode == 1
    assert "book.toml: error: [booklet]" in result.stderr and "paper" in result.stderr


def test_pages_larger_than_half_a_sheet_are_a_warning(tmp_path):
    """User trial: a B5 book's booklet printed its pages at 84 % on A4 without a word (11.5 pt type at 9.7 pt)."""
    from dataclasses import replace

    import handbook

    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    (tmp_path / "templates" / "themes" / "b5.toml").write_text("[page]\nwidth_mm = 176\nheight_mm = 250\n",
                                                              encoding="utf-8")
    options = replace(handbook.options(ROOT / "content", tmp_path / "out", editions=["zh-Hans"], outputs=["booklet"],
                                       theme="b5", cache=tmp_path / "cache"), templates_dir=tmp_path / "templates")
    from handbook.pipeline import build

    result = build(options)
    assert [str(w) for w in result.warnings if "booklet prints" in str(w)] == [
        "content/book.toml: warning: the booklet prints the book's 176 × 250 mm pages at 84%: they are larger than "
        "half a sheet of A4\n    hint: for a booklet at actual size, use pages of at most 148 × 210 mm (A5) on A4"]
