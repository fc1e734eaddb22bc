"""Where a Latin token may break: URLs, e-mail addresses, inline code, English words, numbers.

A *token* is a run of Latin (narrow) characters without spaces, as :func:`cjk.make_atoms` collects
it. This module says, for each position inside a token, whether a line may end there and at what
cost, and nothing else (no metrics, no ReportLab):

- URLs and e-mail addresses break after ``/ . - _ ? & = # @`` (never inside ``://``, never before a
  closing mark, no hyphen added); as a last resort (``SEGMENT``: only where no such break lets the line be
  justified under the cap) also inside a segment, between two letters or digits, two or more from the
  segment's start and three from its end, never in the scheme (xurl's way, with a demerit that keeps
  separators first);
- inline code breaks after ``/ - _ .`` (its own spaces are word spaces already);
- English words break after an explicit hyphen between letters, and at the hyphenation points of a real
  dictionary (pyphen's ``en_US``, TeX's patterns) with a visible hyphen;
- numbers, amounts, dates, codes with digits never break;
- a token wider than the measure may, as a last resort (``LAST_RESORT``), break between any two characters.

It also knows which characters Unicode says are *default ignorable* (variation selectors, ZWJ/ZWNJ,
zero-width space, soft hyphen …): they are never drawn, and never a missing glyph. A variation selector
after an ideograph (葛 + U+E0100, an ideographic variation sequence) selects the face's variant glyph where
its cmap format 14 has one (:func:`fonts.variant_glyphs`, :func:`cjk.make_atoms`), else the base character
is drawn, with a warning where it was written. A soft hyphen or a zero-width space the author wrote inside
a word is a break point (:func:`cjk.make_atoms`).
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

CLOSING_ASCII = set(",.;:?!)]}%'\"")
URL_BREAK_AFTER = set("/.-_?&=#@")
CODE_BREAK_AFTER = set("/-_.")
SOFT_HYPHEN = "\u00ad"
ZERO_WIDTH_SPACE = "\u200b"

# Penalties (TeX's scale: a line's demerits are (10 + badness)² + penalty²).
URL_PENALTY = 40.0  # a URL broken at one of its own separators
HYPHEN_PENALTY = 60.0  # a word hyphenated at a dictionary point (TeX's \hyphenpenalty is 50)
EXPLICIT_HYPHEN_PENALTY = 30.0  # after the hyphen of a compound (well-known)
SEGMENT_PENALTY = 900.0  # inside a segment of a URL, an e-mail address or code (between two letters or digits)
EMERGENCY_PENALTY = 900.0  # between any two characters of a token wider than the line
EDGE_PENALTY = 2000.0  # in a URL wider than the line, next to a separator (``personal|/credit``)
LAST_RESORT_PENALTY = 5000.0  # inside ``://`` or before a closing mark, in a token wider than the line


SEGMENT, LAST_RESORT = 1, 2  # Break.emergency


class Break(NamedTuple):
    """A line may end after ``index`` characters of the token."""

    index: int
    penalty: float
    hyphen: bool  # a visible hyphen is added at the line end
    emergency: int  # 0: a break of the token's own; 1: inside a URL's segment, only where the line could not
    # otherwise be justified; 2: only when no other way exists (a token wider than the line)


# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties.txt), as ranges. Stable across versions.
_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)


def is_ignorable(char: str) -> bool:
    """A default-ignorable code point: not drawn, not an error (☎️ is ☎ and a variation selector)."""
    code = ord(char)
    if code < 0xAD:
        return False
    return any(low <= code <= high for low, high in _IGNORABLE)


def is_variation_selector(char: str) -> bool:
    """VS1-VS16 (U+FE00-FE0F) or VS17-VS256 (U+E0100-E01EF): after an ideograph, a variation sequence."""
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def is_ideograph(char: str) -> bool:
    """A CJK unified or compatibility ideograph (the bases of ideographic variation sequences)."""
    code = ord(char)
    return 0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF \
        or 0x20000 <= code <= 0x3FFFF


def classify(token: str, code: bool = False) -> str:
    """'url', 'email', 'code', 'number', 'word' (letters, maybe with a hyphen), or 'other'."""
    if code:
        return "code"
    core = token.strip("()[]{}<>\"',.;:!?")
    if "://" in core or core.lower().startswith("www.") and "." in core[4:]:
        return "url"
    at = core.find("@")
    if 0 < at < len(core) - 1 and "." in core[at:]:
        return "email"
    if any(ch.isdigit() for ch in core):
        return "number"  # amounts, dates, card numbers, versions, COVID-19: never broken
    if core and all(ch.isalpha() or ch in "-'’" for ch in core) and any(ch.isalpha() for ch in core):
        return "word"
    if "/" in core and "." in core and all(ch.isalnum() or ch in "/.-_?&=#%~+:" for ch in core):
        return "url"  # example.com/path
    return "other"


def breaks(token: str, kind: str, overlong: bool) -> list[Break]:
    """The places a line may end inside ``token`` (0 < index < len(token)), in order."""
    found: dict[int, Break] = {}
    n = len(token)
    if kind in ("url", "email", "code"):
        after = URL_BREAK_AFTER if kind != "code" else CODE_BREAK_AFTER
        protected = _protected(token)
        first = next((i for i, ch in enumerate(token) if ch.isalnum()), n)
        for i in range(first + 1, n):  # not after leading marks: --output, ./run, ../docs stay whole
            if token[i - 1] in after and _may_start(token, i) and i not in protected and token[i - 1] != token[i]:
                found[i] = Break(i, URL_PENALTY, False, 0)
    elif kind == "word":
        for i in range(1, n):
            if token[i - 1] == "-" and token[i].isalpha() and i >= 3 and token[i - 2].isalpha() and n - i >= 2:
                found[i] = Break(i, EXPLICIT_HYPHEN_PENALTY, False, 0)
        if not overlong:
            for start, part in _letter_runs(token):
                for point in hyphenation_points(part):
                    found.setdefault(start + point, Break(start + point, HYPHEN_PENALTY, True, 0))
    if overlong and kind not in ("url", "email", "code"):
        for i in range(1, n):  # a long path or list: at its own separators before anywhere else
            if token[i - 1] in URL_BREAK_AFTER and _may_start(token, i) and token[i - 1] != token[i]:
                found.setdefault(i, Break(i, URL_PENALTY, False, 0))
    if kind in ("url", "email", "code"):
        # a last resort inside a segment (xurl's way): between two letters or digits, at least two from the
        # segment's start and three from its end (TeX's \lefthyphenmin, \righthyphenmin), so that a line
        # holding a URL can be justified under the cap where no separator allows it
        scheme = token.find("://") + 3 if "://" in token else 0  # https:// stays whole
        for i in range(scheme + 2, n - 2):
            if i not in found and all(token[j].isalnum() for j in range(i - 2, i + 3)):
                found[i] = Break(i, SEGMENT_PENALTY, False, SEGMENT)
    if overlong:
        protected = _protected(token)
        anywhere = EMERGENCY_PENALTY if kind not in ("url", "email", "code") else EDGE_PENALTY
        for i in range(1, n):
            if i not in found and i not in protected and _may_start(token, i):
                found[i] = Break(i, anywhere, False, LAST_RESORT)
    if overlong:
        for i in range(1, n):  # a line must end somewhere, even before a closing mark (``??????…``)
            found.setdefault(i, Break(i, LAST_RESORT_PENALTY, False, LAST_RESORT))
    return [found[i] for i in sorted(found)]


def _may_start(token: str, i: int) -> bool:
    """A line may start with token[i]: not with a closing mark or a full stop (``.`` ``,`` ``)`` ``%`` …)."""
    return token[i] not in CLOSING_ASCII and token[i] not in ")]}"


def _protected(token: str) -> set[int]:
    """Positions inside ``://`` (a break after it is fine, inside it never)."""
    out = set()
    start = token.find("://")
    while start >= 0:
        out.update((start + 1, start + 2))
        start = token.find("://", start + 1)
    return out


def _letter_runs(token: str):
    """(offset, text) of each run of at least five ASCII letters that is not an acronym."""
    start = None
    for i, ch in enumerate(token + " "):
        if ch.isascii() and ch.isalpha():
            if start is None:
                start = i
            continue
        if start is not None:
            part = token[start:i]
            if len(part) >= 5 and not part.isupper():
                yield start, part
            start = None


@lru_cache(maxsize=8192)
def hyphenation_points(word: str) -> tuple[int, ...]:
    """Dictionary hyphenation points of an English word (at least two letters before, three after)."""
    if word[1:] != word[1:].lower():
        return ()  # camelCase, iPhone: names, not words
    return tuple(_dictionary().positions(word))


@lru_cache(maxsize=1)
def _dictionary():
    import pyphen  # TeX's en_US patterns; imported on the first long word only
    return pyphen.Pyphen(lang="en_US", left=2, right=3)
