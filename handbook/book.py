"""``content/book.toml``: what the book is and which editions to make (validated plain data).

Every problem in the file is reported at its line, all at once; unknown keys are errors, because a
misspelt key silently ignored is a wrong book.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path

from .diagnostics import Sink, SourcePos, relative
from .theme import FontSet, ThemeName, read_fontsets
from .tomlconfig import TomlFile

OUTPUTS = ("handbook", "booklet", "worksheet")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class VariantConfig:
    """One edition: a folder of content in one script, read with one locale and one font set."""

    name: str
    folder: Path
    locale: str
    fontset: str
    punctuation: str
    title: str
    subtitle: str
    author: str
    opencc: str | None  # configuration that derives this edition from the source edition
    pos: SourcePos
    # The book's own small print on the title page, one paragraph a string: 'notice', then
    # 'worksheet_notice' when the book makes a worksheet. Empty: the title page prints none.
    notice: tuple[str, ...] = ()


@dataclass(frozen=True)
class BookConfig:
    path: Path
    content_dir: Path
    shown_content: str
    source_variant: str
    edition: dt.date
    theme: str  # a ThemeName: a theme not found is reported at its line
    outputs: tuple[str, ...]
    variants: tuple[VariantConfig, ...]
    phrases: Path | None
    booklet: dict  # [booklet] settings: paper, duplex, creep_mm, marks (checked by booklet.ImposeOptions)
    fonts: dict[str, FontSet]  # the book's own [fonts.NAME] sets, over the theme's (e.g. a system font)

    def variant(self, name: str) -> VariantConfig:
        return next(v for v in self.variants if v.name == name)


_BOOK_KEYS = {"source": str, "edition": (dt.date, str), "theme": str, "outputs": list, "phrases": str}
_VARIANT_KEYS = {
    "folder": str, "locale": str, "fonts": str, "punctuation": str, "opencc": str,
    "title": str, "subtitle": str, "author": str, "notice": (str, list), "worksheet_notice": (str, list),
}
_REQUIRED_VARIANT_KEYS = ("locale", "fonts", "punctuation", "title")
_BOOKLET_KEYS = {"paper": str, "duplex": str, "creep_mm": (int, float), "marks": bool}


def load_book(content_dir: Path, project_root: Path, sink: Sink) -> BookConfig | None:
    """Read and check ``content_dir/book.toml``; None (with errors in ``sink``) when it is unusable."""
    path = content_dir / "book.toml"
    shown = relative(path, project_root)
    if not content_dir.is_dir():
        what = "is a file, not a book's folder" if content_dir.exists() else "not found"
        sink.error(f"content folder {content_dir} {what}", None,
                   "give the folder that holds book.toml, or make one with 'build.py new DIR'")
        return None
    toml = TomlFile(path, shown, sink)
    if sink.errors:
        return None
    data = toml.data
    toml.check_keys("", {k: v for k, v in data.items() if k not in ("book", "variants", "booklet", "fonts")}, {})
    fonts = read_fontsets(toml, data.get("fonts", {}))
    book = data.get("book")
    if not isinstance(book, dict):
        sink.error("missing [book] table", SourcePos(shown), "see the README for the keys of book.toml")
        return None
    toml.check_keys("book", book, _BOOK_KEYS)
    booklet = data.get("booklet", {})
    if isinstance(booklet, dict):
        toml.check_keys("booklet", booklet, _BOOKLET_KEYS)
    else:
        sink.error("[booklet] must be a table", toml.pos("", "booklet"))
        booklet = {}
    variants_table = data.get("variants")
    if not isinstance(variants_table, dict) or not variants_table:
        sink.error("no [variants.NAME] tables: a book needs at least one edition", SourcePos(shown))
        return None

    outputs = book.get("outputs", OUTPUTS)
    outputs = tuple(outputs) if isinstance(outputs, list) else OUTPUTS  # a wrong type is reported by check_keys
    variants = []
    first_name = next(iter(variants_table))
    for name, table in variants_table.items():
        where = toml.pos(f"variants.{name}")
        if not isinstance(table, dict):
            sink.error(f"variants.{name} must be a table", where)
            continue
        if not _NAME.match(name):
            sink.error(f"variant name '{name}' must be ASCII letters, digits, '-' or '_'", where)
            continue
        toml.check_keys(f"variants.{name}", table, _VARIANT_KEYS)
        for key in _REQUIRED_VARIANT_KEYS:
            if key not in table:
                sink.error(f"[variants.{name}] needs '{key}'", where)
        title = table.get("title", "")
        if isinstance(title, str) and "title" in table and not title.strip():
            sink.error(f"'title' in [variants.{name}] is empty", toml.pos(f"variants.{name}", "title"),
                       "write the edition's title: it is printed on the cover and is the PDF's title, "
                       "which an accessible (PDF/UA) document must have")
        folder = content_dir / table.get("folder", name)
        if folder.resolve().parent != content_dir.resolve():
            sink.error(f"folder of variant '{name}' must be a folder directly inside the content folder",
                       toml.pos(f"variants.{name}", "folder"))
        elif not folder.is_dir() and (name == book.get("source", first_name) or "opencc" not in table):
            sink.error(f"content folder '{folder.name}' of variant '{name}' not found", where,
                       f"create {relative(folder, project_root)}/, or set 'folder' in [variants.{name}]")
        variants.append(VariantConfig(
            name=name, folder=folder, locale=table.get("locale", ""), fontset=table.get("fonts", ""),
            punctuation=table.get("punctuation", ""), title=table.get("title", ""),
            subtitle=table.get("subtitle", ""), author=table.get("author", ""),
            opencc=table.get("opencc"), pos=where,
            notice=_paragraphs(table, "notice", name, toml, sink),
        ))
        worksheet_notice = _paragraphs(table, "worksheet_notice", name, toml, sink)
        if worksheet_notice and "worksheet" in outputs:  # the companion worksheet's note: only when there is one
            variants[-1] = replace(variants[-1], notice=variants[-1].notice + worksheet_notice)

    source = book.get("source", variants[0].name if variants else "")
    if variants and source not in {v.name for v in variants}:
        sink.error(f"source variant '{source}' is not one of the [variants]", toml.pos("book", "source"))
    edition = _edition(book.get("edition"), toml, sink)
    for output in outputs:
        if output not in OUTPUTS:
            sink.error(f"unknown output '{output}'", toml.pos("book", "outputs"), f"outputs are: {', '.join(OUTPUTS)}")
    phrases = content_dir / book["phrases"] if isinstance(book.get("phrases"), str) else None
    if phrases is not None and not phrases.resolve().is_relative_to(content_dir.resolve()):
        sink.error("the phrase list must be a file inside the content folder", toml.pos("book", "phrases"))
    if sink.errors:
        return None
    return BookConfig(
        path=path, content_dir=content_dir, shown_content=relative(content_dir, project_root),
        source_variant=source, edition=edition,
        theme=ThemeName(book.get("theme", "default"), toml.pos("book", "theme")),
        outputs=outputs, variants=tuple(variants), phrases=phrases, booklet=dict(booklet), fonts=fonts,
    )


def load_phrases(book: BookConfig, project_root: Path, sink: Sink) -> dict[str, dict[str, str]]:
    """The book's phrase list: for each edition, source-edition text -> that edition's text.

    ``phrases.toml`` holds ``[[phrase]]`` tables, one key per edition (``zh-Hans = "粉丝发布"``,
    ``zh-Hant = "粉絲發布"``): text OpenCC converts wrongly, or that must differ, everywhere in the book."""
    if book.phrases is None:
        return {}
    toml = TomlFile(book.phrases, relative(book.phrases, project_root), sink)
    names = {v.name for v in book.variants}
    by_variant: dict[str, dict[str, str]] = {name: {} for name in names}
    entries = toml.data.get("phrase", [])
    toml.check_keys("", {k: v for k, v in toml.data.items() if k != "phrase"}, {})
    if not isinstance(entries, list):
        sink.error("'phrase' must be a list of [[phrase]] tables", toml.pos("", "phrase"))
        return {}
    unknown: dict[str, SourcePos] = {}  # an edition the book does not have (any more): where first named
    for number, entry in enumerate(entries, start=1):
        where = SourcePos(toml.shown, _nth_table_line(toml, "phrase", number))
        for name in sorted(set(entry) - names):
            unknown.setdefault(name, where)
        original = entry.get(book.source_variant)
        if not isinstance(original, str) or not original:
            sink.error(f"phrase {number} has no '{book.source_variant}' text", where)
            continue
        for name, text in entry.items():
            if name in names and name != book.source_variant and isinstance(text, str):
                by_variant[name][original] = text
    if unknown:  # one warning, not one per phrase: a book that dropped an edition keeps its phrase list
        sink.warning(f"the phrase list names edition(s) the book does not have: {', '.join(unknown)}; their "
                     "phrases are not used", next(iter(unknown.values())), f"editions: {', '.join(sorted(names))}")
    return by_variant


def _nth_table_line(toml: TomlFile, name: str, number: int) -> int:
    seen = 0
    for line_number, line in enumerate(toml.lines, start=1):
        if line.strip() == f"[[{name}]]":
            seen += 1
            if seen == number:
                return line_number
    return 0


def _paragraphs(table: dict, key: str, name: str, toml: TomlFile, sink: Sink) -> tuple[str, ...]:
    """A text key of an edition that holds paragraphs: one string, or a list of strings (one paragraph
    each); an empty paragraph is an error at the key's line (to print none, leave the key out)."""
    value = table.get(key, [])
    paragraphs = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    where = toml.pos(f"variants.{name}", key)
    for number, paragraph in enumerate(paragraphs, start=1):
        which = f"'{key}'" if isinstance(value, str) else f"paragraph {number} of '{key}'"
        if not isinstance(paragraph, str):
            sink.error(f"{which} in [variants.{name}] must be a string, not {type(paragraph).__name__}", where)
            return ()
        if not paragraph.strip():
            sink.error(f"{which} in [variants.{name}] is empty", where, f"to print no {key}, leave the key out")
            return ()
    return tuple(paragraphs)


def _edition(value, toml: TomlFile, sink: Sink) -> dt.date:
    """The edition date: a TOML date or an ISO string; it is printed in the book, never the clock's date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            sink.error(f"edition '{value}' is not a date like 2026-11-28", toml.pos("book", "edition"))
    elif value is None:
        sink.error("[book] needs 'edition' (the date printed on the title page, e.g. 2026-11-28)", toml.pos("book"))
    return dt.date(1970, 1, 1)
