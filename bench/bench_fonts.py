"""Time handbook.typeset.fonts: cold, warm and edit-one-character builds of SC/TC fonts.

Each run is a fresh Python process (so no in-process memo helps) that times only the call,
after importing the module. Prints median/min/max per scenario and the sizes of the fonts.

    python bench/bench_fonts.py [--runs 5] [--chars 1200]
"""
from __future__ import annotations

import argparse, json, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def sample_text(count: int) -> str:
    """ASCII, common punctuation, then GB2312 hanzi in code order: `count` distinct characters."""
    punct = "，。、；：？！“”‘’（）《》「」『』【】—…·〈〉"
    chars = [chr(c) for c in range(0x20, 0x7F)] + list(punct)
    return "".join(chars) + gb2312(count - len(chars))


def gb2312(count: int) -> str:
    """The first ``count`` GB2312 hanzi in code order (level 1, then level 2)."""
    out = []
    for b1 in range(0xB0, 0xF8):
        for b2 in range(0xA1, 0xFF):
            try:
                out.append(bytes([b1, b2]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return "".join(out[:count])


def child(scenario: str, cache: str, count: int, extra: int) -> None:
    """Runs in the fresh process: one timed call, JSON on stdout."""
    from handbook.typeset import fonts, outlines

    cache_dir = Path(cache)
    sc = fonts.locate_face("Noto Sans CJK SC", cache_dir=cache_dir)
    tc = fonts.locate_face("Noto Sans CJK TC", cache_dir=cache_dir)
    text = sample_text(count)
    if scenario.endswith("-serial"):
        outlines.PARALLEL_MIN = 10**9
    if scenario.startswith("edit"):
        text += bytes([0xD8, 0xA1 + extra]).decode("gb2312")  # GB2312 level 2: not in the text yet
    requests = [(sc, 400), (sc, 700)] if "one-face" in scenario else [(sc, 400), (sc, 700), (tc, 400), (tc, 700)]
    if scenario == "coverage-warm":
        started = time.perf_counter()
        fonts.face_coverage(sc, cache_dir)
        print(json.dumps({"seconds": time.perf_counter() - started}))
        return
    started = time.perf_counter()
    out = fonts.prepare_faces(requests, text, cache_dir)
    print(json.dumps({"seconds": time.perf_counter() - started, "sizes": [len(b) for b in out]}))


def run(scenario: str, cache: Path, count: int, extra: int = 0) -> dict:
    cmd = [sys.executable, __file__, "--child", scenario, str(cache), str(count), str(extra)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chars", type=int, default=1200)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-fonts-"))
    try:
        scenarios = ("cold", "cold-serial", "cold-one-face", "cold-one-face-serial")
        results, sizes = {name: [] for name in scenarios}, None
        for i in range(args.runs):  # interleaved, so a busy spell hits every scenario alike
            for scenario in scenarios:
                cache = work / f"{scenario}-{i}"
                got = run(scenario, cache, args.chars)
                results[scenario].append(got["seconds"])
                sizes = got["sizes"] if scenario == "cold" else sizes
                shutil.rmtree(cache)
        warm = work / "warm"
        run("cold", warm, args.chars)
        results["warm"] = [run("warm", warm, args.chars)["seconds"] for _ in range(args.runs)]
        results["coverage-warm (1 face)"] = [run("coverage-warm", warm, args.chars)["seconds"] for _ in range(args.runs)]
        results["edit"] = [run("edit", warm, args.chars, i)["seconds"] for i in range(args.runs)]
        print(f"{args.chars} distinct characters, {args.runs} runs each, seconds (median / min / max)")
        for name, times in results.items():
            print(f"  {name:26} {statistics.median(times):7.3f} {min(times):7.3f} {max(times):7.3f}")
        print("  font sizes (SC 400, SC 700, TC 400, TC 700):", ", ".join(f"{s / 1024:.0f} KiB" for s in sizes))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        main()
