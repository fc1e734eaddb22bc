"""The long fuzz run of issue 7: random Markdown and Unicode through the whole handbook pipeline.

    HANDBOOK_NO_VENV=1 .venv/bin/python bench/fuzz.py --cases 10000 --jobs 2

Each case is a one-chapter book built in-process (tests/fuzzcase.py): it must end as a valid PDF whose text
holds every printable character written, or as located diagnostics. Failures are counted by kind, not
stopped at, and the first few of each kind are printed with their input (to turn into a test). Hypothesis
generates the cases (no shrinking: this is a survey); each process has its own seed.
"""
from __future__ import annotations

import argparse
import multiprocessing
import re
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def worker(job: tuple[int, int, str, str]) -> tuple[Counter, Counter, dict[str, list[tuple[str, str]]]]:
    """Run ``cases`` cases with ``seed``; return outcome counts and up to three examples per failure kind."""
    cases, seed, cache, output = job
    from hypothesis import HealthCheck, Phase, given, seed as with_seed, settings

    from fuzzcase import Book, documents, sheets

    counts: Counter = Counter()
    messages: Counter = Counter()  # the first diagnostic of each case, by shape
    examples: dict[str, list[tuple[str, str]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        book = Book(Path(folder), Path(cache), output)

        @with_seed(seed)
        @settings(max_examples=cases, database=None, deadline=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(sheets if output == "worksheet" else documents)
        def case(document):
            outcome = book.run(document.text, document.expected)
            checked = outcome.kind == "pdf" and document.expected is not None
            counts[outcome.kind + " (text checked)" * checked] += 1
            if outcome.kind == "diagnostics":
                messages[_shape(outcome.diagnostics[0].message)] += 1
            if outcome.failed and len(examples.setdefault(outcome.kind, [])) < 3:
                examples[outcome.kind].append((document.text, outcome.detail))

        case()
    return counts, messages, examples


def _shape(message: str) -> str:
    """A message without its particulars (quoted characters, numbers), to count kinds of diagnostics."""
    return re.sub(r"'[^']*'|\([^)]*\)|\d+", "…", message)[:90]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="cases in all (default: 10000)")
    parser.add_argument("--jobs", type=int, default=2, help="processes (default: 2)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the first process (default: 7)")
    parser.add_argument("--output", choices=["handbook", "worksheet"], default="handbook",
                        help="fuzz chapters of the handbook (default) or the worksheet")
    args = parser.parse_args()
    cache = tempfile.mkdtemp(prefix="handbook-fuzz-cache-")
    share = -(-args.cases // args.jobs)
    jobs = [(min(share, args.cases - i * share), args.seed + i, cache, args.output) for i in range(args.jobs)]
    started = time.perf_counter()
    # not multiprocessing.Pool: its daemonic workers may not fork, and font preparation forks
    with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(worker, jobs))
    seconds = time.perf_counter() - started
    counts: Counter = sum((c for c, _, _ in results), Counter())
    messages: Counter = sum((m for _, m, _ in results), Counter())
    total = sum(counts.values())
    print(f"{args.output} cases: {total} in {seconds:.0f} s ({total / seconds:.1f}/s, {args.jobs} processes)")
    for kind, number in counts.most_common():
        print(f"  {kind:<12} {number:>6}")
    print("diagnostics, by the first of each case:")
    for message, number in messages.most_common(12):
        print(f"  {number:>6}  {message}")
    failures = {kind: n for kind, n in counts.items() if kind.split()[0] not in ("pdf", "diagnostics")}
    for _, _, examples in results:
        for kind, items in examples.items():
            for text, detail in items:
                print(f"\n{kind}: {detail}\n  input: {text!r}"[:1200])
    print(f"\nfailures: {sum(failures.values())}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
