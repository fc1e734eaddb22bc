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
- This module finds faces and keeps the caches; drawing and assembling live in :mod:`outlines`,
  imported only on a cache miss, so a warm build never loads fontTools' outline code.
Medians of 5 fresh processes (bench/bench_fonts.py, 1,200 characters), with the charstring reader of
:mod:`charstrings`: cold 4 fonts (SC+TC x 400+700) 0.90 s (one process 1.34 s; 1.76 / 3.05 s before it);
cold 1 face x 2 weights 0.56 s (0.69 s); edit one character, 4 fonts 0.14 s; warm 4 fonts 1 ms; warm
coverage 9 ms. Fonts are about 315 KiB each.
"""
from __future__ import annotations

import hashlib, importlib.util, json, marshal, os
from array import array
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import fontTools

from ..atomic import write_atomically

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

CODE_VERSION = "fonts-1"  # bump whenever the bytes produced for the same input change
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


# --- finding faces -------------------------------------------------------------------------

def _font_files(dirs: Iterable[Path]) -> Iterable[Path]:
    for top in dirs:
        for root, subdirs, names in os.walk(top):
            subdirs.sort()
            yield from (Path(root, n) for n in sorted(names) if n.lower().endswith(FONT_EXTS))


def _families(path: Path) -> list:
    """[[index, family (nameID 16, else 1), nameID 1, weight class, variable?], ...] of the upright faces
    of a font file (italics are never chosen for running text); [] if unreadable."""
    from fontTools.ttLib import TTCollection, TTFont

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
            write_atomically(scan_file, json.dumps({**known, **fresh}).encode())
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


def open_face(location: FaceLocation) -> TTFont:
    """A lazy TTFont with generated glyph names (naming 65k glyphs from the cmap costs 0.3 s)."""
    from fontTools.ttLib import TTFont

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
            with open_face(location) as font:
                best = font["cmap"].getBestCmap() or {}
                flat.extend(x for cp in sorted(best) for x in (cp, font.getGlyphID(best[cp])))
            write_atomically(path, flat.tobytes())
        _CMAPS[key] = dict(zip(flat[0::2], flat[1::2]))
    return _CMAPS[key]


def face_identity(location: FaceLocation, weight: int) -> str:
    """A face at a weight, as a key: every font prepared from it has its advances."""
    return repr((_identity(location.path), location.index, weight))


def face_coverage(location: FaceLocation, cache_dir: Path) -> frozenset[int]:
    """Code points in the face's best cmap (cached on disk)."""
    return frozenset(_cmap(location, cache_dir))



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
    if not todo:
        return [results[request] for request in requests]
    from . import outlines  # drawing and assembling: only now is fontTools' outline machinery needed

    plans, jobs = [], []
    for location, keys in todo.items():
        cmap = _cmap(location, cache_dir)
        cps = [-1] + sorted({0x20, *map(ord, text)} & cmap.keys())
        stores = {w: _load_store(_store_path(cache_dir, location, w)) for w in keys}
        missing = [cp for cp in cps if any(cp not in s["glyphs"] for s in stores.values())]
        plans.append((location, keys, cps, stores, missing))
        if missing:
            jobs.append((location, [cmap.get(cp, 0) for cp in missing], list(keys)))
    drawn = iter(outlines.draw_all(jobs))
    for location, keys, cps, stores, missing in plans:
        if missing:
            meta, advances, glyphs = next(drawn)
            for (weight, store), adv, data in zip(stores.items(), advances, glyphs):
                store["meta"] = meta
                store["glyphs"].update(zip(missing, zip(adv, data)))
                write_atomically(_store_path(cache_dir, location, weight), marshal.dumps(store))
        for weight, key in keys.items():
            glyphs, stem = stores[weight]["glyphs"], _stem(location, weight)
            records = [(cp, *glyphs[cp]) for cp in cps]
            data = outlines.assemble(stores[weight]["meta"], records, weight, f"{stem}-{key[:8]}")
            write_atomically(cache_dir / f"font-{stem}-{key}.ttf", data)
            _prune(cache_dir, stem)
            results[location, weight] = data
    return [results[location, weight] for location, weight in requests]


def prepare_face(location: FaceLocation, weight: int, chars: Iterable[str], cache_dir: Path) -> bytes:
    """A static TrueType font of `location` at `weight`: .notdef, space and the face's `chars`."""
    return prepare_faces([(location, weight)], chars, cache_dir)[0]
