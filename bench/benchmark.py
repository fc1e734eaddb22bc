"""Whole-process benchmark of build.py, as a user runs it (2-core machine targets in DESIGN §8).

    python bench/benchmark.py [--runs 5] [--quick]

Works on a scratch copy of the project, so the real caches and output/ are left alone. Prints, as
median (min-max) of several runs: a cold build (empty caches), a warm build of every default output,
an edit-rebuild (one paragraph changed, with a character not drawn before), a synthetic ~250-page and
~30-page book (one edition, handbook only) with the per-page ratio, each also without the line-layout
cache; peak memory (max RSS of the build process) and output sizes; and 1,000 pre-filled worksheets, one
PDF per record (bench/bench_worksheet.py's records; it has more: merged copies, other counts and editions).
Rows that issue 19 changed print the figure measured before it, on the same two shared cores.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RARE = "鑫龘"  # characters the book does not use: an edit that needs new glyphs
BEFORE = {  # issue 19, measured with the code before it (commit 9256ccd), medians on two shared cores
    "cold": "before issue 19: 4.5 s (the three form fonts drawn apart, 19,533 glyphs)",
    "merge": "before issue 19: 7.1 s, 1,600 MB",
}


def run(workdir: Path, *args: str) -> tuple[float, float]:
    """Run build.py in ``workdir``; return (wall seconds, peak RSS in MiB) of that process alone. Python
    keeps its bytecode cache as it does by default (a sandbox that sets PYTHONDONTWRITEBYTECODE would
    add about 0.15 s of compiling the package to every run)."""
    env = {**os.environ, "HANDBOOK_NO_VENV": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(workdir / "build.py"), "-q", *args], cwd=workdir, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build failed: {' '.join(args)}\n{process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def scratch_project() -> Path:
    work = Path(tempfile.mkdtemp(prefix="handbook-bench-"))
    for name in ("build.py", "handbook", "templates", "content"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, work / name)
    return work


def synthetic_book(work: Path, repeat: int) -> Path:
    """The zh-Hans chapters ``repeat`` times over, renumbered, as a one-edition book. Each copy's lines
    end with its number, so that no paragraph repeats: a repeated one would be laid out only once."""
    book = work / f"book-x{repeat}"
    folder = book / "zh-Hans"
    folder.mkdir(parents=True)
    chapters = sorted((work / "content" / "zh-Hans").glob("[0-9]*.md"))
    for copy in range(repeat):
        for number, chapter in enumerate(chapters):
            text = chapter.read_text(encoding="utf-8")
            text = re.sub(r"^# (.*)$", lambda m: f"# {m.group(1)}（{copy + 1}）", text, count=1, flags=re.M)
            front, body = text.split("\n---\n", 1) if text.startswith("---") else ("", text)
            body = re.sub(r"^(?!---$)([^#|>\n].*[^ \n])$", lambda m: f"{m.group(1)}（{copy + 1}）", body, flags=re.M)
            text = f"{front}\n---\n{body}" if front else body
            (folder / f"{copy * len(chapters) + number:03d}-{chapter.stem[3:]}.md").write_text(text, encoding="utf-8")
    config = (work / "content" / "book.toml").read_text(encoding="utf-8")
    config = re.sub(r"\[variants\.zh-Hant\].*", "", config, flags=re.S)
    config = re.sub(r'outputs = \[.*\]', 'outputs = ["handbook"]', config)
    config = re.sub(r"^phrases = .*$", "", config, flags=re.M)  # one edition: nothing to derive
    (book / "book.toml").write_text(config, encoding="utf-8")
    return book


def pages(pdf: Path) -> int:
    import pypdf

    return len(pypdf.PdfReader(pdf).pages)


def line(name: str, samples: list[tuple[float, float]], extra: str = "") -> None:
    times = [t for t, _ in samples]
    memory = max(m for _, m in samples)
    print(f"{name:<40} {statistics.median(times):6.2f} s  ({min(times):.2f}-{max(times):.2f})  "
          f"peak {memory:5.0f} MiB  {extra}")


def mail_merge(work: Path, runs: int, count: int = 1000) -> None:
    """1,000 pre-filled worksheets of zh-Hans, one PDF each (the font cache warm): time and total size."""
    sys.path.insert(0, str(ROOT / "bench"))
    import bench_worksheet

    data = work / "clients.csv"
    bench_worksheet.write_csv(bench_worksheet.records(count), data)
    target = work / "out-filled"
    args = ("--fill", str(data), "--variant", "zh-Hans", "--output", str(target))
    samples = []
    for _ in range(max(1, runs // 2)):
        shutil.rmtree(target, ignore_errors=True)
        samples.append(run(work, *args))
    total = sum(p.stat().st_size for p in (target / "zh-Hans" / "worksheet-filled").glob("*.pdf"))
    line(f"{count} pre-filled worksheets, one PDF each", samples,
         f"{total / 2**20:.0f} MB (goal <= 300 MB; {BEFORE['merge']})")


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark build.py on a scratch copy of the project.")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="skip the large book")
    args = parser.parse_args()
    work = scratch_project()
    out = work / "output"
    try:
        cold = []
        for _ in range(max(2, args.runs // 2)):
            shutil.rmtree(work / ".cache", ignore_errors=True)
            cold.append(run(work, "--output", str(out), "--force"))
        line("cold build, all outputs (empty caches)", cold, BEFORE["cold"])
        forced = [run(work, "--output", str(out), "--force") for _ in range(args.runs)]
        line("warm build, all outputs made (--force)", forced)
        warm = [run(work, "--output", str(out)) for _ in range(args.runs)]
        line("warm build, nothing changed", warm)
        sizes = ", ".join(f"{p.parent.name}/{p.name} {p.stat().st_size / 1024:.0f} KB" for p in sorted(out.rglob("*.pdf")))
        print(f"    outputs: {sizes}")
        chapter = work / "content" / "zh-Hans" / "02-mindset.md"
        original = chapter.read_text(encoding="utf-8")
        edits = []
        for index in range(args.runs):
            chapter.write_text(original.replace("。", f"{RARE[index % 2]}{index}。", 1), encoding="utf-8")
            edits.append(run(work, "--output", str(out)))
        chapter.write_text(original, encoding="utf-8")
        line("edit-rebuild (new character), all outputs", edits)
        mail_merge(work, args.runs)
        if not args.quick:
            results = {}
            for repeat in (1, 10):
                book = synthetic_book(work, repeat)
                target = work / f"out-x{repeat}"
                run(work, "--content", str(book), "--output", str(target))  # warm the font cache
                samples = [run(work, "--content", str(book), "--output", str(target), "--force")
                           for _ in range(args.runs)]
                count = pages(target / "zh-Hans" / "handbook.pdf")
                results[repeat] = (statistics.median(t for t, _ in samples), count)
                line(f"{count}-page book, one edition, handbook", samples,
                     f"{statistics.median(t for t, _ in samples) / count * 1000:.1f} ms/page")
                uncached = []
                for _ in range(args.runs):
                    for layouts in (work / ".cache").glob("lines-*"):
                        layouts.unlink()
                    uncached.append(run(work, "--content", str(book), "--output", str(target), "--force"))
                line(f"{count}-page book, no layouts cached", uncached)
            (small_t, small_p), (big_t, big_p) = results[1], results[10]
            print(f"    per-page time, {big_p} vs {small_p} pages: {(big_t / big_p) / (small_t / small_p):.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
