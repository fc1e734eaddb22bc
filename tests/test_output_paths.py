"""Where outputs go (user trial): filled worksheets of an earlier run never stay beside a new batch's, an
output path that is not a folder is a clear error, and a folder that cannot be written stops the build
before any PDF is written. All through the real command (``handbook.cli.main``)."""
from __future__ import annotations

import errno
from pathlib import Path

import pytest

from conftest import ROOT, run_build

FILL = ("--variant", "zh-Hans")


def write_rows(path: Path, names: list[str]) -> Path:
    path.write_text("holder_name,overdue_amount\n" + "".join(f"{name},100\n" for name in names), encoding="utf-8")
    return path


def fill(data: Path, out: Path, *extra: str):
    result = run_build("--fill", str(data), *FILL, "--output", str(out), *extra)
    assert result.returncode == 0, result.stderr
    return result


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


# -- filled worksheets: a folder holds one batch -------------------------------------------------------
def test_a_smaller_batch_removes_the_earlier_batchs_copies_and_nothing_else(tmp_path):
    out, copies = tmp_path / "out", tmp_path / "out" / "zh-Hans" / "worksheet-filled"
    fill(write_rows(tmp_path / "clients.csv", ["王芳", "李强", "赵敏"]), out)
    assert names(copies) == ["0001.pdf", "0002.pdf", "0003.pdf"]
    (copies / "notes.txt").write_text("a counsellor's own file", encoding="utf-8")
    (copies / "letter.pdf").write_bytes(b"%PDF-1.7 not ours")
    (copies / "0004.pdf.bak").write_bytes(b"not ours either")
    before = (copies / "0001.pdf").read_bytes()
    result = fill(write_rows(tmp_path / "two.csv", ["孙丽", "周杰"]), out)
    assert names(copies) == ["0001.pdf", "0002.pdf", "0004.pdf.bak", "letter.pdf", "notes.txt"]
    assert (copies / "0001.pdf").read_bytes() != before  # this batch's copy, not the earlier one
    assert "removed" in result.stdout and "0003.pdf" in result.stdout
    assert "0001.pdf (a filled" not in result.stdout


def test_a_batch_of_one_after_many_leaves_only_its_own_copy_and_the_reverse(tmp_path):
    """One record is worksheet-filled.pdf; copies of an earlier batch of many beside it would pass for part
    of this run (and a single copy beside a new folder for the folder's merged print file)."""
    out, edition = tmp_path / "out", tmp_path / "out" / "zh-Hans"
    many = write_rows(tmp_path / "clients.csv", ["王芳", "李强", "赵敏"])
    fill(many, out)
    one = tmp_path / "record.yaml"
    one.write_text("holder_name: 张小梅\n", encoding="utf-8")
    result = fill(one, out)
    assert names(edition) == ["worksheet-filled.pdf"]  # the emptied folder is gone too
    assert result.stdout.count("removed") == 3
    result = fill(many, out)
    assert names(edition) == ["worksheet-filled"]
    assert names(edition / "worksheet-filled") == ["0001.pdf", "0002.pdf", "0003.pdf"]
    assert "worksheet-filled.pdf (a filled worksheet of an earlier run)" in result.stdout
    fill(write_rows(tmp_path / "one.csv", ["周杰"]), out)  # a CSV of one row is a batch of one as well
    assert names(edition) == ["worksheet-filled.pdf"]


def test_a_merged_print_file_leaves_the_copies_of_its_list(tmp_path):
    """--fill-merge makes the print file of a list whose per-record copies a counsellor may also keep."""
    out, edition = tmp_path / "out", tmp_path / "out" / "zh-Hans"
    many = write_rows(tmp_path / "clients.csv", ["王芳", "李强", "赵敏"])
    fill(many, out)
    result = fill(many, out, "--fill-merge")
    assert names(edition / "worksheet-filled") == ["0001.pdf", "0002.pdf", "0003.pdf"]
    assert "removed" not in result.stdout


def test_a_failed_fill_removes_nothing(tmp_path):
    out, copies = tmp_path / "out", tmp_path / "out" / "zh-Hans" / "worksheet-filled"
    fill(write_rows(tmp_path / "clients.csv", ["王芳", "李强", "赵敏"]), out)
    bad = tmp_path / "bad.csv"
    bad.write_text("holder_name,due_date\n孙丽,2026-02-30\n", encoding="utf-8")
    result = run_build("--fill", str(bad), *FILL, "--output", str(out))
    assert result.returncode == 1
    assert names(copies) == ["0001.pdf", "0002.pdf", "0003.pdf"]


# -- an output path that is not a folder ---------------------------------------------------------------
@pytest.mark.parametrize("where", ["/dev/null", "README.md", "README.md/sub", "a-file"])
def test_an_output_that_is_not_a_folder_is_a_bad_command_line(tmp_path, where):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    path = where if where.startswith("/") else str(ROOT / where) if where.startswith("README") else str(
        tmp_path / where)
    result = run_build("--variant", "zh-Hans", "--only", "worksheet", "--output", path)
    assert result.returncode == 2, result.stderr
    assert "internal error" not in result.stderr
    blocker = path.removesuffix("/sub")
    assert f"argument --output: {blocker} is not a folder" in result.stderr


def test_an_output_folder_that_cannot_be_made_is_an_error_naming_it(tmp_path):
    out = tmp_path / ("x" * 300)  # longer than any file system allows a name
    result = run_build("--variant", "zh-Hans", "--only", "worksheet", "--output", str(out))
    assert result.returncode == 1, result.stderr
    assert "internal error" not in result.stderr
    assert f"error: cannot make the folder {out}" in result.stderr and ": File name too long" in result.stderr


def test_a_file_where_an_edition_folder_must_be_stops_the_build_before_anything_is_written(tmp_path):
    out = tmp_path / "po"
    out.mkdir()
    (out / "zh-Hant").write_text("in the way", encoding="utf-8")
    result = run_build("--only", "worksheet", "--output", str(out))
    assert result.returncode == 1, result.stderr
    assert "internal error" not in result.stderr
    assert f"error: cannot write into {out / 'zh-Hant'}: it is not a folder" in result.stderr
    assert "previous output left untouched" in result.stderr
    assert names(out) == ["zh-Hant"]  # not even zh-Hans/ was made


def test_a_folder_where_an_output_must_be_stops_the_build_before_anything_is_written(tmp_path):
    out = tmp_path / "out"
    (out / "zh-Hant" / "worksheet.pdf").mkdir(parents=True)
    result = run_build("--variant", "zh-Hans", "--variant", "zh-Hant", "--only", "worksheet", "--output", str(out))
    assert result.returncode == 1, result.stderr
    assert f"error: cannot write {out / 'zh-Hant' / 'worksheet.pdf'}: it is a folder" in result.stderr
    assert not (out / "zh-Hans").exists()


def test_an_error_while_writing_is_reported_with_the_file_not_as_a_bug(tmp_path, monkeypatch):
    """A full disk after the first PDF: the file and the reason, exit 1, and no claim that the previous
    output is intact."""
    from handbook import pipeline

    written = []

    def full_disk(path: Path, data: bytes) -> None:
        if written:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        written.append(path)

    monkeypatch.setattr(pipeline, "write_atomically", full_disk)
    result = run_build("--only", "worksheet", "--output", str(tmp_path / "out"), "--force")
    assert result.returncode == 1, result.stderr
    assert "internal error" not in result.stderr
    assert "could not write " in result.stderr and "worksheet.pdf: No space left on device" in result.stderr
    assert "some outputs may already be new" in result.stderr
    assert "previous output left untouched" not in result.stderr


def test_the_atomic_writer_names_the_file_asked_for_not_its_temporary_file(tmp_path):
    from handbook.atomic import write_atomically

    target = tmp_path / "a.pdf"
    target.mkdir()
    with pytest.raises(OSError) as caught:
        write_atomically(target, b"data")
    assert caught.value.filename == str(target)
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]  # the temporary file is gone


def test_the_api_reports_an_output_that_is_not_a_folder_as_a_handbook_error(tmp_path):
    import handbook

    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(handbook.HandbookError) as caught:
        handbook.build(ROOT / "content", blocker / "out", editions=["zh-Hans"], outputs=["worksheet"], root=ROOT)
    assert f"{blocker} is not a folder" in str(caught.value)
