"""Data to pre-fill worksheets with: records read from YAML, JSON or CSV, checked against the fields
and formatted for the edition's locale (Babel, through :mod:`handbook.locale`).

A record maps field names (in any case: ``Holder_Name`` is ``holder_name``) to values; an empty or
null value leaves its field blank. CSV: one record per row, the header row names the fields; the
delimiter is the comma, or a tab or semicolon when the header row has no comma (so a one-column
file is read with commas). YAML/JSON: one mapping, or a list of them. At most 64 MB.

Files are UTF-8 (with or without a byte-order mark) or UTF-16/UTF-32 with one; anything else, NUL
characters included, is reported with what to do. Values are read as written: PyYAML only parses
(events, with libyaml where it is built) and never constructs a value, so ``2026-02-30`` or ``010``
stay text for the field's own check; YAML aliases are never expanded (no "billion laughs"); a list or
mapping inside a field's value is refused as soon as it opens, so deep nesting costs nothing; merge
keys (``<<: *base``) work. JSON numbers are likewise kept as written. Every key keeps its line, and a
key written twice is an error.

Values are typed by their field:

* text and multiline: the text (tabs become spaces), without control characters; at most
  :data:`MAX_TEXT` characters.
* date: ``2026-11-28``, also ``2026/11/28``, ``2026.11.28`` and ``2026年11月28日`` (year first, so the
  order is never in doubt; one-digit months and days allowed; full-width digits read as ASCII).
  ``11/28/2026`` and ``28/11/2026`` are refused: which is the month cannot be known; so is a Minguo
  year (``115/11/28``). An ISO date with a time (``2026-11-28 10:00``) gives its date.
* money and number: as copied from a statement, in the edition's locale: ``1,234.50``, ``¥1,234.50``,
  ``1234.5元``, ``RMB 1,234.50``, full-width digits; see :func:`handbook.locale.parse_amount` for the
  rules (thousands separators where the locale puts them; another currency is refused; at most the
  currency's decimals; negative values allowed, as before).
* checkbox: true/false, yes/no, y/n, on/off, 1/0, x, ✓, 是/否.

Records hold personal data: no message here ever quotes a value, only the record and field names
(and a key only when it looks like a field name: a CSV without its header row has data there).
Every message has a line.

Text is filled in as written, never converted: a person's name or address written in one script is
not the other script's text (发 is 發 or 髮, 后 is 後 or 后). Data in the other script than an edition's
(Simplified values in zh-Hant's worksheet: without --variant every edition is filled from one file) is
a warning per edition, at its first value, with which --variant fills the data's own (:func:`check_script`).
"""
from __future__ import annotations

import bisect
import csv
import datetime as dt
import difflib
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path


from .. import locale, variants, yamlread
from ..diagnostics import Sink, SourcePos, relative
from ..sheet import Field, Worksheet
from ..yamlread import Node as _Node

_TRUE = {"true", "yes", "y", "on", "1", "x", "✓", "√", "是"}
_FALSE = {"false", "no", "n", "off", "0", "", "否"}
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")  # what a field name can be (syntax.py), for quoting keys
_DATE = re.compile(r"^(\d{4})\s*(?:([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]?)$",
                   re.ASCII)
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d", re.ASCII)
_DAY_FIRST = re.compile(r"^\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{2,4}$", re.ASCII)
FORMATS = (".csv", ".json", ".yaml", ".yml")
MAX_BYTES = 64 * 1024 * 1024  # a data file larger than this is not a list of clients
MAX_TEXT = 4000  # characters: more than the largest writing area holds
MAX_DEPTH = 3  # YAML/JSON: a list of records, a record, a (refused) list or mapping as a value


@dataclass(frozen=True)
class Record:
    number: int  # 1-based, as people count rows
    pos: SourcePos  # the data file, and the record's line
    values: dict  # field name -> raw value (str, bool or None; [] or {} for a list or mapping written as a value)
    lines: dict  # field name -> line of the key (or cell) in the file

    def where(self, name: str) -> SourcePos:
        line = self.lines.get(name)
        return SourcePos(self.pos.path, line) if line else self.pos


class _Problem(Exception):
    """A located problem in a data file: stops reading it."""

    def __init__(self, message: str, line: int, col: int = 0):
        super().__init__(message)
        self.message, self.line, self.col = message, max(line, 1), col


def load_records(path: Path, root: Path, sink: Sink) -> list[Record]:
    """Records of a data file, or [] after reporting why it cannot be read. Problems with single
    records or keys are reported and the other records returned."""
    shown = relative(path, root)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        sink.error("fill data must be a .csv, .json or .yaml file", SourcePos(shown, 1))
        return []
    try:
        if path.stat().st_size > MAX_BYTES:
            raise _Problem(f"the fill data file is larger than {MAX_BYTES // 2 ** 20} MB", 1)
        text = decode(path.read_bytes())
        if suffix == ".csv":
            return _csv_records(text, shown, sink)
        items = _json_items(text) if suffix == ".json" else _yaml_items(text)
    except OSError as exc:
        sink.error(f"cannot read fill data: {exc.strerror or 'unreadable'}", SourcePos(shown, 1))
        return []
    except _Problem as problem:
        sink.error(problem.message, SourcePos(shown, problem.line, problem.col))
        return []
    return _records(items, shown, sink)


def decode(data: bytes) -> str:
    """The text of a data file: UTF-8 (a BOM is dropped), or UTF-16/32 with a BOM; _Problem otherwise."""
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                       (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"\xef\xbb\xbf", "utf-8")):
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise _Problem(f"not valid {codec.upper()[:6]} text", _line_of(data, len(bom) + exc.start, codec)) from None
            break
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if b"\x00" in data:
                raise _Problem(_NUL, data[:data.index(b"\x00")].count(b"\n") + 1) from None
            hint = ""
            try:
                data.decode("gb18030")
                hint = " (it may be GBK/GB18030: in Excel, save as 'CSV UTF-8')"
            except UnicodeDecodeError:
                pass
            raise _Problem(f"not UTF-8 text{hint}: save the file as UTF-8", data[:exc.start].count(b"\n") + 1) from None
    text = text[1:] if text.startswith("\ufeff") else text  # a second BOM, written by a program as text
    if "\x00" in text:
        raise _Problem(_NUL, text[:text.index("\x00")].count("\n") + 1)
    return text


_NUL = "the file holds NUL characters (is it UTF-16 without a byte-order mark?): save it as UTF-8"


def _line_of(data: bytes, offset: int, codec: str) -> int:
    """The line of byte ``offset`` in ``data`` written in ``codec``."""
    if codec == "utf-8":
        return data[:offset].count(b"\n") + 1
    width = 4 if "32" in codec else 2
    return data[:offset - offset % width].decode(codec, errors="replace").count("\n") + 1


# -- YAML ------------------------------------------------------------------------------------------
def _yaml_items(text: str) -> _Node:
    """The document's top node (see :func:`yamlread.compose`)."""
    try:
        return yamlread.compose(text, MAX_DEPTH)
    except yamlread.YamlError as exc:
        raise _Problem(exc.message, exc.line) from None


# -- JSON ------------------------------------------------------------------------------------------
class _Pairs(list):
    """A JSON object as json.loads hands it over: its (key, value) pairs in order, duplicates kept."""


_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:]')


def _json_items(text: str) -> _Node:
    """The document as _Nodes with lines; numbers are kept as written (json.loads only checks them)."""
    try:
        data = json.loads(text, object_pairs_hook=_Pairs, parse_int=str, parse_float=str, parse_constant=str)
    except json.JSONDecodeError as exc:
        raise _Problem(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        data = None  # nested too deeply: _json_lines says where
    events = iter(_json_lines(text))
    if data is None:
        raise _Problem("nested too deeply: a field takes one value, not a list or mapping", 1)
    return _json_node(data, 0, events)


def _json_lines(text: str) -> list[int]:
    """Lines of what _json_node needs, in document order: the start of every array or object above
    MAX_DEPTH, and every key of an object at depth 0 or 1 (a record). _Problem where nesting is too deep."""
    newlines = [m.start() for m in re.finditer("\n", text)]
    out, open_, last = [], [], None  # open_: the open containers' kinds
    for token in _JSON_TOKENS.finditer(text):
        mark = token.group()
        if mark in "{[":
            line = bisect.bisect(newlines, token.start()) + 1
            if len(open_) >= MAX_DEPTH:
                raise _Problem("nested too deeply: a field takes one value, not a list or mapping", line)
            out.append(line)
            open_.append(mark)
        elif mark in "}]":
            if open_:
                open_.pop()
        elif mark == ":":
            if last is not None and len(open_) <= 2:
                out.append(bisect.bisect(newlines, last) + 1)
        last = token.start() if mark.startswith('"') else None
    return out


def _json_node(value, depth: int, lines) -> _Node:
    if isinstance(value, _Pairs):
        node = _Node("map", next(lines, 1), [])
        if depth < 2:
            for key, item in value:
                key_node = _Node("scalar", next(lines, 1), key)
                node.value.append((key_node, _json_node(item, depth + 1, lines)))
        return node
    if isinstance(value, list):
        node = _Node("seq", next(lines, 1), [])
        if depth < 2:
            node.value.extend(_json_node(item, depth + 1, lines) for item in value)
        return node
    return _Node("scalar", 0, value)


# -- records ---------------------------------------------------------------------------------------
def _records(top: _Node, shown: str, sink: Sink) -> list[Record]:
    """The records of a YAML or JSON document; problems reported at their lines."""
    if top.kind == "scalar" or (top.kind == "seq" and not top.value):
        sink.error("fill data must be a mapping of field names to values, or a list of such mappings",
                   SourcePos(shown, top.line or 1))
        return []
    records = []
    for number, item in enumerate(top.value if top.kind == "seq" else [top], start=1):
        if item.kind != "map":
            sink.error(f"record {number} is not a mapping of field names to values",
                       SourcePos(shown, item.line or top.line or 1))
            continue
        values, lines, first = {}, {}, {}
        try:
            pairs = _flatten(item, set())
        except _Problem as problem:
            sink.error(f"record {number}: {problem.message}", SourcePos(shown, problem.line))
            continue
        for key, value, own in pairs:
            if key.kind != "scalar" or not isinstance(key.value, str):
                sink.error(f"record {number}: a field name must be text, not a list, mapping or empty key",
                           SourcePos(shown, key.line))
                continue
            name = key.value.strip()
            if own and name in first:
                sink.error(f"record {number}: {_shown(name)} is written twice (also at line {first[name]})",
                           SourcePos(shown, key.line))
                continue
            if own:
                first[name] = key.line
            values[name] = value.value if value.kind == "scalar" else {} if value.kind == "map" else []
            lines[name] = key.line
        records.append(Record(number, SourcePos(shown, item.line), values, lines))
    return records


def _flatten(item: _Node, visiting: set) -> list[tuple[_Node, _Node, bool]]:
    """(key, value, written in this mapping) of a mapping, YAML merge keys ('<<: *base') first so that
    the mapping's own keys win; earlier merged mappings win over later ones, as YAML says."""
    visiting = visiting | {id(item)}
    merged, own = [], []
    for key, value in item.value:
        if key.merge:
            sources = [value] if value.kind == "map" else value.value if value.kind == "seq" else []
            if not sources or any(source.kind != "map" for source in sources):
                raise _Problem("'<<' merges a mapping ('<<: *name') or a list of them", key.line)
            for source in reversed(sources):
                if id(source) not in visiting:
                    merged.extend((k, v, False) for k, v, _ in _flatten(source, visiting))
        else:
            own.append((key, value, True))
    return merged + own


def _shown(name: str) -> str:
    """A key as messages name it: quoted if it can be a field name, else not (it may be data)."""
    return f"field '{name}'" if _NAME.match(name) else "a key that is not a field name"


# -- CSV -------------------------------------------------------------------------------------------
def _csv_records(text: str, shown: str, sink: Sink) -> list[Record]:
    first_line = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", "\t", ";") if d in first_line), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records, header, end = [], None, 0
    try:
        for row in reader:
            start, end = end + 1, reader.line_num
            if header is None:
                header = [name.strip() for name in row]
                for name in sorted({n for n in header if n and header.count(n) > 1}):
                    sink.error(f"{_shown(name).replace('field', 'column', 1)} appears twice in the header",
                               SourcePos(shown, start))
                continue
            if not any(cell.strip() for cell in row):
                continue
            number = len(records) + 1
            if any(cell.strip() for cell in row[len(header):]):
                sink.error(f"record {number}: the row has more cells than the header names ({len(header)})",
                           SourcePos(shown, start), "a value with a comma in it needs quotes: \"1,234.50\"")
            unnamed = next((i for i, (name, cell) in enumerate(zip(header, row), 1) if not name and cell.strip()), 0)
            if unnamed:
                sink.error(f"record {number}: column {unnamed} has a value but no name in the header",
                           SourcePos(shown, start))
            values = {name: cell for name, cell in zip(header, row) if name and cell.strip()}
            records.append(Record(number, SourcePos(shown, start), values, {name: start for name in values}))
    except csv.Error as exc:
        sink.error(f"cannot read the CSV file: {exc}", SourcePos(shown, reader.line_num or 1))
        return []
    if header is None:
        sink.error("the CSV file is empty: its first row names the fields", SourcePos(shown, 1))
        return []
    if not records:
        sink.error("the CSV file has no rows to fill in", SourcePos(shown, 1))
    return records


# -- values ----------------------------------------------------------------------------------------
def parse_value(field: Field, raw, loc=None, currency: str = "") -> str | bool | dt.date | Decimal:
    """The typed value of ``raw`` for ``field``; ValueError saying what was expected (never the value).
    ``loc`` (a Babel locale) and ``currency`` read amounts and numbers; without ``loc``, zh_Hans_CN."""
    kind = field.kind
    if isinstance(raw, (dict, list, tuple, set)):
        raise ValueError("a field takes one value, not a list or mapping")
    if kind == "checkbox":
        if isinstance(raw, bool):
            return raw
        text = unicodedata.normalize("NFKC", str(raw)).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ValueError("not a checkbox value (use true/false, yes/no, 1/0 or x)")
    if isinstance(raw, bool):
        raise ValueError(f"a {kind} field cannot take true/false")
    if kind == "date":
        return _date(raw)
    if kind in ("money", "number"):
        return _amount(raw, kind, loc, currency)
    text = str(raw).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").strip()
    if len(text) > MAX_TEXT:
        raise ValueError(f"the value is too long for any blank (more than {MAX_TEXT} characters)")
    if kind != "multiline" and "\n" in text:
        raise ValueError("a one-line field cannot hold line breaks")
    bad = next((i for i, ch in enumerate(text, 1) if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cs")), 0)
    if bad:
        raise ValueError(f"character {bad} of the value is a control character or half a surrogate pair")
    return text


def _date(raw) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    if len(text) > 64:
        raise ValueError("not a date (write it as YYYY-MM-DD, e.g. 2026-11-28, or 2026年11月28日)")
    text = unicodedata.normalize("NFKC", text)
    match = _DATE.match(text)
    if match is None and _ISO_TIME.match(text):
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            pass
        match = _DATE.match(text[:10])
    if match is None:
        if _DAY_FIRST.match(text):
            raise ValueError("not a date: the year must come first (day and month could be either way round), "
                             "e.g. 2026-11-28")
        raise ValueError("not a date (write it as YYYY-MM-DD, e.g. 2026-11-28, or 2026年11月28日)")
    year, month, day = match[1], match[3] or match[5], match[4] or match[6]
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError("not a date: there is no such day (check the month and the day)") from None


def _amount(raw, kind: str, loc, currency: str) -> Decimal:
    if isinstance(raw, Decimal) or isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    else:
        value = locale.parse_amount(str(raw), loc or locale.parse_locale("zh_Hans_CN"),
                                    (currency or "CNY") if kind == "money" else None)
    if not value.is_finite() or abs(value) >= Decimal(10) ** 15:
        raise ValueError(f"not {'an amount' if kind == 'money' else 'a number'} (too large)")
    return value


def format_value(field: Field, value, loc, currency: str) -> str | bool:
    """What is printed for a typed value: Babel's formats for the edition's locale."""
    if field.kind == "date":
        return locale.long_date(value, loc)
    if field.kind == "money":
        return locale.money(value, currency, loc)
    if field.kind == "number":
        return locale.number(value, loc)
    return value


def check_record(record: Record, sheet: Worksheet, loc, sink: Sink) -> dict[str, str | bool]:
    """Field name -> printed value of one record (unticked boxes and empty values left out)."""
    out: dict[str, str | bool] = {}
    names = [f.name for f in sheet.fields]
    seen: set[str] = set()
    for key, raw in record.values.items():
        field = sheet.field(key) or sheet.field(key.lower())  # a spreadsheet's 'Holder_Name' column
        if field is None:
            if not _NAME.match(key):
                sink.error(f"record {record.number}: a key that is not a field name", record.where(key),
                           "field names are in the worksheet's {#name}; is the CSV file's header row missing?")
                continue
            close = difflib.get_close_matches(key, names, n=1)
            sink.error(f"record {record.number}: unknown field '{key}'", record.where(key),
                       f"did you mean '{close[0]}'?" if close else "field names are in the worksheet's {#name}")
            continue
        name = field.name
        if name in seen:
            sink.error(f"record {record.number}: field '{name}' is written twice (in another case)", record.where(key))
            continue
        seen.add(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):  # empty: left blank, as in CSV
            continue
        try:
            value = parse_value(field, raw, loc, sheet.currency)
        except ValueError as exc:
            sink.error(f"record {record.number}, field '{name}': {exc}", record.where(key))
            continue
        if value is False or value == "":
            continue
        out[name] = format_value(field, value, loc, sheet.currency)
    return out


# -- script ----------------------------------------------------------------------------------------
# What the other script is, character by character (variants.foreign_characters: OpenCC, in context and
# on its own). For a Traditional edition, a character every Traditional standard writes otherwise (OpenCC's,
# Taiwan's, Hong Kong's): a region's own forms are Traditional too (台 in Taiwan, 温 in Hong Kong, 峰 that
# OpenCC's orthodox table writes 峯), and which region's forms a client's name or address has is theirs.
SCRIPT_CHECKS = {"Hant": ("s2t", "s2tw", "s2hk"), "Hans": ("t2s",)}
SCRIPT_NAMES = {"Hans": "Simplified", "Hant": "Traditional"}
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def other_script(text: str, script: str | None) -> int:
    """The 1-based position of the first character of ``text`` that belongs to the script other than
    ``script`` ('Hans' or 'Hant'), or 0."""
    configs = SCRIPT_CHECKS.get(script or "")
    if not configs or not _HAN.search(text):
        return 0
    either = variants.kept_as_an_option("STCharacters" if script == "Hant" else "TSCharacters")
    offsets = None
    for config in configs:
        found = {offset for offset, char, _ in variants.foreign_characters(text, config) if char not in either}
        offsets = found if offsets is None else offsets & found
        if not offsets:
            return 0
    return min(offsets) + 1


def check_script(values: list[tuple[Record, dict]], edition: str, loc, sink: Sink,
                 editions: dict[str, str] | None = None, chosen: bool = False) -> None:
    """One warning if values to fill ``edition``'s worksheet (locale ``loc``) are written in the other
    script: at the first such value, counting the others, never quoting one. ``editions``: the book's
    editions and their locales, to name those written in the data's script; ``chosen``: the editions
    were chosen (--variant), so the hint is not to choose one."""
    script = loc.script
    if script not in SCRIPT_NAMES:
        return
    found = [(record, name, position) for record, printed in values for name, value in printed.items()
             if isinstance(value, str) and (position := other_script(value, script))]
    if not found:
        return
    record, name, position = found[0]
    other = next(s for s in SCRIPT_NAMES if s != script)
    more = len(found) - 1
    message = (f"record {record.number}, field '{name}': character {position} of the value is a "
               f"{SCRIPT_NAMES[other]} character, but edition {edition} is written in {SCRIPT_NAMES[script]} Chinese"
               + (f" (and {more} more value{'s' if more != 1 else ''} in this file)" if more else ""))
    theirs = [name for name, tag in (editions or {}).items() if _script(tag) == other]
    fill_theirs = " or ".join(f"--variant {name}" for name in theirs)
    if not chosen:
        hint = ("without --variant, every edition is filled with the same data: "
                + (f"fill only the data's own edition with {fill_theirs}" if theirs else
                   f"pass --variant to fill only the editions the data is written for"))
    else:
        hint = f"write the values in {SCRIPT_NAMES[script]} Chinese" + (
            f", or fill the data's own edition ({fill_theirs})" if theirs else "")
    sink.warning(message, record.where(name), hint, "values are filled in as written, never converted")


def _script(tag: str) -> str | None:
    try:
        return locale.parse_locale(tag).script
    except ValueError:
        return None
