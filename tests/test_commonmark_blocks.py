"""Markdown written the CommonMark way prints as CommonMark reads it (markup._CommonMarkBlocks): a list
nested two spaces under its parent's marker is nested, a list may follow a paragraph line, and a fenced code
block is a code block; '- [x]' is ticked, and the words of one inline code span share one box. Built with the
real command and read back from the PDF."""
from __future__ import annotations

import pdfplumber
import pytest

from conftest import run_build
from pdfread import squash

CHAPTER = """# 小结

清单如下：
- 甲层条目
  - 乙层条目
    - 丙层条目
- 甲层第二
  1. 有序乙层

示例代码：
```python
def 还款(金额):
    return 金额 if 金额 < 100 && ok else None
```
代码之后的段落。

> 引用里的清单：
> - 引甲
>   - 引乙

- 条目里的代码：
  ```
  x = 1
  ```
- 条目之后

- [x] 已经办好
- [ ] 尚未办理

安装时运行 `pip install -r requirements.txt` 即可。

比较 `a < b && c` 的写法。<!-- 编辑备注：不印出 -->这句接着印。

<!-- 多行的
编辑备注 -->

1) 括号编号
2) 第二项

第三行用反斜杠\\
第四行。
"""


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The chars of the pages that hold the chapter above (in place of the default book's last chapter), a
    later page's 1000 pt further down; the strokes of its first page."""
    import shutil

    from conftest import ROOT

    root = tmp_path_factory.mktemp("commonmark")
    shutil.copytree(ROOT / "content", root / "content")
    (root / "content" / "zh-Hans" / "10-summary.md").write_text(CHAPTER, encoding="utf-8")
    result = run_build("--content", str(root / "content"), "--output", str(root / "out"), "--variant", "zh-Hans",
                       "--only", "handbook")
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(root / "out" / "zh-Hans" / "handbook.pdf") as pdf:
        for number, candidate in enumerate(pdf.pages):
            if "甲层条目" in squash(candidate.extract_text() or ""):
                chars = []
                for shift, following in enumerate(pdf.pages[number:number + 2]):
                    chars += [{**c, "top": c["top"] + 1000 * shift, "bottom": c["bottom"] + 1000 * shift}
                              for c in following.chars if not c["text"].isspace()]
                return chars, candidate.curves + candidate.lines
    raise AssertionError("the chapter's page was not found")


@pytest.fixture(scope="module")
def chars(page):
    return page[0]


def first(chars: list[dict], text: str) -> dict:
    drawn = "".join(c["text"] for c in chars)
    return chars[drawn.index(text)]


def test_a_list_nested_by_two_spaces_is_nested(chars):
    one, two, three = (first(chars, t)["x0"] for t in ("甲层条目", "乙层条目", "丙层条目"))
    assert one < two < three  # each level further in
    assert first(chars, "甲层第二")["x0"] == pytest.approx(one, abs=0.5)  # back to the first level
    assert first(chars, "有序乙层")["x0"] > one + 5  # an ordered list nested by two spaces is nested too


def test_a_list_right_after_a_paragraph_line_is_a_list(chars):
    assert first(chars, "甲层条目")["top"] > first(chars, "清单如下")["top"] + 5  # its own line, not the paragraph's


def test_a_fenced_code_block_is_a_code_block(chars):
    drawn = "".join(c["text"] for c in chars)
    assert "```" not in drawn and "python" not in drawn  # the fence and its language are not printed
    define, give_back = first(chars, "def"), first(chars, "return")
    assert give_back["top"] > define["top"] + 5  # each code line on a line of its own
    assert give_back["x0"] > define["x0"] + 5  # indentation kept
    assert first(chars, "代码之后的段落")["top"] > give_back["top"] + 5


def test_a_ticked_task_item_prints_a_tick_and_an_open_one_none(page):
    chars, strokes = page
    done, open_ = first(chars, "已经办好"), first(chars, "尚未办理")

    def ticks(item: dict) -> list:  # three-point strokes left of the item's text, on its line
        middle = (item["top"] + item["bottom"]) / 2
        return [s for s in strokes if s["x1"] < item["x0"] and abs((s["top"] + s["bottom"]) / 2 - middle) < item["size"]
                and len(s.get("pts", [])) == 3]
    assert len(ticks(done)) == 1 and not ticks(open_)


def test_the_words_of_one_code_span_share_one_box(page):
    chars, strokes = page
    start, end = first(chars, "pip"), first(chars, "requirements.txt")
    boxes = [s for s in strokes
             if s["x0"] < start["x0"] and s["top"] < start["top"] + 2 and s["bottom"] > start["bottom"] - 2]
    assert len(boxes) == 1 and boxes[0]["x1"] > end["x0"] + 40  # from 'pip' to past 'requirements.txt'


def test_code_prints_its_characters_and_lists_nest_inside_quotes_and_code_inside_items(chars):
    drawn = "".join(c["text"] for c in chars)
    assert "<100&&ok" in drawn and "&lt;" not in drawn and "&amp;" not in drawn  # as written, not escaped
    assert first(chars, "引乙")["x0"] > first(chars, "引甲")["x0"] + 5  # a list nested inside a quote
    item, code, after = first(chars, "条目里的代码"), first(chars, "x=1"), first(chars, "条目之后")
    assert item["top"] < code["top"] < after["top"] and code["x0"] >= item["x0"] - 1  # the code is the item's


def test_a_list_in_a_quote_carries_the_quote_bar(page):
    chars, strokes = page

    def bars(text: str) -> list[float]:  # vertical strokes left of the text, beside its line
        char = first(chars, text)
        return [round(s["x0"], 1) for s in strokes if s["x1"] - s["x0"] < 0.5 and s["x1"] < char["x0"]
                and s["top"] <= char["bottom"] and s["bottom"] >= char["top"]]
    assert bars("引用里的清单") and bars("引甲") == bars("引用里的清单") == bars("引乙")


def test_code_blocks_stay_apart_and_a_quoted_one_keeps_the_quote(tmp_path):
    """User trial: three code blocks in a row printed as one grey box, and code in a quote left the quote."""
    from conftest import build_chapter

    result, built = build_chapter(
        tmp_path, "# 小结\n\n> 引用里的代码：\n>\n> ```\n> x = 1\n> ```\n\n```\n第一块\n```\n\n```\n第二块\n```\n\n~~~\n第三块\n~~~\n")
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(built) as pdf:
        page = next(p for p in pdf.pages if "第一块" in (p.extract_text() or ""))
        shades = sorted((r for r in page.rects if r["fill"] and r["width"] > 100), key=lambda r: r["top"])
        quote_text = next(c for c in page.chars if c["text"] == "引")
        bars = [line for line in page.lines if line["x1"] - line["x0"] < 0.5]
    assert len(shades) == 4  # the quoted block and three more, each its own
    assert all(lower["top"] - upper["bottom"] > 3 for upper, lower in zip(shades, shades[1:]))
    assert shades[0]["x0"] > quote_text["x0"]  # the quoted code sits under the quote's text
    assert any(bar["top"] <= shades[0]["top"] + 5 and bar["bottom"] >= shades[0]["bottom"] - 5 for bar in bars)


def test_html_comments_backslash_breaks_and_parenthesis_lists_read_as_commonmark(page):
    """User trial: comments printed, '1)' lists ran into one line, a backslash printed instead of breaking."""
    chars, _ = page
    drawn = "".join(c["text"] for c in chars)
    assert "a<b&&c" in drawn and "&lt;" not in drawn  # inline code prints its characters
    assert "编辑备注" not in drawn and "<!--" not in drawn and "的写法。这句接着印。" in drawn
    assert first(chars, "第二项")["top"] > first(chars, "括号编号")["top"] + 5  # a list of two items
    assert first(chars, "第四行")["top"] > first(chars, "第三行")["top"] + 5 and "\\" not in drawn
