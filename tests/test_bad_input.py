"""The bad-input catalogue of issue 7, through the real command: each defect gives its exact message at its
place (``path:line[:col]: error|warning: message``) and exit code 1, or, where the input is legal, a correct
PDF. Then the build's promises: a failed build keeps the previous PDFs, a rebuild is byte-identical, and
every output is a valid PDF.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pypdf
import pytest

from conftest import ROOT, run_build
from pdfread import outline, page_texts, squash

CHAPTER = "10-summary.md"
ONLY_HANDBOOK = ("--variant", "zh-Hans", "--only", "handbook")


def build(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """build.py on the scratch project's content, into its own output folder."""
    return run_build("--content", str(project / "content"), "--output", str(project / "out"), *args,
                     env_extra=env)


def shown(project: Path, *parts: str) -> str:
    """A content path as diagnostics print it (absolute: the scratch project is outside the repository)."""
    return str((project / "content").resolve().joinpath(*parts))


def write(project: Path, text: str | bytes, name: str = CHAPTER, variant: str = "zh-Hans") -> None:
    path = project / "content" / variant / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


def edit_book(project: Path, old: str, new: str) -> None:
    path = project / "content" / "book.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def book_line(project: Path, text: str) -> int:
    """The line of book.toml that starts with ``text``."""
    lines = (project / "content" / "book.toml").read_text(encoding="utf-8").split("\n")
    return next(number for number, line in enumerate(lines, start=1) if line.startswith(text))


def assert_reported(result: subprocess.CompletedProcess, *diagnostics: str, code: int = 1) -> None:
    """The exit code, and each diagnostic (its lines exactly, in this order) in the error output."""
    assert result.returncode == code, result.stderr + result.stdout
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    position = 0
    for diagnostic in diagnostics:
        found = result.stderr.find(diagnostic + "\n", position)
        assert found >= 0, f"missing:\n{diagnostic}\nin:\n{result.stderr}"
        position = found + len(diagnostic)
    if code == 1:
        assert "previous output left untouched" in result.stderr


def table(columns: int, rows: int, cell: str = "格") -> str:
    head = "| " + " | ".join(f"列{i}" for i in range(columns)) + " |\n"
    rule = "|" + "---|" * columns + "\n"
    return head + rule + "".join("| " + " | ".join(f"{cell}{r}" for _ in range(columns)) + " |\n" for r in range(rows))


def png_header(width: int, height: int) -> bytes:
    """A PNG signature and header claiming ``width`` x ``height`` pixels: an 'enormous' image in 45 bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes((8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


# -- chapter text -> exact diagnostics ----------------------------------------------------------------
# (case, chapter text, expected lines with {ch} for the chapter's path, extra arguments)
CHAPTER_CASES = [
    ("invalid UTF-8", "# 小结\n\n第二段。\n".encode() + b"ab\xff cd\n",
     ["{ch}:4:3: error: not valid UTF-8 (byte 0xff)\n    hint: save the file as UTF-8"], ()),
    ("invalid YAML front matter", "---\ntitle: [unclosed\n---\n# 小结\n",
     ["{ch}:2: error: invalid YAML front matter: expected ',' or ']', but got '<stream end>'"], ()),
    ("front matter not closed", "---\ntitle: 小结\n# 小结\n",
     ["{ch}:1: error: front matter is not closed: add a line '---' after it"], ()),
    ("unknown front matter key", "---\ntitel: 小结\n---\n# 小结\n",
     ["{ch}:2: error: unknown front matter key 'titel'\n    hint: known keys: short_title, title"], ()),
    ("heading level jump", "# 小结\n\n正文。\n\n#### 四级标题\n\n正文。\n",
     ["{ch}:5: warning: heading level jumps from 1 to 4 (# then ####)\n    hint: use '##' here, or add the missing level"],
     ("--strict",)),
    ("chapter starting below level 1", "## 小结\n\n正文。\n",
     ["{ch}:1: warning: the chapter's first heading is level 2 (##); a chapter starts with a level-1 heading ('# ...')"],
     ("--strict",)),
    ("empty chapter", "",
     ["{ch}:1: warning: chapter has no heading and no 'title' in its front matter", "{ch}:1: warning: chapter is empty"],
     ("--strict",)),
    ("image, missing", "# 小结\n\n正文。\n\n见下图：\n\n![流程图](missing.png)\n",
     ["{ch}:7:1: error: image file 'missing.png' not found\n    hint: looked for content/zh-Hans/missing.png"], ()),
    ("image, outside the content folder", "# 小结\n\n- 一\n- 二\n\n![钥匙](../../../../etc/passwd)\n",
     ["{ch}:6:1: error: image '../../../../etc/passwd' is outside the book's folder: nothing outside it is read\n"
      "    hint: put the image under content/ (e.g. content/figures/)"], ()),
    ("image, not an image", "# 小结\n\n正文。\n\n正文。\n\n![配置](../book.toml)\n",
     ["{ch}:7:1: error: '../book.toml' is not a PNG, JPEG or SVG image"], ()),
    ("image, enormous", "# 小结\n\n![大图](huge.png)\n\n正文。\n\n![大图][big]\n\n[big]: huge.png\n",
     ["{ch}:3:1: error: image 'huge.png' claims more than 80 MP: refused without decoding it (a decompression bomb, "
      "or far more pixels than print needs)\n    hint: scale it down: 300 dpi at the printed size is enough",
      "{ch}:7:1: error: image 'huge.png' claims more than 80 MP: refused without decoding it (a decompression bomb, "
      "or far more pixels than print needs)"], ()),
    ("image, inside a line", "# 小结\n\n正文 ![大图](huge.png) 正文\n",
     ["{ch}:3:4: error: an image must be a paragraph of its own (a figure)\n"
      "    hint: put a blank line before and after ![...](...)"], ()),
    ("a character the fonts lack", "# 小结\n\n还款计划😀已确认。\n",
     ["{ch}:3:5: error: character '😀' (U+1F600 GRINNING FACE) is not in the font 'Noto Sans CJK SC'\n"
      "    hint: remove or replace it, or choose a font set that has it"], ()),
    ("a character the fonts lack, after a list that follows a paragraph and a fenced code block",
     "# 小结\n\n正文：\n- 一\n  - 二\n\n```\ncode\n```\n还款😀。\n",
     ["{ch}:10:3: error: character '😀' (U+1F600 GRINNING FACE) is not in the font 'Noto Sans CJK SC'"], ()),
    ("a character the fonts lack, as a reference", "# 小结\n\n还款计划&#x1F600;已确认。\n",
     ["{ch}:3:5: error: character '😀' (U+1F600 GRINNING FACE) is not in the font 'Noto Sans CJK SC'"], ()),
    ("a script as a link target", "# 小结\n\n见[这里](javascript:alert(1))。\n",
     ["{ch}:3:5: error: link target 'javascript:alert(1)' is refused: links may be https, http, mailto, tel, "
      "or #id for a heading"], ()),
    ("links a PDF cannot open", "# 小结\n\n见[附录](other.md)。\n\n空[链接]()。\n",
     ["{ch}:3:5: warning: link target 'other.md' is not a web address: a PDF cannot open it, so its text is "
      "printed as text\n    hint: write the whole address (https://...), or link a heading: [text](#id)",
      "{ch}:5:5: warning: link has no target: its text is printed as text"], ("--strict",)),
    ("footnotes: a reference to no note, a note nothing refers to",
     "# 小结\n\n引用[^nope]和[^a]。\n\n[^a]: 甲\n[^unused]: 乙\n",
     ["{ch}:3:3: warning: footnote reference [^nope] has no note: it is printed as written\n"
      "    hint: add a line '[^nope]: the note' to this file",
      "{ch}:6: warning: footnote [^unused] is never referred to: it is not printed"], ("--strict",)),
    ("right-to-left text", "# 小结\n\n问候语 שלום עולם 结束。\n",
     ["{ch}:3:5: error: right-to-left text is not supported: character 'ש' (U+05E9 HEBREW LETTER SHIN)\n"
      "    hint: the typesetter sets left-to-right scripts only"], ()),
    ("control characters", "# 小结\n\n正\x07文\x1b。\n",
     ["{ch}:3:2: warning: invisible character U+0007 (control character) removed\n    hint: delete it from the file",
      "{ch}:3:4: warning: invisible character U+001B (control character) removed"], ("--strict",)),
    ("a table with 40 columns after a list that follows a paragraph (the line is the author's)",
     "# 小结\n\n正文：\n- 一\n\n" + table(40, 3),
     ["{ch}:6: error: table is too wide for the page: with 40 columns, some are narrower than one character"], ()),
    ("a table with 40 columns", "# 小结\n\n" + table(40, 3),
     ["{ch}:3: error: table is too wide for the page: with 40 columns, some are narrower than one character\n"
      "    hint: split it into narrower tables, or make it a list"], ()),
    ("a table row taller than a page", "# 小结\n\n| 项目 | 说明 |\n|---|---|\n| 甲 | 短 |\n| 乙 | " + "很长的说明。" * 300 + " |\n",
     ["{ch}:6: error: table row is taller than a page: a row never breaks across pages\n"
      "    hint: shorten the text in this row's cells, or move it out of the table"], ()),
    ("a table row with more cells than the header", "# 小结\n\n| 项目 | 说明 |\n|---|---|\n| 甲 | 乙 | 丙 |\n",
     ["{ch}:5: error: table row has 3 cells, but the header has 2: the extra cells would not be printed\n"
      "    hint: add columns to the header row, or remove the extra cells"], ()),
    ("lists nested 20 deep", "# 小结\n\n" + "".join("    " * i + f"- 第{i + 1}层\n" for i in range(20)),
     ["{ch}:3: error: list is nested 20 deep: its inner items have no room left on the line\n"
      "    hint: nest lists at most a few levels deep"], ()),
    ("a heading too long for the running head", "# " + "很长的章名" * 20 + "\n\n正文。\n",
     ["{ch}:1: error: the chapter's title is too long for the running head of right-hand pages"], ()),
    ("a heading taller than a page", "# 小结\n\n## " + "很长的标题" * 400 + "\n\n正文。\n",
     ["{ch}:3: error: heading is too long: it does not fit on a page, and a heading never breaks\n"
      "    hint: shorten it, and put the rest in a paragraph below"], ()),
    ("a title too long for the running head", "---\ntitle: " + "很长的章名" * 20 + "\n---\n# 小结\n\n正文。\n",
     ["{ch}:1: error: the chapter's title is too long for the running head of right-hand pages\n"
      "    hint: add a shorter 'short_title:' to the chapter's front matter"], ()),
]


@pytest.mark.parametrize("case, text, expected, args", CHAPTER_CASES, ids=[c[0] for c in CHAPTER_CASES])
def test_bad_chapter_is_reported_at_its_place(project, case, text, expected, args):
    write(project, text)
    (project / "content" / "zh-Hans" / "huge.png").write_bytes(png_header(100_000, 100_000))
    result = build(project, *ONLY_HANDBOOK, *args)
    assert_reported(result, *(line.replace("{ch}", shown(project, "zh-Hans", CHAPTER)) for line in expected))
    assert not (project / "out" / "zh-Hans" / "handbook.pdf").exists()


def test_warnings_alone_still_make_a_correct_pdf_without_strict(project):
    """A heading level jump is a warning: the PDF is made and its outline nests the heading one level down.
    The second build takes the chapter from the read cache, and must say the same."""
    write(project, "# 小结\n\n正文。\n\n#### 四级标题\n\n正文。\n")
    for _ in range(2):
        result = build(project, *ONLY_HANDBOOK, "--force")
        assert result.returncode == 0, result.stderr
        assert f"{shown(project, 'zh-Hans', CHAPTER)}:5: warning: heading level jumps from 1 to 4" in result.stderr
    entries = outline(project / "out" / "zh-Hans" / "handbook.pdf")
    assert entries[-2:][0][:2] == (0, "小结") and entries[-1][:2] == (1, "四级标题")


# -- the book, the editions ----------------------------------------------------------------------------
def test_unknown_keys_in_book_toml(project):
    edit_book(project, 'theme = "default"', 'theme = "default"\nthme = "large-print"')
    edit_book(project, 'fonts = "SC"', 'fonts = "SC"\nfont = "TC"')
    result = build(project)
    book = shown(project, "book.toml")
    assert_reported(result, f"{book}:{book_line(project, 'thme')}: error: unknown key 'thme' in [book]\n"
                            "    hint: known keys: edition, outputs, phrases, source, theme",
                    f"{book}:{book_line(project, 'font =')}: error: unknown key 'font' in [variants.zh-Hans]\n"
                    "    hint: known keys: author, folder, fonts, locale, notice, opencc, punctuation, subtitle, title, "
                    "worksheet_notice")


def test_invalid_toml(project):
    edit_book(project, "[variants.zh-Hant]", "[variants.zh-Hant")
    line = book_line(project, "[variants.zh-Hant")
    result = build(project)
    assert_reported(result, f"{shown(project, 'book.toml')}:{line}: error: invalid TOML: "
                            f"Expected ']' at the end of a table declaration (at line {line}, column 18)")


def test_missing_variant_folder(project):
    shutil.rmtree(project / "content" / "zh-Hans")
    result = build(project)
    line = book_line(project, "[variants.zh-Hans]")
    assert_reported(result, f"{shown(project, 'book.toml')}:{line}: error: content folder 'zh-Hans' of variant "
                            f"'zh-Hans' not found\n    hint: create {shown(project, 'zh-Hans')}/, or set 'folder' "
                            "in [variants.zh-Hans]")


def test_missing_folder_of_a_derived_edition_is_legal(project):
    shutil.rmtree(project / "content" / "zh-Hant")
    result = build(project, "--variant", "zh-Hant", "--only", "handbook")
    assert result.returncode == 0, result.stderr
    assert "花唄逾期溝通手冊" in "".join(page_texts(project / "out" / "zh-Hant" / "handbook.pdf"))


def test_chapter_missing_in_an_edition_that_cannot_derive_it(project):
    edit_book(project, 'opencc = "s2twp"\n', "")
    (project / "content" / "zh-Hant" / CHAPTER).unlink()
    result = build(project, "--variant", "zh-Hant", "--only", "handbook")
    missing = shown(project, "zh-Hant", CHAPTER)
    assert_reported(result, f"{missing}: error: chapter missing in variant 'zh-Hant' and the variant has no "
                            f"'opencc' to derive it\n    hint: write {missing}, or set opencc in book.toml")


def test_empty_book(project):
    for path in (project / "content" / "zh-Hans").glob("[0-9]*.md"):
        path.unlink()
    result = build(project, *ONLY_HANDBOOK)
    assert_reported(result, f"{shown(project, 'zh-Hans')}: error: no chapters: add files named like "
                            "'01-introduction.md'")


def test_phrase_list_may_not_leave_the_content_folder(project):
    edit_book(project, 'phrases = "phrases.toml"', 'phrases = "../../../etc/passwd"')
    result = build(project)
    assert_reported(result, f"{shown(project, 'book.toml')}:{book_line(project, 'phrases')}: error: the phrase list must be a file inside the "
                            "content folder")


# -- the worksheet ---------------------------------------------------------------------------------------
WORKSHEET_CASES = [
    ("unknown attribute", "{#holder_name}", "{#holder_name colour=red}",
     ["{ws}:5:7: error: unknown attribute 'colour=red' here (this place takes: name, kind, lines)"]),
    ("malformed field name", "{#holder_name}", "{#Holder-Name}",
     ["{ws}:5:7: error: field name 'Holder-Name' must be lower-case ASCII letters, digits and '_', starting with "
      "a letter"]),
    ("attributes after no blank", "姓名或称呼", "姓名{#who}或称呼",
     ["{ws}:5:3: error: attributes '{#who}' do not follow a blank\n"
      "    hint: write them right after the underscores, e.g. ____{#amount money}"]),
    ("duplicate field names", "{#filled_on date}", "{#holder_name date}",
     ["{ws}:5:41: error: duplicate field name 'holder_name'\n"
      "    hint: it is also used at line 5; names must be unique"]),
    ("writing area too long", "{#reason_summary lines=3}", "{#reason_summary lines=99}",
     ["{ws}:24:1: error: 'lines=99': lines must be a number from 1 to 30"]),
    ("unsupported construct", "### 逾期原因", "---\n\n### 逾期原因",
     ["{ws}:13: error: a rule is not supported in a worksheet\n"
      "    hint: use headings, paragraphs with blanks, task lists, tables and block quotes"]),
    ("a table wider than the page", "## 三、沟通渠道 {#channel}",
     "| " + " | ".join(f"第{n}次" for n in range(12)) + " |\n|" + "---|" * 12 + "\n|" + "  |" * 12
     + "\n\n## 三、沟通渠道 {#channel}",
     ["{ws}:54: error: a table of 12 columns does not fit the page width\n    hint: split it into narrower tables"]),
    ("a title too long for the footer", "# 花呗逾期沟通工作表 {currency=CNY}",
     "# " + "花呗逾期沟通工作表" * 8 + " {currency=CNY}",
     ["{ws}:1: error: the worksheet's title is too long for the page footer\n    hint: shorten the title (# ...)"]),
    ("a checkbox taller than a page", "- [ ] 官方客服热线 {#channel_hotline}",
     "- [ ] " + "官方客服热线" * 500 + " {#channel_hotline}",
     ["{ws}:56:7: error: checkbox label is too long: it does not fit on a page\n"
      "    hint: shorten it, and put the rest in a paragraph"]),
]


@pytest.mark.parametrize("case, old, new, expected", WORKSHEET_CASES, ids=[c[0] for c in WORKSHEET_CASES])
def test_bad_worksheet_syntax_is_reported_at_its_place(project, case, old, new, expected):
    path = project / "content" / "zh-Hans" / "worksheet.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = build(project, "--variant", "zh-Hans", "--only", "worksheet")
    assert_reported(result, *(line.replace("{ws}", shown(project, "zh-Hans", "worksheet.md")) for line in expected))


def test_worksheet_long_labels_wrap_on_the_page_and_unnamed_tables_do_not_clash(project):
    """A long checkbox label, section title or label before a blank wraps instead of running off the paper;
    two tables without column names in one section get distinct field names."""
    path = project / "content" / "zh-Hans" / "worksheet.md"
    long = "请在这里写下与平台沟通时对方给出的全部说明和承诺，" * 4
    text = path.read_text(encoding="utf-8").replace("- [ ] 官方客服热线 {#channel_hotline}",
                                                    f"- [ ] {long} {{#channel_hotline}}")
    text = text.replace("## 三、沟通渠道 {#channel}", f"## 三、{long} {{#channel}}\n\n{long}：________{{#said}}")
    table = "| 日期 | 内容 |\n|---|---|\n|  |  |\n"
    path.write_text(text + f"\n## 附表\n\n{table}\n说明\n\n{table}", encoding="utf-8")
    result = build(project, "--variant", "zh-Hans", "--only", "worksheet", "--strict")
    assert result.returncode == 0, result.stderr
    import pdfplumber

    pdf_path = project / "out" / "zh-Hans" / "worksheet.pdf"
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            assert all(0 < c["x0"] and c["x1"] < page.width for c in page.chars)
    assert squash(long) in squash("".join(page_texts(pdf_path)))
    names = set(pypdf.PdfReader(pdf_path).get_fields())
    assert {"s10_c1_1", "s10_t2c1_1", "said"} <= names  # 附表 is the tenth section


# -- templates (a copy of the generator, since templates/ belongs to it) -----------------------------------
@pytest.fixture
def generator(tmp_path) -> Path:
    """A copy of the generator and its content, whose templates a test may break; fonts come from the
    shared cache."""
    for name in ("build.py", "handbook", "templates", "content"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, tmp_path / name, **({"ignore": shutil.ignore_patterns("__pycache__")}
                                             if (ROOT / name).is_dir() else {}))
    (tmp_path / ".cache").symlink_to(ROOT / ".cache", target_is_directory=True)
    return tmp_path


# (case, text in book.xml.j2, its replacement, the message; {line} is the line of the replacement)
TEMPLATE_CASES = [
    ("syntax error", "{% if book.subtitle %}<p", "{% if book.subtitle %<p",
     "templates/book.xml.j2:{line}: error: template syntax error: unexpected '<'"),
    ("undefined variable", "{{ book.title }}</p>", "{{ book.titel }}</p>",
     "templates/book.xml.j2:{line}: error: template uses an undefined variable: "
     "'handbook.model.FrontMatter object' has no attribute 'titel'"),
    ("undefined name", '<space height="110"/>', '<space height="{{ cover_drop }}"/>',
     "templates/book.xml.j2:{line}: error: template uses an undefined variable: 'cover_drop' is undefined"),
    ("not a number", 'height="110"', 'height="110pt"',
     'templates/book.xml.j2: error: <space height="110pt"> in the book template: height must be a number of points'),
    ("a space taller than the page", 'height="110"', 'height="5000"',
     "templates/book.xml.j2: error: <space> taller than the page's text area (481 pt) in the 'cover' page"),
    ("include outside templates/", "<book>", "<book>{% include '../content/book.toml' %}",
     "templates/book.xml.j2:{line}: error: template not found: ../content/book.toml\n"
     "    hint: templates are found in templates/ only"),
]


@pytest.mark.parametrize("case, old, new, expected", TEMPLATE_CASES, ids=[c[0] for c in TEMPLATE_CASES])
def test_bad_template_is_reported_with_its_name_and_line(generator, case, old, new, expected):
    template = generator / "templates" / "book.xml.j2"
    text = template.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    template.write_text(text, encoding="utf-8")
    line = text[:text.index(new)].count("\n") + 1
    env = {**os.environ, "HANDBOOK_NO_VENV": "1"}
    result = subprocess.run([sys.executable, str(generator / "build.py"), *ONLY_HANDBOOK], cwd=generator, env=env,
                            capture_output=True, text=True, timeout=300)
    assert_reported(result, expected.replace("{line}", str(line)))


# -- legal input: the right PDF -------------------------------------------------------------------------
def body_text(project: Path) -> str:
    return squash("".join(page_texts(project / "out" / "zh-Hans" / "handbook.pdf", top_mm=17, bottom_mm=16)))


def test_bom_and_crlf_make_the_same_pdf_as_plain_utf8(project):
    """Windows editors write both, in the chapters and in book.toml."""
    assert build(project, *ONLY_HANDBOOK).returncode == 0
    plain = (project / "out" / "zh-Hans" / "handbook.pdf").read_bytes()
    for path in [*(project / "content" / "zh-Hans").glob("*.md"), project / "content" / "book.toml"]:
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    result = build(project, *ONLY_HANDBOOK, "--strict")
    assert result.returncode == 0, result.stderr
    assert (project / "out" / "zh-Hans" / "handbook.pdf").read_bytes() == plain


def test_content_is_data_markup_and_template_syntax_print_literally(project):
    write(project, "# 小结 <b>粗</b>\n\n甲 < 乙 & 丙 &amp; 丁 <font color=red>红</font> <para>段</para> {{ book.title }} "
                   "{% if x %}条件{% endif %} <script>alert(1)</script>\n\n<div>\n块\n</div>\n")
    result = build(project, *ONLY_HANDBOOK, "--strict")
    assert result.returncode == 0, result.stderr
    text = body_text(project)
    for literal in ("小结<b>粗</b>", "甲<乙&丙&丁", "<fontcolor=red>红</font>", "<para>段</para>", "{{book.title}}",
                    "{%ifx%}条件{%endif%}", "<script>alert(1)</script>", "<div>块</div>"):
        assert literal in text, literal


def test_url_of_300_characters_without_break_points_stays_on_the_page(project):
    url = "https://example.com/" + "a" * 280
    write(project, f"# 小结\n\n访问 {url} 查看。\n")
    assert build(project, *ONLY_HANDBOOK, "--strict").returncode == 0
    assert url in body_text(project)
    import pdfplumber

    with pdfplumber.open(project / "out" / "zh-Hans" / "handbook.pdf") as pdf:
        for page in pdf.pages:
            assert all(10 * 72 / 25.4 < c["x0"] and c["x1"] < page.width - 10 * 72 / 25.4 for c in page.chars)


def test_paragraph_of_5000_characters_is_printed_whole_across_pages(project):
    sentence = "逾期之后要尽快与平台沟通，说明情况并协商还款。"
    paragraph = (sentence * (5000 // len(sentence) + 1))[:5000]
    write(project, f"# 小结\n\n{paragraph}\n")
    assert build(project, *ONLY_HANDBOOK, "--strict").returncode == 0
    assert squash(paragraph) in body_text(project)


def test_chapter_of_one_megabyte_builds(project):
    paragraph = "这是一个很长的章节，用来检验大文件的排版。" * 16
    blocks = [f"## 第{n}节\n\n{paragraph}" if n % 20 == 0 else f"{n}：{paragraph}" for n in range(1, 5000)]
    text = "# 小结\n\n" + "\n\n".join(blocks)
    text = text[:text.rfind("\n\n", 0, 340_000)]  # about 1 MB of UTF-8 (3 bytes a character)
    assert 0.95e6 < len(text.encode("utf-8")) < 1.05e6
    write(project, text)
    result = build(project, *ONLY_HANDBOOK, "--strict")
    assert result.returncode == 0, result.stderr
    reader = pypdf.PdfReader(project / "out" / "zh-Hans" / "handbook.pdf")
    assert len(reader.pages) > 450  # about 490 with lines filled to the measure (total-fit breaking)
    last = text.rsplit("\n\n", 1)[1]
    pages = page_texts(project / "out" / "zh-Hans" / "handbook.pdf", top_mm=17, bottom_mm=16)
    assert squash(last) in squash("".join(pages[-4:]))


def test_table_taller_than_a_page_splits_with_its_header_repeated(project):
    write(project, "# 小结\n\n| 日期 | 事项 | 结果 |\n|---|---|---|\n"
          + "".join(f"| 第{n}天 | 致电甲方 | 记录{n} |\n" for n in range(1, 121)))
    assert build(project, *ONLY_HANDBOOK, "--strict").returncode == 0
    pages = [squash(t) for t in page_texts(project / "out" / "zh-Hans" / "handbook.pdf")]
    with_rows = [t for t in pages if "致电甲方" in t]
    assert len(with_rows) >= 3
    assert all(t.count("日期事项结果") == 1 for t in with_rows)  # the header on every page of the table
    joined = "".join(with_rows)
    assert all(f"第{n}天致电甲方记录{n}" in joined for n in range(1, 121))


def test_characters_outside_the_bmp_print_and_can_be_copied(project):
    write(project, "# 小结\n\n吉祥的𠮷字和𡈽字。\n")
    assert build(project, *ONLY_HANDBOOK, "--strict").returncode == 0
    assert "吉祥的𠮷字和𡈽字。" in body_text(project)


# -- failed builds, reproducibility, validity --------------------------------------------------------------
def test_failed_build_leaves_the_previous_pdfs_untouched(project):
    assert build(project, "--variant", "zh-Hans").returncode == 0
    folder = project / "out" / "zh-Hans"
    before = {path.name: path.read_bytes() for path in folder.glob("*.pdf")}
    assert set(before) == {"handbook.pdf", "handbook-booklet.pdf", "worksheet.pdf"}
    write(project, "# 小结\n\n新的一段，😀\n")
    result = build(project, "--variant", "zh-Hans")
    assert result.returncode == 1 and "previous output left untouched" in result.stderr
    assert {path.name: path.read_bytes() for path in folder.glob("*.pdf")} == before
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_rebuild_is_byte_identical_and_follows_source_date_epoch(project):
    epoch = {"SOURCE_DATE_EPOCH": "1764288000"}  # 2025-11-28 00:00:00 UTC
    outputs = []
    for name in ("first", "second"):
        result = run_build("--content", str(project / "content"), "--output", str(project / name), "--variant",
                           "zh-Hans", env_extra=epoch)
        assert result.returncode == 0, result.stderr
        outputs.append({p.name: p.read_bytes() for p in (project / name / "zh-Hans").glob("*.pdf")})
    assert len(outputs[0]) == 3 and outputs[0] == outputs[1]
    for name in ("handbook.pdf", "worksheet.pdf"):  # the booklet (pypdf) carries no date
        date = pypdf.PdfReader(io.BytesIO(outputs[0][name])).metadata["/CreationDate"]
        assert date.startswith("D:20251128000000"), name
    assert build(project, *ONLY_HANDBOOK).returncode == 0  # no SOURCE_DATE_EPOCH: the edition date, not the clock
    date = pypdf.PdfReader(project / "out" / "zh-Hans" / "handbook.pdf").metadata["/CreationDate"]
    assert date.startswith("D:20261128000000")  # edition = 2026-11-28 in book.toml


@pytest.mark.parametrize("variant", ["zh-Hans", "zh-Hant"])
@pytest.mark.parametrize("name", ["handbook.pdf", "handbook-booklet.pdf", "worksheet.pdf"])
def test_every_output_is_a_valid_pdf(built, variant, name):
    import pdfplumber
    import pypdfium2 as pdfium

    path = built / variant / name
    reader = pypdf.PdfReader(path, strict=True)
    texts = [squash(page.extract_text()) for page in reader.pages]  # every content stream parses (strict)
    title = squash(reader.metadata.title)  # the book's or the worksheet's title, printed on the first page
    assert title and title in texts[0], (title, texts[0][:80])
    assert sum(bool(text) for text in texts) >= 0.75 * len(texts)  # text on the pages, not empty streams
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) == len(reader.pages) and sum(len(page.chars) for page in pdf.pages) > 100
    document = pdfium.PdfDocument(path)
    assert len(document) == len(reader.pages)
    document.close()
    if shutil.which("qpdf"):
        check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0 and "WARNING" not in check.stdout + check.stderr, check.stdout + check.stderr


def test_a_build_dates_its_pdfs_without_touching_the_process_environment(project, monkeypatch):
    """The edition's date reaches ReportLab as an argument: a web service building two books in two
    threads must not see one book's date in the other's PDFs (it was written into os.environ)."""
    class Watched(dict):  # pytest itself keeps PYTEST_CURRENT_TEST up to date: that alone may change
        def __setitem__(self, key, value):
            assert key.startswith("PYTEST_"), f"the build set {key} in os.environ"
            super().__setitem__(key, value)

        def __delitem__(self, key):
            assert key.startswith("PYTEST_"), f"the build removed {key} from os.environ"
            super().__delitem__(key)

        def pop(self, key, *default):
            assert key.startswith("PYTEST_"), f"the build removed {key} from os.environ"
            return super().pop(key, *default)

    environment = Watched({k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"})
    monkeypatch.setattr(os, "environ", environment)
    result = build(project, "--variant", "zh-Hans", "--only", "handbook", "--only", "worksheet")
    assert result.returncode == 0, result.stderr
    for name in ("handbook.pdf", "worksheet.pdf"):
        date = pypdf.PdfReader(project / "out" / "zh-Hans" / name).metadata["/CreationDate"]
        assert date.startswith("D:20261128000000"), name  # the edition date in book.toml
