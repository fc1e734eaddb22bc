"""Themes: ``templates/themes/NAME.toml``, page geometry, sizes, colours, font sets and the worksheet's
page (validated).

A theme is plain data. Unknown keys and wrong types are errors at their line; keys a theme leaves
out take the default theme's values, so a theme can be a short list of changes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Sink, SourcePos, relative
from .tomlconfig import TomlFile

_NUMBER = (int, float)
SCHEMA: dict[str, dict[str, type | tuple]] = {
    "page": {"width_mm": _NUMBER, "height_mm": _NUMBER, "measure_em": int, "lines": int, "top_mm": _NUMBER,
             "inner_share": _NUMBER, "chapter_recto": bool, "notes": str,
             "note_numbers": str},
    "body": {"size": _NUMBER, "leading": _NUMBER, "indent_em": _NUMBER, "paragraph_space": _NUMBER},
    "headings": {"h1_size": _NUMBER, "h2_size": _NUMBER, "h3_size": _NUMBER, "space_before": _NUMBER,
                 "space_after": _NUMBER},
    "small": {"note_size": _NUMBER, "table_size": _NUMBER, "head_size": _NUMBER, "folio_size": _NUMBER},
    "colors": {"text": str, "accent": str, "muted": str, "rule": str, "shade": str},
    "worksheet": {key: _NUMBER for key in (
        "width_mm", "height_mm", "margin_mm", "top_mm", "bottom_mm", "footer_mm", "pitch_mm", "box_mm", "write_mm",
        "label_size", "small_size", "field_size", "cell_size", "underline", "wide_gap_em", "narrow_gap_em",
        "value_pad", "date_cell_mm", "money_cell_mm", "number_cell_mm", "checkbox_cell_mm", "text_cell_mm",
        "multiline_cell_mm")},
}
# Allowed values (inclusive) of numbers that may be zero, are shares or have a floor; every other number is 0.1 to
# 1000. A "section.key" entry is for that section only. The worksheet's floors are for handwriting and office
# printers (DESIGN.md, "Printing"): lines 8 mm apart, boxes 4 mm, nothing printed within 10 mm of the edge.
RANGES = {"indent_em": (0, 10), "paragraph_space": (0, 100), "space_before": (0, 200), "space_after": (0, 200),
          "top_mm": (0, 500), "inner_share": (0, 1), "measure_em": (1, 200), "lines": (1, 200),
          "worksheet.margin_mm": (10, 100), "worksheet.top_mm": (10, 100), "worksheet.bottom_mm": (10, 100),
          "worksheet.footer_mm": (10, 100), "worksheet.pitch_mm": (8, 30), "worksheet.box_mm": (4, 20),
          "worksheet.write_mm": (3, 30), "worksheet.underline": (0, 10), "worksheet.wide_gap_em": (0, 10),
          "worksheet.narrow_gap_em": (0, 5), "worksheet.value_pad": (0, 20), "worksheet.label_size": (6, 36),
          "worksheet.small_size": (6, 36), "worksheet.field_size": (6, 36), "worksheet.cell_size": (6, 36),
          # type a reader can read and a page can hold (pt): body and headings 6 to 36, small print 5 to 24
          "body.size": (6, 36), "body.leading": (6, 72), "headings.h1_size": (6, 48), "headings.h2_size": (6, 36),
          "headings.h3_size": (6, 36), "small.note_size": (5, 24), "small.table_size": (5, 24),
          "small.head_size": (5, 24), "small.folio_size": (5, 24)}
CHOICES = {"notes": ("foot", "end"), "note_numbers": ("chapter", "page")}  # keys whose value is one of a few words
_FONTSET_KEYS = {"family": str, "regular": int, "bold": int, "system": bool}
_REQUIRED_FONTSET_KEYS = ("family", "regular", "bold")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


class ThemeName(str):
    """A theme's name as book.toml gives it, knowing the line that gives it (``pos``), so that a theme
    not found is reported there; a plain ``str`` name came from the command line (``--theme``)."""

    pos: SourcePos | None = None

    def __new__(cls, name: str, pos: SourcePos | None = None) -> "ThemeName":
        made = super().__new__(cls, name)
        made.pos = pos
        return made


@dataclass(frozen=True)
class FontSet:
    """A family and the weights of body text and of bold; ``system``: may the family come from the
    system's font folders (a pinned family says no, so the book is the same on every machine)."""

    family: str
    regular: int
    bold: int
    system: bool = True
    pos: SourcePos | None = None  # the [fonts.NAME] line that names the family, for errors about it


@dataclass(frozen=True)
class Theme:
    name: str
    page: dict
    body: dict
    headings: dict
    small: dict
    colors: dict
    worksheet: dict  # the A4 fill-in worksheet's page and handwriting sizes (typeset.worksheet.SheetGeometry)
    fontsets: dict[str, FontSet]
    file: str = ""  # the theme's file as messages show it: problems found after loading are reported there


def load_theme(name: str, templates_dir: Path, project_root: Path, sink: Sink,
               book_fonts: dict[str, FontSet] | None = None, book_dir: Path | None = None) -> Theme | None:
    """The named theme over the default one, with the book's own font sets over both; None (with
    errors in ``sink``) when unusable. A theme is looked for in the book's own ``themes/`` folder
    (``book_dir``), then among the tool's."""
    where = getattr(name, "pos", None)  # book.toml's line; None: --theme
    asked = "" if isinstance(name, ThemeName) else " (from --theme)"
    folder = templates_dir / "themes"
    folders = [book_dir / "themes", folder] if book_dir else [folder]
    if not re.match(r"^[A-Za-z0-9_-]+$", name):
        sink.error(f"theme name '{name}'{asked} must be letters, digits, '-' or '_'", where)
        return None
    path = next((f / f"{name}.toml" for f in folders if (f / f"{name}.toml").is_file()), None)
    if name != "default" and path is None:
        themes = sorted({path.stem for f in folders for path in f.glob("*.toml")})
        places = " and ".join(f"{relative(f, project_root)}/" for f in folders)
        sink.error(f"theme '{name}'{asked} not found", where,
                   f"themes: {', '.join(themes) or 'none'} (the .toml files in {places})")
        return None
    default = _read(folder / "default.toml", project_root, sink)
    chosen = default if name == "default" else _read(path, project_root, sink, (default or {}).get("fonts"))
    if default is None or chosen is None:
        return None
    merged = {section: {**default.get(section, {}), **chosen.get(section, {})} for section in SCHEMA}
    fontsets = {**default.get("fonts", {}), **chosen.get("fonts", {}), **(book_fonts or {})}
    for section, keys in SCHEMA.items():
        for key in keys:
            if key not in merged[section]:
                sink.error(f"theme '{name}' lacks [{section}] {key}",
                           SourcePos(relative(templates_dir / "themes" / "default.toml", project_root)))
    if sink.errors:
        return None
    shown = relative(path if path is not None else folder / "default.toml", project_root)
    return Theme(str(name), fontsets=fontsets, file=shown, **{section: merged[section] for section in SCHEMA})


def out_of_range(section: str, table: dict) -> list[tuple[str, str]]:
    """(key, message) for each number of a section outside its range and each word not among its choices."""
    out = []
    for key, value in table.items():
        low, high = RANGES.get(f"{section}.{key}", RANGES.get(key, (0.1, 1000)))
        if isinstance(value, _NUMBER) and not isinstance(value, bool) and not low <= value <= high:
            out.append((key, f"[{section}] {key} must be from {low:g} to {high:g}"))
        if key in CHOICES and value not in CHOICES[key]:
            out.append((key, f"[{section}] {key} must be one of: {', '.join(CHOICES[key])}"))
    return out


def read_fontsets(toml: TomlFile, table, base: dict[str, FontSet] | None = None) -> dict[str, FontSet]:
    """The [fonts.NAME] tables of a theme or book.toml, checked, each knowing its line. A table that
    changes a set of ``base`` (the default theme's) needs to name only what it changes."""
    out = {}
    if not isinstance(table, dict):
        toml.sink.error("'fonts' must be [fonts.NAME] tables", toml.pos("", "fonts"))
        return out
    for set_name, fontset in table.items():
        where = toml.pos(f"fonts.{set_name}")
        if not isinstance(fontset, dict):
            toml.sink.error(f"fonts.{set_name} must be a table", where)
            continue
        before = len(toml.sink.errors)
        toml.check_keys(f"fonts.{set_name}", fontset, _FONTSET_KEYS)
        inherited = (base or {}).get(set_name)
        if inherited is not None:
            fontset = {"family": inherited.family, "regular": inherited.regular, "bold": inherited.bold,
                       "system": inherited.system, **fontset}
        for key in _REQUIRED_FONTSET_KEYS:
            if key not in fontset:
                toml.sink.error(f"[fonts.{set_name}] needs '{key}'", where)
        for key in ("regular", "bold"):
            if isinstance(fontset.get(key), int) and not 1 <= fontset[key] <= 1000:
                toml.sink.error(f"[fonts.{set_name}] {key} must be a weight from 1 to 1000",
                                toml.pos(f"fonts.{set_name}", key))
        if len(toml.sink.errors) == before:
            out[set_name] = FontSet(**fontset, pos=toml.pos(f"fonts.{set_name}", "family"))
    return out


def _read(path: Path, project_root: Path, sink: Sink, base_fonts: dict[str, FontSet] | None = None) -> dict | None:
    shown = relative(path, project_root)
    if not path.is_file():
        sink.error("theme not found", SourcePos(shown), f"themes are the .toml files in {path.parent.name}/")
        return None
    before = len(sink.errors)
    toml = TomlFile(path, shown, sink)
    data = toml.data
    for section, value in data.items():
        if section == "fonts":
            data["fonts"] = read_fontsets(toml, value, base_fonts)
        elif section in SCHEMA and isinstance(value, dict):
            toml.check_keys(section, value, SCHEMA[section])
        else:
            sink.error(f"unknown theme section [{section}]", toml.pos(section),
                       f"sections: {', '.join(list(SCHEMA) + ['fonts'])}")
    for key, value in data.get("colors", {}).items():
        if isinstance(value, str) and not _COLOR.match(value):
            sink.error(f"colour '{key}' must look like #1a2b3c", toml.pos("colors", key))
    for section in SCHEMA:
        for key, message in out_of_range(section, data[section]) if isinstance(data.get(section), dict) else ():
            sink.error(message, toml.pos(section, key))
    body = data.get("body") if isinstance(data.get("body"), dict) else {}
    size, leading = body.get("size"), body.get("leading")
    if isinstance(size, _NUMBER) and isinstance(leading, _NUMBER) and leading < 1.2 * size:  # lines would touch
        sink.error(f"[body] leading {leading:g} is less than 1.2 times the size {size:g}: Chinese lines would touch",
                   toml.pos("body", "leading"), f"a leading of {1.6 * size:g} to {1.8 * size:g} suits Chinese text")
    return data if len(sink.errors) == before else None
