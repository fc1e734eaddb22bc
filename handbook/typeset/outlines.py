"""Drawing glyphs: CFF2 (variable) or glyf outlines of a face -> TrueType glyf data, and small static
TrueType fonts assembled from those glyphs. The fontTools-heavy half of :mod:`fonts`, imported only when
a glyph must be drawn: a warm build never loads it (fontTools' variation modules cost about 0.1 s)."""
from __future__ import annotations

import math, struct, sys
from array import array
from io import BytesIO
from typing import Sequence

from fontTools.cu2qu import curve_to_quadratic
from fontTools.fontBuilder import FontBuilder
from fontTools.misc.psCharStrings import T2CharString, T2OutlineExtractor
from fontTools.misc.timeTools import timestampFromString
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.recordingPen import DecomposingRecordingPen, RecordingPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.tables._g_l_y_f import Glyph
from fontTools.varLib.models import supportScalar
from fontTools.varLib.varStore import VarStoreInstancer

from ..parallel import in_parallel
from . import charstrings
from .faces import FaceLocation, FontError, open_face

FIXED_TIME = timestampFromString("Wed Jan  1 00:00:00 2020")  # head.created/modified
MAX_ERR = 1.0  # cu2qu tolerance, font units
PARALLEL_MIN = 200  # glyphs to draw before a second process pays for itself


# --- reading a face ------------------------------------------------------------------------

def weight_locations(font: TTFont, weights: Sequence[int], family: str) -> list:
    """Normalized locations (None for a static face); FontError for a weight the face lacks."""
    axis = next((a for a in font["fvar"].axes if a.axisTag == "wght"), None) if "fvar" in font else None
    if axis is None:
        own = font["OS/2"].usWeightClass
        if any(w != own for w in weights):
            raise FontError(f"{family} is a static face of weight {own}; asked for {list(weights)}")
        return [None] * len(weights)
    if any(not axis.minValue <= w <= axis.maxValue for w in weights):
        raise FontError(f"{family}: weights {list(weights)} outside {axis.minValue:g}..{axis.maxValue:g}")
    return [font.normalizeLocation({"wght": w}) for w in weights]


def advances(font: TTFont, gids: list[int], locations: list) -> list[list[int]]:
    """Advances per location: hmtx default + HVAR delta, read raw (fontTools decodes all 65k rows)."""
    n = font["hhea"].numberOfHMetrics
    hmtx = array("H", font.reader["hmtx"][: 4 * n])
    if sys.byteorder == "little":
        hmtx.byteswap()
    base = [hmtx[2 * min(g, n - 1)] for g in gids]
    if "HVAR" not in font or locations[0] is None:
        return [base] * len(locations)
    data, tags = font.reader["HVAR"], [a.axisTag for a in font["fvar"].axes]
    store, width_map = struct.unpack_from(">II", data, 4)
    regions_at, n_data = struct.unpack_from(">IH", data, store + 2)
    data_at = struct.unpack_from(f">{n_data}I", data, store + 8)
    n_axes, n_regions = struct.unpack_from(">HH", data, store + regions_at)
    c = [v / 16384 for v in struct.unpack_from(f">{3 * n_axes * n_regions}h", data, store + regions_at + 4)]
    regions = [{tags[a]: tuple(c[3 * (r * n_axes + a):][:3]) for a in range(n_axes)} for r in range(n_regions)]
    scalars = [[supportScalar(loc, region) for region in regions] for loc in locations]
    out = [[] for _ in locations]
    for gid, default in zip(gids, base):
        outer, inner, deltas, indices = 0, gid, (), ()
        if width_map:  # DeltaSetIndexMap
            fmt, entry = data[width_map], data[width_map + 1]
            count = struct.unpack_from(">I" if fmt else ">H", data, width_map + 2)[0]
            size, pos, bits = (entry >> 4 & 3) + 1, width_map + (6 if fmt else 4), (entry & 15) + 1
            value = int.from_bytes(data[pos + size * min(gid, count - 1):][:size], "big")
            outer, inner = value >> bits, value & ((1 << bits) - 1)
        if outer < n_data:  # ItemVariationData row
            at = store + data_at[outer]
            words, n = struct.unpack_from(">HH", data, at + 2)
            indices, wide, long_ = struct.unpack_from(f">{n}H", data, at + 6), words & 0x7FFF, words >> 15
            fmt = ">" + "hi"[long_] * wide + "bh"[long_] * (n - wide)
            deltas = struct.unpack_from(fmt, data, at + 6 + 2 * n + inner * struct.calcsize(fmt))
        for column, s in zip(out, scalars):
            column.append(default + math.floor(sum(d * s[r] for d, r in zip(deltas, indices)) + 0.5))
    return out


# --- drawing -------------------------------------------------------------------------------

class _NonLinear(Exception):
    """The charstring branches on a blended value, so it must run once per weight."""


class _Extractor(T2OutlineExtractor):
    def op_flex1(self, index):  # the only drawing operator that compares its operands
        if any(isinstance(v, complex) for v in self.operandStack):
            raise _NonLinear
        return super().op_flex1(index)


def _outline(charstring, blender) -> list:
    """Contours as [start, (pt,) | (c1, c2, pt), ...]; coordinates are complex with a complex blender."""
    private, pen = charstring.private, RecordingPen()
    _Extractor(pen, getattr(private, "Subrs", []), charstring.globalSubrs, private.nominalWidthX,
               private.defaultWidthX, private, blender).execute(charstring)
    contours = []
    for op, args in pen.value:
        if op == "moveTo":
            contours.append([args[0]])
        elif op in ("lineTo", "curveTo"):
            contours[-1].append(args)
    return contours


def tt_glyph(contours: list, s: float) -> bytes:
    """glyf data of an outline at region scalar s (value = re + s * im); quadratic, clockwise."""
    coords, on, ends = [], [], []
    for contour in contours:
        prev = (contour[0][0].real + s * contour[0][0].imag, contour[0][1].real + s * contour[0][1].imag)
        pts, flags = [prev], [1]
        for seg in contour[1:]:
            seg = [(x.real + s * x.imag, y.real + s * y.imag) for x, y in seg]
            if len(seg) > 1:
                quad = curve_to_quadratic([prev, *seg], MAX_ERR)
                pts += quad[1:-1]
                flags += [0] * (len(quad) - 2)
            pts.append(seg[-1])
            flags.append(1)
            prev = seg[-1]
        pts = [(math.floor(x + 0.5), math.floor(y + 0.5)) for x, y in pts]
        if len(pts) > 1 and pts[0] == pts[-1]:
            del pts[-1], flags[-1]
        if len(pts) > 1:  # reversed, start kept: CFF runs counter-clockwise, TrueType clockwise
            coords += pts[:1] + pts[:0:-1]
            on += flags[:1] + flags[:0:-1]
            ends.append(len(coords) - 1)
    if not ends:
        return b""
    flags, xs, ys, px, py, last, repeat = bytearray(), bytearray(), bytearray(), 0, 0, -1, 0
    for (x, y), flag in zip(coords, on):  # the glyf encoding: short deltas, repeated flags
        dx, dy, px, py = x - px, y - py, x, y
        if dx == 0:
            flag |= 0x10
        elif -256 < dx < 256:
            flag |= 0x12 if dx > 0 else 0x02
            xs.append(abs(dx))
        else:
            xs += dx.to_bytes(2, "big", signed=True)
        if dy == 0:
            flag |= 0x20
        elif -256 < dy < 256:
            flag |= 0x24 if dy > 0 else 0x04
            ys.append(abs(dy))
        else:
            ys += dy.to_bytes(2, "big", signed=True)
        if flag == last and repeat < 255:
            repeat += 1
            if repeat == 1:
                flags.append(flag)
            else:
                flags[-2:] = bytes((flag | 0x08, repeat))
        else:
            flags.append(flag)
            last, repeat = flag, 0
    x_all, y_all = [p[0] for p in coords], [p[1] for p in coords]
    head = struct.pack(f">5h{len(ends)}HH", len(ends), min(x_all), min(y_all), max(x_all), max(y_all), *ends, 0)
    return head + flags + xs + ys


def _cff2(font: TTFont) -> tuple:
    """(CFFFontSet, raw bytes) of the CFF2 table, read once: it is 29 MB, shared by the 5 faces."""
    data, table = font.reader["CFF2"], newTable("CFF2")
    table.decompile(data, font)
    return table.cff, data


def _single_region(font: TTFont, cff, locations: list) -> list | None:
    """Per location, the scalar of the CFF2 store's only region; None if the face is not that simple."""
    store = cff.topDictIndex[0].VarStore.otVarStore
    used = {r for data in store.VarData for r in data.VarRegionIndex}
    if len(used) != 1:
        return None
    region = store.VarRegionList.Region[used.pop()].VarRegionAxis
    support = {a.axisTag: (r.StartCoord, r.PeakCoord, r.EndCoord) for a, r in zip(font["fvar"].axes, region)}
    return [supportScalar(loc, support) for loc in locations]


def _charstrings(cff, data: bytes):
    """gid -> (charstring bytes, Private DICT), found in the raw INDEX: fontTools would first read all
    65k offsets."""
    top = cff.topDictIndex[0]
    at = top.rawDict["CharStrings"]
    count, size = struct.unpack_from(">IB", data, at)
    base, fds = at + 4 + size * (count + 1), top.FDSelect if "FDSelect" in top.rawDict else None

    def get(gid: int) -> tuple[bytes, object]:
        start, end = (int.from_bytes(data[at + 5 + size * i:at + 5 + size * (i + 1)], "big") for i in (gid, gid + 1))
        return data[base + start:base + end], top.FDArray[fds[gid] if fds else 0].Private
    return get


class _RawIndex:
    """The items of a fontTools INDEX as the bytes in the table (fontTools may already have replaced
    its own items by decompiled programs)."""

    def __init__(self, index, data: bytes):
        self.offsets = getattr(index, "offsets", None) or [0]
        self.base = getattr(index, "offsetBase", 0)
        self.data = data

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> bytes:
        return self.data[self.base + self.offsets[i]:self.base + self.offsets[i + 1]]


def _linear_outline(code: bytes, private, data: bytes, locals_: dict) -> list:
    """Contours with complex coordinates by the fast reader (:mod:`charstrings`)."""
    key = id(private)
    if key not in locals_:
        locals_[key] = _RawIndex(getattr(private, "Subrs", None), data)
    return charstrings.outline(code, locals_[key], locals_["global"], private.getNumRegions,
                               getattr(private, "vsindex", 0))


def draw(font: TTFont, gids: list[int], locations: list) -> list[list[bytes]]:
    """glyf data per location and glyph id."""
    cff, data = _cff2(font) if "CFF2" in font and locations[0] is not None else (None, b"")
    scalars = _single_region(font, cff, locations) if cff else None
    if scalars is not None:
        store = cff.topDictIndex[0].VarStore.otVarStore
        blenders = [VarStoreInstancer(store, font["fvar"].axes, loc).interpolateFromDeltas for loc in locations]
        drawn, charstring, local_subrs = [], _charstrings(cff, data), {"global": _RawIndex(cff.GlobalSubrs, data)}
        for gid in gids:
            code, private = charstring(gid)
            try:
                contours = _linear_outline(code, private, data, local_subrs)
            except charstrings.Unsupported:  # fontTools' interpreter: still linear, or once per weight
                cs = T2CharString(code, private=private, globalSubrs=cff.GlobalSubrs)
                try:
                    contours = _outline(cs, lambda vsindex, deltas: complex(0, deltas[0]) if deltas else 0)
                except _NonLinear:
                    drawn.append([tt_glyph(_outline(cs, blend), 0) for blend in blenders])
                    continue
            drawn.append([tt_glyph(contours, s) for s in scalars])
        return [list(column) for column in zip(*drawn)] if drawn else [[] for _ in locations]
    out, cubic, order = [], "CFF " in font or "CFF2" in font, font.getGlyphOrder()
    for loc in locations:
        glyphset, column = font.getGlyphSet(location=loc, normalized=True), []
        for gid in gids:
            rec, pen = DecomposingRecordingPen(glyphset), TTGlyphPen(None)
            glyphset[order[gid]].draw(rec)
            rec.replay(Cu2QuPen(pen, MAX_ERR, reverse_direction=cubic))
            column.append(pen.glyph().compile(None))
        out.append(column)
    return out


def face_meta(font: TTFont) -> dict:
    """Face-wide values the output copies; kept in each glyph store so edits need not read them."""
    os2, name = font["OS/2"], font["name"]
    keep = ("fsType", "sTypoAscender", "sTypoDescender", "sTypoLineGap", "usWinAscent", "usWinDescent",
            "sxHeight", "sCapHeight", "achVendID", "ulCodePageRange1", "ulCodePageRange2")
    return {"upm": font["head"].unitsPerEm, "os2": {k: getattr(os2, k) for k in keep if hasattr(os2, k)},
            "hhea": {k: getattr(font["hhea"], k) for k in ("ascent", "descent", "lineGap")},
            "post": {k: getattr(font["post"], k) for k in ("underlinePosition", "underlineThickness")},
            "names": {k: name.getDebugName(i) for k, i in (("copyright", 0), ("licenseDescription", 13),
                                                            ("licenseInfoURL", 14)) if name.getDebugName(i)}}


def draw_face(location: FaceLocation, gids: list[int], weights: list[int]) -> tuple:
    """(meta, advances per weight, glyf data per weight): the part worth a second process."""
    with open_face(location) as font:
        locations = weight_locations(font, weights, location.family)
        return face_meta(font), advances(font, gids, locations), draw(font, gids, locations)


def _interleave(a: list, b: list) -> list:
    out = [None] * (len(a) + len(b))
    out[0::2], out[1::2] = a, b
    return out


def draw_all(jobs: list[tuple]) -> list[tuple]:
    """draw_face for each (face, gids, weights) job; with >= PARALLEL_MIN glyphs, in two processes
    (parallel.in_parallel, so never inside an edition's own worker): the faces shared out between
    them, or alternate glyphs of a single face."""
    halves = 2 if len(jobs) == 1 else 1
    tasks = [(loc, gids[k::halves], ws) for loc, gids, ws in jobs for k in range(halves)]
    if len(tasks) < 2 or sum(len(gids) for _, gids, _ in jobs) < PARALLEL_MIN:
        return [draw_face(*job) for job in jobs]
    from fontTools.cffLib import CFFFontSet  # noqa: F401 -- imported once, before forking
    shares = in_parallel(lambda share: [draw_face(*task) for task in share], [tasks[0::2], tasks[1::2]])
    parts = _interleave(*shares)
    if halves == 1:
        return parts
    (meta, adv_a, glyphs_a), (_, adv_b, glyphs_b) = parts
    return [(meta, [_interleave(a, b) for a, b in zip(adv_a, adv_b)],
             [_interleave(a, b) for a, b in zip(glyphs_a, glyphs_b)])]


# --- assembling and caching ----------------------------------------------------------------

def _header(data: bytes) -> tuple:
    """(contours, xMin, yMin, xMax, yMax, points) of a simple glyph's glyf data."""
    contours, *box = struct.unpack_from(">5h", data)
    return (contours, *box, struct.unpack_from(">H", data, 8 + 2 * contours)[0] + 1)


def assemble(meta: dict, records: list[tuple[int, int, bytes]], weight: int, psname: str) -> bytes:
    """A glyf font from (code point, or -1 for .notdef; advance; glyf data) records. Bounds,
    maxp and hhea extremes come from the glyph headers, so glyphs are never decompiled."""
    names = [".notdef"] + [f"uni{cp:04X}" if cp <= 0xFFFF else f"u{cp:05X}" for cp, _, _ in records[1:]]
    fb = FontBuilder(meta["upm"], isTTF=True)
    font = fb.font
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({cp: n for (cp, _, _), n in zip(records[1:], names[1:])})
    font["cmap"].tables = [t for t in font["cmap"].tables if t.platformID == 3]  # (0, x) repeat them
    font["loca"], font["glyf"] = newTable("loca"), newTable("glyf")
    font["glyf"].glyphOrder, font["glyf"].glyphs = names, {n: Glyph(r[2]) for n, r in zip(names, records)}
    heads = [_header(d) + (adv,) for _, adv, d in records if d]
    fb.setupHorizontalMetrics({n: (adv, struct.unpack(">h", d[2:4])[0] if d else 0)
                               for n, (_, adv, d) in zip(names, records)})
    extreme = lambda f, i: f((h[i] for h in heads), default=0)
    fb.setupHorizontalHeader(**meta["hhea"], advanceWidthMax=max(r[1] for r in records),
                             minLeftSideBearing=extreme(min, 1), xMaxExtent=extreme(max, 3),
                             minRightSideBearing=min((h[6] - h[3] for h in heads), default=0))
    fb.updateHead(created=FIXED_TIME, modified=FIXED_TIME, xMin=extreme(min, 1), yMin=extreme(min, 2),
                  xMax=extreme(max, 3), yMax=extreme(max, 4))
    fb.setupMaxp()
    font["maxp"].maxContours, font["maxp"].maxPoints = extreme(max, 0), extreme(max, 5)
    fb.setupNameTable({**meta["names"], "familyName": psname, "styleName": "Regular", "fullName": psname,
                       "uniqueFontIdentifier": psname, "psName": psname}, mac=False)
    fb.setupOS2(**meta["os2"], usWeightClass=weight, fsSelection=0x40)
    for recalc in ("recalcAvgCharWidth", "recalcUnicodeRanges", "updateFirstAndLastCharIndex"):
        getattr(font["OS/2"], recalc)(font)
    fb.setupPost(keepGlyphNames=False, **meta["post"])
    font.recalcTimestamp = font.recalcBBoxes = False
    out = BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()
