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
    formatted = _original_stream_format(self, document)  # ends with the data, then b"endstream\n"
    data = formatted[:-len(b"endstream\n")]
    return data + end_of_data(data) + b"endstream\n"  # (data that ends in LF still needs its own EOL)


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
        self.widgets: dict[int, str] = {}  # id(placeholder) -> the /ID of the Form element its widget goes in
        self.reserved: dict[str, tuple[int, int]] = {}  # that /ID -> (widget's object number, /StructParent)

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


    def reserve(self, canvas, path: tuple[Node, ...]) -> None:
        """A form field's widget, added to the finished PDF later (worksheet/forms.py): its object number is
        taken now (a null placeholder, which the form's incremental update redefines), listed in the page's
        annotations and put in the Form element at ``path``, its /StructParent key in the parent tree. So
        the form needs to change none of these objects."""
        page = canvas.getPageNumber()
        element = self.element(path, page)
        placeholder = Literal()
        placeholder.data = b"null"
        canvas._annotationrefs.append(canvas._doc.Reference(placeholder))
        element.kids.append(("annot", page, placeholder))
        self.annotations.append((element, placeholder))
        self.widgets[id(placeholder)] = element.attrs["ID"]


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
    catalog.StructTreeRoot = _write_tree(document, tagger, len(pages))


class Literal(PDFObject):
    """An object written as the bytes it is given (set before the file is formatted)."""

    def __init__(self):
        self.data = b""

    def format(self, document):
        return self.data


def _string(text: str) -> str:
    """A PDF text string: literal when ASCII, else UTF-16BE with its byte order mark."""
    if text.isascii():
        return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("\r", "\\r") + ")"
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def _number(value) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _write_tree(document, tagger: "Tagger", page_count: int) -> PDFObjectReference:
    """The structure tree as objects formatted here, in one pass (a thousand elements through ReportLab's
    general formatter cost a tenth of a second). Object numbers are known once an object is registered."""
    numbers = document.idToObjectNumberAndVersion

    def register():
        obj = Literal()
        return obj, numbers[document.Reference(obj).name][0]

    def page_ref(page: int) -> str:
        return f"{numbers[f'Page{page}'][0]} 0 R"

    root, root_number = register()
    refs: dict[int, int] = {}
    elements = []  # (element, object, number, parent number), depth first
    stack = [(tagger.root, root_number)]
    while stack:
        element, parent = stack.pop()
        obj, number = register()
        refs[id(element)] = number
        elements.append((element, obj, number, parent))
        stack += [(kid, number) for kid in reversed(element.kids) if isinstance(kid, Element)]
    annotation_keys = {}
    for index, (element, annotation) in enumerate(tagger.annotations, start=page_count):
        annotation_keys[id(annotation)] = index
        if id(annotation) in tagger.widgets:
            number = numbers[annotation.__InternalName__][0]
            tagger.reserved[tagger.widgets[id(annotation)]] = (number, index)
        else:
            annotation["StructParent"] = Raw(str(index))
    for element, obj, number, parent in elements:
        page = element.page or (element.text_pages() or [0])[0]
        parts = [f"<< /Type /StructElem /S /{element.tag} /P {parent} 0 R"]
        if page:
            parts.append(f"/Pg {page_ref(page)}")
        kids = []
        for kid in element.kids:
            if isinstance(kid, Element):
                kids.append(f"{refs[id(kid)]} 0 R")
            elif kid[0] == "annot":
                ref = document.Reference(kid[2])
                kids.append(f"<< /Type /OBJR /Pg {page_ref(kid[1])} /Obj {numbers[ref.name][0]} 0 R >>")
            elif kid[0] == page:
                kids.append(str(kid[1]))
            else:
                kids.append(f"<< /Type /MCR /Pg {page_ref(kid[0])} /MCID {kid[1]} >>")
        if kids:
            parts.append("/K [" + " ".join(kids) + "]")
        attrs = element.attrs
        for key in ("Alt", "Lang", "ID", "ActualText"):
            if attrs.get(key):
                parts.append(f"/{key} {_string(attrs[key])}")
        owned = []
        if "Scope" in attrs:
            owned.append(f"<< /O /Table /Scope /{attrs['Scope']} >>")
        if "ListNumbering" in attrs:
            owned.append(f"<< /O /List /ListNumbering /{attrs['ListNumbering']} >>")
        if "BBox" in attrs:
            owned.append("<< /O /Layout /BBox [" + " ".join(_number(v) for v in attrs["BBox"]) + "] >>")
        if owned:
            parts.append("/A " + (owned[0] if len(owned) == 1 else "[" + " ".join(owned) + "]"))
        obj.data = (" ".join(parts) + " >>").encode("latin-1")
    nums = []
    for number in range(1, page_count + 1):
        marks = tagger.marks.get(number, [])
        nums.append(f"{number - 1} [" + " ".join(f"{refs[id(element)]} 0 R" for element in marks) + "]")
    for element, annotation in tagger.annotations:
        nums.append(f"{annotation_keys[id(annotation)]} {refs[id(element)]} 0 R")
    parent_tree, parent_tree_number = register()
    parent_tree.data = ("<< /Nums [" + " ".join(nums) + "] >>").encode("latin-1")
    ids = sorted((element.attrs["ID"], refs[id(element)]) for element, _, _, _ in elements if element.attrs.get("ID"))
    id_tree = ""
    if ids:
        id_tree = " /IDTree << /Names [" + " ".join(f"{_string(i)} {n} 0 R" for i, n in ids) + "] >>"
    root.data = (f"<< /Type /StructTreeRoot /K {refs[id(tagger.root)]} 0 R /ParentTree {parent_tree_number} 0 R "
                 f"/ParentTreeNextKey {page_count + len(tagger.annotations)}{id_tree} >>").encode("latin-1")
    return PDFObjectReference(root.__InternalName__)
