"""Data to pre-fill worksheets with: records read from YAML, JSON or CSV, checked against the fields
and formatted for the edition's locale (Babel, through :mod:`handbook.locale`).

A record maps field names to values. CSV: one record per row, the header row names the fields, an
empty cell leaves its field blank. YAML/JSON: one mapping, or a list of them. Values are typed by
their field: text, multiline, date (``2026-11-28``), money and number (``1234.5``; no thousands
separators, so that ``1,234`` cannot mean two things), checkbox (true/false, yes/no, 1/0, x).

Records hold personal data: no message here ever quotes a value, only the record and field names.
"""
from __future__ import annotations

import csv
import datetime as dt
import difflib
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from .. import locale
from ..diagnostics import Sink, SourcePos, relative
from .sheet import Field, Worksheet

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_TRUE = {"true", "yes", "y", "1", "x", "✓", "√", "是"}
_FALSE = {"false", "no", "n", "0", "", "否"}
FORMATS = (".csv", ".json", ".yaml", ".yml")


@dataclass(frozen=True)
class Record:
    number: int  # 1-based, as people count rows
    pos: SourcePos  # the data file, and the record's line where it is known
    values: dict  # field name -> raw value (str, number, bool, date)
    lines: dict  # field name -> line of the key in the file (YAML/JSON), when it can be found

    def where(self, name: str) -> SourcePos:
        line = self.lines.get(name)
        return SourcePos(self.pos.path, line) if line else self.pos


def load_records(path: Path, root: Path, sink: Sink) -> list[Record]:
    """Records of a data file, or [] after reporting why it cannot be read."""
    shown = relative(path, root)
    if path.suffix.lower() not in FORMATS:
        sink.error("fill data must be a .csv, .json or .yaml file", SourcePos(shown))
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not valid UTF-8"
        sink.error(f"cannot read fill data: {reason}", SourcePos(shown))
        return []
    if path.suffix.lower() == ".csv":
        return _csv_records(text, shown, sink)
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        sink.error(f"invalid JSON: {exc.msg}", SourcePos(shown, exc.lineno, exc.colno))
        return []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        sink.error(f"invalid YAML: {getattr(exc, 'problem', None) or 'syntax error'}",
                   SourcePos(shown, mark.line + 1 if mark else 0))
        return []
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(item, dict) for item in items):
        sink.error("fill data must be a mapping of field names to values, or a list of such mappings",
                   SourcePos(shown))
        return []
    lines = text.split("\n")
    records, cursor = [], 0
    for number, item in enumerate(items, start=1):
        found = {}
        for key in item:
            line = _key_line(lines, str(key), cursor)
            if line:
                found[str(key)] = line
        start = min(found.values(), default=0)
        cursor = max(found.values(), default=cursor)
        records.append(Record(number, SourcePos(shown, start), {str(k): v for k, v in item.items()}, found))
    return records


def _key_line(lines: list[str], key: str, start: int) -> int:
    """The first line at or after ``start`` (0-based) that writes ``key`` as a key; 0 if none."""
    pattern = re.compile(r'^\s*(-\s*)?["\']?' + re.escape(key) + r'["\']?\s*:')
    for number in range(start, len(lines)):
        if pattern.match(lines[number]):
            return number + 1
    return 0


def _csv_records(text: str, shown: str, sink: Sink) -> list[Record]:
    reader = csv.reader(text.splitlines())
    try:
        header = next(reader)
    except StopIteration:
        sink.error("the CSV file is empty: its first row names the fields", SourcePos(shown, 1))
        return []
    header = [name.strip() for name in header]
    for name in {n for n in header if header.count(n) > 1}:
        sink.error(f"column '{name}' appears twice", SourcePos(shown, 1))
    records = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            sink.error(f"row {len(records) + 1} has more cells than the header", SourcePos(shown, reader.line_num))
        values = {name: cell for name, cell in zip(header, row) if name and cell.strip()}
        records.append(Record(len(records) + 1, SourcePos(shown, reader.line_num), values, {}))
    if not records:
        sink.error("the CSV file has no rows to fill in", SourcePos(shown, 1))
    return records


# -- values ----------------------------------------------------------------------------------------
def parse_value(field: Field, raw) -> str | bool | dt.date | Decimal:
    """The typed value of ``raw`` for ``field``; ValueError saying what was expected (never the value)."""
    kind = field.kind
    if kind == "checkbox":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ValueError("not a checkbox value (use true/false, yes/no, 1/0 or x)")
    if isinstance(raw, bool):
        raise ValueError(f"a {kind} field cannot take true/false")
    if kind == "date":
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        try:
            return dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            raise ValueError("not a date (write it as YYYY-MM-DD, e.g. 2026-11-28)") from None
    if kind in ("money", "number"):
        text = str(raw).strip()
        if isinstance(raw, float):
            text = repr(raw)
        if not _NUMBER.match(text):
            raise ValueError(f"not {'an amount' if kind == 'money' else 'a number'} "
                             "(write digits with an optional decimal point, e.g. 1234.50)")
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError("not a number") from None
    if isinstance(raw, (dict, list)):
        raise ValueError("a text field takes text, not a list or mapping")
    text = str(raw).replace("\r\n", "\n").strip()
    if kind != "multiline" and "\n" in text:
        raise ValueError("a one-line field cannot hold line breaks")
    return text


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
    for name, raw in record.values.items():
        field = sheet.field(name)
        if field is None:
            close = difflib.get_close_matches(name, names, n=1)
            sink.error(f"record {record.number}: unknown field '{name}'", record.where(name),
                       f"did you mean '{close[0]}'?" if close else "field names are in the worksheet's {#name}")
            continue
        if raw is None:
            continue
        try:
            value = parse_value(field, raw)
        except ValueError as exc:
            sink.error(f"record {record.number}, field '{name}': {exc}", record.where(name))
            continue
        if value is False or value == "":
            continue
        out[name] = format_value(field, value, loc, sheet.currency)
    return out
