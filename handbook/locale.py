"""Babel: validated locales, dates and money for a variant, and the UI message catalogs.

Catalogs are the standard gettext layout, ``templates/locale/<locale>/LC_MESSAGES/messages.po``
(``pybabel extract / update / compile`` work on them, see the README). They are compiled in memory
at build time, so no ``.mo`` file needs to be kept in the repository. This is the only module that
imports Babel.
"""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations

from .diagnostics import Sink, SourcePos, relative


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


def load_translations(locale_dir: Path, locale: Locale, project_root: Path, sink: Sink) -> NullTranslations:
    """The catalog for ``locale``, falling back along language_script_territory -> language_script ->
    language; untranslated messages show their (English) msgid."""
    candidates = [str(locale)]
    if locale.script:
        candidates.append(f"{locale.language}_{locale.script}")
    candidates.append(locale.language)
    for name in candidates:
        path = locale_dir / name / "LC_MESSAGES" / "messages.po"
        if path.is_file():
            return _compile(path, locale, relative(path, project_root), sink)
    return NullTranslations()


def _compile(path: Path, locale: Locale, shown: str, sink: Sink) -> NullTranslations:
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale, abort_invalid=True)
    except PoFileError as exc:
        sink.error(f"invalid message catalog: {exc}", SourcePos(shown, getattr(exc, "lineno", 0)))
        return NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)
