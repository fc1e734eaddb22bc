"""Making an edition's worksheet PDFs: the fillable form, and copies pre-filled from data.

One form per run: fonts (the worksheet's text, the form font's repertoire and, for pre-filling, every
character of the data), pages, form fields. A filled copy is that form plus the record's values
printed in place (:class:`forms.Filler`), so a thousand copies cost one layout.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .. import locale
from ..typeset import prepare as glyphs
from ..diagnostics import Sink
from ..typeset import fonts as fontfiles
from ..typeset.layout import FontFiles, Metrics
from . import charsets, fill, forms
from ..typeset.formfont import FormFont, form_font
from ..typeset.worksheet import Placed, SheetGeometry, Style, typeset
from ..sheet import Heading, Worksheet

FILLED = "worksheet-filled.pdf"  # one record's copy, or (--fill-merge) every record's in one PDF to print
COPIES = "worksheet-filled"  # the folder of one copy per record, named by the record's number
COPY_NAME = re.compile(r"[0-9]{4,}\.pdf")  # the names of those copies: 0001.pdf ... 12345.pdf
TICK = "\u2713"  # CHECK MARK, printed in a ticked box
HINTED = ("date", "money", "number")


@dataclass(frozen=True)
class Form:
    pdf: bytes  # the empty, fillable worksheet
    placed: tuple[Placed, ...]
    font: FormFont
    metrics: Metrics | None  # the same regular font, for breaking multi-line values (when filling)
    repertoire: str  # name of the character set a reader can type
    family: str  # the font family, for messages
    geometry: SheetGeometry  # the theme's sizes: values are written value_pad in from a blank's ends


def tooltips(sheet: Worksheet) -> dict[str, str]:
    """Each field's tooltip (what a screen reader says of it): its label, told apart from the other fields'
    by its heading (two '其他' blanks) and then by its number (three blanks under one heading), with the
    expected format for dates, amounts and numbers."""
    strings = sheet.strings
    qualify = lambda label, hint: strings["hint"] % {"label": label, "hint": hint}  # noqa: E731
    sections = [(block.pos.line, block.text) for block in sheet.blocks  # sections and sub-headings
                if isinstance(block, Heading) and block.level >= 2 and block.pos]
    labels = {field.name: field.label for field in sheet.fields}
    for step in ("section", "number"):
        shared = Counter(labels.values())
        seen: Counter = Counter()
        for field in sheet.fields:
            label = labels[field.name]
            if shared[label] < 2:
                continue
            if step == "section":
                section = next((title for line, title in reversed(sections) if line <= field.pos.line), "")
                labels[field.name] = qualify(label, section) if section and section != label else label
            else:
                seen[label] += 1
                labels[field.name] = qualify(label, seen[label])
    out = {}
    for field in sheet.fields:
        hint = strings.get(field.kind) if field.kind in HINTED else None
        out[field.name] = qualify(labels[field.name], hint) if hint else labels[field.name]
    return out


def make_form(sheet: Worksheet, config, theme, options, sink: Sink, data_chars: str | None = None) -> Form | None:
    """The fillable worksheet of one edition (None after reporting what is missing). ``data_chars`` are
    the characters of the values to pre-fill; None when nothing is filled in."""
    checked = glyphs.sheet_fonts_for(sheet, config, theme, options, sink)
    if checked is None:
        return None
    (faces, fontset, chars), own = checked
    (face, weight), _ = faces
    coverage = fontfiles.face_coverage(face, options.cache_dir)
    loc = locale.parse_locale(config.locale)
    # A blank form serves anyone typing (the national set); a pre-filled copy, one of perhaps thousands, is
    # mostly written already: the frequent hanzi and the data's own characters keep each file small.
    name, repertoire = (charsets.repertoire if data_chars is None else charsets.frequent)(loc.script)
    typed = {ch for ch in repertoire + (data_chars or "") + TICK if ord(ch) in coverage} | set(chars)
    prepared = glyphs.prepare([(face, weight)], typed, fontset, config, options, sink)
    if prepared is None:
        return None
    (regular,) = prepared
    # A blank form's page is set in the fonts of just its own characters: ReportLab need not parse the
    # 7,000-glyph form font unless values are typeset with it, as a pre-filled copy's are.
    files = own if data_chars is None else FontFiles(regular, own.bold)
    meta = {"author": config.author, "subject": config.title, "lang": locale.language_tag(loc), "epoch": options.epoch}
    style = Style.of(files, theme)
    pdf, placed = typeset(sheet, style, meta)
    font = form_font(regular, typed, options.cache_dir)
    metrics = style.metrics if data_chars is not None else None
    return Form(forms.add_form(pdf, placed, font, tooltips(sheet), style.geometry.field_font), tuple(placed), font,
                metrics, name, fontset.family, style.geometry)


# -- pre-filling ------------------------------------------------------------------------------------
def read_values(sheet: Worksheet, data: Path, config, options, sink: Sink) -> list[tuple[fill.Record, dict]]:
    """Every record of the data file with its printed values; problems reported for all records."""
    loc = locale.parse_locale(config.locale)
    records = fill.load_records(data, options.project_root, sink)
    return [(record, fill.check_record(record, sheet, loc, sink)) for record in records]


def check_characters(values: list[tuple[fill.Record, dict]], font: FormFont, family: str,
                     sink: Sink) -> None:
    """Every character of every value is in the font (it holds all those of the data the face has)."""
    for record, printed in values:
        for name, value in printed.items():
            if isinstance(value, str):
                bad = next((i for i, ch in enumerate(value, 1) if not font.covers(ch) and ch != "\n"), 0)
                if bad:
                    sink.error(f"record {record.number}, field '{name}': character {bad} of the value is not in "
                               f"the font '{family}'", record.where(name), "replace it, or write it by hand")


def inks(form: Form, record: fill.Record, printed: dict, sink: Sink) -> list[forms.Ink]:
    """Where each value of a record is written; a value too long for its blank is an error."""
    out = []
    placed = {p.field.name: p for p in form.placed}
    for name, value in printed.items():
        where = placed[name]
        runs = _tick(form, where) if value is True else _lines(form, where, value)
        if runs is None:
            sink.error(f"record {record.number}, field '{name}': the value is too long for its blank",
                       record.where(name), "shorten it, or leave the field empty and write by hand")
            continue
        size = where.rect[3] - where.rect[1] if value is True else where.size
        out.append(forms.Ink(name, where.page, value, tuple(runs), size))
    return out


def _tick(form: Form, where: Placed) -> list[tuple[float, float, str, float]]:
    """A ticked box: a check mark (text, so it is in the text layer) centred in the box."""
    x0, y0, x1, y1 = where.rect
    size = y1 - y0
    width = form.font.width(TICK, size)
    return [((x0 + x1 - width) / 2, (y0 + y1) / 2 - 0.36 * size, TICK, 0.0)]


def _lines(form: Form, where: Placed, value: str) -> list[tuple[float, float, str, float]] | None:
    """(x, baseline, text, char spacing) of each piece of a value, or None if it does not fit."""
    x0, _, x1, _ = where.rect
    pad = form.geometry.value_pad
    width = x1 - x0 - 2 * pad
    if where.field.kind != "multiline":
        set_width = form.font.width(value, where.size)
        if set_width > width:
            return None
        x = {"left": x0 + pad, "right": x1 - pad - set_width, "center": (x0 + x1 - set_width) / 2}[where.align]
        return [(x, where.baselines[0], value, 0.0)]
    lines = value_lines(form, value, width, where.size)
    if len(lines) > len(where.baselines):
        return None
    return [(x0 + pad + line.offset + piece.x, baseline, piece.text, piece.char_space)
            for line, baseline in zip(lines, where.baselines) for piece in line.pieces]


def value_lines(form: Form, value: str, width: float, size: float):
    """A multi-line value broken into lines by the book's CJK line breaker."""
    from ..typeset.cjk import Run
    from ..typeset.flowables import TextBlock
    from ..typeset.styles import BlockSpec

    regular = form.metrics.names["regular"]
    spec = BlockSpec("regular", size, size * 1.4, "#000000", "left")
    return TextBlock([Run(value, regular, size)], spec, form.metrics.advance).lines_for(width)


def data_characters(values: list[tuple[fill.Record, dict]]) -> str:
    return "".join(sorted({ch for _, printed in values for v in printed.values() if isinstance(v, str) for ch in v}))


# -- the files of an edition --------------------------------------------------------------------
def outputs(sheet: Worksheet, config, theme, options, folder: Path, sink: Sink,
            editions: dict[str, str] | None = None) -> dict[Path, bytes | Callable]:
    """The worksheet files of one edition: the fillable form, or (with ``options.fill``) filled copies.

    Filled copies are returned as functions that make the bytes, so that a thousand of them are
    written one by one instead of held in memory; every record is checked before any is made.
    ``editions``: the book's editions and their locales, named when data is in another edition's script."""
    if not options.fill:
        form = make_form(sheet, config, theme, options, sink)
        return {folder / "worksheet.pdf": form.pdf} if form else {}
    values = read_values(sheet, options.fill, config, options, sink)
    if sink.errors or not values:
        return {}
    fill.check_script(values, config.name, locale.parse_locale(config.locale), sink, editions,
                      chosen=bool(options.variants))
    form = make_form(sheet, config, theme, options, sink, data_characters(values))
    if form is None:
        return {}
    check_characters(values, form.font, form.family, sink)
    if options.fill_merge:
        copies = [inks(form, record, printed, sink) for record, printed in values]
        return {} if sink.errors else {folder / FILLED: lambda: forms.merge(form.pdf, form.font, copies)}
    for record, printed in values:  # every value placed once to check it; placed again when its copy is made,
        inks(form, record, printed, sink)  # so that memory does not grow with the records' inks
    if sink.errors:
        return {}
    filler = forms.Filler(form.pdf, form.font)
    if len(values) == 1:
        return {folder / FILLED: _later(filler, form, *values[0])}
    return {folder / COPIES / f"{record.number:04d}.pdf": _later(filler, form, record, printed)
            for record, printed in values}


def earlier_copies(folder: Path, written: set[Path], merged: bool) -> list[Path]:
    """The filled worksheets in an edition's ``folder`` that a fill run did not write: copies of an earlier
    run, other people's data, which beside this run's would pass for part of its batch. After a run, its
    copies are the only ones there: a batch of one (worksheet-filled.pdf) leaves no copies of an earlier
    batch in worksheet-filled/, and a batch of many no worksheet-filled.pdf. A merged PDF (``merged``) is
    the print file of a list whose copies may be in worksheet-filled/: it leaves them. Only files named
    as this module names them are listed, never anything else a person put in these places."""
    if merged:
        return []
    copies = folder / COPIES
    found = sorted(path for path in copies.iterdir() if COPY_NAME.fullmatch(path.name) and path.is_file()
                   and path not in written) if copies.is_dir() else []
    single = folder / FILLED
    return found + [single] if single.is_file() and single not in written else found


def _later(filler: forms.Filler, form: Form, record: fill.Record, printed: dict) -> Callable[[], bytes]:
    return lambda: filler.fill(inks(form, record, printed, Sink()))
