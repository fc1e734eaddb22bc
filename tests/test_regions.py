"""Regional editions: the Taiwan edition (zh-Hant) and the Hong Kong edition (zh-Hant-HK), built with the
real command and read back from their PDFs; the review of OpenCC's phrase conversions; purity by region."""
from __future__ import annotations

import re
import shutil

import pypdf
import pytest

from conftest import ROOT, run_build
from handbook import variants
from handbook.book import load_book, load_phrases
from handbook.diagnostics import Sink
from pdfread import fonts, page_texts, squash

HANT = {"zh-Hant": "TW", "zh-Hant-HK": "HK"}

# The words a reader of each region notices (the list, as the shipped book uses them).
WORDS = {
    #             wanted                                                    refused
    "zh-Hant": (["資訊", "管道", "帳戶", "線上", "簡訊", "連結", "聯絡", "透過", "個人資料", "用戶", "列印"],
                ["信息", "渠道", "賬戶", "賬户", "在線", "網上", "短信", "短訊", "鏈接", "使用者", "聯繫", "打印"]),
    "zh-Hant-HK": (["資訊", "渠道", "賬户", "網上", "短訊", "連結", "聯絡", "透過", "個人資料", "用户", "甚麼", "打印"],
                   ["信息", "管道", "帳戶", "賬戶", "線上", "在線", "簡訊", "短信", "鏈接", "使用者", "聯繫", "列印"]),
}
NAMES = ["花唄", "支付寶", "中國人民銀行徵信中心"]  # names stay as they are


def texts(built, edition: str) -> str:
    """Everything printed in an edition: handbook pages, worksheet pages, the booklet's subject line."""
    booklet = pypdf.PdfReader(built / edition / "handbook-booklet.pdf").metadata.subject
    return squash("".join(page_texts(built / edition / "handbook.pdf")) + "".join(
        page_texts(built / edition / "worksheet.pdf")) + booklet)


@pytest.mark.parametrize("edition, face", [("zh-Hans", "SC"), ("zh-Hant", "TC"), ("zh-Hant-HK", "HK")])
def test_each_edition_has_its_outputs_and_its_regions_face(built, edition, face):
    for name in ("handbook.pdf", "handbook-booklet.pdf", "worksheet.pdf"):
        assert (built / edition / name).is_file(), name
    used = fonts(built / edition / "handbook.pdf")
    assert used and all(f"NotoSansCJK{face}-" in name for name in used), used


@pytest.mark.parametrize("edition", HANT)
def test_each_edition_speaks_its_regions_vocabulary(built, edition):
    text = texts(built, edition)
    wanted, refused = WORDS[edition]
    assert [word for word in wanted if word not in text] == []
    assert [word for word in refused if word in text] == []
    assert all(name in text for name in NAMES)
    assert "CN¥" in "".join(w.get("/TU", "") for w in _widgets(built / edition / "worksheet.pdf"))  # renminbi


def _widgets(path):
    for page in pypdf.PdfReader(path).pages:
        for annotation in page.get("/Annots", []):
            yield annotation.get_object()


@pytest.mark.parametrize("edition", HANT)
def test_each_edition_is_pure_by_its_regions_rules_and_not_by_the_others(built, edition):
    """A correct Hong Kong text is not flagged by Hong Kong's rules, but is by Taiwan's (裏 is not
    Taiwan's form), and the other way round: the check knows the regions apart."""
    text = texts(built, edition)
    assert variants.impure_characters(text, "Hant", HANT[edition]) == []
    other = "HK" if HANT[edition] == "TW" else "TW"
    flagged = {char for _, char, _, _ in variants.impure_characters(text, "Hant", other)}
    assert {"TW": {"裡", "著", "戶"}, "HK": {"裏", "着", "户"}}[HANT[edition]] <= flagged
    assert not set(text) & set("“”‘’") and "「" in text


def test_hong_kong_edition_follows_its_locale_and_style(built):
    reader = pypdf.PdfReader(built / "zh-Hant-HK" / "handbook.pdf")
    assert "2026年11月28日" in squash(page_texts(built / "zh-Hant-HK" / "handbook.pdf")[1])  # zh_Hant_HK, long
    assert reader.metadata.subject == "從了解後果到協商還款的實用指南"
    book = load_book(ROOT / "content", ROOT, Sink())
    hk = book.variant("zh-Hant-HK")
    assert (hk.locale, hk.fontset, hk.punctuation) == ("zh_Hant_HK", "HK", "hongkong")
    style = variants.punctuation(hk.punctuation)
    assert style.compress == "brackets"  # pause marks keep their full, centred em; 「」 quotes
    assert style.quotes["“"] == "「"


def test_shipped_phrase_list_decides_every_phrase_conversion():
    """The shipped content reviews clean: deriving every chapter of every derived edition leaves no
    phrase conversion of OpenCC's undecided (each accepted one is recorded once in phrases.toml)."""
    sink = Sink()
    book = load_book(ROOT / "content", ROOT, sink)
    phrases = load_phrases(book, ROOT, sink)
    assert not sink.items
    source = book.variant(book.source_variant)
    left = []
    for config in book.variants:
        if not config.opencc or config.name == source.name:
            continue
        for path in sorted(source.folder.glob("*.md")):
            _, reviews = variants.derive(path.read_text(encoding="utf-8"), config.opencc,
                                         variants.punctuation(config.punctuation), config.name, source.name,
                                         phrases[config.name])
            left += [(config.name, path.name, r.source, r.result) for r in reviews
                     if isinstance(r, variants.PhraseReview)]
    assert left == []


def test_check_and_derive_list_phrase_conversions_and_flag_those_across_words(project):
    """With two reviewed entries taken out of the phrase list and the Taiwan edition derived, 'check'
    lists OpenCC's phrase conversions at their zh-Hans line and column and warns where the match
    crosses a word boundary (--strict then fails); 'derive' lists the same."""
    phrases = project / "content" / "phrases.toml"
    text = phrases.read_text(encoding="utf-8")
    for word in ("消息", "用户"):
        text = re.sub(r'\[\[phrase\]\]\nzh-Hans = "%s".*?\n\n' % word, "", text, flags=re.S)
    phrases.write_text(text, encoding="utf-8")
    shutil.rmtree(project / "content" / "zh-Hant")
    chapter = (project / "content" / "zh-Hans" / "01-consequences.md").read_text(encoding="utf-8").splitlines()
    line = next(n for n, row in enumerate(chapter, 1) if "官方消息" in row)
    col = chapter[line - 1].index("官方消息") + 3
    flagged = (f"content/zh-Hans/01-consequences.md:{line}:{col}: warning: zh-Hant: phrase conversion 消息 → 訊息 "
               f"(character by character: 消息) matches part of the word 官方消息 in “不看官方消息； - ”")
    listed = "note: zh-Hant: phrase conversion 用户 → 使用者 (character by character: 用戶) in "

    check = run_build("check", "--content", str(project / "content"), "--variant", "zh-Hant")
    assert check.returncode == 0, check.stderr
    assert flagged in check.stderr and listed in check.stderr
    assert check.stderr.count("phrase conversion") == check.stderr.count("用户 → 使用者") + 1
    strict = run_build("check", "--content", str(project / "content"), "--variant", "zh-Hant", "--strict")
    assert strict.returncode == 1 and flagged in strict.stderr

    derive = run_build("derive", "--content", str(project / "content"), "--variant", "zh-Hant")
    assert derive.returncode == 0, derive.stderr
    assert flagged in derive.stderr and listed in derive.stderr
    derived = (project / "content" / "zh-Hant" / "01-consequences.md").read_text(encoding="utf-8")
    assert "官方訊息" in derived  # what OpenCC made, for the editor to see and fix


def test_a_fourth_edition_needs_only_book_toml(project, tmp_path):
    """A Macau edition: a [variants] table and nothing else. It derives from zh-Hans with Hong Kong's
    tables (Macau writes Hong Kong's forms); the phrase list has no zh-Hant-MO texts yet, so OpenCC's
    phrase conversions are its own and the one across a word boundary is reported for review."""
    book = project / "content" / "book.toml"
    book.write_text(book.read_text(encoding="utf-8") + '''
[variants.zh-Hant-MO]
locale = "zh_Hant_MO"
fonts = "HK"
punctuation = "hongkong"
opencc = "s2hk"
title = "花唄逾期溝通手冊"
''', encoding="utf-8")
    result = run_build("--content", str(project / "content"), "--output", str(tmp_path / "out"),
                       "--variant", "zh-Hant-MO", "--only", "handbook")
    assert result.returncode == 0, result.stderr
    assert "warning: zh-Hant-MO: phrase conversion 复杂 → 複雜 (character by character: 復雜) matches part of " \
           "the word 比较复杂" in result.stderr
    text = squash("".join(page_texts(tmp_path / "out" / "zh-Hant-MO" / "handbook.pdf")))
    assert "花唄逾期溝通手冊" in text and "裏" in text and variants.impure_characters(text, "Hant", "MO") == []
