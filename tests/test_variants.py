"""Script variants: derivation traps, overrides, the phrase list, the review list, and drift."""
from __future__ import annotations

import pytest

from handbook import drift, markup, model, variants
from handbook.content import parse_source
from handbook.diagnostics import Sink
from handbook.memo import FileMemo

TAIWAN = variants.punctuation("taiwan")


def derive(text, phrases=None):
    return variants.derive(text, "s2tw", TAIWAN, "zh-Hant", "zh-Hans", phrases)[0]


@pytest.mark.parametrize("simplified, traditional", [
    ("头发", "頭髮"), ("发布", "發佈"), ("干预", "干預"), ("干燥", "乾燥"), ("干杯", "乾杯"),
    ("以后", "以後"), ("皇后", "皇后"), ("里面", "裡面"), ("公里", "公里"),
])
def test_known_traps_convert_correctly(simplified, traditional):
    assert derive(f"他说{simplified}。") == f"他說{traditional}。"


def test_phrase_list_fixes_what_opencc_gets_wrong():
    assert derive("粉丝发布了消息") == "粉絲髮布了消息"  # OpenCC alone: wrong (issue 1277)
    assert derive("粉丝发布了消息", {"粉丝发布": "粉絲發布"}) == "粉絲發布了消息"
    assert derive("一只只小鸟", {"一只只": "一隻隻"}) == "一隻隻小鳥"


def test_overrides_choose_per_edition_and_protect():
    text = "用-{zh-Hans:计算机;zh-Hant:電腦}-查看，-{干}-字不转换。"
    assert derive(text) == "用電腦查看，干字不轉換。"
    assert variants.resolve_overrides(text, "zh-Hans") == "用计算机查看，干字不转换。"
    with pytest.raises(ValueError, match="malformed override"):
        variants.find_overrides("-{zh-Hans:计算机;oops}-")


def test_quotes_follow_the_edition():
    assert derive("他说：“好的‘一定’”。") == "他說：「好的『一定』」。"
    mainland = variants.punctuation("mainland")
    assert variants.derive("「好」", "t2s", mainland)[0] == "“好”"


def test_review_lists_one_to_many_characters_opencc_decided():
    text = "头发-{干}-，粉丝发布。"
    _, reviews = variants.derive(text, "s2tw", TAIWAN, "zh-Hant", "zh-Hans", {"粉丝发布": "粉絲發布"})
    assert [(r.offset, r.char, r.chosen) for r in reviews] == [(1, "发", "髮")]  # 干 kept, phrase decided
    assert "發" in reviews[0].options and "髮" in reviews[0].options


def chapter(text: str, name="01-a.md", shown="content/x/01-a.md") -> model.Chapter:
    sink = Sink()
    source = parse_source(name, shown, text, sink)
    return model.build_chapter(markup.parse_markdown(source.text), source, sink, "c01")


def test_drift_is_reported_at_the_line_of_the_other_edition():
    source = chapter("# 标题\n\n段落。\n\n## 小节\n\n- 一\n- 二\n\n| 甲 | 乙 |\n|--|--|\n| 1 | 2 |\n",
                     shown="content/zh-Hans/01-a.md")
    other = chapter("# 標題\n\n段落。\n\n### 小節\n\n- 一\n- 二\n- 三\n\n| 甲 | 乙 |\n|--|--|\n| 1 | 2 |\n",
                    shown="content/zh-Hant/01-a.md")
    sink = Sink()
    drift.compare_chapters(source, other, "zh-Hans", sink)
    messages = [str(d) for d in sink.items]
    assert messages == [
        "content/zh-Hant/01-a.md:5: warning: editions differ: a level-3 heading here, "
        "but a level-2 heading in zh-Hans (content/zh-Hans/01-a.md:5)",
        "content/zh-Hant/01-a.md:7: warning: editions differ: a bullet list of 3 item(s) here, "
        "but a bullet list of 2 item(s) in zh-Hans (content/zh-Hans/01-a.md:7)",
    ]


@pytest.mark.parametrize("remembered", [False, True])
def test_purity_reports_line_and_column(remembered, tmp_path, monkeypatch):
    """The same warnings whether OpenCC looks at the text or a memo of an earlier build answers."""
    memo_file = tmp_path / "purity.bin"
    source = parse_source("01-a.md", "content/zh-Hant/01-a.md", "# 標題\n\n這是简体字。\n", Sink())
    if remembered:
        earlier = FileMemo(memo_file)
        variants.check_source(source, Sink(), "Hant", "TW", TAIWAN, earlier)
        earlier.save()
        monkeypatch.setattr(variants, "convert", lambda *a: pytest.fail("OpenCC ran on a remembered text"))
    memo = FileMemo(memo_file)
    sink = Sink()
    variants.check_source(source, sink, "Hant", "TW", TAIWAN, memo)
    memo.save()
    assert [str(d) for d in sink.items] == [
        "content/zh-Hant/01-a.md:3:3: warning: Simplified character '简' in a Traditional edition (expected '簡')",
        "content/zh-Hant/01-a.md:3:4: warning: Simplified character '体' in a Traditional edition (expected '體')",
    ]
    assert memo_file.is_file()
