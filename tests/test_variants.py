"""Script variants: derivation traps, overrides, the phrase list, the review list, and drift."""
from __future__ import annotations

import shutil

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
    # OpenCC alone makes 粉絲髮布 (issue 1277: its 丝发 entry matches across 粉丝|发布); that match is declined
    assert derive("粉丝发布了消息") == "粉絲發佈了消息"
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
    text = "他发-{干}-，粉丝发布。"
    _, reviews = variants.derive(text, "s2tw", TAIWAN, "zh-Hant", "zh-Hans", {"粉丝发布": "粉絲發布"})
    assert [(r.offset, r.char, r.chosen) for r in reviews] == [(1, "发", "發")]  # 干 kept, phrase decided
    assert "發" in reviews[0].options and "髮" in reviews[0].options
    assert reviews[0].severity == "note"


def test_review_lists_phrase_conversions_and_flags_those_across_words():
    """Each place where an OpenCC phrase entry (not its characters one by one) changed the text, with
    the source text, the result and what the characters alone would give; a match that begins or ends
    inside a word (jieba's reading of the line) is a warning; one across two words is not made (the text
    there is converted character by character), which is a note."""
    _, reviews = variants.derive("他想改变量子的状态。\n个人信息和在线客服", "s2twp", TAIWAN, "zh-Hant", "zh-Hans")
    found = [(r.offset, r.source, r.result, r.plain, r.words, r.severity) for r in reviews
             if isinstance(r, variants.PhraseReview)]
    assert found == [
        (3, "变量", "變數", "變量", ("改变", "量子"), "note"),  # OpenCC: 改變數子; declined, so 改變量子
        (13, "信息", "資訊", "信息", ("个人信息",), "warning"),   # part of a word: looked at, then recorded
        (16, "在线", "線上", "在線", (), "note"),
    ]
    text = "他想改变量子的状态。\n个人信息和在线客服"
    assert reviews[0].message(text, "zh-Hant") == ("zh-Hant: phrase conversion 变量 → 變數 not made across a word "
                                                   "boundary (改变|量子): converted character by character (變量) in "
                                                   "“他想改变量子的状态”")
    assert variants.derive(text, "s2twp", TAIWAN, "zh-Hant", "zh-Hans")[0].startswith("他想改變量子的狀態")
    assert "matches part of the word 个人信息" in reviews[1].message(text, "zh-Hant")
    # A phrase in the book's list decides the place: nothing left to review there, or inside it.
    _, reviews = variants.derive("头发，个人信息", "s2twp", TAIWAN, "zh-Hant", "zh-Hans", {"个人信息": "個人資料"})
    assert [(r.source, r.result) for r in reviews] == [("头发", "頭髮")]  # not also 发 on its own


def test_replaying_opencc_gives_its_own_output():
    """The review replays OpenCC's segmentation and conversion chain on its dictionaries: on the whole
    book, the replay must make exactly what OpenCC makes, or its list of matches would be fiction."""
    from conftest import ROOT

    text = "".join(path.read_text(encoding="utf-8") for path in sorted((ROOT / "content/zh-Hans").glob("*.md")))
    for config in ("s2tw", "s2twp", "s2hk", "s2t"):
        output, _ = variants.replay_conversion(text, config)
        assert output == variants.convert(text, config), config


@pytest.mark.parametrize("text, territory, expected", [
    ("這裏和台灣的賬户着急", "TW", [
        (1, "Traditional character '裏' is not the Taiwan standard form (expected '裡')"),
        (3, "Simplified character '台' in a Traditional edition (expected '臺')"),
        (7, "Simplified character '户' in a Traditional edition (expected '戶')"),
        (8, "Traditional character '着' is not the Taiwan standard form (expected '著')")]),
    ("這裡和臺灣的賬戶著急，著作", "HK", [
        (1, "'裡' is the Taiwan form, not Hong Kong's (expected '裏')"),
        (3, "Traditional character '臺' is not the Hong Kong standard form (expected '台')"),
        (7, "Traditional character '戶' is not the Hong Kong standard form (expected '户')"),
        (8, "'著' is the Taiwan form, not Hong Kong's (expected '着')")]),  # 著作 is 著 everywhere
    ("這裏和台灣的賬户着急，著作，了解，公布", "HK", []),
    ("這裡和臺灣的帳戶著急，著作，了解，公布", "TW", []),  # 了解/瞭解, 公布/公佈: words, not script
])
def test_purity_knows_each_regions_standard_forms(text, territory, expected):
    found = variants.impure_characters(text, "Hant", territory)
    assert [(offset, message) for offset, _, _, message in found] == expected


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


def test_a_figure_or_qr_code_missing_from_an_edition_is_drift():
    source = chapter("# 标题\n\n![流程图](figures/flow.svg)\n\n![官网](qr:https://example.com)\n",
                     shown="content/zh-Hans/01-a.md")
    other = chapter("# 標題\n\n![官網](qr:https://example.com)\n", shown="content/zh-Hant/01-a.md")
    sink = Sink()
    drift.compare_chapters(source, other, "zh-Hans", sink)
    assert [str(d) for d in sink.items] == [
        "content/zh-Hant/01-a.md:1: warning: editions differ: missing a figure that zh-Hans has "
        "(content/zh-Hans/01-a.md:3:1)"]


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


def test_code_and_addresses_are_kept_as_written():
    """User trial: deriving zh-Hant turned `print("信息")` into `print("資訊")`, a code block's strings and
    quote marks too, and https://example.com/信息/后台 into a link to .../資訊/後臺 that leads nowhere."""
    text = ('代码 `print("信息")` 和 `“引号”`，网址 <https://example.com/信息/后台>，见[后台](https://example.com/后台)。\n\n'
            '```\nmsg = "请发短信到后台"\ntitle = “信息”\n```\n正文“信息”后台。\n\n[参考]: https://example.com/参考\n')
    derived, reviews = variants.derive(text, "s2twp", TAIWAN, "zh-Hant", "zh-Hans")
    for kept in ('`print("信息")`', "`“引号”`", "<https://example.com/信息/后台>", "](https://example.com/后台)",
                 'msg = "请发短信到后台"\ntitle = “信息”', "[參考]: https://example.com/参考"):
        assert kept in derived
    assert "見[後臺](" in derived and "正文「資訊」後臺。" in derived  # the text around them is converted
    assert all(review.offset < text.index("```") or review.offset > text.index("正文") for review in reviews)


def test_the_purity_check_reads_past_code_and_addresses(tmp_path):
    from conftest import ROOT, run_build

    shutil.copytree(ROOT / "content", tmp_path / "content")
    for edition in ("zh-Hant", "zh-Hant-HK"):
        (tmp_path / "content" / edition / "10-summary.md").write_text(
            "# 小結\n\n程式碼 `后台 = 1`，網址 <https://example.com/后台>。\n\n```\n发送 = \"后台\"\n```\n", encoding="utf-8")
    result = run_build("check", "--content", str(tmp_path / "content"))
    assert result.returncode == 0 and "Simplified character" not in result.stderr, result.stderr
    (tmp_path / "content" / "zh-Hant" / "10-summary.md").write_text("# 小結\n\n后台。\n", encoding="utf-8")
    result = run_build("check", "--content", str(tmp_path / "content"))
    assert "Simplified character '后' in a Traditional edition" in result.stderr  # outside code: still checked


def test_a_book_that_drops_an_edition_keeps_its_phrase_list(tmp_path):
    """User trial: keeping only [variants.zh-Hans] gave 49 errors, one per phrase naming zh-Hant."""
    from conftest import ROOT, run_build

    shutil.copytree(ROOT / "content", tmp_path / "content")
    config = tmp_path / "content" / "book.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[:text.index("[variants.zh-Hant]")], encoding="utf-8")
    result = run_build("--content", str(tmp_path / "content"), "--output", str(tmp_path / "out"), "--only", "handbook")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "phrase list names edition(s)" in line]
    assert len(warnings) == 1 and "zh-Hant, zh-Hant-HK; their phrases are not used" in warnings[0]
