"""Which outputs are already up to date: a digest of each output's inputs, kept beside the outputs.

An output is skipped when the digest of everything it is made from (the modelled content, the theme,
the fonts, the code, the date the PDF carries) equals the one recorded when it was written, and the file on
disk is still the file that was written. Anything else (a new input, an edited or deleted PDF, a new
version of the code) makes it again.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")

from .atomic import write_atomically
from .diagnostics import relative


@lru_cache(maxsize=None)
def code_digest(*modules: str) -> str:
    """The version of the code a derived thing depends on: the package's modules (all of them, or those
    named, as paths inside the package like "typeset/fonts.py") and the pinned runtime requirements
    (the libraries' versions). Every cache key and output stamp includes it, so a new version remakes
    what it changes and nothing is versioned by hand. Read once per process."""
    package = Path(__file__).resolve().parent
    paths = sorted(package.rglob("*.py")) if not modules else [package / name for name in modules]
    digest = hashlib.sha256()
    for path in paths + [package.parent / "requirements.txt"]:
        digest.update(str(path.relative_to(package.parent)).encode())
        try:
            digest.update(path.read_bytes())
        except OSError:  # installed without requirements.txt: the package's version stands for it
            digest.update(b"-")
    return digest.hexdigest()


def digest(*parts, code: tuple[str, ...] = ()) -> str:
    """The one key function of caches and stamps: a digest of plain data and of the code that derives
    something from it (``code``: the package modules that decide it, as :func:`code_digest` names them;
    all of them by default), the same in every process (sets are sorted: their order follows the
    per-process hash seed)."""
    text = repr(canonical((code_digest(*code), parts)))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def cache_entry(folder: Path | None, kind: str, suffix: str, *parts, code: tuple[str, ...] = ()) -> Path | None:
    """Where a cache entry of ``kind`` lives in ``folder``: named by the digest of what it is made from
    (see :func:`digest`); None without a cache folder."""
    return Path(folder) / f"{kind}-{digest(*parts, code=code)[:32]}{suffix}" if folder else None


def read_entry(path: Path | None, load: Callable[[bytes], T]) -> T | None:
    """``load`` of the cache entry at ``path``; None when there is none yet (or no cache folder), or it
    cannot be loaded (a damaged entry is made again, never an error)."""
    if path is None:
        return None
    try:
        return load(path.read_bytes())
    except Exception:  # noqa: BLE001 -- missing, unreadable or damaged: all mean "make it"
        return None


def canonical(value):
    """Dataclasses, dicts, sets and sequences as nested tuples in a fixed order."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is tuple or kind is list:
        return tuple(canonical(item) for item in value)
    names = _field_names(kind)
    if names is not None:
        return (kind.__name__,) + tuple((name, canonical(getattr(value, name))) for name in names)
    if isinstance(value, dict):
        return tuple(sorted((repr(canonical(k)), canonical(v)) for k, v in value.items()))
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(repr(canonical(item)) for item in value))
    if isinstance(value, (list, tuple)):
        return tuple(canonical(item) for item in value)
    return value


_PLAIN = {str, int, float, bool, type(None), bytes}  # returned as they are: most of a document's leaves


@lru_cache(maxsize=256)
def _field_names(kind: type) -> tuple[str, ...] | None:
    """A dataclass's field names (dataclasses.fields() is slow); None for other types."""
    return tuple(f.name for f in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else None


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class Stamps:
    """The record of written outputs: output path -> (inputs digest, file digest)."""

    def __init__(self, output_dir: Path, root: Path):
        self.path = output_dir / ".handbook-stamps.json"
        self.root = root
        self.records = self._load()
        self.changed: dict = {}

    def _load(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _key(self, output: Path) -> str:
        return relative(output, self.root)

    def current(self, output: Path, inputs: str) -> bool:
        record = self.records.get(self._key(output))
        return bool(record) and record[0] == inputs and record[1] == _file_digest(output)

    def record(self, output: Path, inputs: str, data: bytes) -> None:
        self.changed[self._key(output)] = [inputs, hashlib.sha256(data).hexdigest()]

    def save(self) -> None:
        """Merged with what another build may have recorded meanwhile, written atomically; a lost record
        only costs one rebuild."""
        records = {**self._load(), **self.changed}
        write_atomically(self.path, json.dumps(records, sort_keys=True, indent=0).encode("utf-8"))
