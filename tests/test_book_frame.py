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


def test_the_default_book_prints_the_notices_of_its_own_book_toml(tmp_path):
    """The Huabei book keeps its two notes, now from its book.toml: in each edition, in its own words."""
    result = run_build("--output", str(tmp_path / "out"), "--only", "handbook", "--strict")
    assert result.returncode == 0, result.stderr
    editions = tomllib.loads((ROOT / "content" / "book.toml").read_text(encoding="utf-8"))["variants"]
    for variant, table in editions.items():
        page = squash(page_texts(tmp_path / "out" / variant / "handbook.pdf")[1])
        notice, worksheet = squash(table["notice"]), squash(table["worksheet_notice"])
        assert notice in page and worksheet in page, (variant, page)
        assert page.index(notice) < page.index(worksheet)
        assert page.endswith(worksheet)  # and nothing else after them


def test_a_book_that_states_no_notice_prints_none(tmp_path):
    """The English example says nothing: its title page has its title, date and author, and no Huabei text."""
    content = copy_book(ROOT / "examples" / "english", tmp_path)
    result = build(content, "--strict")
    assert result.returncode == 0, result.stderr
    page = title_page(content, "en")
    assert page.startswith(squash("Talking to Your Lender")) and page.endswith(squash("The Handbook Project"))
    assert not any(squash(text) in page for text in HUABEI_SMALL_PRINT), page


def test_an_english_book_prints_its_own_notice_paragraphs_in_order(tmp_path):
    content = copy_book(ROOT / "examples" / "english", tmp_path)
    edit(content, 'author = "The Handbook Project"\n',
         'author = "The Handbook Project"\n'
         'notice = ["Not advice: <ask> a professional & check the terms.", "Written in 2026."]\n'
         'worksheet_notice = "Fill in the worksheet after each call."\n')
    result = build(content, "--strict")
    assert result.returncode == 0, result.stderr
    page = title_page(content, "en")
    paragraphs = [squash(text) for text in ("Not advice: <ask> a professional & check the terms.", "Written in 2026.",
                                            "Fill in the worksheet after each call.")]
    assert all(text in page for text in paragraphs), page  # printed as written: data, not markup
    assert [page.index(text) for text in paragraphs] == sorted(page.index(text) for text in paragraphs)


@pytest.mark.parametrize("outputs", ['["handbook"]', '["handbook", "booklet"]'])
def test_the_worksheet_notice_is_printed_only_when_the_book_makes_a_worksheet(tmp_path, outputs):
    content = copy_book(ROOT / "content", tmp_path)
    edit(content, 'outputs = ["handbook", "booklet", "worksheet"]', f"outputs = {outputs}")
    result = run_build("--content", str(content), "--output", str(tmp_path / "out"), "--variant", "zh-Hans",
                       "--strict")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "out" / "zh-Hans" / "worksheet.pdf").exists()
    page = title_page(content, "zh-Hans")
    assert squash("本手册只提供一般性信息，不构成法律或财务建议。") in page
    assert "配套的工作表" not in page, page


ZH_HANS_NOTICE = 'notice = "本手册只提供一般性信息，'
ZH_HANS_WORKSHEET_NOTICE = 'worksheet_notice = "请把配套的工作表'
BAD_KEYS = [  # (the line of [variants.zh-Hans] replaced, the new line, the message)
    (ZH_HANS_NOTICE, "notice = 3", "'notice' must be str or list, not int"),
    (ZH_HANS_NOTICE, 'notice = ["第一段。", 5]', "paragraph 2 of 'notice' in [variants.zh-Hans] must be a string, not int"),
    (ZH_HANS_NOTICE, 'notice = ["第一段。", ""]', "paragraph 2 of 'notice' in [variants.zh-Hans] is empty\n"
                                                 "    hint: to print no notice, leave the key out"),
    (ZH_HANS_WORKSHEET_NOTICE, 'worksheet_notice = "  "', "'worksheet_notice' in [variants.zh-Hans] is empty\n"
                                                         "    hint: to print no worksheet_notice, leave the key out"),
    (ZH_HANS_NOTICE, 'notices = "x"', "unknown key 'notices' in [variants.zh-Hans]\n    hint: known keys: author, "
                                      "folder, fonts, locale, notice, opencc, punctuation, subtitle, title, "
                                      "worksheet_notice"),
]


@pytest.mark.parametrize("old, new, message", BAD_KEYS, ids=[case[1] for case in BAD_KEYS])
def test_a_bad_notice_is_an_error_at_its_line(tmp_path, old, new, message):
    content = copy_book(ROOT / "content", tmp_path)
    book = (content / "book.toml").read_text(encoding="utf-8")
    start = book.index(old)
    edit(content, book[start:book.index("\n", start)], new)
    result = build(content, "--variant", "zh-Hans")
    assert result.returncode == 1, result.stderr + result.stdout
    where = f"{(content / 'book.toml').resolve()}:{line_of(content, new)}"
    assert f"{where}: error: {message}\n" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


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
