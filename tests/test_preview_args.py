"""``build.py preview`` arguments (user trial): a resolution out of range, a --to that is not a folder and
a malformed page spec are bad command lines, found before anything is built; a page no PDF has is an
error naming the page count. Through the real command (``handbook.cli.main``)."""
from __future__ import annotations

import pytest

from conftest import run_build

PREVIEW = ("preview", "--variant", "zh-Hans", "--only", "worksheet")


@pytest.mark.parametrize("value", ["0", "5", "5000", "-80", "nan", "inf", "eighty"])
def test_a_resolution_outside_the_range_is_a_bad_command_line(tmp_path, value):
    result = run_build(*PREVIEW, "--output", str(tmp_path / "out"), "--dpi", value)
    assert result.returncode == 2, result.stderr
    assert "argument --dpi:" in result.stderr and "internal error" not in result.stderr
    assert not (tmp_path / "out").exists()  # refused before the build


@pytest.mark.parametrize("where", ["/dev/null", "a-file", "a-file/sub"])
def test_a_to_that_is_not_a_folder_is_a_bad_command_line(tmp_path, where):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    path = where if where.startswith("/") else str(tmp_path / where)
    result = run_build(*PREVIEW, "--output", str(tmp_path / "out"), "--to", path)
    assert result.returncode == 2, result.stderr
    assert f"argument --to: {path.removesuffix('/sub')} is not a folder" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_to_folder_that_cannot_be_made_is_an_error_naming_it(tmp_path):
    target = tmp_path / ("x" * 300)
    result = run_build(*PREVIEW, "--output", str(tmp_path / "out"), "--to", str(target), "--dpi", "20")
    assert result.returncode == 1, result.stderr
    assert f"error: could not write the previews into {target}: File name too long" in result.stderr


@pytest.mark.parametrize("spec, message", [
    ("5-2", "'5-2' is reversed: write 2-5"),
    ("0", "'0' is not a page range: pages count from 1"),
    ("1,x", "'x' is not a page number or range like 3-5"),
])
def test_a_malformed_page_spec_says_what_is_wrong_before_building(tmp_path, spec, message):
    result = run_build(*PREVIEW, "--output", str(tmp_path / "out"), "--pages", spec)
    assert result.returncode == 2, result.stderr
    assert f"argument --pages: {message}" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_page_past_the_end_is_an_error_naming_the_page_count(tmp_path):
    result = run_build("preview", "--variant", "zh-Hans", "--only", "handbook", "--output", str(tmp_path / "out"),
                       "--pages", "1,99", "--dpi", "20")
    assert result.returncode == 2, result.stderr
    assert "error: --pages: there is no page 99: zh-Hans/handbook.pdf has " in result.stderr
    assert " page(s)" in result.stderr
    assert not (tmp_path / "out" / "preview").exists()  # no image written


def test_pages_past_the_end_of_a_shorter_pdf_are_left_out_not_an_error(tmp_path):
    """One spec serves PDFs of different lengths (docs/pictures.sh: --pages 1,9 for the handbook and the
    worksheet): only a page past the end of every PDF is an error."""
    result = run_build("preview", "--variant", "zh-Hans", "--only", "handbook", "--only", "worksheet",
                       "--output", str(tmp_path / "out"), "--pages", "1,9", "--dpi", "20")
    assert result.returncode == 0, result.stderr
    images = sorted(p.name for p in (tmp_path / "out" / "preview").glob("*-0?.png"))
    assert images == ["zh-Hans-handbook-01.png", "zh-Hans-handbook-09.png", "zh-Hans-worksheet-01.png"]


def test_page_specs():
    from handbook.preview import pages_of, parse_spec

    assert parse_spec("all") is None and pages_of(None, 3) == [1, 2, 3]
    assert parse_spec("1, 3,5-7") == [(1, 1), (3, 3), (5, 7)]
    assert pages_of([(1, 1), (3, 3), (5, 7)], 6) == [1, 3, 5, 6]
    for bad in ("3-1", "0-2", "2-0", "a", "1-b", ",", "-3"):
        with pytest.raises(ValueError):
            parse_spec(bad)
