"""An English book (examples/english): an apostrophe typed straight prints as one (it's -> it’s), while
code keeps what was typed. Built with the real command and read back from the PDF."""
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
