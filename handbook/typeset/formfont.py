"""The worksheet's form font: the cmap and metrics of a prepared TrueType font (ReportLab's parser) and
its program compressed once, kept in the cache. :mod:`worksheet.forms` writes it into the AcroForm.
"""
from __future__ import annotations

import hashlib
import io
import pickle
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from reportlab.pdfbase.ttfonts import TTFontFile

from ..atomic import write_atomically
from ..stamps import cache_entry, read_entry


@dataclass(frozen=True)
class FormFont:
    """The TrueType program and what the PDF needs to know about it."""

    data: bytes
    gids: dict[str, int]  # character -> glyph id (= CID); several characters may share a glyph
    widths: dict[int, int]  # glyph id -> advance in 1/1000 em
    name: str
    ascent: int
    descent: int
    bbox: tuple[int, int, int, int]
    cap_height: int
    stem_v: int
    compressed: bytes = b""  # the program flate-compressed once (2 MB at level 6 costs 0.15 s a build)

    def covers(self, char: str) -> bool:
        return char in self.gids

    def encode(self, text: str) -> bytes:
        return b"".join(self.gids.get(ch, 0).to_bytes(2, "big") for ch in text)

    def width(self, text: str, size: float) -> float:
        return sum(self.widths.get(self.gids.get(ch, 0), 1000) for ch in text) * size / 1000


def form_font(ttf: bytes, chars: Iterable[str], cache_dir: Path | None = None) -> FormFont:
    """The prepared font's cmap and metrics for ``chars``, and its compressed program; kept in
    ``cache_dir`` under a digest of the font and the characters, since parsing and compressing a
    7,000-glyph font is most of the worksheet's build time."""
    chars = sorted(set(chars))
    cached = cache_entry(cache_dir, "formfont", ".pickle", hashlib.sha256(ttf).hexdigest(), "".join(chars),
                         code=("typeset/formfont.py",))
    font = read_entry(cached, pickle.loads)
    if font is not None:
        return font
    face = TTFontFile(io.BytesIO(ttf))
    gids = {char: face.charToGlyph[ord(char)] for char in chars if face.charToGlyph.get(ord(char))}
    widths = {gid: int(round(face.charWidths.get(ord(char), face.defaultWidth))) for char, gid in gids.items()}
    name = face.name.decode("latin-1") if isinstance(face.name, bytes) else str(face.name)
    font = FormFont(ttf, gids, widths, name, int(face.ascent), int(face.descent),
                    tuple(int(v) for v in face.bbox), int(face.capHeight), int(face.stemV), zlib.compress(ttf, 6))
    if cached is not None:
        write_atomically(cached, pickle.dumps(font))
    return font
