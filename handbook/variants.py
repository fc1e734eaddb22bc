"""Script variants: punctuation styles, purity checks, and derivation of one script from the other.

This is the only module that knows how the editions differ (and the only OpenCC user): everything
else gets a :class:`Punctuation` record or calls a function here, with no ``if variant == ...``.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache

from .diagnostics import Sink, SourcePos


@dataclass(frozen=True)
class Punctuation:
    """How an edition writes quotes and sets full-width marks."""

    name: str
    quotes: dict  # marks of other styles -> this style's marks
    compress: str  # which marks share space: 'all' (mainland), 'brackets' (Hong Kong), 'none' (Taiwan)


_CORNER = {"“": "「", "”": "」", "‘": "『", "’": "』"}
_CURLY = {v: k for k, v in _CORNER.items()}
PUNCTUATION = {
    "mainland": Punctuation("mainland", _CURLY, compress="all"),
    "taiwan": Punctuation("taiwan", _CORNER, compress="none"),
    "hongkong": Punctuation("hongkong", _CORNER, compress="brackets"),
    "latin": Punctuation("latin", {}, compress="none"),
}

# OpenCC configurations that leave text of the locale's script alone and change the other script's
# characters (the regional Traditional standards differ: 吃 not 喫 in Taiwan, 裏 in Hong Kong).
_OTHER_SCRIPT_CHECK = {("Hans", None): "t2s", ("Hant", "TW"): "s2tw", ("Hant", "HK"): "s2hk", ("Hant", None): "s2t"}


def purity_config(script: str | None, territory: str | None) -> str | None:
    """The OpenCC configuration that flags characters of the other script for this locale."""
    return _OTHER_SCRIPT_CHECK.get((script, territory)) or _OTHER_SCRIPT_CHECK.get((script, None))


def punctuation(name: str) -> Punctuation:
    try:
        return PUNCTUATION[name]
    except KeyError:
        raise ValueError(f"unknown punctuation style '{name}' (known: {', '.join(PUNCTUATION)})") from None


@lru_cache(maxsize=None)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config if config.endswith(".json") else f"{config}.json")


def convert(text: str, config: str) -> str:
    """Run OpenCC; ValueError for an unknown configuration."""
    try:
        return _converter(config).convert(text)
    except Exception as exc:  # OpenCC raises its own types for bad config names
        raise ValueError(f"OpenCC configuration '{config}' failed: {exc}") from None


def foreign_characters(text: str, config: str | None) -> list[tuple[int, str, str]]:
    """(offset, character, what it would be) for each character that ``config`` would convert.

    OpenCC converts phrase by phrase, so 干涉 in Traditional text is not flagged while 干部 would be."""
    if not config or not text:
        return []
    converted = convert(text, config)
    if converted == text:
        return []
    found = []
    if len(converted) == len(text):
        for offset, (old, new) in enumerate(zip(text, converted)):
            if old != new:
                found.append((offset, old, new))
        return found
    matcher = difflib.SequenceMatcher(None, text, converted, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            for offset in range(i1, i2):
                found.append((offset, text[offset], converted[j1:j2]))
    return found


def check_purity(text: str, script: str | None, territory: str | None, pos_of, sink: Sink) -> None:
    """Warn at each character of the other script (``pos_of(offset) -> SourcePos``)."""
    name = {"Hans": "Traditional", "Hant": "Simplified"}.get(script or "", "")
    for offset, char, wanted in foreign_characters(text, purity_config(script, territory)):
        sink.warning(f"{name} character '{char}' in a {'Simplified' if script == 'Hans' else 'Traditional'} "
                     f"edition (expected '{wanted}')", pos_of(offset))


def wrong_quotes(text: str, style: Punctuation) -> list[tuple[int, str, str]]:
    """(offset, mark, the mark this style uses) for quotes of another style."""
    return [(offset, char, style.quotes[char]) for offset, char in enumerate(text) if char in style.quotes]


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def check_source(source, sink: Sink, script: str | None, territory: str | None, style: Punctuation) -> None:
    """Check one content file: characters of the other script and quotes of the other style."""
    def pos(offset: int) -> SourcePos:
        line, col = line_col(source.text, offset)
        return source.pos(line, col)

    check_purity(source.text, script, territory, pos, sink)
    for offset, char, wanted in wrong_quotes(source.text, style):
        sink.warning(f"quote mark '{char}' does not belong to the {style.name} style (use '{wanted}')", pos(offset))


def derive(text: str, config: str, style: Punctuation) -> str:
    """Text of another script: OpenCC (phrase-aware), then this edition's quote marks."""
    converted = convert(text, config)
    return "".join(style.quotes.get(char, char) for char in converted) if style.quotes else converted
