"""Chinese typesetting (clreq): the line breaker's properties, then the real book read back from the PDF."""
from __future__ import annotations

import marshal
import re
from dataclasses import replace

import pypdfium2 as pdfium
import pytest
from hypothesis import given, settings, strategies as st

from handbook import model
from handbook.typeset import prepare as glyphs
from handbook.typeset.paragraph import layout_paragraph
from handbook.book import load_book
from handbook.diagnostics import Sink
from handbook.pipeline import BuildOptions, read_edition
from handbook.theme import load_theme
from handbook.typeset import cjk, flowables
from handbook.typeset import layout
from handbook.typeset.layout import typeset
from handbook.typeset.linecache import LineCache

# -- the breaker on synthetic metrics -------------------------------------------------------------
HAN = "的一是在不了有人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"
CLOSE = "，。、；：？！）》」』”"
OPEN = "（《「『“"
LATIN = "abcdefghijXYZ0123456789%.-/"


def advance(char: str, font: str, size: float) -> float:
    if char == " ":
        return 0.25 * size
    return size if cjk.is_wide(char, size, size) or char in HAN + CLOSE + OPEN else 0.55 * size


def runs_of(text: str) -> list[cjk.Run]:
    return [cjk.Run(text, "F", 10.0)]


tokens = st.one_of(
    st.sampled_from(HAN),
    st.builds(lambda h, p: h + p, st.sampled_from(HAN), st.sampled_from(CLOSE)),
    st.builds(lambda p, h: p + h, st.sampled_from(OPEN), st.sampled_from(HAN)),
    st.text(alphabet=LATIN, min_size=1, max_size=8).map(lambda w: f" x{w} "),
    st.text(alphabet=LATIN, min_size=1, max_size=6).map(lambda w: "a" + w),
)  # words start with a letter, so every paragraph has legal breaks (a mark may start a line only when none exists)
paragraphs = st.lists(tokens, min_size=1, max_size=120).map("".join)
measures = st.sampled_from([60.0, 100.0, 155.0, 290.0])
modes = st.sampled_from(["none", "brackets", "all"])


def line_text(line: cjk.Line) -> str:
    return "".join(piece.text for piece in line.pieces)


@settings(max_examples=300, deadline=None)
@given(paragraphs, measures, modes)
def test_breaker_keeps_every_character_in_order(text, measure, mode):
    lines = layout_paragraph(runs_of(text), advance, measure, 20.0, "justify", mode)
    assert without_added_hyphens(lines, text) == re.sub(r"\s+", "", text)


def without_added_hyphens(lines: list[cjk.Line], text: str) -> str:
    """The lines' characters, less the hyphens that hyphenating a word added at line ends (issue 15)."""
    source, out = re.sub(r"\s+", "", text), ""
    for line in lines:
        chars = line_text(line)
        if chars.endswith("-") and not source[len(out):].startswith(chars):
            chars = chars[:-1]
        out += chars
    return out


@settings(max_examples=300, deadline=None)
@given(paragraphs, measures, modes)
def test_breaker_obeys_prohibitions_and_the_measure(text, measure, mode):
    lines = layout_paragraph(runs_of(text), advance, measure, 0.0, "justify", mode)
    for number, line in enumerate(lines):
        assert line.width <= measure + cjk.EPSILON, "a line runs past the measure"
        chars = line_text(line)
        if number:
            assert chars[0] not in cjk.NO_START, f"line starts with {chars[0]!r}"
        if number < len(lines) - 1:
            assert chars[-1] not in cjk.NO_END, f"line ends with {chars[-1]!r}"
            if line.justified and len(chars) > 1:
                assert line.width == pytest.approx(measure, abs=0.01), "justified line not flush"


chinese = st.lists(st.one_of(st.sampled_from(HAN), st.sampled_from([h + "，" for h in HAN])),
                   min_size=2, max_size=80).map("".join)


@settings(max_examples=300, deadline=None)
@given(chinese, modes, st.sampled_from([100.0, 155.0]))
def test_no_single_character_last_line(text, mode, measure):
    lines = layout_paragraph(runs_of(text), advance, measure, 20.0, "justify", mode)
    if len(lines) >= 2:
        units = [c for c in line_text(lines[-1]) if c not in cjk.NO_START]
        assert len(units) >= 2, [line_text(line) for line in lines]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdefghij/-?&", min_size=30, max_size=300))
def test_overlong_tokens_break_and_stay_inside_the_measure(token):
    lines = layout_paragraph(runs_of("网址" + token + "。"), advance, 80.0, 0.0, "justify", "all")
    assert all(line.width <= 80.0 + cjk.EPSILON for line in lines)
    assert "".join(line_text(line) for line in lines) == "网址" + token + "。"


def test_latin_words_and_numbers_stay_whole():
    text = "请在2026年11月28日之前还款¥1,234.50元，利率12.5%以花呗App页面为准。" * 3
    lines = layout_paragraph(runs_of(text), advance, 100.0, 0.0, "justify", "all")
    joined = "|".join(line_text(line) for line in lines)
    for token in ("¥1,234.50", "12.5%", "App"):
        assert token.replace("¥", "") in joined.replace("|", "")
        assert not any(token[:k] + "|" + token[k:] in joined for k in range(1, len(token)))


def test_adjacent_marks_are_compressed_only_in_mainland_style():
    text = "他说：“好。”然后（再）说。"
    widths = {}
    for mode in ("all", "none"):
        atoms = cjk.make_atoms(runs_of(text), advance, 500.0, mode)
        widths[mode] = sum(a.width for a in atoms)
    assert widths["none"] == pytest.approx(len(text) * 10.0)
    assert widths["all"] == pytest.approx(len(text) * 10.0 - 2 * 5.0)  # two pairs of marks: ：“ and 。”


def test_squeeze_before_push():
    # Ten ems fill the line; the final comma squeezes in (it and the inner comma take half an em each)
    # instead of pushing 十 down to the next line with it.
    text = "一二三四，六七八九十，再来"
    lines = layout_paragraph(runs_of(text), advance, 100.0, 0.0, "justify", "all")
    assert line_text(lines[0]) == "一二三四，六七八九十，"
    assert lines[0].width == pytest.approx(100.0)
    lines = layout_paragraph(runs_of(text), advance, 100.0, 0.0, "justify", "none")
    assert line_text(lines[0]) == "一二三四，六七八九"  # Taiwan style: push out, never squeeze


# -- the real book --------------------------------------------------------------------------------
@pytest.fixture(scope="module", params=["zh-Hans", "zh-Hant", "zh-Hant-HK"])
def laid_out(request):
    """The book typeset in-process with a log of every line, and the PDF it made."""
    options = BuildOptions()
    sink = Sink()
    book = load_book(options.content_dir, options.project_root, sink)
    theme = load_theme(book.theme, options.templates_dir, options.project_root, sink)
    edition = read_edition(book, book.variant(request.param), options, sink)
    fonts = glyphs.fonts_for(edition.document, edition.sources, edition.config, theme, options, sink)
    log: list = []
    pdf = typeset(edition.document, theme, fonts, line_log=log)
    return log, pdf


def pdf_lines(log, pdf):
    """Characters that PDFium finds on each logged line, with their loose (advance-based) boxes."""
    document = pdfium.PdfDocument(pdf)
    pages = {}
    result = []
    for entry in log:
        page = pages.get(entry["page"])
        if page is None:
            textpage = document[entry["page"] - 1].get_textpage()
            chars = []
            for i in range(textpage.count_chars()):
                char = textpage.get_text_range(i, 1)
                if char.strip():
                    chars.append((char, textpage.get_charbox(i, loose=True), _origin(textpage, i)))
            page = pages[entry["page"]] = chars
        on_line = [c for c in page if -0.6 < c[2][1] - entry["baseline"] < entry["size"] / 2  # note refs ride high
                   and entry["left"] - entry["size"] / 2 - 0.5 <= c[1][0] <= entry["measure_right"] + 1]
        result.append((entry, on_line))
    return result


def _origin(textpage, index):
    import ctypes
    x, y = ctypes.c_double(), ctypes.c_double()
    pdfium.raw.FPDFText_GetCharOrigin(textpage, index, ctypes.byref(x), ctypes.byref(y))
    return x.value, y.value


def test_every_logged_line_is_in_the_pdf_as_logged(laid_out):
    log, pdf = laid_out
    assert len(log) > 400
    for entry, chars in pdf_lines(log, pdf):
        assert "".join(c for c, _, _ in chars) == re.sub(r"\s", "", entry["text"]), entry


def test_no_prohibited_line_starts_or_ends(laid_out):
    log, pdf = laid_out
    bad = [(e["page"], e["text"]) for e, chars in pdf_lines(log, pdf) if chars and (
        (not e["first"] and chars[0][0] in cjk.NO_START) or (not e["last"] and chars[-1][0] in cjk.NO_END))]
    assert bad == []


def test_non_final_lines_are_flush_with_the_measure(laid_out):
    log, pdf = laid_out
    checked = 0
    for entry, chars in pdf_lines(log, pdf):
        if entry["align"] != "justify" or entry["last"]:
            continue
        last_char, box, _ = chars[-1]
        right = box[2]
        if last_char in cjk.TRIM_RIGHT[entry["compress"]]:
            right -= entry["size"] / 2  # a closing mark set half-width at the line end (GB/T 15834)
        assert right == pytest.approx(entry["measure_right"], abs=0.5), entry
        checked += 1
    assert checked > 150  # every non-final line of every justified block in the book


def test_no_broken_latin_words_and_no_single_character_last_lines(laid_out):
    log, _ = laid_out
    by_paragraph: dict = {}
    for entry in log:
        by_paragraph.setdefault((entry["paragraph"], entry["source"]), []).append(entry)
    for (_, source), lines in by_paragraph.items():
        squashed = re.sub(r"\s", "", source)
        for above, below in zip(lines, lines[1:]):
            a, b = above["text"].rstrip(), below["text"].lstrip()
            if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
                assert (a[-1] + " " + b[0]) in source or len(a) > 20, f"broken word: {a[-10:]}|{b[:10]}"
        if len(lines) >= 2 and lines[-1]["last"] and lines[0]["align"] == "justify":
            units = [c for c in re.sub(r"\s", "", lines[-1]["text"]) if c not in cjk.NO_START]
            assert len(units) >= 2, f"single-character last line in: {squashed[:30]}"


def test_pages_neither_start_with_a_lone_last_line_nor_end_with_a_heading(laid_out):
    log, _ = laid_out
    pages: dict = {}
    for entry in log:
        pages.setdefault(entry["page"], []).append(entry)
    for number, lines in pages.items():
        body = [e for e in lines if e["align"] == "justify"]
        if body and body[0]["last"] and not body[0]["first"]:
            raise AssertionError(f"page {number} starts with the last line of a paragraph: {body[0]['text']}")
        if lines[-1]["heading"] and number != max(pages):
            raise AssertionError(f"page {number} ends with a heading: {lines[-1]['text']}")
        if body and body[-1]["first"] and not body[-1]["last"]:
            raise AssertionError(f"page {number} ends with the lone first line of a paragraph: {body[-1]['text']}")


def test_the_line_cache_gives_what_breaking_again_gives(tmp_path, monkeypatch):
    """Layouts kept between builds: a rebuild from the cache, a first build that breaks half the paragraphs
    in a second process, and a rebuild after an edit, are byte for byte what typesetting without a cache
    makes; the edited paragraph is broken again, not taken stale."""
    options = BuildOptions()
    sink = Sink()
    book = load_book(options.content_dir, options.project_root, sink)
    theme = load_theme(book.theme, options.templates_dir, options.project_root, sink)
    document = read_edition(book, book.variant("zh-Hans"), options, sink).document
    chapter = document.chapters[2]
    index, paragraph = next((i, b) for i, b in enumerate(chapter.blocks) if isinstance(b, model.Paragraph))
    longer = replace(paragraph, content=paragraph.content + (model.Span("再加上一句足以多占一行的话，看看缓存会不会拿出旧的排法。"),))
    edited_chapter = replace(chapter, blocks=chapter.blocks[:index] + (longer,) + chapter.blocks[index + 1:])
    edited = replace(document, chapters=document.chapters[:2] + (edited_chapter,) + document.chapters[3:])
    fonts = glyphs.fonts_for(edited, (), book.variant("zh-Hans"), theme, options, sink)
    cache = tmp_path / "lines.bin"
    fresh, fresh_edited = typeset(document, theme, fonts), typeset(edited, theme, fonts)
    assert fresh != fresh_edited
    assert typeset(document, theme, fonts, line_cache=LineCache(cache)) == fresh
    with monkeypatch.context() as patch:  # a big book's first build: half the paragraphs in a child process
        patch.setattr(layout, "PARALLEL_LAYOUT_MIN", 1)
        assert typeset(document, theme, fonts, line_cache=LineCache(tmp_path / "ahead.bin")) == fresh
    ahead, normal = (marshal.loads(path.read_bytes()) for path in (tmp_path / "ahead.bin", cache))
    assert normal.items() <= ahead.items()  # (ahead also holds cover-page blocks at the body's measure)
    broken = []
    real = flowables.layout_paragraph
    monkeypatch.setattr(flowables, "layout_paragraph", lambda runs, *a: broken.append(runs) or real(runs, *a))
    assert typeset(document, theme, fonts, line_cache=LineCache(cache)) == fresh
    assert broken == []  # every paragraph came from the cache
    assert typeset(edited, theme, fonts, line_cache=LineCache(cache)) == fresh_edited
    assert ["".join(run.text for run in runs) for runs in broken] == [model.plain(longer.content)]
    cache.write_bytes(b"\x00damaged")
    assert typeset(document, theme, fonts, line_cache=LineCache(cache)) == fresh


def test_measured_widths_are_kept_for_the_newest_fonts_only():
    """Each build brings new advance functions (and fonts named by their characters): the widths
    measured for them must not pile up over a long 'watch' (bench/bench_watch.py: 200 rebuilds)."""
    for build in range(5 * cjk.CHAR_CACHE_SIZE):
        def measured(char, font, size, build=build):  # a new function each build, as a new Metrics is
            return advance(char, font, size)
        cjk.make_atoms([cjk.Run("中文 text", f"Font{build % 7}", 10.0)], measured, 200.0)
    assert len(cjk._CHAR_CACHE) == cjk.CHAR_CACHE_SIZE
    newest = next(reversed(cjk._CHAR_CACHE))
    assert newest[:2] == (f"Font{(5 * cjk.CHAR_CACHE_SIZE - 1) % 7}", 10.0) and set(cjk._CHAR_CACHE[newest]) >= set("中文")
