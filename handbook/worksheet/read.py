"""Reading an edition's ``worksheet.md``: its source (written, or derived like a chapter), the parsed
worksheet, its localized UI strings, and its fields compared with the source edition's (:mod:`drift`)."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from .. import content, drift, locale, markup, model, variants
from ..diagnostics import Sink, SourcePos, relative
from ..sheet import Worksheet
from .syntax import read_worksheet

EXAMPLE_DATE = dt.date(2026, 11, 28)
EXAMPLE_AMOUNT = Decimal("1234.50")


def ui_strings(gettext, loc, currency: str) -> dict[str, str]:
    """The UI strings a worksheet prints or puts in tooltips, from the edition's message catalog."""
    strings = {
        "page": gettext("Page %(page)s of %(pages)s"),
        "row": gettext("row %(n)s"),
        "hint": gettext("%(label)s (%(hint)s)"),
        "date": gettext("date, e.g. %(example)s") % {"example": locale.long_date(EXAMPLE_DATE, loc)},
        "number": gettext("number"),
    }
    if currency:
        strings["money"] = gettext("amount, e.g. %(example)s") % {
            "example": locale.money(EXAMPLE_AMOUNT, currency, loc)}
    return strings


def parse(source: content.Source, sink: Sink, strings: dict) -> tuple[model.Chapter, Worksheet | None]:
    """The worksheet's chapter model (its fields as :class:`model.FieldMark` s) and the worksheet read from it."""
    chapter = model.build_chapter(markup.parse_markdown(source.text, fields=True), source, sink, "ws")
    return chapter, read_worksheet(source, chapter, sink, strings)


def sheet_source(book, config, root, sink: Sink, derive) -> content.Source | None:
    """This edition's worksheet.md; derived from the source edition's (``derive``) when missing."""
    path = config.folder / content.WORKSHEET
    if path.is_file():
        return content.read_source(path, root, sink)
    origin = book.variant(book.source_variant)
    if config.name == origin.name or not (origin.folder / content.WORKSHEET).is_file():
        sink.error("the book's outputs include the worksheet, but there is no worksheet.md",
                   SourcePos(relative(path, root)), "write it, or remove 'worksheet' from outputs in book.toml")
        return None
    return derive(book, config, origin, content.WORKSHEET, root, sink)


def read_sheet(book, config, root, sink: Sink, loc, style, gettext, derive, memo=None) -> Worksheet | None:
    """The edition's worksheet, checked (syntax, script, fields and shape as the source edition's)."""
    source = sheet_source(book, config, root, sink, derive)
    if source is None:
        return None
    variants.check_source(source, sink, loc.script, loc.territory, style, memo)
    before = len(sink.errors)
    chapter, sheet = parse(source, sink, ui_strings(gettext, loc, ""))
    if sheet is None:
        return None
    read_clean = len(sink.errors) == before
    sheet = replace(sheet, strings=ui_strings(gettext, loc, sheet.currency))
    origin = book.variant(book.source_variant)
    if config.name != origin.name and (origin.folder / content.WORKSHEET).is_file():
        quiet = Sink()  # the source edition's own problems are reported when it is read
        reference_source = content.read_source(origin.folder / content.WORKSHEET, root, quiet)
        if reference_source is not None:
            reference_chapter, reference = parse(reference_source, quiet, sheet.strings)
            drift.compare_chapters(reference_chapter, chapter, origin.name, sink)
            # Fields are compared only between worksheets read without errors: a field whose attributes
            # were refused is named by its position ('s0_1'), and a duplicate name stands for two fields,
            # so the comparison would report the consequences of an error rather than the error. The source
            # edition's errors are this edition's too (its fields cannot be checked against them): the
            # same diagnostics as when it is read, so a build of both editions reports each once.
            for error in quiet.errors:
                sink.add(error)
            if reference is not None and read_clean and not quiet.errors:
                drift.compare_fields(sheet, reference, sink)
    return sheet
