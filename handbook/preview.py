"""Previews: PNG images of chosen pages and a contact sheet of a whole PDF.

Rendered with PDFium (pypdfium2, from pip), so no system tools are needed. Input: finished PDFs.
Output: PNG files. Knows nothing of how the PDFs were made.
"""
from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image


def parse_spec(spec: str) -> list[tuple[int, int]] | None:
    """The 1-based (first, last) ranges of '1,3,5-7' (None for 'all'); ValueError for a malformed spec,
    with what is wrong (a page 0, a reversed range)."""
    if spec in ("", "all"):
        return None
    ranges = []
    for part in spec.split(","):
        first, _, last = part.strip().partition("-")
        try:
            start, end = int(first), int(last or first)
        except ValueError:
            raise ValueError(f"'{part}' is not a page number or range like 3-5") from None
        if start < 1 or end < 1:
            raise ValueError(f"'{part}' is not a page range: pages count from 1")
        if end < start:
            raise ValueError(f"'{part}' is reversed: write {end}-{start}")
        ranges.append((start, end))
    return ranges


def pages_of(ranges: list[tuple[int, int]] | None, count: int) -> list[int]:
    """The pages of ``ranges`` (None: all) that a PDF of ``count`` pages has: one spec serves PDFs of
    different lengths, each rendering what it has."""
    if ranges is None:
        return list(range(1, count + 1))
    return [page for start, end in ranges for page in range(start, min(end, count) + 1)]


def page_count(pdf: Path) -> int:
    document = pdfium.PdfDocument(str(pdf))
    try:
        return len(document)
    finally:
        document.close()


def render(pdf: Path, page_numbers: list[int], dpi: float, out_dir: Path, stem: str | None = None) -> list[Path]:
    """One PNG per page, named ``<stem>-<page>.png``; form fields are drawn as a viewer shows them."""
    out_dir.mkdir(parents=True, exist_ok=True)
    document = pdfium.PdfDocument(str(pdf))
    written = []
    try:
        document.init_forms()
        for number in page_numbers:
            image = _image(document, number, dpi)
            path = out_dir / f"{stem or pdf.stem}-{number:02d}.png"
            image.save(path, optimize=True)
            written.append(path)
    finally:
        document.close()
    return written


def contact_sheet(pdf: Path, out_path: Path, dpi: float = 24, columns: int = 6, gap: int = 8) -> Path:
    """All pages of a PDF, small, in a grid on a grey ground: the whole book at a glance."""
    document = pdfium.PdfDocument(str(pdf))
    try:
        document.init_forms()
        images = [_image(document, number, dpi) for number in range(1, len(document) + 1)]
    finally:
        document.close()
    width = max(image.width for image in images)
    height = max(image.height for image in images)
    columns = max(1, min(columns, len(images)))
    rows = -(-len(images) // columns)
    sheet = Image.new("RGB", (columns * (width + gap) + gap, rows * (height + gap) + gap), (150, 150, 150))
    for index, image in enumerate(images):
        row, column = divmod(index, columns)
        sheet.paste(image, (gap + column * (width + gap), gap + row * (height + gap)))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out_path, optimize=True)
    return out_path


def _image(document, number: int, dpi: float) -> Image.Image:
    page = document[number - 1]
    try:
        return page.render(scale=dpi / 72, may_draw_forms=True).to_pil().convert("RGB")
    finally:
        page.close()
