"""Memory of a long 'watch' session: the same process rebuilds the book after each of 200 edits.

Each edit changes a paragraph of a chapter (one edit in ten brings a character the book did not have,
so the fonts change too), then the book is rebuilt in this process, as ``build.py watch`` does. Prints
the Python heap (tracemalloc) and the process's resident size every 25 edits: after the first builds
fill the bounded caches, both stay flat. Run: .venv/bin/python bench/bench_watch.py [--edits N]
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import io
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handbook.cli import main  # noqa: E402

NEW_CHARACTERS = "鑫淼焱垚犇骉麤猋"  # not in the book: each one makes new fonts


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2 ** 20


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=200)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="watch-"))
    shutil.copytree(ROOT / "content", work / "content")
    chapter = sorted((work / "content" / "zh-Hans").glob("0[1-9]-*.md"))[2]
    original = chapter.read_text(encoding="utf-8")
    command = ["--content", str(work / "content"), "--output", str(work / "out"), "--variant", "zh-Hans",
               "--only", "handbook"]
    tracemalloc.start()
    started = time.perf_counter()
    print("edits  heap MB  RSS MB  s/build")
    for edit in range(args.edits + 1):
        extra = NEW_CHARACTERS[edit // 10 % len(NEW_CHARACTERS)] if edit % 10 == 9 else ""
        chapter.write_text(original + f"\n\n第{edit}次修改：这一段话每次都不一样{extra}。\n", encoding="utf-8")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            assert main(command, ROOT, "build.py") == 0
        if edit % 25 == 0:
            gc.collect()
            heap = tracemalloc.get_traced_memory()[0] / 2 ** 20
            print(f"{edit:5d}  {heap:7.1f}  {rss_mb():6.0f}  {(time.perf_counter() - started) / (edit + 1):.2f}",
                  flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main_bench()
