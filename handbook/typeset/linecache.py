"""Line layouts kept between builds: a paragraph that did not change is not broken again.

Breaking and setting lines is the largest part of typesetting a book (0.28 of 1.47 s for 239 pages),
and an edit changes one paragraph. A paragraph's lines depend only on its runs (text, size, marks,
rise), the advance widths of its characters, the measure, the first-line indent, the alignment, the
punctuation style and the code; the key is a digest of exactly those. Fonts are keyed by the face and
weight their advances come from, not by their registered name: that is content-addressed and changes
whenever the book gains a character, while every glyph's advance stays the face's.
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Callable, Sequence

from ..memo import FileMemo
from ..stamps import code_digest
from .cjk import Line, Piece, Run

FaceOf = Callable[[str], str]  # registered font name -> the identity of the face and weight it was made from


class LineCache:
    """Layouts by paragraph key, read from ``path`` and written back (used entries only) by :meth:`save`.

    One build opens it (the pipeline, per edition) and hands it to the fit checks and then to the layout,
    so the file is read once and written once; a build that fails drops it unsaved. :meth:`bind` names
    the fonts of this build (their registered names change with the book's characters)."""

    def __init__(self, path: Path | None, face_of: FaceOf | None = None):
        self.memo = FileMemo(path)
        self.face_of = face_of
        self.salt = hashlib.blake2b((code_digest() + sys.version).encode(), digest_size=32).digest()
        self._keys: dict[tuple, tuple] = {}  # (id(runs), settings) -> (runs, key): the fit checks, the layout
        # ahead and the pages ask for the same paragraph's lines several times (37,410 keys for 5,501 paragraphs)

    def bind(self, face_of: FaceOf) -> LineCache:
        """This cache, keying runs by the faces their fonts were made from."""
        self.face_of = face_of
        self._keys.clear()
        return self

    def lines(self, runs: Sequence[Run], settings: tuple, compute: Callable[[], list[Line]]) -> list[Line]:
        """The lines of a paragraph with these runs and (measure, indent, align, compress) ``settings``."""
        key = self.key(runs, settings)
        packed = self.memo.get(key)
        if packed is not None:
            try:
                return _unpack(packed, runs)
            except (ValueError, TypeError, IndexError):
                self.memo.forget(key)  # a damaged entry: break the paragraph again
        lines = compute()
        self.memo.put(key, _pack(lines, runs))
        return lines

    def key(self, runs: Sequence[Run], settings: tuple) -> bytes:
        known = self._keys.get((id(runs), settings))
        if known is not None and known[0] is runs:  # (the runs are held, so their id is not reused)
            return known[1]
        key = self._key(runs, settings)
        self._keys[(id(runs), settings)] = (runs, key)
        return key

    def _key(self, runs: Sequence[Run], settings: tuple) -> bytes:
        text = repr((settings, [(run.text, run.size, sorted(run.marks), run.rise, self.face_of(run.font))
                                for run in runs]))
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16, key=self.salt).digest()

    def size(self) -> int:
        """Layouts the file held when it was read."""
        return len(self.memo.known)

    def has(self, runs: Sequence[Run], settings: tuple) -> bool:
        return self.memo.get(self.key(runs, settings)) is not None

    def entries(self, keys: list[bytes]) -> dict[bytes, tuple]:
        """The packed layouts of these keys (laid out in this process), to hand to another."""
        return {key: self.memo.get(key) for key in keys}

    def merge(self, entries: dict[bytes, tuple]) -> None:
        for key, packed in entries.items():
            self.memo.put(key, packed)

    def save(self) -> None:
        self.memo.save()


def _pack(lines: list[Line], runs: Sequence[Run]) -> tuple:
    """Lines as plain tuples (marshal-able); each piece's run by its index in the paragraph."""
    index = {id(run): number for number, run in enumerate(runs)}
    return tuple((line.width, line.offset, line.justified,
                  tuple((p.x, p.text, index[id(p.run)], p.char_space, p.width, p.scale) for p in line.pieces))
                 for line in lines)


def _unpack(packed: tuple, runs: Sequence[Run]) -> list[Line]:
    return [Line(tuple(Piece(x, text, runs[run], space, width, scale) for x, text, run, space, width, scale in pieces),
                 width, offset, justified) for width, offset, justified, pieces in packed]
