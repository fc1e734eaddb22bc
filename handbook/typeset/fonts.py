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
- Drawn glyphs are kept per (outlines, weight) in a glyph store, by glyph id: an edit that adds a character
  draws only that glyph, and fonts are re-assembled from compiled glyphs (bounds from their headers). Faces
  of one collection with the same outline tables share a store (Noto Sans CJK SC, TC and HK: the three
  editions' form fonts, 19,533 glyphs, are 12,021 distinct ones). A process claims the glyphs it draws
  (a claims file beside the store, read and written under a lock), so editions made at the same time
  draw disjoint shares, each glyph once, and wait for the ones another is drawing.
- Finished fonts are cached under a content-addressed key: a hit is one hash and one file read.
- Two processes (per face, or alternate glyphs of one face) for >= 200 glyphs to draw, when the worker
  budget allows (:mod:`handbook.parallel`: not inside an edition's own worker).
- Ideographic variation sequences (葛 + U+E0100): the face's cmap format 14 says which glyph; the
  prepared font carries it at a Private Use code point of its own (the sequence's rank among the face's
  variants: the same in every book), the layout draws that code point, and the PDF's ToUnicode maps it
  back to the sequence (:func:`variant_glyphs`, :func:`variant_char`).
- This module keeps the caches; finding and opening faces live in :mod:`faces`, drawing and
  assembling in :mod:`outlines`, imported only on a cache miss, so a warm build never loads fontTools'
  outline code.
Medians of 5 fresh processes (bench/bench_fonts.py, 1,200 characters), with the charstring reader of
:mod:`charstrings`: cold 4 fonts (SC+TC x 400+700) 0.90 s (one process 1.34 s; 1.76 / 3.05 s before it);
cold 1 face x 2 weights 0.56 s (0.69 s); edit one character, 4 fonts 0.14 s; warm 4 fonts 1 ms; warm
coverage 9 ms. Fonts are about 315 KiB each.
"""
from __future__ import annotations

import marshal, os, re, time
from array import array
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from ..atomic import write_atomically
from ..stamps import digest
from .faces import FaceLocation, FontError, identity as _identity, open_face
from .tokens import is_ideograph, is_variation_selector

# The code that decides the bytes of a prepared font: its version is in every font cache key.
FONT_CODE = ("typeset/faces.py", "typeset/fonts.py", "typeset/outlines.py", "typeset/charstrings.py")
KEEP_FONTS = 8  # finished fonts kept per face and weight (older texts are rebuilt from glyph stores)


def _key(*parts) -> str:
    """A cache key of the font code's version and ``parts``: a change to glyph drawing remakes the fonts,
    a change elsewhere in the package does not."""
    return digest(*parts, code=FONT_CODE)


# --- reading a face ------------------------------------------------------------------------

@contextmanager
def damaged(*locations: FaceLocation):
    """A face whose tables cannot be read or drawn is a FontError naming it, not an internal error: the
    name table that found it can be sound while its cmap or outlines are not."""
    try:
        yield
    except FontError:
        raise
    except Exception as exc:
        names = ", ".join(f"{loc.family} ({loc.path.name})" for loc in locations)
        raise FontError(f"font {names} is damaged: {type(exc).__name__}: {str(exc)[:80]}") from exc


def _cmap(location: FaceLocation, cache_dir: Path) -> dict[int, int]:
    """Code point -> glyph id of the face's best cmap, kept on disk as flat uint32 pairs."""
    key = _key(_identity(location.path), location.index)
    return _read_cmap(location, Path(cache_dir) / f"cmap-{key}.bin")


@lru_cache(maxsize=32)
def _read_cmap(location: FaceLocation, path: Path) -> dict[int, int]:
    """The cmap kept in ``path`` (named by the face file's identity: a changed file is another path),
    written there first if missing. Callers never change the dict."""
    flat = array("I")
    try:
        flat.frombytes(path.read_bytes())
    except OSError:
        with damaged(location), open_face(location) as font:
            best = font["cmap"].getBestCmap() or {}
            flat.extend(x for cp in sorted(best) for x in (cp, font.getGlyphID(best[cp])))
        write_atomically(path, flat.tobytes())
    return dict(zip(flat[0::2], flat[1::2]))


# --- ideographic variation sequences ---------------------------------------------------------
# 葛 + U+E0100 selects a glyph of its own (cmap format 14), which has no code point: the prepared font gives
# it one in the Supplementary Private Use Area, by the sequence's rank among the face's variant glyphs (so
# it is the same in every book set in that face, and a cached line layout holding it stays right). The
# layout writes that code point (cjk asks :func:`variant_char`); the PDF's ToUnicode maps it back to the
# base and selector, so copied text is the real character.
VARIANT_START = 0xF0000  # Supplementary Private Use Area-A and -B: 131,068 code points
VARIANT_END = 0x10FFFD
_VARIANT_TEXT: dict[str, dict[str, str]] = {}  # prepared font's PostScript name -> {sequence: its code point}


def variation_sequences(text: str) -> set[str]:
    """Each ideograph followed by a variation selector in ``text`` (葛 + U+E0100), as a 2-character string."""
    if not any(is_variation_selector(ch) for ch in set(text)):
        return set()
    return {text[i - 1:i + 1] for i in range(1, len(text)) if is_variation_selector(text[i])
            and is_ideograph(text[i - 1])}


def _variations(location: FaceLocation, cache_dir: Path) -> dict[tuple[int, int], int]:
    """(base, selector) -> glyph id, of the face's cmap format 14 (a default sequence: the base's glyph),
    kept on disk as flat uint32 triples."""
    key = _key(_identity(location.path), location.index)
    return _read_variations(location, Path(cache_dir) / f"uvs-{key}.bin")


@lru_cache(maxsize=32)
def _read_variations(location: FaceLocation, path: Path) -> dict[tuple[int, int], int]:
    """As :func:`_read_cmap`, for the variation sequences."""
    flat = array("I")
    try:
        flat.frombytes(path.read_bytes())
    except OSError:
        with damaged(location), open_face(location) as font:
            table = font["cmap"].getcmap(0, 5)
            best = font["cmap"].getBestCmap() or {}
            for selector, pairs in sorted(table.uvsDict.items()) if table else ():
                for base, name in sorted(pairs):
                    name = name or best.get(base)
                    if name is not None:
                        flat.extend((base, selector, font.getGlyphID(name)))
        write_atomically(path, flat.tobytes())
    return {(b, v): g for b, v, g in zip(flat[0::3], flat[1::3], flat[2::3])}


def variant_glyphs(location: FaceLocation, cache_dir: Path) -> dict[str, tuple[int, int]]:
    """Sequences the face draws with a glyph other than the base's -> (its code point in the prepared font,
    glyph id in the face). Sequences whose glyph is the base's (default ones) are not here: they need none."""
    cmap, out = _cmap(location, cache_dir), {}
    variants = sorted(item for item in _variations(location, cache_dir).items() if cmap.get(item[0][0]) != item[1])
    for rank, ((base, selector), gid) in enumerate(variants[:VARIANT_END - VARIANT_START - 1]):  # 131,068
        code = VARIANT_START + rank
        if code > 0xFFFFD:
            code += 2  # U+FFFFE and U+FFFFF are noncharacters
        out[chr(base) + chr(selector)] = (code, gid)
    return out


def has_sequence(location: FaceLocation, sequence: str, cache_dir: Path) -> bool:
    """Whether the face knows the variation sequence (with its own glyph or the base's)."""
    return (ord(sequence[0]), ord(sequence[1])) in _variations(location, cache_dir)


def variant_char(font_name: str, sequence: str) -> str | None:
    """The character a registered (prepared) font draws ``sequence`` with, or None (draw the base)."""
    from reportlab.pdfbase import pdfmetrics

    try:
        name = pdfmetrics.getFont(font_name).face.name
    except (KeyError, AttributeError):
        return None
    return _VARIANT_TEXT.get(name.decode("latin-1") if isinstance(name, bytes) else name, {}).get(sequence)


_BFCHAR = re.compile(r"^<([0-9A-F]{2})> <[0-9A-F]+>$", re.MULTILINE)


def _to_unicode(previous):
    """ReportLab's ToUnicode CMap, with each variant's code point mapped back to its base and selector."""

    def to_unicode(fontname: str, subset: list[int]) -> str:
        cmap = previous(fontname, subset)
        known = _VARIANT_TEXT.get(fontname.split("+", 1)[-1])
        if not known:
            return cmap
        text = {ord(code): sequence for sequence, code in known.items()}

        def mapped(match: re.Match) -> str:  # each "<ii> <XXXX>" entry, wherever the writer put it
            code = subset[int(match.group(1), 16)]
            return f"<{match.group(1)}> <{text[code].encode('utf-16-be').hex().upper()}>" if code in text \
                else match.group(0)

        return _BFCHAR.sub(mapped, cmap)

    to_unicode.variants = True
    return to_unicode


def _install_to_unicode() -> None:
    from reportlab.pdfbase import ttfonts

    if not getattr(ttfonts.makeToUnicodeCMap, "variants", False):
        ttfonts.makeToUnicodeCMap = _to_unicode(ttfonts.makeToUnicodeCMap)


def face_identity(location: FaceLocation, weight: int) -> str:
    """A face at a weight, as a key: every font prepared from it has its advances."""
    return repr((_identity(location.path), location.index, weight))


def face_coverage(location: FaceLocation, cache_dir: Path) -> frozenset[int]:
    """Code points in the face's best cmap (cached on disk)."""
    return frozenset(_cmap(location, cache_dir))



# The tables that decide a glyph's outline and advance. Faces of one collection that share them (the five
# Noto Sans CJK faces share every one: SC, TC, HK, JP and KR differ in their cmaps) share one glyph store.
OUTLINE_TABLES = ("CFF ", "CFF2", "glyf", "loca", "hmtx", "hhea", "HVAR", "fvar", "avar", "maxp")
def _outline_identity(location: FaceLocation) -> tuple:
    """Where the face's outline tables are in its file (and its units per em): the same for faces that draw
    the same glyph ids the same way."""
    return _outline_tables(location, _identity(location.path))


@lru_cache(maxsize=64)
def _outline_tables(location: FaceLocation, identity) -> tuple:
    """(``identity``: the file's, so that a changed file is read again.)"""
    with damaged(location), open_face(location) as font:
        tables = font.reader.tables
        return (font["head"].unitsPerEm, *((tag, tables[tag].offset, tables[tag].length)
                                          for tag in OUTLINE_TABLES if tag in tables))


def _store_path(cache_dir: Path, location: FaceLocation, weight: int) -> Path:
    key = _key(_identity(location.path), _outline_identity(location), weight)
    return cache_dir / f"glyphs-{key}.bin"


try:
    import fcntl
    _LOCKING = True
except ImportError:  # Windows
    fcntl, _LOCKING = None, False


@contextmanager
def _locked(paths: Iterable[Path]):
    """Hold a lock beside each glyph store (POSIX) while it and its claims are read or written (briefly: never
    while drawing). Without fcntl (Windows) nothing is locked or claimed: a store written by two processes
    at once loses one's new glyphs, which are drawn again later."""
    if not _LOCKING:
        yield
        return
    handles = []
    try:
        for path in sorted(set(paths)):  # one order everywhere: no two processes wait for each other
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(path.with_suffix(".lock"), "a+b")
            handles.append(handle)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        for handle in reversed(handles):
            handle.close()  # closing releases the lock


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
    """{"meta": {face index: ...}, "glyphs": {glyph id: (advance, glyf data)}}; empty if unreadable."""
    try:
        store = marshal.loads(path.read_bytes())
        if isinstance(store, dict) and isinstance(store.get("glyphs"), dict) and isinstance(store.get("meta"), dict):
            return store
    except (OSError, ValueError, EOFError, TypeError):
        pass
    return {"meta": {}, "glyphs": {}}


def prepare_faces(requests: Sequence[tuple[FaceLocation, int]], chars: Iterable[str],
                  cache_dir: Path) -> list[bytes]:
    """Fonts for several (face, weight) pairs; each face is opened and interpreted once."""
    chars = set(chars)
    sequences = sorted(c for c in chars if len(c) == 2)  # variation sequences (葛 + U+E0100): their glyphs
    cache_dir, text = Path(cache_dir), "".join(sorted(set("".join(c for c in chars if len(c) == 1))))
    results: dict[tuple, bytes] = {}
    todo: dict[FaceLocation, dict[int, str]] = {}
    variants = {}
    for location, weight in requests:
        key = _key(_identity(location.path), location.index, weight, text, *([sequences] if sequences else []))
        if sequences:
            if location not in variants:
                own = variant_glyphs(location, cache_dir)
                variants[location] = {s: own[s] for s in sequences if s in own}
            _VARIANT_TEXT[f"{_stem(location, weight)}-{key[:8]}"] = {
                s: chr(code) for s, (code, _) in variants[location].items()}
            _install_to_unicode()
        try:
            results[location, weight] = (cache_dir / f"font-{_stem(location, weight)}-{key}.ttf").read_bytes()
        except OSError:
            todo.setdefault(location, {})[weight] = key
    if not todo:
        return [results[request] for request in requests]
    from . import outlines  # drawing and assembling: only now is fontTools' outline machinery needed

    paths = {(location, w): _store_path(cache_dir, location, w) for location, keys in todo.items() for w in keys}
    plans = _draw_missing(todo, variants, text, paths, cache_dir, outlines)
    for location, keys, cps, gids, stores in plans:
        for weight, key in keys.items():
            glyphs, stem = stores[weight]["glyphs"], _stem(location, weight)
            records = [(cp, *glyphs[gid]) for cp, gid in zip(cps, gids)]
            data = outlines.assemble(stores[weight]["meta"][location.index], records, weight, f"{stem}-{key[:8]}")
            write_atomically(cache_dir / f"font-{stem}-{key}.ttf", data)
            _prune(cache_dir, stem)
            results[location, weight] = data
    return [results[location, weight] for location, weight in requests]


def _claims(path: Path) -> dict[int, set]:
    """Glyph ids other live processes are drawing into the store at ``path`` (a claims file beside it)."""
    try:
        claims = marshal.loads(path.with_suffix(".claims").read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    return {pid: set(gids) for pid, gids in claims.items() if pid != os.getpid() and _alive(pid)}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # POSIX only: claims are kept only where stores are locked (see _locked)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


def _set_claims(paths: Iterable[Path], mine: dict[Path, set]) -> None:
    """Record (or, with nothing, clear) this process's claims, keeping live others'; the stores are locked."""
    for path in sorted(set(paths)):
        claims = {pid: sorted(gids) for pid, gids in _claims(path).items()}
        if mine.get(path):
            claims[os.getpid()] = sorted(mine[path])
        write_atomically(path.with_suffix(".claims"), marshal.dumps(claims))


def _draw_missing(todo: dict, variants: dict, text: str, paths: dict, cache_dir: Path, outlines) -> list[tuple]:
    """Per face to assemble: (location, weight -> font key, code points, their glyph ids, weight -> store),
    once every glyph is in the stores. A glyph no store has and no other process has claimed is claimed and
    drawn here, with no lock held (a glyph of a store that faces share, once: editions made at the same time
    draw disjoint shares on all cores); one that another live process claimed is waited for."""
    faces = []
    for location, keys in todo.items():
        cmap = _cmap(location, cache_dir)
        if variants.get(location):  # a variant's own glyph, at its code point
            cmap = {**cmap, **dict(variants[location].values())}
        cps = [-1] + sorted({0x20, *map(ord, text)} & cmap.keys()) + \
            sorted(code for code, _ in variants.get(location, {}).values())
        faces.append((location, keys, cps, [cmap.get(cp, 0) for cp in cps]))
    while True:
        with _locked(paths.values()):
            stores = {path: _load_store(path) for path in set(paths.values())}
            taken = {path: set().union(*_claims(path).values()) if _LOCKING else set() for path in stores}
            mine: dict[Path, set] = {path: set() for path in stores}
            jobs, waiting = [], False
            for location, keys, _, gids in faces:
                own = [paths[location, weight] for weight in keys]
                absent = {(gid, path) for gid in gids for path in own if gid not in stores[path]["glyphs"]}
                draw = sorted({gid for gid, path in absent if gid not in taken[path] and gid not in mine[path]})
                waiting = waiting or any(gid in taken[path] for gid, path in absent)
                if draw or any(location.index not in stores[path]["meta"] for path in own):
                    for path in own:
                        mine[path].update(draw)
                    jobs.append((location, draw or [0], list(keys)))
            if not jobs and not waiting:
                return [(location, keys, cps, gids, {weight: stores[paths[location, weight]] for weight in keys})
                        for location, keys, cps, gids in faces]
            if jobs and _LOCKING:
                _set_claims(stores, mine)
        if not jobs:
            time.sleep(0.02)  # another process is drawing what we need
            continue
        drawn = None
        try:
            with damaged(*todo):
                drawn = outlines.draw_all(jobs)
        finally:
            with _locked(paths.values()):
                if drawn is not None:
                    _merge(jobs, drawn, paths)
                if _LOCKING:
                    _set_claims(mine, {})


def _merge(jobs: list[tuple], drawn: list[tuple], paths: dict) -> None:
    """Drawn glyphs into their stores, read again (other processes may have added theirs); stores locked."""
    stores: dict[Path, dict] = {}
    for (location, gids, weights), (meta, advances, glyphs) in zip(jobs, drawn):
        for weight, adv, data in zip(weights, advances, glyphs):
            path = paths[location, weight]
            store = stores.setdefault(path, _load_store(path))
            store["meta"][location.index] = meta
            store["glyphs"].update(zip(gids, zip(adv, data)))
    for path in sorted(stores):
        write_atomically(path, marshal.dumps(stores[path]))


def prepare_face(location: FaceLocation, weight: int, chars: Iterable[str], cache_dir: Path) -> bytes:
    """A static TrueType font of `location` at `weight`: .notdef, space and the face's `chars`."""
    return prepare_faces([(location, weight)], chars, cache_dir)[0]
