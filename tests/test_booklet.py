"""Saddle-stitch imposition: ordering maths, then real PDFs read back as a printer and a folder would."""

from __future__ import annotations

import io
import math
import re

import pdfplumber
import pytest
from hypothesis import given, settings, strategies as st
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import ArrayObject, DecodedStreamObject, NameObject, RectangleObject
from reportlab.lib.pagesizes import A4, A5, A6
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from handbook.booklet import ImposeOptions, Sheet, Side, impose, saddle_stitch_order

MM = 72 / 25.4
A4_LANDSCAPE = (297 * MM, 210 * MM)  # 841.89 x 595.28 pt
LETTER_LANDSCAPE = (792.0, 612.0)
BIG = 60  # font size threshold that tells page numbers from body text

pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))  # ships with ReportLab; embedded, so countable


# --- ordering maths ----------------------------------------------------------------------


def folded_sequence(sheets: list) -> list:
    """Read a folded, nested stack of sheets page by page, modelling the paper, not the formula.

    Each sheet folds with its front outward. Its right half is a leaf before the centre: recto
    front-right, verso back-left (behind it after a short-edge flip). Its left half is a leaf
    after the centre: first seen as back-right, turned to show front-left.
    """
    before = [p for sh in sheets for p in (sh.front.right, sh.back.left)]
    after = [p for sh in reversed(sheets) for p in (sh.back.right, sh.front.left)]
    return before + after


def check_order(n: int) -> None:
    sheets = saddle_stitch_order(n)
    m = 4 * len(sheets)
    assert n <= m < n + 4
    placed = [p for sh in sheets for side in (sh.front, sh.back) for p in (side.left, side.right)]
    assert sorted(p for p in placed if p is not None) == list(range(n))  # each page exactly once
    assert placed.count(None) == m - n  # blanks are exactly the padding

    # the formula, 1-based positions in the padded reading sequence
    reading = folded_sequence(sheets)
    for s, sh in enumerate(sheets):
        assert (sh.front.left, sh.front.right) == (reading[m - 2 * s - 1], reading[2 * s])
        assert (sh.back.left, sh.back.right) == (reading[2 * s + 1], reading[m - 2 * s - 2])

    # the folded booklet reads 1..n in order, blanks only right before the back cover
    assert [p for p in reading if p is not None] == list(range(n))
    if n >= 2:
        assert reading[-1] == n - 1
        assert reading[: n - 1] == list(range(n - 1))
        assert reading[n - 1 : -1] == [None] * (m - n)
    else:
        assert reading == [0, None, None, None]


def test_order_every_count_up_to_64():
    for n in range(1, 65):
        check_order(n)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=2000))
def test_order_property(n):
    check_order(n)


def test_order_examples():
    assert saddle_stitch_order(4) == [Sheet(Side(3, 0), Side(1, 2))]  # front (4,1), back (2,3)
    assert saddle_stitch_order(1) == [Sheet(Side(None, 0), Side(None, None))]
    # 6 pages: 1..5, two blanks, 6 as back cover
    assert saddle_stitch_order(6) == [Sheet(Side(5, 0), Side(1, None)), Sheet(Side(None, 2), Side(3, 4))]


@pytest.mark.parametrize("bad", [0, -3, 2.0, True, "4", None])
def test_order_rejects_bad_counts(bad):
    with pytest.raises(ValueError, match="page_count"):
        saddle_stitch_order(bad)


# --- real PDFs ---------------------------------------------------------------------------


def make_pdf(n: int, lines: int = 3, size=A5, lang: str | None = "de-DE", background=False) -> bytes:
    """n pages, each with its number large in the middle and some body text in an embedded TTF."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size, invariant=1, lang=lang)
    c.setTitle("Handbuch")
    c.setAuthor("Team")
    w, h = size
    for i in range(1, n + 1):
        if background:  # a fill covering the whole page makes its placed area measurable
            c.setFillGray(0.95)
            c.rect(0, 0, w, h, stroke=0, fill=1)
            c.setFillGray(0)
        c.setFont("Helvetica-Bold", 96)
        c.drawCentredString(w / 2, h / 2 - 34, str(i))
        c.setFont("Vera", 9)
        for k in range(lines):
            c.drawString(36, h - 48 - 11 * k, f"Page {i}, line {k}: the quick brown fox jumps over the lazy dog.")
        c.showPage()
    c.save()
    return buf.getvalue()


def read_side(page, rotated: bool) -> tuple:
    """Page numbers in the left and right halves of a printed side, in the side's upright frame
    (undoing the 180 degree turn of long-edge backs), checking the glyph orientation too."""
    w = float(page.width)
    halves: dict[int, list] = {0: [], 1: []}
    for ch in page.chars:
        if ch["size"] < BIG:
            continue
        a = ch["matrix"][0]
        assert (a < 0) == rotated, "glyphs must be upright, or turned 180 degrees on long-edge backs"
        cx = (ch["x0"] + ch["x1"]) / 2
        if rotated:
            cx = w - cx
        halves[0 if cx < w / 2 else 1].append((cx, ch["text"]))
    nums = tuple(int("".join(t for _, t in sorted(chars))) if chars else None for chars in halves.values())
    for half, chars in halves.items():  # numbers sit in the middle of their half
        if chars:
            mid = sum(x for x, _ in chars) / len(chars)
            assert abs(mid - (half + 0.5) * w / 2) < 2.0
    return nums


def print_and_fold(pdf: bytes, duplex: str) -> tuple[list, list[tuple]]:
    """Simulate the printer and the folder: sides in order, backs as they end up on paper."""
    sheets = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        sizes = [(round(float(p.width), 2), round(float(p.height), 2)) for p in doc.pages]
        assert len(doc.pages) % 2 == 0
        for i in range(0, len(doc.pages), 2):
            front = read_side(doc.pages[i], rotated=False)
            back = read_side(doc.pages[i + 1], rotated=duplex == "long-edge")
            sheets.append(Sheet(Side(*front), Side(*back)))
    return folded_sequence(sheets), sizes


@pytest.mark.parametrize("n", [1, 2, 3, 4, 6, 9])
@pytest.mark.parametrize(
    "paper,duplex,size",
    [("A4", "short-edge", A4_LANDSCAPE), ("A4", "long-edge", A4_LANDSCAPE), ("letter", "short-edge", LETTER_LANDSCAPE),
     ("letter", "long-edge", LETTER_LANDSCAPE)],
)
def test_printed_and_folded_reads_in_order(n, paper, duplex, size):
    out = impose(make_pdf(n), ImposeOptions(paper=paper, duplex=duplex))
    reading, sizes = print_and_fold(out, duplex)
    m = -(-n // 4) * 4
    assert set(sizes) == {(round(size[0], 2), round(size[1], 2))}
    assert len(sizes) == m // 2
    expected = [1] + [None] * 3 if n == 1 else [*range(1, n), *[None] * (m - n), n]
    assert reading == expected


def page_areas(pdf: bytes) -> list[list[tuple]]:
    """Per output page, the rectangles where source pages were drawn (their full-page fills)."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [[(r["x0"], r["top"], r["x1"], r["bottom"], r) for r in p.rects if r["fill"]] for p in doc.pages]


def test_a5_pages_at_natural_size_centred_in_halves():
    out = impose(make_pdf(4, background=True))
    front = page_areas(out)[0]
    assert len(front) == 2
    for x0, top, x1, bottom, _ in front:
        assert x1 - x0 == pytest.approx(148 * MM, abs=0.01) and bottom - top == pytest.approx(210 * MM, abs=0.01)
        half = 0 if x0 < A4_LANDSCAPE[0] / 2 else 1
        assert (x0 + x1) / 2 == pytest.approx((half + 0.5) * A4_LANDSCAPE[0] / 2, abs=0.01)


def test_letter_scales_to_half_letter():
    out = impose(make_pdf(4, background=True), ImposeOptions(paper="letter"))
    for x0, top, x1, bottom, _ in page_areas(out)[0]:
        assert 390 < x1 - x0 <= 396 and (bottom - top) / (x1 - x0) == pytest.approx(210 / 148, rel=1e-3)
        assert top > 0 and bottom < 612


@pytest.mark.parametrize("size,scaled", [(A4, True), (A6, False)])
def test_other_page_sizes_centred_and_only_shrunk(size, scaled):
    out = impose(make_pdf(2, size=size, background=True))
    for x0, top, x1, bottom, _ in page_areas(out)[0]:
        w, h = x1 - x0, bottom - top
        assert w <= A4_LANDSCAPE[0] / 2 and h <= A4_LANDSCAPE[1] + 0.01
        assert (w < size[0] - 1) == scaled
        assert (top + bottom) / 2 == pytest.approx(A4_LANDSCAPE[1] / 2, abs=0.01)


def test_rotated_source_page_is_shown_as_displayed():
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf(2, background=True)))
    writer.pages[0].rotate(90)
    buf = io.BytesIO()
    writer.write(buf)
    out = impose(buf.getvalue())
    with pdfplumber.open(io.BytesIO(out)) as doc:
        page = doc.pages[0]  # front: page 2 left, page 1 (now landscape) right
        right = [r for r in page.rects if r["fill"] and r["x0"] > page.width / 2]
        assert len(right) == 1 and right[0]["width"] > right[0]["height"]  # landscape, scaled to fit
        assert right[0]["x1"] <= page.width + 0.01


def test_offset_mediabox_and_split_contents():
    """Other producers: a mediabox not at the origin, and /Contents as an array of streams."""
    src = make_pdf(2, background=True)
    writer = PdfWriter(clone_from=io.BytesIO(src))
    first, second = writer.pages
    first.add_transformation(Transformation().translate(100, 50))
    first.mediabox = RectangleObject([100, 50, 100 + A5[0], 50 + A5[1]])
    data = second.get_contents().get_data()
    parts = []
    for chunk in (data[: data.index(b"BT")], data[data.index(b"BT") :]):
        stream = DecodedStreamObject()
        stream.set_data(chunk)
        parts.append(writer._add_object(stream))
    second[NameObject("/Contents")] = ArrayObject(parts)
    buf = io.BytesIO()
    writer.write(buf)
    out = impose(buf.getvalue())
    def corners(pdf):
        return [v for area in sorted(a[:4] for a in page_areas(pdf)[0]) for v in area]

    assert corners(out) == pytest.approx(corners(impose(src)), abs=0.01)
    assert print_and_fold(out, "short-edge")[0] == [1, None, None, 2]


def test_printable_form_fields_are_drawn():
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A5, invariant=1)
    for i in range(1, 4):
        if i == 1:
            c.acroForm.textfield(name="who", value="Filled Value", x=60, y=100, width=200, height=24)
        c.showPage()
    c.save()
    with pdfplumber.open(io.BytesIO(impose(buf.getvalue()))) as doc:
        words = doc.pages[0].extract_words()  # front: blank | page 1
    assert [w["text"] for w in words] == ["Filled", "Value"]
    field_x0 = A4_LANDSCAPE[0] / 2 + 0.25 * MM + 60  # the widget's /Rect, placed on the right half
    assert field_x0 < words[0]["x0"] and words[-1]["x1"] < field_x0 + 200


def test_creep_shifts_inner_sheets_toward_spine():
    n, creep = 16, 2.0
    plain = page_areas(impose(make_pdf(n, background=True)))
    crept = page_areas(impose(make_pdf(n, background=True), ImposeOptions(creep_mm=creep)))
    sheets = len(plain) // 2
    for i, (a, b) in enumerate(zip(plain, crept)):
        s = i // 2
        for (ax0, *_), (bx0, *_) in zip(sorted(a), sorted(b)):
            toward_spine = 1 if ax0 < A4_LANDSCAPE[0] / 2 else -1
            assert (bx0 - ax0) * toward_spine == pytest.approx(creep * MM * s / (sheets - 1), abs=0.01)


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_marks_stay_outside_pages(paper):
    out = impose(make_pdf(6, background=True), ImposeOptions(paper=paper, marks=True, creep_mm=1.0))
    areas = page_areas(out)
    with pdfplumber.open(io.BytesIO(out)) as doc:
        for i, page in enumerate(doc.pages):
            lines = page.lines
            if i % 2:  # backs stay clean: they are the inside of the booklet
                assert lines == []
                continue
            mid = float(page.width) / 2
            folds = [ln for ln in lines if abs(ln["x0"] - mid) < 0.01 and abs(ln["x1"] - mid) < 0.01]
            assert len(folds) == 2 and {round(ln["top"]) for ln in folds} | {round(ln["bottom"]) for ln in folds} >= {
                0, round(float(page.height))}
            crops = [ln for ln in lines if ln not in folds]
            assert (len(crops) > 0) == (paper == "letter")  # A5 fills the A4 height: no room for crop marks
            for ln in lines:
                assert ln["linewidth"] == pytest.approx(0.3)
                half = ln["linewidth"] / 2
                for x0, top, x1, bottom, _ in areas[i]:
                    x0 = max(x0, 0 if x0 < mid else mid + 0.25 * MM)  # what creep leaves visible
                    x1 = min(x1, mid - 0.25 * MM if x0 < mid else page.width)
                    overlap_x = ln["x0"] - half < x1 and ln["x1"] + half > x0
                    overlap_y = ln["top"] - half < bottom and ln["bottom"] + half > top
                    assert not (overlap_x and overlap_y), (ln, (x0, top, x1, bottom))


# --- size, resources, metadata, determinism ----------------------------------------------


def test_size_close_to_source_and_fonts_shared():
    src = make_pdf(40, lines=45)
    out = impose(src)
    assert len(out) <= 1.2 * len(src) + 8_000
    font_pattern = re.compile(rb"/Type\s*/Font\b")
    assert len(font_pattern.findall(out)) == len(font_pattern.findall(src)) == 3  # Helvetica, -Bold, Vera
    assert out.count(b"/FontFile2") == 1  # the embedded TTF exists once
    reader = PdfReader(io.BytesIO(out))
    xobjects = {}
    for page in reader.pages:
        for name, ref in page["/Resources"]["/XObject"].items():
            assert xobjects.setdefault(name, ref.idnum) == ref.idnum  # one XObject per source page
    assert len(xobjects) == 40


def test_deterministic_with_content_derived_id():
    src = make_pdf(5)
    a, b = impose(src), impose(src)
    assert a == b
    ids = {repr(PdfReader(io.BytesIO(x)).trailer["/ID"][0]) for x in (a, impose(src, ImposeOptions(marks=True)))}
    assert len(ids) == 2


def test_metadata_kept_and_subject_set():
    out = impose(make_pdf(3), ImposeOptions(subject="Beidseitig drucken, an der kurzen Kante wenden."))
    reader = PdfReader(io.BytesIO(out))
    meta = reader.metadata
    assert (meta.title, meta.author, meta.subject) == ("Handbuch", "Team", "Beidseitig drucken, an der kurzen Kante wenden.")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "de-DE"
    assert root["/ViewerPreferences"]["/Duplex"] == "/DuplexFlipShortEdge"
    assert root["/ViewerPreferences"]["/PrintScaling"] == "/None"
    # without a note of the caller's, the reading PDF's own subject stays (no English text of our own)
    source = PdfReader(io.BytesIO(make_pdf(3, lang=None))).metadata.subject
    default = PdfReader(io.BytesIO(impose(make_pdf(3, lang=None)))).metadata.subject
    assert source and default == source


@pytest.mark.parametrize(
    "kwargs,option",
    [({"paper": "A3"}, "paper"), ({"paper": 4}, "paper"), ({"duplex": "tumble"}, "duplex"),
     ({"creep_mm": -0.1}, "creep_mm"), ({"creep_mm": math.nan}, "creep_mm"), ({"creep_mm": math.inf}, "creep_mm"),
     ({"creep_mm": 25.0}, "creep_mm"), ({"creep_mm": "1"}, "creep_mm"), ({"marks": "yes"}, "marks"),
     ({"subject": "two\nlines"}, "subject")],
)
def test_bad_options_name_the_option(kwargs, option):
    with pytest.raises(ValueError, match=option):
        ImposeOptions(**kwargs)


def test_bad_input_pdf():
    with pytest.raises(ValueError, match="reading_pdf"):
        impose(b"this is not a pdf")
    assert impose(make_pdf(1), ImposeOptions(paper="Letter"))  # paper names are case-insensitive
