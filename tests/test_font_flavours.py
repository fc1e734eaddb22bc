"""Every OpenType flavour sets the handbook and the worksheet, with the right weights; a system copy of the
pinned family changes nothing in the default book.

The fonts are made by tests/flavours.py from the pinned pip font (subset to the book's characters), put in
a book's fonts/ folder or on the system's search path (XDG_DATA_DIRS), and built through the real command.
"""
from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from fontTools.pens.boundsPen import BoundsPen, ControlBoundsPen
from fontTools.ttLib import TTFont

import flavours
from conftest import ROOT, run_build
from test_worksheet import RENDERERS, changed, crop, ink, typed, widgets

BODY_PAGE = 8  # a chapter page with body text and a heading (page 9 of the book)
TYPED = ("张小梅还款", "李大伟协商", "張小梅還款", "李大偉協商")  # typed into a form field in the tests


@pytest.fixture(scope="session")
def made(tmp_path_factory) -> dict[str, Path]:
    return flavours.make_all(tmp_path_factory.mktemp("flavours"), book_characters())


@pytest.fixture(scope="session")
def sources(made) -> dict[str, dict[int, TTFont]]:
    return flavours.sources(made)


def book_characters() -> str:
    return flavours.book_characters(ROOT) + "".join(TYPED)


# flavour -> (font folder, family of zh-Hans, family of zh-Hant or None for a zh-Hans-only build)
FLAVOURS = {
    "variable CFF2 .otf": ("variable", "Flavour VF SC", None),
    "static CFF .otf": ("cff-otf", "Flavour CFF SC", None),
    "static CFF .ttc": ("cff-ttc", "Flavour Coll SC", "Flavour Coll TC"),
    "TrueType .ttf": ("tt-ttf", "Flavour TT SC", None),
    "TrueType .ttc": ("tt-ttc", "Flavour TTC SC", None),
}


def book_with_fonts(tmp_path: Path, folder: Path | None, sc: str, tc: str | None) -> Path:
    book = tmp_path / "book"
    shutil.copytree(ROOT / "content", book)
    if folder:
        shutil.copytree(folder, book / "fonts")
    with open(book / "book.toml", "a", encoding="utf-8") as toml:
        for name, family in (("SC", sc), ("TC", tc)):
            if family:
                toml.write(f'\n[fonts.{name}]\nfamily = "{family}"\nregular = 400\nbold = 700\n')
    return book


def bounds(font: TTFont, chars) -> dict[str, tuple]:
    """Glyph bounds of ``chars`` in a source face, rounded as the glyf table rounds them."""
    cmap, glyphs, out = font.getBestCmap(), font.getGlyphSet(), {}
    for char in chars:  # a glyf bbox holds the off-curve points too: control bounds of quadratic outlines
        pen = (ControlBoundsPen if "glyf" in font else BoundsPen)(glyphs)
        glyphs[cmap[ord(char)]].draw(pen)
        out[char] = tuple(round(v) for v in pen.bounds)
    return out


def embedded_boxes(pdf: Path, pages: slice = slice(None)) -> dict[str, dict[str, tuple]]:
    """Base font name (without the subset tag) -> {character: glyph bounds} of every font embedded in
    the pages (each font program read once)."""
    out: dict[str, dict[str, tuple]] = {}
    seen = set()
    for page in pypdf.PdfReader(pdf).pages[pages]:
        for ref in (page.get("/Resources", {}).get("/Font") or {}).values():
            if ref.idnum in seen:
                continue
            seen.add(ref.idnum)
            font = ref.get_object()
            name = str(font["/BaseFont"]).split("+", 1)[-1]
            program = TTFont(io.BytesIO(font["/FontDescriptor"].get_object()["/FontFile2"].get_object().get_data()))
            codes = program["cmap"].tables[0].cmap
            unicode = re.findall(r"<([0-9A-F]{2})> <([0-9A-F]{4})>", font["/ToUnicode"].get_object().get_data().decode())
            for code, cp in unicode:
                glyph = program["glyf"][codes[int(code, 16)]] if int(code, 16) in codes else None
                out.setdefault(name, {})
                if glyph is not None and hasattr(glyph, "xMin"):  # blank glyphs have no bounds
                    out[name][chr(int(cp, 16))] = (glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax)
    return out


def fonts_of(pdf: Path, page: int, size: float) -> set[str]:
    """Fonts of the Han characters set at ``size`` on a page (body text 10.5, headings larger)."""
    with pdfplumber.open(pdf) as doc:
        return {c["fontname"].split("+", 1)[-1] for c in doc.pages[page].chars
                if abs(c["size"] - size) < 0.2 and "\u4e00" <= c["text"] <= "\u9fff"}


def weight_drawn(pdf: Path, font_name: str, sources: dict[int, TTFont], page: int = BODY_PAGE) -> int:
    """Which source weight's outlines an embedded font carries (each Han glyph compared to every weight)."""
    boxes = {c: b for c, b in embedded_boxes(pdf, slice(page, page + 1))[font_name].items() if "\u4e00" <= c <= "\u9fff"}
    assert len(boxes) > 20
    matches = {}
    for weight, source in sources.items():
        expected = bounds(source, boxes)
        matches[weight] = sum(all(abs(a - b) <= 2 for a, b in zip(box, expected[c])) for c, box in boxes.items())
    best = max(matches, key=matches.get)
    assert matches[best] == len(boxes) and sorted(matches.values())[-2] < len(boxes) / 2, matches
    return best


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_every_flavour_sets_handbook_and_worksheet_with_the_right_weights(made, sources, tmp_path, flavour):
    folder, sc, tc = FLAVOURS[flavour]
    book = book_with_fonts(tmp_path, made[folder], sc, tc)
    out = tmp_path / "out"
    result = run_build("--content", str(book), "--output", str(out), "--strict", "--only", "handbook", "--only", "worksheet",
                       *(() if tc else ("--variant", "zh-Hans")))
    assert result.returncode == 0, result.stderr
    stem = sc.replace(" ", "")
    handbook = out / "zh-Hans" / "handbook.pdf"
    assert all(name.split("+", 1)[-1].startswith(stem) for name in embedded_boxes(handbook))
    body, = fonts_of(handbook, BODY_PAGE, 10.5)
    headings = fonts_of(handbook, BODY_PAGE, 12.5) | fonts_of(handbook, BODY_PAGE, 17)
    assert headings, "no heading on the page"
    outlines = sources["tt" if "TrueType" in flavour else "cff"]
    assert weight_drawn(handbook, body, outlines) == 400
    assert {weight_drawn(handbook, name, outlines) for name in headings} == {700}
    for edition, value in (("zh-Hans", TYPED[:2]),) + ((("zh-Hant", TYPED[2:]),) if tc else ()):
        shows_typed_chinese(out / edition / "worksheet.pdf", tmp_path, value)


def _faces_in(path: Path) -> int:
    with open(path, "rb") as fh:
        head = fh.read(12)
    return int.from_bytes(head[8:12], "big") if head[:4] == b"ttcf" else 1


def shows_typed_chinese(form: Path, tmp_path: Path, values: tuple[str, str]) -> None:
    """The form font serves typing: two different Chinese values look different in PDFium and poppler."""
    rect = widgets(form)["holder_name"]["rect"]
    for renderer in ("pdfium", "poppler") if shutil.which("pdftoppm") else ("pdfium",):
        shots = []
        for number, value in enumerate(values):
            target = tmp_path / f"typed-{renderer}-{number}.pdf"
            typed(form, target, {"holder_name": value}, viewer_draws=False)
            shots.append(crop(RENDERERS[renderer](target, 0), rect))
        assert ink(shots[0]) > 150 and changed(*shots) > 100, (form, renderer)


def test_a_latin_book_uses_the_latin_faces(tmp_path):
    out = tmp_path / "out"
    result = run_build("--content", str(ROOT / "examples" / "english"), "--output", str(out), "--only", "handbook")
    assert result.returncode == 0, result.stderr
    names = {n.split("+", 1)[-1].rsplit("-", 1)[0] for n in embedded_boxes(next(out.rglob("handbook.pdf")))}
    assert names == {"BitstreamVeraSans-W400", "BitstreamVeraSans-W700"}


def test_a_system_copy_of_the_pinned_family_changes_no_byte(made, built, tmp_path):
    """Debian's fonts-noto-cjk on the machine (here: a static CFF copy named Noto Sans CJK SC/TC on the
    XDG search path, as the system would have it) does not change the default book."""
    system = tmp_path / "share"
    for path in made["cff-ttc"].iterdir():
        fonts = [TTFont(path, fontNumber=i) for i in range(2)]
        for font, region in zip(fonts, ("SC", "TC")):
            flavours.rename(font, f"Noto Sans CJK {region}", font["OS/2"].usWeightClass)
        flavours.save_collection(fonts, system / "fonts" / "noto" / path.name.replace("FlavourColl", "NotoSansCJK"))
    env = {"XDG_DATA_DIRS": str(system), "XDG_DATA_HOME": str(tmp_path / "home"), "HOME": str(tmp_path / "home")}
    out = tmp_path / "out"
    result = run_build("--output", str(out), "--strict", "--force", env_extra=env)
    assert result.returncode == 0, result.stderr
    outputs = sorted(p.relative_to(built) for p in built.rglob("*.pdf"))
    assert len(outputs) >= 6 and len(outputs) % 3 == 0  # three outputs per edition
    for path in outputs:
        assert (out / path).read_bytes() == (built / path).read_bytes(), path
    # and the copy really is where a family that may come from the system is found:
    book = book_with_fonts(tmp_path, None, "Noto Sans CJK SC", None)
    result = run_build("--content", str(book), "--output", str(tmp_path / "sys"), "--variant", "zh-Hans",
                       "--only", "handbook", env_extra=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "sys" / "zh-Hans" / "handbook.pdf").read_bytes() != (built / "zh-Hans" / "handbook.pdf").read_bytes()
