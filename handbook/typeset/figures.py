"""Figures drawn: raster images (embedded once, at most 300 dpi), SVG as vectors, QR codes as vectors.

Input: a :class:`model.Figure` and its :class:`model.Asset` (read and checked by :mod:`handbook.figures`).
Output: :class:`FigureBlock`, a flowable that never splits: the picture with its caption under it (or, for
a QR code, the code with its caption and web address beside it), moved to the next page whole when the
rest of a page cannot hold it. A figure is never wider than the measure, nor taller than a page leaves
room for with its caption.

Pixels are prepared here (Pillow): EXIF orientation applied, CMYK, 16-bit and palette images made RGB or
grey, transparency kept as a soft mask, and an image that would print above 450 dpi downsampled to 300
dpi. ReportLab names an image XObject by a digest of its pixels, so an image used twice is embedded once.
SVG is drawn by svglib, with every font family mapped to the book's own faces (so Chinese text in a figure
is set in the embedded CJK font, never in a Helvetica without glyphs).
"""
from __future__ import annotations

import pickle
from functools import lru_cache
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.lib.colors import HexColor
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable

from .. import model
from ..atomic import write_atomically
from ..stamps import cache_entry, read_entry
from .flowables import TextBlock
from .tagging import Node, link, tagged, tagger_of

QR_SIDE = 26 * 72 / 25.4  # a QR code's printed side: 26 mm, quiet zone included
QR_QUIET = 4  # modules of white around a QR code (the standard's quiet zone)
LOW_DPI = 150  # below this a raster prints visibly soft: a warning
HIGH_DPI = 450  # above this the pixels are wasted: downsampled ...
TARGET_DPI = 300  # ... to this
PX = 0.75  # points per pixel for an image that states no resolution (96 dpi)


def natural_size(asset: model.Asset, dpi: float = 0.0) -> tuple[float, float]:
    """A graphic's own size in points: an SVG's stated size; a raster at its stated resolution (else 96 dpi)."""
    if asset.kind == "raster":
        scale = 72.0 / dpi if dpi else PX
        return asset.size[0] * scale, asset.size[1] * scale
    return asset.size


def placed_size(figure: model.Figure, asset: model.Asset, measure: float, max_height: float) -> tuple[float, float]:
    """Width and height a figure's picture is printed at: its {width=NN%} of the measure, else its own size
    but at most the measure; then no taller than ``max_height``."""
    if asset.kind == "qr":
        side = min(QR_SIDE if not figure.width else figure.width * measure, measure, max_height)
        return side, side
    width, height = natural_size(asset, raster_dpi(asset.path) if asset.kind == "raster" else 0.0)
    target = figure.width * measure if figure.width else min(width, measure)
    scale = target / width
    if height * scale > max_height:
        scale = max_height / height
    return width * scale, height * scale


@lru_cache(maxsize=64)
def raster_dpi(path: str) -> float:
    """The resolution a raster file states (0: none)."""
    from PIL import Image

    with Image.open(path) as image:
        dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError):
        return 0.0
    return value if 30 <= value <= 3000 else 0.0  # 1 dpi and 72.009 dpi junk is common: treat as absent


def print_dpi(asset: model.Asset, width_pt: float) -> float:
    return asset.size[0] / (width_pt / 72.0) if width_pt > 0 else 0.0


@lru_cache(maxsize=32)
def print_pixels(path: str, max_width_px: int):
    """The image ready for the PDF: upright, 8-bit RGB or grey (with its alpha as a soft mask), at most
    ``max_width_px`` wide. Returns a PIL image."""
    from PIL import Image, ImageOps

    with Image.open(path) as opened:
        image = ImageOps.exif_transpose(opened)
        image.load()
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit grey: keep the top 8 bits
        image = image.point(lambda value: value / 256).convert("L")
    elif image.mode == "CMYK":
        image = image.convert("RGB")
    elif image.mode in ("P", "PA", "LA", "RGBA", "La", "RGBa"):
        has_alpha = image.mode in ("PA", "LA", "RGBA", "La", "RGBa") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    elif image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")  # an alpha channel that is all opaque: no mask needed
    if image.width > max_width_px:
        height = max(1, round(image.height * max_width_px / image.width))
        image = image.resize((max_width_px, height), Image.Resampling.LANCZOS)
    return image


def svg_drawing(asset: model.Asset, regular: str, bold: str, cache_dir: Path | None = None):
    """The SVG figure as a ReportLab drawing, its text in the book's fonts (registered names). svglib
    measures text as it converts, so the drawing depends on the fonts as well as on the file: it is kept
    in ``cache_dir`` under a digest of both (and of svglib's version), and a warm build neither imports
    svglib nor parses the file (30 ms of each process)."""
    return pickle.loads(_svg_pickle(asset.path, asset.digest, regular, bold, cache_dir))


@lru_cache(maxsize=32)
def _svg_pickle(path: str, file_digest: str, regular: str, bold: str, cache_dir: Path | None) -> bytes:
    """The pickled drawing (a fresh copy is unpickled for each use: a drawing is changed as it is drawn)."""
    cached = cache_entry(cache_dir, "svg", ".pickle", file_digest, regular, bold, code=("typeset/figures.py",))
    data = read_entry(cached, _unpicklable)
    if data is not None:
        return data
    data = pickle.dumps(_convert_svg(path, regular, bold), protocol=pickle.HIGHEST_PROTOCOL)
    if cached is not None:
        write_atomically(cached, data)
    return data


def _unpicklable(data: bytes) -> bytes:
    """``data``, once it is known to unpickle (read_entry: an entry that does not is made again)."""
    pickle.loads(data)
    return data


def _convert_svg(path: str, regular: str, bold: str):
    from svglib.fonts import FontMap
    from svglib.svglib import svg2rlg

    class BookFonts(FontMap):
        """Every family the SVG names is the book's face: regular, or bold for weights from 600."""

        def find_font(self, font_name, weight="normal", style="normal"):
            heavy = str(weight).lower() in ("bold", "bolder") or (str(weight).isdigit() and int(weight) >= 600)
            return (bold if heavy else regular), True

    drawing = svg2rlg(path, font_map=BookFonts(), external_reference_root=None)
    drawing.initialFontName = regular  # ReportLab's renderer starts with Helvetica (unembedded) otherwise
    return drawing


class FigureBlock(Flowable):
    """A figure: the picture, then its caption; or a QR code with its caption and web address beside it."""

    def __init__(self, figure: model.Figure, asset: model.Asset, caption: TextBlock | None, url: TextBlock | None,
                 fonts: tuple[str, str], max_height: float, space: float, cache_dir: Path | None = None):
        super().__init__()
        self.figure, self.asset = figure, asset
        self.cache_dir = cache_dir  # where an SVG's converted drawing is kept
        self.caption, self.url = caption, url
        self.fonts = fonts
        self.max_height = max_height
        self.space = space
        self.gap = space * 0.5
        self.alt = figure.alt  # the alternate text, for tagged PDF
        self.width = self.height = 0.0
        self.picture = (0.0, 0.0)

    def getSpaceBefore(self):
        return self.space

    def getSpaceAfter(self):
        return self.space

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        if self.asset.kind == "qr":
            side = placed_size(self.figure, self.asset, avail_width * 0.4, self.max_height)[0]
            self.picture = (side, side)
            text = self._text_height(avail_width - side - self.gap * 2)
            self.height = max(side, text)
        else:
            caption = self.caption.wrap(avail_width, self.max_height)[1] if self.caption else 0.0
            self.picture = placed_size(self.figure, self.asset, avail_width, self.max_height - caption - self.gap)
            self.height = self.picture[1] + (self.gap + caption if self.caption else 0.0)
        return self.width, self.height

    def _text_height(self, width: float) -> float:
        return sum(block.wrap(width, self.max_height)[1] + (block.getSpaceAfter() if block is self.caption else 0)
                   for block in (self.caption, self.url) if block)

    def split(self, avail_width, avail_height):
        return []  # a figure and its caption are never parted

    def structure(self, parent: tuple[Node, ...]) -> "FigureBlock":
        """Tag the figure as a Figure element (its alt text) under ``parent``, its caption as a P after it;
        a QR code's address is the text of the Link that holds the code's link annotation."""
        self.parent = parent
        self.node = Node("Figure", Alt=self.figure.alt or self.figure.caption or self.asset.path)
        if self.caption:
            self.caption.tag(parent + (Node("P"),))
        if self.url:
            self.url.tag(parent + (Node("P"), Node("Link")))
        return self

    def _tagged_picture(self, x, y, width, height):
        canvas = self.canv
        tagger = tagger_of(canvas)
        if tagger is None:
            return tagged(canvas, ())
        path = getattr(self, "parent", ()) + (getattr(self, "node", None) or Node("Figure", Alt=self.figure.alt),)
        x0, y0 = canvas.absolutePosition(x, y)
        x1, y1 = canvas.absolutePosition(x + width, y + height)
        tagger.element(path, canvas.getPageNumber()).attrs["BBox"] = (x0, y0, x1, y1)
        return tagged(canvas, path)

    def draw(self):
        canvas = self.canv
        width, height = self.picture
        if self.asset.kind == "qr":
            with self._tagged_picture(0.0, self.height - height, width, width):
                draw_qr(self.canv, self.asset.matrix, 0.0, self.height - height, width)
            x = width + self.gap * 2
            text = self._text_height(self.width - x)
            y = self.height - (self.height - text) / 2
            for block in (self.caption, self.url):
                if block:
                    y -= block.height
                    block.drawOn(canvas, x, y)
                    if block is self.caption:
                        y -= block.getSpaceAfter()
            side, y = width, self.height - height  # the link after the address, in its Link element
            link(canvas, tagger_of(canvas), self.url.struct if self.url else (), (0.0, y, side, y + side),
                 url=self.asset.path, contents=self.asset.path)
            return
        x = (self.width - width) / 2
        y = self.height - height
        with self._tagged_picture(x, y, width, height):
            if self.asset.kind == "raster":
                self._draw_raster(x, y, width, height)
            else:
                self._draw_svg(x, y, width, height)
        if self.caption:
            self.caption.drawOn(canvas, 0, 0)

    def _draw_raster(self, x, y, width, height):
        dpi = print_dpi(self.asset, width)
        limit = int(self.asset.size[0]) if dpi <= HIGH_DPI else max(1, round(width / 72.0 * TARGET_DPI))
        image = print_pixels(self.asset.path, limit)
        self.canv.drawImage(ImageReader(image), x, y, width, height, mask="auto" if image.mode == "RGBA" else None)

    def _draw_svg(self, x, y, width, height):
        drawing = svg_drawing(self.asset, *self.fonts, self.cache_dir)
        canvas = self.canv
        canvas.saveState()
        canvas.translate(x, y)
        canvas.scale(width / drawing.width, height / drawing.height)
        renderPDF.draw(drawing, canvas, 0, 0, showBoundary=False)
        canvas.restoreState()


def draw_qr(canvas, matrix: tuple[str, ...], x: float, y: float, side: float) -> None:
    """A QR code as filled rectangles, one per run of dark modules in a row, with its quiet zone (white)
    inside ``side``."""
    count = len(matrix) + 2 * QR_QUIET
    module = side / count
    canvas.saveState()
    canvas.setFillColor(HexColor("#ffffff"))
    canvas.rect(x, y, side, side, stroke=0, fill=1)
    canvas.setFillColor(HexColor("#000000"))
    path = canvas.beginPath()
    for row_number, row in enumerate(matrix):
        top = y + side - (QR_QUIET + row_number) * module
        col = 0
        while col < len(row):
            if row[col] == "1":
                end = row.index("0", col) if "0" in row[col:] else len(row)
                path.rect(x + (QR_QUIET + col) * module, top - module, (end - col) * module, module)
                col = end
            else:
                col += 1
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
