"""``build.py new DIR``: a new book that builds at once (config, one chapter per edition, a worksheet).

The files are ordinary content a person edits next; nothing here is needed at build time.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

CHINESE = {
    "book": """# {title}: what to build, in which editions. See the README for every key.

[book]
source = "zh-Hans"          # the edition others may be derived from
edition = {date}        # printed on the title page
theme = "default"           # templates/themes/<theme>.toml
outputs = ["handbook", "booklet", "worksheet"]

[variants.zh-Hans]
locale = "zh_Hans_CN"
fonts = "SC"
punctuation = "mainland"
title = "{title}"
author = "编写组"

[variants.zh-Hant]
locale = "zh_Hant_TW"
fonts = "TC"
punctuation = "taiwan"
opencc = "s2tw"             # a chapter missing here is converted from zh-Hans
title = "{title_hant}"
author = "編寫組"
""",
    "zh-Hans/01-introduction.md": """---
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
    "zh-Hans/worksheet.md": """# 工作表 {currency=CNY}

姓名 ____________{#name}　日期 ____________{#date date}

## 一、情况

- [ ] 已经阅读手册 {#read_handbook}

金额 ____________{#amount money}

___{#notes lines=3}
""",
}


def scaffold(target: Path, title: str = "新手册") -> list[Path]:
    """Write a new book into ``target`` (which must not exist or be empty); return the files written."""
    if target.exists() and any(target.iterdir()):
        raise ValueError(f"{target} is not empty: choose a new folder")
    from . import variants

    taiwan = variants.punctuation("taiwan")
    hant = lambda text: variants.derive(text, "s2tw", taiwan)[0]  # noqa: E731
    files = {
        "book.toml": CHINESE["book"].format(title=title, title_hant=hant(title), date=dt.date.today().isoformat()),
        "zh-Hans/01-introduction.md": CHINESE["zh-Hans/01-introduction.md"],
        "zh-Hant/01-introduction.md": hant(CHINESE["zh-Hans/01-introduction.md"]),
        "zh-Hans/worksheet.md": CHINESE["zh-Hans/worksheet.md"],
        "zh-Hant/worksheet.md": hant(CHINESE["zh-Hans/worksheet.md"]),
    }
    written = []
    for name, text in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
