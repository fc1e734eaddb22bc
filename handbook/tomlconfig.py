"""Reading TOML files into checked plain data, with line numbers for every complaint.

``tomllib`` gives no positions, so a key's line is found again in the text: good enough to point an
author at ``book.toml:12`` for a misspelt or mistyped key.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from .diagnostics import Sink, SourcePos


class TomlFile:
    """A parsed TOML file that can say on which line a key stands."""

    def __init__(self, path: Path, shown_path: str, sink: Sink):
        self.shown = shown_path
        self.sink = sink
        self.lines: list[str] = []
        self.data: dict[str, Any] = {}
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            sink.error("file not found", SourcePos(shown_path))
            return
        try:
            text = raw.decode("utf-8-sig")  # a BOM (Windows editors write one) is not part of the TOML
        except UnicodeDecodeError as exc:
            start = exc.start + 3 * raw.startswith(b"\xef\xbb\xbf")
            line = raw[:start].count(b"\n") + 1
            sink.error(f"not valid UTF-8 (byte 0x{raw[start]:02x})", SourcePos(shown_path, line,
                       start - (raw.rfind(b"\n", 0, start) + 1) + 1), "save the file as UTF-8")
            return
        self.lines = text.splitlines()
        try:
            self.data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line = _line_from_message(str(exc))
            sink.error(f"invalid TOML: {exc}", SourcePos(shown_path, line))

    def pos(self, table: str, key: str | None = None) -> SourcePos:
        """The line of ``[table]`` (or of ``key`` inside it), or the file when it cannot be found."""
        header = re.compile(r"^\s*\[\s*" + re.escape(table).replace(r"\.", r"\s*\.\s*") + r"\s*\]") if table else None
        start = 0
        if header:
            for number, line in enumerate(self.lines):
                if header.match(line):
                    start = number
                    break
            else:
                return SourcePos(self.shown)
        if key is None:
            return SourcePos(self.shown, start + 1)
        pattern = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
        for number in range(start, len(self.lines)):
            if pattern.match(self.lines[number]):
                return SourcePos(self.shown, number + 1)
        return SourcePos(self.shown, start + 1 if table else 0)

    def check_keys(self, table_name: str, table: dict, allowed: dict[str, type | tuple]) -> None:
        """Report unknown keys and values of the wrong type in one table."""
        for key, value in table.items():
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.sink.error(f"unknown key '{key}' in [{table_name}]" if table_name else f"unknown key '{key}'",
                                self.pos(table_name, key), f"known keys: {known}")
            elif not isinstance(value, allowed[key]) or isinstance(value, bool) and bool not in _as_tuple(allowed[key]):
                wanted = " or ".join(t.__name__ for t in _as_tuple(allowed[key]))
                self.sink.error(f"'{key}' must be {wanted}, not {type(value).__name__}", self.pos(table_name, key))


def _as_tuple(kinds: type | tuple) -> tuple:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def _line_from_message(message: str) -> int:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 0
