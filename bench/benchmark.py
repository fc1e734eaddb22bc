"""Whole-process benchmark of build.py, as a user runs it (2-core machine targets in DESIGN §8).

    python bench/benchmark.py [--runs 5] [--quick]

Works on a scratch copy of the project, so the real caches and output/ are left alone. Prints, as
median (min-max) of several runs: a cold build (empty caches), a warm build of every default output,
an edit-rebuild (one paragraph changed, with a character not drawn before), a synthetic ~250-page and
~30-page book (one edition, handbook only) with the per-page ratio, each also without the line-layout
cache; peak memory (max RSS of the build process) and output sizes; and 1,000 pre-filled worksheets, one
PDF per record (bench/bench_worksheet.py's records; it has more: merged copies, other counts and editions).
Rows that issue 19 changed print the figure measured before it, on the same two shared cores.

Then issue 19's table, each row as a ratio to Typst measured in the same run (bench/typst_book.py: the same
text, family, page and body size; pip ``typst`` in the bench environment only): a book's first build (fonts
prepared, no paragraph layouts cached; the handbook of one edition) for the small book (the benchmark text)
and 10x and 50x copies of it; every default output warm with --force, and a cold build (a fresh copy,
empty caches), both against Typst's small book. And the import time of a handbook build against its budget.
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
IMPORT_BUDGET = 0.23  # s (0.20 measured after issue 19, runs vary by 10%): every module a warm `--variant zh-Hans --only handbook` build imports (-X importtime)
GOALS = {"small": 1.0, "x10": 0.8, "x50": 0.7, "forced": 2.0, "cold": 12.0}  # issue 19: at most this times Typst
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
    """A copy of the project as a fresh clone has it: no caches, no compiled bytecode."""
    work = Path(tempfile.mkdtemp(prefix="handbook-bench-"))
    for name in ("build.py", "handbook", "templates", "content"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, work / name)
    return work


def import_time(work: Path) -> float:
    """Seconds spent importing modules in a warm ``--variant zh-Hans --only handbook`` build (the sum of
    ``python -X importtime``'s self times; bytecode cache on)."""
    env = {**os.environ, "HANDBOOK_NO_VENV": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    samples = []
    for _ in range(5):
        done = subprocess.run([sys.executable, "-X", "importtime", str(work / "build.py"), "-q", "--variant", "zh-Hans",
                               "--only", "handbook", "--force", "--output", str(work / "out-imports")],
                              cwd=work, env=env, capture_output=True, text=True, check=True)
        samples.append(sum(int(m) for m in re.findall(r"^import time:\s+(\d+) \|", done.stderr, flags=re.M)) / 1e6)
    return statistics.median(samples)


def typst_time(work: Path, book: Path, runs: int) -> float:
    """Median seconds of a whole Typst process compiling bench/typst_book.py's equivalent of ``book``."""
    sys.path.insert(0, str(ROOT / "bench"))
    import typst_book

    typ = typst_book.write(book, work / f"{book.name}.typ")
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(typst_book.command(typ, typ.with_suffix(".pdf")), check=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def first_build(work: Path, book: Path, runs: int) -> tuple[float, int]:
    """Median seconds of a first build of ``book``'s handbook (fonts prepared; no paragraph layouts, lines-*,
    nor chapter models, read-*, cached), and its pages."""
    target = work / f"out-{book.name}"
    run(work, "--content", str(book), "--output", str(target))  # prepare the fonts
    samples = []
    for _ in range(runs):
        for cached in [*(work / ".cache").glob("lines-*"), *(work / ".cache").glob("read-*")]:
            cached.unlink()
        samples.append(run(work, "--content", str(book), "--output", str(target), "--force")[0])
    return statistics.median(samples), pages(target / "zh-Hans" / "handbook.pdf")


def typst_table(work: Path, runs: int, cold: float, forced: float, quick: bool) -> None:
    """Issue 19's table: ours, Typst's in the same run, the ratio and the goal, one row each."""
    try:
        import typst  # noqa: F401  (only to say it is missing)
    except ImportError:
        print("    (no Typst rows: pip install typst==0.15.0 into this environment)")
        return
    rows = []
    typst_small = None
    for repeat in (1, 10) if quick else (1, 10, 50):
        book = synthetic_book(work, repeat) if not (work / f"book-x{repeat}").exists() else work / f"book-x{repeat}"
        ours, count = first_build(work, book, runs)
        theirs = typst_time(work, book, runs)
        typst_small = typst_small or theirs
        name = "small book (the benchmark text)" if repeat == 1 else f"{repeat}x book"
        rows.append((f"{name}, {count} pages, first build", ours, theirs, GOALS["small" if repeat == 1 else f"x{repeat}"]))
    rows.append(("all default outputs, warm, --force", forced, typst_small, GOALS["forced"]))
    rows.append(("cold: fresh copy, empty caches", cold, typst_small, GOALS["cold"]))
    print(f"| {'':<56} | ours | Typst | ratio | goal |\n|{'-' * 58}|---|---|---|---|")
    for name, ours, theirs, goal in rows:
        verdict = "met" if ours / theirs <= goal else "not met"
        print(f"| {name:<56} | {ours:.2f} s | {theirs:.2f} s | {ours / theirs:.1f}x | <= {goal:g}x ({verdict}) |")


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
            text = re.sub(r"^# (.*?)( \{#[^}]*\})?$", lambda m: f"# {m.group(1)}（{copy + 1}）{m.group(2) or ''}", text,
                          count=1, flags=re.M)
            text = re.sub(r"(\{#|\]\(#)([\w-]+)", lambda m: f"{m.group(1)}{m.group(2)}-{copy + 1}", text)  # ids unique
            front, body = text.split("\n---\n", 1) if text.startswith("---") else ("", text)
            body = re.sub(r"^(?!---$)([^#|>!\n].*[^ \n])$", lambda m: f"{m.group(1)}（{copy + 1}）", body, flags=re.M)
            text = f"{front}\n---\n{body}" if front else body
            (folder / f"{copy * len(chapters) + number:03d}-{chapter.stem[3:]}.md").write_text(text, encoding="utf-8")
    if (work / "content" / "figures").is_dir():
        shutil.copytree(work / "content" / "figures", book / "figures")
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
    parser.add_argument("--quick", action="store_true", help="skip the large books")
    parser.add_argument("--table", action="store_true", help="only issue 19's table and the import time")
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
        imports = import_time(work)
        print(f"import time, --variant zh-Hans --only handbook: {imports:.3f} s (budget {IMPORT_BUDGET:.2f} s: "
              f"{'within' if imports <= IMPORT_BUDGET else 'OVER'})")
        if args.table:
            typst_table(work, args.runs, statistics.median(t for t, _ in cold),
                        statistics.median(t for t, _ in forced), args.quick)
            return
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
        typst_table(work, args.runs, statistics.median(t for t, _ in cold), statistics.median(t for t, _ in forced),
                    args.quick)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
