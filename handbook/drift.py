"""Drift between editions: the same book in two scripts must have the same shape and the same fields.

Input: the chapters (and worksheet fields) of the source edition and of another edition (model data).
Output: diagnostics at the other edition's position for every heading, list, table, quote, footnote,
figure, QR code or link that differs, and for every worksheet field that differs. Text is not compared (it is in another
script); its structure is, and the length of its paragraphs and lists (an edit made in one edition only).

One severity policy (:data:`SEVERITY`): a difference a reader sees is a warning (``--strict`` makes it
an error); a difference in the worksheet's fields is an error, because one pre-fill data file and one
form-reading program serve every edition by field name, kind and size.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from . import model
from .diagnostics import Sink, SourcePos
from .sheet import Field, Worksheet

SEVERITY = {"structure": "warning", "fields": "error"}


def _report(sink: Sink, kind: str, message: str, pos: SourcePos | None, *hints: str) -> None:
    (sink.error if SEVERITY[kind] == "error" else sink.warning)(message, pos, *hints)


@dataclass(frozen=True)
class Shape:
    """The structural signature of one block: what must match across editions."""

    kind: str
    detail: tuple
    pos: SourcePos
    length: int = 0  # characters of text (paragraphs, lists): not compared as shape, see _compare_lengths

    @property
    def key(self) -> tuple:
        return (self.kind, self.detail)

    def describe(self) -> str:
        return SHAPE_NAMES[self.kind](*self.detail)


SHAPE_NAMES = {
    "heading": lambda level: f"a level-{level} heading",
    "paragraph": lambda links, notes: "a paragraph" + (f" with {links} link(s)" if links else "")
    + (f" with {notes} note reference(s)" if notes else ""),
    "list": lambda ordered, items, depth: f"{'an ordered' if ordered else 'a bullet'} list of {items} item(s)"
    + (f" nested {depth} deep" if depth > 1 else ""),
    "table": lambda cols, rows: f"a table of {cols} column(s) and {rows} row(s)",
    "quote": lambda blocks: f"a block quote of {blocks} block(s)",
    "code": lambda: "a code block",
    "rule": lambda: "a horizontal rule",
    "note": lambda number: f"footnote {number}",
    "figure": lambda qr: "a QR code" if qr else "a figure",
}


def shapes(chapter: model.Chapter) -> list[Shape]:
    out: list[Shape] = []
    _walk(chapter.blocks, out)
    for note in chapter.notes:
        out.append(Shape("note", (note.number,), note.pos))
    return out


def _walk(blocks, out: list[Shape]) -> None:
    for block in blocks:
        if isinstance(block, model.Heading):
            out.append(Shape("heading", (block.level,), block.pos))
        elif isinstance(block, model.Paragraph):
            spans = [span for span in block.content if isinstance(span, model.Span)]  # not a worksheet's fields
            links = sum(1 for span in spans if "link" in span.styles)
            notes = sum(1 for span in spans if "noteref" in span.styles)
            out.append(Shape("paragraph", (links, notes), block.pos, _length(spans)))
        elif isinstance(block, model.ListBlock):
            text = [span for item in block.items for child in item.blocks if isinstance(child, model.Paragraph)
                    for span in child.content if isinstance(span, model.Span)]
            out.append(Shape("list", (block.ordered, len(block.items), _depth(block)), block.pos, _length(text)))
        elif isinstance(block, model.Table):
            columns = len(block.header) or (len(block.rows[0]) if block.rows else 0)
            out.append(Shape("table", (columns, len(block.rows)), block.pos))
        elif isinstance(block, model.Quote):
            out.append(Shape("quote", (len(block.blocks),), block.pos))
        elif isinstance(block, model.CodeBlock):
            out.append(Shape("code", (), block.pos))
        elif isinstance(block, model.Rule):
            out.append(Shape("rule", (), block.pos))
        elif isinstance(block, model.Figure):
            out.append(Shape("figure", (bool(block.qr),), block.pos))


def _length(spans) -> int:
    return sum(len(span.text) - span.text.count(" ") for span in spans)


LENGTH_DRIFT = (0.2, 15)  # a paragraph or list this much longer or shorter (share, characters) than the source's


def _compare_lengths(mine: Shape, theirs: Shape, source_name: str, sink: Sink) -> None:
    """Conversion keeps a text's length within a few characters (软件 軟體, 打印机 印表機): a paragraph a fifth
    longer or shorter than the source's was most likely edited in one edition and not the other."""
    share, least = LENGTH_DRIFT
    if abs(mine.length - theirs.length) > max(least, share * max(mine.length, theirs.length)):
        _report(sink, "structure", f"editions differ: {theirs.describe()} of {theirs.length} characters here, but "
                f"{mine.length} in {source_name} ({mine.pos})", theirs.pos,
                "was one edition edited and not the other? Bring the text over, or derive it again")


def _depth(block: model.ListBlock) -> int:
    nested = [_depth(child) for item in block.items for child in item.blocks if isinstance(child, model.ListBlock)]
    return 1 + max(nested, default=0)


def compare_chapters(source: model.Chapter, other: model.Chapter, source_name: str, sink: Sink) -> None:
    """Report each structural difference at the other edition's line, naming what the source has."""
    mine, theirs = shapes(source), shapes(other)
    matcher = difflib.SequenceMatcher(None, [s.key for s in mine], [s.key for s in theirs], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for want, have in zip(mine[i1:i2], theirs[j1:j2]):
                _compare_lengths(want, have, source_name, sink)
            continue
        for offset in range(max(i2 - i1, j2 - j1)):
            have = theirs[j1 + offset] if j1 + offset < j2 else None
            want = mine[i1 + offset] if i1 + offset < i2 else None
            where = have.pos if have else (theirs[j1 - 1].pos if j1 else other.pos)
            if have and want:
                message = f"{have.describe()} here, but {want.describe()} in {source_name} ({want.pos})"
            elif want:
                message = f"missing {want.describe()} that {source_name} has ({want.pos})"
            else:
                message = f"{have.describe()} that {source_name} does not have"
            _report(sink, "structure", f"editions differ: {message}", where)


def compare_editions(source: list[model.Chapter], other: list[model.Chapter], source_name: str,
                     other_folder: str, sink: Sink) -> None:
    """Chapters are matched by file name; a chapter present in only one edition is reported too."""
    theirs = {chapter.name: chapter for chapter in other}
    for chapter in source:
        if chapter.name in theirs:
            compare_chapters(chapter, theirs.pop(chapter.name), source_name, sink)
        else:
            _report(sink, "structure", f"chapter {chapter.name} of {source_name} is missing", SourcePos(other_folder))
    for chapter in theirs.values():
        _report(sink, "structure", f"chapter {chapter.name} is not in {source_name}", chapter.pos)


def compare_fields(sheet: Worksheet, reference: Worksheet, sink: Sink) -> None:
    """Every edition's worksheet has the same fields (name, kind, size) as the source edition's."""
    theirs = {f.name: f for f in reference.fields}
    ours = {f.name: f for f in sheet.fields}
    same = "every edition's worksheet has the same fields"
    for field in sheet.fields:
        other = theirs.get(field.name)
        if other is None:
            _report(sink, "fields", f"field '{field.name}' is not in {reference.source.shown}", field.pos, same)
        elif (other.kind, other.size) != (field.kind, field.size):
            _report(sink, "fields", f"field '{field.name}' is {_describe(field)} here but {_describe(other)} in "
                    f"{other.pos}", field.pos)
    for field in reference.fields:
        if field.name not in ours:
            _report(sink, "fields", f"field '{field.name}' ({field.pos}) is missing from this worksheet",
                    SourcePos(sheet.source.shown), same)


def _describe(field: Field) -> str:
    if field.kind == "multiline":
        return f"multiline ({field.size} lines)"
    return f"{field.kind} (size {field.size})" if field.size else field.kind
