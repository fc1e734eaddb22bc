"""The default handbook, built with the real command and read back from the PDFs."""
from __future__ import annotations

import re

import pypdf
import pytest

from handbook import model, variants
from handbook.book import load_book
from handbook.diagnostics import Sink
from handbook.pipeline import BuildOptions, read_edition
from pdfread import fonts, outline, page_texts, squash

VARIANTS = ["zh-Hans", "zh-Hant", "zh-Hant-HK"]
A5 = (419.53, 595.28)


def edition(name):
    options = BuildOptions()
    sink = Sink()
    book = load_book(options.content_dir, options.project_root, sink)
    return read_edition(book, book.variant(name), options, sink)


def block_texts(blocks, kinds=(model.Heading, model.Paragraph), tables: bool = True):
    """The text of every block of ``kinds`` (in lists and quotes too), in reading order: what must appear
    in the PDF. A cross-reference adds the page of its target after its text: the text around it is
    yielded in pieces. Tables and code blocks too, unless ``tables`` is false."""
    for block in blocks:
        if isinstance(block, kinds):
            piece = ""
            for span in block.content:
                piece += span.text
                if span.href and span.href.startswith("#") and "link" in span.styles:
                    yield piece
                    piece = ""
            if piece:
                yield piece
        elif isinstance(block, model.ListBlock):
            for item in block.items:
                yield from block_texts(item.blocks, kinds, tables)
        elif isinstance(block, model.Quote):
            yield from block_texts(block.blocks, kinds, tables)
        elif isinstance(block, model.Table) and tables:
            for row in (block.header, *block.rows):
                for cell in row:
                    yield model.plain(cell)
        elif isinstance(block, model.CodeBlock) and tables:
            yield block.text


@pytest.mark.parametrize("variant", VARIANTS)
def test_pages_are_a5(built, variant):
    reader = pypdf.PdfReader(built / variant / "handbook.pdf")
    assert len(reader.pages) >= 16
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A5, abs=0.05)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_character_of_the_content_is_printed_in_order(built, variant):
    body = squash("".join(page_texts(built / variant / "handbook.pdf", top_mm=17, bottom_mm=16)))
    cursor = 0
    count = 0
    for chapter in edition(variant).document.chapters:
        start = cursor
        for text in block_texts(chapter.blocks):
            wanted = squash(text)
            found = body.find(wanted, cursor)
            assert found >= 0, f"{chapter.name}: not found in order: {text[:40]}"
            cursor = found + len(wanted)
            count += len(wanted)
        for text in [t for note in chapter.notes for t in block_texts(note.blocks)]:  # at the foot of pages
            wanted = squash(text)
            assert body.find(wanted, start) >= 0, f"{chapter.name}: note not found: {text[:40]}"
            count += len(wanted)
    assert count > 7000  # the whole book, not a stub


@pytest.mark.parametrize("variant", VARIANTS)
def test_outline_lists_every_heading_on_its_page(built, variant):
    path = built / variant / "handbook.pdf"
    entries = outline(path)
    headings = [(b.level - 1, model.plain(b.content)) for c in edition(variant).document.chapters
                for b in c.blocks if isinstance(b, model.Heading)]
    assert [(level, title) for level, title, _ in entries] == headings
    texts = [squash(t) for t in page_texts(path, top_mm=17, bottom_mm=16)]
    for _, title, page in entries:
        assert squash(title) in texts[page - 1], f"{title} is not on page {page}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_table_of_contents_page_numbers_are_right(built, variant):
    path = built / variant / "handbook.pdf"
    entries = [(title, page) for level, title, page in outline(path) if level <= 1]
    texts = page_texts(path, top_mm=17, bottom_mm=16)
    toc_title = {"zh-Hans": "目录", "zh-Hant": "目錄", "zh-Hant-HK": "目錄"}[variant]
    toc_pages = [i for i, text in enumerate(texts) if squash(text).startswith(toc_title)]
    assert toc_pages, "no table of contents page"
    first = toc_pages[0]
    toc = squash("".join(texts[first:first + 3]))
    cursor = toc.index(squash(entries[0][0]))
    for title, page in entries:  # each entry reads "<title><page>", the next entry right after
        expected = squash(title) + str(page)
        assert toc.startswith(expected, cursor), f"TOC has {toc[cursor:cursor + len(expected) + 3]!r}, " \
                                                 f"expected {expected!r}"
        cursor += len(expected)


@pytest.mark.parametrize("variant", VARIANTS)
def test_fonts_are_embedded_subsets(built, variant):
    found = fonts(built / variant / "handbook.pdf")
    assert found and all(found.values()), found
    assert all(re.match(r"/[A-Z]{6}\+", name) for name in found), found  # subset tags


@pytest.mark.parametrize("variant, lang", [("zh-Hans", "zh-Hans"), ("zh-Hant", "zh-Hant"), ("zh-Hant-HK", "zh-Hant")])
def test_metadata(built, variant, lang):
    reader = pypdf.PdfReader(built / variant / "handbook.pdf")
    meta = reader.metadata
    book = edition(variant).document.meta
    assert meta.title == book.title and meta.author == book.author and meta.subject == book.subtitle
    assert reader.trailer["/Root"]["/Lang"] == lang


@pytest.mark.parametrize("variant, config, banned", [("zh-Hans", "t2s", "「」『』"), ("zh-Hant", "s2tw", "“”‘’"),
                                                     ("zh-Hant-HK", "s2hk", "“”‘’")])
def test_each_edition_is_in_one_script(built, variant, config, banned):
    text = "".join(page_texts(built / variant / "handbook.pdf"))
    assert variants.foreign_characters(text, config) == []
    assert not set(text) & set(banned)
    assert "\ufffd" not in text


def test_running_heads_and_folios(built):
    texts = page_texts(built / "zh-Hans" / "handbook.pdf")
    reader = pypdf.PdfReader(built / "zh-Hans" / "handbook.pdf")
    assert "花呗逾期沟通手册" in texts[0] and not re.search(r"\d", squash(texts[0]).replace("2026", "")
                                                                .replace("11", "").replace("28", ""))
    numbered = 0
    for number, page in enumerate(reader.pages[3:], start=4):
        foot = page_texts_cache(built, number)
        if foot.strip() == str(number):
            numbered += 1
    assert numbered >= len(reader.pages) // 2


def page_texts_cache(built, number, _cache={}):
    if "feet" not in _cache:
        import pypdfium2 as pdfium
        pdf = pdfium.PdfDocument(str(built / "zh-Hans" / "handbook.pdf"))
        feet = []
        for page in pdf:
            width, _ = page.get_size()
            feet.append(page.get_textpage().get_text_bounded(0, 0, width, 16 * 72 / 25.4))
        _cache["feet"] = feet
    return _cache["feet"][number - 1]


def test_chapter_models_are_remembered_by_their_source(tmp_path, monkeypatch):
    """A chapter read from the memo equals the one parsed from its source; an edited source is parsed again."""
    from dataclasses import replace

    from handbook import markup, pipeline
    from handbook.memo import FileMemo

    source = edition("zh-Hans").sources[3]
    parsed = pipeline.chapter_of(source, "c04", Sink())
    first = FileMemo(tmp_path / "read.pickle", "pickle")
    assert pipeline.chapter_of(source, "c04", Sink(), first) == parsed
    first.save()
    real, parses = markup.parse_markdown, []
    monkeypatch.setattr(markup, "parse_markdown", lambda text: parses.append(text) or real(text))
    memo = FileMemo(tmp_path / "read.pickle", "pickle")
    assert pipeline.chapter_of(source, "c04", Sink(), memo) == parsed and parses == []
    edited = replace(source, text=source.text.replace("。", "！", 1))
    assert pipeline.chapter_of(edited, "c04", Sink(), memo) != parsed and parses == [edited.text]


PARSE_AHEAD = """
import sys
sys.path.insert(0, sys.argv[1])
from handbook import content, markup, pipeline
from handbook.stamps import digest
from handbook.diagnostics import Sink
from handbook.memo import FileMemo
parses, real = [], markup.parse_markdown
markup.parse_markdown = lambda text, fields=False: parses.append(text) or real(text, fields)
texts = [("" if n == 7 else f"# 第{n}章\\n\\n") + f"第{n}段，" * 1500 for n in range(40)]  # 7: no heading, a warning
sources = [content.parse_source(f"{n:02d}-x.md", f"x/{n:02d}-x.md", text, Sink()) for n, text in enumerate(texts)]
idents = [f"c{n:02d}" for n in range(1, 41)]
memo = FileMemo(None)
pipeline.parse_ahead(sources, idents, memo)
sink = Sink()
chapters = [pipeline.chapter_of(source, ident, sink, memo) for source, ident in zip(sources, idents)]
print(len(parses), digest(chapters, [str(d) for d in sink.items]))  # sets sorted: each process has its own seed
"""


def test_a_big_books_chapters_are_parsed_on_two_cores_with_the_same_result(tmp_path):
    """parse_ahead: on a big first build, half the chapters are parsed in a forked process (this process
    parses the other half) and the chapters and their diagnostics are those of a serial parse, in order.
    Run in fresh processes: a test worker has threads beside it, so it never forks."""
    import os
    import subprocess
    import sys
    from conftest import ROOT

    script = tmp_path / "parse_ahead.py"
    script.write_text(PARSE_AHEAD, encoding="utf-8")

    def run(**env):
        done = subprocess.run([sys.executable, str(script), str(ROOT)], capture_output=True, text=True,
                              env={**os.environ, **env}, timeout=300)
        assert done.returncode == 0, done.stderr
        parsed, digest = done.stdout.split()
        return int(parsed), digest

    forked, serial = run(), run(HANDBOOK_JOBS="1")
    assert serial[0] == 40 and forked[0] == 20  # the other 20 were parsed in the forked process
    assert forked[1] == serial[1]
