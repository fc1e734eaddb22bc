"""Fonts of every OpenType flavour, made with fontTools from the pinned pip font (no system package needed).

The pinned Noto Sans CJK is a collection of variable CFF2 faces. From it, cut down to the characters a
test needs: the variable face itself; static CFF instances (``.otf``, and ``.ttc`` collections holding the
SC and TC faces of one weight, as Debian's fonts-noto-cjk ships them); TrueType instances (outlines
converted to quadratic ``glyf``; ``.ttf`` and ``.ttc``). Each face gets a family name of its own, so a
test knows the file it was set in came from here.
"""
from __future__ import annotations

from pathlib import Path

from fontTools import subset
from fontTools.cffLib.CFF2ToCFF import convertCFF2ToCFF
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable
from fontTools.varLib import instancer

from handbook.typeset import faces

WEIGHT_NAMES = {300: "Light", 400: "Regular", 500: "Medium", 700: "Bold", 900: "Black"}


def variable_face(region: str, chars: str) -> TTFont:
    """The pinned variable face of a region (SC, TC, HK), subset to ``chars``."""
    location, _ = faces.locate_face(f"Noto Sans CJK {region}", system=False)
    font = TTFont(location.path, fontNumber=location.index)
    options = subset.Options()
    options.layout_features, options.name_IDs, options.notdef_outline = [], ["*"], True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in chars} | {0x20})
    subsetter.subset(font)
    return font


def rename(font: TTFont, family: str, weight: int) -> TTFont:
    """Name a face as a static family's member is named (Noto style: nameID 1 carries the style for
    weights other than 400 and 700; nameID 16/17 the family and style)."""
    style = WEIGHT_NAMES.get(weight, f"W{weight}")
    name = font["name"]
    name.names = [n for n in name.names if n.nameID not in (1, 2, 3, 4, 6, 16, 17, 25)]
    legacy = family if weight in (400, 700) else f"{family} {style}"
    ps = f"{family.replace(' ', '')}-{style}"
    for number, value in ((1, legacy), (2, "Bold" if weight == 700 else "Regular"), (3, ps), (4, f"{family} {style}"),
                          (6, ps), (16, family), (17, style)):
        name.setName(value, number, 3, 1, 0x409)
    font["OS/2"].usWeightClass = weight
    return font


def static_cff(variable: TTFont, weight: int, family: str) -> TTFont:
    """A static CFF instance (what Source Han and Debian's Noto CJK are)."""
    font = instancer.instantiateVariableFont(_copy(variable), {"wght": weight}, optimize=False)
    convertCFF2ToCFF(font)  # a CID-keyed CFF whose charstrings are named cid00001 ..., as in Noto CJK
    font.recalcBBoxes = False  # the tables still name glyphs by the old order: re-read them by glyph id
    font = _copy(font)
    return rename(font, family, weight)


def truetype_of(static: TTFont, family: str) -> TTFont:
    """A TrueType copy of a static CFF face: outlines converted to quadratic glyf."""
    font = rename(_copy(static), family, static["OS/2"].usWeightClass)
    order, glyphset = font.getGlyphOrder(), font.getGlyphSet()
    glyf, glyphs = newTable("glyf"), {}
    for name in order:
        pen = TTGlyphPen(None)
        glyphset[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    glyf.glyphOrder, glyf.glyphs = order, glyphs
    del font["CFF "]
    font["loca"], font["glyf"] = newTable("loca"), glyf
    font["maxp"].tableVersion = 0x00010000
    for key in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                "maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth"):
        setattr(font["maxp"], key, 1 if key == "maxZones" else 0)
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"
    for table in ("VORG",):
        if table in font:
            del font[table]
    return font


def save(font: TTFont, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(path))
    return path


def save_collection(members: list[TTFont], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    collection = TTCollection()
    collection.fonts = members
    collection.save(str(path), shareTables=True)
    return path


def _copy(font: TTFont) -> TTFont:
    from io import BytesIO

    buffer = BytesIO()
    font.save(buffer)
    buffer.seek(0)
    return TTFont(buffer)


def book_characters(root: Path) -> str:
    """Every character the default book can draw: content, templates, UI strings, dates, money, ASCII."""
    patterns = ("content/**/*.md", "content/*.toml", "templates/**/*.po", "templates/**/*.j2")
    text = "".join(p.read_text(encoding="utf-8") for pattern in patterns for p in root.glob(pattern))
    return text + "".join(map(chr, range(0x20, 0x7F))) + "✓年月日¥￥•"


def make_all(root: Path, text: str) -> dict[str, Path]:
    """Font folders, one per flavour, each holding a family named after its flavour (see FLAVOURS in
    tests/test_font_flavours.py)."""
    sc = variable_face("SC", text)  # the SC face has every character of both scripts (in SC shapes)
    cff = {w: static_cff(sc, w, "Flavour CFF SC") for w in (400, 500, 700)}
    folders = {name: root / name for name in ("variable", "cff-otf", "cff-ttc", "tt-ttf", "tt-ttc")}
    save(rename(_copy(sc), "Flavour VF SC", 400), folders["variable"] / "FlavourVF.otf")
    for weight, font in cff.items():  # 500 is a decoy: body text must take 400, not its heavier neighbour
        save(font, folders["cff-otf"] / f"FlavourCFFSC-{WEIGHT_NAMES[weight]}.otf")
    for weight in (400, 700):  # as Debian ships Noto CJK: one collection per weight, one face per region
        save_collection([rename(_copy(cff[weight]), "Flavour Coll SC", weight),
                         rename(_copy(cff[weight]), "Flavour Coll TC", weight)],
                        folders["cff-ttc"] / f"FlavourColl-{WEIGHT_NAMES[weight]}.ttc")
    truetype = {w: truetype_of(cff[w], "Flavour TT SC") for w in (400, 700)}
    for weight, font in truetype.items():
        save(font, folders["tt-ttf"] / f"FlavourTT-{WEIGHT_NAMES[weight]}.ttf")
    save_collection([rename(_copy(truetype[w]), "Flavour TTC SC", w) for w in (700, 400)],
                    folders["tt-ttc"] / "FlavourTTC.ttc")  # both weights in one file, bold first
    return folders


def sources(folders: dict[str, Path]) -> dict[str, dict[int, TTFont]]:
    """The SC outlines by weight, cubic (400, 500, 700; every CFF flavour was made from them) and
    quadratic (400, 700; the TrueType flavours)."""
    return {"cff": {w: TTFont(folders["cff-otf"] / f"FlavourCFFSC-{WEIGHT_NAMES[w]}.otf") for w in (400, 500, 700)},
            "tt": {w: TTFont(folders["tt-ttf"] / f"FlavourTT-{WEIGHT_NAMES[w]}.ttf") for w in (400, 700)}}
