"""Line breaking side by side with Typst: the stress corpus (tests/stress) and the shipped book, both
editions, default and large-print themes, through our typesetter and through Typst, with the same gauges.

    pip install typst==0.15.0          # a bench tool only, not a dependency of the build or the tests
    python bench/bench_breaking.py [--book stress|shipped|both] [--out DIR]

Typst gets the same text (the same document model, written as Typst markup), the same font family (Noto
Sans CJK SC/TC, found among the system's fonts), size, measure, first-line indent and justification.
Both PDFs are read back the same way (tests/stress/gauges.py: characters by baseline, matched against the
source paragraphs in order); only lines of justified blocks (paragraphs, list items, quotes, notes) count.
Typst trims or hangs line-end marks its own way: a Typst line ending in a mark that reaches from the measure
to half an em past it counts as flush.
Prints a table of the gauges and writes the PDFs to ``--out``.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "stress"))

import gauges  # noqa: E402
from handbook import model  # noqa: E402

MM = 72 / 25.4
URL = re.compile(r"(https?://[^\s，。、；：？！（）《》“”「」]+|www\.[^\s，。、；：？！（）《》“”「」]+)")


# -- the document as Typst markup ---------------------------------------------------------------------------
def typst_source(document: model.Document, theme, variant: str) -> str:
    size = theme.body["size"]
    measure = theme.page["measure_em"] * size
    font = "Noto Sans CJK SC" if variant == "zh-Hans" else "Noto Sans CJK TC"
    region = "cn" if variant == "zh-Hans" else "tw"
    side = (148 * MM - measure) / 2
    leading = theme.body["leading"] - size
    out = [
        f'#set page(width: 148mm, height: 210mm, margin: (left: {side:.3f}pt, right: {side:.3f}pt, '
        f'top: 20mm, bottom: 20mm), numbering: "1")',
        f'#set text(font: "{font}", size: {size}pt, lang: "zh", region: "{region}")',
        f'#set par(justify: true, first-line-indent: (amount: 2em, all: true), leading: {leading:.2f}pt, '
        f'spacing: {leading:.2f}pt)',
        f'#show heading: set text(size: {theme.headings["h2_size"]}pt)',
        "#show heading: set par(justify: false)",
        f'#set footnote.entry(separator: none)',
    ]
    for chapter in document.chapters:
        out.append("#pagebreak(weak: true)")
        out.extend(_blocks(chapter.blocks, theme, indent=True))
        if chapter.notes:
            note = theme.small["note_size"]
            out.append(f"#[#set text(size: {note}pt); #set par(first-line-indent: 0pt)")
            for item in chapter.notes:
                out.extend(_blocks(item.blocks, theme, indent=False, prefix=f"{item.number}. "))
            out.append("]")
    return "\n\n".join(out) + "\n"


def _blocks(blocks, theme, indent: bool, prefix: str = "") -> list[str]:
    out = []
    for block in blocks:
        if isinstance(block, model.Heading):
            out.append(f"#heading(level: {block.level})[{_inline(block.content)}]")
        elif isinstance(block, model.Paragraph):
            body = (_string(prefix) if prefix else "") + _inline(block.content)
            out.append(body if indent else f"#block[#set par(first-line-indent: 0pt); {body}]")
            prefix = ""
        elif isinstance(block, model.ListBlock):
            items = ", ".join("[" + "\n\n".join(_blocks(item.blocks, theme, indent=False)) + "]"
                              for item in block.items)
            kind = f"enum.with(start: {block.start})" if block.ordered else "list"
            out.append(f"#block[#set par(first-line-indent: 0pt); #{kind}({items})]")
        elif isinstance(block, model.Quote):
            inner = "\n\n".join(_blocks(block.blocks, theme, indent=False))
            out.append(f"#pad(left: 2em)[#set par(first-line-indent: 0pt); {inner}]")
        elif isinstance(block, model.Table):
            cells = [f"[{_inline(cell)}]" for cell in block.header]
            cells += [f"[{_inline(cell)}]" for row in block.rows for cell in row]
            size = theme.small["table_size"]
            out.append(f"#block[#set par(justify: false, first-line-indent: 0pt); #set text(size: {size}pt); "
                       f"#table(columns: {len(block.header)}, {', '.join(cells)})]")
        elif isinstance(block, model.CodeBlock):
            out.append(f"#raw({_quoted(block.text)}, block: true)")
    return out


def _inline(content) -> str:
    parts = []
    for span in content:
        if "noteref" in span.styles:
            parts.append(f"#super[{_string(span.text)}]")
            continue
        text = "".join(_url_or_text(piece) for piece in URL.split(span.text) if piece)
        if "code" in span.styles:
            text = f"#raw({_quoted(span.text)})"
        if "strong" in span.styles:
            text = f"#strong[{text}]"
        if "em" in span.styles:
            text = f"#emph[{text}]"
        parts.append(text)
    return "".join(parts)


def _url_or_text(piece: str) -> str:
    if URL.fullmatch(piece):
        target = piece if "://" in piece else "https://" + piece
        return f"#link({_quoted(target)})[{_string(piece)}]" if target != piece else f"#link({_quoted(piece)})"
    return _string(piece)


def _string(text: str) -> str:
    """Text as a Typst string (no markup, no shorthands); a space stays a space."""
    return f"#{_quoted(text)}" if text else ""


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# -- the comparison -----------------------------------------------------------------------------------------
def run(book: str, theme_name: str, variant: str, out: Path) -> tuple[gauges.Gauges, gauges.Gauges, gauges.Gauges]:
    import typst

    content = gauges.STRESS if book == "stress" else None
    log, pdf, document, theme = gauges.typeset_edition(content, variant, theme_name)
    size = theme.body["size"]
    measure = theme.page["measure_em"] * size
    texts = gauges.block_texts(document)
    compress = document.compress
    ours_logged = gauges.measure(gauges.logged_lines(log, pdf), measure)
    body = [e for e in log if e["align"] == "justify" and not e["heading"]]
    columns = {}
    for entry in body:
        left, right = columns.get(entry["page"], (entry["left"], entry["measure_right"]))
        columns[entry["page"]] = (min(left, entry["left"]), max(right, entry["measure_right"]))
    ours_pdf = gauges.measure(_by_page(pdf, texts, size, columns, compress), measure)
    source = typst_source(document, theme, variant)
    stem = f"{book}-{theme_name}-{variant}"
    (out / f"{stem}.typ").write_text(source, encoding="utf-8")
    typst_pdf = typst.compile(str(out / f"{stem}.typ"))
    (out / f"{stem}-typst.pdf").write_bytes(typst_pdf)
    (out / f"{stem}-ours.pdf").write_bytes(pdf)
    side = (148 * MM - measure) / 2
    theirs = gauges.measure(gauges.pdf_lines(typst_pdf, texts, size, lambda page: (side - size, side + measure),
                                             "none"), measure, lenient_marks=True)
    return ours_logged, ours_pdf, theirs


def _by_page(pdf: bytes, texts, size: float, columns: dict, compress: str) -> list:
    """Our pages: recto and verso differ by the inner margin, so each page is read with its own column."""
    first = min(columns)
    default = columns[first]

    def column(page: int):
        if page < first:
            return None  # title pages and contents
        left, right = columns.get(page, default)
        return left - size, right

    return gauges.pdf_lines(pdf, texts, size, column, compress)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", choices=("stress", "shipped", "both"), default="both")
    parser.add_argument("--out", type=Path, default=ROOT / "output" / "bench-breaking")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    books = ("stress", "shipped") if args.book == "both" else (args.book,)
    keys = None
    rows = []
    for book in books:
        for theme_name in ("default", "large-print"):
            for variant in ("zh-Hans", "zh-Hant"):
                ours_logged, ours, theirs = run(book, theme_name, variant, args.out)
                for who, g in (("ours", ours), ("Typst 0.15", theirs)):
                    row = g.row()
                    row["flush"] = f"{g.flush_share:.3f}"
                    keys = keys or list(row)
                    rows.append((f"{book} {theme_name} {variant}", who, row))
                if ours_logged.row() != ours.row():
                    print(f"  note: {book} {theme_name} {variant}: the log gives {ours_logged.row()}",
                          file=sys.stderr)
    head = ["book / theme / edition", "typesetter"] + keys
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, who, row in rows:
        print("| " + " | ".join([name, who] + [str(row[k]) for k in keys]) + " |")


if __name__ == "__main__":
    main()
