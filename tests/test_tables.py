"""Table columns (layout.column_widths): a short column (dates, amounts) is not wrapped while the table has
room, and a number is broken only when its column cannot hold it, which is then a warning at the table.
Built with the real command and read back from the PDF."""
from __future__ import annotations

import pdfplumber

from conftest import build_chapter

WIDE = ("| 月份 | 应还本金 | 利息 | 服务费 | 已还金额 | 剩余欠款 | 还款渠道 | 备注说明 |\n|---|---|---|---|---|---|---|---|\n"
        + "".join(f"| 2026年{m}月 | 14,368.35 | 18,445.64 | 8,080.78 | 16,077.90 | 9,059.03 | 支付宝 | "
                  "按时还款，无额外费用，客服确认已经入账 |\n" for m in (1, 2)))
PLAN = ("| 期数 | 应还日期 | 应还金额 | 实还金额 | 状态 |\n|---|---|---|---|---|\n"
        + "".join(f"| {k} | 2027年{k}月10日 | 1,513.49 | 658.91 | 已还，客服已经确认入账并发来了短信通知 |\n"
                  for k in range(1, 13)))


def test_a_short_column_is_not_wrapped(tmp_path):
    result, built = build_chapter(tmp_path, "# 小结\n\n分期明细如下：\n\n" + PLAN, "--strict")
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(built) as pdf:
        page = next(p for p in pdf.pages if "分期明细如下" in (p.extract_text() or ""))
        chars = [c for c in page.chars if not c["text"].isspace()]
    drawn = "".join(c["text"] for c in chars)
    for month in (1, 4, 8):  # the rows on the first page
        start = drawn.index(f"2027年{month}月10日")
        date = chars[start:start + len(f"2027年{month}月10日")]
        assert max(c["top"] for c in date) - min(c["top"] for c in date) < 1, "the date wrapped"


def test_a_table_too_narrow_for_its_numbers_is_a_warning(tmp_path):
    result, _ = build_chapter(tmp_path, "# 小结\n\n各月明细如下：\n\n" + WIDE)
    assert result.returncode == 0, result.stderr
    chapter = (tmp_path / "content" / "zh-Hans" / "10-summary.md").resolve()
    assert (f"{chapter}:5: warning: table is too wide for its numbers: with 8 columns, some numbers are broken "
            "across lines") in result.stderr
    assert build_chapter(tmp_path / "strict", "# 小结\n\n分期明细如下：\n\n" + PLAN, "--strict")[0].returncode == 0


def test_a_table_split_over_pages_leaves_no_lone_row():
    """User trial: a budget table split 7 / 1, its last row alone under the repeated header. Every
    height a page can offer gives two rows or more on each side, or no split (the table moves on)."""
    from handbook.typeset.layout import MIN_TABLE_ROWS, TaggedTable

    data = [["项目", "金额"]] + [[f"第{k}行", str(k * 100)] for k in range(1, 9)]
    splits = set()
    for tenth in range(100, 2200, 5):
        table = TaggedTable(data, colWidths=[100, 100], repeatRows=1, rowHeights=[20] * 9)
        table.wrap(200, tenth / 10)
        parts = table.split(200, tenth / 10)
        splits.add(tuple(len(part._cellvalues) - 1 for part in parts))
    assert {(7, 1), (1, 7)} & splits == set() and (6, 2) in splits and (2, 6) in splits
    assert all(min(split) >= MIN_TABLE_ROWS for split in splits if len(split) == 2)
