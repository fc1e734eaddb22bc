"""Figures read and checked, and cross-references resolved: the stage between the model and the typesetter.

Input: a modelled :class:`model.Document` and the book's folder. Output: the same document with an
:class:`model.Asset` for every figure (PNG, JPEG, SVG, QR code), the UI strings that figures and
cross-references print, or located errors. Nothing outside the book's folder is read and nothing is
fetched: an image path that leaves the folder, a web address, or an SVG that refers to any file or URL
(even inside the book: an SVG figure must be self-contained) is an error at the ``![...]`` that names it.

An image may come in editions: ``figures/process.svg`` is drawn from ``figures/process.zh-Hant.svg`` in the
zh-Hant edition when that file exists (and in zh-Hant-MO, the nearest edition by name, unless it has its own),
so a figure's text is in each edition's script while every chapter names the same file.

A raster image is decoded whole here, so a damaged or truncated file is an error before layout, and its
size is read from its header first, so a decompression bomb is refused without decoding it. This is the
only module that imports Pillow besides the previews, and the only one that imports segno.
"""
from __future__ import annotations

import hashlib
import io
import re
import warnings
import xml.etree.ElementTree as etree
from dataclasses import replace
from pathlib import Path

from . import model
from .diagnostics import Sink, SourcePos

MAX_PIXELS = 40_000_000  # 40 MP: an A4 page at 600 dpi is 35 MP; larger is refused before decoding
MAX_BYTES = 50 * 1024 * 1024
MAX_SVG_BYTES = 5 * 1024 * 1024
_SVG_NS = "{http://www.w3.org/2000/svg}"
_XLINK = "{http://www.w3.org/1999/xlink}href"
_TEXT_TAGS = {"text", "tspan", "textPath"}
_URL_IN_STYLE = re.compile(r"url\(\s*['\"]?([^'\")]*)|@import\s+(?:url\()?\s*['\"]?([^'\");\s]*)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_UNITS = {"": 0.75, "px": 0.75, "pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pc": 12.0}


class FigureError(ValueError):
    """What is wrong with an image file (the caller knows where the figure is written), and hints."""

    def __init__(self, message: str, *hints: str):
        super().__init__(message)
        self.message, self.hints = message, hints

    def __str__(self) -> str:
        return self.message


def complete(document: model.Document, sources, gettext, content_dir: Path, project_root: Path,
             sink: Sink) -> model.Document:
    """The document with its figures' assets and the strings they print; errors for bad figures and for
    cross-references to ids no heading has."""
    assets: dict[str, model.Asset] = {}
    book = content_dir.resolve()
    for chapter in document.chapters:
        for figure in walk_figures(chapter.blocks):
            key = model.asset_key(figure)
            if key in assets:
                continue
            try:
                assets[key] = read_asset(figure, book, project_root, document.variant)
            except FigureError as exc:
                sink.error(exc.message, figure.pos, *exc.hints)
    check_references(document, sources, sink)
    strings = {
        **document.strings,
        "figure": gettext("Figure %(chapter)s-%(number)s"),
        "xref": gettext("%(title)s (page %(page)s)"),
    }
    return replace(document, assets=assets, strings=strings)


def walk_figures(blocks):
    """Every figure in blocks, nested ones (in lists and quotes) included, in reading order."""
    for block in blocks:
        if isinstance(block, model.Figure):
            yield block
        elif isinstance(block, model.ListBlock):
            for item in block.items:
                yield from walk_figures(item.blocks)
        elif isinstance(block, model.Quote):
            yield from walk_figures(block.blocks)


def edition_file(path: Path, variant: str) -> Path:
    """The edition's own version of an image (``name.<edition>.ext``, or that of the nearest edition by
    name: zh-Hant for zh-Hant-MO), else the image itself."""
    parts = variant.split("-")
    for count in range(len(parts), 0, -1):
        candidate = path.with_name(f"{path.stem}.{'-'.join(parts[:count])}{path.suffix}")
        if candidate.is_file():
            return candidate
    return path


def read_asset(figure: model.Figure, book: Path, project_root: Path, variant: str = "") -> model.Asset:
    if figure.qr:
        return qr_asset(figure.qr)
    src = figure.src
    if _SCHEME.match(src) or src.startswith("//"):
        raise FigureError(f"image '{src}' is a web address: images are read from the book's folder, never fetched",
                          "save the image in the book's folder (e.g. content/figures/) and give its path")
    path = ((project_root / figure.pos.path).parent / src).resolve()
    if path.is_relative_to(book):
        path = edition_file(path, variant).resolve()
    if not path.is_relative_to(book):
        raise FigureError(f"image '{src}' is outside the book's folder: nothing outside it is read",
                          f"put the image under {book.name}/ (e.g. {book.name}/figures/)")
    if not path.is_file():
        raise FigureError(f"image file '{src}' not found", f"looked for {path.relative_to(book.parent)}")
    if path.stat().st_size > MAX_BYTES:
        raise FigureError(f"image '{src}' is larger than {MAX_BYTES // 2**20} MB")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff"):
        return model.Asset("raster", str(path), digest, raster_size(data, src))
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or head.startswith(b"<!--"):
        size, text = check_svg(data, src)
        return model.Asset("svg", str(path), digest, size, text)
    raise FigureError(f"'{src}' is not a PNG, JPEG or SVG image")


def raster_size(data: bytes, src: str) -> tuple[float, float]:
    """(width, height) in pixels as the image stands upright (EXIF orientation applied), after checking
    that the whole image decodes. A bomb is refused from its header, before any decoding."""
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow itself refuses twice this from the header, before decoding
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise FigureError(f"image '{src}' is {width}×{height} pixels ({width * height / 1e6:.0f} MP): "
                                  f"refused without decoding it (at most {MAX_PIXELS // 1_000_000} MP)",
                                  "scale it down: 300 dpi at the printed size is enough")
            image.load()
            orientation = image.getexif().get(0x0112, 1)
    except FigureError:
        raise
    except Image.DecompressionBombError:
        raise FigureError(f"image '{src}' claims more than {2 * MAX_PIXELS // 1_000_000} MP: refused without "
                          "decoding it (a decompression bomb, or far more pixels than print needs)",
                          "scale it down: 300 dpi at the printed size is enough") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise FigureError(f"image '{src}' is damaged or truncated ({_short(exc)})",
                          "export it again from the program that made it") from None
    return (float(height), float(width)) if orientation in (5, 6, 7, 8) else (float(width), float(height))


def _short(exc: Exception) -> str:
    return str(exc).split("\n")[0][:80] or type(exc).__name__


def check_svg(data: bytes, src: str) -> tuple[tuple[float, float], str]:
    """An SVG's size in points and the text it draws, after checking that it refers to nothing outside
    itself (no file, no URL, no entity: svglib would follow them)."""
    if len(data) > MAX_SVG_BYTES:
        raise FigureError(f"SVG '{src}' is larger than {MAX_SVG_BYTES // 2**20} MB")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise FigureError(f"SVG '{src}' declares a DOCTYPE or entities, which are refused "
                          "(they can read files or expand without end)", "save it as plain SVG")
    try:
        root = etree.fromstring(data)
    except etree.ParseError as exc:
        raise FigureError(f"'{src}' is not a valid SVG ({exc})") from None
    if root.tag != _SVG_NS + "svg":
        raise FigureError(f"'{src}' is not an SVG image (its root is <{root.tag.split('}')[-1]}>)")
    text = []
    for element in root.iter():
        for name, value in element.attrib.items():
            if name in ("href", _XLINK) and not value.strip().startswith("#"):
                raise FigureError(_outside(src, value), _SELF_CONTAINED)
            if "url(" in value:
                _check_style(src, value)
        tag = element.tag.split("}")[-1] if isinstance(element.tag, str) else ""
        if tag == "style":
            _check_style(src, element.text or "")
        if tag in _TEXT_TAGS:
            text.append((element.text or "") + "".join(child.tail or "" for child in element))
    return _svg_size(root, src), "".join(text)


_SELF_CONTAINED = "an SVG figure must be self-contained: draw it in the SVG, or make it a figure of its own"


def _outside(src: str, ref: str) -> str:
    return f"SVG '{src}' refers to '{ref[:80]}': nothing outside the figure is read, nothing is fetched"


def _check_style(src: str, css: str) -> None:
    for match in _URL_IN_STYLE.finditer(css):
        ref = (match.group(1) or match.group(2) or "").strip()
        if match.group(2) is not None or not ref.startswith("#"):
            raise FigureError(_outside(src, ref or "@import"), _SELF_CONTAINED)


def _svg_size(root: etree.Element, src: str) -> tuple[float, float]:
    box = (root.get("viewBox") or "").replace(",", " ").split()
    sizes = []
    for name, index in (("width", 2), ("height", 3)):
        match = re.fullmatch(r"\s*([0-9.]+)\s*(px|pt|mm|cm|in|pc)?\s*", root.get(name) or "")
        if match:
            sizes.append(float(match.group(1)) * _UNITS[match.group(2) or ""])
        elif len(box) == 4:
            sizes.append(float(box[index]) * 0.75)
        else:
            raise FigureError(f"SVG '{src}' has no size: give its <svg> a viewBox or width and height")
    if not all(size > 0 for size in sizes):
        raise FigureError(f"SVG '{src}' has no area (width or height 0)")
    return sizes[0], sizes[1]


def qr_asset(url: str) -> model.Asset:
    """A QR code (error correction M: readable with 15 % of it smudged)."""
    import segno

    try:
        code = segno.make_qr(url, error="m", boost_error=False)
    except segno.DataOverflowError:
        raise FigureError(f"the web address is too long for a QR code ({len(url)} characters)") from None
    rows = tuple("".join("1" if cell else "0" for cell in row) for row in code.matrix)
    return model.Asset("qr", url, hashlib.sha256(url.encode()).hexdigest(), (len(rows[0]), len(rows)), "", rows)


# -- cross-references ----------------------------------------------------------------------------
def heading_ids(document: model.Document) -> dict[str, model.Heading]:
    out = {}
    for chapter in document.chapters:
        for block in chapter.blocks:
            if isinstance(block, model.Heading) and block.ident:
                out.setdefault(block.ident, block)
    return out


def check_references(document: model.Document, sources, sink: Sink) -> None:
    """Every ``[text](#id)`` names a heading's ``{#id}``, and no two headings have the same id."""
    seen: dict[str, model.Heading] = {}
    for chapter in document.chapters:
        for block in chapter.blocks:
            if isinstance(block, model.Heading) and block.ident:
                if block.ident in seen:
                    sink.error(f"heading id '{block.ident}' is used twice (first at {seen[block.ident].pos})",
                               block.pos, "give each heading its own id")
                else:
                    seen[block.ident] = block
    by_path = {source.shown: source for source in sources}
    for chapter in document.chapters:
        found: set[tuple[int, int]] = set()
        for span, pos in _links(chapter.blocks, chapter.notes):
            ident = span.href[1:]
            if ident in seen:
                continue
            source = by_path.get(pos.path)
            where = _find(source, f"](#{ident})", pos, found) if source else pos
            sink.error(f"no heading has the id '{ident}'", where,
                       "give the heading it means an id: '## 准备资料 {#" + ident + "}'")


def _links(blocks, notes=()):
    for block in list(blocks) + [b for note in notes for b in note.blocks]:
        if isinstance(block, (model.Heading, model.Paragraph)):
            for span in block.content:
                if "link" in span.styles and span.href and span.href.startswith("#"):
                    yield span, block.pos
        elif isinstance(block, model.ListBlock):
            for item in block.items:
                yield from _links(item.blocks)
        elif isinstance(block, model.Quote):
            yield from _links(block.blocks)
        elif isinstance(block, model.Table):
            for row in (block.header,) + block.rows:
                for cell in row:
                    for span in cell:
                        if "link" in span.styles and span.href and span.href.startswith("#"):
                            yield span, block.pos


def _find(source, needle: str, pos: SourcePos, found: set) -> SourcePos:
    """The line and column of ``needle`` in a source, at or after ``pos`` (each place once)."""
    lines = source.text.split("\n")
    for number in range(max(pos.line - source.first_line, 0), len(lines)):
        col = lines[number].find(needle)
        while col >= 0 and (number, col) in found:
            col = lines[number].find(needle, col + 1)
        if col >= 0:
            found.add((number, col))
            start = lines[number].rfind("[", 0, col)
            return source.pos(number + 1, (start if start >= 0 else col) + 1)
    return pos
