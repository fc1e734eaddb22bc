"""handbook.typeset.fonts: static TrueType fonts that ReportLab embeds (finding faces: test_faces.py)."""
from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables._g_l_y_f import Glyph
from hypothesis import HealthCheck, given, settings, strategies as st
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont as ReportLabTTFont
from reportlab.pdfgen import canvas

from handbook.typeset import charstrings, faces, fonts, outlines

TEXT = "中文排版，测试。Aal 1"
ABSENT = "\U0010FFFD"  # a private-use code point no Noto face maps


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("font-cache")


@pytest.fixture(scope="module")
def sc(cache) -> fonts.FaceLocation:
    return faces.locate_face("Noto Sans CJK SC", cache_dir=cache, system=False)[0]


@pytest.fixture(scope="module")
def tc(cache) -> fonts.FaceLocation:
    return faces.locate_face("Noto Sans CJK TC", cache_dir=cache, system=False)[0]


def load(data: bytes) -> TTFont:
    return TTFont(io.BytesIO(data))


def glyph_of(font: TTFont, char: str) -> Glyph:
    return font["glyf"][font.getBestCmap()[ord(char)]]


def advance(font: TTFont, char: str) -> int:
    return font["hmtx"][font.getBestCmap()[ord(char)]][0]


def make_font(path: Path, family: str, weight: int = 400, chars: str = "") -> Path:
    """A tiny static glyf font: .notdef, space and a square 'A' (which ``chars`` are drawn with too)."""
    pen = TTGlyphPen(None)
    for pt in ((100, 0), (100, 700), (500, 700), (500, 0)):
        (pen.lineTo if pen.points else pen.moveTo)(pt)
    pen.closePath()
    square = pen.glyph()
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder([".notdef", "space", "A"])
    fb.setupCharacterMap({**{ord(c): "A" for c in chars}, 32: "space", 65: "A"})
    fb.setupGlyf({".notdef": square, "space": TTGlyphPen(None).glyph(), "A": square})
    fb.setupHorizontalMetrics({".notdef": (600, 100), "space": (250, 0), "A": (600, 100)})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": family, "styleName": "Regular"})
    fb.setupOS2(usWeightClass=weight)
    fb.setupPost()
    path.parent.mkdir(parents=True, exist_ok=True)
    fb.save(str(path))
    return path


def test_static_face_gives_its_own_weight_only(tmp_path):
    face, weight = faces.locate_face("Handbook Test Sans", [make_font(tmp_path / "f" / "t.ttf", "Handbook Test Sans").parent],
                                     cache_dir=tmp_path, system=False)
    font = load(fonts.prepare_face(face, weight, "A", tmp_path))
    assert weight == 400 and advance(font, "A") == 600 and glyph_of(font, "A").xMin == 100
    with pytest.raises(fonts.FontError, match="Handbook Test Sans"):
        fonts.prepare_face(face, 700, "A", tmp_path)


# --- coverage ------------------------------------------------------------------------------

def test_coverage_is_the_cmap_and_is_read_back_from_disk(sc, cache, monkeypatch):
    coverage = fonts.face_coverage(sc, cache)
    assert {ord("中"), ord("，"), 0x20, ord("A")} <= coverage and ord(ABSENT) not in coverage
    fonts._read_cmap.cache_clear()  # a new process: only the disk cache is left
    monkeypatch.setattr(fonts, "open_face", lambda location: pytest.fail("face opened on a warm cache"))
    assert fonts.face_coverage(sc, cache) == coverage


# --- prepare_face --------------------------------------------------------------------------

def test_output_is_a_small_static_truetype_font(sc, cache):
    font = load(fonts.prepare_face(sc, 400, TEXT + ABSENT, cache))
    assert set(font.getBestCmap()) == {ord(c) for c in TEXT} | {0x20}
    assert font.getGlyphOrder()[0] == ".notdef" and len(font.getGlyphOrder()) == len(set(TEXT)) + 1
    assert "glyf" in font and not {"CFF ", "CFF2", "fvar", "gvar", "GSUB", "vhea"} & set(font.keys())
    assert font["head"].created == font["head"].modified == outlines.FIXED_TIME
    assert font["post"].formatType == 3 and font["OS/2"].usWeightClass == 400
    assert font["name"].getDebugName(6).startswith("NotoSansCJKSC-W400-")
    assert font["maxp"].numGlyphs == len(font.getGlyphOrder()) and font["maxp"].maxPoints > 0
    assert font["head"].yMax >= glyph_of(font, "中").yMax > 0


def test_reportlab_registers_the_font(sc, cache):
    data = fonts.prepare_face(sc, 700, TEXT, cache)
    name = load(data)["name"].getDebugName(6)
    pdfmetrics.registerFont(ReportLabTTFont(name, io.BytesIO(data)))
    assert pdfmetrics.stringWidth("中文", name, 10) == pytest.approx(20)


def test_same_input_same_bytes_and_second_call_is_a_cache_hit(sc, tmp_path, monkeypatch):
    first = fonts.prepare_face(sc, 400, TEXT, tmp_path / "a")
    assert fonts.prepare_face(sc, 400, TEXT[::-1], tmp_path / "b") == first  # fresh cache, same set
    monkeypatch.setattr(outlines, "draw_face", lambda *a: pytest.fail("drew on a cache hit"))
    monkeypatch.setattr(outlines, "assemble", lambda *a: pytest.fail("assembled on a cache hit"))
    assert fonts.prepare_face(sc, 400, TEXT, tmp_path / "a") == first


def test_edit_draws_only_the_new_character_and_matches_a_cold_build(sc, tmp_path, monkeypatch):
    requests = [(sc, 400), (sc, 700)]
    fonts.prepare_faces(requests, TEXT, tmp_path / "warm")
    drawn, real = [], outlines.draw_face
    monkeypatch.setattr(outlines, "draw_face", lambda loc, gids, ws: drawn.append(gids) or real(loc, gids, ws))
    edited = fonts.prepare_faces(requests, TEXT + "字", tmp_path / "warm")
    assert drawn == [[fonts._cmap(sc, tmp_path / "warm")[ord("字")]]]
    assert edited == fonts.prepare_faces(requests, TEXT + "字", tmp_path / "cold")


def test_unreadable_glyph_stores_are_rebuilt(sc, tmp_path):
    first = fonts.prepare_face(sc, 400, TEXT, tmp_path)
    for path in tmp_path.glob("*"):
        path.write_bytes(b"junk") if path.name.startswith("glyphs-") else path.unlink()
    assert fonts.prepare_face(sc, 400, TEXT, tmp_path) == first


def test_old_fonts_are_pruned_and_rebuilt_from_the_glyph_store(sc, tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "KEEP_FONTS", 2)
    first = fonts.prepare_face(sc, 400, "一二三", tmp_path)
    fonts.prepare_face(sc, 400, "一二", tmp_path)
    fonts.prepare_face(sc, 400, "一", tmp_path)
    assert len(list(tmp_path.glob("font-NotoSansCJKSC-W400-*.ttf"))) == 2
    monkeypatch.setattr(outlines, "draw_face", lambda *a: pytest.fail("drew a glyph the store has"))
    assert fonts.prepare_face(sc, 400, "一二三", tmp_path) == first


def test_long_runs_of_equal_point_flags_are_encoded():
    contour = [(0, 0)] + [((x, 0),) for x in range(1, 600)] + [((599, 10),)]
    glyph = Glyph(outlines.tt_glyph([contour], 0))
    glyph.expand(None)
    points = [(0, 0)] + [(599, 10)] + [(x, 0) for x in range(599, 0, -1)]
    assert list(glyph.coordinates) == points and list(glyph.flags) == [1] * 601


def test_two_processes_give_the_same_bytes_as_one(sc, tmp_path, monkeypatch):
    requests = [(sc, 400), (sc, 700)]
    monkeypatch.setattr(outlines, "PARALLEL_MIN", 10**9)
    serial = fonts.prepare_faces(requests, TEXT, tmp_path / "serial")
    monkeypatch.setattr(outlines, "PARALLEL_MIN", 1)
    assert fonts.prepare_faces(requests, TEXT, tmp_path / "parallel") == serial


# --- the glyphs themselves -----------------------------------------------------------------

def test_each_region_uses_its_own_glyphs(sc, tc, cache):
    """U+FF0C FULLWIDTH COMMA sits at the lower left in Simplified, centred in Traditional."""
    simplified = glyph_of(load(fonts.prepare_face(sc, 400, "，", cache)), "，")
    traditional = glyph_of(load(fonts.prepare_face(tc, 400, "，", cache)), "，")
    assert simplified.xMax < 500 and simplified.yMax < 300
    assert traditional.xMin > 300 and traditional.yMin > 100


def test_advances_and_weight(sc, cache):
    regular, bold = (load(fonts.prepare_face(sc, w, TEXT, cache)) for w in (400, 700))
    for font in (regular, bold):
        assert font["head"].unitsPerEm == 1000 and advance(font, "中") == 1000
        assert advance(font, "A") < 1000 and advance(font, " ") < advance(font, "A")
    stem = lambda font: glyph_of(font, "l").xMax - glyph_of(font, "l").xMin
    assert stem(bold) > stem(regular) * 1.2
    assert advance(bold, "A") > advance(regular, "A")


def test_one_pass_outlines_equal_fonttools_per_weight_outlines(sc, monkeypatch):
    """The complex-number pass gives exactly what drawing at each location through fontTools gives."""
    with fonts.open_face(sc) as font:
        cmap = font.getBestCmap()
        gids = [0] + [font.getGlyphID(cmap[ord(c)]) for c in "中文，。Aalg字體"]
        locations = outlines.weight_locations(font, [100, 400, 700, 900], sc.family)
        fast = outlines.draw(font, gids, locations)
        monkeypatch.setattr(outlines, "_single_region", lambda *a: None)
        slow = outlines.draw(font, gids, locations)

    def decoded(data):
        glyph = Glyph(data)
        glyph.expand(None)
        return (list(glyph.coordinates), [f & 1 for f in glyph.flags], glyph.endPtsOfContours)
    assert [[decoded(d) for d in column] for column in fast] == [[decoded(d) for d in column] for column in slow]


@pytest.mark.parametrize("face", ["sc", "tc"])
def test_fast_charstring_reader_equals_fonttools(face, request):
    """Every 40th glyph of the face (about 1,600): the same contours as fontTools' interpreter gives with
    the same linear blender, point for point; an operator it does not know, or a malformed charstring, falls
    back to fontTools: it never guesses."""
    location = request.getfixturevalue(face)
    linear = lambda vsindex, deltas: complex(0, deltas[0]) if deltas else 0  # noqa: E731
    with fonts.open_face(location) as font:
        cff, data = outlines._cff2(font)
        charstring, subrs = outlines._charstrings(cff, data), {"global": outlines._RawIndex(cff.GlobalSubrs, data)}
        compared = 0
        for gid in range(0, font["maxp"].numGlyphs, 40):
            code, private = charstring(gid)
            reference = outlines._outline(outlines.T2CharString(code, private=private, globalSubrs=cff.GlobalSubrs),
                                          linear)
            assert outlines._linear_outline(code, private, data, subrs) == reference, gid
            compared += 1
        assert compared > 1500
        for bad in (bytes([139, 139, 21, 139, 2]), bytes([21]), bytes([28, 1])):  # reserved op, empty stack, cut
            with pytest.raises(charstrings.Unsupported):
                outlines._linear_outline(bad, private, data, subrs)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(st.sampled_from("天地玄黄宇宙洪荒日月盈昃辰宿列张，。！？abcXYZ019" + ABSENT + "\u0378"), max_size=12))
def test_cmap_is_requested_characters_the_face_has(sc, cache, chosen):
    font = load(fonts.prepare_face(sc, 500, chosen, cache))
    coverage = fonts.face_coverage(sc, cache)
    assert set(font.getBestCmap()) == ({ord(c) for c in chosen} & coverage) | {0x20}


# --- through ReportLab into a PDF ----------------------------------------------------------

def test_two_page_pdf_embeds_both_weights(sc, cache, tmp_path):
    lines = ["中文排版测试：第一页。", "繁简之外，粗体第二页！"]
    names = []
    for weight in (400, 700):
        data = fonts.prepare_face(sc, weight, "".join(lines), cache)
        names.append(load(data)["name"].getDebugName(6))
        pdfmetrics.registerFont(ReportLabTTFont(names[-1], io.BytesIO(data)))
    pdf = tmp_path / "two.pdf"
    page = canvas.Canvas(str(pdf))
    for name, line in zip(names, lines):
        page.setFont(name, 18)
        page.drawString(72, 700, line)
        page.showPage()
    page.save()
    with pdfplumber.open(pdf) as doc:
        assert [p.extract_text().strip() for p in doc.pages] == lines
        used = {c["fontname"].split("+")[-1] for p in doc.pages for c in p.chars}
    assert used == set(names)
    assert pdf.read_bytes().count(b"/FontFile2") == 2


# --- ideographic variation sequences (issue 15, item 6) --------------------------------------------------
# All five pinned faces have a cmap format 14 subtable: JP 14,787 sequences (1,468 with a glyph of their own,
# 葛 + U+E0100 among them), KR 322, SC 25, TC 18, HK 30 (SC: 郎 + U+FE00 is 郞; none has 葛 + U+E0100).
GE = "葛\U000E0100"  # 葛 with the lower part ヒ (Adobe-Japan1), a glyph without a code point of its own
LANG = "郎\ufe00"  # the CJK compatibility ideograph's form (U+FA2E's glyph in SC)


@pytest.fixture(scope="module")
def jp(cache) -> fonts.FaceLocation:
    return faces.locate_face("Noto Sans CJK JP", cache_dir=cache, system=False)[0]


def test_variant_glyphs_are_the_faces_format_14_with_stable_code_points(jp, sc, cache):
    ge = fonts.variant_glyphs(jp, cache)
    code, gid = ge[GE]
    assert fonts.VARIANT_START <= code <= fonts.VARIANT_END and gid != fonts._cmap(jp, cache)[0x845B]
    assert "葛\U000E0101" not in ge and fonts.has_sequence(jp, "葛\U000E0101", cache)  # its glyph is the base's
    assert GE not in fonts.variant_glyphs(sc, cache) and not fonts.has_sequence(sc, GE, cache)
    assert LANG in fonts.variant_glyphs(sc, cache)
    assert fonts.variant_glyphs(jp, cache) == ge  # the same in every book set in the face (read back from disk)
    assert fonts.variation_sequences(f"诸{GE}亮，{LANG}，☎\ufe0f，A\ufe00") == {GE, LANG}


def test_a_variant_is_drawn_from_its_own_glyph_at_its_code_point(jp, cache):
    data = fonts.prepare_face(jp, 400, ["葛", GE, "中"], cache)
    font = load(data)
    code, gid = fonts.variant_glyphs(jp, cache)[GE]
    cmap = font.getBestCmap()
    assert set(cmap) == {0x20, ord("葛"), ord("中"), code}
    assert font["glyf"][cmap[code]].getCoordinates(font["glyf"])[0] != \
        font["glyf"][cmap[ord("葛")]].getCoordinates(font["glyf"])[0]
    _, _, (drawn,) = outlines.draw_face(jp, [gid], [400])  # the face's glyph for the sequence, drawn alone
    alone = Glyph(drawn[0])
    alone.expand(font["glyf"])
    assert alone.getCoordinates(font["glyf"])[0] == font["glyf"][cmap[code]].getCoordinates(font["glyf"])[0]
    assert fonts.prepare_face(jp, 400, ["葛", "中"], cache) != data  # the sequence is part of the font's key


def _variant_book(root: Path, family: str | None) -> tuple[Path, Path]:
    """A one-chapter book whose paragraph holds 葛 + U+E0100, 葛 + U+E0101 (a default sequence), plain 葛,
    and 郎 + U+FE00; with ``family``, its zh-Hans font set is that family (a pinned face)."""
    content = root / "content"
    (content / "zh-Hans").mkdir(parents=True)
    toml = (Path(__file__).parent / "stress" / "book.toml").read_text(encoding="utf-8")
    if family:
        toml += f'\n[fonts.SC]\nfamily = "{family}"\nregular = 400\nbold = 700\nsystem = false\n'
    (content / "book.toml").write_text(toml, encoding="utf-8")
    chapter = content / "zh-Hans" / "01-names.md"
    chapter.write_text(f"---\nshort_title: 异体字\n---\n# 异体字\n\n诸{GE}亮姓{GE}，葛\U000E0101与葛。新{LANG}与新郎。\n",
                       encoding="utf-8")
    return content, chapter


def _build_variant_book(tmp_path: Path, family: str | None):
    import pypdfium2 as pdfium
    from conftest import run_build

    content, chapter = _variant_book(tmp_path, family)
    out = tmp_path / "out"
    result = run_build("--content", str(content), "--output", str(out), "--variant", "zh-Hans", "--only", "handbook")
    assert result.returncode == 0, result.stderr
    document = pdfium.PdfDocument((out / "zh-Hans" / "handbook.pdf").read_bytes())
    page = next(p for p in document if "诸" in p.get_textpage().get_text_range())
    text = page.get_textpage()
    bitmap = page.render(scale=8).to_pil().convert("L")

    def drawn(nth: int, char: str):
        """The pixels of the nth ``char`` on the page, scaled to 48 × 48."""
        found = [i for i in range(text.count_chars()) if text.get_text_range(i, 1) == char]
        left, bottom, right, top = text.get_charbox(found[nth])
        height = page.get_height()
        box = tuple(round(v * 8) for v in (left, height - top, right, height - bottom))
        return bitmap.crop(box).resize((48, 48)).tobytes()

    return result.stderr, text.get_text_range(), drawn, chapter


def same(a: bytes, b: bytes) -> bool:
    """The same glyph, drawn at another fraction of a pixel (measured: under 0.01 the same, over 0.3 not)."""
    return sum(abs(x - y) for x, y in zip(a, b)) / (255 * len(a)) < 0.05


def test_a_variation_sequence_draws_the_faces_variant_and_copies_as_written(tmp_path):
    """Through the real command, in the pinned face that has 葛 + U+E0100 (JP)."""
    stderr, copied, drawn, _ = _build_variant_book(tmp_path, "Noto Sans CJK JP")
    assert f"诸{GE}亮姓{GE}，葛与葛。" in copied  # the variant copies as 葛 + selector; a default one as 葛
    assert same(drawn(0, "葛"), drawn(1, "葛")) and not same(drawn(0, "葛"), drawn(3, "葛"))  # the variant
    assert same(drawn(2, "葛"), drawn(3, "葛"))  # 葛 + U+E0101: the face's glyph for it is 葛's own
    assert "warning" in stderr and "'郎︀' (U+90CE U+FE00) is not in the font 'Noto Sans CJK JP'" in stderr


def test_a_sequence_the_face_lacks_is_its_base_character_with_a_warning_where_it_was_written(tmp_path):
    """The book's own face (SC) has 郎 + U+FE00 but not 葛 + U+E0100: that one is drawn as 葛, located."""
    stderr, copied, drawn, chapter = _build_variant_book(tmp_path, None)
    assert "诸葛亮姓葛，葛与葛。新郎︀与新郎。" in copied
    assert same(drawn(0, "葛"), drawn(3, "葛")) and not same(drawn(0, "郎"), drawn(1, "郎"))
    warnings = [line for line in stderr.splitlines() if ": warning: " in line]
    assert len(warnings) == 2, stderr  # 葛 + U+E0100 and 葛 + U+E0101, each once, where first written
    assert warnings[0].endswith("01-names.md:6:2: warning: variation sequence '葛󠄀' (U+845B U+E0100) is not in the "
                                "font 'Noto Sans CJK SC': its base character is drawn"), warnings
    assert "01-names.md:6:9: warning: variation sequence '葛󠄁' (U+845B U+E0101)" in warnings[1]
