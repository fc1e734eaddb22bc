"""Links in chapters become link annotations a PDF viewer can follow: web, mail and phone addresses as
written, and an e-mail autolink prints its address (Python-Markdown hands both over entity-encoded).
Targets a PDF cannot open, or must not, are diagnostics in tests/test_bad_input.py."""
from __future__ import annotations

import pypdf

from conftest import build_chapter


def test_autolinks_and_links_keep_their_addresses(tmp_path):
    result, pdf = build_chapter(
        tmp_path, "# 小结\n\n写信给 <help@example.com>，看 <https://example.com/a?b=1&c=2>，或拨打[热线](tel:+86-95188)。\n")
    assert result.returncode == 0, result.stderr
    uris = set()
    for page in pypdf.PdfReader(pdf).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if "/URI" in action:
                uris.add(str(action["/URI"]))
    assert {"mailto:help@example.com", "https://example.com/a?b=1&c=2", "tel:+86-95188"} <= uris
    text = "".join(page.extract_text() or "" for page in pypdf.PdfReader(pdf).pages)
    assert "help@example.com" in text and "&#" not in text  # the address as its letters, not their codes
