"""The fill-in worksheet, built with the real command and read back: fields against the printed
blanks, typed Chinese in poppler and PDFium, pre-filled values in the text layer, errors."""
from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pypdf
import pypdfium2 as pdfium
import pytest
from pypdf.generic import BooleanObject, NameObject, TextStringObject

from conftest import ROOT, run_build
from handbook.book import load_book
from handbook.diagnostics import Sink
from handbook.pipeline import BuildOptions, read_edition
from handbook.worksheet import charsets
from handbook.sheet import Area, Blank, Checklist, Field, Grid, Row
from pdfread import MM, squash

VARIANTS = ["zh-Hans", "zh-Hant", "zh-Hant-HK"]
A4 = (595.28, 841.89)
KIND_FT = {"checkbox": "/Btn"}  # every other kind is a text field


def sheet_of(variant: str):
    options = BuildOptions(outputs=("worksheet",))
    sink = Sink()
    book = load_book(options.content_dir, options.project_root, sink)
    sheet = read_edition(book, book.variant(variant), options, sink).worksheet
    assert not sink.errors, sink.errors
    return sheet


def widgets(path: Path) -> dict[str, dict]:
    """Field name -> page index, rectangle, type, flags, tooltip, value, annotation flags."""
    out = {}
    for number, page in enumerate(pypdf.PdfReader(path).pages):
        for ref in page.get("/Annots", []):
            annot = ref.get_object()
            out[str(annot["/T"])] = {
                "page": number, "rect": tuple(float(v) for v in annot["/Rect"]), "ft": annot["/FT"],
                "ff": int(annot.get("/Ff", 0)), "tu": str(annot.get("/TU", "")), "v": annot.get("/V"),
                "f": int(annot.get("/F", 0))}
    return out


def contexts(sheet) -> dict[str, str]:
    """How each field is printed: 'line' (a blank), 'area' (ruled lines), 'box' (checkbox), 'cell'."""
    out = {}
    for block in sheet.blocks:
        if isinstance(block, Row):
            out.update({b.field.name: "line" for b in block.blanks})
        elif isinstance(block, Area):
            out[block.field.name] = "area"
        elif isinstance(block, Checklist):
            for check in block.checks:
                out[check.field.name] = "box"
                out.update({i.field.name: "line" for i in check.items if isinstance(i, Blank)})
        elif isinstance(block, Grid):
            out.update({c.name: "box" if c.kind == "checkbox" else "cell"
                        for row in block.rows for c in row if isinstance(c, Field)})
    return out


def segments(path: Path) -> list[tuple[list, list, list]]:
    """Per page: horizontal (y, x0, x1), vertical (x, y0, y1) segments and rectangles, in PDF coordinates."""
    pages = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            height = page.height
            horizontal = [(height - e["top"], e["x0"], e["x1"]) for e in page.edges if e["orientation"] == "h"]
            vertical = [(e["x0"], height - e["bottom"], height - e["top"]) for e in page.edges
                        if e["orientation"] == "v"]
            rects = [(r["x0"], height - r["bottom"], r["x1"], height - r["top"]) for r in page.rects]
            pages.append((horizontal, vertical, rects))
    return pages


def near(a: float, b: float, tolerance: float = 1.0) -> bool:
    return abs(a - b) <= tolerance


# -- the empty worksheet ----------------------------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_fields_have_the_names_kinds_and_hints_of_the_source(built, variant):
    sheet = sheet_of(variant)
    found = widgets(built / variant / "worksheet.pdf")
    assert len(sheet.fields) > 150 and list(found) == [f.name for f in sheet.fields]
    for field in sheet.fields:
        widget = found[field.name]
        assert widget["ft"] == KIND_FT.get(field.kind, "/Tx"), field.name
        assert bool(widget["ff"] & 4096) == (field.kind == "multiline"), field.name
        assert widget["tu"].startswith(field.label) and field.label, field.name
    hints = {"zh-Hans": ("2026年11月28日", "¥1,234.50"), "zh-Hant": ("2026年11月28日", "CN¥1,234.50"),
             "zh-Hant-HK": ("2026年11月28日", "CN¥1,234.50")}[variant]
    assert hints[0] in found["due_date"]["tu"] and hints[1] in found["overdue_amount"]["tu"]
    assert found["overdue_amount"]["tu"].startswith({"zh-Hans": "逾期金额", "zh-Hant": "逾期金額",
                                                     "zh-Hant-HK": "逾期金額"}[variant])
    # a blank after another field's unit ('逾期天数 ___ 天　原定还款日 ___') is labelled by its own words only
    assert found["due_date"]["tu"].startswith({"zh-Hans": "原定还款日（", "zh-Hant": "原定還款日（",
                                               "zh-Hant-HK": "原定還款日（"}[variant])
    assert found["log_asked_3"]["tu"].startswith({"zh-Hans": "我问了什么（第3行）",
                                                  "zh-Hant": "我問了什麼（第3行）",
                                                  "zh-Hant-HK": "我問了甚麼（第3行）"}[variant])


def test_both_editions_have_the_same_fields(built):
    hans, *others = ([(n, w["ft"], w["ff"]) for n, w in widgets(built / v / "worksheet.pdf").items()] for v in VARIANTS)
    assert all(other == hans for other in others)


@pytest.mark.parametrize("variant", VARIANTS)
def test_field_rectangles_are_the_printed_blanks(built, variant):
    path = built / variant / "worksheet.pdf"
    pages = segments(path)
    kinds = contexts(sheet_of(variant))
    for name, widget in widgets(path).items():
        x0, y0, x1, y1 = widget["rect"]
        horizontal, vertical, rects = pages[widget["page"]]
        context = kinds[name]
        if context in ("line", "area"):  # the bottom edge is the blank's own line, end to end
            assert any(near(y, y0) and near(a, x0) and near(b, x1) for y, a, b in horizontal), name
        if context == "area":  # and it holds its ruled lines, the top one a pitch under the top
            inside = sorted({round(y, 1) for y, a, b in horizontal if near(a, x0) and near(b, x1) and y0 - 1 < y < y1})
            assert len(inside) == sheet_of(variant).field(name).size, name
        if context == "box":
            assert any(all(near(p, q) for p, q in zip(r, (x0, y0, x1, y1))) for r in rects), name
        if context == "cell":  # all four sides lie on the table's rules
            for y in (y0, y1):
                assert any(near(yy, y) and a <= x0 + 1 and b >= x1 - 1 for yy, a, b in horizontal), name
            for x in (x0, x1):
                assert any(near(xx, x) and a <= y0 + 1 and b >= y1 - 1 for xx, a, b in vertical), name


@pytest.mark.parametrize("variant", VARIANTS)
def test_sizes_for_handwriting_and_a4_pages(built, variant):
    path = built / variant / "worksheet.pdf"
    reader = pypdf.PdfReader(path)
    assert all((float(p.mediabox.width), float(p.mediabox.height)) == pytest.approx(A4, abs=0.05)
               for p in reader.pages)
    pages = segments(path)
    kinds = contexts(sheet_of(variant))
    for name, widget in widgets(path).items():
        x0, y0, x1, y1 = widget["rect"]
        if kinds[name] == "box":
            assert x1 - x0 >= 4 * MM and y1 - y0 >= 4 * MM, name
        if kinds[name] == "cell":
            assert y1 - y0 >= 8 * MM - 0.01, name
        if kinds[name] == "area":
            horizontal = pages[widget["page"]][0]
            rules = sorted({round(y, 2) for y, a, b in horizontal if near(a, x0) and near(b, x1) and y0 - 1 < y < y1})
            assert all(b - a >= 8 * MM - 0.01 for a, b in zip(rules, rules[1:])), name
            assert y1 - rules[-1] >= 8 * MM - 0.01, name


@pytest.mark.parametrize("variant", VARIANTS)
def test_metadata_names_the_worksheet_and_its_language(built, variant):
    reader = pypdf.PdfReader(built / variant / "worksheet.pdf")
    assert reader.metadata.title == sheet_of(variant).title
    assert reader.trailer["/Root"]["/Lang"] == {"zh-Hant-HK": "zh-Hant"}.get(variant, variant)


@pytest.mark.parametrize("variant, footer", [("zh-Hans", "第{}页，共{}页"), ("zh-Hant", "第{}頁，共{}頁"),
                                             ("zh-Hant-HK", "第{}頁，共{}頁")])
def test_footer_numbers_pages_x_of_y(built, variant, footer):
    pdf = pdfium.PdfDocument(str(built / variant / "worksheet.pdf"))
    total = len(pdf)
    assert total >= 3
    for number, page in enumerate(pdf, start=1):
        width, _ = page.get_size()
        foot = squash(page.get_textpage().get_text_bounded(0, 0, width, 16 * MM))
        assert foot.endswith(footer.format(number, total)), foot


@pytest.mark.parametrize("variant, repertoire", [("zh-Hans", charsets.gb2312), ("zh-Hant", charsets.big5),
                                                 ("zh-Hant-HK", charsets.big5)])
def test_form_font_covers_the_national_set(built, variant, repertoire):
    acro = pypdf.PdfReader(built / variant / "worksheet.pdf").trailer["/Root"]["/AcroForm"]
    da = str(acro["/DA"])
    font = acro["/DR"]["/Font"][da.split()[0]]
    assert font["/Subtype"] == "/Type0" and font["/DescendantFonts"][0]["/FontDescriptor"]["/FontFile2"]
    mapped = set()
    for first, last, code in re.findall(r"<([0-9A-F]{4})> <([0-9A-F]{4})> <([0-9A-F]{4})>",
                                        font["/ToUnicode"].get_data().decode()):
        mapped.update(chr(int(code, 16) + i) for i in range(int(last, 16) - int(first, 16) + 1))
    hanzi = {ch for ch in repertoire() if "\u4e00" <= ch <= "\u9fff"}
    assert len(hanzi) > 5000 and hanzi <= mapped
    assert set("0123456789 ¥,.-:") <= mapped


# -- typing into the form, in both viewers' engines -----------------------------------------------
def render_pdfium(path: Path, page: int, dpi: int = 100):
    pdf = pdfium.PdfDocument(str(path))
    pdf.init_forms()
    return pdf[page].render(scale=dpi / 72, may_draw_forms=True).to_pil().convert("L")


def render_poppler(path: Path, page: int, dpi: int = 100):
    from PIL import Image

    out = path.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", "-f", str(page + 1),
                    "-l", str(page + 1), str(path), str(out)], check=True, capture_output=True)
    return Image.open(f"{out}.png").convert("L")


RENDERERS = {"pdfium": render_pdfium, "poppler": render_poppler}


def crop(image, rect, inset: float = 2.0, dpi: int = 100):
    """The pixels inside a PDF rectangle (minus ``inset`` pt, to leave the printed rules out)."""
    scale = dpi / 72
    x0, y0, x1, y1 = rect
    return image.crop((round((x0 + inset) * scale), round((A4[1] - y1 + inset) * scale),
                       round((x1 - inset) * scale), round((A4[1] - y0 - inset) * scale)))


def ink(image) -> int:
    """Dark pixels of a greyscale image."""
    return sum(image.histogram()[:140])


def changed(a, b) -> int:
    """Pixels that differ clearly between two greyscale images of the same size."""
    from PIL import ImageChops

    return sum(ImageChops.difference(a, b).histogram()[61:])


def typed(form: Path, target: Path, values: dict, viewer_draws: bool) -> None:
    """Fill fields as a program or a viewer would: pypdf drawing the appearances, or only /V set and
    the viewer asked to draw them (/NeedAppearances), as when a reader types."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(form))
    if viewer_draws:
        for page in writer.pages:
            for ref in page.get("/Annots", []):
                annot = ref.get_object()
                if annot["/T"] in values:
                    annot[NameObject("/V")] = TextStringObject(values[annot["/T"]])
        writer._root_object["/AcroForm"][NameObject("/NeedAppearances")] = BooleanObject(True)
    else:
        writer.update_page_form_field_values(None, values, auto_regenerate=False)
    writer.write(target)


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("viewer_draws", [False, True], ids=["pypdf-appearance", "viewer-appearance"])
@pytest.mark.parametrize("variant, first, second", [("zh-Hans", "张小梅还款", "李大伟协商"),
                                                    ("zh-Hant", "張小梅還款", "李大偉協商"),
                                                    ("zh-Hant-HK", "張小梅還款", "李大偉協商")])
def test_typed_chinese_shows_in_poppler_and_pdfium(built, tmp_path, renderer, viewer_draws, variant, first, second):
    if renderer == "poppler" and shutil.which("pdftoppm") is None:
        pytest.skip("poppler's pdftoppm is not installed")
    form = built / variant / "worksheet.pdf"
    rects = {n: w["rect"] for n, w in widgets(form).items()}
    shots = []
    for number, value in enumerate((first, second)):
        target = tmp_path / f"typed{number}.pdf"
        typed(form, target, {"holder_name": value}, viewer_draws)
        page = RENDERERS[renderer](target, 0)
        shots.append(crop(page, rects["holder_name"]))
    empty = crop(RENDERERS[renderer](form, 0), rects["holder_name"])
    assert ink(empty) == 0
    assert ink(shots[0]) > 150 and ink(shots[1]) > 150, "the typed text is not drawn"
    assert changed(*shots) > 100, "two different values look the same: the glyphs are missing (.notdef boxes)"


@pytest.mark.parametrize("renderer", RENDERERS)
def test_ticked_checkbox_shows_in_both_renderers(built, tmp_path, renderer):
    if renderer == "poppler" and shutil.which("pdftoppm") is None:
        pytest.skip("poppler's pdftoppm is not installed")
    form = built / "zh-Hans" / "worksheet.pdf"
    box = widgets(form)["reason_health"]["rect"]
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(form))
    writer.update_page_form_field_values(None, {"reason_health": "/Yes"}, auto_regenerate=False)
    writer.write(tmp_path / "ticked.pdf")
    assert ink(crop(RENDERERS[renderer](form, 0), box, inset=1.5)) == 0
    assert ink(crop(RENDERERS[renderer](tmp_path / "ticked.pdf", 0), box, inset=1.5)) > 20


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_field_says_something_of_its_own(built, variant):
    """A screen reader announces a field by its tooltip: no two are the same (user trial: the three blanks
    under 二、沟通目标 were all '二、沟通目标', the two '其他' blanks both '其他')."""
    fields = pypdf.PdfReader(built / variant / "worksheet.pdf").get_fields().values()
    tooltips = [str(field.get("/TU")) for field in fields]
    assert len(tooltips) > 100 and len(set(tooltips)) == len(tooltips)


def test_a_value_written_into_one_field_shows_in_that_field_only(built, tmp_path):
    """pypdf (auto_regenerate=False) writes a field's new appearance into the object its /AP names: each
    text field has its own, or every field would show the value (user trial: '张伟' 162 times)."""
    form = built / "zh-Hans" / "worksheet.pdf"
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(form))
    for page in writer.pages:
        writer.update_page_form_field_values(page, {"holder_name": "张伟"}, auto_regenerate=False)
    writer.write(tmp_path / "typed.pdf")
    drawn = {}
    for page in pypdf.PdfReader(tmp_path / "typed.pdf").pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/FT") == "/Tx":
                drawn[annotation["/T"]] = bool(annotation["/AP"]["/N"].get_object().get_data().strip())
    assert len(drawn) > 100 and [name for name, ink in drawn.items() if ink] == ["holder_name"]


# -- pre-filled from data --------------------------------------------------------------------------
RECORD = {
    "zh-Hans": {"holder_name": "张小梅", "filled_on": "2026-11-28", "overdue_amount": "3456.78",
                "overdue_days": "35", "reason_health": "yes", "reason_summary": "公司裁员后两个月没有固定收入，"
                "同时孩子住院，原本用于还款的钱先用来支付医疗费，所以没能按时还款。这是第二句，用来换行。",
                "log_staff_1": "工号 1024", "plan_amount_2": "800", "plan_paid_2": "true",
                "budget_plan_1": "6500.5"},
    "zh-Hant": {"holder_name": "張小梅", "filled_on": "2026-11-28", "overdue_amount": "3456.78",
                "overdue_days": "35", "reason_health": "yes", "reason_summary": "公司裁員後兩個月沒有固定收入，"
                "同時孩子住院，原本用於還款的錢先用來支付醫療費，所以沒能按時還款。這是第二句，用來換行。",
                "log_staff_1": "工號 1024", "plan_amount_2": "800", "plan_paid_2": "true",
                "budget_plan_1": "6500.5"},
}
RECORD["zh-Hant-HK"] = RECORD["zh-Hant"]
PRINTED = {
    "zh-Hans": {"filled_on": "2026年11月28日", "overdue_amount": "¥3,456.78", "plan_amount_2": "¥800.00",
                "budget_plan_1": "¥6,500.50", "overdue_days": "35", "plan_paid_2": "✓", "reason_health": "✓"},
    "zh-Hant": {"filled_on": "2026年11月28日", "overdue_amount": "CN¥3,456.78", "plan_amount_2": "CN¥800.00",
                "budget_plan_1": "CN¥6,500.50", "overdue_days": "35", "plan_paid_2": "✓", "reason_health": "✓"},
}
PRINTED["zh-Hant-HK"] = PRINTED["zh-Hant"]


def write_csv(path: Path, rows: list[dict]) -> Path:
    names = list(dict.fromkeys(name for row in rows for name in row))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="session")
def prefilled(tmp_path_factory) -> dict[str, Path]:
    """worksheet-filled.pdf of each edition, from a one-record YAML file, made by the real command."""
    folder = tmp_path_factory.mktemp("prefilled")
    out = {}
    for variant in VARIANTS:
        data = folder / f"{variant}.yaml"
        data.write_text("".join(f"{k}: {v!r}\n" if k == "filled_on" else f"{k}: {v}\n"
                                for k, v in RECORD[variant].items()), encoding="utf-8")
        result = run_build("--fill", str(data), "--variant", variant, "--output", str(folder / "out"), "--strict")
        assert result.returncode == 0, result.stderr
        out[variant] = folder / "out" / variant / "worksheet-filled.pdf"
    return out


def text_in(path: Path, page: int, rect, margin: float = 1.0) -> str:
    pdf = pdfium.PdfDocument(str(path))
    x0, y0, x1, y1 = rect
    return squash(pdf[page].get_textpage().get_text_bounded(x0 - margin, y0 - margin, x1 + margin, y1 + margin))


@pytest.mark.parametrize("variant", VARIANTS)
def test_prefilled_values_are_text_at_their_fields(prefilled, variant):
    path = prefilled[variant]
    fields = widgets(path)
    for name, printed in {**PRINTED[variant], "holder_name": RECORD[variant]["holder_name"],
                          "log_staff_1": squash(RECORD[variant]["log_staff_1"])}.items():
        widget = fields[name]
        assert printed in text_in(path, widget["page"], widget["rect"]), name
    summary = fields["reason_summary"]
    assert squash(RECORD[variant]["reason_summary"]) == text_in(path, summary["page"], summary["rect"])
    for name, widget in fields.items():  # a filled field keeps its value, read-only (its ink is on the page)
        filled = name in RECORD[variant]
        assert widget["f"] == 4 and (widget["ff"] & 1 == 1) == filled, name  # printable: PDF/A forbids hidden
        assert (widget["v"] is not None and widget["v"] != "/Off") == filled, name
    assert fields["filled_on"]["v"] == "2026年11月28日" and fields["plan_paid_2"]["v"] == "/Yes"


def test_a_long_value_wraps_onto_the_ruled_lines(prefilled):
    path = prefilled["zh-Hans"]
    widget = widgets(path)["reason_summary"]
    pdf = pdfium.PdfDocument(str(path))
    textpage = pdf[widget["page"]].get_textpage()
    x0, y0, x1, y1 = widget["rect"]
    baselines = set()
    for index in range(textpage.count_chars()):
        left, bottom, right, top = textpage.get_charbox(index, loose=True)
        if x0 <= left and right <= x1 and y0 - 1 <= bottom and top <= y1 + 1:
            baselines.add(bottom)
    lines = [b for a, b in zip([-99.0] + sorted(baselines), sorted(baselines)) if b - a > 8 * MM / 2]
    assert len(lines) == 2 and lines[1] - lines[0] == pytest.approx(8.5 * MM, abs=1)  # two of its three lines


@pytest.mark.parametrize("renderer", RENDERERS)
def test_a_prefilled_copy_is_small_and_its_blanks_take_frequent_chinese(prefilled, tmp_path, renderer):
    """Issue 19: a filled copy weighs at most 300 KB (its font holds the frequent hanzi, not the national
    set), yet a reader can still type everyday Chinese into a blank the data left empty: characters that
    neither the record nor the worksheet's own text has, so only the frequent set can draw them."""
    if renderer == "poppler" and shutil.which("pdftoppm") is None:
        pytest.skip("poppler's pdftoppm is not installed")
    path = prefilled["zh-Hant"]  # Traditional glyphs are the heavier ones
    assert path.stat().st_size <= 300 * 1024
    own = set((ROOT / "content" / "zh-Hant" / "worksheet.md").read_text(encoding="utf-8")) | set("".join(RECORD["zh-Hant"].values()))
    fresh = [ch for ch in charsets.FREQUENT["Hant"][-120:] if ch not in own]
    first, second = "".join(fresh[:5]), "".join(fresh[5:10])
    rect = widgets(path)["question_1"]["rect"]
    shots = []
    for number, value in enumerate((first, second)):
        target = tmp_path / f"typed{number}.pdf"
        typed(path, target, {"question_1": value}, viewer_draws=False)
        shots.append(crop(RENDERERS[renderer](target, 0), rect))
    assert ink(shots[0]) > 150 and ink(shots[1]) > 150, "the typed text is not drawn"
    assert changed(*shots) > 100, "two different values look the same: the glyphs are missing (.notdef boxes)"


def test_faces_of_one_collection_draw_a_shared_glyph_once(tmp_path, monkeypatch):
    """zh-Hant's form font (the TC face) and zh-Hant-HK's (the HK face, same collection, same outlines):
    the HK font draws only the glyphs whose ids differ, and is the same bytes as when drawn alone."""
    from handbook.typeset import faces, fonts, outlines

    tc, hk = (faces.locate_face(f"Noto Sans CJK {region}", cache_dir=tmp_path, system=False)[0]
              for region in ("TC", "HK"))
    text = "青年還款協商"  # some are drawn differently in Hong Kong (青), the rest share their glyphs
    drawn, real = [], outlines.draw_face
    monkeypatch.setattr(outlines, "draw_face", lambda loc, gids, ws: drawn.append((loc.index, gids)) or real(loc, gids, ws))
    fonts.prepare_face(tc, 400, text, tmp_path / "shared")
    hong_kong = fonts.prepare_face(hk, 400, text, tmp_path / "shared")
    own = sorted({fonts._cmap(hk, tmp_path)[ord(ch)] for ch in text} - {fonts._cmap(tc, tmp_path)[ord(ch)] for ch in text})
    assert 0 < len(own) < len(text) and drawn[1] == (hk.index, own)
    assert hong_kong == fonts.prepare_face(hk, 400, text, tmp_path / "alone")


def test_a_glyph_claimed_by_a_process_that_died_is_drawn_not_waited_for(tmp_path):
    """Editions made at the same time claim the shared glyphs they draw; a claim whose process is gone (a
    build that was killed) must not keep the next build waiting."""
    import sys

    gone = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True).stdout)
    script = f"""if True:
        import marshal, sys
        from pathlib import Path
        from handbook.typeset import faces, fonts
        cache = Path(sys.argv[1])
        tc = faces.locate_face("Noto Sans CJK TC", cache_dir=cache, system=False)[0]
        store = fonts._store_path(cache, tc, 400)
        store.with_suffix(".claims").write_bytes(marshal.dumps({{{gone}: list(range(70000))}}))
        sys.stdout.write(str(len(fonts.prepare_face(tc, 400, "還款", cache))))"""
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 1000  # a font with its glyphs


def test_csv_makes_one_pdf_per_row_or_one_merged_pdf(tmp_path):
    rows = [{"holder_name": name, "overdue_amount": amount, "plan_paid_1": tick}
            for name, amount, tick in (("王芳", "100", "x"), ("李强", "2500.5", ""), ("赵敏", "0.5", "no"))]
    data = write_csv(tmp_path / "clients.csv", rows)
    out = tmp_path / "out"
    result = run_build("--fill", str(data), "--variant", "zh-Hans", "--output", str(out))
    assert result.returncode == 0, result.stderr
    files = sorted((out / "zh-Hans" / "worksheet-filled").glob("*.pdf"))
    assert [f.name for f in files] == ["0001.pdf", "0002.pdf", "0003.pdf"]
    for path, row, money in zip(files, rows, ("¥100.00", "¥2,500.50", "¥0.50")):
        fields = widgets(path)
        assert row["holder_name"] in text_in(path, 0, fields["holder_name"]["rect"])
        assert money in text_in(path, 0, fields["overdue_amount"]["rect"])
        assert ("✓" in text_in(path, fields["plan_paid_1"]["page"], fields["plan_paid_1"]["rect"])) == (row is rows[0])
    result = run_build("--fill", str(data), "--fill-merge", "--variant", "zh-Hans", "--output", str(out))
    assert result.returncode == 0, result.stderr
    merged = pdfium.PdfDocument(str(out / "zh-Hans" / "worksheet-filled.pdf"))
    pages_per_copy = len(pdfium.PdfDocument(str(files[0])))
    assert len(merged) == 3 * pages_per_copy
    firsts = [squash(merged[i * pages_per_copy].get_textpage().get_text_range()) for i in range(3)]
    assert [row["holder_name"] in text for row, text in zip(rows, firsts)] == [True] * 3
    assert "王芳" not in firsts[1] and "/AcroForm" not in pypdf.PdfReader(out / "zh-Hans" / "worksheet-filled.pdf").trailer["/Root"]


def test_bad_data_is_reported_by_row_and_field_without_the_data(tmp_path):
    secret_name, secret_date = "欧阳𓀀娜", "2026-13-45"
    rows = [{"holder_name": "张三", "filled_on": secret_date, "overdue_days": "十二"},
            {"holder_name": secret_name, "nmae": "x", "reason_health": "maybe"},
            {"holder_name": "李四", "log_staff_1": "一个很长很长的工号和称呼，远远超过了表格这一格能写下的宽度"}]
    data = write_csv(tmp_path / "clients.csv", rows)
    result = run_build("--fill", str(data), "--variant", "zh-Hans", "--output", str(tmp_path / "out"))
    assert result.returncode == 1
    err = result.stderr
    assert re.search(r"clients\.csv:2: error: record 1, field 'filled_on': not a date", err), err
    assert re.search(r"clients\.csv:2: error: record 1, field 'overdue_days': not a number", err), err
    assert re.search(r"clients\.csv:3: error: record 2: unknown field 'nmae'", err), err
    assert re.search(r"clients\.csv:3: error: record 2, field 'reason_health': not a checkbox value", err), err
    for secret in (secret_date, "十二", "maybe", "欧阳", "𓀀", "很长"):
        assert secret not in err + result.stdout
    assert not (tmp_path / "out").exists()
    # with the types right, the font and the size of the blanks are checked
    rows[0].update(filled_on="2026-11-28", overdue_days="12")
    rows[1] = {"holder_name": secret_name}
    result = run_build("--fill", str(write_csv(data, rows)), "--variant", "zh-Hans", "--output", str(tmp_path / "out"))
    assert result.returncode == 1
    assert re.search(r"clients\.csv:3: error: record 2, field 'holder_name': character 3 of the value is not in "
                     r"the font 'Noto Sans CJK SC'", result.stderr), result.stderr
    assert re.search(r"clients\.csv:4: error: record 3, field 'log_staff_1': the value is too long for its blank",
                     result.stderr), result.stderr
    assert "𓀀" not in result.stderr and "很长" not in result.stderr


def test_a_json_record_makes_one_filled_worksheet(tmp_path):
    data = tmp_path / "one.json"
    data.write_text(json.dumps({"holder_name": "王芳", "due_date": "2026-12-01", "reason_job": True,
                                "overdue_amount": 12.3}, ensure_ascii=False), encoding="utf-8")
    result = run_build("--fill", str(data), "--variant", "zh-Hant", "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    path = tmp_path / "out" / "zh-Hant" / "worksheet-filled.pdf"
    fields = widgets(path)
    assert "2026年12月1日" in text_in(path, 0, fields["due_date"]["rect"])
    assert "CN¥12.30" in text_in(path, 0, fields["overdue_amount"]["rect"])
    assert "✓" in text_in(path, 0, fields["reason_job"]["rect"])


def test_yaml_record_errors_point_at_the_key(tmp_path):
    data = tmp_path / "one.yaml"
    data.write_text("holder_name: 张三\noverdue_amount: 12,34.50\nreason_health: true\n", encoding="utf-8")
    result = run_build("--fill", str(data), "--variant", "zh-Hans", "--output", str(tmp_path / "out"))
    assert result.returncode == 1
    assert re.search(r"one\.yaml:2: error: record 1, field 'overdue_amount': not an amount", result.stderr)
    assert "12,34" not in result.stderr


# -- authoring errors -------------------------------------------------------------------------------
def test_syntax_errors_and_duplicates_are_located(project):
    path = project / "content" / "zh-Hans" / "worksheet.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if "{#holder_name}" in line)
    lines[number] += "　再写一个 ______{#overdue_days number}"
    lines.insert(number + 1, "\n备注 ____{#remark colour=red}\n\n多余的 {#stray} 括号\n")
    path.write_text("\n".join(lines), encoding="utf-8")
    result = run_build("check", "--content", str(project / "content"), "--variant", "zh-Hans")
    assert result.returncode == 1
    err = result.stderr
    assert re.search(r"worksheet\.md:\d+:\d+: error: duplicate field name 'overdue_days'", err), err
    assert re.search(rf"worksheet\.md:{number + 3}:\d+: error: unknown attribute 'colour=red'", err), err
    assert re.search(rf"worksheet\.md:{number + 5}:\d+: error: attributes '{{#stray}}' do not follow a blank", err), err


def test_a_character_the_font_lacks_is_located_in_the_worksheet(project):
    path = project / "content" / "zh-Hans" / "worksheet.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith("### "))
    lines[number] += " 𓀀"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = run_build("check", "--content", str(project / "content"), "--variant", "zh-Hans")
    assert result.returncode == 1
    assert re.search(rf"zh-Hans/worksheet\.md:{number + 1}:\d+: error: character '𓀀' \(U\+13000 .*\) is not in "
                     r"the font 'Noto Sans CJK SC'", result.stderr), result.stderr


def test_editions_with_different_fields_are_reported(project):
    path = project / "content" / "zh-Hant" / "worksheet.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("{#overdue_days number}", "{#days_overdue number}").replace("{#goal lines=2}", "{#goal lines=4}")
    path.write_text(text, encoding="utf-8")
    result = run_build("check", "--content", str(project / "content"))
    assert result.returncode == 1
    err = result.stderr
    assert re.search(r"zh-Hant/worksheet\.md:\d+:\d+: error: field 'days_overdue' is not in .*zh-Hans/worksheet\.md", err)
    assert re.search(r"zh-Hant/worksheet\.md: error: field 'overdue_days' \(.*zh-Hans/worksheet\.md:\d+:\d+\) is "
                     r"missing from this worksheet", err), err
    assert re.search(r"zh-Hant/worksheet\.md:\d+:\d+: error: field 'goal' is multiline \(4 lines\) here but "
                     r"multiline \(2 lines\)", err), err


def test_a_long_table_repeats_its_header_on_the_next_page(project, tmp_path):
    rows = "\n".join("| | | |" for _ in range(40))
    (project / "content" / "zh-Hans" / "worksheet.md").write_text(
        "# 还款记录表 {currency=CNY}\n\n## 一、还款记录 {#paid}\n\n"
        "| 还款日期 {#day date} | 还款金额 {#sum money} | 备注 {#note} |\n| --- | --: | --- |\n" + rows + "\n",
        encoding="utf-8")
    out = tmp_path / "out"
    result = run_build("--content", str(project / "content"), "--variant", "zh-Hans", "--only", "worksheet",
                       "--output", str(out))
    assert result.returncode == 0, result.stderr
    path = out / "zh-Hans" / "worksheet.pdf"
    pdf = pdfium.PdfDocument(str(path))
    assert len(pdf) == 2
    fields = widgets(path)
    for number, page in enumerate(pdf):
        textpage = page.get_textpage()
        header = [textpage.get_charbox(i) for i in range(textpage.count_chars()) if textpage.get_text_range(i, 1) == "备"]
        assert header, f"no header on page {number + 1}"
        rows_here = [w["rect"] for w in fields.values() if w["page"] == number and w["rect"][0] < 100]
        assert rows_here and header[0][1] > max(r[3] for r in rows_here) - 1  # the header is above the rows
    assert sum(1 for w in fields.values() if w["page"] == 1) >= 6  # at least two rows continue
