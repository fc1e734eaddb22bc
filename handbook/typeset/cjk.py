"""Chinese line breaking and justification (W3C clreq), as pure functions over metrics.

Input: styled :class:`Run` s, a measure, an advance-width function, a punctuation compression mode.
Output: :class:`Line` s made of :class:`Piece` s (text at an x offset, drawn with a PDF character
spacing ``Tc``). No ReportLab here: the flowable that draws the pieces lives in ``flowables.py``.

The steps, in order (clreq "basic" prohibition level; DESIGN §4):

1. ``make_atoms``: every Han character and full-width mark is an atom; a Latin word, a number with its
   signs and units (``12.5%``, ``¥1,234.50``) or a URL is one token, split into pieces only where
   :mod:`tokens` allows a line to end inside it (URLs and e-mail addresses after ``/ . - _ ? & = # @``,
   code after ``/ - _ .``, English words at dictionary hyphenation points, with a visible hyphen; numbers
   never; a URL also inside a segment, as a last resort). Default-ignorable characters (variation
   selectors, ZWJ, soft hyphen …) are not drawn; a variation selector after an ideograph makes the atom
   the code point at which the prepared font draws the face's variant (:func:`fonts.variant_char`), where
   it has one. Adjacent full-width marks share space (``。”`` is 1.5 em) when the edition compresses
   punctuation (mainland, Hong Kong).
2. :func:`totalfit.total_fit`: the breaks of least total demerits (Knuth–Plass) among the legal ones: not
   before a closing mark (``NO_START``), not after an opening one (``NO_END``), not inside ``——``/``……``,
   not between a number and its Han unit (``30天``) unless nothing else works; marks inside a line may be
   squeezed (先挤进), a closing mark at the line end is set half-width; no single character on the last
   line (孤字). ``break_lines`` (greedy) and ``avoid_orphan`` remain for the rare paragraph that has no
   breaking inside the measure at all.
3. ``set_line``: Han–Latin gaps of ¼ em; a non-final line is justified to the measure: word spaces and
   Han–Latin gaps first (up to +¼ em), then every gap between characters equally up to +¼ em (the cap:
   no more than ¼ em between two Han characters), then — only when the breaker found nothing better —
   word spaces and Han–Latin gaps again. Never inside a Latin word or a number; the characters of a URL,
   an e-mail address or code may take up to ``LETTER_EM`` each at the second level (url.sty's
   ``Urlmuskip``), at the same ratio of their cap as the Han gaps, so that a line ending inside a URL is
   flush like any other. The last line keeps natural spacing; a line that ends inside an overlong token
   (or a URL whose segments are too short to break) and cannot be justified under the cap stays ragged.
"""
from __future__ import annotations

import unicodedata
import copy
from collections import OrderedDict
from operator import attrgetter
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, NamedTuple, Sequence

from . import tokens

OPENING = set("（《「『【〔〈‘“〖［｛")
CLOSING = set("）》」』】〕〉’”〗］｝")
PAUSES = set("，。、；：？！")
NO_START = CLOSING | PAUSES | set("…—–～·・‧％‰℃") | set(",.;:?!)]}%")
NO_END = OPENING | set("([{")
RANGE_DASHES = set("–～~")  # between two numbers: never broken around (a connector never starts a line either)
UNBREAKABLE_PAIRS = set("—…")  # ——, ……: one 2-em unit
SPACES = set(" \u00a0")
EPSILON = 0.01  # pt: widths are sums of floats

# Which marks lose half their width next to another mark or at a line edge, by compression mode.
# Mainland fonts set pause marks in the left half of the em box; Hong Kong and Taiwan centre them,
# so there only brackets and quotes (always set against one side) may be compressed.
TRIM_RIGHT = {"none": set(), "brackets": CLOSING, "all": CLOSING | PAUSES}
TRIM_LEFT = {"none": set(), "brackets": OPENING, "all": OPENING}


@dataclass(frozen=True)
class Run:
    """Text in one style. ``font`` is a registered font name; ``marks`` are drawing hints."""

    text: str
    font: str
    size: float
    color: str = "#000000"
    marks: frozenset[str] = frozenset()  # 'dots' (emphasis), 'code', 'link', 'sup', 'verbatim' (a code block)
    href: str | None = None
    rise: float = 0.0


class Atom:
    """The unit of breaking. A plain slotted class: a book makes tens of thousands of them."""

    __slots__ = ("text", "run", "width", "kind", "softbreak", "trim_left", "trim_right", "scale",
                 "gap", "gap_kind", "brk", "penalty", "hyphen", "emergency", "overlong", "tracking")

    def __init__(self, text: str, run: Run, width: float, kind: str, softbreak: bool = False):
        self.text = text
        self.run = run
        self.width = width  # advance as set (after trims)
        self.kind = kind  # 'han' | 'punct' | 'latin' | 'space' | 'newline'
        self.softbreak = softbreak  # a break is allowed after this atom (pieces of an overlong token)
        self.trim_left = 0.0  # blank removed before the glyph (the glyph is drawn this much to the left)
        self.trim_right = 0.0
        self.scale = 1.0  # horizontal scale (a dash is stretched to a full em so that —— joins up)
        self.gap = 0.0  # natural glue before this atom (after the previous one, when neither is a space)
        self.gap_kind = "none"
        self.brk = 0  # may a line break before this atom: 2 yes, 1 only if nothing better, 0 never
        self.penalty = 0.0  # softbreak: the cost of ending a line after this piece of a token
        self.hyphen = 0.0  # softbreak: width of the hyphen drawn when a line ends here (0: none)
        self.emergency = 0  # softbreak: 1 inside a URL's segment, 2 only when no other way exists (tokens.Break)
        self.overlong = False  # a line ending after this piece may stay ragged: a token wider than the line, or
        # a URL, e-mail address or code at one of its separators
        self.tracking = 0.0  # what each gap between two of its characters may stretch, in em: a URL, an e-mail
        # address or code only (LETTER_EM); never a word or a number

    @property
    def first(self) -> str:
        return self.text[0]

    @property
    def last(self) -> str:
        return self.text[-1]


class Piece(NamedTuple):
    """Text drawn at ``x`` (from the line start) with ``char_space`` added after each character.
    (Named tuples: a book makes tens of thousands, and the line cache rebuilds them on every build.)"""

    x: float
    text: str
    run: Run
    char_space: float
    width: float  # natural advance of the text, without char_space
    scale: float = 1.0


class Line(NamedTuple):
    pieces: tuple[Piece, ...]
    width: float  # set width, from the line start to the end of the last glyph's set width
    offset: float  # indent of this line from the block's left edge
    justified: bool


Advance = Callable[[str, str, float], float]  # (char, font, size) -> width in pt


def is_wide(char: str, width: float, size: float) -> bool:
    """Full-width in the font: East Asian wide, or an ambiguous mark (— … “) the CJK font sets ~1 em wide."""
    eaw = unicodedata.east_asian_width(char)
    return eaw in ("W", "F") or (eaw == "A" and width >= 0.85 * size)


# -- 1. atoms -----------------------------------------------------------------------------------
def make_atoms(runs: Sequence[Run], advance: Advance, measure: float, compress: str = "none") -> list[Atom]:
    """Split runs into the units the breaker works with, with adjacent marks compressed."""
    atoms: list[Atom] = []
    for run in runs:
        word, word_width, marks = "", 0.0, []  # marks: (index, hyphen) break points written in the text
        known = _char_widths(run.font, run.size, advance)
        verbatim = "verbatim" in run.marks  # a code block: its spaces are kept as written
        indent = 0 if verbatim else -1  # verbatim: spaces so far at the start of a line
        for char in run.text:
            if char == "\n" or char in SPACES:
                atoms.extend(_split_token(word, run, word_width, advance, measure, marks))
                word, word_width, marks = "", 0.0, []
                if char == "\n":
                    atoms.append(Atom("\n", run, 0.0, "newline"))
                    indent = 0 if verbatim else -1
                elif indent >= 0:
                    indent += 1
                elif not atoms or atoms[-1].kind != "space":
                    atoms.append(Atom(" ", run, advance(" ", run.font, run.size), "space"))
                elif verbatim:
                    atoms[-1].width += advance(" ", run.font, run.size)
                continue
            if indent > 0:  # a code line's indentation: printed, and never a place to break
                atoms.append(Atom(" " * indent, run, indent * advance(" ", run.font, run.size), "latin"))
            indent = -1
            info = known.get(char)
            if info is None:
                width = advance(char, run.font, run.size)
                info = known[char] = (width, _kind(char, width, run.size))
            width, kind = info
            if kind == "invisible":
                if word and char in (tokens.SOFT_HYPHEN, tokens.ZERO_WIDTH_SPACE):
                    marks.append((len(word), char == tokens.SOFT_HYPHEN))  # a break point the author wrote
                elif not word and atoms and atoms[-1].kind == "han" and atoms[-1].run is run \
                        and tokens.is_variation_selector(char) and tokens.is_ideograph(atoms[-1].text):
                    variant = _variant(run.font, atoms[-1].text + char)  # 葛 + U+E0100: its own glyph
                    if variant is not None:
                        atoms[-1] = Atom(variant, run, advance(variant, run.font, run.size), "han")
                continue
            if kind == "han":
                if word:
                    atoms.extend(_split_token(word, run, word_width, advance, measure, marks))
                    word, word_width, marks = "", 0.0, []
                atoms.append(Atom(char, run, width, "han"))
            elif kind == "punct":
                if word:
                    atoms.extend(_split_token(word, run, word_width, advance, measure, marks))
                    word, word_width, marks = "", 0.0, []
                atoms.append(_punct_atom(char, run, width))
            else:
                word += char
                word_width += width
        atoms.extend(_split_token(word, run, word_width, advance, measure, marks))
    _compress_adjacent_marks(atoms, compress)
    _link(atoms)
    return atoms


_CHAR_CACHE: OrderedDict = OrderedDict()  # (font, size, advance) -> {char: (width, wide)}, the newest last
CHAR_CACHE_SIZE = 16  # fonts x sizes of the last build or two: a 'watch' of hours keeps no more than this


def _char_widths(font: str, size: float, advance: Advance) -> dict:
    """The widths measured so far of a font at a size with this advance function. Each build brings a
    new advance function (and fonts named by their characters), so only the newest are kept."""
    key = (font, size, advance)
    known = _CHAR_CACHE.get(key)
    if known is None:
        known = _CHAR_CACHE[key] = {}
        while len(_CHAR_CACHE) > CHAR_CACHE_SIZE:
            _CHAR_CACHE.popitem(last=False)
    else:
        _CHAR_CACHE.move_to_end(key)
    return known


def _variant(font: str, sequence: str) -> str | None:
    """The code point the prepared font draws a variation sequence's glyph at, or None: the base is drawn
    (the font has no such variant, which the coverage check has warned of, or its glyph is the base's)."""
    from .fonts import variant_char  # only for a variation selector after an ideograph

    return variant_char(font, sequence)


def _link(atoms: list[Atom]) -> None:
    """Precompute, for each atom, the glue before it and whether a line may break before it."""
    for previous, atom in zip(atoms, atoms[1:]):
        if previous.kind == "space" or atom.kind == "space":
            continue
        if previous.kind == "han" and atom.kind == "han" and "sup" not in atom.run.marks \
                and "sup" not in previous.run.marks:
            atom.gap_kind, atom.brk = "han", 2  # the common case, by far
            continue
        atom.gap, atom.gap_kind = glue(previous, atom)
        atom.brk = 2 if can_break(previous, atom) else 1 if can_break(previous, atom, strict=False) else 0
        if atom.brk == 2 and previous.softbreak and previous.emergency:
            atom.brk = 1  # inside a token, between any two characters: only if nothing better


def _kind(char: str, width: float, size: float) -> str:
    """'han', 'punct', 'latin', or 'invisible' for control and format characters: fonts have no glyph
    for them, so drawn they would print as boxes (found by tests/test_fuzz.py)."""
    if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") or tokens.is_ignorable(char):
        return "invisible"  # and default-ignorable code points: variation selectors (☎️), ZWJ, soft hyphen
    return _wide_kind(char) if is_wide(char, width, size) else "latin"


def _wide_kind(char: str) -> str:
    punct = char in NO_START or char in NO_END or unicodedata.category(char).startswith("P")
    return "punct" if punct else "han"


def _punct_atom(char: str, run: Run, width: float) -> Atom:
    atom = Atom(char, run, width, "punct")
    if char in UNBREAKABLE_PAIRS and width < run.size:  # a proportional dash or ellipsis: set it 1 em wide
        atom.scale = run.size / width
        atom.width = run.size
    return atom


def _split_token(word: str, run: Run, width: float, advance: Advance, measure: float,
                 marks: Sequence[tuple[int, bool]] = ()) -> list[Atom]:
    """A Latin token as one atom, or as pieces a line may end between (:mod:`tokens` says where:
    URLs after ``/ . - _ ? & = # @``, words at dictionary hyphenation points, a token wider than the
    line anywhere but before a closing mark)."""
    if not word:
        return []
    overlong = width > measure + EPSILON
    kind = tokens.classify(word, "code" in run.marks)
    points = _token_breaks(word, kind, overlong)
    if marks:
        written = {i: tokens.Break(i, tokens.HYPHEN_PENALTY if hy else 0.0, hy, 0) for i, hy in marks
                   if 0 < i < len(word)}
        points = sorted({**{b.index: b for b in points}, **written}.values())
    tracking = LETTER_EM if kind in ("url", "email", "code") else 0.0
    if not points:
        atom = Atom(word, run, width, "latin")
        atom.tracking = tracking
        return [atom]
    widths = [advance(char, run.font, run.size) for char in word]
    pieces: list[Atom] = []
    start = 0
    for point in points:
        piece = Atom(word[start:point.index], run, sum(widths[start:point.index]), "latin", softbreak=True)
        piece.penalty, piece.emergency = point.penalty, point.emergency
        piece.overlong = overlong or not point.emergency and kind in ("url", "email", "code")
        piece.hyphen = advance("-", run.font, run.size) if point.hyphen else 0.0
        piece.tracking = tracking
        pieces.append(piece)
        start = point.index
    pieces.append(Atom(word[start:], run, sum(widths[start:]), "latin"))
    pieces[-1].tracking = tracking
    return pieces


@lru_cache(maxsize=4096)
def _token_breaks(word: str, kind: str, overlong: bool) -> tuple:
    if kind in ("number", "other") and not overlong or kind == "word" and len(word) < 5 and "-" not in word:
        return ()
    return tuple(tokens.breaks(word, kind, overlong))


def _compress_adjacent_marks(atoms: list[Atom], compress: str) -> None:
    """Two adjacent marks share their blank halves: 。” 、“ ）。 take 1.5 em instead of 2 (clreq)."""
    right, left = TRIM_RIGHT[compress], TRIM_LEFT[compress]
    for a, b in zip(atoms, atoms[1:]):
        if a.kind != "punct" or b.kind != "punct":
            continue
        if a.text in right and not a.trim_right:
            _trim(a, right=True)
        elif b.text in left and not b.trim_left:
            _trim(b, right=False)


def _trim(atom: Atom, right: bool) -> None:
    half = atom.run.size / 2
    if right:
        atom.trim_right = half
    else:
        atom.trim_left = half
    atom.width -= half


# -- 2. breaking --------------------------------------------------------------------------------
def can_break(before: Atom, after: Atom, strict: bool = True) -> bool:
    """May a line end between these two atoms? (Spaces are handled by the caller.) Not ``strict``:
    only the prohibition rules count, for lines that have no better place to break."""
    if before.kind == "newline" or after.kind == "newline":
        return False
    if after.first in NO_START or before.last in NO_END:
        return False
    if before.last in UNBREAKABLE_PAIRS and after.first == before.last:
        return False
    if before.last in RANGE_DASHES and after.first.isdigit():
        return False  # 3–5, 9:00–21:00: a range of numbers is one unit
    if not strict:
        return True
    if "sup" in after.run.marks:
        return False  # a note reference stays with its word
    if before.kind == "latin" and after.kind == "latin":
        return before.softbreak  # the same word across a style change, unless it is an overlong token
    if before.kind == "latin" and after.kind == "han" and before.last.isdigit():
        return False  # a number keeps its unit: 30天, 2026年
    return True


def _space_breaks(before: Atom, after: Atom) -> bool:
    """A word space is a break opportunity unless a mark would start or end a line (``word .``, ``( word``)."""
    return after.kind not in ("space", "newline") and after.first not in NO_START and before.last not in NO_END


def glue(before: Atom, after: Atom) -> tuple[float, str]:
    """Natural width and kind of the gap between two adjacent (non-space) atoms."""
    if "sup" in after.run.marks or "sup" in before.run.marks:
        return 0.0, "none"
    if "verbatim" in before.run.marks and "verbatim" in after.run.marks:
        return 0.0, "none"  # code is set as written: no space between Han and Latin added
    if {before.kind, after.kind} == {"han", "latin"}:
        latin = before.last if before.kind == "latin" else after.first
        if "code" in before.run.marks and "code" in after.run.marks:
            return 0.0, "none"  # inside inline code: as typed, print("信息")
        if not latin.isalnum():
            return 0.0, "han"  # a quarter em sets Han apart from letters and digits, not from * " / (
        return 0.25 * max(before.run.size, after.run.size), "mixed"
    if before.kind == "latin" and after.kind == "latin":
        return 0.0, "none"  # inside a word (across a change of style): never stretched
    return 0.0, "han"  # between characters, or a full-width mark and a word (the mark has its own blank)


def _end_trim(atom: Atom, compress: str) -> float:
    """What a closing mark gives back when it ends a line (GB/T 15834: half width at line end)."""
    if atom.kind == "punct" and atom.text in TRIM_RIGHT[compress] and not atom.trim_right:
        return atom.run.size / 2
    return 0.0


SHRINK_ORDER = ("，、；：", "）》」』”’〕】〉（《「『“‘〔【〈", "。？！")  # clreq: commas first, full stops last


def _shrinkable(atom: Atom, compress: str) -> float:
    """Half an em a mark inside a line can give when the line must shrink (clreq 先挤进)."""
    if atom.kind != "punct" or atom.trim_left or atom.trim_right:
        return 0.0
    if atom.text in TRIM_RIGHT[compress] or atom.text in TRIM_LEFT[compress]:
        return atom.run.size / 2
    return 0.0


def _start_trim(atom: Atom, compress: str) -> float:
    if atom.kind == "punct" and atom.text in TRIM_LEFT[compress] and not atom.trim_left:
        return atom.run.size / 2
    return 0.0


def break_lines(atoms: list[Atom], measure: float, first_indent: float = 0.0,
                compress: str = "none") -> list[list[Atom]]:
    """Greedy breaking under the prohibition rules; returns the atoms of each line (spaces at edges dropped)."""
    lines: list[list[Atom]] = []
    start, n = 0, len(atoms)
    while start < n:
        while start < n and atoms[start].kind == "space":
            start += 1
        if start >= n:
            break
        available = measure - (first_indent if not lines else 0.0)
        width = -_start_trim(atoms[start], compress)
        last_break = last_relaxed = -1  # last atom of the line if we break at the last (relaxed) legal place
        end = start
        squeezed = forced = False
        while end < n:
            atom = atoms[end]
            if atom.kind == "newline":
                forced = True
                break
            if atom.kind == "space":
                if end > start and end + 1 < n and _space_breaks(atoms[end - 1], atoms[end + 1]):
                    last_break = end - 1
                width += atom.width
                end += 1
                continue
            previous = atoms[end - 1] if end > start else None
            extra = atom.width + (atom.gap if previous is not None else 0.0)
            if width + extra > available + EPSILON and end > start:
                following = atoms[end + 1] if end + 1 < n else None
                shrink = _end_trim(atom, compress) + sum(_shrinkable(a, compress) for a in atoms[start + 1:end])
                fits_squeezed = atom.kind == "punct" and width + extra - shrink <= available + EPSILON
                if fits_squeezed and (following is None or following.kind == "space" or following.brk == 2):
                    end += 1  # squeeze the mark in at half width rather than push a character down
                    squeezed = True
                break
            if previous is not None and previous.kind != "space":
                if atom.brk == 2:
                    last_break = end - 1
                elif atom.brk == 1:
                    last_relaxed = end - 1
            width += extra
            end += 1
        if forced:
            lines.append(_strip(atoms[start:end]))
            start = end + 1
            continue
        if end >= n or squeezed:
            lines.append(_strip(atoms[start:end]))
            start = end
            continue
        cut = next((c for c in (last_break, last_relaxed) if c >= start), end - 1)  # else cut where it overflows
        lines.append(_strip(atoms[start:cut + 1]))
        start = cut + 1
    return [line for line in lines if line] or []


def _strip(line: list[Atom]) -> list[Atom]:
    first, last = 0, len(line)
    while first < last and line[first].kind == "space":
        first += 1
    while last > first and line[last - 1].kind == "space":
        last -= 1
    return line[first:last]


# -- 3. the last line ---------------------------------------------------------------------------
def _units(line: list[Atom]) -> int:
    """Characters that count for the 孤字 rule (closing marks ride along with the character before)."""
    return sum(len(a.text) if a.kind == "latin" else 1 for a in line
               if a.kind in ("han", "latin") or (a.kind == "punct" and a.first not in NO_START))


def avoid_orphan(lines: list[list[Atom]]) -> list[list[Atom]]:
    """If the last line holds one character, move the last breakable atom of the line above down."""
    if len(lines) < 2 or _units(lines[-1]) > 1:
        return lines
    above = lines[-2]
    for cut in range(len(above) - 1, 0, -1):
        head, tail = above[:cut], above[cut:]
        if tail[0].kind in ("space", "newline") or any(a.kind == "newline" for a in tail):
            continue
        if head[-1].kind == "space" or can_break(head[-1], tail[0]):
            head = _strip(head)
            if head and _units(head) >= 2:
                return lines[:-2] + [head, tail + lines[-1]]
    return lines


# -- 4. setting ---------------------------------------------------------------------------------
def set_line(atoms: list[Atom], measure: float, offset: float, justify: bool, compress: str = "none") -> Line:
    """Place a line's atoms; when ``justify``, stretch its gaps so that it ends exactly at ``measure``."""
    atoms = list(atoms)
    if atoms and _start_trim(atoms[0], compress):
        atoms[0] = _trimmed(atoms[0], right=False)
    if atoms and _end_trim(atoms[-1], compress):
        atoms[-1] = _trimmed(atoms[-1], right=True)
    # gaps[i] is the gap between atoms[i] and atoms[i + 1]: a word space sits in the atom after it.
    gaps = [0.0 if atom.kind == "space" or previous.kind == "space" else atom.gap
            for previous, atom in zip(atoms, atoms[1:])]
    kinds = ["none" if atom.kind == "space" else "space" if previous.kind == "space" else atom.gap_kind
             for previous, atom in zip(atoms, atoms[1:])]
    tracked = any(map(_TRACKING, atoms))  # a URL, e-mail address or code: its letters may be spaced a little
    letters = None  # spacing added after each character of an atom but its last (URLs only)
    if tracked:
        letters = [0.0] * len(atoms)
        kinds = ["letter" if kind == "none" and previous.tracking and atom.tracking else kind
                 for kind, previous, atom in zip(kinds, atoms, atoms[1:])]
    natural = sum(gaps) + sum(atom.width for atom in atoms)
    if natural > measure + EPSILON:  # a squeezed line: marks inside it give half their width
        atoms, removed = _shrink(atoms, natural - measure, compress)
        natural -= removed
    slack = measure - natural
    stretchable = [i for i, kind in enumerate(kinds) if kind in ("han", "space", "mixed")]
    justify = justify and bool(stretchable or tracked)  # a lone word cannot be justified: it stays ragged
    if justify and slack > EPSILON:
        slack = _stretch(gaps, kinds, atoms, ("space", "mixed"), slack, STRETCH_EM)  # word spaces, Han–Latin
        if tracked:  # every gap, to the cap, and a URL's letters, to theirs, in proportion
            slack = _stretch_with_letters(gaps, kinds, atoms, letters, slack)
        else:
            slack = _stretch(gaps, kinds, atoms, ("han", "space", "mixed"), slack, STRETCH_EM)  # every gap, to the cap
        if slack > EPSILON:  # adjacent marks inside the line take back the blank they shared (：“ → 2 em)
            slack = _uncompress(atoms, slack)
        if slack > EPSILON:  # past the cap (the breaker found nothing better): word spaces and Han–Latin gaps
            latin = [i for i in stretchable if kinds[i] != "han"]
            for i in latin or stretchable:
                gaps[i] += slack / len(latin or stretchable)
    return _pieces(atoms, gaps, letters, offset, justify)


_TRACKING = attrgetter("tracking")


def _uncompress(atoms: list[Atom], slack: float) -> float:
    """Give marks inside the line (not at its edges) back the blank that compression took, equally."""
    inside = [i for i in range(1, len(atoms) - 1) if atoms[i].trim_left or atoms[i].trim_right]
    total = sum(atoms[i].trim_left + atoms[i].trim_right for i in inside)
    if not inside or total <= 0.0:
        return slack
    share = min(1.0, slack / total)
    for i in inside:
        atom = copy.copy(atoms[i])
        give_left, give_right = atom.trim_left * share, atom.trim_right * share
        atom.trim_left -= give_left
        atom.trim_right -= give_right
        atom.width += give_left + give_right
        atoms[i] = atom
    return slack - total * share


STRETCH_EM = 0.25  # each stretch level adds at most this much to a gap: no gap between Han characters over ¼ em
LETTER_EM = 1 / 18  # what a gap between two characters of a URL, e-mail address or code may take (url.sty's
# \Urlmuskip: 0mu plus 1mu), at the second level; a word or a number is never letter-spaced


def _shrink(atoms: list[Atom], excess: float, compress: str) -> tuple[list[Atom], float]:
    """Trim marks in clreq's order (commas, then brackets, then full stops) until ``excess`` is gone;
    return the new atoms and the width removed."""
    atoms = list(atoms)
    removed = 0.0
    for group in SHRINK_ORDER:
        for index, atom in enumerate(atoms[:-1]):
            if removed >= excess - EPSILON:
                break
            if atom.text in group and _shrinkable(atom, compress):
                atoms[index] = _trimmed(atom, right=atom.text in TRIM_RIGHT[compress])
                removed += atom.run.size / 2
    return atoms, removed


def _trimmed(atom: Atom, right: bool) -> Atom:
    trimmed = copy.copy(atom)
    _trim(trimmed, right)
    return trimmed


def _stretch(gaps, kinds, atoms, which, slack, cap_em) -> float:
    """Give each gap of a kind in ``which`` up to ``cap_em`` of its size, equally; return the slack left."""
    indices = [i for i, k in enumerate(kinds) if k in which]
    if not indices or slack <= EPSILON:
        return slack
    share = slack / len(indices)
    for i in indices:
        add = min(cap_em * atoms[i + 1].run.size, share)
        gaps[i] += add
        slack -= add
    return slack


def _stretch_with_letters(gaps, kinds, atoms, letters, slack) -> float:
    """The second level of stretch on a line holding a URL, an e-mail address or code: every gap up to
    ¼ em, and every gap between two of the token's characters up to its ``tracking``, all at one ratio of
    what they may take (so that the URL is letter-spaced a fifth as much as the Han text around it)."""
    gaps_at = [(i, STRETCH_EM * atoms[i + 1].run.size) for i, k in enumerate(kinds) if k in ("han", "space", "mixed")]
    gaps_at += [(i, atoms[i + 1].tracking * atoms[i + 1].run.size) for i, k in enumerate(kinds) if k == "letter"]
    inner = [(i, atom.tracking * atom.run.size, len(atom.text) - 1) for i, atom in enumerate(atoms) if atom.tracking]
    capacity = sum(cap for _, cap in gaps_at) + sum(cap * count for _, cap, count in inner)
    if capacity <= 0.0 or slack <= EPSILON:
        return slack
    ratio = min(1.0, slack / capacity)
    for i, cap in gaps_at:
        gaps[i] += ratio * cap
    for i, cap, _ in inner:
        letters[i] = ratio * cap
    return slack - ratio * capacity


def _pieces(atoms: list[Atom], gaps: list[float], letters: list[float] | None, offset: float, justified: bool) -> Line:
    """Group atoms into drawable pieces: runs of single characters with one spacing share a piece
    (``letters``: the spacing between the characters of each atom, for a URL; None: none)."""
    pieces: list[Piece] = []
    x = 0.0
    start_x = text = run = None
    width = space = 0.0
    scale = 1.0
    open_plain = False  # the current piece may take more single characters
    open_latin = False  # the current piece is (part of) a Latin token and may take its next piece
    for index, atom in enumerate(atoms):
        gap_before = gaps[index - 1] if index else 0.0
        x += gap_before
        if atom.kind == "space":
            if text is not None:
                pieces.append(Piece(start_x, text, run, space, width, scale))
                text = None
            open_plain = open_latin = False  # a space ends the piece ("中 文" failed here; found by tests/test_fuzz.py)
            x += atom.width
            continue
        plain = atom.kind != "latin" and not atom.trim_left and not atom.trim_right and atom.scale == 1.0
        if open_plain and plain and run is atom.run and abs(space - gap_before) < 1e-6:
            text += atom.text
            width += atom.width
        elif open_latin and atom.kind == "latin" and run is atom.run and abs(gap_before - space) < 1e-6 \
                and (letters[index] if letters else 0.0) == space:
            text += atom.text  # the next piece of a token that was not broken here
            width += atom.width
        else:
            if text is not None:
                pieces.append(Piece(start_x, text, run, space, width, scale))
            natural = atom.width + atom.trim_left + atom.trim_right
            start_x, text, run, scale = x - atom.trim_left, atom.text, atom.run, atom.scale
            width = natural / atom.scale
            space = (gaps[index] if index < len(gaps) else 0.0) if plain else letters[index] if letters else 0.0
            open_plain = plain
            open_latin = atom.kind == "latin" and scale == 1.0
        x += atom.width
        if letters:
            x += letters[index] * (len(atom.text) - 1)
    if text is not None:
        pieces.append(Piece(start_x, text, run, space, width, scale))
    return Line(tuple(pieces), x, offset, justified)
