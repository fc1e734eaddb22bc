"""The quarter em between Han and Latin (clreq) sets Han apart from letters and digits only: not from ASCII
marks (* " / ( ), and not inside inline code or a URL, which print as typed. Built with the real command and
read back from the PDF's character boxes."""
from __future__ import annotations

import pdfplumber

from conftest import build_chapter


def test_the_quarter_em_only_between_han_and_letters_or_digits(tmp_path):
    result, pdf = build_chapter(
        tmp_path, '# 小结\n\n代码 `print("信息")` 和网址 https://example.com/信息/后台 以及 \\*不是强调\\*，还有 App 和 2026 年。\n')
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(pdf) as document:
        page = next(p for p in document.pages if "不是强调" in (p.extract_text() or ""))
        chars = sorted((c for c in page.chars if not c["text"].isspace()), key=lambda c: (round(c["top"]), c["x0"]))
    drawn = "".join(c["text"] for c in chars)

    def gap(pair: str) -> float:  # the blank between the two characters of ``pair`` as printed
        at = drawn.index(pair)
        return chars[at + 1]["x0"] - chars[at]["x1"]

    for tight in ('("', '息"', "/信", "息/", "*不", "调*"):
        assert gap(tight) < 0.1 * chars[0]["size"], tight
    for spaced in ("有A", "p和", "和2", "6年"):
        assert gap(spaced) > 0.2 * 10.5, spaced
