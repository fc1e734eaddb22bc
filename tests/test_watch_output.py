"""'watch' never takes what a build writes for an edit: the output folder, the cache folder and preview
images are skipped wherever they are (the user trial: with the README's own '--content mybook --output
mybook/output', every build was followed by a second, 'changed: handbook-booklet.pdf, handbook.pdf, ...')."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

from conftest import ROOT
from handbook.watch import Ignored, snapshot, watch


def wait_for(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)
    return condition()


def test_output_and_cache_inside_the_content_folder_start_no_second_build(tmp_path):
    """The real watch path, as the installed command runs it (its cache goes where HANDBOOK_CACHE_DIR
    says: here, inside the book's folder too)."""
    book = tmp_path / "mybook"
    shutil.copytree(ROOT / "content", book)
    stdout, stderr = tmp_path / "watch-out.txt", tmp_path / "watch-errors.txt"
    env = {**os.environ, "HANDBOOK_NO_VENV": "1", "HANDBOOK_CACHE_DIR": str(book / "cache")}
    starter = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from handbook.cli import console; console()"
    process = subprocess.Popen(
        [sys.executable, "-c", starter, "watch", "--content", "mybook", "--output", "mybook/output",
         "--variant", "zh-Hans", "--only", "handbook", "--only", "booklet", "--for", "120"],
        cwd=tmp_path, env=env, stdout=open(stdout, "w", encoding="utf-8"),
        stderr=open(stderr, "w", encoding="utf-8"), text=True)

    def log() -> str:
        return stdout.read_text(encoding="utf-8")

    try:
        assert wait_for(lambda: log().count("rebuilt in") >= 1), "no first build: " + stderr.read_text("utf-8")
        assert (book / "output" / "zh-Hans" / "handbook-booklet.pdf").exists()
        assert any((book / "cache").iterdir()), "the cache is not inside the book: the test proves nothing"
        # 'build.py preview --to mybook/preview' while the watcher runs: images, not content
        (book / "preview").mkdir()
        (book / "preview" / "zh-Hans-handbook-01.png").write_bytes(b"\x89PNG not really")
        (book / "preview" / "zh-Hans-handbook-contact.png").write_bytes(b"\x89PNG not really")
        time.sleep(2)  # several polls and their debounce
        assert log().count("rebuilt in") == 1, log()
        chapter = book / "zh-Hans" / "10-summary.md"
        chapter.write_text(chapter.read_text(encoding="utf-8") + "\n新加的一段话。\n", encoding="utf-8")
        assert wait_for(lambda: log().count("rebuilt in") >= 2), "no rebuild after an edit: " + log()
        time.sleep(2)  # that rebuild wrote new PDFs and cache entries: they must start no third build
    finally:
        process.terminate()
        process.wait(timeout=20)
    text = log()
    assert text.count("rebuilt in") == 2, text
    assert [line for line in text.splitlines() if line.startswith("changed:")] == ["changed: 10-summary.md"], text


def test_an_output_folder_that_is_the_content_folder_hides_only_the_pdfs(tmp_path):
    """'--output mybook' puts mybook/zh-Hans/handbook.pdf beside the chapters: the folder stays watched,
    the PDFs (and the filled copies' folder) do not count."""
    chapter = tmp_path / "zh-Hans" / "01.md"
    chapter.parent.mkdir()
    chapter.write_text("一", encoding="utf-8")
    (tmp_path / "zh-Hans" / "handbook.pdf").write_bytes(b"%PDF")
    (tmp_path / "zh-Hans" / "worksheet-filled").mkdir()
    (tmp_path / "zh-Hans" / "worksheet-filled" / "0001.pdf").write_bytes(b"%PDF")
    (tmp_path / ".handbook-stamps.json").write_text("{}", encoding="utf-8")
    assert list(snapshot([tmp_path], Ignored([tmp_path]))) == [str(chapter)]


def test_hidden_folders_and_an_output_folder_elsewhere_in_the_tree(tmp_path):
    figure = tmp_path / "figures" / "flow.png"  # a figure is content, even a PNG
    figure.parent.mkdir()
    figure.write_bytes(b"\x89PNG")
    for skipped in (".git/index", "build/out/zh-Hans/handbook.pdf", "build/out/preview/zh-Hant-worksheet-01.png",
                    "cache/font-abc", "cache/jinja/x.py"):
        (tmp_path / skipped).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / skipped).write_bytes(b"x")
    assert list(snapshot([tmp_path], Ignored([tmp_path / "build" / "out", tmp_path / "cache"]))) == [str(figure)]


def test_a_build_writing_into_the_watched_folder_is_not_a_change(tmp_path):
    """The watcher itself, without a process: each 'build' writes its output inside the watched folder."""
    chapter = tmp_path / "01.md"
    chapter.write_text("一", encoding="utf-8")
    out = tmp_path / "output"
    builds, polls = [], []

    def rebuild(changed):
        builds.append(changed)
        out.mkdir(exist_ok=True)
        (out / "handbook.pdf").write_bytes(b"%PDF" * len(builds))
        if len(builds) == 1:
            chapter.write_text("一二", encoding="utf-8")  # the one edit

    watch([tmp_path], rebuild, settle=0, sleep=polls.append, until=lambda: len(polls) > 20, ignore=[out])
    assert builds == [[], [str(chapter)]]
