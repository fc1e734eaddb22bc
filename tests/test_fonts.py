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


def make_font(path: Path, family: str, weight: int = 400) -> Path:
    """A tiny static glyf font: .notdef, space and a square 'A'."""
    pen = TTGlyphPen(None)
    for pt in ((100, 0), (100, 700), (500, 700), (500, 0)):
        (pen.lineTo if pen.points else pen.moveTo)(pt)
    pen.closePath()
    square = pen.glyph()
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder([".notdef", "space", "A"])
    fb.setupCharacterMap({32: "space", 65: "A"})
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
    monkeypatch.setattr(fonts, "_CMAPS", {})
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
