"""Finding font faces by family name, choosing the face for a weight, and opening a face.

Why here and not in :mod:`fonts`: finding is about folders and name tables, preparing is about glyphs.
Both :mod:`fonts` and :mod:`outlines` build on this module, and it imports neither.

Where a family is looked for, in order, the first source that has the family wins (weights are never
mixed across sources, so a book's own Light face cannot pair with a system Bold):
1. the book's ``fonts/`` folder (it travels with the book, so it is reproducible);
2. the system's font folders (XDG on Linux and BSD, the three Library folders on macOS, the Windows and
   per-user Fonts folders), unless the font set says ``system = false``: a system font ties a book's
   PDFs to that machine's font version, so the default theme's pinned families never look there;
3. the fonts pip installed (Noto Sans CJK; ReportLab's Bitstream Vera for Latin text).

Every OpenType flavour can be found and opened: variable CFF2, static CFF (``.otf``, ``.ttc``/``.otc``)
and TrueType (``.ttf``, ``.ttc``). Files that cannot serve (truncated, wrong magic, Type 1, bitmap-only)
are remembered with the reason, so a family that exists only in such files gets that reason, not "not
found". Name tables are read once per (path, size, mtime) and kept in ``<cache_dir>/scan-*.json`` (named by
this module's code version).
"""
from __future__ import annotations

import importlib.util, json, os, sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from ..atomic import write_atomically
from ..stamps import digest

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

FONT_EXTS = (".ttf", ".otf", ".ttc", ".otc")
TYPE1_EXTS = (".pfb", ".pfa", ".t1")  # listed only to say why they cannot serve
BOLD = 600  # weights from here up are bold (CSS's rule): a bold request needs such a face, a regular one must not get it
PIP_FONTS = (("manimgx_fonts_cjk", ""), ("reportlab", "fonts"))
MAX_LISTED = 40  # families named in a "not found" error (a desktop has hundreds)


class FontError(Exception):
    """A face cannot be found or cannot give what was asked; the message says which and why."""


@dataclass(frozen=True)
class FaceLocation:
    path: Path
    index: int
    family: str


@dataclass(frozen=True)
class Face:
    """One upright face of a family as found in a file: its own weight class, and for a variable face the
    range of its weight axis."""

    location: FaceLocation
    weight: int
    axis: tuple[int, int] | None

    def nearest(self, wanted: int) -> int:
        """The weight this face draws for ``wanted``: itself if static, else ``wanted`` within the axis."""
        return self.weight if self.axis is None else min(max(wanted, self.axis[0]), self.axis[1])


def identity(path: Path) -> tuple:
    st = os.stat(path)
    return (str(path), st.st_size, st.st_mtime_ns)


# --- where fonts live ----------------------------------------------------------------------

def system_font_dirs(platform: str = sys.platform, env: Mapping[str, str] = os.environ,
                     home: Path | None = None) -> list[Path]:
    """The folders a desktop keeps fonts in, for this platform (folders that do not exist included)."""
    home = Path(env.get("HOME") or env.get("USERPROFILE") or home or Path.home())
    if platform == "darwin":
        return [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library" / "Fonts"]
    if platform.startswith("win") or platform == "cygwin":
        windir = env.get("WINDIR") or env.get("SystemRoot") or r"C:\Windows"
        local = env.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return [Path(windir) / "Fonts", Path(local) / "Microsoft" / "Windows" / "Fonts"]
    data_home = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
    data_dirs = [Path(d) for d in (env.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share").split(os.pathsep) if d]
    return [data_home / "fonts", home / ".fonts", *(d / "fonts" for d in data_dirs)]


@lru_cache(maxsize=1)
def pip_font_dirs() -> tuple[Path, ...]:
    """The folders of the fonts the pinned pip packages carry."""
    return tuple(Path(importlib.util.find_spec(name).origin).parent / sub for name, sub in PIP_FONTS)


def font_sources(book_dirs: Sequence[Path], system: bool) -> list[list[Path]]:
    """The folders to search, as groups in order of preference: book, system, pip."""
    groups = [[Path(d) for d in book_dirs]]
    if system:
        groups.append(system_font_dirs())
    groups.append(list(pip_font_dirs()))
    return groups


def _font_files(dirs: Iterable[Path]) -> Iterable[Path]:
    seen = set()
    for top in dirs:
        if not top.is_dir():
            continue
        for root, subdirs, names in os.walk(top):
            subdirs.sort()
            for name in sorted(names):
                path = Path(root, name)
                if name.lower().endswith(FONT_EXTS + TYPE1_EXTS) and path not in seen:
                    seen.add(path)
                    yield path


# --- reading name tables -------------------------------------------------------------------

def _magic_problem(head: bytes) -> str | None:
    """Why a file with these first bytes is no OpenType font we can use; None if it looks like one."""
    if head[:2] == b"\x80\x01" or head.startswith(b"%!"):
        return "a Type 1 font (PostScript), which cannot be embedded here: use an OpenType (.otf/.ttf) version"
    if head in (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf"):
        return None
    if head[:4] in (b"wOFF", b"wOF2"):
        return "a web font (WOFF): use the .otf or .ttf it was made from"
    return "not an OpenType or TrueType font file"


def scan_file(path: Path) -> dict:
    """{"faces": [[index, family (nameID 16, else 1), nameID 1, weight class, [axis min, max] or None]]}
    for the upright faces of a font file (italics never set running text), or {"error": why it cannot
    serve}."""
    from fontTools.ttLib import TTCollection, TTFont

    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
        problem = _magic_problem(head)
        if problem:
            return {"error": problem}
        collection = head == b"ttcf"
        with (TTCollection(path, lazy=True) if collection else TTFont(path, lazy=True)) as f:
            faces = []
            for index, face in enumerate(f.fonts if collection else [f]):
                if face["head"].macStyle & 2 or ("OS/2" in face and face["OS/2"].fsSelection & 1):
                    continue
                if not {"glyf", "CFF ", "CFF2"} & set(face.keys()):
                    return {"error": "a bitmap-only font (no glyph outlines) cannot be embedded"}
                name = face["name"]
                typo, legacy = name.getDebugName(16), name.getDebugName(1)
                axis = next(([a.minValue, a.maxValue] for a in face["fvar"].axes if a.axisTag == "wght"), None) \
                    if "fvar" in face else None
                if typo or legacy:
                    faces.append([index, typo or legacy, legacy or typo,
                                  face["OS/2"].usWeightClass if "OS/2" in face else 400, axis])
    except Exception as exc:  # a broken file in a font folder must not stop the search
        return {"error": f"unreadable ({type(exc).__name__}: {str(exc)[:80] or 'truncated or damaged'})"}
    return {"faces": faces}


class _Scans:
    """Name-table scans of font files, kept on disk by file identity."""

    def __init__(self, cache_dir: Path | None):
        self.path = Path(cache_dir) / f"scan-{digest('scan', code=('typeset/faces.py',))[:16]}.json" if cache_dir else None
        try:
            self.known = json.loads(self.path.read_text()) if self.path else {}
        except (OSError, ValueError):
            self.known = {}
        self.fresh: dict = {}

    def get(self, path: Path) -> dict:
        try:
            ident = json.dumps(identity(path))
        except OSError:
            return {"error": "unreadable"}
        if ident not in self.known and ident not in self.fresh:
            self.fresh[ident] = scan_file(path)
        return self.known.get(ident) or self.fresh[ident]

    def save(self) -> None:
        if self.fresh and self.path:
            try:
                write_atomically(self.path, json.dumps({**self.known, **self.fresh}).encode())
            except OSError:
                pass  # an unwritable cache only costs the next scan


def find_family(family: str, book_dirs: Sequence[Path] = (), *, system: bool = True,
                cache_dir: Path | None = None) -> list[Face]:
    """Every upright face of ``family`` in the first source that has it (book, system, pip).
    FontError naming the folders, the families found and any files that could not serve."""
    wanted, scans = family.casefold(), _Scans(cache_dir)
    found, broken, searched = set(), [], []
    book, *others = font_sources(book_dirs, system)
    try:
        for group in (book, *others):
            searched += [str(d) for d in group]
            faces = []
            for path in _font_files(group):
                scan = scans.get(path)
                if "error" in scan:
                    if group is book:  # the system's and pip's folders hold Type 1 and bitmap fonts by design
                        broken.append(f"{path.name}: {scan['error']}")
                    continue
                for index, name, legacy, weight, axis in scan["faces"]:
                    found.add(name)
                    if wanted in (name.casefold(), legacy.casefold()):
                        faces.append(Face(FaceLocation(path, index, name), weight, tuple(axis) if axis else None))
            if faces:
                return faces
        if not system:  # not found where it may be looked for: is it where it may not?
            for path in _font_files(system_font_dirs()):
                scan = scans.get(path)
                if any(wanted in (name.casefold(), legacy.casefold()) for _, name, legacy, *_ in scan.get("faces", ())):
                    raise FontError(f"font family {family!r} is in the system's fonts ({path.parent}), but this font "
                                    "set says system = false: set system = true (the PDFs then depend on this "
                                    "machine's copy), or copy its files into the book's fonts/ folder")
    finally:
        scans.save()
    hint = f"; files in the book's fonts folder that cannot serve: {'; '.join(broken[:5])}" if broken else ""
    names = sorted(found)
    listed = ", ".join(names[:MAX_LISTED]) + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")
    raise FontError(f"font family {family!r} not found in {', '.join(searched)}; "
                    f"families found: {listed or 'none'}{hint}")


def family_identity(family: str, book_dirs: Sequence[Path], *, system: bool, cache_dir: Path | None) -> tuple:
    """What a build's output depends on in a family: the files of the faces it would use (or why there
    are none), for the digests that decide whether an output is up to date."""
    try:
        faces = find_family(family, book_dirs, system=system, cache_dir=cache_dir)
    except FontError as exc:
        return (str(exc),)
    return tuple((identity(f.location.path), f.location.index, f.weight, f.axis) for f in faces)


def choose_face(faces: Sequence[Face], wanted: int, family: str) -> tuple[FaceLocation, int]:
    """The face nearest ``wanted`` and the weight it draws at. Ties go the way CSS goes (for 400 and up
    the heavier, below it the lighter). FontError when the nearest is on the other side of bold
    (a family without a bold, or with bold faces only), naming the weights found."""
    def distance(face: Face) -> tuple:
        drawn = face.nearest(wanted)
        return abs(drawn - wanted), -drawn if wanted >= 400 else drawn, face.axis is None
    face = min(faces, key=distance)
    drawn = face.nearest(wanted)
    if (drawn >= BOLD) != (wanted >= BOLD):
        have = sorted({w for f in faces for w in (f.axis or (f.weight,))})
        kind = "bold" if wanted >= BOLD else "regular"
        raise FontError(f"font family {family!r} has no {kind} face for weight {wanted}: weights found "
                        f"{', '.join(map(str, have))} ({face.location.path.parent})")
    return face.location, drawn


def locate_face(family: str, search_dirs: Sequence[Path] = (), *, cache_dir: Path | None = None,
                weight: int = 400, system: bool = True) -> tuple[FaceLocation, int]:
    """The face of ``family`` for ``weight``, and the weight it draws at."""
    return choose_face(find_family(family, search_dirs, system=system, cache_dir=cache_dir), weight, family)


# --- opening a face ------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _glyph_names(count: int) -> list[str]:
    return [".notdef"] + [f"g{i}" for i in range(1, count)]


def open_face(location: FaceLocation) -> TTFont:
    """A lazy TTFont. TrueType and CFF2 faces get generated glyph names (naming 65k glyphs from the
    cmap costs 0.3 s); a static CFF face keeps its charset's names, by which its charstrings are keyed."""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(location.path, fontNumber=location.index, lazy=True)
        if "CFF " not in font:
            font.setGlyphOrder(list(_glyph_names(font["maxp"].numGlyphs)))
    except Exception as exc:
        raise FontError(f"{location.family} ({location.path}, face {location.index}): {exc}") from exc
    return font
