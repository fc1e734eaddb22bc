"""Chinese line breaking and justification (W3C clreq), as pure functions over metrics.

Input: styled :class:`Run` s, a measure, an advance-width function. Output: :class:`Line` s made of
:class:`Piece` s (text at an x offset, drawn with a PDF character spacing ``Tc``). No ReportLab here:
the flowable that draws the pieces lives in ``flowables.py``.

Rules implemented (clreq "basic" level, see DESIGN §4):

* every Han character is a break opportunity; Latin words, numbers with their signs and units, and
  URLs are unbreakable tokens (a token longer than the line breaks after ``/ - ? &``, else anywhere);
* no line starts with a closing mark (``NO_START``) and none ends with an opening one (``NO_END``);
  ``——`` and ``……`` never split; a number keeps the Han unit that follows it (``30天``);
* about ¼ em between Han and Latin text, none at line start or end;
* non-final lines are justified to the measure: word spaces first (up to ½ em), then Han–Latin
  gaps (up to ½ em), then every gap between characters equally; never inside a Latin word;
* the last line of a paragraph is not justified and never holds a single character (孤字): one
  more character is pulled down from the line above.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Callable, Sequence

NO_START = set("，。、；：？！）》」』】〕〉’”…—～·・‧％‰℃〗］｝﹚﹜" + ",.;:?!)]}%")
NO_END = set("（《「『【〔〈‘“〖［｛" + "([{")
UNBREAKABLE_PAIRS = set("—…")
TOKEN_BREAK_AFTER = set("/-?&")
EPSILON = 0.01  # pt: widths are sums of floats


@dataclass(frozen=True)
class Run:
    """Text in one style. ``font`` is a registered font name; ``marks`` are drawing hints."""

    text: str
    font: str
    size: float
    color: str = "#000000"
    marks: frozenset[str] = frozenset()  # 'dots' (emphasis), 'code', 'link', 'sup'
    href: str | None = None
    rise: float = 0.0


@dataclass
class Atom:
    text: str
    run: Run
    width: float
    kind: str  # 'han' | 'punct' | 'latin' | 'space' | 'newline'
    softbreak: bool = False  # a break is allowed after this atom (pieces of an overlong token)


@dataclass(frozen=True)
class Piece:
    """Text drawn at ``x`` (from the line start) with ``char_space`` added after each character."""

    x: float
    text: str
    run: Run
    char_space: float
    width: float  # natural advance of the text, without char_space


@dataclass(frozen=True)
class Line:
    pieces: tuple[Piece, ...]
    width: float  # set width, from the start of the first piece to the end of the last glyph
    offset: float  # indent of this line from the block's left edge
    justified: bool


Advance = Callable[[str, str, float], float]  # (char, font, size) -> width in pt


def is_wide(char: str, width: float, size: float) -> bool:
    """Full-width in the font: East Asian wide, or an ambiguous mark (— … “) the CJK font sets 1 em wide."""
    eaw = unicodedata.east_asian_width(char)
    return eaw in ("W", "F") or (eaw == "A" and width >= 0.9 * size)


def make_atoms(runs: Sequence[Run], advance: Advance, measure: float) -> list[Atom]:
    """Split runs into the units the breaker works with."""
    atoms: list[Atom] = []
    for run in runs:
        word = ""
        word_width = 0.0

        def flush():
            nonlocal word, word_width
            if word:
                atoms.extend(_split_token(word, run, word_width, advance, measure))
            word, word_width = "", 0.0

        for char in run.text:
            if char == "\n":
                flush()
                atoms.append(Atom("\n", run, 0.0, "newline"))
                continue
            if char in " \u00a0\u3000" and char != "\u3000":
                flush()
                if atoms and atoms[-1].kind == "space":
                    continue
                atoms.append(Atom(" ", run, advance(" ", run.font, run.size), "space"))
                continue
            width = advance(char, run.font, run.size)
            if is_wide(char, width, run.size):
                flush()
                kind = "punct" if unicodedata.category(char).startswith("P") or char in NO_START | NO_END else "han"
                atoms.append(Atom(char, run, width, kind))
            else:
                word += char
                word_width += width
        flush()
    return atoms


def _split_token(word: str, run: Run, width: float, advance: Advance, measure: float) -> list[Atom]:
    """A Latin token as one atom, or, if wider than the line, pieces that may break between them."""
    if width <= measure:
        return [Atom(word, run, width, "latin")]
    pieces: list[Atom] = []
    current, current_width = "", 0.0
    for char in word:
        char_width = advance(char, run.font, run.size)
        if current and current_width + char_width > measure:
            pieces.append(Atom(current, run, current_width, "latin", softbreak=True))
            current, current_width = "", 0.0
        current += char
        current_width += char_width
        if char in TOKEN_BREAK_AFTER and current_width > measure / 3:
            pieces.append(Atom(current, run, current_width, "latin", softbreak=True))
            current, current_width = "", 0.0
    if current:
        pieces.append(Atom(current, run, current_width, "latin"))
    return pieces


def _first(atom: Atom) -> str:
    return atom.text[0]


def _last(atom: Atom) -> str:
    return atom.text[-1]


def can_break(before: Atom, after: Atom) -> bool:
    """May a line end between these two atoms? (Spaces are handled by the caller.)"""
    if before.kind == "newline" or after.kind == "newline":
        return False
    if _first(after) in NO_START or _last(before) in NO_END:
        return False
    if _last(before) in UNBREAKABLE_PAIRS and _first(after) == _last(before):
        return False
    if "sup" in after.run.marks:
        return False  # a note reference stays with its word
    if before.kind == "latin" and after.kind == "latin":
        return before.softbreak  # the same word across a style change, unless it is an overlong token
    if before.kind == "latin" and after.kind == "han" and _last(before).isdigit():
        return False  # a number keeps its unit: 30天, 2026年
    return True


def glue(before: Atom, after: Atom) -> tuple[float, str]:
    """Natural width and kind of the gap between two adjacent (non-space) atoms."""
    if "sup" in after.run.marks or "sup" in before.run.marks:
        return 0.0, "none"
    mixed = {before.kind, after.kind}
    if mixed == {"han", "latin"}:
        return 0.25 * max(before.run.size, after.run.size), "mixed"
    if before.kind == "latin" and after.kind == "latin":
        return 0.0, "none"
    if before.kind == "latin" or after.kind == "latin":
        return 0.0, "none"  # Latin next to a full-width mark: the mark carries its own space
    return 0.0, "han"


def break_lines(atoms: list[Atom], measure: float, first_indent: float = 0.0) -> list[list[Atom]]:
    """Greedy breaking under the prohibition rules; returns the atoms of each line (spaces at edges dropped)."""
    lines: list[list[Atom]] = []
    start = 0
    n = len(atoms)
    while start < n:
        while start < n and atoms[start].kind == "space":
            start += 1
        if start >= n:
            break
        available = measure - (first_indent if not lines else 0.0)
        width = 0.0
        last_break = -1  # index of the last atom of the line if we break at the last legal place
        end = start
        forced = False
        while end < n:
            atom = atoms[end]
            if atom.kind == "newline":
                forced = True
                break
            if atom.kind == "space":
                if end > start and end + 1 < n and atoms[end + 1].kind != "space":
                    last_break = end - 1
                width += atom.width
                end += 1
                continue
            previous = atoms[end - 1] if end > start else None
            extra = atom.width
            if previous is not None and previous.kind != "space":
                extra += glue(previous, atom)[0]
            if width + extra > available + EPSILON and end > start:
                break
            if previous is not None and previous.kind != "space" and can_break(previous, atom):
                last_break = end - 1
            width += extra
            end += 1
        if forced:
            lines.append(atoms[start:end])
            start = end + 1
            continue
        if end >= n:
            lines.append(atoms[start:end])
            break
        cut = last_break if last_break >= start else end - 1  # no legal break: cut where it overflows
        lines.append(atoms[start:cut + 1])
        start = cut + 1
    return [_trim(line) for line in lines]


def _trim(line: list[Atom]) -> list[Atom]:
    while line and line[-1].kind == "space":
        line = line[:-1]
    while line and line[0].kind == "space":
        line = line[1:]
    return line


def _units(line: list[Atom]) -> int:
    """Characters that count for the 孤字 rule (closing marks ride along with the character before)."""
    return sum(len(a.text) if a.kind == "latin" else 1 for a in line if a.kind in ("han", "latin")
               or (a.kind == "punct" and _first(a) not in NO_START))


def avoid_orphan(lines: list[list[Atom]]) -> list[list[Atom]]:
    """If the last line holds one character, move the last breakable atom of the line above down."""
    if len(lines) < 2 or _units(lines[-1]) > 1 or any(a.kind == "newline" for a in lines[-1]):
        return lines
    above = lines[-2]
    for cut in range(len(above) - 1, 0, -1):
        head, tail = above[:cut], above[cut:]
        if tail[0].kind == "space":
            continue
        if head[-1].kind == "space" or can_break(head[-1], tail[0]):
            head = _trim(head)
            if head and _units(head) >= 2:
                return lines[:-2] + [head, tail + lines[-1]]
    return lines


def set_line(atoms: list[Atom], measure: float, offset: float, justify: bool) -> Line:
    """Place a line's atoms; when ``justify``, stretch its gaps so that it ends exactly at ``measure``."""
    gaps: list[tuple[float, str]] = []  # gap before atom i (for i >= 1)
    natural = 0.0
    for index, atom in enumerate(atoms):
        if index:
            previous = atoms[index - 1]
            if atom.kind == "space":
                gaps.append((0.0, "none"))
            elif previous.kind == "space":
                gaps.append((0.0, "space_after"))
            else:
                gaps.append(glue(previous, atom))
            natural += gaps[-1][0]
        natural += atom.width
    extra = [0.0] * len(gaps)
    slack = measure - natural
    if justify and slack > EPSILON and gaps:
        slack = _stretch(gaps, extra, "space", atoms, slack, 0.25)
        slack = _stretch(gaps, extra, "mixed", atoms, slack, 0.25)
        stretchable = [i for i, (_, kind) in enumerate(gaps) if kind in ("han", "space", "mixed")]
        if stretchable and slack > EPSILON:
            share = slack / len(stretchable)
            for i in stretchable:
                extra[i] += share
    return _pieces(atoms, gaps, extra, offset, justify)


def _stretch(gaps, extra, kind, atoms, slack, cap_em) -> float:
    """Give each gap of ``kind`` up to ``cap_em`` of its size, equally; return the slack left."""
    indices = [i for i, (_, k) in enumerate(gaps) if k == kind or (kind == "space" and k == "space_after")]
    if kind == "space":
        indices = [i for i, (_, k) in enumerate(gaps) if k == "space_after"]
    if not indices:
        return slack
    for i in indices:
        cap = cap_em * atoms[i + 1].run.size
        add = min(cap, slack / len(indices))
        extra[i] += add
    return slack - sum(min(cap_em * atoms[i + 1].run.size, slack / len(indices)) for i in indices)


def _pieces(atoms, gaps, extra, offset, justified) -> Line:
    """Group atoms into drawable pieces: runs of single characters with one spacing share a piece."""
    pieces: list[Piece] = []
    x = 0.0
    current: dict | None = None

    def flush():
        nonlocal current
        if current:
            pieces.append(Piece(current["x"], current["text"], current["run"], current["space"], current["width"]))
        current = None

    for index, atom in enumerate(atoms):
        gap_before = gaps[index - 1][0] + extra[index - 1] if index else 0.0
        x += gap_before
        if atom.kind == "space":
            flush()
            x += atom.width
            continue
        single = len(atom.text) == 1 and atom.kind != "latin"
        if (current and current["single"] and single and current["run"] == atom.run
                and abs(current["space"] - gap_before) < 1e-6):
            current["text"] += atom.text
            current["width"] += atom.width
        else:
            flush()
            gap_after = gaps[index][0] + extra[index] if index < len(gaps) else 0.0
            current = {"x": x, "text": atom.text, "run": atom.run, "width": atom.width, "single": single,
                       "space": gap_after if single else 0.0}
        x += atom.width
    flush()
    return Line(tuple(pieces), x, offset, justified)


def layout_paragraph(runs: Sequence[Run], advance: Advance, measure: float, first_indent: float = 0.0,
                     align: str = "justify") -> list[Line]:
    """Break and set a paragraph. ``align``: 'justify' (body), 'left', 'center' or 'right'."""
    atoms = make_atoms(runs, advance, measure - first_indent if first_indent > 0 else measure)
    if not atoms:
        return []
    broken = break_lines(atoms, measure, first_indent)
    if align == "justify":
        broken = avoid_orphan(broken)
    lines = []
    for number, line_atoms in enumerate(broken):
        indent = first_indent if number == 0 else 0.0
        width = measure - indent
        last = number == len(broken) - 1 or _ends_with_newline(atoms, line_atoms)
        line = set_line(line_atoms, width, indent, justify=(align == "justify" and not last))
        if align in ("center", "right"):
            shift = (width - line.width) / (2 if align == "center" else 1)
            line = Line(line.pieces, line.width, indent + max(0.0, shift), False)
        lines.append(line)
    return lines


def _ends_with_newline(atoms: list[Atom], line_atoms: list[Atom]) -> bool:
    """Was this line ended by a hard line break (then it is set like a last line)?"""
    if not line_atoms:
        return True
    last = line_atoms[-1]
    for index, atom in enumerate(atoms):
        if atom is last:
            following = atoms[index + 1: index + 3]
            return any(a.kind == "newline" for a in following[:1]) or (
                len(following) == 2 and following[0].kind == "space" and following[1].kind == "newline")
    return False
