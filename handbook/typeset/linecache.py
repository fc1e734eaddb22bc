"""Line layouts kept between builds: a paragraph that did not change is not broken again.

Breaking and setting lines is the largest part of typesetting a book (0.28 of 1.47 s for 239 pages),
and an edit changes one paragraph. A paragraph's lines depend only on its runs (text, size, marks,
rise), the advance widths of its characters, the measure, the first-line indent, the alignment, the
punctuation style and the code; the key is a digest of exactly those. Fonts are keyed by the face and
weight their advances come from, not by their registered name: that is content-addressed and changes
whenever the book gains a character, while every glyph's advance stays the face's.

The cache file holds the layouts of the last build only, so it never grows beyond one book.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from pathlib import Path
from typing import Callable, Sequence

from ..stamps import code_digest
from .cjk import Line, Piece, Run

FaceOf = Callable[[str], str]  # registered font name -> the identity of the face and weight it was made from


class LineCache:
    """Layouts by paragraph key, read from ``path`` and written back (used entries only) by :meth:`save`."""

    def __init__(self, path: Path | None, face_of: FaceOf):
        self.path = path
        self.face_of = face_of
        self.salt = hashlib.blake2b((code_digest() + sys.version).encode(), digest_size=32).digest()
        self.old = _load(path)
        self.new: dict[bytes, tuple] = {}

    def lines(self, runs: Sequence[Run], settings: tuple, compute: Callable[[], list[Line]]) -> list[Line]:
        """The lines of a paragraph with these runs and (measure, indent, align, compress) ``settings``."""
        key = self.key(runs, settings)
        packed = self.new.get(key) or self.old.get(key)
        if packed is not None:
            try:
                lines = _unpack(packed, runs)
                self.new[key] = packed
                return lines
            except (ValueError, TypeError, IndexError):
                pass  # a damaged entry: break the paragraph again
        lines = compute()
        self.new[key] = _pack(lines, runs)
        return lines

    def key(self, runs: Sequence[Run], settings: tuple) -> bytes:
        text = repr((settings, [(run.text, run.size, sorted(run.marks), run.rise, self.face_of(run.font))
                                for run in runs]))
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16, key=self.salt).digest()

    def save(self) -> None:
        """Write this build's layouts atomically; a cache that cannot be written only costs time."""
        if self.path is None or self.new.keys() == self.old.keys():
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
            with os.fdopen(handle, "wb") as out:
                marshal.dump(self.new, out)
            os.replace(temp, self.path)
        except OSError:
            pass


def _load(path: Path | None) -> dict:
    try:
        data = marshal.loads(path.read_bytes()) if path else {}
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


def _pack(lines: list[Line], runs: Sequence[Run]) -> tuple:
    """Lines as plain tuples (marshal-able); each piece's run by its index in the paragraph."""
    index = {id(run): number for number, run in enumerate(runs)}
    return tuple((line.width, line.offset, line.justified,
                  tuple((p.x, p.text, index[id(p.run)], p.char_space, p.width, p.scale) for p in line.pieces))
                 for line in lines)


def _unpack(packed: tuple, runs: Sequence[Run]) -> list[Line]:
    return [Line(tuple(Piece(x, text, runs[run], space, width, scale) for x, text, run, space, width, scale in pieces),
                 width, offset, justified) for width, offset, justified, pieces in packed]
