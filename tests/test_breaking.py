"""Line breaking on text the shipped book does not have (issue 15): URLs and e-mail addresses after short
leads, long English words, codes and card numbers, lists, tables, quotes and notes with URLs, headings that
wrap; both scripts, the default and the large-print (20 em) measure. Built into real PDFs and read back.

The corpus is tests/stress (a book of its own); the gauges are tests/stress/gauges.py, the same that
bench/bench_breaking.py uses to compare with Typst.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from hypothesis import given, settings, strategies as st

from handbook.typeset import cjk, tokens, totalfit
from handbook.typeset.paragraph import layout_paragraph

sys.path.insert(0, str(Path(__file__).resolve().parent / "stress"))
import gauges  # noqa: E402

EDITIONS = [("zh-Hans", "default"), ("zh-Hant", "default"), ("zh-Hans", "large-print"), ("zh-Hant", "large-print")]


@pytest.fixture(scope="module", params=EDITIONS, ids=lambda p: f"{p[0]}-{p[1]}")
def stress(request):
    variant, theme = request.param
    log, pdf, document, theme_data = gauges.typeset_edition(gauges.STRESS, variant, theme)
    lines = gauges.logged_lines(log, pdf)
    measure = theme_data.page["measure_em"] * theme_data.body["size"]
    return gauges.measure(lines, measure), lines, pdf


def test_stress_corpus_meets_every_gauge(stress):
    g, _, _ = stress
    assert g.prohibited == [], "a line starts with a closing mark or ends with an opening one"
    assert g.broken_words == [], "a Latin word broken outside its hyphenation points or a URL's separators"
    assert g.broken_numbers == [], "a number, amount, date or code broken across lines"
    assert g.orphans == [], "a paragraph ends with a single character on its last line"
    assert g.over_cap == [], f"more than {gauges.CAP_EM} em between two Han characters on a justified line"
    assert g.spread_short == []
    assert g.not_flush == [], "a non-final line short of the measure, not ending inside a URL"
    assert g.flush_share >= 0.99, "non-final lines flush, those ending inside a URL or an e-mail address too"


def test_the_corpus_exercises_what_it_is_for(stress):
    """A gauge that never sees a hyphen, a URL break or a justified mixed line proves nothing."""
    g, lines, _ = stress
    texts = [line.text for line in lines]
    assert sum(text.endswith("-") for text in texts) >= 3  # hyphenated words (and URLs broken after '-')
    assert sum(re.search(r"[/.@]$", text) is not None for text in texts) >= 4  # URLs broken at separators
    assert 1 <= len(g.url_inner_breaks) <= 8  # inside a segment: the last resort, used, and rarely
    assert g.non_final >= 60 and g.lines >= 100
    assert g.widest_han_gap_em > 0.1  # some lines are stretched: the cap is tested, not idle


def test_no_block_ends_with_a_single_character(stress):
    """孤字 in headings, titles and table cells too, not only in justified text."""
    _, lines, _ = stress
    blocks: dict = {}
    for line in lines:
        blocks.setdefault(line.paragraph, []).append(line)
    for block in blocks.values():
        if len(block) >= 2 and block[-1].last:
            units = [c for c in block[-1].text if c not in cjk.NO_START]
            assert len(units) >= 2, [line.text for line in block]


def test_invisible_characters_are_not_drawn(stress):
    """☎️ is ☎ and VARIATION SELECTOR-16: the symbol is drawn, the selector neither drawn nor an error."""
    _, _, pdf = stress
    document = pdfium.PdfDocument(pdf)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    assert "☎" in text and "\ufe0f" not in text


@pytest.mark.parametrize("variant", ["zh-Hans", "zh-Hant"])
def test_shipped_book_in_large_print_meets_every_gauge(variant):
    log, pdf, _, theme = gauges.typeset_edition(None, variant, "large-print")
    g = gauges.measure(gauges.logged_lines(log, pdf), theme.page["measure_em"] * theme.body["size"])
    assert g.lines > 400
    assert (g.prohibited, g.broken_words, g.broken_numbers, g.orphans, g.over_cap) == ([], [], [], [], [])
    assert g.flush_share == 1.0 and g.url_inner_breaks == []


# -- where tokens break ----------------------------------------------------------------------------------
def points(token: str, code: bool = False, overlong: bool = False) -> list[str]:
    kind = tokens.classify(token, code)
    return [token[:b.index] + "|" + token[b.index:] + ("-" if b.hyphen else "")
            for b in tokens.breaks(token, kind, overlong) if not b.emergency]


def test_urls_break_after_their_separators_never_inside_the_scheme():
    found = points("https://www.example.com/a-b?x=1&y=2#top")
    assert "https://|www.example.com/a-b?x=1&y=2#top" in found
    assert "https://www.|example.com/a-b?x=1&y=2#top" in found
    assert "https://www.example.com/a-|b?x=1&y=2#top" in found
    assert "https://www.example.com/a-b?x=1&|y=2#top" in found
    assert not any(p.startswith("https:|") or p.startswith("https:/|") for p in found)
    assert all(not p.split("|")[1][:1] in ").,;:" for p in points("(see https://a.example.com/x/).")), "before a closing mark"


def test_mail_code_words_and_numbers():
    assert "customer.|service@example.com" in points("customer.service@example.com")
    assert "customer.service@|example.com" in points("customer.service@example.com")
    assert points("templates/themes/large-print.toml", code=True)[0] == "templates/|themes/large-print.toml"
    assert "Acknowl|edgement-" in [p.replace("|", "|", 1) for p in points("Acknowledgement")] or \
        any(p.endswith("-") for p in points("Acknowledgement"))
    for number in ("6217-0000-1234-5678", "2026-12-15", "¥12,345.67", "11010519491231002X", "0.05%", "v2.3.1"):
        assert points(number) == [], number
    assert points("APR") == [] and points("GDPR") == []  # acronyms are not hyphenated
    assert points("well-known") == ["well-|known"]


def inner_points(token: str) -> list[str]:
    """Breaks inside a URL's segments: the last resort that keeps a line flush."""
    return [token[:b.index] + "|" + token[b.index:] for b in tokens.breaks(token, tokens.classify(token), False)
            if b.emergency == tokens.SEGMENT]


def test_urls_break_inside_a_segment_only_as_a_last_resort():
    found = inner_points("customer.service.department@example-finance.com.cn")
    assert "customer.service.depart|ment@example-finance.com.cn" in found
    assert "customer.service.de|partment@example-finance.com.cn" in found
    assert "customer.service.d|epartment@example-finance.com.cn" not in found  # two before, three after
    assert "customer.service.departme|nt@example-finance.com.cn" not in found
    assert not any("|com" in p or "c|om" in p or "co|m" in p for p in found)  # short segments stay whole
    assert not any(p.split("|")[0][-1:] in tokens.URL_BREAK_AFTER | {":"} or p.split("|")[1][:1] in
                   tokens.URL_BREAK_AFTER for p in found)  # next to a separator: its own break is there
    assert inner_points("https://www.example.com/")[0] == "https://www.ex|ample.com/"  # never inside ://
    own = {b.index: b for b in tokens.breaks("example.com/path", "url", False)}
    assert max(b.penalty for b in own.values() if not b.emergency) < tokens.SEGMENT_PENALTY
    assert inner_points("2026-12-15") == [] and inner_points("Acknowledgement") == []  # not URLs


LEADS_AND_URLS = ["联系邮箱：customer.service.department@example-finance.com.cn",
                  "官方说明：https://www.example.com/help/center/repayment-plan/overdue-faq?from=handbook&lang=zh-CN#section-3",
                  "网盘链接https://pan.example.com/s/1AbCdEfGhIjKlMnOpQrStUv分享。",
                  "在浏览器地址栏输入 www.example-bank.com.cn/personal/credit-card/installment 即可进入分期页面；也可以在手机应用中依次点击。"]


@pytest.mark.parametrize("measure", [200.0, 290.0])
@pytest.mark.parametrize("mode", ["none", "all"])
def test_a_line_ending_inside_a_url_is_flush(measure, mode):
    """Issue 15: a short lead and a URL: no line left short, the URL letter-spaced within its small cap and
    broken inside a segment only where no separator lets its line be justified."""
    for text in LEADS_AND_URLS:
        lines = layout_paragraph(runs_of(text), advance, measure, 20.0, "justify", mode)
        assert len(lines) >= 2
        for line in lines[:-1]:
            assert line.justified and line.offset + line.width == pytest.approx(measure, abs=0.01), line_text(line)
            assert max(han_gaps(line), default=0.0) <= 2.5 + 1e-6
            for piece in line.pieces:
                if piece.text.isascii():
                    assert piece.char_space <= cjk.LETTER_EM * 10.0 + 1e-9


def test_words_and_numbers_are_never_letter_spaced():
    text = "的一是在" * 3 + " Acknowledgement " + "的一" + "¥1,234.50" + "是在" * 20
    for measure in (100.0, 150.0, 200.0):
        for line in layout_paragraph(runs_of(text), advance, measure, 20.0, "justify", "all"):
            assert all(piece.char_space == 0.0 for piece in line.pieces if piece.text.isascii())


def test_soft_hyphen_and_zero_width_space_are_break_points_not_glyphs():
    text = "汉字" + "super\u00adcali\u00adfragilistic" + "汉字" * 30 + "abc\u200bdefghijk"
    lines = layout_paragraph(runs_of(text), advance, 120.0, 0.0, "justify", "all")
    drawn = "".join(line_text(line) for line in lines)
    assert "\u00ad" not in drawn and "\u200b" not in drawn
    assert drawn.replace("-", "") == text.replace("\u00ad", "").replace("\u200b", "")


# -- properties on mixed Latin / Han / URL text, synthetic metrics -----------------------------------------
HAN = "的一是在不了有人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"
CLOSE = "，。、；：？！）》」』”"
OPEN = "（《「『“"
WORDS = ["Emergency", "Fund", "Acknowledgement", "Outstanding", "Obligations", "responsibilities", "budget",
         "telecommunications", "notwithstanding", "planning", "Method", "Income", "Expenses", "APR", "GDPR"]
NUMBERS = ["2026", "12.5%", "¥1,234.50", "30", "95188", "3–5", "0.05%"]
URLS = ["https://www.example.com/help/center/faq?id=12&lang=zh", "support@example-finance.com.cn",
        "www.example.org/a/b/c-d/e_f.html", "https://c.example.com/track"]


def advance(char: str, font: str, size: float) -> float:
    if char == " ":
        return 0.25 * size
    if cjk.is_wide(char, size, size) or char in HAN + CLOSE + OPEN:
        return size
    return (0.3 if char in "il.,:;'|!" else 0.8 if char in "mwMW@%" else 0.55) * size


def runs_of(text: str) -> list[cjk.Run]:
    return [cjk.Run(text, "F", 10.0)]


def line_text(line: cjk.Line) -> str:
    return "".join(piece.text for piece in line.pieces)


def han_gaps(line: cjk.Line) -> list[float]:
    """Gaps between two adjacent Han characters on a line, from the pieces' positions."""
    chars = []
    for piece in line.pieces:
        x = piece.x
        for char in piece.text:
            width = advance(char, "F", piece.run.size) * piece.scale
            chars.append((char, x, x + width))
            x += width + piece.char_space
    return [b[1] - a[2] for a, b in zip(chars, chars[1:]) if a[0] in HAN and b[0] in HAN]


mixed_tokens = st.one_of(
    st.lists(st.sampled_from(HAN), min_size=1, max_size=12).map("".join),
    st.builds(lambda h, p: h + p, st.sampled_from(HAN), st.sampled_from(CLOSE)),
    st.builds(lambda p, h: p + h, st.sampled_from(OPEN), st.sampled_from(HAN)),
    st.sampled_from(WORDS).map(lambda w: f" {w} "),
    st.sampled_from(NUMBERS),
    st.sampled_from(NUMBERS).map(lambda n: f" {n} "),
    st.sampled_from(URLS).map(lambda u: f"：{u} "),
)
mixed = st.lists(mixed_tokens, min_size=1, max_size=60).map("".join)
wide_measures = st.sampled_from([200.0, 290.0])  # 20 and 29 em: the two themes' body measures
modes = st.sampled_from(["none", "brackets", "all"])


def _unhyphenated(lines: list[cjk.Line], text: str) -> str:
    """The lines' text, without hyphens that hyphenation added at line ends."""
    source = re.sub(r"\s+", "", text)
    out, cursor = [], 0
    for line in lines:
        chars = line_text(line)
        if chars.endswith("-") and not source[cursor:].startswith(chars):
            chars = chars[:-1]
        out.append(chars)
        cursor += len(chars)
    return "".join(out)


@settings(max_examples=200, deadline=None)
@given(mixed, wide_measures, modes)
def test_mixed_text_keeps_every_character_and_the_prohibitions(text, measure, mode):
    lines = layout_paragraph(runs_of(text), advance, measure, 20.0, "justify", mode)
    assert _unhyphenated(lines, text) == re.sub(r"\s+", "", text)
    for number, line in enumerate(lines):
        chars = line_text(line)
        assert line.offset + line.width <= measure + cjk.EPSILON
        if number:
            assert chars[0] not in cjk.NO_START, chars
        if number < len(lines) - 1:
            assert chars[-1] not in cjk.NO_END, chars


@settings(max_examples=200, deadline=None)
@given(mixed, wide_measures, modes)
def test_mixed_text_is_flush_under_the_cap_and_never_breaks_a_number(text, measure, mode):
    lines = layout_paragraph(runs_of(text), advance, measure, 20.0, "justify", mode)
    joined = "|".join(line_text(line) for line in lines)
    tokens_wider_than_a_line = [t for t in re.findall(r"[!-~¥–]+", text)
                                if sum(advance(c, "F", 10.0) for c in t) > measure - 20.0]
    for number in NUMBERS:
        for k in range(1, len(number)):
            if number[:k] + "|" + number[k:] in joined:  # only inside a token wider than the line
                assert any(number in t for t in tokens_wider_than_a_line), f"broken number {number}"
    for index, line in enumerate(lines[:-1]):
        chars = line_text(line)
        if line.justified:
            assert line.offset + line.width == pytest.approx(measure, abs=0.01), "justified line not flush"
            if max(han_gaps(line), default=0.0) > 0.25 * 10.0 + 1e-6:  # only if no breaking meets the cap
                atoms = cjk.make_atoms(runs_of(text), advance, measure - 20.0, mode)
                assert not totalfit.meets_cap(atoms, measure, 20.0, mode), f"over the cap: {chars}"
        elif len(line.pieces) == 1 and not any(cjk.is_wide(c, 10.0, 10.0) for c in chars):
            pass  # one word alone on its line: nothing to stretch but the word itself, which never is
        else:  # a short line, ending inside a URL or not, only where nothing else keeps to the cap (an
            # unbreakable number follows, a URL's segments are too short to break)
            atoms = cjk.make_atoms(runs_of(text), advance, measure - 20.0, mode)
            assert not totalfit.meets_cap(atoms, measure, 20.0, mode), f"ragged line: {chars!r}"
        for piece in line.pieces:  # letter-spaced: a URL's characters only, within their cap
            if piece.char_space and piece.text.isascii():
                assert piece.char_space <= cjk.LETTER_EM * 10.0 + 1e-9 and any(piece.text in u for u in URLS), piece
        if len(re.sub(r"[^\w]", "", chars)) <= 3:
            assert not line.justified or max(han_gaps(line), default=0.0) <= 2.5, "a short line spread out"
