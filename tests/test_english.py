"""An English book (examples/english): an apostrophe typed straight prints as one (it's -> it’s), while
code keeps what was typed; a worksheet's label stays on the line of its blank. Built with the real command
and read back from the PDF."""
from __future__ import annotations

import re
import shutil

import pdfplumber

from conftest import ROOT, run_build


def test_straight_apostrophes_print_as_apostrophes_but_not_in_code(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(ROOT / "examples" / "english", book)
    chapter = book / "en" / "01-before.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nDon't panic: it's the lender's job. Type `it's`.\n",
                       encoding="utf-8")
    result = run_build("--content", str(book), "--output", str(tmp_path / "out"), "--only", "handbook", "--strict")
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(tmp_path / "out" / "en" / "handbook.pdf") as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert "Don’t panic: it’s the lender’s job." in text
    assert "Type it's." in text  # inline code as typed
    assert not re.search(r"[A-Za-z]'[A-Za-z]", text.replace("it's.", ""))


def test_a_worksheet_label_stays_on_the_line_of_its_blank(tmp_path):
    """User trial: 'Due date' ended a line and its blank ran the whole next line."""
    import pypdf

    book = tmp_path / "book"
    shutil.copytree(ROOT / "examples" / "english", book)
    sheet = book / "en" / "worksheet.md"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace(
        "Days overdue ______{#overdue_days number}",
        "Days overdue ______{#overdue_days number} Due date ____________{#due_on date}"), encoding="utf-8")
    result = run_build("--content", str(book), "--output", str(tmp_path / "out"), "--only", "worksheet", "--strict")
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "out" / "en" / "worksheet.pdf"
    rect = next(annotation.get_object()["/Rect"] for page in pypdf.PdfReader(pdf).pages
                for annotation in page.get("/Annots") or [] if annotation.get_object().get("/T") == "due_on")
    with pdfplumber.open(pdf) as document:
        page = document.pages[0]
        chars = [c for c in page.chars if not c["text"].isspace()]
        drawn = "".join(c["text"] for c in chars)
        label = chars[drawn.index("Duedate")]
        label_y = page.height - label["bottom"]  # PDF coordinates, as the widget's rectangle
    assert float(rect[1]) - 3 < label_y < float(rect[3]) + 3  # the label sits on its blank's line
