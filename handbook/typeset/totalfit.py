"""Total-fit paragraph breaking (Knuth and Plass) over the atoms of :mod:`cjk`.

Every legal break (the clreq prohibitions and the token rules of :mod:`tokens` decide which) is a
node; the breaker finds the sequence of breaks with the least total demerits, where a line costs

    (10 + badness)² + penalty²  (+ 3000 next to a line of a far-off tightness, + 3000 for two hyphens running)

and badness is ``100 r³`` for a line stretched or shrunk by the ratio ``r`` of what it may give:

- **shrink**: marks inside the line give half an em (clreq 先挤进, in the edition's compression style), and a
  closing mark at the line end is always set half-width (GB/T 15834);
- **stretch**, in the order :func:`cjk.set_line` uses: word spaces and Han–Latin gaps first (¼ em each), then
  every gap (¼ em each) — which caps the space between two Han characters at ¼ em — and, at that second
  level, the gaps between the characters of a URL, an e-mail address or code (``cjk.LETTER_EM`` each).

Four passes, as TeX does: first only lines that need at most ``PRETOLERANCE`` of their stretch (almost every
paragraph of Chinese text is done here, and cheaply); then lines up to the cap; then lines up to the cap with
breaks inside URL segments too (``tokens.SEGMENT``, a penalty of 900: a URL's separators come first); then,
only for a paragraph with no solution under the cap, anything at all with huge demerits: breaks anywhere in a
token wider than the line, a number parted from its unit, a line ending inside a URL or an overlong token left
ragged, lines past the cap (word spaces and Han–Latin gaps take the rest first), and as a very last resort a
line spread across the measure. The last line is never justified and never a single
character (孤字) when the paragraph has another way; a last line that is squeezed or exactly full costs a little.
"""
from __future__ import annotations

from .cjk import (EPSILON, NO_START, SHRINK_ORDER, Atom, _end_trim, _shrinkable, _space_breaks, _start_trim,
                  _strip)
from .tokens import LAST_RESORT, SEGMENT

PRETOLERANCE = 0.3  # first pass: lines that use at most this share of their stretch (TeX: \pretolerance)
LINE_PENALTY = 10.0
ADJACENT_DEMERITS = 3000.0  # a very loose line next to a tight one, and the like
HYPHENS_DEMERITS = 3000.0  # two hyphenated lines in a row
RELAXED_PENALTY = 1000.0  # a break the strict rules refuse (a number from its unit): only if nothing else
FULL_LAST_DEMERITS = 150.0  # a last line that fills the measure (the paragraph's end is not seen)
OVER_CAP = 5000.0  # badness of a justified line past the looseness cap, stretched in its word spaces
RAGGED_TOKEN = 3000.0  # badness of a line that ends inside a URL or a token wider than the line, left ragged
# (last pass only, and more than several breaks inside URL segments: a ragged line only where no breaking
# justifies the line under the cap; less than a line past the cap)
RAGGED = 4  # its fitness class: no tightness to compare with the next line
SPREAD = 1e6  # badness of a line whose Han characters would be spread past the cap (never if avoidable)
ORPHAN = 1e16  # a single-character last line: worse even than a spread line (clreq pulls a character down)
INFINITY = float("inf")
_SHRINK_CHARS = set("".join(SHRINK_ORDER))


def total_fit(atoms: list[Atom], measure: float, first_indent: float, compress: str, justify: bool,
              orphans: bool) -> list[tuple[list[Atom], bool]] | None:
    """The lines of the best breaking: the atoms of each (spaces at the edges dropped; a hyphenated piece
    carries its hyphen) and whether it is left ragged (it ends inside a token wider than the line and cannot
    be justified under the cap); None when even the last pass finds none (the caller then breaks greedily)."""
    table = _Table(atoms, compress)
    lines: list[list[Atom]] = []
    start = 0
    newlines = [k for k, atom in enumerate(atoms) if atom.kind == "newline"]
    for end in newlines + [len(atoms)]:
        last_segment = end == len(atoms)
        first = first_indent if start == 0 else 0.0
        segment = _segment(table, atoms, start, end, measure, first, justify, orphans and last_segment)
        if segment is None:
            return None
        lines.extend(segment)
        start = end + 1
    return [line for line in lines if line[0]]


def meets_cap(atoms: list[Atom], measure: float, first_indent: float, compress: str) -> bool:
    """Whether some breaking of the (justified) paragraph keeps every line under the looseness cap without
    a last resort (a word broken off its hyphenation points, a URL inside a segment, a 孤字). When there is
    none, :func:`total_fit` takes the least bad: its lines may pass the cap."""
    table = _Table(atoms, compress)
    start = 0
    newlines = [k for k, atom in enumerate(atoms) if atom.kind == "newline"]
    for end in newlines + [len(atoms)]:
        lo, last = start, end - 1
        while lo < end and atoms[lo].kind == "space":
            lo += 1
        while last >= lo and atoms[last].kind == "space":
            last -= 1
        if last >= lo:
            breaks = [(-1, lo, 0.0, 0.0, False, False)] + _candidates(atoms, lo, last + 1) + \
                [(last, -1, 0.0, 0.0, False, False)]
            if len(breaks) > 2 and _solve(table, atoms, breaks, measure, first_indent if start == 0 else 0.0, True,
                                          end == len(atoms), 1.0, 0) is None:
                return False
        start = end + 1
    return True


class _Table:
    """Prefix sums over the atoms, so that any line's width, stretch and shrink cost a few subtractions."""

    def __init__(self, atoms: list[Atom], compress: str):
        n = len(atoms)
        self.width = width = [0.0] * (n + 1)  # natural advance of atoms[:k], with the glue before each
        self.level1 = level1 = [0.0] * (n + 1)  # stretch of word spaces and Han–Latin gaps
        self.level2 = level2 = [0.0] * (n + 1)  # stretch of every gap, to the cap
        self.shrink = shrink = [0.0] * (n + 1)  # what marks inside a line can give
        self.units = units = [0] * (n + 1)  # characters, for the 孤字 rule
        self.shared = shared = [0.0] * (n + 1)  # blank that adjacent marks gave up (compression): stretch too
        self.letters = letters = [0.0] * (n + 1)  # stretch between the characters inside each URL piece
        self.start_trim = start_trim = [0.0] * n  # what a mark gives at the start / end of a line
        self.end_trim = end_trim = [0.0] * n
        self.shrinkable = shrinkable = [0.0] * n
        self.gap = [atom.gap for atom in atoms]
        w = s1 = s2 = sh = blank = inner = 0.0
        u = 0
        previous_space = True  # (no stretch before the first atom)
        previous_tracking = 0.0
        for k, atom in enumerate(atoms):
            w += atom.gap + atom.width
            kind = atom.kind
            if kind == "han":  # by far the most common: a quick way through
                if not previous_space:
                    gap_kind = atom.gap_kind
                    if gap_kind == "han":
                        s2 += 0.25 * atom.run.size
                    elif gap_kind == "mixed":
                        s1 += 0.25 * atom.run.size
                        s2 += 0.25 * atom.run.size
                elif k:
                    quarter = 0.25 * atom.run.size
                    s1 += quarter
                    s2 += quarter
                u += 1
                previous_space = False
            else:
                if kind != "space" and k:
                    quarter = 0.25 * atom.run.size
                    if previous_space or atom.gap_kind == "mixed":
                        s1 += quarter
                        s2 += quarter
                    elif atom.gap_kind == "han":
                        s2 += quarter
                    elif atom.tracking and previous_tracking and atom.gap_kind == "none":
                        s2 += atom.tracking * atom.run.size  # between two pieces of a URL
                if atom.tracking:
                    inner += atom.tracking * atom.run.size * (len(atom.text) - 1)
                if kind == "punct":
                    start_trim[k] = _start_trim(atom, compress)
                    end_trim[k] = _end_trim(atom, compress)
                    if atom.text in _SHRINK_CHARS:
                        shrinkable[k] = _shrinkable(atom, compress)
                        sh += shrinkable[k]
                    if atom.text[0] not in NO_START:
                        u += 1
                    blank += atom.trim_left + atom.trim_right
                elif kind == "latin":
                    u += len(atom.text)
                previous_space = kind == "space"
            previous_tracking = atom.tracking
            letters[k + 1] = inner
            width[k + 1], level1[k + 1], level2[k + 1], shrink[k + 1], units[k + 1] = w, s1, s2, sh, u
            shared[k + 1] = blank


def _candidates(atoms: list[Atom], lo: int, hi: int):
    """Breaks inside atoms[lo:hi]: (last atom of the line before, first atom of the line after, penalty,
    hyphen width, emergency, inside a token wider than the line)."""
    out = []
    for k in range(lo + 1, hi):
        atom = atoms[k]
        previous = atoms[k - 1]
        if atom.kind == "space":
            if previous.kind != "space" and k + 1 < hi and _space_breaks(previous, atoms[k + 1]):
                out.append((k - 1, k + 1, 0.0, 0.0, False, False))
            continue
        if previous.kind == "space" or not atom.brk:
            continue
        if previous.softbreak and previous.kind == "latin" and atom.kind == "latin":
            out.append((k - 1, k, previous.penalty, previous.hyphen, previous.emergency, previous.overlong))
        elif atom.brk == 2:
            out.append((k - 1, k, 0.0, 0.0, False, False))
        else:
            out.append((k - 1, k, RELAXED_PENALTY, 0.0, LAST_RESORT, False))
    return out


def _segment(table: _Table, atoms: list[Atom], lo: int, hi: int, measure: float, first_indent: float,
             justify: bool, orphans: bool) -> list[list[Atom]] | None:
    """The best lines of atoms[lo:hi] (no hard line break inside)."""
    while lo < hi and atoms[lo].kind == "space":
        lo += 1
    last = hi - 1
    while last >= lo and atoms[last].kind == "space":
        last -= 1
    if last < lo:
        return []
    breaks = [(-1, lo, 0.0, 0.0, False, False)] + _candidates(atoms, lo, last + 1) + [(last, -1, 0.0, 0.0, False, False)]
    if len(breaks) == 2:
        return [(atoms[lo:last + 1], False)]
    for tolerance, level in ((PRETOLERANCE, 0), (1.0, 0), (1.0, SEGMENT), (1.0, LAST_RESORT)):
        chosen = _solve(table, atoms, breaks, measure, first_indent, justify, orphans, tolerance, level)
        if chosen is not None:
            return _lines(atoms, breaks, chosen)
    return None


def _solve(table: _Table, atoms, breaks, measure: float, first_indent: float, justify: bool, orphans: bool,
           tolerance: float, level: int) -> list[int] | None:
    """The least demerits breaking, as (break, ragged) pairs, or None. ``level``: which last-resort breaks
    are candidates (0 none, ``SEGMENT`` inside URL segments, ``LAST_RESORT`` all, with lines past the cap,
    ragged lines and 孤字 too)."""
    emergency = level >= LAST_RESORT
    width, level1, level2, shrink, units = table.width, table.level1, table.level2, table.shrink, table.units
    shared, letters = table.shared, table.letters
    start_trim, end_trim, shrinkable, gap = table.start_trim, table.end_trim, table.shrinkable, table.gap
    m = len(breaks)
    best = [INFINITY] * m
    best[0] = 0.0
    back = [-1] * m
    fitness = [1] * m
    hyphened = [False] * m
    first_measure = measure - first_indent
    margin = max(atom.run.size for atom in atoms)  # a hyphen or a line-end trim changes a width by less
    em = atoms[breaks[0][1]].run.size
    front = 0  # breaks before this one start lines that are already too wide for every later break
    final = m - 1
    starts = [b[1] for b in breaks]
    for j in range(1, m):
        e, _, penalty, hyphen, urgent, inside_long = breaks[j]
        if urgent > level:
            continue
        is_final = j == final
        end_width = width[e + 1] + hyphen - end_trim[e]
        end_shrink = shrink[e]
        for i in range(front, j):
            if best[i] == INFINITY:  # no line ends here: nor will one later (best[i] is final)
                if i == front:
                    front += 1
                continue
            s = starts[i]
            if s > e:
                break
            line_measure = measure if i else first_measure
            trim = start_trim[s]
            natural = end_width - width[s] - gap[s] - trim
            slack = line_measure - natural
            if slack < -EPSILON:  # too wide: shrink the marks inside, or it cannot be
                give = end_shrink - shrink[s] - (shrinkable[s] if trim else 0.0)
                if -slack > give + EPSILON:
                    if i == front and natural - give - margin > line_measure:
                        front += 1  # and wider still for every later break
                    if not (emergency and s == e):
                        continue
                    badness, fit = SPREAD, 0  # one token wider than the line: it overflows
                else:
                    ratio = -slack / give
                    badness, fit = 100.0 * ratio ** 3, 0 if ratio > 0.5 else 1
            elif is_final:
                badness, fit = 0.0, 1
            elif not justify:  # ragged lines: a little for the white they leave
                ratio = slack / line_measure
                badness, fit = 100.0 * ratio * ratio, 1
            elif slack <= EPSILON:
                badness, fit = 0.0, 1
            else:
                stretch = level1[e + 1] - level1[s + 1] + level2[e + 1] - level2[s + 1] + letters[e + 1] - letters[s]
                if stretch > 0.0 and slack <= stretch * tolerance + EPSILON:
                    ratio = slack / stretch
                    badness, fit = 100.0 * ratio ** 3, 2 if ratio > 0.5 else 1
                elif tolerance >= 1.0 and e > s and slack <= stretch + shared[e] - shared[s + 1] + EPSILON:
                    badness, fit = 100.0 + 100.0 * (slack - stretch) / em, 2  # marks give back shared blank
                elif inside_long and slack > stretch + EPSILON and emergency:
                    # a line ending inside a token wider than the line (or at a URL's separator), that cannot
                    # be justified under the cap even broken inside a segment: set ragged
                    ratio = slack / line_measure
                    badness, fit = RAGGED_TOKEN + 100.0 * ratio * ratio, RAGGED
                elif inside_long:
                    continue  # justifiable, but past this pass's tolerance (a later start may be past the cap)
                elif not emergency:
                    break  # lines starting at later breaks are shorter still: looser
                elif level1[e + 1] - level1[s + 1] > 0.0:  # past the cap, in word spaces and Han–Latin gaps
                    badness, fit = OVER_CAP * (1.0 + (slack - stretch) / em), 3
                elif units[e + 1] - units[s] <= 3 or slack > 3.0 * stretch:
                    # a few characters, or gaps of more than an em: never spread over the measure, left ragged
                    badness, fit = SPREAD * (2.0 + slack / line_measure), RAGGED
                else:  # past the cap between Han characters: the more the worse
                    badness, fit = SPREAD * (1.0 + (slack - stretch) / em), 3
            demerits = (LINE_PENALTY + badness) ** 2 + penalty * penalty
            if abs(fit - fitness[i]) > 1 and fit != RAGGED and fitness[i] != RAGGED:
                demerits += ADJACENT_DEMERITS
            if hyphen and hyphened[i]:
                demerits += HYPHENS_DEMERITS
            if is_final and i:
                if orphans and units[e + 1] - units[s] < 2:
                    if not emergency:
                        continue
                    demerits += ORPHAN
                if justify and slack < 0.25 * em:
                    demerits += FULL_LAST_DEMERITS
            total = best[i] + demerits
            if total < best[j]:
                best[j], back[j], fitness[j], hyphened[j] = total, i, fit, hyphen > 0.0
    if best[final] == INFINITY:
        return None
    chosen = []
    j = final
    while j > 0:
        chosen.append((j, fitness[j] == RAGGED))
        j = back[j]
    return chosen[::-1]


def _lines(atoms: list[Atom], breaks, chosen: list[tuple[int, bool]]) -> list[tuple[list[Atom], bool]]:
    lines = []
    start = breaks[0][1]
    for j, ragged in chosen:
        e, next_start, _, hyphen, _, _ = breaks[j]
        line = _strip(atoms[start:e + 1])
        if hyphen and line:
            line[-1] = _hyphenated(line[-1])
        lines.append((line, ragged))
        start = next_start
    return lines


def _hyphenated(atom: Atom) -> Atom:
    """The piece of a word before a hyphenation point, with its visible hyphen."""
    piece = Atom(atom.text + "-", atom.run, atom.width + atom.hyphen, atom.kind)
    piece.gap, piece.gap_kind, piece.brk, piece.tracking = atom.gap, atom.gap_kind, atom.brk, atom.tracking
    return piece
