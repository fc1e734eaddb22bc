"""Accessible and archival PDFs (issue 17): every output checked by a validator (page-validation: PDF/UA-1 and
PDF/A-2u for the reading PDFs and the worksheet, PDF/A-2b for the imposed booklet), and the structure tree
read back: headings as H elements, the chapters' text in P elements in source order, fields in Form elements."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import page
import pdfplumber
import pypdf
import pytest

from conftest import run_build
from test_handbook import block_texts
from handbook import model
from handbook.book import load_book
from handbook.diagnostics import Sink
from handbook.pipeline import BuildOptions, read_edition
from pdfread import outline, squash

VARIANTS = ["zh-Hans", "zh-Hant", "zh-Hant-HK"]
PROFILES = {"handbook.pdf": ("ua1", "2u"), "worksheet.pdf": ("ua1", "2u"), "handbook-booklet.pdf": ("2b",)}


def assert_compliant(path: Path) -> None:
    for profile in PROFILES[path.name]:
        report = page.validate_pdf(str(path), profile=profile)
        failures = sorted({f"[{f.rule_id}] {f.message}" for f in report.failures})
        assert report.is_compliant, f"{path} {profile}: " + "\n".join(failures)


@pytest.fixture(scope="session")
def books(tmp_path_factory) -> dict[str, Path]:
    """The large-print theme and the example books, built with the real command."""
    out = {}
    for name, args in (("large-print", ("--theme", "large-print")), ("features", ("--content", "examples/features")),
                       ("english", ("--content", "examples/english"))):
        folder = tmp_path_factory.mktemp(name)
        result = run_build(*args, "--output", str(folder), "--strict")
        assert result.returncode == 0, result.stderr + result.stdout
        out[name] = folder
    return out


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_output_of_the_book_is_compliant(built, variant):
    for name in PROFILES:
        assert_compliant(built / variant / name)


@pytest.mark.parametrize("book", ["large-print", "features", "english"])
def test_the_large_print_theme_and_the_example_books_are_compliant(books, book):
    paths = sorted(books[book].glob("*/*.pdf"))
    assert len(paths) >= 3
    for path in paths:
        assert_compliant(path)


def test_a_filled_worksheet_is_compliant(tmp_path):
    record = tmp_path / "record.yaml"
    record.write_text("holder_name: 張小梅\noverdue_amount: 3456.78\nfilled_on: '2026-11-28'\nreason_health: true\n",
                      encoding="utf-8")
    result = run_build("--fill", str(record), "--variant", "zh-Hant", "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    path = tmp_path / "out" / "zh-Hant" / "worksheet-filled.pdf"
    for profile in ("ua1", "2u"):
        report = page.validate_pdf(str(path), profile=profile)
        assert report.is_compliant, sorted({f"[{f.rule_id}] {f.message}" for f in report.failures})


def test_merged_filled_copies_are_pdf_a_2b(tmp_path):
    """Many records in one PDF to print: a print artefact like the booklet (its pages repeat: no structure)."""
    data = tmp_path / "clients.csv"
    data.write_text("holder_name,overdue_amount\n王芳,100\n李强,2500.5\n", encoding="utf-8")
    result = run_build("--fill", str(data), "--fill-merge", "--variant", "zh-Hans", "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    path = tmp_path / "out" / "zh-Hans" / "worksheet-filled.pdf"
    report = page.validate_pdf(str(path), profile="2b")
    assert report.is_compliant, sorted({f"[{f.rule_id}] {f.message}" for f in report.failures})
    assert "/StructTreeRoot" not in pypdf.PdfReader(str(path)).trailer["/Root"]


# -- the structure tree, read back -------------------------------------------------------------------
def reading_order(path: Path) -> list[tuple[tuple[str, ...], str]]:
    """What a screen reader reads: (the path of element types, its text) for each piece of marked content,
    walking the structure tree depth first. Text per marked content comes from pdfplumber (in stream order)."""
    texts: dict[tuple[int, int], str] = defaultdict(str)
    with pdfplumber.open(str(path)) as pdf:
        for number, pdf_page in enumerate(pdf.pages):
            for char in pdf_page.chars:
                if char.get("mcid") is not None:
                    texts[(number, char["mcid"])] += char["text"]
    reader = pypdf.PdfReader(str(path))
    pages = {p.indirect_reference.idnum: n for n, p in enumerate(reader.pages)}
    out = []

    def walk(element, types, page_number):
        element = element.get_object()
        if "/Pg" in element:
            page_number = pages[element.raw_get("/Pg").idnum]
        if element.get("/Type") == "/MCR":
            out.append((types, texts[(page_number, int(element["/MCID"]))]))
            return
        if element.get("/Type") == "/OBJR":
            out.append((types + ("OBJR",), ""))
            return
        types = types + (str(element["/S"])[1:],)
        kids = element.get("/K")
        if kids is None:
            out.append((types, ""))
            return
        kids = kids.get_object()
        for kid in kids if isinstance(kids, list) else [kids]:
            if isinstance(kid, int):
                out.append((types, texts[(page_number, int(kid))]))
            else:
                walk(kid, types, page_number)

    walk(reader.trailer["/Root"]["/StructTreeRoot"]["/K"], (), 0)
    return out


def edition(name):
    options = BuildOptions()
    sink = Sink()
    book = load_book(options.content_dir, options.project_root, sink)
    return read_edition(book, book.variant(name), options, sink)


def paragraph_pieces(blocks):
    """The text of every paragraph (in lists and quotes too), in source order, in pieces around a
    cross-reference (whose page number the PDF adds)."""
    return block_texts(blocks, model.Paragraph, tables=False)


@pytest.mark.parametrize("variant", VARIANTS)
def test_outline_headings_are_h_elements_and_chapter_text_is_in_p_elements_in_order(built, variant):
    path = built / variant / "handbook.pdf"
    order = reading_order(path)
    headings = [squash(text) for types, text in order if types[-1] in ("H1", "H2", "H3")]
    position = 0
    for _, title, _ in outline(path):  # every bookmark is a heading, in the same order
        assert squash(title) in headings[position:], title
        position = headings.index(squash(title), position) + 1
    paragraphs = "".join(squash(text) for types, text in order if "P" in types and "Note" not in types)
    position = 0
    document = edition(variant).document
    for chapter in document.chapters:
        for piece in paragraph_pieces(chapter.blocks):
            found = paragraphs.find(squash(piece), position)
            assert found >= 0, f"{chapter.name}: not in a P element after the text before it: {piece!r}"
            position = found + len(squash(piece))


def test_structure_of_lists_tables_notes_links_and_figures(built, books):
    path = books["features"] / "zh-Hans" / "handbook.pdf"  # figures, QR codes, notes, cross-references
    order = reading_order(path) + reading_order(built / "zh-Hans" / "handbook.pdf")  # lists, tables, quotes
    tags = {tag for types, _ in order for tag in types}
    assert {"Document", "H1", "H2", "P", "L", "LI", "Lbl", "LBody", "Table", "THead", "TBody", "TR", "TH", "TD",
            "BlockQuote", "Note", "Link", "Figure", "TOC", "TOCI", "Reference"} <= tags, tags
    for types, text in order:
        if types[-1] == "Lbl":
            assert types[-2] == "LI" or types[-2] == "Note", types
        if types[-1] == "OBJR":
            assert types[-2] == "Link", types
    reader = pypdf.PdfReader(str(path))
    for page_object in reader.pages:
        assert page_object["/Tabs"] == "/S"
        for annotation in page_object.get("/Annots", []):
            annotation = annotation.get_object()
            assert annotation["/Contents"] and "/StructParent" in annotation and annotation["/F"] == 4


@pytest.mark.parametrize("variant", ["zh-Hans", "zh-Hant"])
def test_every_field_is_in_a_form_element_with_its_label_as_tooltip(built, variant):
    path = built / variant / "worksheet.pdf"
    reader = pypdf.PdfReader(str(path))
    widgets = [a.get_object() for p in reader.pages for a in p.get("/Annots", [])]
    assert widgets and all(w["/TU"] and "/AP" in w and "/StructParent" in w for w in widgets)
    order = reading_order(path)
    forms = [types for types, _ in order if types[-1] == "OBJR"]
    assert len(forms) == len(widgets) and all(types[-2] == "Form" for types in forms)
    form = reader.trailer["/Root"]["/AcroForm"]
    assert form.get("/NeedAppearances") == False  # noqa: E712 (a pypdf BooleanObject, always truthy)


@pytest.mark.parametrize("ending", [b"\n", b"\r", b"\r\n", b"x"])
def test_stream_data_ending_in_an_end_of_line_keeps_its_length(ending):
    """PDF/A counts /Length between the EOL after 'stream' and the EOL before 'endstream': ReportLab wrote
    none before 'endstream', and data that ends in CR or LF must still get its own (found on the example
    book, where a compressed stream happened to end in CR, and on a test book, in LF)."""
    import io

    from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFStream
    from reportlab.pdfgen.canvas import Canvas

    from handbook.typeset.tagging import finish

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pageCompression=0, invariant=1)
    canvas.drawString(10, 10, "x")
    stream = PDFStream(PDFDictionary({}), b"data" + ending)
    stream.filters = []
    canvas._doc.Catalog.PieceInfo = canvas._doc.Reference(stream)
    canvas.showPage()
    finish(canvas, "en", None)
    canvas.save()
    report = page.validate_pdf_bytes(buffer.getvalue(), profile="2b")
    assert not [f for f in report.failures if "STREAM" in f.rule_id], [f.message for f in report.failures]
