"""Watch mode: rebuild when content, templates or the theme change.

Polls file times (no extra dependency, works on every file system), waits until changes settle
(debounce), then calls ``rebuild``. A failed rebuild is reported by the callback and the watch goes
on; the previous good PDFs stay in place because every build writes atomically and only on success.

What the tool writes is never a change: the output folder, the cache folder and preview images are
skipped wherever they are, so an output folder inside the content folder (``--content mybook --output
mybook/output``, the README's own example) does not make every build start another one. Hidden files
and folders (``.git``, an editor's swap files, ``.handbook-stamps.json``) are skipped too.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Callable, Iterable

IGNORED_SUFFIXES = (".tmp", ".swp", ".pyc", "~")
# What 'build.py preview' writes, wherever --to puts it: <edition>-<pdf stem>-<page>.png and -contact.png.
PREVIEW_IMAGE = re.compile(r".+-(handbook|handbook-booklet|worksheet|worksheet-filled)-(\d{2,}|contact)\.png")


class Ignored:
    """What the watcher skips: ``folders`` (the output and cache folders) are not looked into, the
    PDFs under them not read even where one of them holds a watched folder (``--output`` naming the
    content folder itself, or a folder above it); preview images and hidden names anywhere."""

    def __init__(self, folders: Iterable[Path] = ()):
        self.folders = {os.path.realpath(folder) for folder in folders if folder is not None}

    def folder(self, path: str, name: str) -> bool:
        return name.startswith(".") or os.path.realpath(path) in self.folders

    def file(self, path: str, name: str, real_dir: str) -> bool:
        if name.startswith(".") or name.endswith(IGNORED_SUFFIXES) or PREVIEW_IMAGE.fullmatch(name):
            return True
        return name.endswith(".pdf") and any(_within(real_dir, folder) for folder in self.folders)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def snapshot(roots: Iterable[Path], ignored: Ignored | None = None) -> dict[str, tuple[int, int]]:
    """(mtime_ns, size) of every file under the roots, by path, without what ``ignored`` skips."""
    ignored = ignored or Ignored()
    state = {}
    for root in roots:
        if root.is_file():
            listing = [(str(root.parent), [root.name])]
        else:
            listing = []
            for folder, subfolders, files in os.walk(root):
                subfolders[:] = [name for name in subfolders
                                 if not ignored.folder(os.path.join(folder, name), name)]
                listing.append((folder, files))
        for folder, files in listing:
            real_dir = os.path.realpath(folder)
            for name in files:
                if ignored.file(os.path.join(folder, name), name, real_dir):
                    continue
                path = os.path.join(folder, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue  # deleted between listing and stat: the next poll sees it
                state[path] = (info.st_mtime_ns, info.st_size)
    return state


def changed(before: dict, after: dict) -> list[str]:
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


def watch(roots: list[Path], rebuild: Callable[[list[str]], None], interval: float = 0.25, settle: float = 0.3,
          until: Callable[[], bool] = lambda: False, sleep=time.sleep, ignore: Iterable[Path] = ()) -> None:
    """Build once, then call ``rebuild(changed_paths)`` after each burst of changes, until ``until()`` is true.

    ``ignore``: folders the build writes (output, cache), never a change wherever they are.
    The files are listed before the first build, so an edit saved while it runs is rebuilt too.
    """
    ignored = Ignored(ignore)
    seen = snapshot(roots, ignored)
    rebuild([])
    while not until():
        sleep(interval)
        now = snapshot(roots, ignored)
        if now == seen:
            continue
        while True:  # debounce: an editor's save is often several writes
            sleep(settle)
            later = snapshot(roots, ignored)
            if later == now:
                break
            now = later
        paths = changed(seen, now)
        seen = now
        rebuild(paths)
