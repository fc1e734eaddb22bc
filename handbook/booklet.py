"""Saddle-stitch imposition: a reading-order PDF of A5 pages, two-up on landscape sheets.

Print the result double-sided, fold the stack once and staple on the fold. This module
knows only PDFs (pypdf): it never sees ReportLab or the handbook model, so any finished
PDF can be imposed. Each source page becomes one Form XObject that the sheets draw with
a single ``cm``/``Do``; fonts and images stay shared, so the booklet is about as small as
the reading PDF and fast to build (no ``merge_transformed_page``). Printable annotation
appearances (filled form fields, stamps) are drawn onto the sheets; links are dropped.
"""

from __future__ import annotations

import hashlib
import io
import math
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import (
    ArrayObject, ByteStringObject, DecodedStreamObject, DictionaryObject,
    EncodedStreamObject, FloatObject, NameObject, NumberObject, StreamObject, create_string_object,
)

from . import exporting  # noqa: F401 -- PDF/A stream endings for everything pypdf writes here
from .archival import OUTPUT_CONDITION, SRGB_ICC, Identity, xmp_packet



MM = 72 / 25.4
SHEETS = {"a4": (297 * MM, 210 * MM), "letter": (11 * 72.0, 8.5 * 72.0)}
GAP = 0.25 * MM  # a 148 mm page centred in a 148.5 mm half: clearance from fold and edge
MAX_CREEP_MM = 10.0  # creep is about sheet thickness x sheets; more is a unit mistake
MARK_WIDTH, MARK_LEN, MARK_OFFSET = 0.3, 5 * MM, 1 * MM
FOLD_MARK_LEN = 10 * MM  # long enough to show past an office printer's ~5 mm dead margin
DUPLEX_MODES = ("short-edge", "long-edge")


@dataclass(frozen=True)
class Side:
    """One printed side of a sheet: 0-based source page indices, None for a blank half."""
    left: int | None
    right: int | None


@dataclass(frozen=True)
class Sheet:
    """The front is the outside of the folded sheet (sheet 0 carries both covers)."""
    front: Side
    back: Side


def _reading_sequence(page_count: int) -> list[int | None]:
    """Pad to a multiple of 4 with blanks before the back cover, which must stay last."""
    padded = -(-page_count // 4) * 4
    if page_count == 1:  # no back cover to protect: the blanks simply follow
        return [0] + [None] * (padded - 1)
    return [*range(page_count - 1), *[None] * (padded - page_count), page_count - 1]


def saddle_stitch_order(page_count: int) -> list[Sheet]:
    """Sheets outermost first. With m padded pages, 1-based, sheet s carries
    front (m-2s | 2s+1) and back (2s+2 | m-2s-1): m=4 gives front (4|1), back (2|3)."""
    if isinstance(page_count, bool) or not isinstance(page_count, int) or page_count < 1:
        raise ValueError(f"page_count must be an integer >= 1, got {page_count!r}")
    r = _reading_sequence(page_count)  # r[p - 1] is 1-based page p
    m = len(r)
    return [Sheet(Side(r[m - 2 * s - 1], r[2 * s]), Side(r[2 * s + 1], r[m - 2 * s - 2]))
            for s in range(m // 4)]


@dataclass(frozen=True)
class ImposeOptions:
    """How to impose. Validated on construction so a bad option fails where it is written.

    duplex: the printer feeds A4 portrait and turns our landscape sheet 90 degrees onto it,
    but edges are physical: the fold is parallel to the sheet's short edges, so a booklet
    leaf turns about a short edge. "short-edge" (default) writes the backs upright, as a
    short-edge flip expects; the driver adapts that to however its duplexer turns paper.
    "long-edge" pre-rotates every back by 180 degrees, which a long-edge flip undoes, for
    printers or drivers that only flip on the long edge. The viewer preferences carry the
    matching /Duplex to the print dialog. If a test sheet's backs come out upside down, switch.

    creep_mm: after folding, inner sheets stick out further at the fore-edge. The outermost
    sheet (the covers) is the reference and stays put; pages of sheet s are shifted toward
    the spine by creep_mm * s / (sheets - 1), so the innermost sheet moves the full amount.

    subject: a one-line "how to print" note for the PDF's /Subject, in the reader's language (the
    handbook's template gives one per duplex mode); None keeps the reading PDF's subject.
    """
    paper: str = "A4"
    duplex: str = "short-edge"
    creep_mm: float = 0.0
    marks: bool = False
    subject: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.paper, str) or self.paper.lower() not in SHEETS:
            raise ValueError(f"paper must be 'A4' or 'letter', got {self.paper!r}")
        if self.duplex not in DUPLEX_MODES:
            raise ValueError(f"duplex must be 'short-edge' or 'long-edge', got {self.duplex!r}")
        c = self.creep_mm
        if isinstance(c, bool) or not isinstance(c, (int, float)) or not 0 <= c <= MAX_CREEP_MM:
            raise ValueError(f"creep_mm must be a number from 0 to {MAX_CREEP_MM:g} mm, got {c!r}")
        if not isinstance(self.marks, bool):
            raise ValueError(f"marks must be True or False, got {self.marks!r}")
        if self.subject is not None and (not isinstance(self.subject, str) or len(self.subject.splitlines()) > 1):
            raise ValueError(f"subject must be a one-line string or None, got {self.subject!r}")


def _shared_resources(page, writer: PdfWriter, cache: dict) -> object:
    """One indirect resource dict per distinct content: ReportLab repeats it inline per page."""
    res = page.get("/Resources")
    res = res.get_object() if res is not None else DictionaryObject()
    key = repr(res)  # refs print as ids, so this is cheap and exact within one reader
    if key not in cache:
        cache[key] = writer._add_object(res.clone(writer))
    return cache[key]


def _form_xobject(page, resources, writer: PdfWriter) -> StreamObject:
    """The page as a Form XObject: its content and resources, clipped to its mediabox."""
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    if isinstance(contents, EncodedStreamObject):  # the usual case: copy bytes, no re-encode
        form = EncodedStreamObject()
        form._data = contents._data
        for key in ("/Filter", "/DecodeParms"):
            if key in contents:
                form[NameObject(key)] = contents[key].clone(writer)
    else:
        parts = [] if contents is None else contents if isinstance(contents, ArrayObject) else [contents]
        raw = DecodedStreamObject()
        raw.set_data(b"\n".join(p.get_object().get_data() for p in parts))
        form = raw.flate_encode()
    box = page.mediabox
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject(FloatObject(v) for v in (box.left, box.bottom, box.right, box.top)),
        NameObject("/Resources"): resources,
    })
    if "/Group" in page:  # keep transparency-group semantics
        form[NameObject("/Group")] = page["/Group"].clone(writer)
    return form


def _annotation_ops(page, name: str, writer: PdfWriter, xobjects: DictionaryObject) -> str:
    """Draw printable annotations' normal appearances (form fields, stamps): paper has no
    annotation layer, and a form whose boxes live only in its widgets would print empty."""
    ops = []
    for i, annot in enumerate(page["/Annots"] if "/Annots" in page else []):
        annot = annot.get_object()
        flags = int(annot["/F"]) if "/F" in annot else 0
        ap = annot["/AP"].get("/N") if "/AP" in annot else None
        if ap is None or not flags & 4 or flags & 2:  # not Print, or Hidden
            continue
        ap = ap.get_object()
        if not isinstance(ap, StreamObject):  # on/off states of a check box
            ap = ap.get(annot.get("/AS", "/Off"))
            ap = ap.get_object() if ap is not None else None
        if not isinstance(ap, StreamObject) or "/BBox" not in ap:
            continue
        a, b, c, d, e, f = (float(v) for v in (ap["/Matrix"] if "/Matrix" in ap else (1, 0, 0, 1, 0, 0)))
        bx0, by0, bx1, by1 = (float(v) for v in ap["/BBox"])
        xs, ys = zip(*((a * x + c * y + e, b * x + d * y + f) for x in (bx0, bx1) for y in (by0, by1)))
        rx0, ry0, rx1, ry1 = (float(v) for v in annot["/Rect"])
        rx0, rx1, ry0, ry1 = min(rx0, rx1), max(rx0, rx1), min(ry0, ry1), max(ry0, ry1)
        if max(xs) - min(xs) <= 0 or max(ys) - min(ys) <= 0:
            continue
        sx, sy = (rx1 - rx0) / (max(xs) - min(xs)), (ry1 - ry0) / (max(ys) - min(ys))
        xobjects[NameObject(f"{name}a{i}")] = writer._add_object(ap.clone(writer))
        ops.append(f" q {_fmt(sx, 0, 0, sy, rx0 - min(xs) * sx, ry0 - min(ys) * sy)} cm {name}a{i} Do Q")
    return "".join(ops)


def _fmt(*values: float) -> str:
    return " ".join(f"{v:.6f}".rstrip("0").rstrip(".") for v in values)


def _upright(page) -> tuple[tuple[float, ...], float, float]:
    """Matrix from the page's content space to its displayed (/Rotate applied) upright box."""
    box = page.mediabox
    w, h = float(box.width), float(box.height)
    rotate = {0: (1, 0, 0, 1, 0, 0), 90: (0, -1, 1, 0, 0, w), 180: (-1, 0, 0, -1, w, h),
              270: (0, 1, -1, 0, h, 0)}.get(page.rotation % 360, (1, 0, 0, 1, 0, 0))
    a, b, c, d, e, f = rotate
    x0, y0 = float(box.left), float(box.bottom)
    return (a, b, c, d, e - a * x0 - c * y0, f - b * x0 - d * y0), *((h, w) if a == 0 else (w, h))


def page_scale(width: float, height: float, paper: str) -> float:
    """The scale a page of ``width`` × ``height`` pt is printed at on a sheet of ``paper``: actual size on A4
    when it fits half the sheet, else shrunk to fit; fitted to half a Letter sheet (its shape differs)."""
    sheet_w, sheet_h = SHEETS[paper.lower()]
    scale = min((sheet_w / 2 - 2 * GAP) / width, sheet_h / height)
    return scale if paper.lower() == "letter" or scale < 1 - 1e-6 else 1.0


def _place(page, half: int, shift: float, sheet_w: float, sheet_h: float, paper: str):
    """Matrix, clip cell and page rectangle for a page in half 0 (left) or 1 (right)."""
    cell_x, cell_w = half * sheet_w / 2 + GAP, sheet_w / 2 - 2 * GAP
    (a, b, c, d, e, f), w, h = _upright(page)
    scale = page_scale(w, h, paper)
    x = cell_x + (cell_w - w * scale) / 2 + (shift if half == 0 else -shift)
    y = (sheet_h - h * scale) / 2
    matrix = (a * scale, b * scale, c * scale, d * scale, e * scale + x, f * scale + y)
    return matrix, (cell_x, 0, cell_w, sheet_h), (x, y, x + w * scale, y + h * scale)


def _marks(rects: list[tuple[float, float, float, float, int]], sheet_w: float, sheet_h: float) -> str:
    """Fold marks in the gutter at top and bottom; crop ticks at each page's outer corners,
    drawn only where the sheet has room outside the pages (none for A5 on A4)."""
    mid = sheet_w / 2
    segs = [(mid, 0, mid, FOLD_MARK_LEN), (mid, sheet_h, mid, sheet_h - FOLD_MARK_LEN)]
    for x0, y0, x1, y1, half in rects:
        xo, out = (x0, -1) if half == 0 else (x1, 1)
        start = xo + out * MARK_OFFSET
        end = min(max(start + out * MARK_LEN, 0), sheet_w)
        for y in (y0, y1):
            segs.append((start, y, end, y))
        segs.append((xo, y1 + MARK_OFFSET, xo, min(y1 + MARK_OFFSET + MARK_LEN, sheet_h)))
        segs.append((xo, y0 - MARK_OFFSET, xo, max(y0 - MARK_OFFSET - MARK_LEN, 0)))
    ops = [f"{_fmt(a, b)} m {_fmt(c, d)} l" for a, b, c, d in segs
           if 0 <= min(a, c) and max(a, c) <= sheet_w and 0 <= min(b, d) and max(b, d) <= sheet_h
           and math.hypot(c - a, d - b) >= 1 * MM]
    return f"q 0 G {MARK_WIDTH} w 0 J\n" + "\n".join(ops) + "\nS Q\n"


def impose(reading_pdf: bytes, options: ImposeOptions = ImposeOptions()) -> bytes:
    """Impose reading_pdf for saddle stitching; deterministic (same input, same bytes)."""
    try:
        reader = PdfReader(io.BytesIO(reading_pdf))
        pages = list(reader.pages)
    except (PdfReadError, ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"reading_pdf is not a readable PDF: {exc}") from exc
    if not pages:
        raise ValueError("reading_pdf has no pages")
    sheet_w, sheet_h = SHEETS[options.paper.lower()]
    writer = PdfWriter()
    forms: dict[int, object] = {}  # source index -> indirect ref, one XObject per page
    resources: dict[str, object] = {}
    sheets = saddle_stitch_order(len(pages))
    for s, sheet in enumerate(sheets):
        shift = options.creep_mm * MM * s / (len(sheets) - 1) if len(sheets) > 1 else 0.0
        for side, is_back in ((sheet.front, False), (sheet.back, True)):
            xobjects, ops, rects = DictionaryObject(), [], []
            for half, index in enumerate((side.left, side.right)):
                if index is None:
                    continue
                if index not in forms:
                    shared = _shared_resources(pages[index], writer, resources)
                    forms[index] = writer._add_object(_form_xobject(pages[index], shared, writer))
                name = f"/P{index + 1}"
                xobjects[NameObject(name)] = forms[index]
                matrix, clip, rect = _place(pages[index], half, shift, sheet_w, sheet_h, options.paper)
                annots = _annotation_ops(pages[index], name, writer, xobjects)
                ops.append(f"q {_fmt(*clip)} re W n {_fmt(*matrix)} cm {name} Do{annots} Q")
                rects.append((*rect, half))
            body = "\n".join(ops)
            if is_back and options.duplex == "long-edge":
                body = f"q -1 0 0 -1 {_fmt(sheet_w, sheet_h)} cm\n{body}\nQ"
            if options.marks and not is_back:  # the front is the outside, where you crease
                body += "\n" + _marks(rects, sheet_w, sheet_h)
            page = writer.add_blank_page(sheet_w, sheet_h)
            page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): xobjects})
            stream = DecodedStreamObject()
            stream.set_data(body.encode("ascii"))
            page[NameObject("/Contents")] = writer._add_object(stream)
    _set_metadata(writer, reader, options, reading_pdf)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _set_metadata(writer: PdfWriter, reader: PdfReader, options: ImposeOptions, source: bytes) -> None:
    """Keep title, author, subject (unless the caller says how to print) and language; tell the print dialog
    how to print too."""
    info = reader.metadata or {}
    kept = {k: info[k] for k in ("/Title", "/Author", "/Subject") if info.get(k) is not None}
    if options.subject:
        kept["/Subject"] = options.subject
    writer.add_metadata(kept)
    root = writer._root_object
    lang = reader.trailer["/Root"].get("/Lang")
    if lang is not None:
        root[NameObject("/Lang")] = create_string_object(str(lang.get_object()))
    flip = "/DuplexFlipShortEdge" if options.duplex == "short-edge" else "/DuplexFlipLongEdge"
    root[NameObject("/ViewerPreferences")] = DictionaryObject({
        NameObject("/Duplex"): NameObject(flip), NameObject("/PrintScaling"): NameObject("/None")})
    writer.pdf_header = b"%PDF-1.7"  # /Duplex is a PDF 1.7 viewer preference
    _archival(writer, kept, str(lang.get_object()) if lang is not None else "")
    digest = hashlib.sha256(source + repr(options).encode()).digest()[:16]  # content-derived /ID
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])


def _archival(writer: PdfWriter, info: dict, lang: str) -> None:
    """PDF/A-2b: the XMP packet (matching the Info dictionary) and the sRGB output intent. Imposed sheets are
    a print artefact, so the booklet claims level B only (no structure: the reading PDF is the accessible one)."""
    producer = writer._info.get_object().get("/Producer") if writer._info is not None else None
    who = Identity(title=str(info.get("/Title", "")), author=str(info.get("/Author", "")),
                   subject=str(info.get("/Subject", "")), producer=str(producer or ""), lang=lang, pdfa="2b",
                   pdfua=0)
    metadata = DecodedStreamObject()
    metadata.set_data(xmp_packet(who))
    metadata[NameObject("/Type")] = NameObject("/Metadata")
    metadata[NameObject("/Subtype")] = NameObject("/XML")
    profile = DecodedStreamObject()
    profile.set_data(SRGB_ICC)
    profile[NameObject("/N")] = NumberObject(3)
    intent = DictionaryObject({
        NameObject("/Type"): NameObject("/OutputIntent"), NameObject("/S"): NameObject("/GTS_PDFA1"),
        NameObject("/OutputConditionIdentifier"): create_string_object(OUTPUT_CONDITION),
        NameObject("/Info"): create_string_object(OUTPUT_CONDITION),
        NameObject("/DestOutputProfile"): writer._add_object(profile)})
    root = writer._root_object
    root[NameObject("/Metadata")] = writer._add_object(metadata)
    root[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(intent)])
