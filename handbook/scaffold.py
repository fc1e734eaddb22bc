"""``build.py new DIR``: a new book that builds at once (config, a chapter, a worksheet).

Without a language it is today's two-edition Chinese book: zh-Hans, the source, and zh-Hant for Taiwan,
whose missing chapters are derived with OpenCC's ``s2twp`` (Taiwan's characters and vocabulary, as the
README says). With ``lang`` (``en``, ``zh-Hans`` or ``zh-Hant``) it is a book of that one edition. Every
sample text is written out by hand, reviewed, in its edition's own words (a Taiwan text says 檔案, 執行,
列印, not the mainland's 文件, 运行, 打印). The files are ordinary content a person edits next; nothing
here is needed at build time.
"""
from __future__ import annotations

import datetime as dt
import json
import shlex
from pathlib import Path

LANGUAGES = ("en", "zh-Hans", "zh-Hant")  # 'build.py new --lang'; none: zh-Hans with a derived zh-Hant

# Each edition: its book.toml table (without the title) and its sample texts, in its own words.
_EDITIONS = {
    "zh-Hans": {
        "title": "新手册",
        "table": 'locale = "zh_Hans_CN"\nfonts = "SC"\npunctuation = "mainland"\n',
        "author": "编写组",
        "notice": "本手册只提供一般性信息。",
        "01-introduction.md": """---
short_title: 前言
---
# 前言

这是新手册的第一章。每个 Markdown 文件是一章，按文件名的顺序排列。

## 如何编辑

直接修改这个文件，然后再次运行构建命令。可以使用**加粗**、*着重*、列表和表格：

- 第一点；
- 第二点。

| 项目 | 说明 |
| --- | --- |
| 手册 | 阅读用的 A5 页面 |
| 小册子 | 双面打印后对折装订 |
""",
        "worksheet.md": """# 工作表 {currency=CNY}

姓名 ____________{#name}　日期 ____________{#date date}

## 一、情况

- [ ] 已经阅读手册 {#read_handbook}

金额 ____________{#amount money}

___{#notes lines=3}
""",
    },
    "zh-Hant": {  # Taiwan: its characters and its words (檔案, 執行, 建置, 列印, 粗體)
        "title": "新手冊",
        "table": 'locale = "zh_Hant_TW"\nfonts = "TC"\npunctuation = "taiwan"\n',
        "author": "編寫組",
        "notice": "本手冊只提供一般性資訊。",
        "01-introduction.md": """---
short_title: 前言
---
# 前言

這是新手冊的第一章。每個 Markdown 檔案是一章，按檔名的順序排列。

## 如何編輯

直接修改這個檔案，然後再次執行建置命令。可以使用**粗體**、*著重*、清單和表格：

- 第一點；
- 第二點。

| 項目 | 說明 |
| --- | --- |
| 手冊 | 閱讀用的 A5 頁面 |
| 小冊子 | 雙面列印後對摺裝訂 |
""",
        "worksheet.md": """# 工作表 {currency=CNY}

姓名 ____________{#name}　日期 ____________{#date date}

## 一、情況

- [ ] 已經閱讀手冊 {#read_handbook}

金額 ____________{#amount money}

___{#notes lines=3}
""",
    },
    "en": {
        "title": "New handbook",
        "table": 'locale = "en_GB"\nfonts = "Latin"             # Bitstream Vera Sans, which comes with the tool\n'
                 'punctuation = "latin"\n',
        "author": "The authors",
        "notice": "This handbook gives general information only.",
        "01-introduction.md": """---
short_title: Introduction
---
# Introduction

This is the first chapter of the new handbook. Each Markdown file is a chapter, read in the order of
the file names.

## How to edit

Change this file and run the build command again. You can use **strong** and *emphasised* text, lists
and tables:

- the first point;
- the second point.

| Item | What it is |
| --- | --- |
| Handbook | A5 pages for reading |
| Booklet | printed double-sided, folded and stapled |
""",
        "worksheet.md": """# Worksheet {currency=GBP}

Name ____________{#name} Date ____________{#date date}

## 1. The situation

- [ ] I have read the handbook {#read_handbook}

Amount ____________{#amount money}

___{#notes lines=3}
""",
    },
}

_BOOK = """# The book: what to build, in which editions. See the README ("book.toml") for every key.

[book]
source = "{source}"{source_pad}# the edition others may be derived from
edition = {date}        # printed on the title page
theme = "default"           # templates/themes/<theme>.toml
outputs = ["handbook", "booklet", "worksheet"]
"""

_VARIANT = """
[variants.{name}]
{table}{opencc}title = {title}
author = {author}
# small print for the title page, one string a paragraph (README, "book.toml"); none is printed without it:
# notice = {notice}
"""


def scaffold(target: Path, title: str | None = None, lang: str | None = None) -> list[Path]:
    """Write a new book into ``target`` (which must not exist or be empty); return the files written.

    ``lang``: one of :data:`LANGUAGES` for a book of that one edition; None for zh-Hans with zh-Hant.
    ``title``: the source edition's title (default: "新手册", or the language's); a zh-Hant title is
    derived from it as the book derives its chapters. ValueError for a bad folder, language or title."""
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language '{lang}': choose one of {', '.join(LANGUAGES)}")
    if title is not None and not title.strip():
        raise ValueError("the title is empty: a book needs a title (it is the PDFs' title too)")
    if target.exists() and not target.is_dir():
        raise ValueError(f"{target} is a file: choose a new folder")
    if target.exists() and any(target.iterdir()):
        raise ValueError(f"{target} is not empty: choose a new folder")
    source = lang or "zh-Hans"
    title = title.strip() if title is not None else _EDITIONS[source]["title"]
    editions = {source: title}
    if lang is None:
        from . import variants

        editions["zh-Hant"] = variants.derive(title, "s2twp", variants.punctuation("taiwan"))[0]
    book = _BOOK.format(source=source, source_pad=" " * max(1, 17 - len(source)), date=dt.date.today().isoformat())
    files = {}
    for name, edition_title in editions.items():
        edition = _EDITIONS[name]
        derived = name != source
        book += _VARIANT.format(
            name=name, table=edition["table"], title=_toml_string(edition_title),
            opencc='opencc = "s2twp"            # a chapter missing here is derived from zh-Hans: Taiwan\'s '
                   'characters and words\n' if derived else "",
            author=_toml_string(edition["author"]), notice=_toml_string(edition["notice"]))
        for file in ("01-introduction.md", "worksheet.md"):
            files[f"{name}/{file}"] = edition[file]
    written = []
    for name, text in {"book.toml": book, **files}.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def next_step(prog: str, target: Path) -> str:
    """The command that builds the new book, its paths quoted for a POSIX shell (a folder may have spaces)."""
    return f"{prog} --content {shlex.quote(str(target))} --output {shlex.quote(str(target / 'output'))}"


def _toml_string(text: str) -> str:
    """A TOML basic string: a title may hold quotes, backslashes or any other character (JSON's escapes
    are TOML's)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")  # DEL: escaped in TOML, not JSON
