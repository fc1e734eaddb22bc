"""The font format table: each OpenType flavour x (handbook, worksheet): builds, weights right, time to
prepare the fonts cold, embedded font size.

Flavours are made from the pinned font by tests/flavours.py (cut to the book's characters, so the
worksheet's form font holds only those), plus, when the machine has them, the full-size system faces
that users have (Debian's fonts-noto-cjk: static CFF collections). Each build is cold for its fonts (fresh
copies of the files, so no cached glyphs) and warm for everything else; the times are whole processes
(start-up, reading, typesetting and writing included). Run: .venv/bin/python bench/bench_font_flavours.py
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import flavours  # noqa: E402
import pypdf  # noqa: E402
import test_font_flavours as t  # noqa: E402
from handbook.typeset import faces  # noqa: E402

SYSTEM_NOTO = Path("/usr/share/fonts/opentype/noto")


def embedded_kib(pdf: Path) -> float:
    """Size of every embedded font program in the file (page fonts and the form's font alike)."""
    reader, total = pypdf.PdfReader(pdf), 0
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            item = reader.get_object(number)
        except Exception:
            continue
        if isinstance(item, pypdf.generic.DictionaryObject) and "/FontFile2" in item:
            total += len(item["/FontFile2"].get_data())
    return total / 1024


def build(book: Path, out: Path, output: str, env: dict) -> tuple[bool, float]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(book), "--output", str(out),
                             "--variant", "zh-Hans", "--only", output, "--force", "-q"],
                            env={**os.environ, "HANDBOOK_NO_VENV": "1", **env}, capture_output=True, text=True)
    if result.returncode:
        print(result.stderr, file=sys.stderr)
    return result.returncode == 0, time.perf_counter() - started


def weights(pdf: Path, outlines) -> str:
    body, = t.fonts_of(pdf, 8, 10.5)
    heads = t.fonts_of(pdf, 8, 12.5) | t.fonts_of(pdf, 8, 17)
    return f"{t.weight_drawn(pdf, body, outlines)}/{'+'.join(str(t.weight_drawn(pdf, h, outlines)) for h in heads)}"


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="flavours-"))
    made = flavours.make_all(work / "made", t.book_characters())
    sources = flavours.sources(made)
    pinned = faces.locate_face("Noto Sans CJK SC", system=False)[0].path
    # (name, folder of font files for the book's fonts/ or None, a folder to put on XDG_DATA_DIRS, family, outlines)
    rows = [("pinned variable CFF2 .ttc, full face (the default)", pinned, None, "Noto Sans CJK SC", None)]
    rows += [(name, made[folder], None, sc, sources["tt" if "TrueType" in name else "cff"])
             for name, (folder, sc, _) in t.FLAVOURS.items()]
    if SYSTEM_NOTO.is_dir():
        from fontTools.ttLib import TTFont
        system = {w: TTFont(SYSTEM_NOTO / f"NotoSansCJK-{name}.ttc", fontNumber=2, lazy=True)  # face 2: SC
                  for w, name in ((400, "Regular"), (500, "Medium"), (700, "Bold"))}
        rows.append(("system static CFF .ttc, full faces (fonts-noto-cjk)", None, SYSTEM_NOTO, "Noto Sans CJK SC",
                     system))
    print("| flavour | handbook | worksheet | weights body/headings | fonts cold: handbook | worksheet "
          "| embedded: handbook | worksheet |")
    print("|---|---|---|---|---|---|---|---|")
    for number, (name, fonts_from, system_from, family, outlines) in enumerate(rows):
        book, env = work / f"book{number}", {}
        shutil.copytree(ROOT / "content", book)
        if fonts_from is not None:  # a fresh copy: new files, so nothing of them is cached yet
            (book / "fonts").mkdir()
            for path in [fonts_from] if fonts_from.is_file() else fonts_from.iterdir():
                shutil.copy(path, book / "fonts" / path.name)
        if system_from is not None:
            share = work / f"share{number}"
            shutil.copytree(system_from, share / "fonts" / "noto",
                            ignore=lambda d, names: [n for n in names if "Sans" not in n or "Mono" in n])
            env = {"XDG_DATA_DIRS": str(share), "XDG_DATA_HOME": str(share)}
        with open(book / "book.toml", "a", encoding="utf-8") as toml:
            toml.write(f'\n[fonts.SC]\nfamily = "{family}"\nregular = 400\nbold = 700\n')
        cells, pdfs = [], {}
        for output in ("handbook", "worksheet"):
            out = work / f"out{number}"
            ok, seconds = build(book, out, output, env)
            cells.append((ok, seconds))
            pdfs[output] = out / "zh-Hans" / f"{output}.pdf" if ok else None
        right = weights(pdfs["handbook"], outlines) if outlines and pdfs["handbook"] else "–"
        print(f"| {name} | {'yes' if cells[0][0] else 'FAILS'} | {'yes' if cells[1][0] else 'FAILS'} | {right} "
              f"| {cells[0][1]:.2f} s | {cells[1][1]:.2f} s "
              f"| {embedded_kib(pdfs['handbook']) if pdfs['handbook'] else 0:.0f} KiB "
              f"| {embedded_kib(pdfs['worksheet']) if pdfs['worksheet'] else 0:.0f} KiB |", flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
