"""Benchmark: impose a generated 360-page, text-heavy A5 handbook; print timings and sizes.

Run: python bench/bench_booklet.py [pages] [runs]
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path

from reportlab.lib.pagesizes import A5
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from handbook.booklet import ImposeOptions, impose  # noqa: E402


def make_source(pages: int) -> bytes:
    """A reading PDF like a real handbook: a page number and ~40 lines of embedded-TTF text per page."""
    pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A5, invariant=1)
    w, h = A5
    for i in range(1, pages + 1):
        c.setFont("Vera", 9)
        for k in range(40):
            c.drawString(42, h - 54 - 12 * k, f"{i}.{k} The quick brown fox jumps over the lazy dog; pack my box.")
        c.setFont("Helvetica-Bold", 10)
        c.drawCentredString(w / 2, 28, str(i))
        c.showPage()
    c.save()
    return buf.getvalue()


def main() -> None:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 360
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 9
    source = make_source(pages)
    print(f"source: {pages} pages, {len(source):,} bytes")
    for label, options in [("A4 short-edge", ImposeOptions()),
                           ("A4 long-edge + marks + creep", ImposeOptions(duplex="long-edge", marks=True, creep_mm=1.0)),
                           ("letter", ImposeOptions(paper="letter"))]:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            out = impose(source, options)
            times.append(time.perf_counter() - start)
        print(f"{label:30s} median {statistics.median(times):.3f} s  min {min(times):.3f} s  "
              f"max {max(times):.3f} s  out {len(out):,} bytes ({len(out) / len(source):.3f}x)")


if __name__ == "__main__":
    main()
