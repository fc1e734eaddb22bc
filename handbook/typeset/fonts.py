"""CJK faces for ReportLab: small static TrueType fonts drawn from (variable) OpenType faces.

Why: ReportLab embeds glyf fonts only, and the CJK font a clean ``pip install`` brings
(``manimgx_fonts_cjk/NotoSansCJK-VF.otf.ttc``) is a collection of CFF2 variable faces.

Design, chosen by measurement (bench/bench_fonts.py; 2 shared cores; 1,200 characters):
- No fontTools.subset. Subsetting one 65k-glyph face to the text took 1.6 s (+1.4 s to save),
  before drawing anything; to a broad GB2312+Big5 intermediate (16.7k characters) 22 s (+24 s
  to save), and reading that back still cost 0.17 s a face. Instead the face is read lazily and
  only the needed charstrings run: cmap cached on disk, glyph names generated, hmtx, HVAR rows
  and the CharStrings INDEX read raw (fontTools would decode all 65k entries of each).
- Noto CJK VF has one variation region (wght 100..900), so outlines are linear in its scalar:
  each charstring runs ONCE with complex numbers (real: default, imaginary: delta) and is
  evaluated at every weight, with our own glyf encoder. Other fonts: fontTools pens per weight.
- Drawn glyphs are kept per (face, weight) in a glyph store: an edit that adds a character draws
  only that glyph, and fonts are re-assembled from compiled glyphs (bounds from their headers).
- Finished fonts are cached under a content-addressed key: a hit is one hash and one file read.
- Two forked processes (per face, or alternate glyphs of one face) for >= 200 glyphs to draw.
Medians of 7 fresh processes: cold 4 fonts (SC+TC x 400+700) 1.76 s (one process 3.05 s);
cold 1 face x 2 weights 0.84 s (1.03 s); edit one character, 4 fonts 0.16 s; warm 4 fonts 2 ms;
warm coverage 14 ms. Fonts are about 315 KiB each.
"""
from __future__ import annotations

import hashlib, importlib.util, json, marshal, math, multiprocessing, os, struct, sys, tempfile, threading
from array import array
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Iterable, Sequence

import fontTools
from fontTools.cu2qu import curve_to_quadratic
from fontTools.fontBuilder import FontBuilder
from fontTools.misc.psCharStrings import T2CharString, T2OutlineExtractor
from fontTools.misc.timeTools import timestampFromString
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.recordingPen import DecomposingRecordingPen, RecordingPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable
from fontTools.ttLib.tables._g_l_y_f import Glyph
from fontTools.varLib.models import supportScalar
from fontTools.varLib.varStore import VarStoreInstancer

CODE_VERSION = "fonts-1"  # bump whenever the bytes produced for the same input change
FIXED_TIME = timestampFromString("Wed Jan  1 00:00:00 2020")  # head.created/modified
MAX_ERR = 1.0  # cu2qu tolerance, font units
PARALLEL_MIN = 200  # glyphs to draw before a second process pays for itself
KEEP_FONTS = 8  # finished fonts kept per face and weight (older texts are rebuilt from glyph stores)
SYSTEM_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts")
FONT_EXTS = (".ttf", ".otf", ".ttc", ".otc")


class FontError(Exception):
    """A face cannot be found or cannot give what was asked; the message says which and why."""


@dataclass(frozen=True)
class FaceLocation:
    path: Path
    index: int
    family: str


def default_cache_dir() -> Path:
    """$HANDBOOK_CACHE_DIR/fonts, else ~/.cache/handbook/fonts (XDG)."""
    base = os.environ.get("HANDBOOK_CACHE_DIR") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "handbook"
    return Path(base) / "fonts"


def _key(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _identity(path: Path) -> tuple:
    st = os.stat(path)
    return (str(path), st.st_size, st.st_mtime_ns)


def _write_atomic(path: Path, data: bytes) -> None:
    """Temp file + os.replace: a racing process reads the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


# --- finding faces -------------------------------------------------------------------------

def _font_files(dirs: Iterable[Path]) -> Iterable[Path]:
    for top in dirs:
        for root, subdirs, names in os.walk(top):
            subdirs.sort()
            yield from (Path(root, n) for n in sorted(names) if n.lower().endswith(FONT_EXTS))


def _families(path: Path) -> list:
    """[[index, family (nameID 16, else 1), nameID 1, weight class, variable?], ...] of the upright faces
    of a font file (italics are never chosen for running text); [] if unreadable."""
    try:
        with open(path, "rb") as fh:
            collection = fh.read(4) == b"ttcf"
        with (TTCollection(path, lazy=True) if collection else TTFont(path, lazy=True)) as f:
            names = [(face["name"].getDebugName(16), face["name"].getDebugName(1),
                      face["OS/2"].usWeightClass if "OS/2" in face else 400, "fvar" in face)
                     if not face["head"].macStyle & 2 else (None, None, 0, False)
                     for face in (f.fonts if collection else [f])]
    except Exception:  # a broken file in a font folder must not stop the search
        return []
    return [[i, typo or legacy, legacy or typo, weight, variable]
            for i, (typo, legacy, weight, variable) in enumerate(names) if typo or legacy]


def locate_face(family: str, search_dirs: Sequence[Path] = (), *, cache_dir: Path | None = None,
                weight: int | None = None) -> FaceLocation:
    """The first face whose family matches, looking in search_dirs, system folders, then the faces that
    pip packages carry (Noto Sans CJK; ReportLab's Bitstream Vera for Latin text). With ``weight``, a
    static face must have that weight class (a family's bold is often another file); a variable face
    serves every weight.

    Name tables are read once per (path, size, mtime_ns) and remembered in <cache_dir>/scan-v2.json."""
    packages = [Path(importlib.util.find_spec(name).origin).parent / sub
                for name, sub in (("manimgx_fonts_cjk", ""), ("reportlab", "fonts"))]
    dirs = [Path(d) for d in search_dirs] + [Path(d).expanduser() for d in SYSTEM_DIRS] + packages
    scan_file = Path(cache_dir or default_cache_dir()) / "scan-v2.json"
    try:
        known = json.loads(scan_file.read_text())
    except (OSError, ValueError):
        known = {}
    found, fresh, wanted, match = [], {}, family.casefold(), None
    for path in _font_files(d for d in dirs if d.is_dir()):
        ident = json.dumps(_identity(path))
        faces = known[ident] if ident in known else fresh.setdefault(ident, _families(path))
        found += [name for _, name, *_ in faces]
        match = next((FaceLocation(path, i, name) for i, name, legacy, weight_class, variable in faces
                      if wanted in (name.casefold(), legacy.casefold())
                      and (weight is None or variable or weight_class == weight)), None)
        if match:
            break
    if fresh:
        try:
            _write_atomic(scan_file, json.dumps({**known, **fresh}).encode())
        except OSError:
            pass  # an unwritable cache only costs the next scan
    if match is None:
        raise FontError(f"font family {family!r} not found in {', '.join(map(str, dirs))}; "
                        f"families found: {', '.join(sorted(set(found))) or 'none'}")
    return match


# --- reading a face ------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _glyph_names(count: int) -> list[str]:
    return [".notdef"] + [f"g{i}" for i in range(1, count)]


def _open(location: FaceLocation) -> TTFont:
    """A lazy TTFont with generated glyph names (naming 65k glyphs from the cmap costs 0.3 s)."""
    try:
        font = TTFont(location.path, fontNumber=location.index, lazy=True)
        font.setGlyphOrder(list(_glyph_names(font["maxp"].numGlyphs)))
    except Exception as exc:
        raise FontError(f"{location.family} ({location.path}, face {location.index}): {exc}") from exc
    return font


_CMAPS: dict[str, dict[int, int]] = {}


def _cmap(location: FaceLocation, cache_dir: Path) -> dict[int, int]:
    """Code point -> glyph id of the face's best cmap, kept on disk as flat uint32 pairs."""
    key = _key(_identity(location.path), location.index, CODE_VERSION)
    if key not in _CMAPS:
        path, flat = Path(cache_dir) / f"cmap-{key}.bin", array("I")
        try:
            flat.frombytes(path.read_bytes())
        except OSError:
            with _open(location) as font:
                best = font["cmap"].getBestCmap() or {}
                flat.extend(x for cp in sorted(best) for x in (cp, font.getGlyphID(best[cp])))
            _write_atomic(path, flat.tobytes())
        _CMAPS[key] = dict(zip(flat[0::2], flat[1::2]))
    return _CMAPS[key]


def face_coverage(location: FaceLocation, cache_dir: Path) -> frozenset[int]:
    """Code points in the face's best cmap (cached on disk)."""
    return frozenset(_cmap(location, cache_dir))


def _locations(font: TTFont, weights: Sequence[int], family: str) -> list:
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


def _advances(font: TTFont, gids: list[int], locations: list) -> list[list[int]]:
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


def _tt_glyph(contours: list, s: float) -> bytes:
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
    """gid -> CFF2 charstring, found in the raw INDEX: fontTools would first read all 65k offsets."""
    top = cff.topDictIndex[0]
    at = top.rawDict["CharStrings"]
    count, size = struct.unpack_from(">IB", data, at)
    base, fds = at + 4 + size * (count + 1), top.FDSelect if "FDSelect" in top.rawDict else None

    def get(gid: int) -> T2CharString:
        start, end = (int.from_bytes(data[at + 5 + size * i:at + 5 + size * (i + 1)], "big") for i in (gid, gid + 1))
        private = top.FDArray[fds[gid] if fds else 0].Private
        return T2CharString(data[base + start:base + end], private=private, globalSubrs=cff.GlobalSubrs)
    return get


def _draw(font: TTFont, gids: list[int], locations: list) -> list[list[bytes]]:
    """glyf data per location and glyph id."""
    cff, data = _cff2(font) if "CFF2" in font and locations[0] is not None else (None, b"")
    scalars = _single_region(font, cff, locations) if cff else None
    if scalars is not None:
        store = cff.topDictIndex[0].VarStore.otVarStore
        blenders = [VarStoreInstancer(store, font["fvar"].axes, loc).interpolateFromDeltas for loc in locations]
        drawn, charstring = [], _charstrings(cff, data)
        for gid in gids:
            cs = charstring(gid)
            try:
                contours = _outline(cs, lambda vsindex, deltas: complex(0, deltas[0]) if deltas else 0)
                drawn.append([_tt_glyph(contours, s) for s in scalars])
            except _NonLinear:
                drawn.append([_tt_glyph(_outline(cs, blend), 0) for blend in blenders])
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


def _meta(font: TTFont) -> dict:
    """Face-wide values the output copies; kept in each glyph store so edits need not read them."""
    os2, name = font["OS/2"], font["name"]
    keep = ("fsType", "sTypoAscender", "sTypoDescender", "sTypoLineGap", "usWinAscent", "usWinDescent",
            "sxHeight", "sCapHeight", "achVendID", "ulCodePageRange1", "ulCodePageRange2")
    return {"upm": font["head"].unitsPerEm, "os2": {k: getattr(os2, k) for k in keep if hasattr(os2, k)},
            "hhea": {k: getattr(font["hhea"], k) for k in ("ascent", "descent", "lineGap")},
            "post": {k: getattr(font["post"], k) for k in ("underlinePosition", "underlineThickness")},
            "names": {k: name.getDebugName(i) for k, i in (("copyright", 0), ("licenseDescription", 13),
                                                            ("licenseInfoURL", 14)) if name.getDebugName(i)}}


def _draw_face(location: FaceLocation, gids: list[int], weights: list[int]) -> tuple:
    """(meta, advances per weight, glyf data per weight): the part worth a second process."""
    with _open(location) as font:
        locations = _locations(font, weights, location.family)
        return _meta(font), _advances(font, gids, locations), _draw(font, gids, locations)


def _interleave(a: list, b: list) -> list:
    out = [None] * (len(a) + len(b))
    out[0::2], out[1::2] = a, b
    return out


def _draw_all(jobs: list[tuple]) -> list[tuple]:
    """_draw_face for each (face, gids, weights) job; with >= PARALLEL_MIN glyphs, in two forked
    processes: one per face, or alternate glyphs of a single face."""
    halves = 2 if len(jobs) == 1 else 1
    tasks = [(i, loc, gids[k::halves], ws) for i, (loc, gids, ws) in enumerate(jobs) for k in range(halves)]
    if len(tasks) < 2 or sum(len(gids) for _, gids, _ in jobs) < PARALLEL_MIN or threading.active_count() > 1 \
            or "fork" not in multiprocessing.get_all_start_methods():  # forking beside threads can deadlock
        return [_draw_face(*job) for job in jobs]
    from fontTools.cffLib import CFFFontSet  # noqa: F401 -- imported once, before forking
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        parts = list(pool.map(_draw_face, *list(zip(*tasks))[1:]))
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


def _assemble(meta: dict, records: list[tuple[int, int, bytes]], weight: int, psname: str) -> bytes:
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


def _store_path(cache_dir: Path, location: FaceLocation, weight: int) -> Path:
    key = _key(_identity(location.path), location.index, weight, fontTools.version, CODE_VERSION)
    return cache_dir / f"glyphs-{key}.bin"


def _stem(location: FaceLocation, weight: int) -> str:
    """"NotoSansCJKSC-W400": the start of file and PostScript names (ASCII letters and digits)."""
    return ("".join(c for c in location.family if c.isascii() and c.isalnum())[:40] or "Face") + f"-W{weight}"


def _prune(cache_dir: Path, stem: str) -> None:
    """Keep the KEEP_FONTS newest finished fonts of a face and weight; older texts rebuild fast."""
    try:
        fonts = sorted(cache_dir.glob(f"font-{stem}-*.ttf"), key=lambda p: p.stat().st_mtime_ns)
        for path in fonts[:-KEEP_FONTS]:
            path.unlink(missing_ok=True)
    except OSError:
        pass  # another process pruned first


def _load_store(path: Path) -> dict:
    """{"meta": ..., "glyphs": {code point or -1: (advance, glyf data)}}; empty if unreadable."""
    try:
        store = marshal.loads(path.read_bytes())
        if isinstance(store, dict) and isinstance(store.get("glyphs"), dict):
            return store
    except (OSError, ValueError, EOFError, TypeError):
        pass
    return {"meta": None, "glyphs": {}}


def prepare_faces(requests: Sequence[tuple[FaceLocation, int]], chars: Iterable[str],
                  cache_dir: Path) -> list[bytes]:
    """Fonts for several (face, weight) pairs; each face is opened and interpreted once."""
    cache_dir, text = Path(cache_dir), "".join(sorted(set("".join(chars))))
    results: dict[tuple, bytes] = {}
    todo: dict[FaceLocation, dict[int, str]] = {}
    for location, weight in requests:
        key = _key(_identity(location.path), location.index, weight, text, fontTools.version, CODE_VERSION)
        try:
            results[location, weight] = (cache_dir / f"font-{_stem(location, weight)}-{key}.ttf").read_bytes()
        except OSError:
            todo.setdefault(location, {})[weight] = key
    plans, jobs = [], []
    for location, keys in todo.items():
        cmap = _cmap(location, cache_dir)
        cps = [-1] + sorted({0x20, *map(ord, text)} & cmap.keys())
        stores = {w: _load_store(_store_path(cache_dir, location, w)) for w in keys}
        missing = [cp for cp in cps if any(cp not in s["glyphs"] for s in stores.values())]
        plans.append((location, keys, cps, stores, missing))
        if missing:
            jobs.append((location, [cmap.get(cp, 0) for cp in missing], list(keys)))
    drawn = iter(_draw_all(jobs))
    for location, keys, cps, stores, missing in plans:
        if missing:
            meta, advances, glyphs = next(drawn)
            for (weight, store), adv, data in zip(stores.items(), advances, glyphs):
                store["meta"] = meta
                store["glyphs"].update(zip(missing, zip(adv, data)))
                _write_atomic(_store_path(cache_dir, location, weight), marshal.dumps(store))
        for weight, key in keys.items():
            glyphs, stem = stores[weight]["glyphs"], _stem(location, weight)
            data = _assemble(stores[weight]["meta"], [(cp, *glyphs[cp]) for cp in cps], weight, f"{stem}-{key[:8]}")
            _write_atomic(cache_dir / f"font-{stem}-{key}.ttf", data)
            _prune(cache_dir, stem)
            results[location, weight] = data
    return [results[location, weight] for location, weight in requests]


def prepare_face(location: FaceLocation, weight: int, chars: Iterable[str], cache_dir: Path) -> bytes:
    """A static TrueType font of `location` at `weight`: .notdef, space and the face's `chars`."""
    return prepare_faces([(location, weight)], chars, cache_dir)[0]
