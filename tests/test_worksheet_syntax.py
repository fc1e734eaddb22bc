"""The worksheet's field syntax, read by the Markdown parser: every field at its exact line and column.

In-process: a worksheet source is parsed as the build parses it (``worksheet.read.parse``), and the
fields and diagnostics are compared with golden tables.
"""
from handbook.content import parse_source
from handbook.diagnostics import Sink
from handbook.sheet import Area, Check, Checklist, Code, Grid, Row
from handbook.worksheet.read import parse

STRINGS = {"page": "第 %(page)s 页，共 %(pages)s 页", "row": "第 %(n)s 行", "hint": "%(label)s（%(hint)s）"}


def read(text: str):
    sink = Sink()
    _, sheet = parse(parse_source("worksheet", "ws.md", text, sink), sink, STRINGS)
    return sheet, [str(d.pos) + ": " + d.message for d in sink.items]


def test_each_field_is_at_its_line_and_column():
    sheet, problems = read(
        "# 工作表 {currency=CNY}\n"
        "\n"
        "金额 ____{#amount money}　日期 ____{#day date}\n"
        "第二行 ____\n"
        "\n"
        "## 一、情况 {#situation}\n"
        "\n"
        "- [ ] 失业 {#lost_job}\n"
        "- [ ] 其他：____{#other_text} {#other}\n"
        "\n"
        "| 日期 {#log_when date} | 结果 |\n"
        "| --- | --- |\n"
        "| | |\n"
        "| | |\n")
    assert problems == []
    where = {field.name: str(field.pos) for field in sheet.fields}
    assert where == {
        "amount": "ws.md:3:4", "day": "ws.md:3:27", "s0_1": "ws.md:4:5",
        "lost_job": "ws.md:8:7", "other_text": "ws.md:9:10", "other": "ws.md:9:7",
        "log_when_1": "ws.md:13", "situation_c2_1": "ws.md:13", "log_when_2": "ws.md:14", "situation_c2_2": "ws.md:14",
    }
    assert [f.kind for f in sheet.fields][:3] == ["money", "date", "text"]
    assert sheet.currency == "CNY" and sheet.title == "工作表"
    checks = next(b for b in sheet.blocks if isinstance(b, Checklist)).checks
    assert [c.field.label for c in checks] == ["失业", "其他"]
    assert next(b for b in sheet.blocks if isinstance(b, Grid)).columns[0].kind == "date"


def test_problems_are_reported_where_they_are_written():
    _, problems = read(
        "# 表\n"
        "\n"
        "甲 ____{#same}　乙 ____{#same}\n"
        "丙 {#alone} ____{#bad-name}\n"
        "丁 ____{#area lines=3}\n"
        "\n"
        "## 一、{#x} 情况\n")
    assert problems == [
        "ws.md:3:17: duplicate field name 'same'",
        "ws.md:4:3: attributes '{#alone}' do not follow a blank",
        "ws.md:4:12: field name 'bad-name' must be lower-case ASCII letters, digits and '_', starting with a letter",
        "ws.md:5:3: a writing area (lines=N) must stand alone in its paragraph",
        "ws.md:7:6: a heading cannot hold blanks or attributes in its middle",
    ]


def test_fields_in_code_and_escaped_underscores_stay_text():
    sheet, problems = read("# 表\n\n写法：`____{#name}`，不是 \\_\\_\\_\\_。　填写 ____{#real}\n")
    assert problems == []
    assert [f.name for f in sheet.fields] == ["real"]
    row = next(b for b in sheet.blocks if isinstance(b, Row))
    assert "".join(getattr(i, "text", "") for i in row.items).startswith("写法：____{#name}，不是 ____。")


def test_a_qr_code_keeps_its_size_attribute_in_a_worksheet():
    sheet, problems = read("# 表\n\n![官网](qr:https://example.com/a {width=30%}\n\n填写 ____{#a}\n".replace(
        " {width", "){width"))
    assert problems == []
    code = next(b for b in sheet.blocks if isinstance(b, Code))
    assert code.figure.width == 0.3 and [f.name for f in sheet.fields] == ["a"]


def test_a_writing_area_is_labelled_by_the_line_above():
    sheet, _ = read("# 表\n\n原因：\n\n___{#why lines=3}\n")
    area = next(b for b in sheet.blocks if isinstance(b, Area))
    field = area.field
    assert (field.name, field.size, field.label, str(field.pos)) == ("why", 3, "原因", "ws.md:5:1")


def test_fields_that_differ_between_editions_fail_a_shape_that_differs_warns(project):
    """One drift policy (drift.SEVERITY): what a reader sees differently warns; fields that differ fail the
    build, because one pre-fill file serves every edition."""
    from conftest import run_build
    path = project / "content" / "zh-Hant" / "worksheet.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("### 證明材料", "### 證明材料\n\n補充一段說明。", 1), encoding="utf-8")
    args = ("--content", str(project / "content"), "--output", str(project / "out"), "--variant", "zh-Hant",
            "--only", "worksheet")
    shape = run_build(*args)
    assert shape.returncode == 0, shape.stderr
    line = path.read_text(encoding="utf-8").split("\n").index("補充一段說明。") + 1
    assert f"zh-Hant/worksheet.md:{line}: warning: editions differ: a paragraph that zh-Hans does not have" \
        in shape.stderr
    path.write_text(text.replace("{#holder_name}", "{#holder}", 1), encoding="utf-8")
    fields = run_build(*args)
    assert fields.returncode == 1
    source = project / "content" / "zh-Hans" / "worksheet.md"
    assert f"{path}:5:7: error: field 'holder' is not in {source}\n" in fields.stderr
    assert f"{path}: error: field 'holder_name' ({source}:5:7) is missing from this worksheet\n" in fields.stderr


def test_check_finds_what_the_worksheet_page_cannot_hold(project):
    """'check' prepares the worksheet as a build does (coverage, fonts, fit), and makes nothing."""
    from conftest import run_build
    path = project / "content" / "zh-Hans" / "worksheet.md"
    title = "花呗逾期沟通工作表"
    path.write_text(path.read_text(encoding="utf-8").replace("# " + title, "# " + title * 8, 1), encoding="utf-8")
    result = run_build("check", "--content", str(project / "content"), "--variant", "zh-Hans")
    assert result.returncode == 1
    assert f"{path}:1: error: the worksheet's title is too long for the page footer\n" in result.stderr
