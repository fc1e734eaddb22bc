"""Benchmark: pre-fill worksheets from a generated CSV with the real command; time, peak memory, sizes.

Run: python bench/bench_worksheet.py [records] [variant]     (defaults: 1000 zh-Hans)

The records are synthetic (fixed seed): a name, amounts, dates, ticked boxes, a contact-log row and
a two-line note, about thirty values each, in the edition's script (OpenCC for the Traditional ones).
The command runs once with one record first, so that the font cache is warm, as it is for anyone who
has built the book before; then once per row and once merged into one PDF. Peak memory is the child
process's maximum resident set size. Sizes are in MB of 2**20 bytes. The goal (issue 19): 1,000 copies
of at most 300 MB in all.

Measured on two shared cores, one PDF per record:
  before issue 19 (GB2312 form font in every copy)       1,000 zh-Hans: 7.1 s, 1,600 MB (1,638 KB a copy)
  after (frequent hanzi + the data's characters, the     1,000 zh-Hans: 3.8 s, 284 MB (291 KB a copy)
  form's objects packed, one appearance per box size)    1,000 zh-Hant: 4.1 s, 290 MB (297 KB a copy)
                                                         10,000 zh-Hans: 38 s, 2,840 MB, peak memory 154 MB
  each text field with an empty appearance of its own    1,000 zh-Hans: 292 MB (299 KB a copy)
  (pypdf rewrites one in place), 750 / 530 frequent      1,000 zh-Hant: 297 MB (304 KB a copy)
Merged (--fill-merge, unchanged): 1,000 records 2.0 s, 11 MB; 10,000 records 17-25 s, 108 MB, peak 607 MB.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
CHANNELS = ["客服热线", "在线客服", "官方账号"]
NOTES = ["公司裁员后两个月没有固定收入，原本用于还款的钱先用来支付房租和生活费。",
         "家人住院，医疗费用支出较大，一时周转不开，所以没能按时还款。",
         "忘记了还款日，发现后已经逾期，希望尽快补上欠款并了解费用。"]


def records(count: int, seed: int = 2026) -> list[dict]:
    rng = random.Random(seed)
    start = dt.date(2026, 11, 1)
    out = []
    for _ in range(count):
        due = start + dt.timedelta(days=rng.randrange(0, 60))
        amount = rng.randrange(50_000, 2_000_000) / 100
        out.append({
            "holder_name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
            "filled_on": (due + dt.timedelta(days=30)).isoformat(),
            "overdue_amount": f"{amount:.2f}", "overdue_days": str(rng.randrange(1, 120)),
            "due_date": due.isoformat(), "principal": f"{amount * 0.9:.2f}", "fees_so_far": f"{amount * 0.1:.2f}",
            "reason_economic": rng.choice(["yes", ""]), "reason_health": rng.choice(["x", ""]),
            "reason_summary": rng.choice(NOTES), "goal": "弄清目前欠款的构成，并申请分期还款。",
            "max_monthly": str(rng.randrange(3, 30) * 100), "earliest_start": (due + dt.timedelta(days=45)).isoformat(),
            "channel_hotline": "yes", "log_when_1": f"{due.month}月{due.day}日 10:30",
            "log_channel_1": rng.choice(CHANNELS), "log_staff_1": f"工号 {rng.randrange(1000, 9999)}",
            "log_asked_1": "询问费用明细，提出分期申请", "log_answer_1": "需要审核，三个工作日内回复",
            "plan_due_1": (due + dt.timedelta(days=45)).isoformat(), "plan_amount_1": str(rng.randrange(3, 30) * 100),
            "budget_plan_1": str(rng.randrange(30, 150) * 100), "credit_ok_1": rng.choice(["true", "false"]),
        })
    return out


def in_script(rows: list[dict], variant: str) -> list[dict]:
    """The records as an edition of that script would have them (zh-Hant: OpenCC s2twp, zh-Hant-HK: s2hk)."""
    if not variant.startswith("zh-Hant"):
        return rows
    import opencc

    converter = opencc.OpenCC("s2hk" if variant.endswith("HK") else "s2twp")
    return [{key: converter.convert(value) for key, value in row.items()} for row in rows]


def write_csv(rows: list[dict], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def run(args: list[str]) -> tuple[float, int]:
    """Wall time (s) and peak resident memory (KB) of one build.py run."""
    env = {**os.environ, "HANDBOOK_NO_VENV": "1"}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), *args, "-q"], cwd=ROOT, env=env,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"build.py failed:\n{process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    variant = sys.argv[2] if len(sys.argv) > 2 else "zh-Hans"
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        rows = in_script(records(count), variant)
        write_csv(rows[:1], scratch / "one.csv")
        write_csv(rows, scratch / "data.csv")
        common = ["--variant", variant, "--output", str(scratch / "out")]
        warm, _ = run(["--fill", str(scratch / "one.csv"), *common])
        print(f"warm-up, 1 record: {warm:.2f} s")

        elapsed, peak = run(["--fill", str(scratch / "data.csv"), *common])
        files = sorted((scratch / "out" / variant / "worksheet-filled").glob("*.pdf"))
        sizes = [f.stat().st_size for f in files]
        print(f"{count} records, one PDF each: {elapsed:.1f} s ({elapsed / count * 1000:.0f} ms per PDF), "
              f"peak memory {peak / 1024:.0f} MB")
        print(f"  {len(files)} PDFs, size per PDF: median {statistics.median(sizes) / 1024:.0f} KB "
              f"(min {min(sizes) / 1024:.0f}, max {max(sizes) / 1024:.0f}), total {sum(sizes) / 2**20:.0f} MB")
        budget = 300 * count / 1000
        print(f"  goal: at most {budget:.0f} MB for {count} copies: "
              f"{'met' if sum(sizes) / 2**20 <= budget else 'MISSED'}")

        elapsed, peak = run(["--fill", str(scratch / "data.csv"), "--fill-merge", *common])
        merged = scratch / "out" / variant / "worksheet-filled.pdf"
        size = merged.stat().st_size
        print(f"{count} records merged into one PDF: {elapsed:.1f} s, peak memory {peak / 1024:.0f} MB, "
              f"{size / 2**20:.1f} MB ({size / count / 1024:.0f} KB per record)")


if __name__ == "__main__":
    main()
