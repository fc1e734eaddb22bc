"""Time glyph drawing alone: N GB2312 characters of Noto Sans CJK SC at weights 400 and 700, through
``outlines.draw`` (what ``draw_face`` runs in each build process), serially, in this process.

Prints ms per glyph (per character and weight, median of the runs) and a SHA-256 of every glyph's
bytes, so a change to the drawing code can be checked to keep its output byte for byte.

    python bench/bench_glyphs.py [--glyphs 3000] [--runs 3] [--profile]
"""
from __future__ import annotations

import argparse, cProfile, hashlib, pstats, statistics, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_fonts import gb2312  # noqa: E402 -- beside this script

WEIGHTS = [400, 700]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--glyphs", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="one run under cProfile, top functions")
    args = parser.parse_args()
    from handbook.typeset import faces, fonts, outlines

    with tempfile.TemporaryDirectory(prefix="bench-glyphs-") as cache:
        face = faces.locate_face("Noto Sans CJK SC", cache_dir=Path(cache), system=False)[0]
        cmap = fonts._cmap(face, Path(cache))
        gids = [cmap[ord(c)] for c in gb2312(args.glyphs) if ord(c) in cmap]
    with fonts.open_face(face) as font:
        locations = outlines.weight_locations(font, WEIGHTS, face.family)
        outlines.draw(font, gids[:1], locations)  # the CFF2 table read and parsed, outside the timing
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(outlines.draw, font, gids, locations)
            pstats.Stats(profile).sort_stats("tottime").print_stats(15)
            return
        times, digests = [], set()
        for _ in range(args.runs):
            started = time.perf_counter()
            drawn = outlines.draw(font, gids, locations)
            times.append(time.perf_counter() - started)
            digest = hashlib.sha256()
            for column in drawn:
                for data in column:
                    digest.update(len(data).to_bytes(4, "big") + data)
            digests.add(digest.hexdigest())
    per = [t * 1000 / (len(gids) * len(WEIGHTS)) for t in times]
    print(f"{len(gids)} glyphs x {len(WEIGHTS)} weights, {args.runs} runs: "
          f"{statistics.median(per):.4f} ms/glyph (min {min(per):.4f}, max {max(per):.4f})")
    print("sha256", *digests)


if __name__ == "__main__":
    main()
