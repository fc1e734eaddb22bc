"""The long fuzz run of issue 13, item 7: random YAML, JSON and CSV data files through the pre-fill readers.

    HANDBOOK_NO_VENV=1 .venv/bin/python bench/fuzz_fill.py --cases 20000 --jobs 2

Each case is a data file (tests/test_fill_data.py ``data_files``: records written by the format's own
writer, then maybe re-encoded, cut, spliced with NULs, BOMs, quotes and YAML tricks, or plain random
bytes), read and checked as ``build.py --fill`` does (``fill_case``). It must end with records or with
located diagnostics that never show a value; an exception, a message without a line or one that quotes a
value is a failure. Failures are counted by kind, the first three of each printed with their input.
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def worker(job: tuple[int, int]) -> tuple[Counter, Counter, dict[str, list[tuple[str, str]]]]:
    cases, seed = job
    from hypothesis import HealthCheck, Phase, given, seed as with_seed, settings

    from test_fill_data import data_files, fill_case

    counts: Counter = Counter()
    messages: Counter = Counter()
    examples: dict[str, list[tuple[str, str]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        @with_seed(seed)
        @settings(max_examples=cases, database=None, deadline=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(data_files)
        def case(file):
            fmt, data = file
            kind, detail = fill_case(Path(folder), fmt, data)
            counts[f"{fmt}: {kind}"] += 1
            if kind == "diagnostics":
                messages[f"{fmt}: " + _shape(detail)] += 1
            if kind not in ("records", "diagnostics") and len(examples.setdefault(kind, [])) < 3:
                examples[kind].append((f"{fmt} {data[:300]!r}", detail))

        case()
    return counts, messages, examples


def _shape(message: str) -> str:
    """A message without its particulars (path, line, names, numbers), to count kinds of diagnostics."""
    message = re.sub(r"^\S+?:\d+(:\d+)?: error: ", "", message.split("\n")[0])
    return re.sub(r"'[^']*'|\([^)]*\)|\d+", "…", message)[:80]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    started = time.perf_counter()
    share = -(-args.cases // args.jobs)
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(worker, [(share, args.seed + i) for i in range(args.jobs)]))
    counts, messages, examples = Counter(), Counter(), {}
    for part, shapes, found in results:
        counts.update(part)
        messages.update(shapes)
        for kind, items in found.items():
            examples.setdefault(kind, []).extend(items)
    total = sum(counts.values())
    print(f"{total} cases in {time.perf_counter() - started:.0f} s (seed {args.seed}, {args.jobs} processes)")
    for kind, count in sorted(counts.items()):
        print(f"  {kind:28} {count:7}  {100 * count / total:5.1f} %")
    print("most frequent first diagnostics:")
    for shape, count in messages.most_common(12):
        print(f"  {count:7}  {shape}")
    failed = {kind: items for kind, items in examples.items() if items}
    for kind, items in failed.items():
        print(f"\n{kind}:")
        for text, detail in items[:3]:
            print(f"  input:  {text}\n  result: {detail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
