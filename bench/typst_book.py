"""A minimal Typst equivalent of a one-edition book, for bench/benchmark.py's ratios to Typst.

    pip install typst==0.15.0          # a bench tool only, never a dependency of the build or the tests

The same text (each chapter's Markdown, read block by block as bench_breaking.py writes blocks: headings,
paragraphs, list items, quotes, table rows and notes, with the inline marks dropped), the same family (the
pinned Noto Sans CJK, through Typst's font path), the same page size, body size, leading, measure and indent
as the theme, a contents page, page numbers and justified paragraphs. Typst runs as a whole process
(``python -c "import typst; typst.compile(...)"``), as ours does.
"""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MM = 72 / 25.4
INLINE = [(re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"), (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),
          (re.compile(r"\[\^[^\]]+\]"), ""), (re.compile(r"\{[#.][^}]*\}"), ""), (re.compile(r"[*`]+"), "")]


def font_folder() -> Path:
    """The folder of the pinned Noto Sans CJK (pip manimgx-fonts-cjk) in the running environment."""
    import manimgx_fonts_cjk

    return Path(manimgx_fonts_cjk.__file__).parent


def _text(markdown: str) -> str:
    for pattern, replacement in INLINE:
        markdown = pattern.sub(replacement, markdown)
    return '"' + markdown.strip().replace("\\", "\\\\").replace('"', '\\"') + '"'


def chapter_source(text: str) -> list[str]:
    if text.startswith("---"):
        text = text.split("\n---\n", 1)[1]
    out, paragraph = [], []

    def flush():
        if paragraph:
            out.append(f"#par({_text(''.join(paragraph))})")
            paragraph.clear()

    for line in text.splitlines():
        stripped = line.strip()
        heading = re.match(r"(#{1,6}) (.*)", stripped)
        item = re.match(r"(?:[-*+]|\d+\.)(?: \[[ x]\])? (.*)", stripped)
        if not stripped or re.fullmatch(r"\|?[-:| ]+\|?", stripped):
            flush()
        elif heading:
            flush()
            out.append(f"#heading(level: {len(heading.group(1))}, {_text(heading.group(2))})")
        elif item or stripped.startswith(("|", ">", "[^")):
            flush()
            body = item.group(1) if item else re.sub(r"^(>\s*|\[\^[^\]]+\]:\s*)", "", stripped).replace("|", "　")
            out.append(f"#par({_text(body)})")
        else:
            paragraph.append(stripped)
    flush()
    return out


def source(book: Path, variant: str = "zh-Hans", theme: Path = ROOT / "templates" / "themes" / "default.toml") -> str:
    """The book's chapters of ``variant`` as one Typst document, set as the theme sets ours."""
    settings = tomllib.loads(theme.read_text(encoding="utf-8"))
    page, body, headings = settings["page"], settings["body"], settings["headings"]
    size = body["size"]
    measure = page["measure_em"] * size
    side = (page["width_mm"] * MM - measure) / 2
    height = page["lines"] * body["leading"]
    bottom = page["height_mm"] * MM - page["top_mm"] * MM - height
    font = "Noto Sans CJK SC" if variant == "zh-Hans" else "Noto Sans CJK TC"
    out = [
        f'#set page(width: {page["width_mm"]}mm, height: {page["height_mm"]}mm, margin: (left: {side:.3f}pt, '
        f'right: {side:.3f}pt, top: {page["top_mm"]}mm, bottom: {bottom:.3f}pt), numbering: "1")',
        f'#set text(font: "{font}", size: {size}pt, lang: "zh", region: "cn")',
        f'#set par(justify: true, first-line-indent: (amount: {body["indent_em"]}em, all: true), '
        f'leading: {body["leading"] - size:.2f}pt, spacing: {body["leading"] - size:.2f}pt)',
        f'#show heading.where(level: 1): it => {{ pagebreak(weak: true); set text(size: {headings["h1_size"]}pt); it }}',
        f'#show heading.where(level: 2): set text(size: {headings["h2_size"]}pt)',
        "#outline()",
    ]
    for chapter in sorted((book / variant).glob("[0-9]*.md")):
        out.extend(chapter_source(chapter.read_text(encoding="utf-8")))
    return "\n\n".join(out) + "\n"


def write(book: Path, target: Path, variant: str = "zh-Hans") -> Path:
    target.write_text(source(book, variant), encoding="utf-8")
    return target


COMPILE = ("import sys, typst; "
           "open(sys.argv[2], 'wb').write(typst.compile(sys.argv[1], font_paths=[sys.argv[3]], ignore_system_fonts=True))")


def command(typ: Path, pdf: Path) -> list[str]:
    """The whole Typst process: compile ``typ`` to ``pdf`` with only the pinned fonts."""
    return [sys.executable, "-c", COMPILE, str(typ), str(pdf), str(font_folder())]


if __name__ == "__main__":
    import subprocess

    book = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "content"
    typ = write(book, Path(sys.argv[2]) if len(sys.argv) > 2 else Path("book.typ"))
    subprocess.run(command(typ, typ.with_suffix(".pdf")), check=True)
