"""Reading content files: Markdown text plus YAML front matter, each knowing where it came from.

Input: a variant's folder. Output: :class:`Source` records (plain data) in reading order. Chapters
are the ``NN-name.md`` files in file-name order; ``worksheet.md`` is the worksheet.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import yamlread
from .diagnostics import Sink, SourcePos, relative

WORKSHEET = "worksheet.md"
FRONT_MATTER_KEYS = {"title": str, "short_title": str}
_CHAPTER_NAME = re.compile(r"^[0-9]{2,}-[A-Za-z0-9_-]+\.md$")


@dataclass(frozen=True)
class Source:
    """One Markdown file: its body text, the line the body starts on, and its front matter."""

    name: str  # file name, the same in every variant
    shown: str  # path as printed in messages
    text: str
    first_line: int  # line number of the body's first line in the file
    meta: dict = field(default_factory=dict)
    derived_from: str | None = None  # the source file this text was converted from

    def pos(self, body_line: int, col: int = 0) -> SourcePos:
        """The file position of a 1-based line of the body."""
        return SourcePos(self.shown, self.first_line + body_line - 1, col)


def chapter_names(folder: Path) -> list[str]:
    """Chapter file names in reading order (``NN-name.md``)."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_file() and _CHAPTER_NAME.match(p.name))


def stray_markdown(folder: Path) -> list[str]:
    """Markdown files that are neither chapters nor the worksheet: probably misnamed."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.glob("*.md") if not _CHAPTER_NAME.match(p.name) and p.name != WORKSHEET)


def read_source(path: Path, project_root: Path, sink: Sink) -> Source | None:
    """Read one file; problems go to ``sink`` with their line, and None is returned for unusable files."""
    shown = relative(path, project_root)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        sink.error(f"cannot read file: {exc.strerror}", SourcePos(shown))
        return None
    text = decode(raw, shown, sink)
    if text is None:
        return None
    return parse_source(path.name, shown, text, sink)


def decode(raw: bytes, shown: str, sink: Sink) -> str | None:
    """UTF-8 text with a BOM dropped and line ends made ``\\n``; invalid bytes are an error at their line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        sink.error(f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", SourcePos(shown, line, col),
                   "save the file as UTF-8")
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    return drop_invisible(text.replace("\r\n", "\n").replace("\r", "\n"), shown, sink)


@lru_cache(maxsize=None)
def invisible(char: str) -> bool:
    """A character that is never drawn: control and format characters (not line break or tab), and
    the line and paragraph separators. The font has no glyph for them: drawn, they print as boxes."""
    return char not in "\n\t" and unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def drop_invisible(text: str, shown: str, sink: Sink) -> str:
    """The text without invisible characters. Format characters (zero-width space, soft hyphen, direction
    marks) are dropped silently; a control character is junk (pasted from another program): a warning
    at its place, then dropped. Lines keep their numbers, as only ``\\n`` ends a line."""
    found = {char for char in set(text) if invisible(char)}  # each distinct character is looked up once
    if not found:
        return text
    out = []
    line, line_start = 1, 0
    for offset, char in enumerate(text):
        if char == "\n":
            line, line_start = line + 1, offset + 1
        elif char in found:
            if unicodedata.category(char) != "Cf":
                name = unicodedata.name(char, "control character")
                sink.warning(f"invisible character U+{ord(char):04X} ({name}) removed",
                             SourcePos(shown, line, offset - line_start + 1), "delete it from the file")
            continue
        out.append(char)
    return "".join(out)


def parse_source(name: str, shown: str, text: str, sink: Sink, derived_from: str | None = None) -> Source:
    """Split off YAML front matter (between ``---`` lines at the top) and check its keys."""
    meta: dict = {}
    first_line = 1
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        if end is None:
            sink.error("front matter is not closed: add a line '---' after it", SourcePos(shown, 1))
            return Source(name, shown, "", len(lines) + 1, {}, derived_from)
        meta = _front_matter("\n".join(lines[1:end]), shown, sink)
        first_line = end + 2
        text = "\n".join(lines[end + 1:])
    return Source(name, shown, text, first_line, meta, derived_from)


def _front_matter(block: str, shown: str, sink: Sink) -> dict:
    try:
        data = yamlread.load_block(block) if block.strip() else {}
    except yamlread.YamlError as exc:
        sink.error(f"invalid YAML front matter: {exc.message}", SourcePos(shown, exc.line + 1 if exc.line else 1))
        return {}
    if not isinstance(data, dict):
        sink.error("front matter must be 'key: value' lines", SourcePos(shown, 2))
        return {}
    meta = {}
    for key, value in data.items():
        line = _key_line(block, str(key))
        if key not in FRONT_MATTER_KEYS:
            sink.error(f"unknown front matter key '{key}'", SourcePos(shown, line),
                       f"known keys: {', '.join(sorted(FRONT_MATTER_KEYS))}")
        elif not isinstance(value, FRONT_MATTER_KEYS[key]):
            sink.error(f"front matter '{key}' must be text", SourcePos(shown, line))
        else:
            meta[key] = value.strip()
    return meta


def _key_line(block: str, key: str) -> int:
    for number, line in enumerate(block.split("\n")):
        if line.startswith(key + ":") or line.startswith(f'"{key}":'):
            return number + 2
    return 2
