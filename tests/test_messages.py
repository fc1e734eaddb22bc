"""Messages from a user trial: each says what is wrong where the author can fix it, and says nothing that is
only a consequence of another error. Through the real command, in a scratch copy of the book (as
test_bad_input.py does)."""
from __future__ import annotations

import pytest

from conftest import ROOT, run_build
from test_bad_input import ONLY_HANDBOOK, assert_reported, book_line, build, edit_book, shown, write

SVG = "figures/process.svg"  # drawn by content/zh-Hans/00-preface.md, line 18


def svg_line(project, text: str) -> tuple[int, int]:
    """The line and column of ``text`` in the book's SVG figure."""
    lines = (project / "content" / SVG).read_text(encoding="utf-8").split("\n")
    return next((number, line.find(text) + 1) for number, line in enumerate(lines, start=1) if text in line)


# -- missing glyphs ------------------------------------------------------------------------------------
def test_a_character_the_fonts_lack_in_an_svg_figure_names_the_file_and_the_figure(project):
    path = project / "content" / SVG
    path.write_text(path.read_text(encoding="utf-8").replace(">了解情况<", ">了解😀情况<", 1), encoding="utf-8")
    line, col = svg_line(project, "😀")
    result = build(project, *ONLY_HANDBOOK)
    figure = f"{shown(project, 'zh-Hans', '00-preface.md')}:18:1"
    assert_reported(result, f"{shown(project, SVG)}:{line}:{col}: error: character '😀' (U+1F600 GRINNING FACE) "
                            "is not in the font 'Noto Sans CJK SC'\n"
                            f"    hint: it is text of the SVG figure at {figure}\n"
                            "    hint: remove or replace it, or choose a font set that has it")


def test_missing_characters_of_one_line_are_reported_in_column_order(project):
    """Code point order was 😀 (col 3), 🙂 (col 4), 𠀀 (col 2)."""
    write(project, "# 小结\n\n还𠀀😀🙂款。\n")
    chapter = shown(project, "zh-Hans", "10-summary.md")
    result = build(project, *ONLY_HANDBOOK)
    font = "is not in the font 'Noto Sans CJK SC'"
    assert_reported(result, f"{chapter}:3:2: error: character '𠀀' (U+20000 CJK UNIFIED IDEOGRAPH-20000) {font}",
                    f"{chapter}:3:3: error: character '😀' (U+1F600 GRINNING FACE) {font}",
                    f"{chapter}:3:4: error: character '🙂' (U+1F642 SLIGHTLY SMILING FACE) {font}")


# -- the running head ----------------------------------------------------------------------------------
def test_a_short_title_too_long_for_the_running_head_is_reported_at_its_line(project):
    """It was reported at line 1 as the title being too long, with the hint to add a short_title."""
    write(project, "---\ntitle: 小结\nshort_title: " + "很长的短标题" * 10 + "\n---\n# 小结\n\n正文。\n")
    result = build(project, *ONLY_HANDBOOK)
    assert_reported(result, f"{shown(project, 'zh-Hans', '10-summary.md')}:3: error: the chapter's short_title is too "
                            "long for the running head of right-hand pages\n"
                            "    hint: shorten it: the running head holds 38 of its 60 characters")
    assert "the chapter's title is too long" not in result.stderr


# -- the worksheet's fields between editions -------------------------------------------------------------
def edit_worksheet(project, variant: str, old: str, new: str) -> None:
    path = project / "content" / variant / "worksheet.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# (case, edition edited, the line after which a line is added, that line, editions checked, the one error)
AFTER = "填表日期 ________{#filled_on date}"
DUPLICATE = ("{ws}:7:4: error: duplicate field name 'holder_name'\n"
             "    hint: it is also used at line 5; names must be unique")
FOLLOW_ON_CASES = [
    # was also: zh-Hant/worksheet.md: error: field 's0_1' (zh-Hans/worksheet.md:7:6) is missing from this
    # worksheet (and the same for zh-Hant-HK): a name the author never wrote, named by its position
    ("an unknown attribute in the source edition", "zh-Hans", AFTER, "未知类型 ____{#foo color}", (),
     "{ws}:7:6: error: unknown attribute 'color' here (this place takes: name, kind, lines)"),
    # built alone, the other edition cannot compare its fields: the source edition's error is its error
    ("an unknown attribute in the source edition, the other edition built alone", "zh-Hans", AFTER,
     "未知类型 ____{#foo color}", ("--variant", "zh-Hant"),
     "{ws}:7:6: error: unknown attribute 'color' here (this place takes: name, kind, lines)"),
    # was also: field 'holder_name' is text (size 14) here but text (size 4) in zh-Hans/worksheet.md:7:4
    ("a duplicate name in the source edition", "zh-Hans", AFTER, "重复 ____{#holder_name}", (), DUPLICATE),
    # was also: field 'holder_name' is text (size 4) here but text (size 14) in zh-Hans/worksheet.md:5:7
    ("a duplicate name in another edition", "zh-Hant", AFTER, "重複 ____{#holder_name}", (), DUPLICATE),
]


@pytest.mark.parametrize("case, variant, after, line, args, expected", FOLLOW_ON_CASES,
                         ids=[c[0] for c in FOLLOW_ON_CASES])
def test_a_worksheet_error_is_reported_once_without_its_consequences_in_other_editions(
        project, case, variant, after, line, args, expected):
    edit_worksheet(project, variant, after, f"{after}\n\n{line}")
    result = run_build("check", "--content", str(project / "content"), *args)
    assert_reported(result, expected.replace("{ws}", shown(project, variant, "worksheet.md")))
    assert result.stderr.count("error:") == 1, result.stderr


# -- the theme ------------------------------------------------------------------------------------------
def test_a_theme_not_found_is_reported_where_it_was_chosen_with_the_themes_there_are(project):
    """It was 'templates/themes/nonexistent.toml: error: theme not found': a file the author never wrote."""
    edit_book(project, 'theme = "default"', 'theme = "nonexistent"')
    themes = ("    hint: themes: default, large-print (the .toml files in "
              f"{shown(project, 'themes')}/ and templates/themes/)")
    result = build(project, *ONLY_HANDBOOK)
    assert_reported(result, f"{shown(project, 'book.toml')}:{book_line(project, 'theme =')}: error: theme "
                            f"'nonexistent' not found\n{themes}")
    assert "nonexistent.toml" not in result.stderr
    result = build(project, *ONLY_HANDBOOK, "--theme", "nope")
    assert_reported(result, f"error: theme 'nope' (from --theme) not found\n{themes}")
    assert "nope.toml" not in result.stderr


def test_a_book_brings_its_own_theme(project):
    """User trial: themes were read only from the tool's templates/themes/, so a book kept in its own folder
    could not carry one. A theme in the book's themes/ folder is found first, and changes only what it says."""
    (project / "content" / "themes").mkdir()
    (project / "content" / "themes" / "roomy.toml").write_text("[body]\nsize = 11.5\nleading = 20\n\n[page]\n"
                                                              "measure_em = 26\nlines = 23\n", encoding="utf-8")
    edit_book(project, 'theme = "default"', 'theme = "roomy"')
    result = build(project, *ONLY_HANDBOOK)
    assert result.returncode == 0, result.stderr
    import pdfplumber

    with pdfplumber.open(project / "out" / "zh-Hans" / "handbook.pdf") as pdf:
        sizes = {round(c["size"], 1) for page in pdf.pages[10:12] for c in page.chars}
    assert 11.5 in sizes and 10.5 not in sizes
    (project / "content" / "themes" / "roomy.toml").write_text("[page]\nmeasure_em = 90\n", encoding="utf-8")
    assert_reported(build(project, *ONLY_HANDBOOK), f"{shown(project, 'themes', 'roomy.toml')}: error: the theme's "
                    "text block is too wide for the page: 333 mm of text (measure_em 90 × 10.5 pt) on a 148 mm page "
                    "leaves -185 mm for the margins, under 20 mm (reduce page.measure_em to 34 or less)")


# -- conversions to review ------------------------------------------------------------------------------
def test_a_one_to_many_character_opencc_kept_is_listed_as_kept(project):
    """It read "'面' became '面' (could be 面/麪)", which looks like a no-op. It is listed all the same: OpenCC
    keeps 面 where it cannot tell, and 面 meaning noodles must become 麪 (他吃了面 stays 他吃了面)."""
    (project / "content" / "zh-Hant" / "10-summary.md").unlink()  # derived from zh-Hans
    lines = (project / "content" / "zh-Hans" / "10-summary.md").read_text(encoding="utf-8").split("\n")
    line, col = next((number, text.find("面对") + 1) for number, text in enumerate(lines, start=1) if "面对" in text)
    result = run_build("check", "--content", str(project / "content"), "--variant", "zh-Hant")
    assert_reported(result, f"{shown(project, 'zh-Hans', '10-summary.md')}:{line}:{col}: note: zh-Hant: '面' was kept "
                            "as it is (could be 麪) in “都能勇敢面对、积极”\n"
                            "    hint: if wrong, add a [[phrase]] to phrases.toml or write -{…}- here", code=0)
    assert "'面' became '面'" not in result.stderr
    assert "note: zh-Hant: '后' became '後' (could be 後/后)" in result.stderr  # a character that changed


def test_a_theme_with_unreadable_type_is_reported_at_its_line(tmp_path):
    """User trial: [body] size = 0.5 and note_size = 100 were accepted, and the build then blamed the book's
    title; a leading below the size gave only an error about the template's <space>."""
    import shutil

    from handbook.diagnostics import Sink
    from handbook.theme import load_theme

    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    themes = tmp_path / "templates" / "themes"
    for name, body in (("tiny", "[body]\nsize = 0.5\n\n[small]\nnote_size = 100\n"),
                       ("tight", "[body]\nsize = 12\nleading = 11\n")):
        (themes / f"{name}.toml").write_text(body, encoding="utf-8")
    sink = Sink()
    assert load_theme("tiny", tmp_path / "templates", tmp_path, sink) is None
    assert [str(d) for d in sink.errors] == ["templates/themes/tiny.toml:2: error: [body] size must be from 6 to 36",
                                             "templates/themes/tiny.toml:5: error: [small] note_size must be from 5 to 24"]
    sink = Sink()
    assert load_theme("tight", tmp_path / "templates", tmp_path, sink) is None
    assert str(sink.errors[0]).startswith("templates/themes/tight.toml:3: error: [body] leading 11 is less than 1.2 "
                                          "times the size 12: Chinese lines would touch")


def test_a_theme_changes_a_font_set_by_naming_only_what_it_changes(tmp_path):
    """User trial: [fonts.SC] with only 'regular' was refused as needing 'family' and 'bold', though a theme
    lists only what it changes."""
    import shutil

    from handbook.diagnostics import Sink
    from handbook.theme import load_theme

    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    (tmp_path / "templates" / "themes" / "light.toml").write_text("[fonts.SC]\nregular = 350\n", encoding="utf-8")
    sink = Sink()
    theme = load_theme("light", tmp_path / "templates", tmp_path, sink)
    default = load_theme("default", tmp_path / "templates", tmp_path, Sink())
    assert not sink.errors, [str(d) for d in sink.errors]
    light, base = theme.fontsets["SC"], default.fontsets["SC"]
    assert (light.family, light.regular, light.bold, light.system) == (base.family, 350, base.bold, base.system)
