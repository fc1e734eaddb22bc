"""The worksheet's page comes from the theme's [worksheet]: a theme that changes its margin, pitch and boxes
changes the printed page (read back from the PDF), keys it leaves out keep the default's; a value under a
handwriting minimum, or a page with no room for text, is an error at the theme's file and no PDF is written;
the fit check measures in the theme's geometry."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pypdf
import pytest

from conftest import ROOT
from handbook.diagnostics import Sink
from handbook.theme import load_theme
from handbook.typeset.worksheet import SheetGeometry
from pdfread import MM
from test_worksheet import A4, near, segments, widgets

# templates/themes/NAME.toml of the generator's copy; the default's [worksheet] has margin 18, pitch 8.5, box 4.2 mm
THEMES = {
    "roomy": "[worksheet]\nmargin_mm = 25\npitch_mm = 10\nbox_mm = 5\n",
    "cramped": "# under the handwriting minimums\n[worksheet]\npitch_mm = 6\nbox_mm = 3\n",
    "narrow": "[worksheet]\nmargin_mm = 60\n",
    "big-footer": "[worksheet]\nsmall_size = 30\n",
}


@pytest.fixture(scope="module")
def generator(tmp_path_factory) -> Path:
    """A copy of the generator with the themes above (themes belong to the generator's templates/); fonts
    come from the shared cache."""
    root = tmp_path_factory.mktemp("generator")
    for name in ("build.py", "handbook", "templates", "content"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(ROOT / name, root / name)
    (root / ".cache").symlink_to(ROOT / ".cache", target_is_directory=True)
    for name, text in THEMES.items():
        (root / "templates" / "themes" / f"{name}.toml").write_text(text, encoding="utf-8")
    return root


def build_sheet(generator: Path, theme: str, out: Path) -> subprocess.CompletedProcess:
    """The zh-Hans worksheet in ``theme``, built by the copy's build.py."""
    env = {**os.environ, "HANDBOOK_NO_VENV": "1"}
    return subprocess.run([sys.executable, str(generator / "build.py"), "--theme", theme, "--variant", "zh-Hans",
                           "--only", "worksheet", "--output", str(out)], cwd=generator, env=env, capture_output=True,
                          text=True, timeout=300)


def test_the_theme_sets_the_printed_margin_pitch_and_boxes(generator, tmp_path):
    result = build_sheet(generator, "roomy", tmp_path)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "zh-Hans" / "worksheet.pdf"
    assert all((float(p.mediabox.width), float(p.mediabox.height)) == pytest.approx(A4, abs=0.05)
               for p in pypdf.PdfReader(path).pages)  # the page size is the default theme's
    found = widgets(path)
    assert min(w["rect"][0] for w in found.values()) == pytest.approx(25 * MM, abs=0.01)
    assert max(w["rect"][2] for w in found.values()) == pytest.approx(A4[0] - 25 * MM, abs=0.01)
    # a writing area of three lines spans the measure, its ruled lines a pitch apart
    x0, y0, x1, y1 = found["reason_summary"]["rect"]
    assert (x0, x1, y1 - y0) == pytest.approx((25 * MM, A4[0] - 25 * MM, 30 * MM), abs=0.01)
    horizontal = segments(path)[found["reason_summary"]["page"]][0]
    rules = sorted({round(y, 2) for y, a, b in horizontal if near(a, x0) and near(b, x1) and y0 - 1 < y < y1})
    assert [b - a for a, b in zip(rules, rules[1:])] == pytest.approx([10 * MM] * 2, abs=0.02)
    box = found["reason_health"]["rect"]
    assert (box[2] - box[0], box[3] - box[1]) == pytest.approx((5 * MM, 5 * MM), abs=0.01)
    blank = found["holder_name"]["rect"]
    assert blank[3] - blank[1] == pytest.approx(6.5 * MM, abs=0.01)  # write_mm: left out, the default's


def test_a_value_under_a_handwriting_minimum_is_an_error_at_its_line(generator, tmp_path):
    result = build_sheet(generator, "cramped", tmp_path)
    assert result.returncode == 1
    assert "templates/themes/cramped.toml:3: error: [worksheet] pitch_mm must be from 8 to 30\n" in result.stderr
    assert "templates/themes/cramped.toml:4: error: [worksheet] box_mm must be from 4 to 20\n" in result.stderr
    assert not list(tmp_path.rglob("*.pdf"))


def test_a_page_without_room_for_text_is_an_error_at_the_theme(generator, tmp_path):
    result = build_sheet(generator, "narrow", tmp_path)
    assert result.returncode == 1
    assert ("templates/themes/narrow.toml: error: the worksheet's text frame is 90 × 259 mm on its 210 × 297 mm "
            "page: it needs at least 100 × 100 mm (smaller [worksheet] margin_mm, top_mm, bottom_mm)\n"
            in result.stderr)
    assert not list(tmp_path.rglob("*.pdf"))


def test_the_fit_check_measures_in_the_theme(generator, tmp_path):
    """The title that fits the default footer is too long for a footer set in 30 pt."""
    result = build_sheet(generator, "big-footer", tmp_path)
    assert result.returncode == 1
    assert ("content/zh-Hans/worksheet.md:1: error: the worksheet's title is too long for the page footer\n"
            "    hint: shorten the title (# ...)") in result.stderr
    assert not list(tmp_path.rglob("*.pdf"))


def test_the_geometry_refuses_impossible_values():
    """Themes made in code (not read from a file, so not checked at a line) get the same limits."""
    sink = Sink()
    theme = load_theme("default", ROOT / "templates", ROOT, sink)
    assert not sink.errors
    default = SheetGeometry.from_theme(theme)
    assert (default.width, default.height, default.pitch) == pytest.approx((*A4, 8.5 * MM), abs=0.01)
    for change, message in (
            ({"pitch_mm": 6}, "[worksheet] pitch_mm must be from 8 to 30"),
            ({"box_mm": 3}, "[worksheet] box_mm must be from 4 to 20"),
            ({"width_mm": 120}, "the worksheet's text frame is 84 × 259 mm on its 120 × 297 mm page"),
            ({"footer_mm": 20}, "[worksheet] footer_mm is too high for bottom_mm"),
            ({"write_mm": 9}, "[worksheet] write_mm and box_mm must be at most pitch_mm")):
        with pytest.raises(ValueError, match=r"^" + message.replace("[", r"\[").replace("]", r"\]")):
            SheetGeometry.from_theme(replace(theme, worksheet={**theme.worksheet, **change}))
