"""'build.py new': a book in the language asked for (--lang en, zh-Hans, zh-Hant), Taiwan's words and OpenCC
configuration in a Traditional edition, any title, a "next:" line a shell can run, and -q. Each book is
made and built with the real command, and its PDFs read back."""
from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pypdf
import pytest

from conftest import run_build
from pdfread import page_texts, squash

HANZI = re.compile(r"[\u3400-\u9fff]")


def new_book(folder: Path, *args: str) -> Path:
    result = run_build("new", str(folder), *args)
    assert result.returncode == 0, result.stderr + result.stdout
    return folder


def build(book: Path, *args: str) -> Path:
    result = run_build("--content", str(book), "--output", str(book / "output"), "--strict", *args)
    assert result.returncode == 0, result.stderr + result.stdout
    return book / "output"


def text(pdf: Path) -> str:
    return squash("".join(page_texts(pdf)))


def editions(book: Path) -> dict:
    return tomllib.loads((book / "book.toml").read_text(encoding="utf-8"))["variants"]


def test_new_lang_en_is_an_english_book(tmp_path):
    book = new_book(tmp_path / "mybook", "--title", "My English Book", "--lang", "en")
    assert list(editions(book)) == ["en"]
    assert sorted(p.name for p in book.iterdir()) == ["book.toml", "en"]
    out = build(book)
    assert sorted(p.name for p in (out / "en").iterdir()) == ["handbook-booklet.pdf", "handbook.pdf", "worksheet.pdf"]
    handbook = text(out / "en" / "handbook.pdf")
    assert squash("This is the first chapter of the new handbook.") in handbook
    assert "Theauthors" in handbook
    assert pypdf.PdfReader(out / "en" / "handbook.pdf").metadata.title == "My English Book"
    for pdf in ("handbook.pdf", "worksheet.pdf"):
        assert not HANZI.search(text(out / "en" / pdf)), pdf  # no Chinese text, no 编写组
    assert "编写组" not in (book / "book.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang, title", [("zh-Hans", "新手册"), ("zh-Hant", "新手冊")])
def test_new_lang_zh_is_one_edition_of_that_script(tmp_path, lang, title):
    book = new_book(tmp_path / "book", "--lang", lang)
    assert list(editions(book)) == [lang]
    assert editions(book)[lang].get("opencc") is None  # written in its own script: nothing to derive
    handbook = build(book) / lang / "handbook.pdf"
    assert pypdf.PdfReader(handbook).metadata.title == title
    assert ("檔案" if lang == "zh-Hant" else "文件") in text(handbook)


def test_a_traditional_edition_speaks_taiwans_words_and_derives_with_s2twp(tmp_path):
    """The default new book's zh-Hant is Taiwan's: its sample text says 檔案, 執行, 列印, not the mainland's
    文件, 運行, 打印; and a chapter added to zh-Hans only is derived with s2twp, as the README says Taiwan
    editions are (s2tw changes characters only: 信息 would stay 信息, 软件 would become 軟件)."""
    book = new_book(tmp_path / "book")
    assert editions(book)["zh-Hant"]["opencc"] == "s2twp"
    (book / "zh-Hans" / "02-more.md").write_text("# 第二章\n\n请把信息保存在软件里。\n", encoding="utf-8")
    out = build(book)
    hant = text(out / "zh-Hant" / "handbook.pdf")
    for mainland in ("文件", "運行", "打印", "信息", "軟件"):
        assert mainland not in hant, mainland
    for taiwan in ("檔案", "執行", "列印", "資訊", "軟體"):
        assert taiwan in hant, taiwan
    worksheet = text(out / "zh-Hant" / "worksheet.pdf")
    assert "金額" in worksheet and "已經閱讀手冊" in worksheet


def test_the_next_line_quotes_a_folder_with_spaces_and_its_command_builds(tmp_path):
    folder = tmp_path / "my books" / "first book"
    result = run_build("new", str(folder), "--lang", "en")
    assert result.returncode == 0, result.stderr
    hint = next(line for line in result.stdout.splitlines() if line.startswith("next: "))
    assert shlex.quote(str(folder)) in hint
    command = shlex.split(hint.removeprefix("next: "))
    assert command[0] == "build.py"
    assert run_build(*command[1:], "--only", "handbook").returncode == 0
    assert (folder / "output" / "en" / "handbook.pdf").is_file()


def test_new_is_quiet_with_q(tmp_path):
    result = run_build("new", str(tmp_path / "book"), "-q")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    assert (tmp_path / "book" / "book.toml").is_file()


def test_any_title_is_written_as_toml_and_printed_as_given(tmp_path):
    title = '手册 "Plain" \\ 第 1 部'
    book = new_book(tmp_path / "book", "--title", title)
    handbook = build(book, "--only", "handbook", "--variant", "zh-Hans") / "zh-Hans" / "handbook.pdf"
    assert pypdf.PdfReader(handbook).metadata.title == title


@pytest.mark.parametrize("args", [("--title", ""), ("--title", "   "), ("--lang", "fr")])
def test_new_refuses_an_empty_title_or_an_unknown_language(tmp_path, args):
    result = run_build("new", str(tmp_path / "book"), *args)
    assert result.returncode == 2
    assert ("title" if args[0] == "--title" else "zh-Hant") in result.stderr  # says what is wrong, or what to use
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "book").exists()
