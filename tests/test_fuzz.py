"""Random Markdown and Unicode through the whole pipeline (issue 7), a short run for CI.

Every case ends as a valid PDF whose text holds every printable character written, or as located
diagnostics; never an exception. The cases are tests/fuzzcase.py's; bench/fuzz.py runs 10,000 and more.
The examples are inputs that once failed.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings

from fuzzcase import Book, Document, documents, printable, sheets

FUZZ = settings(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))


def fuzz(examples: int) -> settings:
    return settings(FUZZ, max_examples=examples)


def case(text: str) -> Document:
    return Document(text, frozenset(printable(text)))


@pytest.fixture(scope="module")
def chapter_book(tmp_path_factory) -> Book:
    folder = tmp_path_factory.mktemp("fuzz")
    return Book(folder, folder / "cache")


@pytest.fixture(scope="module")
def sheet_book(tmp_path_factory) -> Book:
    folder = tmp_path_factory.mktemp("fuzz-sheet")
    return Book(folder, folder / "cache", "worksheet")


@fuzz(150)
@given(document=documents)
@example(document=case("中 文"))  # a space between two Han characters crashed the line setter
@example(document=case(""))  # an empty chapter crashed the Markdown parser
@example(document=case("## 二级\n\n正文"))  # a chapter starting at level 2 crashed the PDF outline
@example(document=case("# 一\n\n#### 四\n\n正文"))
@example(document=case("吉祥的𠮷字"))  # characters outside the BMP vanished from the PDF's text
@example(document=case("正\x01文\u200b字\u00ad。\u2029"))  # control and format characters printed as boxes
@example(document=Document("字&#x1F600;&#0;", None))  # a character reference could not be located
@example(document=case("| 甲 |\n|---|\n| 乙 | 丙 |\n"))  # cells beyond the header vanished
@example(document=case("| " + " | ".join("列" * 2 for _ in range(30)) + " |\n" + "|---" * 30 + "|\n"))
@example(document=case("".join("    " * i + f"- 第{i}层\n" for i in range(20))))
def test_any_chapter_makes_a_valid_pdf_or_located_diagnostics(chapter_book, document):
    outcome = chapter_book.run(document.text, document.expected)
    assert not outcome.failed, f"{outcome.kind}: {outcome.detail}"


@fuzz(30)
@given(document=sheets)
@example(document=Document("# 工作表\n\n姓名 ___ 　日期 ___{#day date}\n\n- [ ] 甲 {#a}\n", frozenset("工作表姓名日期甲")))
def test_any_worksheet_makes_a_valid_pdf_or_located_diagnostics(sheet_book, document):
    outcome = sheet_book.run(document.text, document.expected)
    assert not outcome.failed, f"{outcome.kind}: {outcome.detail}"
