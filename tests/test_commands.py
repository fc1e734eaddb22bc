"""The command line as a user drives it: help, check, derive, new, preview, watch, themes, exit codes."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pypdf
import pytest
from PIL import Image

from conftest import ROOT, run_build
from handbook import variants
from pdfread import page_texts


@pytest.mark.parametrize("command", ["build", "check", "watch", "preview", "new", "derive", "test"])
def test_every_command_has_help(command):
    result = run_build(command, "--help")
    assert result.returncode == 0
    assert f"usage: build.py {command}" in result.stdout and "exit codes" in result.stdout


def test_top_level_help_lists_the_commands():
    result = run_build("--help")
    assert result.returncode == 0
    for command in ("build", "check", "watch", "preview", "new", "derive", "test"):
        assert command in result.stdout


def test_bad_command_line_exits_2():
    result = run_build("--no-such-option")
    assert result.returncode == 2 and "unrecognized arguments" in result.stderr


def test_the_process_entry_flushes_its_output_and_keeps_the_exit_codes(tmp_path):
    """build.py ends its process with os._exit (no heap teardown): what it printed through a pipe still
    arrives, and each exit code is the command's."""
    buffered = {"PYTHONUNBUFFERED": ""}  # as users have it (this machine sets it): output waits in a buffer
    helped = run_build("--help", env_extra=buffered)
    assert helped.returncode == 0 and "derive" in helped.stdout
    bad = run_build("--no-such-option", env_extra=buffered)
    assert bad.returncode == 2 and "unrecognized arguments" in bad.stderr
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "book.toml").write_text("[book\n", encoding="utf-8")
    broken = run_build("--content", str(tmp_path / "content"), "--output", str(tmp_path / "out"),
                       env_extra=buffered)
    assert broken.returncode == 1 and "book.toml:1: error: invalid TOML" in broken.stderr
    built = run_build("--output", str(tmp_path / "out"), "--variant", "zh-Hans", "--only", "handbook",
                      env_extra=buffered)
    assert built.returncode == 0 and built.stdout.rstrip().endswith("s") and "wrote" in built.stdout
    assert (tmp_path / "out" / "zh-Hans" / "handbook.pdf").stat().st_size > 10_000


def test_check_on_the_shipped_content_reports_nothing():
    result = run_build("check", "--strict")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "0 warning(s), 0 conversion(s) to review" in result.stdout


def test_deleting_every_traditional_chapter_still_builds_a_traditional_handbook(project):
    for path in (project / "content" / "zh-Hant").glob("*.md"):
        path.unlink()
    out = project / "out"
    result = run_build("--content", str(project / "content"), "--output", str(out), "--variant", "zh-Hans",
                       "--variant", "zh-Hant", "--strict")
    assert result.returncode == 0, result.stderr
    assert "derived conversion(s) to review" in result.stdout
    text = "".join(page_texts(out / "zh-Hant" / "handbook.pdf"))
    assert "花唄逾期溝通手冊" in text and "「" in text and "“" not in text
    assert variants.foreign_characters(text, "s2tw") == []
    check = run_build("check", "--content", str(project / "content"))
    assert "note: zh-Hant: '发' became '發'" in check.stderr  # the review list, at the zh-Hans line
    assert "content/zh-Hans/" in check.stderr


def test_derive_writes_files_to_review_and_keeps_hand_written_ones(project):
    hant = project / "content" / "zh-Hant"
    kept = (hant / "01-consequences.md").read_text(encoding="utf-8")
    (hant / "02-mindset.md").unlink()
    result = run_build("derive", "--content", str(project / "content"))
    assert result.returncode == 0, result.stderr
    assert "1 file(s) written" in result.stdout
    assert (hant / "01-consequences.md").read_text(encoding="utf-8") == kept
    derived = (hant / "02-mindset.md").read_text(encoding="utf-8")
    assert derived.startswith("---\nshort_title: 心理準備\n---\n# 二、逾期後的心理準備")


def test_drift_between_editions_is_reported_at_the_line(project):
    chapter = project / "content" / "zh-Hant" / "03-preparation.md"
    lines = chapter.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith("## 3.2"))
    lines[number] = "#" + lines[number]
    chapter.write_text("\n".join(lines), encoding="utf-8")
    result = run_build("check", "--content", str(project / "content"), "--strict")
    assert result.returncode == 1
    assert f"zh-Hant/03-preparation.md:{number + 1}: warning: editions differ: a level-3 heading here, " \
           f"but a level-2 heading in zh-Hans" in result.stderr


def test_an_edit_made_in_one_edition_only_is_reported(project):
    """User trial: a sentence added to a zh-Hans paragraph never reached the hand-written zh-Hant chapter,
    and check said nothing; the paragraph is now longer than its counterpart, which is reported there."""
    chapter = project / "content" / "zh-Hans" / "03-preparation.md"
    lines = chapter.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith("充分的准备"))
    lines[number] += "请先把打印机、软件和视频资料准备好，再把需要的信息整理成一页纸放在手边。"
    chapter.write_text("\n".join(lines), encoding="utf-8")
    result = run_build("check", "--content", str(project / "content"))
    assert result.returncode == 0, result.stderr
    for edition in ("zh-Hant", "zh-Hant-HK"):
        assert f"{edition}/03-preparation.md:{number + 1}: warning: editions differ: a paragraph of " in result.stderr
    assert "a paragraph of 58 characters here, but 94 in zh-Hans" in result.stderr
    assert "was one edition edited and not the other?" in result.stderr


def test_check_lists_a_character_decided_the_same_way_once_a_file(project):
    """User trial: 45 notes after deleting one hand-written chapter, most of them '准' became '準' again."""
    (project / "content" / "zh-Hant" / "03-preparation.md").unlink()
    result = run_build("check", "--content", str(project / "content"), "--variant", "zh-Hant")
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "note: zh-Hant: '准' became '準'" in line]
    assert len(notes) == 1 and "; the same 4 more times in this file (lines 6, 10, 16)" in notes[0]


def test_new_book_scaffolds_and_builds_with_two_commands(tmp_path):
    book = tmp_path / "mybook"
    assert run_build("new", str(book), "--title", "我的手册").returncode == 0
    result = run_build("--content", str(book), "--output", str(tmp_path / "out"), "--strict")
    assert result.returncode == 0, result.stderr
    for variant in ("zh-Hans", "zh-Hant"):
        for name in ("handbook.pdf", "handbook-booklet.pdf", "worksheet.pdf"):
            assert (tmp_path / "out" / variant / name).stat().st_size > 1000
    assert "我的手冊" in "".join(page_texts(tmp_path / "out" / "zh-Hant" / "handbook.pdf"))
    assert run_build("new", str(book)).returncode == 2  # never overwrites a book


def test_preview_renders_pages_and_contact_sheets(tmp_path):
    result = run_build("preview", "--variant", "zh-Hans", "--only", "handbook", "--output", str(tmp_path),
                       "--pages", "1,8", "--dpi", "40")
    assert result.returncode == 0, result.stderr
    images = sorted((tmp_path / "preview").glob("*.png"))
    assert [p.name for p in images] == ["zh-Hans-handbook-01.png", "zh-Hans-handbook-08.png",
                                        "zh-Hans-handbook-contact.png"]
    page = Image.open(images[1]).convert("L")
    assert page.size == pytest.approx((233, 331), abs=1)  # A5 at 40 dpi
    dark = page.point(lambda value: 255 if value < 128 else 0).histogram()[255]
    assert dark > 2000  # text, not a blank page


def test_preview_after_a_build_renders_the_pdfs_it_did_not_rebuild(tmp_path):
    """The usual order: build, then preview. Nothing is rebuilt, and every current PDF is rendered."""
    args = ("--variant", "zh-Hans", "--only", "handbook", "--only", "booklet", "--output", str(tmp_path))
    assert run_build(*args).returncode == 0
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.pdf")}
    result = run_build("preview", *args, "--pages", "1", "--dpi", "20")
    assert result.returncode == 0, result.stderr
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.pdf")} == before  # up to date: not made again
    assert sorted(p.name for p in (tmp_path / "preview").glob("*.png")) == [
        "zh-Hans-handbook-01.png", "zh-Hans-handbook-booklet-01.png", "zh-Hans-handbook-booklet-contact.png",
        "zh-Hans-handbook-contact.png"]
    assert "zh-Hans/handbook.pdf: 1 page image(s)" in result.stdout + result.stderr


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600)])
def test_outputs_and_caches_get_the_mode_the_umask_gives(tmp_path, umask, mode):
    command = [sys.executable, str(ROOT / "build.py"), "--variant", "zh-Hans", "--output", str(tmp_path / "out")]
    env = {**os.environ, "HANDBOOK_NO_VENV": "1"}
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600,
                            preexec_fn=lambda: os.umask(umask))
    assert result.returncode == 0, result.stderr
    outputs = list((tmp_path / "out").rglob("*.pdf"))
    assert len(outputs) == 3
    assert {oct(p.stat().st_mode & 0o777) for p in outputs} == {oct(mode)}


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640)])
def test_cache_files_get_the_mode_the_umask_gives(tmp_path, umask, mode):
    """Every cache is written by the one atomic writer, Jinja's compiled templates included."""
    from handbook import templating
    from handbook.atomic import write_atomically

    old = os.umask(umask)
    try:
        write_atomically(tmp_path / "memo.bin", b"x")
        import gettext
        env = templating.make_environment(ROOT / "templates", "zh-Hans", gettext.NullTranslations(), tmp_path)
        env.get_template("book.xml.j2")
    finally:
        os.umask(old)
    written = [tmp_path / "memo.bin", *(tmp_path / "jinja").iterdir()]
    assert len(written) == 2
    assert {oct(p.stat().st_mode & 0o777) for p in written} == {oct(mode)}

    run_build("--variant", "zh-Hans", "--only", "handbook", "--output", str(tmp_path / "normal"))
    result = run_build("--variant", "zh-Hans", "--only", "handbook", "--theme", "large-print",
                       "--output", str(tmp_path / "large"))
    assert result.returncode == 0, result.stderr
    import pdfplumber

    def body_size(path):
        with pdfplumber.open(path) as pdf:
            sizes = [round(c["size"], 1) for c in pdf.pages[7].chars]
        return max(set(sizes), key=sizes.count)

    assert body_size(tmp_path / "normal" / "zh-Hans" / "handbook.pdf") == 10.5
    assert body_size(tmp_path / "large" / "zh-Hans" / "handbook.pdf") >= 14
    normal = len(pypdf.PdfReader(tmp_path / "normal" / "zh-Hans" / "handbook.pdf").pages)
    large = len(pypdf.PdfReader(tmp_path / "large" / "zh-Hans" / "handbook.pdf").pages)
    assert large > 1.5 * normal


def test_watch_rebuilds_after_a_change_and_survives_a_broken_file(project):
    out = project / "out"
    env = {**os.environ, "HANDBOOK_NO_VENV": "1"}
    errors = project / "watch-errors.txt"  # read while the watcher runs: its report is what the test waits for
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "watch", "--content", str(project / "content"), "--output",
         str(out), "--variant", "zh-Hans", "--only", "handbook", "--for", "90"],
        env=env, stdout=subprocess.PIPE, stderr=open(errors, "w", encoding="utf-8"), text=True)
    pdf = out / "zh-Hans" / "handbook.pdf"
    try:
        deadline = time.monotonic() + 30
        while not pdf.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert pdf.exists(), "no first build"
        first = pdf.stat().st_mtime_ns
        chapter = project / "content" / "zh-Hans" / "10-summary.md"
        chapter.write_text(chapter.read_text(encoding="utf-8") + "\n新加的一段话。\n", encoding="utf-8")
        deadline = time.monotonic() + 30
        while pdf.stat().st_mtime_ns == first and time.monotonic() < deadline:
            time.sleep(0.2)
        assert pdf.stat().st_mtime_ns != first, "no rebuild after the change"
        assert "新加的一段话" in "".join(page_texts(pdf))
        good = pdf.read_bytes()
        (project / "content" / "book.toml").write_text("[book\n", encoding="utf-8")
        deadline = time.monotonic() + 30
        while "the last good PDFs are kept" not in errors.read_text(encoding="utf-8") and time.monotonic() < deadline:
            time.sleep(0.2)
        stderr = errors.read_text(encoding="utf-8")
        assert "book.toml:1: error: invalid TOML" in stderr and "watching" in stderr, "the watcher saw no failed build"
        assert pdf.read_bytes() == good  # the failed build kept the last good PDF
    finally:
        process.terminate()
        stdout, _ = process.communicate(timeout=20)
    assert "rebuilt in" in stdout


def test_an_edit_saved_during_the_first_build_is_built_too(tmp_path):
    from handbook.watch import watch
    chapter = tmp_path / "01.md"
    chapter.write_text("一", encoding="utf-8")
    builds = []

    def rebuild(changed):
        builds.append(changed)
        if len(builds) == 1:  # the user saves while the first build runs
            chapter.write_text("一二", encoding="utf-8")

    polls = []
    watch([tmp_path], rebuild, settle=0, sleep=polls.append, until=lambda: len(builds) >= 2 or len(polls) > 20)
    assert builds == [[], [str(chapter)]]


def test_only_outputs_whose_inputs_changed_are_made_again(project):
    out = project / "out"
    args = ("--content", str(project / "content"), "--output", str(out))
    assert run_build(*args).returncode == 0
    again = run_build(*args)
    assert again.stdout.count("up to date") == 9 and "wrote" not in again.stdout  # 3 editions, 3 outputs each
    chapter = project / "content" / "zh-Hant" / "10-summary.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n補一句。\n", encoding="utf-8")
    (out / "zh-Hans" / "worksheet.pdf").unlink()
    edited = run_build(*args)
    wrote = sorted(line.split()[1].split("/out/")[1] for line in edited.stdout.splitlines() if line.startswith("wrote"))
    assert wrote == ["zh-Hans/worksheet.pdf", "zh-Hant/handbook-booklet.pdf", "zh-Hant/handbook.pdf"]
    assert "補一句" in "".join(page_texts(out / "zh-Hant" / "handbook.pdf"))
    forced = run_build(*args, "--force")
    assert forced.stdout.count("wrote") == 9


def test_the_english_sample_book_builds_with_latin_fonts(tmp_path):
    result = run_build("--content", str(ROOT / "examples" / "english"), "--output", str(tmp_path), "--strict")
    assert result.returncode == 0, result.stderr
    path = tmp_path / "en" / "handbook.pdf"
    text = "".join(page_texts(path))
    assert "Talking to Your Lender" in text and "Gather the facts" in text and "Contents" in text
    reader = pypdf.PdfReader(path)
    assert reader.trailer["/Root"]["/Lang"] == "en"
    fonts = {str(f.get_object()["/BaseFont"]) for page in reader.pages
             for f in (page["/Resources"].get("/Font") or {}).values()}
    assert fonts and all("BitstreamVeraSans" in name for name in fonts), fonts
    assert (tmp_path / "en" / "worksheet.pdf").exists() and (tmp_path / "en" / "handbook-booklet.pdf").exists()


def test_pip_install_gives_the_handbook_command_and_the_api(tmp_path):
    """pip install . into a fresh environment: the 'handbook' command builds a book from anywhere, and the
    package carries its templates (nothing is read from the checkout)."""
    import shutil

    source = tmp_path / "src"
    for name in ("pyproject.toml", "README.md", "requirements.txt"):
        shutil.copy(ROOT / name, source / name if source.exists() else (source.mkdir() or source / name))
    for name in ("handbook", "templates"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "site"  # installed beside the test environment's packages, which it depends on
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                              "--target", str(target), str(source)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr
    shutil.rmtree(source)  # the installed package must stand alone
    work = tmp_path / "work"
    shutil.copytree(ROOT / "content", work / "content")
    env = {**os.environ, "HANDBOOK_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(target)}
    result = subprocess.run([str(target / "bin" / "handbook"), "build", "--content", "content", "--output", "out",
                             "--variant", "zh-Hans"], cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (work / "out" / "zh-Hans").glob("*.pdf")) == [
        "handbook-booklet.pdf", "handbook.pdf", "worksheet.pdf"]
    api = subprocess.run([sys.executable, "-c",
                          "import handbook, sys; r = handbook.build('content', 'api', editions=['zh-Hant'], "
                          "outputs=['worksheet']); print([str(p) for p in r.written], len(r.warnings))"],
                         cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert api.returncode == 0, api.stderr
    assert api.stdout.strip() == f"[{str(work / 'api' / 'zh-Hant' / 'worksheet.pdf')!r}] 0"
    assert "handbook/templates" in subprocess.run(
        [sys.executable, "-c", "from handbook import pipeline; print(pipeline.TEMPLATES)"], cwd=work, env=env,
        capture_output=True, text=True).stdout.replace("\\", "/")


def test_the_api_reports_problems_as_located_diagnostics(project):
    import handbook

    (project / "content" / "zh-Hans" / "01-understanding.md").write_text("# 标题\n\n<b>", encoding="utf-8")
    (project / "content" / "book.toml").write_text("[book]\nsource = 1\n", encoding="utf-8")
    with pytest.raises(handbook.HandbookError) as err:
        handbook.build(project / "content", project / "out")
    assert any("book.toml" in str(d) for d in err.value.diagnostics)
    assert not (project / "out").exists()


def test_the_api_refuses_arguments_the_command_line_would(tmp_path):
    """User trial: outputs=["pdf"] built nothing without a word, and editions="zh-Hans" was read letter by letter."""
    import handbook

    with pytest.raises(ValueError, match="unknown output 'pdf': outputs are handbook, booklet, worksheet"):
        handbook.build(ROOT / "content", tmp_path / "out", outputs=["pdf"])
    with pytest.raises(TypeError, match="outputs is a list of names"):
        handbook.build(ROOT / "content", tmp_path / "out", outputs="worksheet")
    with pytest.raises(TypeError, match="editions is a list of names"):
        handbook.build(ROOT / "content", tmp_path / "out", editions="zh-Hans")
    for folder, what in ((tmp_path / "nope", "not found"), (ROOT / "content" / "book.toml", "is a file")):
        with pytest.raises(handbook.HandbookError) as err:
            handbook.build(folder, tmp_path / "out")
        assert f"content folder {folder} {what}" in str(err.value.diagnostics[0])
    assert not (tmp_path / "out").exists()
