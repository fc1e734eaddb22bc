"""What the frame (cover, title page) prints comes from the book, not from the generator: book.toml's
'notice' and 'worksheet_notice' per edition, the worksheet's note only when the book makes a worksheet,
nothing when the book states nothing; and a title that is there. Through the real command: a PDF built
and read back, or the error at its book.toml line."""
from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT, run_build
from pdfread import page_texts, squash

HUABEI_SMALL_PRINT = ("not legal or financial advice", "as your lender states them", "companion worksheet",
                      "法律或财务建议", "法律或財務建議", "配套的工作表")


def copy_book(source: Path, tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(source, content, ignore=shutil.ignore_patterns("output"))
    return content


def edit(content: Path, old: str, new: str) -> None:
    path = content / "book.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(content: Path, start: str) -> int:
    lines = (content / "book.toml").read_text(encoding="utf-8").split("\n")
    return next(number for number, line in enumerate(lines, start=1) if line.startswith(start))


def build(content: Path, *args: str) -> subprocess.CompletedProcess:
    return run_build("--content", str(content), "--output", str(content.parent / "out"), "--only", "handbook",
                     *args)


def title_page(content: Path, variant: str) -> str:
    """The title page (the page after the cover) of an edition's handbook.pdf, without white space."""
    return squash(page_texts(content.parent / "out" / variant / "handbook.pdf")[1])


@pytest.mark.parametrize("title", ['""', '"   "', '"\\t"'])
def test_an_empty_title_is_an_error_at_its_line(tmp_path, title):
    """A title is the cover's and the PDF's (PDF/UA needs one): empty or white space is refused."""
    content = copy_book(ROOT / "content", tmp_path)
    edit(content, 'title = "花呗逾期沟通手册"', f"title = {title}")
    result = build(content, "--variant", "zh-Hans")
    assert result.returncode == 1, result.stderr + result.stdout
    assert (f"{(content / 'book.toml').resolve()}:{line_of(content, 'title = ' + title)}: error: 'title' in "
            "[variants.zh-Hans] is empty\n    hint: write the edition's title: it is printed on the cover and is "
            "the PDF's title, which an accessible (PDF/UA) document must have\n") in result.stderr, result.stderr
    assert not (tmp_path / "out" / "zh-Hans" / "handbook.pdf").exists()
