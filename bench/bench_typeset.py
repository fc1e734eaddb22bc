"""Line breaking speed: our clreq breaker against ReportLab's own Paragraph (wordWrap='CJK').

    python bench/bench_typeset.py [--compare out.pdf]

Prints milliseconds per 1,000 characters (median, min-max of several runs) for laying out every
paragraph of the zh-Hans book at the body measure, and the same for the stress corpus of tests/stress
(URLs, e-mail addresses, long English words: the total-fit breaker's harder cases; budget 5 ms). ``--compare`` also writes a two-page PDF of the
same text set both ways ("before": ReportLab's Paragraph, "after": ours), for looking at.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.lib.enums import TA_JUSTIFY  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate  # noqa: E402

from handbook import model  # noqa: E402
from handbook.typeset import prepare as glyphs  # noqa: E402
from handbook.book import load_book  # noqa: E402
from handbook.diagnostics import Sink  # noqa: E402
from handbook.pipeline import BuildOptions, read_edition  # noqa: E402
from handbook.theme import load_theme  # noqa: E402
from handbook.typeset.cjk import Run  # noqa: E402
from handbook.typeset.paragraph import layout_paragraph  # noqa: E402
from handbook.typeset.flowables import TextBlock  # noqa: E402
from handbook.typeset.layout import Metrics  # noqa: E402
from handbook.typeset.styles import style_table  # noqa: E402


def book_paragraphs(content: Path | None = None):
    options = BuildOptions(content_dir=content) if content else BuildOptions()
    sink = Sink()
    book = load_book(options.content_dir, options.project_root, sink)
    theme = load_theme(book.theme, options.templates_dir, options.project_root, sink)
    edition = read_edition(book, book.variant("zh-Hans"), options, sink)
    fonts = glyphs.fonts_for(edition.document, edition.sources, edition.config, theme, options, sink)
    texts = []

    def walk(blocks):
        for block in blocks:
            if isinstance(block, model.Paragraph):
                texts.append(model.plain(block.content))
            elif isinstance(block, model.ListBlock):
                for item in block.items:
                    walk(item.blocks)
            elif isinstance(block, model.Quote):
                walk(block.blocks)

    for chapter in edition.document.chapters:
        walk(chapter.blocks)
        for note in chapter.notes:
            walk(note.blocks)
    return texts, theme, Metrics(fonts)


def timed(function, runs: int = 7) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def report(name: str, times: list[float], chars: int) -> None:
    per = [t * 1000 / chars * 1000 for t in times]
    print(f"{name:<34} {statistics.median(per):7.2f} ms / 1,000 chars  (min {min(per):.2f}, max {max(per):.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", type=Path, help="write a before/after PDF here")
    args = parser.parse_args()
    texts, theme, metrics = book_paragraphs()
    body = style_table(theme, "all")["body"]
    font = metrics.names["regular"]
    measure = theme.page["measure_em"] * body.size
    chars = sum(len(t) for t in texts)
    print(f"{len(texts)} paragraphs, {chars} characters, measure {measure:.1f} pt")

    def ours():
        for text in texts:
            layout_paragraph([Run(text, font, body.size)], metrics.advance, measure, body.first_indent,
                             "justify", "all")

    style = ParagraphStyle("body", fontName=font, fontSize=body.size, leading=body.leading,
                           firstLineIndent=body.first_indent, alignment=TA_JUSTIFY, wordWrap="CJK")

    def reportlab():
        for text in texts:
            Paragraph(text, style).wrap(measure, 10_000)

    report("ours (clreq breaker + justify)", timed(ours), chars)
    report("ReportLab Paragraph, wordWrap=CJK", timed(reportlab), chars)
    stress, _, stress_metrics = book_paragraphs(Path(__file__).resolve().parent.parent / "tests" / "stress")
    stress_font = stress_metrics.names["regular"]
    stress_chars = sum(len(t) for t in stress)

    def ours_stress():
        for text in stress:
            layout_paragraph([Run(text, stress_font, body.size)], stress_metrics.advance, measure, body.first_indent,
                             "justify", "all")

    print(f"stress corpus: {len(stress)} paragraphs, {stress_chars} characters")
    report("ours, stress corpus", timed(ours_stress), stress_chars)
    if args.compare:
        doc = SimpleDocTemplate(str(args.compare), pagesize=(measure + 92, 560), leftMargin=40, rightMargin=40,
                                topMargin=30, bottomMargin=30)
        sample = texts[2:9]
        before = [Paragraph(t, style) for t in sample]
        from reportlab.platypus import PageBreak
        after = [TextBlock([Run(t, font, body.size)], body, metrics.advance) for t in sample]
        doc.build(before + [PageBreak()] + after)
        print(f"wrote {args.compare} (page 1: ReportLab's Paragraph; page 2: ours)")


if __name__ == "__main__":
    main()
