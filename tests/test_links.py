"""Links in chapters become link annotations a PDF viewer can follow: web, mail and phone addresses as
written, and an e-mail autolink prints its address (Python-Markdown hands both over entity-encoded). Targets a PDF cannot
open, or must not, are diagnostics in tests/test_bad_input.py."""
from __future__ import annotations

import shutil

import pypdf

from conftest import ROOT, run_build


def test_autolinks_and_links_keep_their_addresses(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    (tmp_path / "content" / "zh-Hans" / "10-summary.md").write_text(
        "# 小结\n\n写信给 <help@example.com>，看 <https://example.com/a?b=1&c=2>，或拨打[热线](tel:+86-95188)。\n",
        encoding="utf-8")
    result = run_build("--content", str(tmp_path / "content"), "--output", str(tmp_path / "out"),
                       "--variant", "zh-Hans", "--only", "handbook")
    assert result.returncode == 0, result.stderr
    uris = set()
    for page in pypdf.PdfReader(tmp_path / "out" / "zh-Hans" / "handbook.pdf").pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if "/URI" in action:
                uris.add(str(action["/URI"]))
    assert {"mailto:help@example.com", "https://example.com/a?b=1&c=2", "tel:+86-95188"} <= uris
    text = "".join(page.extract_text() or "" for page in pypdf.PdfReader(tmp_path / "out" / "zh-Hans" / "handbook.pdf").pages)
    assert "help@example.com" in text and "&#" not in text  # the address as its letters, not their codes
