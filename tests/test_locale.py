"""Localized UI strings and locale data: the catalogs are complete, Babel's formats match CLDR."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal

import pytest
from babel.messages.pofile import read_po

from conftest import ROOT
from handbook import locale

CATALOGS = sorted((ROOT / "templates" / "locale").glob("*/LC_MESSAGES/messages.po"))


def extracted_messages(tmp_path) -> set[str]:
    """Every UI string in the code and templates, found by the standard 'pybabel extract'."""
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-o", str(pot),
                    "--no-location", "."], cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def test_there_are_catalogs_for_both_scripts():
    assert {path.parent.parent.name for path in CATALOGS} >= {"zh_Hans", "zh_Hant"}


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda path: path.parent.parent.name)
def test_every_ui_string_is_translated(catalog, tmp_path):
    wanted = extracted_messages(tmp_path)
    assert len(wanted) >= 10
    with catalog.open("rb") as handle:
        translated = {message.id: message.string for message in read_po(handle) if message.id}
    missing = sorted(wanted - {key for key, value in translated.items() if value})
    assert missing == [], f"untranslated in {catalog.parent.parent.name}: {missing}"
    assert sorted(set(translated) - wanted) == [], "obsolete messages: run pybabel update"


@pytest.mark.parametrize("name, long_date, money, script", [
    ("zh_Hans_CN", "2026年11月28日", "¥1,234.50", "Hans"),
    ("zh_Hant_TW", "2026年11月28日", "CN¥1,234.50", "Hant"),
    ("zh_Hant_HK", "2026年11月28日", "CN¥1,234.50", "Hant"),
])
def test_babel_formats_match_cldr(name, long_date, money, script):
    loc = locale.parse_locale(name)
    assert locale.long_date(dt.date(2026, 11, 28), loc) == long_date
    assert locale.money(Decimal("1234.5"), "CNY", loc) == money
    assert locale.language_tag(loc) == f"zh-{script}"


def test_local_currency_of_hong_kong():
    assert locale.money(Decimal("1234.5"), "HKD", locale.parse_locale("zh_Hant_HK")) == "HK$1,234.50"


def test_unknown_locale_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown locale 'xx_YY'"):
        locale.parse_locale("xx_YY")


def test_a_compiled_catalog_is_kept_and_follows_its_po_file(tmp_path):
    """The .po file is compiled once and kept in the cache folder by its digest: an edited catalog is
    compiled again, a damaged cache entry is compiled again, a broken catalog is a located error."""
    from handbook.diagnostics import Sink

    folder = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "messages.po"
    po.write_bytes((ROOT / "templates" / "locale" / "zh_Hans" / "LC_MESSAGES" / "messages.po").read_bytes())
    cache, where = tmp_path / "cache", locale.parse_locale("zh_Hans_CN")

    def contents() -> str:
        sink = Sink()
        text = locale.load_translations(tmp_path / "locale", where, tmp_path, sink, cache).gettext("Contents")
        assert not sink.items, sink.items
        return text

    assert contents() == "目录" and len(list(cache.glob("catalog-*.mo"))) == 1
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "目录"', 'msgstr "目次"'), encoding="utf-8")
    assert contents() == "目次" and len(list(cache.glob("catalog-*.mo"))) == 2
    for entry in cache.glob("catalog-*.mo"):
        entry.write_bytes(b"")
    assert contents() == "目次"
    po.write_text('msgid "a"\nmsgstr "b"\nmsgid\n', encoding="utf-8")
    sink = Sink()
    assert locale.load_translations(tmp_path / "locale", where, tmp_path, sink, cache).gettext("Contents") == "Contents"
    assert [d.severity for d in sink.items] == ["error"] and "invalid message catalog" in sink.items[0].message
    assert str(sink.items[0].pos).startswith("locale/zh_Hans/LC_MESSAGES/messages.po")
