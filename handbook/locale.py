"""Babel: validated locales, dates and money for a variant, amounts read back as people write them,
and the UI message catalogs.

Catalogs are the standard gettext layout, ``templates/locale/<locale>/LC_MESSAGES/messages.po``
(``pybabel extract / update / compile`` work on them, see the README). They are compiled at build
time and the compiled catalog is kept in the cache folder by digest of its ``.po`` file, so no ``.mo``
file needs to be kept in the repository and a build reads a compiled one. This is the only module that
imports Babel.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date
from babel.numbers import (NumberFormatError, format_currency, format_decimal, get_currency_name,
                           get_currency_precision, get_currency_symbol, get_decimal_symbol, get_group_symbol,
                           list_currencies, parse_decimal)
from babel.support import NullTranslations, Translations

from .atomic import write_atomically
from .diagnostics import Sink, SourcePos, relative
from .stamps import cache_entry, read_entry


def parse_locale(name: str) -> Locale:
    """A Babel locale from 'zh_Hans_CN' or 'zh-Hant-TW'; ValueError with the reason otherwise."""
    try:
        return Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"unknown locale '{name}' ({exc})") from None


def language_tag(locale: Locale) -> str:
    """BCP 47 tag for PDF /Lang: script only where it matters (zh-Hans, zh-Hant), else language."""
    return f"{locale.language}-{locale.script}" if locale.script else locale.language


def long_date(day: dt.date, locale: Locale) -> str:
    return format_date(day, "long", locale=locale)


def short_date(day: dt.date, locale: Locale) -> str:
    return format_date(day, "short", locale=locale)


def money(amount: Decimal | float, currency: str, locale: Locale) -> str:
    return format_currency(amount, currency, locale=locale)


def number(value: Decimal | float, locale: Locale) -> str:
    return format_decimal(value, locale=locale)


# -- amounts as people write them --------------------------------------------------------------
# What statements and people write next to an amount for a currency, beyond Babel's symbol and name
# (CLDR has 'CN¥' for CNY in zh-Hant and English; Alipay and bank statements print '¥', '元', 'RMB').
_WRITTEN = {
    "CNY": ("¥", "元", "元整", "圆", "块", "塊", "RMB", "人民币", "人民幣"),
    "TWD": ("NT$", "NTD", "元", "新台币", "新臺幣", "新台幣"),
    "HKD": ("HK$", "港元", "港币", "港幣"),
    "MOP": ("MOP$", "澳门元", "澳門元", "澳门币", "澳門幣"),
    "JPY": ("¥", "円"),
    "USD": ("US$", "美元"),
}
_SPLIT = re.compile(r"^(?P<sign>[+-]?)\s*(?P<before>[^\d\s+-]*)\s*(?P<sign2>[+-]?)\s*(?P<number>\d[^+-]*?)\s*"
                    r"(?P<after>[^\d\s+-]*)$")
MAX_AMOUNT_CHARS = 64


_CODES = frozenset(list_currencies())


@lru_cache(maxsize=32)
def currency_marks(currency: str, locale: Locale) -> frozenset[str]:
    """What may stand next to an amount in ``currency`` (compared after NFKC and case folding): its
    ISO code, its symbol in ``locale`` and in English, its name in ``locale``, and what statements print."""
    marks = {currency, get_currency_symbol(currency, locale), get_currency_symbol(currency, "en"),
             get_currency_name(currency, locale=locale), *_WRITTEN.get(currency, ())}
    return frozenset(_fold(mark) for mark in marks if mark)


@lru_cache(maxsize=8)
def _all_marks(locale: Locale) -> frozenset[str]:
    """Symbols and names of every currency, in ``locale`` and in English, and what statements print."""
    marks = {*_WRITTEN_MARKS}
    for other in (locale, Locale("en")):
        marks.update(other.currency_symbols.values(), other.currencies.values())
    return frozenset(_fold(mark) for mark in marks if mark)


_WRITTEN_MARKS = frozenset(mark for marks in _WRITTEN.values() for mark in marks)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().replace(" ", "")


def _foreign(mark: str, locale: Locale) -> bool:
    """Is ``mark`` (folded) a currency code, symbol or name of some currency?"""
    return (any(unicodedata.category(ch) == "Sc" for ch in mark) or mark.upper() in _CODES
            or mark in _all_marks(locale))


class _How:
    """How to write a number in a locale, for messages: made only when a message needs it."""

    def __init__(self, decimal: str, locale: Locale):
        self.decimal, self.locale = decimal, locale

    def __str__(self) -> str:
        grouped = format_decimal(Decimal("1234.5"), locale=self.locale)
        return f"write digits with '{self.decimal}' before the decimals, e.g. 1234{self.decimal}5 or {grouped}"


def parse_amount(text: str, locale: Locale, currency: str | None = None) -> Decimal:
    """The value of an amount (``currency`` given) or a number (``currency`` None) written as people
    copy it from a statement; ValueError saying what is wrong (never quoting the text: it is personal data).

    Rules, in this order:

    * Full-width forms are read as their ASCII twins (NFKC: ``１２３４．５`` ``￥`` ``，``), and U+2212 as
      a minus sign. Spaces around the parts do not matter.
    * An amount may carry one mark of the sheet's currency before and/or after the digits: its ISO code
      (``CNY1234.5``), symbol (``¥``, ``CN¥``), name (``人民币``) or what statements print (``RMB``, ``元``),
      case-insensitive. Any other currency's mark (``$12``, ``USD 12``, ``€``) is rejected as another
      currency; a number takes no mark at all. A minus or plus sign may stand before or after the mark.
    * The digits are read by Babel (``parse_decimal(strict=True)``) with the locale's own decimal and
      group symbols, so group separators must be where the locale puts them (``1,234.50`` and
      ``1234.5`` in zh and en; ``1 234,50`` only where the group separator is a space, as in fr).
      Only ASCII digits are digits here (no exponents, ``inf``, ``_``); after NFKC that includes
      full-width ones.
    * Ambiguity: where the locale's decimal mark is the point (zh-Hans, zh-Hant, en, ja …), a comma is
      never a decimal mark in that place's writing, so ``1,234`` is 1234 and nothing is ambiguous. Where
      the locale's decimal mark is the comma (de, fr …), figures copied from English-language statements
      are common, so a value whose only mark is one ``.`` or ``,`` followed by exactly three digits
      (``1.234``, ``1,234``) could be either and is rejected.
    * An amount has at most as many decimals as its currency (2 for CNY): ``1.234`` in a CNY field is
      more likely a thousand written the European way than a tenth of a fen, so it is rejected.
    * Negative values are accepted (nothing in the worksheet syntax says a field cannot be negative).
    """
    kind = "an amount" if currency else "a number"
    decimal, group = get_decimal_symbol(locale), get_group_symbol(locale)
    how = _How(decimal, locale)
    written = text.strip()
    if len(written) > MAX_AMOUNT_CHARS:
        raise ValueError(f"not {kind}: longer than {MAX_AMOUNT_CHARS} characters")
    written = unicodedata.normalize("NFKC", written).replace("\u2212", "-").strip()
    parts = _SPLIT.match(written)
    if not parts or (parts["sign"] and parts["sign2"]):
        raise ValueError(f"not {kind} ({how})")
    marks = [_fold(parts[name]) for name in ("before", "after") if parts[name]]
    if marks:
        own = currency_marks(currency, locale) if currency else set()
        if any(mark not in own for mark in marks):
            if currency and any(_foreign(mark, locale) for mark in marks):
                raise ValueError(f"an amount in another currency than this worksheet's {currency}: convert it, "
                                 "or leave the field empty to write by hand")
            if not currency and all(_foreign(mark, locale) for mark in marks):
                raise ValueError("a number field takes a plain number, not an amount of money")
            raise ValueError(f"not {kind} ({how})")
    number = parts["number"]
    if unicodedata.normalize("NFKC", group).isspace():
        number = re.sub(r"\s", group, number)
    elif re.search(r"\s", number):
        raise ValueError(f"not {kind}: spaces between digits ({how})")
    others = {ch for ch in number if not (ch.isascii() and ch.isdigit())}
    if not others <= {decimal, group} or not number[-1].isdigit():
        raise ValueError(f"not {kind} ({how})")
    separators = [ch for ch in number if ch in (".", ",")]
    if decimal == "," and len(separators) == 1 and re.fullmatch(r"\d+[.,]\d{3}", number):
        raise ValueError(f"ambiguous: a '{separators[0]}' before three digits can be a decimal mark or a "
                         "thousands separator; write whole numbers without thousands separators")
    try:
        value = parse_decimal(number, locale=locale, strict=True)
    except NumberFormatError:
        raise ValueError(f"not {kind}: the separators are not where they belong ({how})") from None
    if not value.is_finite():
        raise ValueError(f"not {kind} ({how})")
    if currency and decimal in number:
        places = len(number.rsplit(decimal, 1)[1])
        if places > get_currency_precision(currency):
            raise ValueError(f"more decimal places than {currency} has ({get_currency_precision(currency)}): "
                             f"is '{decimal}' meant as a thousands separator?")
    return -value if (parts["sign"] or parts["sign2"]) == "-" else value


def load_translations(locale_dir: Path, locale: Locale, project_root: Path, sink: Sink,
                      cache_dir: Path | None = None) -> NullTranslations:
    """The catalog for ``locale``, falling back along language_script_territory -> its CLDR parent
    (zh_Hant_MO -> zh_Hant_HK) -> language_script -> language; untranslated messages show their
    (English) msgid. Compiled once per version of the ``.po`` file, kept in ``cache_dir``."""
    candidates = [str(locale)]
    while candidates[-1] in _PARENTS:
        candidates.append(_PARENTS[candidates[-1]])
    if locale.script:
        candidates.append(f"{locale.language}_{locale.script}")
    candidates.append(locale.language)
    for name in candidates:
        path = locale_dir / name / "LC_MESSAGES" / "messages.po"
        if path.is_file():
            return _compiled(path, locale, relative(path, project_root), sink, cache_dir)
    return NullTranslations()


_PARENTS = get_global("parent_exceptions")  # CLDR: locales whose parent is not the truncated name


def _compiled(path: Path, locale: Locale, shown: str, sink: Sink, cache_dir: Path | None) -> NullTranslations:
    """The catalog at ``path`` as a compiled .mo, from ``cache_dir`` when it was compiled before."""
    try:
        source = path.read_bytes()
    except OSError as exc:
        sink.error(f"cannot read message catalog: {exc.strerror}", SourcePos(shown))
        return NullTranslations()
    cached = cache_entry(cache_dir, "catalog", ".mo", source, str(locale), code=("locale.py",))
    translations = read_entry(cached, lambda data: Translations(io.BytesIO(data)))
    if translations is not None:
        return translations
    compiled = _compile(source, locale, shown, sink)
    if compiled is None:
        return NullTranslations()
    if cached is not None:
        write_atomically(cached, compiled)
    return Translations(io.BytesIO(compiled))


def _compile(source: bytes, locale: Locale, shown: str, sink: Sink) -> bytes | None:
    """A .po file's bytes compiled to .mo bytes (None after reporting why not)."""
    from babel.messages.mofile import write_mo  # only when a catalog changed: 5 ms of imports
    from babel.messages.pofile import PoFileError, read_po

    try:
        catalog = read_po(io.BytesIO(source), locale=locale, abort_invalid=True)
    except PoFileError as exc:
        sink.error(f"invalid message catalog: {exc}", SourcePos(shown, getattr(exc, "lineno", 0)))
        return None
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()
