"""Form fields on the finished worksheet pages (pypdf), and values written into a filled copy.

Input: the typeset PDF, the fields' printed places (:class:`layout.Placed`) and the prepared TrueType
font. Output: the same PDF with an AcroForm whose widgets sit exactly on the printed blanks.

Why the form font is built like this (each point was checked with poppler 22 and PDFium):

* ReportLab's form fields know only the 14 standard fonts, so the font is a Type0 (Identity-H) font
  over the whole prepared TrueType program (CIDFontType2), one CID per glyph id (``/CIDToGIDMap
  /Identity``): what pypdf's appearance generator assumes. Its ``/ToUnicode`` maps each glyph to
  exactly one character: a viewer encodes typed text by reverse lookup in it (poppler
  ``Annot::layoutText``, PDFium ``CPDF_Font::CharCodeFromUnicode``), and a glyph shared by two
  characters (U+0020 and U+00A0) made poppler lose every space.
* PDFium uses an embedded ``/DA`` font for non-ASCII text only if the font's resource name is a
  symbol font's (``CPDF_BAFontMap``: an embedded font counts as ANSI, so CJK would go to a system
  font that may not exist). The font is therefore listed in ``/DR`` as ``/Wingdings``: only the key
  is borrowed; every viewer reads the font itself from the dictionary.
* ``/NeedAppearances`` is false: an empty text field has an empty appearance (PDF/A wants one on every
  widget), each its own object: a program that fills a field by rewriting its appearance in place (pypdf
  with ``auto_regenerate=False``) would otherwise show the value in every field. Checkboxes carry their
  own (a vector tick, so no ZapfDingbats font is needed to show them), shared by boxes of one size: a
  checkbox's value only chooses between them.
* Tagged PDF (PDF/UA): each widget is in the Form structure element the typesetter made where its blank is
  printed, under the object number the typesetter kept for it (see :func:`add_form`).

A filled copy is an incremental update of the empty form: values are drawn into the pages as text
in the form font (so they are in the text layer, marked as an artifact: a screen reader reads the value
from its field), and their fields keep the value and become read-only, with an empty appearance, so that
no viewer draws a value twice (a hidden field would do the same, but PDF/A forbids hidden annotations).
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, BooleanObject, DecodedStreamObject, DictionaryObject, EncodedStreamObject, FloatObject,
                           IndirectObject, NameObject, NumberObject, StreamObject, TextStringObject)

from .. import exporting  # noqa: F401 -- PDF/A stream endings for everything pypdf writes here
from ..archival import Identity, xmp_date, xmp_packet
from ..typeset.formfont import FormFont
from ..typeset.worksheet import Placed



DR_NAME = "/Wingdings"  # see the module docstring: the name PDFium needs to use the font for CJK
PAGE_FONT = "/HbFormFont"  # the same font in the pages' resources, for filled-in values
INK = (0.08, 0.19, 0.43)  # filled-in values: a blue-black ink, dark in greyscale
FLAG_READ_ONLY, FLAG_MULTILINE, FLAG_NO_SPELLCHECK = 1, 1 << 12, 1 << 22
ANNOT_PRINT = 4


# -- the font as PDF objects -------------------------------------------------------------------------
def _stream(data: bytes, **entries) -> StreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    encoded = stream.flate_encode(level=6)
    for key, value in entries.items():
        encoded[NameObject("/" + key)] = value
    return encoded


def _compressed_stream(font: FormFont, **entries) -> StreamObject:
    """The font program as a flate stream, from the bytes compressed once (pypdf's encoded stream keeps
    its data as given)."""
    if not font.compressed:
        return _stream(font.data, **entries)
    stream = EncodedStreamObject()
    stream._data = font.compressed
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    for key, value in entries.items():
        stream[NameObject("/" + key)] = value
    return stream


def _to_unicode(font: FormFont) -> bytes:
    """A ToUnicode CMap of bfrange runs (glyph ids follow code points, so runs are long). A glyph
    shared by several characters maps to the first of them only: a viewer looks characters up in
    reverse, and an ambiguous glyph made poppler drop every space (U+0020 and U+00A0 share one)."""
    owner: dict[int, int] = {}
    for char, gid in sorted(font.gids.items()):
        owner.setdefault(gid, ord(char))
    pairs = sorted((gid, code) for gid, code in owner.items() if code <= 0xFFFF)
    runs: list[tuple[int, int, int]] = []
    for gid, code in pairs:
        if runs and gid == runs[-1][1] + 1 and code == runs[-1][2] + (gid - runs[-1][0]) and gid & 0xFF:
            runs[-1] = (runs[-1][0], gid, runs[-1][2])
        else:
            runs.append((gid, gid, code))
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange <0000> <FFFF> endcodespacerange"]
    for start in range(0, len(runs), 100):
        chunk = runs[start:start + 100]
        lines.append(f"{len(chunk)} beginbfrange")
        lines += [f"<{a:04X}> <{b:04X}> <{c:04X}>" for a, b, c in chunk]
        lines.append("endbfrange")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


def _widths(font: FormFont) -> ArrayObject:
    """/W for glyphs whose advance is not the 1 em default, as ``first [w w ...]`` runs."""
    out = ArrayObject()
    run: list[int] = []
    first = previous = -2
    for gid in sorted(font.widths):
        width = font.widths[gid]
        if width == 1000:
            continue
        if gid != previous + 1 and run:
            out += [NumberObject(first), ArrayObject(NumberObject(w) for w in run)]
            run = []
        if not run:
            first = gid
        run.append(width)
        previous = gid
    if run:
        out += [NumberObject(first), ArrayObject(NumberObject(w) for w in run)]
    return out


def _add(writer: PdfWriter, obj) -> IndirectObject:
    """pypdf has no public call to add an indirect object; this is the one place that uses it."""
    return writer._add_object(obj)


def add_font(writer: PdfWriter, font: FormFont) -> IndirectObject:
    base = NameObject("/HBFORM+" + "".join(c for c in font.name if c.isalnum() or c == "-"))
    descriptor = DictionaryObject({
        NameObject("/Type"): NameObject("/FontDescriptor"), NameObject("/FontName"): base,
        NameObject("/Flags"): NumberObject(4), NameObject("/FontBBox"): ArrayObject(NumberObject(v) for v in font.bbox),
        NameObject("/ItalicAngle"): NumberObject(0), NameObject("/Ascent"): NumberObject(font.ascent),
        NameObject("/Descent"): NumberObject(font.descent), NameObject("/CapHeight"): NumberObject(font.cap_height),
        NameObject("/StemV"): NumberObject(font.stem_v),
        NameObject("/FontFile2"): _add(writer, _compressed_stream(font, Length1=NumberObject(len(font.data)))),
    })
    cid_font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/CIDFontType2"),
        NameObject("/BaseFont"): base,
        NameObject("/CIDSystemInfo"): DictionaryObject({
            NameObject("/Registry"): TextStringObject("Adobe"), NameObject("/Ordering"): TextStringObject("Identity"),
            NameObject("/Supplement"): NumberObject(0)}),
        NameObject("/FontDescriptor"): _add(writer, descriptor), NameObject("/DW"): NumberObject(1000),
        NameObject("/W"): _widths(font), NameObject("/CIDToGIDMap"): NameObject("/Identity"),
    })
    return _add(writer, DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type0"),
        NameObject("/BaseFont"): base, NameObject("/Encoding"): NameObject("/Identity-H"),
        NameObject("/DescendantFonts"): ArrayObject([_add(writer, cid_font)]),
        NameObject("/ToUnicode"): _add(writer, _stream(_to_unicode(font))),
    }))


# -- widgets -------------------------------------------------------------------------------------------
def _rect(placed: Placed) -> ArrayObject:
    return ArrayObject(FloatObject(round(v, 3)) for v in placed.rect)


def _tick(width: float, height: float) -> bytes:
    """A check mark drawn as a path, filling most of the box."""
    w, h = width, height
    points = [(0.18, 0.52), (0.40, 0.24), (0.84, 0.80)]
    path = " ".join(f"{x * w:.2f} {y * h:.2f} {'m' if i == 0 else 'l'}" for i, (x, y) in enumerate(points))
    return f"q {INK[0]} {INK[1]} {INK[2]} RG {max(w, h) * 0.13:.2f} w 1 J 1 j {path} S Q".encode()


def _form_xobject(data: bytes, width: float, height: float) -> StreamObject:
    """An appearance: as few bytes as the standard allows (/Type is optional, a hundredth of a point is
    precise enough), since a worksheet has one per text field and a mail merge writes thousands of them."""
    stream = DecodedStreamObject()
    stream.set_data(data)
    stream.update({NameObject("/Subtype"): NameObject("/Form"),
                   NameObject("/BBox"): ArrayObject([NumberObject(0), NumberObject(0),
                                                     FloatObject(round(width, 2)), FloatObject(round(height, 2))])})
    return stream


def widget(writer: "_Update", placed: Placed, page_ref, tooltip: str) -> DictionaryObject:
    field = placed.field
    annot = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/T"): TextStringObject(field.name), NameObject("/TU"): TextStringObject(tooltip),
        NameObject("/Rect"): _rect(placed), NameObject("/F"): NumberObject(ANNOT_PRINT),
        NameObject("/P"): page_ref,
    })
    if field.kind == "checkbox":
        x0, y0, x1, y1 = placed.rect
        on = writer.appearance(_tick(x1 - x0, y1 - y0), x1 - x0, y1 - y0)
        off = writer.appearance(b"", x1 - x0, y1 - y0)
        annot.update({
            NameObject("/FT"): NameObject("/Btn"), NameObject("/V"): NameObject("/Off"),
            NameObject("/AS"): NameObject("/Off"), NameObject("/DA"): TextStringObject("/ZaDb 0 Tf 0 g"),
            NameObject("/MK"): DictionaryObject({NameObject("/CA"): TextStringObject("4")}),
            NameObject("/AP"): DictionaryObject({NameObject("/N"): DictionaryObject({
                NameObject("/Yes"): on, NameObject("/Off"): off})}),
        })
        return annot
    flags = FLAG_MULTILINE if field.kind == "multiline" else 0
    if field.kind in ("date", "money", "number"):
        flags |= FLAG_NO_SPELLCHECK
    x0, y0, x1, y1 = placed.rect
    annot.update({
        NameObject("/AP"): DictionaryObject({NameObject("/N"): writer.empty_appearance(x1 - x0, y1 - y0)}),
        NameObject("/FT"): NameObject("/Tx"), NameObject("/Ff"): NumberObject(flags),
        NameObject("/DA"): TextStringObject(f"{DR_NAME} {placed.size:g} Tf 0 g"),
        NameObject("/Q"): NumberObject({"left": 0, "center": 1, "right": 2}[placed.align]),
    })
    return annot


def add_form(pdf: bytes, placed: list[Placed], font: FormFont, tooltips: dict[str, str], size: float) -> bytes:
    """The typeset PDF with one form field on each printed blank, written as an incremental update: the
    typeset bytes as they are, then the new objects (font, widgets, their appearances, the AcroForm) and the
    few it changes (the pages' font resources, the catalog). In a tagged PDF the typesetter has already put
    each widget's object number in its page's annotations and in its Form structure element, with its
    /StructParent key (:class:`Placed` ``obj``, ``struct_parent``): the widget is written under that number.
    (Cloning the whole document with pypdf instead would copy its structure tree too, at four times the cost.)
    ``size``: the form's default size of typed values (the theme's; each text field says its own too)."""
    reader = PdfReader(io.BytesIO(pdf))
    update = _Update(reader)
    font_ref = add_font(update, font)
    zapf = _add(update, DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/ZapfDingbats")}))
    fields = ArrayObject()
    pages = reader.pages
    for item in placed:
        page = pages[item.page]
        annot = widget(update, item, page.indirect_reference, tooltips[item.field.name])
        if item.obj:  # its place is kept
            annot[NameObject("/StructParent")] = NumberObject(item.struct_parent)
            update.objects[item.obj] = annot
            fields.append(IndirectObject(item.obj, 0, reader))
            continue
        ref = _add(update, annot)
        fields.append(ref)
        annots = page.raw_get("/Annots") if "/Annots" in page else None
        if isinstance(annots, IndirectObject):
            annots.get_object().append(ref)
            update.touch(annots.get_object())
        else:
            page.setdefault(NameObject("/Annots"), ArrayObject()).append(ref)
            update.touch(page)
    for page in pages:
        holder = page
        resources = page.raw_get("/Resources")
        if isinstance(resources, IndirectObject):
            holder = resources = resources.get_object()
        fonts = resources.get("/Font") if "/Font" in resources else None
        if fonts is None:
            fonts = resources[NameObject("/Font")] = DictionaryObject()
        elif isinstance(resources.raw_get("/Font"), IndirectObject):
            holder = fonts = fonts.get_object()
        fonts[NameObject(PAGE_FONT)] = font_ref
        update.touch(holder)
    root = reader.trailer["/Root"]
    root[NameObject("/AcroForm")] = _add(update, DictionaryObject({
        NameObject("/Fields"): fields,
        NameObject("/DR"): DictionaryObject({NameObject("/Font"): DictionaryObject({
            NameObject(DR_NAME): font_ref, NameObject("/ZaDb"): zapf})}),
        NameObject("/DA"): TextStringObject(f"{DR_NAME} {size:g} Tf 0 g"),
        NameObject("/NeedAppearances"): BooleanObject(False),
    }))
    update.touch(root)
    return update.write(pdf)


class _Update:
    """New and changed objects of an incremental update (ISO 32000-1, 7.5.6) of a reader's document."""

    def __init__(self, reader: PdfReader):
        self.reader = reader
        self.size = int(reader.trailer["/Size"])
        self.objects: dict[int, object] = {}
        self.appearances: dict[tuple, IndirectObject] = {}

    def empty_appearance(self, width: float, height: float) -> IndirectObject:
        """The appearance of an empty text field: nothing to draw, in an object of its own."""
        return self._add_object(_form_xobject(b"", width, height))

    def appearance(self, data: bytes, width: float, height: float) -> IndirectObject:
        """A form XObject drawing ``data``, one object for all boxes of the same size (the ticks of a
        worksheet's checkboxes are a few sizes: 2 objects instead of 130)."""
        key = (data, f"{width:.3f}", f"{height:.3f}")
        if key not in self.appearances:
            self.appearances[key] = self._add_object(_form_xobject(data, width, height))
        return self.appearances[key]

    def _add_object(self, obj) -> IndirectObject:
        number = self.size
        self.size += 1
        self.objects[number] = obj
        return IndirectObject(number, 0, self.reader)

    def touch(self, obj) -> None:
        """``obj`` (an indirect object of the reader's document) is written again, as changed."""
        self.objects[obj.indirect_reference.idnum] = obj

    def write(self, base: bytes) -> bytes:
        trailer = self.reader.trailer
        entries = {key: trailer.raw_get(key) for key in ("/Root", "/Info", "/ID") if key in trailer}
        prev = int(base[base.rindex(b"startxref") + 9:].split()[0])
        return _append(base, entries, prev, self.objects, self.size)


# -- filled copies -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ink:
    """A value to print: pieces of (x, baseline, text, char spacing) in page coordinates, in ``size``."""

    name: str
    page: int
    value: str | bool  # the field's /V: text, or True for a ticked box
    runs: tuple[tuple[float, float, str, float], ...]
    size: float


def _overlay(font: FormFont, inks: list[Ink]) -> bytes:
    """A content stream writing the values in the form font (a tick is stroked too, to be bolder)."""
    ink = " ".join(f"{v:g}" for v in INK)
    ops = ["/Artifact BMC", f"q {ink} rg {ink} RG"]
    for item in inks:
        mode = f"2 Tr {item.size * 0.05:.2f} w" if item.value is True else "0 Tr"
        for x, y, text, spacing in item.runs:
            ops.append(f"BT {PAGE_FONT} {item.size:g} Tf {mode} {spacing:.3f} Tc 1 0 0 1 {x:.2f} {y:.2f} Tm "
                       f"<{font.encode(text).hex()}> Tj ET")
    ops += ["Q", "EMC"]
    return "\n".join(ops).encode()


class Filler:
    """Filled copies of one form, each written as an incremental update (ISO 32000-1, 7.5.6): the
    form's bytes, compacted once (:func:`compact`), then only the objects a record changes (its pages'
    content arrays, an overlay stream per page, the filled widgets) and a cross-reference stream whose
    /Prev points back. The form is parsed once; a copy costs a few milliseconds."""

    def __init__(self, form: bytes, font: FormFont):
        form = compact(form)
        reader = PdfReader(io.BytesIO(form))
        self.form, self.font = form, font
        self.size = int(reader.trailer["/Size"])
        self.trailer = {key: reader.trailer.raw_get(key) for key in ("/Root", "/Info", "/ID") if key in reader.trailer}
        self.prev = int(form[form.rindex(b"startxref") + 9:].split()[0])
        self.pages = list(reader.pages)
        self.widgets = {}
        for page in self.pages:
            for ref in page.get("/Annots", []):
                self.widgets[str(ref.get_object()["/T"])] = ref

    def fill(self, inks: list[Ink]) -> bytes:
        changed: dict[int, object] = {}
        next_id = self.size
        for number, page_inks in _by_page(inks).items():
            page = self.pages[number]
            overlay = _stream(_overlay(self.font, page_inks))
            changed[next_id] = overlay
            copy = _shallow(page)
            copy[NameObject("/Contents")] = ArrayObject(_contents(page) + [IndirectObject(next_id, 0, None)])
            changed[page.indirect_reference.idnum] = copy
            next_id += 1
        for ink in inks:
            ref = self.widgets[ink.name]
            annot = _shallow(ref.get_object())
            if ink.value is True:  # ticked, its tick printed on the page: the box's own appearance is empty
                annot[NameObject("/V")] = annot[NameObject("/AS")] = NameObject("/Yes")
                empty = annot["/AP"]["/N"].raw_get("/Off")
                annot[NameObject("/AP")] = DictionaryObject({NameObject("/N"): DictionaryObject({
                    NameObject("/Yes"): empty, NameObject("/Off"): empty})})
            else:
                annot[NameObject("/V")] = TextStringObject(ink.value)
            annot[NameObject("/Ff")] = NumberObject(int(annot.get("/Ff", 0)) | FLAG_READ_ONLY)
            changed[ref.idnum] = annot
        return self._update(changed, next_id)

    def _update(self, changed: dict[int, object], size: int) -> bytes:
        return _append(self.form, self.trailer, self.prev, changed, size, xref_stream=True)


def _append(base: bytes, entries: dict, prev: int, changed: dict[int, object], size: int,
            xref_stream: bool = False) -> bytes:
    """``base`` and an incremental update of it: the ``changed`` objects (number -> object), a
    cross-reference section for them and a trailer whose /Prev points back to ``prev`` (or, after a
    base that has one, a cross-reference stream)."""
    out = io.BytesIO()
    out.write(base)
    if not base.endswith(b"\n"):
        out.write(b"\n")
    offsets = {}
    for idnum in sorted(changed):
        offsets[idnum] = out.tell()
        out.write(f"{idnum} 0 obj\n".encode())
        changed[idnum].write_to_stream(out)
        out.write(b"\nendobj\n")
    if xref_stream:
        rows = {idnum: (1, offset, 0) for idnum, offset in offsets.items()}
        _write_xref_stream(out, rows, entries, size, prev)
        return out.getvalue()
    xref = out.tell()
    out.write(b"xref\n")
    ids = sorted(offsets)
    while ids:
        run = 1
        while run < len(ids) and ids[run] == ids[0] + run:
            run += 1
        out.write(f"{ids[0]} {run}\n".encode())
        out.write(b"".join(f"{offsets[i]:010d} 00000 n\r\n".encode() for i in ids[:run]))
        ids = ids[run:]
    trailer = DictionaryObject({NameObject(k): v for k, v in entries.items()})
    trailer[NameObject("/Size")] = NumberObject(size)
    trailer[NameObject("/Prev")] = NumberObject(prev)
    out.write(b"trailer\n")
    trailer.write_to_stream(out)
    out.write(f"\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _write_xref_stream(out: io.BytesIO, rows: dict[int, tuple[int, int, int]], entries: dict, size: int,
                       prev: int | None) -> None:
    """A cross-reference stream (ISO 32000-1, 7.5.8) for ``rows`` (number -> type, field 2, field 3),
    written as object number ``size`` (the new /Size is one more), then startxref and %%EOF."""
    rows = {**rows, size: (1, out.tell(), 0)}
    index, data, ids = ArrayObject(), bytearray(), sorted(rows)
    while ids:
        run = 1
        while run < len(ids) and ids[run] == ids[0] + run:
            run += 1
        index += [NumberObject(ids[0]), NumberObject(run)]
        for idnum in ids[:run]:
            kind, second, third = rows[idnum]
            data += bytes((kind,)) + second.to_bytes(4, "big") + third.to_bytes(2, "big")
        ids = ids[run:]
    stream = _stream(bytes(data), Type=NameObject("/XRef"), Size=NumberObject(size + 1), Index=index,
                     W=ArrayObject(NumberObject(w) for w in (1, 4, 2)))
    stream.update({NameObject(k): v for k, v in entries.items()})
    if prev is not None:
        stream[NameObject("/Prev")] = NumberObject(prev)
    xref = rows[size][1]
    out.write(f"{size} 0 obj\n".encode())
    stream.write_to_stream(out)
    out.write(f"\nendobj\nstartxref\n{xref}\n%%EOF\n".encode())


OBJECTS_PER_STREAM = 200


def compact(pdf: bytes) -> bytes:
    """The same document in fewer bytes: every object in its latest version once (an incremental update
    flattened), the objects that are not streams packed into flate-compressed object streams, and a
    cross-reference stream (ISO 32000-1, 7.5.7 and 7.5.8; PDF 1.5, allowed by PDF/A-2). The widgets and
    structure elements of a worksheet are half its bytes without the fonts; packed, they are a tenth."""
    reader = PdfReader(io.BytesIO(pdf))
    entries = {key: reader.trailer.raw_get(key) for key in ("/Root", "/Info", "/ID") if key in reader.trailer}
    size = int(reader.trailer["/Size"])
    numbers = sorted({idnum for table in reader.xref.values() for idnum in table if idnum}
                     | set(reader.xref_objStm))
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    rows: dict[int, tuple[int, int, int]] = {0: (0, 0, 65535)}
    packed: list[tuple[int, bytes]] = []
    for idnum in numbers:
        obj = reader.get_object(IndirectObject(idnum, 0, reader))
        if obj is None:
            continue
        if isinstance(obj, StreamObject):
            rows[idnum] = (1, out.tell(), 0)
            out.write(f"{idnum} 0 obj\n".encode())
            obj.write_to_stream(out)
            out.write(b"\nendobj\n")
        else:
            body = io.BytesIO()
            obj.write_to_stream(body)
            packed.append((idnum, body.getvalue()))
    for start in range(0, len(packed), OBJECTS_PER_STREAM):
        chunk = packed[start:start + OBJECTS_PER_STREAM]
        number = size
        size += 1
        header, bodies, offset = [], [], 0
        for position, (idnum, body) in enumerate(chunk):
            header.append(f"{idnum} {offset}")
            bodies.append(body)
            offset += len(body) + 1
            rows[idnum] = (2, number, position)
        head = " ".join(header).encode() + b"\n"
        stream = _stream(head + b"\n".join(bodies) + b"\n", Type=NameObject("/ObjStm"),
                         N=NumberObject(len(chunk)), First=NumberObject(len(head)))
        rows[number] = (1, out.tell(), 0)
        out.write(f"{number} 0 obj\n".encode())
        stream.write_to_stream(out)
        out.write(b"\nendobj\n")
    _write_xref_stream(out, rows, entries, size, None)
    return out.getvalue()


def _page_copy(page: PageObject) -> PageObject:
    """A new page dictionary sharing the page's contents and resources (pypdf's add_page would hand
    back the same dictionary for a page the writer already holds)."""
    copy = PageObject()
    copy.update({NameObject(key): page.raw_get(key) for key in page if key != "/Parent"})
    return copy


def _shallow(obj: DictionaryObject) -> DictionaryObject:
    """A copy of a dictionary whose values stay as they are written (references are not followed)."""
    return DictionaryObject({NameObject(key): obj.raw_get(key) for key in obj})


def merge(form: bytes, font: FormFont, copies: list[list[Ink]]) -> bytes:
    """Many filled copies as one PDF for printing: pages share contents and fonts; no form fields. A print
    artefact like the imposed booklet: PDF/A-2b, without the structure tree (its pages repeat)."""
    reader = PdfReader(io.BytesIO(form))
    source = reader.trailer["/Root"]
    for key in ("/StructTreeRoot", "/MarkInfo", "/AcroForm"):
        if key in source:
            del source[key]
    writer = PdfWriter(clone_from=reader)
    templates = []
    for page in writer.pages:
        for key in ("/Annots", "/StructParents"):
            if key in page:
                del page[key]
        templates.append((page, _contents(page)))
    for index, inks in enumerate(copies):
        by_page = _by_page(inks)
        for number, (template, contents) in enumerate(templates):
            page = template if index == 0 else writer.add_page(_page_copy(template))
            overlay = [_add(writer, _stream(_overlay(font, by_page[number])))] if number in by_page else []
            page[NameObject("/Contents")] = ArrayObject(contents + overlay)
    _declare_pdfa_2b(writer, reader)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _declare_pdfa_2b(writer: PdfWriter, reader: PdfReader) -> None:
    """XMP metadata that claims PDF/A-2b (and no PDF/UA), matching the Info dictionary."""
    info = reader.metadata or {}
    lang = reader.trailer["/Root"].get("/Lang")
    who = Identity(title=str(info.get("/Title", "")), author=str(info.get("/Author", "")),
                   subject=str(info.get("/Subject", "")), keywords=str(info.get("/Keywords", "")),
                   creator=str(info.get("/Creator", "")), producer=str(info.get("/Producer", "")),
                   date=xmp_date(str(info.get("/CreationDate", ""))), lang=str(lang) if lang else "",
                   pdfa="2b", pdfua=0)
    metadata = DecodedStreamObject()
    metadata.set_data(xmp_packet(who))
    metadata[NameObject("/Type")] = NameObject("/Metadata")
    metadata[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Metadata")] = _add(writer, metadata)


def _by_page(inks: list[Ink]) -> dict[int, list[Ink]]:
    out: dict[int, list[Ink]] = {}
    for ink in inks:
        out.setdefault(ink.page, []).append(ink)
    return out


def _contents(page) -> list:
    """References to a page's content streams."""
    contents = page.raw_get("/Contents")
    resolved = contents.get_object()
    return list(resolved) if isinstance(resolved, ArrayObject) else [contents]
