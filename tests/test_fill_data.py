"""Pre-fill data as people write it (issue 13, item 7): values as copied from statements, and the YAML,
JSON and CSV readers, which end every oddity of a data file in a located message that never quotes a
value. Fast in-process tables, a fuzz of the three readers, and one real ``build.py --fill`` run.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_build
from handbook import locale
from handbook.diagnostics import Sink, SourcePos
from handbook.worksheet import fill
from handbook.sheet import Field, Worksheet

KINDS = {"holder_name": "text", "due_date": "date", "overdue_amount": "money", "overdue_days": "number",
         "reason_health": "checkbox", "reason_summary": "multiline", "filled_on": "date"}
FIELDS = {name: Field(name, kind, 0, name, SourcePos("worksheet.md", 1)) for name, kind in KINDS.items()}
SHEET = Worksheet("工作表", (), tuple(FIELDS.values()), "CNY", None)
HANS, HANT = locale.parse_locale("zh_Hans_CN"), locale.parse_locale("zh_Hant_TW")


def printed(name: str, raw, loc=HANS):
    """What is printed for ``raw`` in field ``name``, or the message of the ValueError."""
    field = FIELDS[name]
    try:
        return fill.format_value(field, fill.parse_value(field, raw, loc, SHEET.currency), loc, SHEET.currency)
    except ValueError as exc:
        return f"error: {exc}"


# -- values ----------------------------------------------------------------------------------------
ACCEPTED = [
    # amounts as copied from statements: printed in the edition's format
    ("overdue_amount", "1,234.50", HANS, "¥1,234.50"),
    ("overdue_amount", "¥1,234.50", HANS, "¥1,234.50"),
    ("overdue_amount", "￥1,234.50", HANS, "¥1,234.50"),  # full-width yen sign
    ("overdue_amount", "1234.5元", HANS, "¥1,234.50"),
    ("overdue_amount", "1,234.50 元", HANS, "¥1,234.50"),
    ("overdue_amount", "RMB 1,234.50", HANS, "¥1,234.50"),
    ("overdue_amount", "rmb1234.5", HANS, "¥1,234.50"),
    ("overdue_amount", "CNY1234.5", HANS, "¥1,234.50"),
    ("overdue_amount", "人民币 1,234.50", HANS, "¥1,234.50"),
    ("overdue_amount", "１２３４．５", HANS, "¥1,234.50"),  # full-width digits and point
    ("overdue_amount", "１，２３４．５０元", HANS, "¥1,234.50"),
    ("overdue_amount", "1,234", HANS, "¥1,234.00"),  # a comma is never a decimal mark in zh
    ("overdue_amount", "1,234,567.8", HANS, "¥1,234,567.80"),
    ("overdue_amount", "-¥12", HANS, "-¥12.00"),
    ("overdue_amount", "¥-12", HANS, "-¥12.00"),
    ("overdue_amount", " 0.5 ", HANS, "¥0.50"),
    ("overdue_amount", "12.3元整", HANS, "¥12.30"),
    ("overdue_amount", 12.3, HANS, "¥12.30"),  # JSON/YAML numbers handed over by other callers
    ("overdue_amount", 100, HANS, "¥100.00"),
    ("overdue_amount", Decimal("3456.78"), HANS, "¥3,456.78"),
    ("overdue_amount", "1,234.50", HANT, "CN¥1,234.50"),
    ("overdue_amount", "¥1,234.50", HANT, "CN¥1,234.50"),
    ("overdue_amount", "CN¥1,234.50", HANT, "CN¥1,234.50"),
    ("overdue_amount", "1234.5元", HANT, "CN¥1,234.50"),
    ("overdue_amount", "人民幣1234.5", HANT, "CN¥1,234.50"),
    ("overdue_days", "35", HANS, "35"),
    ("overdue_days", "1,234", HANS, "1,234"),
    ("overdue_days", "１２", HANS, "12"),
    ("overdue_days", "010", HANS, "10"),
    ("overdue_days", "1.5", HANS, "1.5"),
    # dates: year first, so never in doubt
    ("due_date", "2026-11-28", HANS, "2026年11月28日"),
    ("due_date", "2026/11/28", HANS, "2026年11月28日"),
    ("due_date", "2026.11.28", HANS, "2026年11月28日"),
    ("due_date", "2026-1-5", HANS, "2026年1月5日"),
    ("due_date", "2026年11月28日", HANS, "2026年11月28日"),
    ("due_date", "2026 年 1 月 5 日", HANS, "2026年1月5日"),
    ("due_date", "２０２６年１１月２８日", HANS, "2026年11月28日"),
    ("due_date", "2026-11-28 10:30", HANS, "2026年11月28日"),
    ("due_date", "2026-11-28T10:30:00Z", HANS, "2026年11月28日"),
    ("due_date", dt.date(2026, 11, 28), HANT, "2026年11月28日"),
    # checkboxes and text
    ("reason_health", "yes", HANS, True), ("reason_health", "On", HANS, True), ("reason_health", "ｘ", HANS, True),
    ("reason_health", "否", HANS, False), ("reason_health", False, HANS, False),
    ("holder_name", "  张小梅 ", HANS, "张小梅"), ("holder_name", "no", HANS, "no"),  # a name is not a boolean
    ("holder_name", "工号\t1024", HANS, "工号 1024"),
    ("reason_summary", "第一行\r\n第二行", HANS, "第一行\n第二行"),
]


@pytest.mark.parametrize("name, raw, loc, expected", ACCEPTED, ids=[f"{n}-{r!r}" for n, r, *_ in ACCEPTED])
def test_values_as_people_write_them(name, raw, loc, expected):
    assert printed(name, raw, loc) == expected


REFUSED = [
    ("overdue_amount", "1 234,50", "not an amount: spaces between digits"),  # not zh's separators
    ("overdue_amount", "1234,50", "not an amount"),
    ("overdue_amount", "$12", "an amount in another currency than this worksheet's CNY"),
    ("overdue_amount", "USD 12", "an amount in another currency than this worksheet's CNY"),
    ("overdue_amount", "12美元", "an amount in another currency than this worksheet's CNY"),
    ("overdue_amount", "NT$100", "an amount in another currency than this worksheet's CNY"),
    ("overdue_amount", "€5", "an amount in another currency than this worksheet's CNY"),
    ("overdue_amount", "1.234", "more decimal places than CNY has (2)"),  # a European thousand?
    ("overdue_amount", "12,34.5", "not an amount: the separators are not where they belong"),
    ("overdue_amount", "1,23,4", "not an amount: the separators are not where they belong"),
    ("overdue_amount", "1e3", "not an amount ("), ("overdue_amount", "inf", "not an amount ("),
    ("overdue_amount", "NaN", "not an amount ("), ("overdue_amount", "1_000", "not an amount ("),
    ("overdue_amount", "(123)", "not an amount ("), ("overdue_amount", "--12", "not an amount ("),
    ("overdue_amount", "１２ 块 钱", "not an amount"), ("overdue_amount", "一千", "not an amount ("),
    ("overdue_amount", "9" * 80, "not an amount: longer than 64 characters"),
    ("overdue_amount", "9" * 40, "not an amount (too large)"),
    ("overdue_amount", float("inf"), "not an amount (too large)"),
    ("overdue_amount", True, "a money field cannot take true/false"),
    ("overdue_amount", [1, 2], "a field takes one value, not a list or mapping"),
    ("overdue_days", "¥12", "a number field takes a plain number, not an amount of money"),
    ("overdue_days", "十二", "not a number ("),
    ("overdue_days", "12天", "not a number ("),
    ("due_date", "2026-02-30", "not a date: there is no such day"),
    ("due_date", "2026-13-45", "not a date: there is no such day"),
    ("due_date", "2026年2月29日", "not a date: there is no such day"),
    ("due_date", "11/28/2026", "not a date: the year must come first"),
    ("due_date", "28.11.2026", "not a date: the year must come first"),
    ("due_date", "115/11/28", "not a date (write it as YYYY-MM-DD"),  # the Minguo year is not guessed
    ("due_date", "下周一", "not a date (write it as YYYY-MM-DD"),
    ("due_date", "2026-00", "not a date (write it as YYYY-MM-DD"),
    ("due_date", {"y": 2026}, "a field takes one value"),
    ("reason_health", "maybe", "not a checkbox value"),
    ("holder_name", "张\x00三", "character 2 of the value is a control character"),
    ("holder_name", "张\ud800三", "character 2 of the value is a control character or half a surrogate pair"),
    ("holder_name", "第一行\n第二行", "a one-line field cannot hold line breaks"),
    ("holder_name", True, "a text field cannot take true/false"),
    ("reason_summary", "长" * 5000, "the value is too long for any blank"),
]


@pytest.mark.parametrize("name, raw, message", REFUSED, ids=[f"{n}-{str(r)[:20]!r}" for n, r, _ in REFUSED])
def test_values_refused_with_a_reason_that_does_not_quote_them(name, raw, message):
    result = printed(name, raw)
    assert result.startswith("error: " + message), result
    if isinstance(raw, str) and len(raw) >= 3:
        assert raw not in result and raw.strip()[:6] not in result[7:]


@pytest.mark.parametrize("text, loc, expected", [
    ("1.234,50", "de_DE", Decimal("1234.50")), ("1 234,50", "fr_FR", Decimal("1234.50")),
    ("1\u202f234,50 €", "fr_FR", Decimal("1234.50")), ("12,5", "de_DE", Decimal("12.5")),
    ("1.234", "de_DE", "ambiguous"), ("1,234", "de_DE", "ambiguous"), ("1,234", "fr_FR", "ambiguous"),
    ("1,234.50", "de_DE", "not an amount"), ("1.234,50", "fr_FR", "not an amount"),
])
def test_where_the_decimal_mark_is_a_comma_a_lone_separator_before_three_digits_is_ambiguous(text, loc, expected):
    try:
        result = locale.parse_amount(text, locale.parse_locale(loc), "EUR")
    except ValueError as exc:
        result = str(exc)
    assert result == expected if isinstance(expected, Decimal) else result.startswith(expected), result


# -- the readers -----------------------------------------------------------------------------------
def read(tmp_path: Path, name: str, data: str | bytes) -> tuple[list[dict], list[str]]:
    """The printed values of every record of a data file, and the diagnostics as build.py shows them."""
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    sink = Sink()
    records = fill.load_records(path, tmp_path, sink)
    values = [fill.check_record(record, SHEET, HANS, sink) for record in records]
    return values, [str(d) for d in sink.items]


RECORD = "holder_name: 张小梅\nfilled_on: 2026-11-28\noverdue_amount: ¥1,234.50\nreason_health: yes\n"
GOOD = {"holder_name": "张小梅", "filled_on": "2026年11月28日", "overdue_amount": "¥1,234.50", "reason_health": True}
BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
READERS = [
    # YAML: PyYAML never builds the date, our check reports it at its line
    ("data.yaml", "holder_name: 张三\ndue_date: 2026-02-30\n", [],
     ["data.yaml:2: error: record 1, field 'due_date': not a date: there is no such day (check the month and the day)"]),
    ("data.yaml", RECORD, [GOOD], []),
    ("data.yaml", "\ufeff" + RECORD, [GOOD], []),
    ("data.yaml", ("\ufeff" + RECORD).encode("utf-16"), [GOOD], []),  # BOM, UTF-16
    ("data.yaml", RECORD.replace("\n", "\r\n").encode("utf-32"), [GOOD], []),
    ("data.yaml", "due_date: 2026-11-28 10:30:00\noverdue_days: 010\nholder_name: no\n",
     [{"due_date": "2026年11月28日", "overdue_days": "10", "holder_name": "no"}], []),
    ("data.yaml", "holder_name: ~\noverdue_amount: ''\nreason_health: false\n", [{}], []),
    ("data.yaml", "holder_name: 甲\noverdue_days: 3\nholder_name: 乙\n", [],
     ["data.yaml:3: error: record 1: field 'holder_name' is written twice (also at line 1)"]),
    ("data.yaml", "holder_name: 甲\n? [a, b]\n: 1\n3: x\n张三: 1\n", [],
     ["data.yaml:2: error: record 1: a field name must be text, not a list, mapping or empty key",
      "data.yaml:4: error: record 1: a key that is not a field name", "data.yaml:5: error: record 1: a key that is"]),
    ("data.yaml", "- holder_name: 甲\n- 张三\n- [1, 2]\n-\n  holder_name: [乙]\n", [],
     ["data.yaml:2: error: record 2 is not a mapping of field names to values",
      "data.yaml:3: error: record 3 is not a mapping of field names to values",
      "data.yaml:5: error: record 4, field 'holder_name': a field takes one value, not a list or mapping"]),
    ("data.yaml", "- &base\n  holder_name: 甲\n  overdue_amount: 1234.5元\n- <<: *base\n  holder_name: 乙\n",
     [{"holder_name": "甲", "overdue_amount": "¥1,234.50"}, {"holder_name": "乙", "overdue_amount": "¥1,234.50"}], []),
    ("data.yaml", "holder_name: {a: {b: [1]}}\n", [], ["data.yaml:1: error: nested too deeply"]),
    ("data.yaml", "holder_name:\n  " + "[" * 200_000, [], ["data.yaml:2: error: nested too deeply"]),
    ("data.yaml", BILLION_LAUGHS, [], ["data.yaml:1: error: record 1: unknown field 'a'"]),
    ("data.yaml", "holder_name: *x\n", [], ["data.yaml:1: error: an alias ('*') names no anchor"]),
    ("data.yaml", RECORD + "---\n" + RECORD, [], ["data.yaml:5: error: fill data must be one YAML document"]),
    ("data.yaml", "holder_name: 甲\nreason_summary: 乙\x07丙\n", [],
     ["data.yaml:2: error: invalid YAML: control characters are not allowed"]),
    ("data.yaml", "holder_name: \"张\\0三\"\n", [],
     ["data.yaml:1: error: record 1, field 'holder_name': character 2 of the value is a control character"]),
    ("data.yaml", "holder_name: [甲\nfilled_on: 2026-11-28\n", [], ["data.yaml:2: error: invalid YAML: "]),
    ("data.yaml", "", [], ["data.yaml:1: error: the YAML file is empty"]),
    ("data.yaml", "张三\n", [], ["data.yaml:1: error: fill data must be a mapping of field names to values"]),
    ("data.yaml", "# 甲\n\nholder_name: 甲\n".encode("gbk"), [],
     ["data.yaml:1: error: not UTF-8 text (it may be GBK/GB18030: in Excel, save as 'CSV UTF-8'): save the file"]),
    ("data.yaml", RECORD.encode("utf-16-le"), [], ["data.yaml:1: error: the file holds NUL characters (is it UTF-16 without a byte-order mark?)"]),
    ("data.yaml", "holder_name: 甲\nreason_summary: \x00\n", [], ["data.yaml:2: error: the file holds NUL characters"]),
    ("data.yaml", b"\xff\xfeh\x00\n\x00\x00\xd8", [], ["data.yaml:2: error: not valid UTF-16 text"]),
    ("data.yaml", b"\xef\xbb\xbfa: 1\nb: \xff\n", [], ["data.yaml:2: error: not valid UTF-8 text"]),
    ("data.yaml", "holder_name: '" + "长" * 5_000_000 + "'\n", [],
     ["data.yaml:1: error: record 1, field 'holder_name': the value is too long for any blank"]),
    # JSON: numbers kept as written, keys located even on one line
    ("data.json", json.dumps({"holder_name": "王芳", "overdue_amount": 12.3, "reason_health": True,
                              "overdue_days": "1,234", "due_date": None}, ensure_ascii=False),
     [{"holder_name": "王芳", "overdue_amount": "¥12.30", "reason_health": True, "overdue_days": "1,234"}], []),
    ("data.json", '[\n {"holder_name": "甲"},\n {"holder_name": "乙",\n  "due_date": "2026-02-30"}\n]', [],
     ["data.json:4: error: record 2, field 'due_date': not a date: there is no such day"]),
    ("data.json", '{"holder_name": "甲", "overdue_days": 1, "holder_name": "乙"}', [],
     ["data.json:1: error: record 1: field 'holder_name' is written twice (also at line 1)"]),
    ("data.json", '{"overdue_days": 1' + "0" * 5000 + ', "overdue_amount": NaN, "filled_on": 1e999}', [],
     ["data.json:1: error: record 1, field 'overdue_days': not a number: longer than 64 characters",
      "data.json:1: error: record 1, field 'overdue_amount': not an amount (",
      "data.json:1: error: record 1, field 'filled_on': not a date ("]),
    ("data.json", '[{"holder_name": "甲"}, 3, [1], {"reason_summary": {"a": 1}}]', [],
     ["data.json:1: error: record 2 is not a mapping", "data.json:1: error: record 3 is not a mapping",
      "data.json:1: error: record 4, field 'reason_summary': a field takes one value"]),
    ("data.json", '{"holder_name": [[["甲"]]]}', [], ["data.json:1: error: nested too deeply"]),
    ("data.json", '\n' + "[" * 100_000 + "]" * 100_000, [], ["data.json:2: error: nested too deeply"]),
    ("data.json", '{"holder_name": "甲",\n "due_date": }', [], ["data.json:2:14: error: invalid JSON: Expecting value"]),
    ("data.json", '"甲"', [], ["data.json:1: error: fill data must be a mapping"]),
    ("data.json", '[]', [], ["data.json:1: error: fill data must be a mapping"]),
    ("data.json", json.dumps({"holder_name": "x" * 10_000_000}), [],
     ["data.json:1: error: record 1, field 'holder_name': the value is too long for any blank"]),
    # CSV: quoted amounts with commas, ragged rows, no header, huge cells, other delimiters and encodings
    ("data.csv", 'holder_name,overdue_amount,due_date\n张三,"1,234.50",2026/11/28\n李四,¥12\n',
     [{"holder_name": "张三", "overdue_amount": "¥1,234.50", "due_date": "2026年11月28日"},
      {"holder_name": "李四", "overdue_amount": "¥12.00"}], []),
    ("data.csv", "holder_name,overdue_amount\n张三,1,234.50\n李四,5,\n", [],
     ["data.csv:2: error: record 1: the row has more cells than the header names (2)\n"
      "    hint: a value with a comma in it needs quotes: \"1,234.50\""]),
    ("data.csv", "holder_name,,overdue_days\n张三,秘密,3\n", [],
     ["data.csv:2: error: record 1: column 2 has a value but no name in the header"]),
    ("data.csv", "张三,2026-11-28,1234.5\n李四,2026-11-29,12\n", [],
     ["data.csv:2: error: record 1: a key that is not a field name\n    hint: field names are in the worksheet's "
      "{#name}; is the CSV file's header row missing?"]),
    ("data.csv", 'reason_summary,holder_name\n"第一行\n第二行",甲\n\n,乙\n,丙,\n', [],
     []),
    ("data.csv", 'holder_name,due_date\n"甲\n乙",2026-02-30\n丙,2026-02-31\n', [],
     ["data.csv:2: error: record 1, field 'holder_name': a one-line field cannot hold line breaks",
      "data.csv:2: error: record 1, field 'due_date': not a date: there is no such day",
      "data.csv:4: error: record 2, field 'due_date': not a date: there is no such day"]),
    ("data.csv", "holder_name,holder_name\n甲,乙\n", [], ["data.csv:1: error: column 'holder_name' appears twice"]),
    ("data.csv", "holder_name;overdue_amount\n张三;1234,5\n", [], ["data.csv:2: error: record 1, field 'overdue_amount'"
                                                                    ": not an amount"]),
    ("data.csv", "holder_name\toverdue_amount\r\n张三\t1,234.5\r\n".encode("utf-16"),  # Excel's "Unicode text"
     [{"holder_name": "张三", "overdue_amount": "¥1,234.50"}], []),
    ("data.csv", "\ufeffholder_name\r\n张三\r\n".encode("utf-8"), [{"holder_name": "张三"}], []),
    ("data.csv", 'holder_name\n"' + "x" * 10_000_000 + '"\n', [],
     ["data.csv:2: error: cannot read the CSV file: field larger than field limit (131072)"]),
    ("data.csv", "holder_name\n" + "长" * 100_000 + "\n", [],
     ["data.csv:2: error: record 1, field 'holder_name': the value is too long for any blank"]),
    ("data.csv", "", [], ["data.csv:1: error: the CSV file is empty"]),
    ("data.csv", "holder_name\n\n,\n", [], ["data.csv:1: error: the CSV file has no rows to fill in"]),
    ("data.csv", "holder_name\n张\x00三\n", [], ["data.csv:2: error: the file holds NUL characters"]),
    ("data.txt", "holder_name: 甲\n", [], ["data.txt:1: error: fill data must be a .csv, .json or .yaml file"]),
]


@pytest.mark.parametrize("name, data, values, messages", READERS,
                         ids=[f"{i}-{name}" for i, (name, *_) in enumerate(READERS)])
def test_data_files_read_or_reported_at_their_lines(tmp_path, name, data, values, messages):
    started = time.perf_counter()
    got, diagnostics = read(tmp_path, name, data)
    assert time.perf_counter() - started < 2  # no quadratic parsing, no alias expansion
    for message in messages:
        assert any(d.startswith(message) for d in diagnostics), (message, diagnostics)
    if not messages:
        assert diagnostics == [] and (got == values or not values), diagnostics
    for diagnostic in diagnostics:
        assert re.match(r"data\.\w+:\d+(:\d+)?: error: ", diagnostic), diagnostic
        assert not any(secret in diagnostic for secret in ("张三", "李四", "秘密", "2026-02-30", "长长"))


def test_a_multi_line_cell_keeps_the_next_rows_lines(tmp_path):
    data = 'reason_summary,overdue_days\n"第一行\n第二行",1\n\n,x\n'
    values, messages = read(tmp_path, "data.csv", data)
    assert values[0] == {"reason_summary": "第一行\n第二行", "overdue_days": "1"}
    assert messages == ["data.csv:5: error: record 2, field 'overdue_days': not a number (write digits with '.' "
                        "before the decimals, e.g. 1234.5 or 1,234.5)"]


# -- the real command ------------------------------------------------------------------------------
def test_a_bad_yaml_date_is_located_and_keeps_the_previous_output(tmp_path):
    out = tmp_path / "out"
    data = tmp_path / "record.yaml"
    data.write_text("holder_name: 张小梅\noverdue_amount: ¥1,234.50\ndue_date: 2026-11-28\n", encoding="utf-8")
    result = run_build("--fill", str(data), "--variant", "zh-Hans", "--output", str(out))
    assert result.returncode == 0, result.stderr
    previous = out / "zh-Hans" / "worksheet-filled.pdf"
    before = previous.read_bytes(), previous.stat().st_mtime_ns
    data.write_text("holder_name: 张小梅\noverdue_amount: ¥1,234.50\ndue_date: 2026-02-30\n", encoding="utf-8")
    result = run_build("--fill", str(data), "--variant", "zh-Hans", "--output", str(out))
    assert result.returncode == 1, result.stderr
    assert re.search(r"record\.yaml:3: error: record 1, field 'due_date': not a date: there is no such day",
                     result.stderr), result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert "2026-02-30" not in result.stderr + result.stdout and "张小梅" not in result.stderr + result.stdout
    assert (previous.read_bytes(), previous.stat().st_mtime_ns) == before


# -- fuzz ------------------------------------------------------------------------------------------
SECRET = "秘"  # in every generated value: no message may show it
FUZZ = settings(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck),
                max_examples=250)

_amounts = st.builds(lambda sign, mark, digits, tail: f"{sign}{mark}{digits}{tail}",
                     st.sampled_from(["", "-", "+", "−"]), st.sampled_from(["", "¥", "￥", "RMB ", "CNY", "$", "€"]),
                     st.from_regex(r"[0-9１２][0-9,.，．  ]{0,12}", fullmatch=True),
                     st.sampled_from(["", "元", " 元", "块", "USD", "%"]))
_dates = st.builds(lambda y, m, d, style: style.format(y, m, d), st.integers(0, 9999), st.integers(0, 13),
                   st.integers(0, 32), st.sampled_from(["{0}-{1:02d}-{2:02d}", "{0}/{1}/{2}", "{0}年{1}月{2}日",
                                                        "{2}/{1}/{0}", "{0}-{1}-{2}T10:00", "{0}.{1}.{2}"]))
_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_scalar = st.one_of(_amounts, _dates, _text, st.sampled_from(["yes", "no", "x", "on", "~", "null", "", "true"]),
                    st.builds(lambda ch, n: ch * n, st.sampled_from("长a,\n\"'"), st.integers(1000, 200_000)))
_values = st.one_of(_scalar.map(lambda v: SECRET + v), _scalar.map(lambda v: v + SECRET), _amounts, _dates,
                    st.sampled_from(["张小梅", "yes", "", "2026-11-28", "¥1,234.50", "1234.5元", "12"]),
                    st.booleans(), st.none(), st.integers(-10 ** 30, 10 ** 30), st.floats(),
                    st.lists(_scalar.map(lambda v: SECRET + v), max_size=3),
                    st.dictionaries(st.sampled_from(["a", "b"]), _scalar.map(lambda v: SECRET + v), max_size=2))
_keys = st.one_of(*[st.sampled_from(sorted(KINDS))] * 6, st.sampled_from(["Holder_Name", "nmae", "<<", "3", ""]),
                  st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8))
_records = st.lists(st.dictionaries(_keys, _values, max_size=6), min_size=0, max_size=4)

YAML_TRICKS = ["- &r {holder_name: 甲}\n- <<: *r\n", "a: &a [1, *a]\n", "holder_name: !!binary aGk=\n",
               "? [a]\n: b\n", "holder_name: 1\nholder_name: 2\n", "---\n", "...\n", "%YAML 1.1\n---\n", "\t",
               "holder_name: |\n  a\n b\n", "holder_name: >-\n  秘\n", "*x\n", "&a a: *a\n", "[" * 50, "{" * 50,
               "<<: [*a, 1]\n", "- - - - x\n", "holder_name: !!python/object:os.system x\n", ": :\n", "\x85", "\u2028"]


def _serialize(fmt: str, records: list[dict], one: bool, delimiter: str, quoting: int, ragged: int) -> str:
    if fmt == "json":
        return json.dumps(records[0] if one and records else records, ensure_ascii=False, default=str)
    if fmt == "yaml":
        return yaml.safe_dump(records[0] if one and records else records, allow_unicode=True)
    handle = io.StringIO()
    writer = csv.writer(handle, delimiter=delimiter, quoting=quoting)
    names = list(dict.fromkeys(k for r in records for k in r))
    writer.writerow(names)
    for number, record in enumerate(records):  # ragged: the second row stops early or runs on
        cells = [record.get(name, "") for name in names]
        writer.writerow(cells[:ragged] if number == 1 and ragged < 0 else cells + [SECRET] * ragged * (number == 1))
    return handle.getvalue()


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for position, delete, insert in edits:
        at = position % (len(data) + 1)
        data = data[:at] + insert + data[at + delete:]
    return data


_edits = st.just([]) | st.just([]) | st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(0, 3),
                            st.sampled_from([b"", b"\x00", b"\xff", b"\xe9", b"\r", b"\n", b"\"", b",", b":", b"[",
                                             b"{", b"- ", b"\t", b"\xef\xbb\xbf", "秘".encode()])), max_size=3)
_encodings = st.sampled_from(["utf-8"] * 6 + ["utf-8-sig", "utf-16", "utf-16-le", "utf-32", "gb18030"])


def _file(fmt, records, one, delimiter, quoting, ragged, tricks, encoding, edits, raw) -> tuple[str, bytes]:
    text = _serialize(fmt, records, one, delimiter, quoting, ragged)
    if fmt == "yaml" and tricks:
        text = "".join(tricks) + text
    return fmt, raw if raw is not None else _mutate(text.encode(encoding, errors="replace"), edits)


# A data file: records written by the format's own writer, then maybe mangled (encoding, edited bytes), or raw bytes.
data_files = st.builds(
    _file, fmt=st.sampled_from(["yaml", "json", "csv"]), records=_records, one=st.booleans(),
    delimiter=st.sampled_from([",", ",", ";", "\t"]), quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    ragged=st.sampled_from([0, 0, 0, -1, -3, 1, 2]), tricks=st.lists(st.sampled_from(YAML_TRICKS), max_size=2),
    encoding=_encodings, edits=_edits,
    raw=st.one_of(*[st.none()] * 7, st.binary(max_size=200)))


def fill_case(folder: Path, fmt: str, data: bytes) -> tuple[str, str]:
    """Read a data file and check its records as ``build.py --fill`` does. ("records" | "diagnostics", '')
    when the readers keep their promise; else the failure ("exception", "unlocated", "quoted") and its detail."""
    path = folder / f"data.{fmt}"
    path.write_bytes(data)
    sink = Sink()
    try:
        for record in fill.load_records(path, folder, sink):
            fill.check_record(record, SHEET, HANS, sink)
    except Exception as exc:  # what the fuzz looks for
        return "exception", f"{type(exc).__name__}: {exc}"[:300]
    for diagnostic in sink.items:
        if diagnostic.pos is None or diagnostic.pos.line < 1:
            return "unlocated", str(diagnostic)
        if SECRET in str(diagnostic):
            return "quoted", str(diagnostic)
    return ("diagnostics", str(sink.errors[0])) if sink.errors else ("records", "")


@FUZZ
@given(file=data_files)
def test_fuzz_the_readers_never_raise_and_never_quote(tmp_path_factory, file):
    folder = tmp_path_factory.getbasetemp() / "fuzz-fill"
    folder.mkdir(exist_ok=True)
    kind, detail = fill_case(folder, *file)
    assert kind in ("records", "diagnostics"), f"{kind}: {detail}"



def test_column_names_in_any_case_and_long_values_are_not_cut_to_fit(tmp_path):
    values, messages = read(tmp_path, "data.csv", "Holder_Name,OVERDUE_AMOUNT,due_date,holder_name\n甲,12" + " " * 70
                            + "34,2026-11-28" + " " * 70 + "x,乙\n")
    assert values == [{"holder_name": "甲"}]
    assert messages == ["data.csv:2: error: record 1, field 'overdue_amount': not an amount: longer than 64 characters",
                        "data.csv:2: error: record 1, field 'due_date': not a date (write it as YYYY-MM-DD, e.g. "
                        "2026-11-28, or 2026年11月28日)",
                        "data.csv:2: error: record 1: field 'holder_name' is written twice (in another case)"]


# What people write, in the styles of the tables above, and what must be printed for it.
_FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
_MONEY_STYLES = ["{:.2f}", "{:,.2f}", "¥{:,.2f}", "￥{:,.2f}", "{:.2f}元", "RMB {:,.2f}", "CNY{:.2f}", "人民币{:,.2f}",
                 "-¥{:,.2f}", "FW{:,.2f}元"]
_DATE_STYLES = ["{:%Y-%m-%d}", "{:%Y/%m/%d}", "{0.year}年{0.month}月{0.day}日", "{0.year}-{0.month}-{0.day}",
                "FW{0.year}年{0.month}月{0.day}日", "{:%Y-%m-%d 09:30}"]


def _styled(styles: list[str], value) -> str:
    style = styles[0]
    text = style[2:].format(value) if style.startswith("FW") else style.format(value)
    return text.translate(_FULL_WIDTH) if style.startswith("FW") else text


def _money(value: Decimal, style: str) -> tuple[str, str]:
    printed = locale.money(-value if style.startswith("-") else value, "CNY", HANS)
    return _styled([style], value), printed


_valid = {
    "holder_name": st.text("张小梅王芳李强 abcXYZ0123，。-", min_size=1, max_size=20).filter(str.strip)
    .map(lambda t: (t, t.strip())),
    "reason_summary": st.text("第一行二三四五\n ab", min_size=1, max_size=40).filter(str.strip)
    .map(lambda t: (t, t.strip())),
    "due_date": st.builds(lambda d, style: (_styled([style], d), locale.long_date(d, HANS)),
                          st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), st.sampled_from(_DATE_STYLES)),
    "overdue_amount": st.builds(_money, st.decimals(0, 10 ** 9, places=2), st.sampled_from(_MONEY_STYLES)),
    "overdue_days": st.builds(lambda n, grouped: (f"{n:,}" if grouped else str(n), locale.number(n, HANS)),
                              st.integers(0, 10 ** 7), st.booleans()),
    "reason_health": st.sampled_from([("yes", True), ("x", True), ("true", True), ("no", False), ("0", False),
                                      ("是", True), ("否", False)]),
}
_valid_records = st.lists(st.fixed_dictionaries({"holder_name": _valid["holder_name"]},
                                                optional={k: v for k, v in _valid.items() if k != "holder_name"}),
                          min_size=1, max_size=4)


@FUZZ
@given(records=_valid_records, fmt=st.sampled_from(["yaml", "json", "csv"]), delimiter=st.sampled_from([",", ";", "\t"]),
       ascii_json=st.booleans(), bom=st.booleans())
def test_what_a_writer_writes_from_good_values_is_printed_as_the_edition_prints_it(tmp_path_factory, records, fmt,
                                                                                   delimiter, ascii_json, bom):
    folder = tmp_path_factory.getbasetemp() / "fuzz-fill-good"
    folder.mkdir(exist_ok=True)
    written = [{name: pair[0] for name, pair in record.items()} for record in records]
    if fmt == "yaml":
        text = yaml.safe_dump(written, allow_unicode=True, width=10 ** 6)
    elif fmt == "json":
        text = json.dumps(written, ensure_ascii=ascii_json, indent=1)
    else:
        names = list(dict.fromkeys(name for record in written for name in record))
        handle = io.StringIO()
        writer = csv.DictWriter(handle, names, delimiter=delimiter if len(names) > 1 else ",")
        writer.writeheader()
        writer.writerows(written)
        text = handle.getvalue()
    values, messages = read(folder, f"data.{fmt}", ("\ufeff" if bom else "") + text)
    assert messages == []
    expected = [{name: pair[1] for name, pair in record.items() if pair[1] is not False} for record in records]
    assert values == expected
