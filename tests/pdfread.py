"""Reading built PDFs back: text by region (PDFium), outline and fonts (pypdf)."""
from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pypdfium2 as pdfium

MM = 72 / 25.4


def squash(text: str) -> str:
    """Text without any white space: line breaks and justification spaces are layout, not content."""
    return re.sub(r"\s+", "", text)


def page_texts(path: Path, top_mm: float = 0, bottom_mm: float = 0) -> list[str]:
    """The text of each page, leaving out bands of the given height at the top and bottom."""
    pdf = pdfium.PdfDocument(str(path))
    texts = []
    try:
        for page in pdf:
            width, height = page.get_size()
            textpage = page.get_textpage()
            texts.append(textpage.get_text_bounded(0, bottom_mm * MM, width, height - top_mm * MM))
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return texts


def outline(path: Path) -> list[tuple[int, str, int]]:
    """(level, title, 1-based page) of every outline entry, in order."""
    reader = pypdf.PdfReader(str(path))
    entries = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                entries.append((level, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return entries


def fonts(path: Path) -> dict[str, bool]:
    """Base font name -> whether its program is embedded, for every font used on any page."""
    reader = pypdf.PdfReader(str(path))
    found = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font.get("/BaseFont"))] = embedded
    return found
