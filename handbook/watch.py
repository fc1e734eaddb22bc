"""Watch mode: rebuild when content, templates or the theme change.

Polls file times (no extra dependency, works on every file system), waits until changes settle
(debounce), then calls ``rebuild``. A failed rebuild is reported by the callback and the watch goes
on; the previous good PDFs stay in place because every build writes atomically and only on success.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Iterable

IGNORED_SUFFIXES = (".tmp", ".swp", ".pyc", "~")


def snapshot(roots: Iterable[Path]) -> dict[str, tuple[int, int]]:
    """(mtime_ns, size) of every file under the roots, by path."""
    state = {}
    for root in roots:
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in paths:
            if path.name.startswith(".") or path.name.endswith(IGNORED_SUFFIXES):
                continue
            try:
                info = path.stat()
            except OSError:
                continue  # deleted between listing and stat: the next poll sees it
            state[str(path)] = (info.st_mtime_ns, info.st_size)
    return state


def changed(before: dict, after: dict) -> list[str]:
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


def watch(roots: list[Path], rebuild: Callable[[list[str]], None], interval: float = 0.25, settle: float = 0.3,
          until: Callable[[], bool] = lambda: False, sleep=time.sleep) -> None:
    """Build once, then call ``rebuild(changed_paths)`` after each burst of changes, until ``until()`` is true.

    The files are listed before the first build, so an edit saved while it runs is rebuilt too.
    """
    seen = snapshot(roots)
    rebuild([])
    while not until():
        sleep(interval)
        now = snapshot(roots)
        if now == seen:
            continue
        while True:  # debounce: an editor's save is often several writes
            sleep(settle)
            later = snapshot(roots)
            if later == now:
                break
            now = later
        paths = changed(seen, now)
        seen = now
        rebuild(paths)
