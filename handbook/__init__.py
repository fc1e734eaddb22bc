"""Markdown handbooks in Simplified and Traditional Chinese (or any language) to print-ready PDFs.

The Python API, for programs that make PDFs without a subprocess (a counsellor's web service making
pre-filled worksheets, say)::

    import handbook

    result = handbook.build("content", "output", editions=["zh-Hans"], outputs=["worksheet"],
                            fill="client.yaml")
    result.written      # the PDFs written (outputs whose inputs had not changed are in result.up_to_date)
    result.warnings     # located diagnostics (path:line:col: warning: ...)

Problems in the content raise :class:`HandbookError`; its ``diagnostics`` list every one, located.
``build.py`` and the installed ``handbook`` command are the same thing with a command line
(:mod:`handbook.cli`). Importing this package is cheap: the pipeline loads on the first call.
"""
from __future__ import annotations

from os import PathLike
from typing import TYPE_CHECKING, Callable, Iterable

from .diagnostics import Diagnostic, HandbookError

if TYPE_CHECKING:
    from .pipeline import BuildResult

__all__ = ["build", "check", "options", "Diagnostic", "HandbookError"]


def options(content, output=None, *, editions=(), outputs=(), theme=None, strict=False, force=False, fill=None,
            fill_merge=False, cache=None, root=None):
    """The :class:`pipeline.BuildOptions` of a call (see :func:`build`); ``root``: the folder messages
    give paths relative to (default: the content folder's parent)."""
    from pathlib import Path

    from .book import OUTPUTS
    from .pipeline import BuildOptions, cache_dir_for

    for name, values in (("editions", editions), ("outputs", outputs)):
        if isinstance(values, (str, bytes)) or not all(isinstance(value, str) for value in values):
            example = "zh-Hans" if name == "editions" else "handbook"
            raise TypeError(f"{name} is a list of names, e.g. {name}=[{example!r}]")
    unknown = [name for name in outputs if name not in OUTPUTS]
    if unknown:
        raise ValueError(f"unknown output {unknown[0]!r}: outputs are {', '.join(OUTPUTS)}")
    content = Path(content).resolve()
    root = Path(root).resolve() if root else content.parent
    return BuildOptions(content_dir=content, output_dir=Path(output).resolve() if output else root / "output",
                        cache_dir=Path(cache) if cache else cache_dir_for(root), project_root=root,
                        variants=tuple(editions), outputs=tuple(outputs), theme=theme, strict=strict, force=force,
                        fill=Path(fill).resolve() if fill else None, fill_merge=fill_merge)


def build(content: str | PathLike, output: str | PathLike | None = None, *, editions: Iterable[str] = (),
          outputs: Iterable[str] = (), theme: str | None = None, strict: bool = False, force: bool = False,
          fill: str | PathLike | None = None, fill_merge: bool = False, cache: str | PathLike | None = None,
          root: str | PathLike | None = None, progress: Callable[[str], None] = lambda message: None) -> BuildResult:
    """Build a book: ``content`` is its folder (with book.toml), ``output`` where the PDFs go (default:
    ``output/`` beside the content). ``editions`` and ``outputs`` ("handbook", "booklet", "worksheet")
    choose (default: all of the book's); ``fill`` pre-fills worksheets from a YAML, JSON or CSV file.
    ``progress`` gets a line per output written. Returns the written paths and the warnings; raises
    HandbookError listing every problem."""
    from .pipeline import build as run

    return run(options(content, output, editions=editions, outputs=outputs, theme=theme, strict=strict, force=force,
                       fill=fill, fill_merge=fill_merge, cache=cache, root=root), progress)


def check(content: str | PathLike, *, editions: Iterable[str] = (), theme: str | None = None,
          strict: bool = False, cache: str | PathLike | None = None, root: str | PathLike | None = None,
          progress: Callable[[str], None] = lambda message: None) -> BuildResult:
    """Everything a build checks, without writing PDFs; the result's ``notes`` list derived text to review."""
    from .pipeline import check as run

    return run(options(content, editions=editions, theme=theme, strict=strict, cache=cache, root=root), progress)
