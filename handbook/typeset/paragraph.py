"""A paragraph broken and set: :mod:`cjk`'s atoms and line setting, :mod:`totalfit`'s breaks.

Why a module of its own: the total-fit breaker builds on the atoms and rules of :mod:`cjk`, and a
paragraph needs both; here they meet without importing each other in a circle.
"""
from __future__ import annotations

from typing import Sequence

from .cjk import Advance, Atom, Line, Run, avoid_orphan, break_lines, make_atoms, set_line
from .totalfit import total_fit


def _before_hard_breaks(atoms: list[Atom]) -> set[int]:
    """Ids of the atoms that end a line because a hard line break follows (set like a last line)."""
    ends = set()
    for index, atom in enumerate(atoms):
        if atom.kind == "newline":
            j = index - 1
            while j >= 0 and atoms[j].kind == "space":
                j -= 1
            if j >= 0:
                ends.add(id(atoms[j]))
    return ends


def layout_paragraph(runs: Sequence[Run], advance: Advance, measure: float, first_indent: float = 0.0,
                     align: str = "justify", compress: str = "none") -> list[Line]:
    """Break and set a paragraph. ``align``: 'justify' (body), 'left', 'center' or 'right';
    ``compress``: 'none' (Taiwan), 'brackets' (Hong Kong) or 'all' (mainland) punctuation compression."""
    atoms = make_atoms(runs, advance, measure - max(first_indent, 0.0), compress)
    if not atoms:
        return []
    hard_ends = _before_hard_breaks(atoms)
    broken = total_fit(atoms, measure, first_indent, compress, align == "justify", True)  # 孤字: headings too
    if broken is None:  # no breaking at all keeps every line inside the measure: cut where lines overflow
        greedy = break_lines(atoms, measure, first_indent, compress)
        broken = [(line, False) for line in (avoid_orphan(greedy) if align == "justify" else greedy)]
    lines = []
    for number, (line_atoms, ragged) in enumerate(broken):
        indent = first_indent if number == 0 else 0.0
        width = measure - indent
        last = number == len(broken) - 1 or id(line_atoms[-1]) in hard_ends or ragged
        line = set_line(line_atoms, width, indent, align == "justify" and not last, compress)
        if align in ("center", "right"):
            shift = (width - line.width) / (2 if align == "center" else 1)
            line = Line(line.pieces, line.width, indent + max(0.0, shift), False)
        lines.append(line)
    return lines
