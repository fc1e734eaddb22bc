"""Tagged, archival PDF from ReportLab: the structure tree (PDF/UA-1) and what PDF/A-2 asks of the file.

The structure comes from the model: the story builder gives each flowable a path of :class:`Node` (Document
> L > LI > LBody > P, Table > TBody > TR > TD, ...). The flowable that draws the text opens the marked content
(``/P <</MCID n>> BDC`` ... ``EMC``) around what it draws and tells the :class:`Tagger` on the canvas, which
creates the structure element the first time one of its pieces is drawn, so the tree is in drawing order and
never drifts from what is on the page (a paragraph split over two pages is one element with content on both).
Rules, shading, emphasis dots, running heads and folios are drawn inside ``/Artifact`` marked content.

When the PDF is saved, :func:`finish` writes the tree (StructTreeRoot, ParentTree, each page's
/StructParents, /Tabs /S), MarkInfo, DisplayDocTitle, the XMP packet (dc:title, pdfaid, pdfuaid) and the sRGB
output intent into ReportLab's document. ReportLab's writer is patched for PDF/A's stream syntax (an end of line
before ``endstream``).
"""
from __future__ import annotations

from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import (PDFArray, PDFDictionary, PDFName, PDFObject, PDFObjectReference, PDFStream,
                                      PDFString)

from ..archival import OUTPUT_CONDITION, SRGB_ICC, Identity, end_of_data, xmp_packet


# -- ReportLab's writer, made PDF/A-clean ---------------------------------------------------------------
def _stream_format(self, document):
    """PDFStream.format with an end of line before ``endstream`` (not counted in /Length), as PDF/A requires."""
    formatted = _original_stream_format(self, document)
    if formatted.endswith(b"endstream\n") and not formatted.endswith(b"\nendstream\n"):
        data = formatted[:-len(b"endstream\n")]
        formatted = data + end_of_data(data) + b"endstream\n"
    return formatted


if not hasattr(pdfdoc, "_handbook_stream_format"):
    pdfdoc._handbook_stream_format = _original_stream_format = PDFStream.format
    PDFStream.format = _stream_format
    pdfdoc.PDFPage.__NoDefault__ = pdfdoc.PDFPage.__NoDefault__ + ["StructParents", "Tabs"]
    pdfdoc.PDFCatalog.__NoDefault__.append("OutputIntents")  # (also in __Refs__: written as a reference)
else:
    _original_stream_format = pdfdoc._handbook_stream_format


class Raw(PDFObject):
    """PDF syntax written as is (``true``, numbers)."""

    def __init__(self, text: str):
        self.text = text.encode("latin-1")

    def format(self, document):
        return self.text


class RawStream(PDFObject):
    """A stream whose bytes are written as given (unfiltered: the XMP packet; or already compressed)."""

    def __init__(self, data: bytes, **entries):
        self.data = data
        self.entries = entries

    def format(self, document):
        entries = dict(self.entries, Length=len(self.data))
        return (pdfdoc.format(PDFDictionary(entries), document) + b"\nstream\n" + self.data + end_of_data(self.data)
                + b"endstream\n")


# -- the structure -----------------------------------------------------------------------------------
class Node:
    """One structure element as the story builder describes it: its type and attributes. A flowable's
    ``struct`` is the path of nodes from the document down to the element its text belongs to."""

    __slots__ = ("tag", "attrs", "__weakref__")

    def __init__(self, tag: str, **attrs):
        self.tag = tag
        self.attrs = attrs  # Alt, Lang, ID, Scope (a table header), ListNumbering, ...

    def __repr__(self):
        return f"Node({self.tag})"


class Element:
    __slots__ = ("tag", "attrs", "kids", "parent", "page", "annotations")

    def __init__(self, tag: str, attrs: dict, parent: "Element | None"):
        self.tag = tag
        self.attrs = dict(attrs)
        self.kids: list = []  # Element | (page, mcid) | ("annot", page, annotation dictionary)
        self.parent = parent
        self.page = 0

    def text_pages(self):
        return [kid[0] for kid in self.kids if isinstance(kid, tuple) and kid[0] != "annot"]


ARTIFACT = "/Artifact BMC"
PAGINATION = "/Artifact <</Type /Pagination>> BDC"
LAYOUT = "/Artifact <</Type /Layout>> BDC"


class Tagger:
    """Collects the structure while the pages are drawn (one per canvas)."""

    def __init__(self, lang: str = ""):
        self.root = Element("Document", {"Lang": lang} if lang else {}, None)
        self.latin = "en" if lang.startswith("zh") else ""  # the language of Latin words in Chinese text
        self.elements: dict[int, tuple[Node, Element]] = {}  # id(node) -> (node, its element)
        self.marks: dict[int, list[Element]] = {}  # page number -> the element of each MCID
        self.annotations: list[tuple[Element, PDFDictionary]] = []
        self.drawn: dict[int, object] = {}  # flowable fragments drawn (a repeated table header: an artifact)

    def element(self, path: tuple[Node, ...], page: int = 0) -> Element:
        parent = self.root
        for node in path:
            known = self.elements.get(id(node))
            if known is None:
                element = Element(node.tag, node.attrs, parent)
                element.page = page
                parent.kids.append(element)
                self.elements[id(node)] = (node, element)
            else:
                element = known[1]
            parent = element
        return parent

    def begin(self, canvas, path: tuple[Node, ...]) -> str:
        """The BDC operator that opens the next piece of ``path``'s element on the canvas's page."""
        page = canvas.getPageNumber()
        element = self.element(path, page)
        marks = self.marks.setdefault(page, [])
        marks.append(element)
        element.kids.append((page, len(marks) - 1))
        return f"/{element.tag} <</MCID {len(marks) - 1}>> BDC"

    def first_drawing(self, flowable) -> bool:
        """False when this very fragment was drawn before (ReportLab repeats a table's header rows)."""
        if id(flowable) in self.drawn:
            return False
        self.drawn[id(flowable)] = flowable  # kept alive, so that its id is not reused
        return True

    def annotate(self, canvas, path: tuple[Node, ...], annotation: PDFDictionary) -> None:
        """A link annotation inside ``path``'s element (an OBJR kid); its /StructParent is set in :func:`finish`."""
        page = canvas.getPageNumber()
        element = self.element(path, page)
        element.kids.append(("annot", page, annotation))
        self.annotations.append((element, annotation))
        annotation["F"] = Raw("4")  # printed


def link(canvas, tagger: "Tagger | None", path: tuple[Node, ...], rect, url: str = "", dest: str = "",
         contents: str = "") -> None:
    """A link annotation (``url``, or the bookmark ``dest``) over ``rect`` (in the current user space), with
    its description (/Contents) and, when tagging, its place in ``path``'s Link element."""
    annotation = PDFDictionary()
    annotation["Type"] = PDFName("Annot")
    annotation["Subtype"] = PDFName("Link")
    annotation["Rect"] = PDFArray(canvas._absRect(rect, 1))
    annotation["Border"] = PDFArray([0, 0, 0])
    annotation["F"] = Raw("4")
    annotation["Contents"] = PDFString(contents or url or dest)
    if url:
        action = PDFDictionary()
        action["S"] = PDFName("URI")
        action["URI"] = PDFString(url)
        annotation["A"] = action
    else:
        annotation["Dest"] = canvas._bookmarkReference(dest)
    canvas._addAnnotation(annotation)
    if tagger is not None:
        tagger.annotate(canvas, path, annotation)


def tagger_of(canvas) -> "Tagger | None":
    return getattr(canvas, "tagger", None)


def mark(canvas, path: tuple[Node, ...]) -> str:
    """BDC for ``path`` (or nothing when the canvas does not tag)."""
    tagger = tagger_of(canvas)
    return tagger.begin(canvas, path) if tagger is not None else ""


class artifact:
    """``with artifact(canvas):`` what is drawn inside is layout, not content (rules, shading, dots)."""

    def __init__(self, canvas, kind: str = LAYOUT):
        self.canvas, self.kind = canvas, kind
        self.on = tagger_of(canvas) is not None

    def __enter__(self):
        if self.on:
            self.canvas._code.append(self.kind)
        return self

    def __exit__(self, *exc):
        if self.on:
            self.canvas._code.append("EMC")


class tagged:
    """``with tagged(canvas, path):`` what is drawn inside is one piece of ``path``'s element."""

    def __init__(self, canvas, path: tuple[Node, ...]):
        self.canvas, self.path = canvas, path
        self.tagger = tagger_of(canvas)

    def __enter__(self):
        if self.tagger is not None:
            self.canvas._code.append(self.tagger.begin(self.canvas, self.path))
        return self

    def __exit__(self, *exc):
        if self.tagger is not None:
            self.canvas._code.append("EMC")


# -- saving ----------------------------------------------------------------------------------------
def _date(document) -> str:
    ts = document._timeStamp
    y, mo, d, h, mi, s = ts.YMDhms
    sign = "-" if ts.dhh < 0 else "+"
    return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{sign}{abs(ts.dhh):02d}:{ts.dmm:02d}"


def _value(value):
    if isinstance(value, str):
        return PDFString(value)
    if isinstance(value, (list, tuple)):
        return PDFArray([_value(v) for v in value])
    if isinstance(value, float):
        return Raw(f"{value:.2f}")
    return value


def finish(canvas, lang: str, tagger: "Tagger | None", pdfa: str = "2u") -> None:
    """Before ReportLab writes the file: identity (XMP, Info), output intent, and the structure tree."""
    document = canvas._doc
    info = document.info
    catalog = document.Catalog
    who = Identity(title=info.title, author=info.author, subject=info.subject, keywords=info.keywords,
                   creator=info.creator, producer=info.producer, date=_date(document), lang=lang, pdfa=pdfa,
                   pdfua=1 if tagger is not None else 0)
    catalog.Metadata = RawStream(xmp_packet(who), Type=PDFName("Metadata"), Subtype=PDFName("XML"))
    icc = PDFStream(PDFDictionary({"N": 3}), SRGB_ICC)
    intent = PDFDictionary({"Type": PDFName("OutputIntent"), "S": PDFName("GTS_PDFA1"),
                            "OutputConditionIdentifier": PDFString(OUTPUT_CONDITION),
                            "Info": PDFString(OUTPUT_CONDITION), "DestOutputProfile": document.Reference(icc)})
    catalog.OutputIntents = PDFArray([document.Reference(intent)])
    catalog.ViewerPreferences = PDFDictionary({"DisplayDocTitle": Raw("true")})
    if tagger is None:
        return
    catalog.MarkInfo = PDFDictionary({"Marked": Raw("true")})
    pages = document.Pages.pages
    for number, page in enumerate(pages, start=1):
        page.StructParents = Raw(str(number - 1))
        page.Tabs = PDFName("S")
    root_dict = PDFDictionary({"Type": PDFName("StructTreeRoot")})
    root_ref = document.Reference(root_dict)
    refs: dict[int, PDFObjectReference] = {}

    def build(element: Element, parent_ref) -> PDFObjectReference:
        obj = PDFDictionary({"Type": PDFName("StructElem"), "S": PDFName(element.tag), "P": parent_ref})
        ref = document.Reference(obj)
        refs[id(element)] = ref
        page = element.page or (element.text_pages() or [0])[0]
        if page:
            obj["Pg"] = PDFObjectReference(f"Page{page}")
        kids = []
        for kid in element.kids:
            if isinstance(kid, Element):
                kids.append(build(kid, ref))
            elif kid[0] == "annot":
                kids.append(PDFDictionary({"Type": PDFName("OBJR"), "Pg": PDFObjectReference(f"Page{kid[1]}"),
                                           "Obj": document.Reference(kid[2])}))
            elif kid[0] == page:
                kids.append(Raw(str(kid[1])))
            else:
                kids.append(PDFDictionary({"Type": PDFName("MCR"), "Pg": PDFObjectReference(f"Page{kid[0]}"),
                                           "MCID": Raw(str(kid[1]))}))
        if kids:
            obj["K"] = PDFArray(kids)
        attrs = element.attrs
        for key in ("Alt", "Lang", "ID", "ActualText", "T"):
            if attrs.get(key):
                obj[key] = PDFString(attrs[key])
        owned = {"Table": ("Scope",), "List": ("ListNumbering",), "Layout": ("BBox",)}
        attributes = []
        for owner, keys in owned.items():
            entries = {key: (PDFName(attrs[key]) if isinstance(attrs[key], str) else _value(attrs[key]))
                       for key in keys if key in attrs}
            if entries:
                attributes.append(PDFDictionary({"O": PDFName(owner), **entries}))
        if attributes:
            obj["A"] = attributes[0] if len(attributes) == 1 else PDFArray(attributes)
        return ref

    document_ref = build(tagger.root, root_ref)
    nums = []
    for number in range(1, len(pages) + 1):
        marks = tagger.marks.get(number, [])
        nums += [Raw(str(number - 1)), PDFArray([refs[id(element)] for element in marks])]
    for index, (element, annotation) in enumerate(tagger.annotations, start=len(pages)):
        annotation["StructParent"] = Raw(str(index))
        nums += [Raw(str(index)), refs[id(element)]]
    root_dict["K"] = document_ref
    root_dict["ParentTree"] = document.Reference(PDFDictionary({"Nums": PDFArray(nums)}))
    root_dict["ParentTreeNextKey"] = Raw(str(len(pages) + len(tagger.annotations)))
    ids = sorted((element.attrs["ID"], refs[id(element)]) for _, element in tagger.elements.values()
                 if element.attrs.get("ID"))
    if ids:
        root_dict["IDTree"] = PDFDictionary({"Names": PDFArray([v for pair in ids for v in (PDFString(pair[0]), pair[1])])})
    catalog.StructTreeRoot = root_ref
