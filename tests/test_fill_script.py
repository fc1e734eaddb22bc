"""Pre-fill data in the other script than an edition's (user trial): '--fill rec.yaml' without --variant
filled all three editions with the same Simplified text (陈小明, 这是...), zh-Hant's and zh-Hant-HK's forms
too, without a word. Now each edition whose script the data does not match gets one warning, at the data's
file and line, naming record and field, never the value, with the --variant that fills the data's own
edition. Values are still filled in as written: a person's name is never converted."""
from __future__ import annotations

import pytest

from conftest import run_build
from handbook import locale
from handbook.diagnostics import Sink, SourcePos
from handbook.worksheet import fill

HANS, HANT, HK = (locale.parse_locale(name) for name in ("zh_Hans_CN", "zh_Hant_TW", "zh_Hant_HK"))
EDITIONS = {"zh-Hans": "zh_Hans_CN", "zh-Hant": "zh_Hant_TW", "zh-Hant-HK": "zh_Hant_HK"}


@pytest.mark.parametrize("text, script, position", [
    ("陈小明", "Hant", 1),
    ("公司裁员后两个月没有固定收入", "Hant", 4),  # 员; 后 is a Traditional character too
    ("陳小明", "Hans", 1),
    ("工號 1024", "Hans", 2),
    ("陳小明", "Hant", 0),
    ("陈小明", "Hans", 0),
    # a region's own forms are Traditional: Taiwan's 台, Hong Kong's 温, 峰 (OpenCC's orthodox table: 峯)
    ("台北市信義路", "Hant", 0),
    ("温先生住在峰景大廈", "Hant", 0),
    ("王芳", "Hant", 0),  # the same in both scripts
    ("陳杰桂", "Hant", 0),  # 杰 is among its own Traditional options (傑|杰): Taipei's 周杰倫 too
    ("周杰伦", "Hant", 3),  # 伦 is not
    ("Wang Fang, 1024", "Hant", 0),
    ("陈小明", None, 0),  # an edition without a Chinese script (English) is not checked
])
def test_the_first_character_of_the_other_script(text, script, position):
    assert fill.other_script(text, script) == position


def record(number: int, line: int, **values) -> fill.Record:
    return fill.Record(number, SourcePos("clients.csv", line), values, {name: line for name in values})


SIMPLIFIED = [(record(1, 2, holder_name="王芳"), {"holder_name": "王芳", "filled_on": "2026年11月28日"}),
              (record(2, 3, holder_name="陈小明", goal="这是目标"), {"holder_name": "陈小明", "goal": "这是目标"}),
              (record(3, 4, holder_name="李强"), {"holder_name": "李强", "reason_health": True})]


def test_one_warning_at_the_first_value_counting_the_others():
    sink = Sink()
    fill.check_script(SIMPLIFIED, "zh-Hant", HANT, sink, EDITIONS)
    (warning,) = sink.items
    assert str(warning) == (
        "clients.csv:3: warning: record 2, field 'holder_name': character 1 of the value is a Simplified character, "
        "but edition zh-Hant is written in Traditional Chinese (and 2 more values in this file)\n"
        "    hint: without --variant, every edition is filled with the same data: fill only the data's own edition "
        "with --variant zh-Hans\n"
        "    hint: values are filled in as written, never converted")
    assert not any(value in str(warning) for value in ("陈", "小明", "这是", "李强", "王芳"))


def test_data_in_the_editions_own_script_is_not_reported():
    sink = Sink()
    fill.check_script(SIMPLIFIED, "zh-Hans", HANS, sink, EDITIONS)
    assert sink.items == []


def test_traditional_data_names_both_traditional_editions():
    sink = Sink()
    data = [(record(1, 1, holder_name="陳小明"), {"holder_name": "陳小明"})]
    fill.check_script(data, "zh-Hans", HANS, sink, EDITIONS)
    (warning,) = sink.warnings
    assert "edition zh-Hans is written in Simplified Chinese" in warning.message and "more value" not in warning.message
    assert "--variant zh-Hant or --variant zh-Hant-HK" in warning.hints[0]


def test_an_edition_chosen_with_variant_is_told_to_write_the_data_in_its_script():
    sink = Sink()
    fill.check_script(SIMPLIFIED, "zh-Hant-HK", HK, sink, EDITIONS, chosen=True)
    (warning,) = sink.warnings
    assert warning.hints[0] == "write the values in Traditional Chinese, or fill the data's own edition (--variant zh-Hans)"


def test_a_book_without_an_edition_in_the_datas_script():
    sink = Sink()
    fill.check_script(SIMPLIFIED, "zh-Hant", HANT, sink, {"zh-Hant": "zh_Hant_TW"})
    assert sink.warnings[0].hints[0].endswith("pass --variant to fill only the editions the data is written for")


def test_the_users_record_through_the_real_command(tmp_path):
    """The trial's case: Simplified data, no --variant. zh-Hant and zh-Hant-HK are warned, zh-Hans not;
    the copies are still made (a warning), and --strict refuses them."""
    data = tmp_path / "rec.yaml"
    data.write_text("holder_name: 陈小明\nfilled_on: 2026-11-28\nreason_summary: 这是因为失业，收入减少。\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    result = run_build("--fill", str(data), "--output", str(out))
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert len(warnings) == 2, result.stderr
    for edition, line in zip(("zh-Hant", "zh-Hant-HK"), sorted(warnings)):
        assert line.endswith(f"rec.yaml:1: warning: record 1, field 'holder_name': character 1 of the value is a "
                             f"Simplified character, but edition {edition} is written in Traditional Chinese "
                             "(and 1 more value in this file)")
    assert "--variant zh-Hans" in result.stderr
    assert not any(text in result.stderr for text in ("陈", "小明", "这是", "失业"))
    for edition in EDITIONS:
        assert (out / edition / "worksheet-filled.pdf").is_file()

    strict = run_build("--fill", str(data), "--output", str(tmp_path / "strict"), "--strict")
    assert strict.returncode == 1 and "edition zh-Hant is written in Traditional" in strict.stderr
    assert not (tmp_path / "strict" / "zh-Hant" / "worksheet-filled.pdf").exists()

    alone = run_build("--fill", str(data), "--variant", "zh-Hans", "--output", str(tmp_path / "alone"), "--strict")
    assert alone.returncode == 0 and "warning" not in alone.stderr, alone.stderr
