"""Located problems, collected and reported together.

Low-level helpers raise plain ``ValueError`` with a message; the stage that knows where the text came
from turns it into a :class:`Diagnostic` with a :class:`SourcePos` (Typst's ``.at(span)`` split). A
stage adds everything it finds to a :class:`Sink`; the pipeline stops after a stage that reported
errors, so an author sees every problem of a run at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True, order=True)
class SourcePos:
    """A place in a file: 1-based line and column (0 when unknown)."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        text = self.path
        if self.line:
            text += f":{self.line}"
            if self.col:
                text += f":{self.col}"
        return text

    def shifted(self, lines: int = 0, col: int = 0) -> "SourcePos":
        """The same file, ``lines`` further down (and at column ``col`` if given)."""
        return SourcePos(self.path, self.line + lines, col or self.col)


@dataclass(frozen=True)
class Diagnostic:
    severity: str  # "error" | "warning" | "note" (for a person to review; never fails a build)
    message: str
    pos: SourcePos | None = None
    hints: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f"{self.pos}: " if self.pos else ""
        text = f"{where}{self.severity}: {self.message}"
        for hint in self.hints:
            text += f"\n    hint: {hint}"
        return text


@dataclass
class Sink:
    """Collects diagnostics of a run, without duplicates, in the order they were found."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        if diagnostic not in self.items:
            self.items.append(diagnostic)

    def error(self, message: str, pos: SourcePos | None = None, *hints: str) -> None:
        self.add(Diagnostic("error", message, pos, tuple(hints)))

    def warning(self, message: str, pos: SourcePos | None = None, *hints: str) -> None:
        self.add(Diagnostic("warning", message, pos, tuple(hints)))

    def note(self, message: str, pos: SourcePos | None = None, *hints: str) -> None:
        self.add(Diagnostic("note", message, pos, tuple(hints)))

    @property
    def notes(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "note"]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))


class HandbookError(Exception):
    """A build that cannot go on; carries every diagnostic found so far."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


def fail(message: str, pos: SourcePos | None = None, *hints: str) -> HandbookError:
    """A HandbookError with one diagnostic, for problems that stop a stage at once."""
    return HandbookError([Diagnostic("error", message, pos, tuple(hints))])


def relative(path: Path, root: Path) -> str:
    """A path as the author knows it: relative to the project when it is inside it."""
    try:
        return str(path.resolve().relative_to(_resolved(root)))
    except ValueError:
        return str(path)


@lru_cache(maxsize=8)
def _resolved(root: Path) -> Path:
    return root.resolve()
