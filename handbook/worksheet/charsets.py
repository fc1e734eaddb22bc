"""What a reader can type into the worksheet's form fields: the repertoire of the form font.

A value typed on screen is drawn by the viewer with the font the form embeds, so that font must
already hold every character a reader may type. All of Noto Sans CJK (65k glyphs) would cost about
15 MB per PDF; the national standard sets cover everyday writing at a fraction of it (measured with
Noto Sans CJK, zlib-compressed glyf TrueType, see the issue report):

==========================  =========  =========  ====================================================
repertoire                  chars      size       covers
==========================  =========  =========  ====================================================
GB2312 levels 1+2 + symbols  7,445     1.3 MB     the mainland's everyday set: 6,763 hanzi, incl. names
GB2312 level 1 + symbols     4,437     0.7 MB     the 3,755 most frequent hanzi only
Big5 common + symbols        5,903     1.1 MB     Taiwan's 5,401 常用字 (the MoE frequent set)
Big5 common + less common   13,555     2.7 MB     every Big5 hanzi
==========================  =========  =========  ====================================================

The choice (first and third rows) is data keyed by the locale's script, not by edition name. Text
the worksheet prints itself and pre-filled values are added on top, so they never depend on it.
"""
from __future__ import annotations

from functools import lru_cache

# Printable ASCII, Latin-1 signs that money, dates and names use, and the typographic marks both
# editions print; the national sets below lack some of them (GB2312 has no U+00A5 YEN SIGN).
_BASE = "".join(chr(c) for c in range(0x20, 0x7F)) + "¥£€¢°±×÷·—–…‘’“”•√✓№℃‰"
BY_SCRIPT = {"Hans": "gb2312", "Hant": "big5"}


def _double_byte(codec: str, leads: range, trails: list[int]) -> str:
    out = []
    for lead in leads:
        for trail in trails:
            try:
                char = bytes((lead, trail)).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(char) == 1:
                out.append(char)
    return "".join(out)


@lru_cache(maxsize=None)
def gb2312() -> str:
    """GB 2312-80: symbol rows 1-9 and both levels of hanzi (rows 16-87)."""
    trails = list(range(0xA1, 0xFF))
    return _double_byte("gb2312", range(0xA1, 0xAA), trails) + _double_byte("gb2312", range(0xB0, 0xF8), trails)


@lru_cache(maxsize=None)
def big5() -> str:
    """Big5: symbols (A140-A3BF) and the frequently used hanzi (A440-C67E)."""
    trails = list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF))
    return _double_byte("big5", range(0xA1, 0xA4), trails) + _double_byte("big5", range(0xA4, 0xC7), trails)


REPERTOIRES = {"gb2312": gb2312, "big5": big5}


def repertoire(script: str | None) -> tuple[str, str]:
    """(name, characters) of the form font for a locale script; ASCII and signs only when unknown."""
    name = BY_SCRIPT.get(script or "", "")
    chars = REPERTOIRES[name]() if name else ""
    return name or "basic", _BASE + chars
