"""The quarter em between Han and Latin (clreq) sets Han apart from letters and digits only: not from ASCII
marks (* " / ( ), and not inside inline code or a URL, which print as typed. Built with the real command and
read back from the PDF's character boxes."""
from __future__ import annotations

import shutil

import pdfplumber

from conftest import ROOT, run_build


def test_the_quarter_em_only_between_han_and_letters_or_digits(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    (tmp_path / "content" / "zh-Hans" / "10-summary.md").write_text(
        '# 小结\n\n代码 `print("信息")` 和网址 https://example.com/信息/后台 以及 \\*不是强调\\*，还有 App 和 2026 年。\n',
        encoding="utf-8")
    result = run_build("--content", str(tmp_path / "content"), "--output", str(tmp_path / "out"), "--variant", "zh-Hans",
                       "--only", "handbook")
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(tmp_path / "out" / "zh-Hans" / "handbook.pdf") as pdf:
        page = next(p for p in pdf.pages if "不是强调" in (p.extract_text() or ""))
        chars = sorted((c for c in page.chars if not c["text"].isspace()), key=lambda c: (round(c["top"]), c["x0"]))
    drawn = "".join(c["text"] for c in chars)

    def gap(pair: str) -> float:  # the blank between the two characters of ``pair`` as printed
        at = drawn.index(pair)
        return chars[at + 1]["x0"] - chars[at]["x1"]

    for tight in ('("', '息"', "/信", "息/", "*不", "调*"):
        assert gap(tight) < 0.1 * chars[0]["size"], tight
    for spaced in ("有A", "p和", "和2", "6年"):
        assert gap(spaced) > 0.2 * 10.5, spaced
