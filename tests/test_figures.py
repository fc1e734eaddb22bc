"""Figures, QR codes and cross-references, through the real command: examples/features is built in both
scripts and read back (image XObjects and their sizes, text and its fonts, link annotations and their
targets, QR codes decoded from pages rendered at 300 dpi); bad images are refused at their line."""
from __future__ import annotations

import io
import re
import shutil
import struct
import time
import zlib
from pathlib import Path

import pdfplumber
import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from conftest import ROOT, run_build
from pdfread import fonts as pdf_fonts, outline, page_texts, squash

EXAMPLE = ROOT / "examples" / "features"
URL = "https://www.w3.org/TR/clreq/"
WORDS = {  # per edition: a step drawn in the SVG, the figure label, and the cross-reference's words
    "zh-Hans": ("准备资料", "图1-1", "（第{}页）", "截图"),
    "zh-Hant": ("準備資料", "圖1-1", "（第{}頁）", "截圖"),
}


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("features")
    result = run_build("--content", str(EXAMPLE), "--output", str(out), "--strict")
    assert result.returncode == 0, result.stderr + result.stdout
    return out


def images(path: Path) -> dict[int, tuple[dict, list[int]]]:
    """Image XObjects by object number: (the stream's dictionary, the 1-based pages that draw it)."""
    found: dict[int, tuple[dict, list[int]]] = {}
    for number, page in enumerate(pypdf.PdfReader(str(path)).pages, start=1):
        for ref in (page["/Resources"].get("/XObject") or {}).values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Image":
                found.setdefault(ref.idnum, (xobject, []))[1].append(number)
    return found


def render(path: Path, page: int, dpi: int = 300) -> Image.Image:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return pdf[page - 1].render(scale=dpi / 72).to_pil().convert("L")
    finally:
        pdf.close()


@pytest.mark.parametrize("variant", WORDS)
def test_a_png_used_twice_is_embedded_once_at_its_own_pixels(example, variant):
    found = images(example / variant / "handbook.pdf")
    assert len(found) == 1, found
    ((xobject, pages),) = found.values()
    assert (xobject["/Width"], xobject["/Height"]) == (708, 420)
    assert len(pages) == 2  # the screenshot at 60 % in chapter 1 and at 40 % in chapter 2


@pytest.mark.parametrize("variant", WORDS)
def test_svg_is_drawn_as_vectors_in_the_book_font(example, variant):
    step = WORDS[variant][0]
    path = example / variant / "handbook.pdf"
    number = next(n for n, text in enumerate(page_texts(path), start=1) if step in text)
    assert all(number not in pages for _, pages in images(path).values())  # no raster on the SVG's page
    with pdfplumber.open(path) as pdf:
        chars = pdf.pages[number - 1].chars
    drawn = "".join(c["text"] for c in chars)
    start = drawn.index(step)
    fonts = {c["fontname"] for c in chars[start:start + len(step)]}
    body_fonts = {c["fontname"] for c in chars if c["size"] > 9}
    assert len(fonts) == 1 and fonts <= body_fonts  # the book's own embedded CJK face (bold), not Helvetica
    assert not any("Helvetica" in c["fontname"] for c in chars)
    assert all(pdf_fonts(path).values())  # every font embedded: svglib's renderer starts with none of its own


@pytest.mark.parametrize("output", ["handbook.pdf", "worksheet.pdf"])
@pytest.mark.parametrize("variant", WORDS)
def test_qr_code_decodes_to_its_address_printed_beside_it(example, variant, output):
    path = example / variant / output
    texts = page_texts(path)
    number = next(n for n, text in enumerate(texts, start=1) if URL in squash(text))
    decoded = [barcode.text for barcode in zxingcpp.read_barcodes(render(path, number, 300))]
    assert decoded == [URL]


@pytest.mark.parametrize("variant", WORDS)
def test_figure_caption_is_numbered_in_the_editions_words_under_the_figure(example, variant):
    label = WORDS[variant][1]
    path = example / variant / "handbook.pdf"
    ((_, pages),) = images(path).values()
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[pages[0] - 1]
        picture = page.images[0]
        text = squash(page.extract_text())
        caption = next(w for w in page.extract_words() if w["text"].startswith(label[0]))
    assert label in text
    assert caption["top"] > picture["bottom"]  # under the picture
    width = picture["x1"] - picture["x0"]
    assert width == pytest.approx(0.6 * 29 * 10.5, abs=0.5)  # {width=60%} of the measure


def _page_of(texts: list[str], needle: str) -> int:
    return next(n for n, text in enumerate(texts, start=1) if needle in squash(text))


@pytest.mark.parametrize("variant", WORDS)
def test_cross_reference_prints_and_links_to_its_targets_page(example, variant):
    path = example / variant / "handbook.pdf"
    pages = {title: page for _, title, page in outline(path)}
    words = WORDS[variant][2]
    texts = [squash(t) for t in page_texts(path)]
    reader = pypdf.PdfReader(str(path))
    page_numbers = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages, start=1)}
    checked = 0
    for title in (WORDS[variant][3], "二維碼" if variant == "zh-Hant" else "二维码"):
        target = pages[title]
        printed = words.format(target)
        where = _page_of(texts, title + printed)
        links = [a.get_object() for a in reader.pages[where - 1].get("/Annots") or []]
        dests = [page_numbers[a["/Dest"][0].idnum] for a in links if "/Dest" in a]
        assert target in dests
        checked += 1
    assert checked == 2


def test_unknown_image_kinds_and_bad_files_are_located_errors_and_the_pdfs_stay(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(EXAMPLE, book)
    figures = book / "figures"
    png = (figures / "screen.png").read_bytes()
    (figures / "truncated.png").write_bytes(png[:len(png) // 2])
    (figures / "text.png").write_bytes(b"not an image\n")
    (figures / "bomb.png").write_bytes(_png_header(100_000, 100_000))
    (figures / "evil.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/'
                                      'xlink" width="9" height="9"><image xlink:href="file:///etc/passwd"/></svg>')
    (figures / "fetch.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><rect '
                                       'style="fill:url(https://example.com/p.svg#a)"/></svg>')
    (figures / "xxe.svg").write_text('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">'
                                     ']><svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>')
    (figures / "odd.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><path d="M 1 1 L Q Z '
                                     'z 9"/><text x="a" y="b" font-size="-3">x</text></svg>')  # svglib raised here
    cases = [  # (Markdown, message)
        ("![缺失](../figures/missing.png)", "image file '../figures/missing.png' not found"),
        ("![外面](../../../../../../../etc/passwd)", "is outside the book's folder: nothing outside it is read"),
        ("![文本](../figures/text.png)", "'../figures/text.png' is not a PNG, JPEG or SVG image"),
        ("![截断](../figures/truncated.png)", "image '../figures/truncated.png' is damaged or truncated"),
        ("![炸弹](../figures/bomb.png)", "refused without decoding it"),
        ("![引用](../figures/evil.svg)", "refers to 'file:///etc/passwd': nothing outside the figure is read"),
        ("![样式](../figures/fetch.svg)", "refers to 'https://example.com/p.svg#a'"),
        ("![实体](../figures/xxe.svg)", "declares a DOCTYPE or entities"),
        ("![](../figures/screen.png)", "the image has no alt text"),
        ("![网址](https://example.com/a.png)", "is a web address: images are read from the book's folder"),
        ("文字![行内](../figures/screen.png)文字", "an image must be a paragraph of its own"),
        ("![尺寸](../figures/screen.png){height=3cm}", "unknown figure attribute 'height=3cm'"),
        ("![尺寸](../figures/screen.png){width=150%}", "figure width '150%' is not a share of the line's width: "
                                                       "it is a percentage, more than 0% and at most 100%"),
        ("![尺寸](../figures/screen.png){width=3cm}", "figure width '3cm' is not a share of the line's width"),
        ("见[不存在](#nowhere)。", "no heading has the id 'nowhere'"),
    ]
    chapter = book / "zh-Hans" / "03-bad.md"
    chapter.write_text("# 三、坏图片\n\n" + "\n\n".join(markdown for markdown, _ in cases) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    old = out / "zh-Hans" / "handbook.pdf"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"%PDF previous")
    began = time.perf_counter()
    result = run_build("--content", str(book), "--output", str(out), "--variant", "zh-Hans", "--only", "handbook")
    seconds = time.perf_counter() - began
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    for number, (markdown, message) in enumerate(cases):
        line = 3 + 2 * number
        col = markdown.index("![") + 1 if "![" in markdown else markdown.index("[") + 1
        where = f"03-bad.md:{line}:{col}: error: "
        assert any(where in e and message in e for e in errors), (where, message, errors)
    assert len(errors) == len(cases)
    assert old.read_bytes() == b"%PDF previous"
    assert seconds < 10  # the bomb is refused from its header (the whole run, Python's start included)
    # An SVG svglib cannot draw is found when the pages are measured, a stage later: alone, it is an error too.
    chapter.write_text("# 三、坏图片\n\n![怪](../figures/odd.svg)\n", encoding="utf-8")
    result = run_build("--content", str(book), "--output", str(out), "--variant", "zh-Hans", "--only", "handbook")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "03-bad.md:3:1: error: SVG '../figures/odd.svg' cannot be drawn" in result.stderr
    assert old.read_bytes() == b"%PDF previous"


def _png_header(width: int, height: int) -> bytes:
    """A small PNG that claims ``width`` × ``height`` pixels: a decompression bomb's header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 4096)) + chunk(b"IEND", b""))


def test_print_quality_dpi_orientation_cmyk_16_bit_and_transparency(tmp_path):
    book = tmp_path / "book"
    (book / "zh-Hans").mkdir(parents=True)
    (book / "figures").mkdir()
    (book / "book.toml").write_text('[book]\nsource = "zh-Hans"\nedition = 2026-11-28\noutputs = ["handbook"]\n\n'
                                    '[variants.zh-Hans]\nlocale = "zh_Hans_CN"\nfonts = "SC"\npunctuation = '
                                    '"mainland"\ntitle = "图片质量"\n', encoding="utf-8")
    pictures = book / "figures"
    Image.new("RGB", (120, 80), "#cc3300").save(pictures / "small.png")  # 120 px over 60 % of 107 mm: ~47 dpi
    Image.new("RGB", (4000, 2000), "#3366cc").save(pictures / "huge.png")  # over 50 %: ~945 dpi -> 300 dpi
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: shown turned 90° clockwise
    Image.new("RGB", (300, 200), "#22aa22").save(pictures / "turned.jpg", exif=exif.tobytes())
    Image.new("CMYK", (200, 100), (0, 100, 200, 0)).save(pictures / "cmyk.jpg")
    Image.new("I;16", (200, 100), 40000).save(pictures / "deep.png")
    clear = Image.new("RGBA", (200, 100), (255, 0, 0, 0))
    clear.paste((0, 0, 255, 255), (50, 25, 150, 75))
    clear.save(pictures / "clear.png")
    figures = [("small.png", 60), ("huge.png", 50), ("turned.jpg", 30), ("cmyk.jpg", 20), ("deep.png", 20),
               ("clear.png", 20)]
    text = "# 一、图片\n\n" + "\n\n".join(f"![图 {name}](../figures/{name} \"{name}\"){{width={share}%}}"
                                         for name, share in figures)
    (book / "zh-Hans" / "01-pictures.md").write_text(text + "\n", encoding="utf-8")
    result = run_build("--content", str(book), "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "01-pictures.md:3:1: warning: image '../figures/small.png' prints at 47 dpi" in result.stderr
    assert result.stderr.count("warning: image") == 1  # only the small one
    found = [x for x, _ in images(tmp_path / "out" / "zh-Hans" / "handbook.pdf").values()]
    sizes = sorted((x["/Width"], x["/Height"]) for x in found)
    placed = 0.5 * 29 * 10.5 / 72  # inches: the huge image's printed width
    assert sizes == sorted([(120, 80), (round(placed * 300), round(placed * 300) // 2), (200, 300), (200, 100),
                            (200, 100), (200, 100)])  # huge: downsampled to 300 dpi; turned: EXIF applied, upright
    assert all(x["/ColorSpace"] in ("/DeviceRGB", "/DeviceGray") for x in found)  # CMYK made RGB
    grey = [x for x in found if x["/ColorSpace"] == "/DeviceGray"]
    assert len(grey) == 1 and grey[0]["/BitsPerComponent"] == 8  # the 16-bit PNG, as 8-bit grey
    assert sum(1 for x in found if "/SMask" in x) == 1  # only the transparent PNG has a soft mask


def test_an_edited_svg_is_drawn_anew_in_the_same_process(project):
    """A converted SVG is kept by the digest of its file (and of the fonts): an edit that uses no new
    character, so the fonts stay the same, still shows in the next build of a 'watch' process."""
    out = project / "out"
    args = ("--content", str(project / "content"), "--output", str(out), "--variant", "zh-Hans", "--only", "handbook")
    assert run_build(*args).returncode == 0
    assert "第一、二章" in squash("".join(page_texts(out / "zh-Hans" / "handbook.pdf")))
    svg = project / "content" / "figures" / "process.svg"
    svg.write_text(svg.read_text(encoding="utf-8").replace("第一、二章", "第二、一章"), encoding="utf-8")
    assert run_build(*args).returncode == 0
    text = squash("".join(page_texts(out / "zh-Hans" / "handbook.pdf")))
    assert "第二、一章" in text and "第一、二章" not in text
