"""handbook.typeset.faces: where a family is looked for, which face serves which weight, which files cannot serve."""
from __future__ import annotations

from pathlib import Path

import pytest

from handbook.typeset import faces
from test_fonts import make_font


@pytest.fixture
def no_system(monkeypatch, tmp_path):
    """A machine whose system font folders are empty (what a user's system has is set per test)."""
    monkeypatch.setattr(faces, "system_font_dirs", lambda: [tmp_path / "system"])
    return tmp_path / "system"


def test_pinned_faces_come_from_pip(tmp_path):
    location, weight = faces.locate_face("Noto Sans CJK SC", cache_dir=tmp_path, system=False)
    assert location.path.name == "NotoSansCJK-VF.otf.ttc" and location.path.parent.name == "manimgx_fonts_cjk"
    assert location.family == "Noto Sans CJK SC" and weight == 400
    assert faces.locate_face("Noto Sans CJK SC", cache_dir=tmp_path, system=False, weight=700)[1] == 700


def test_book_folder_then_system_then_pip(tmp_path, no_system):
    book = tmp_path / "book-fonts"
    system_copy = make_font(no_system / "noto" / "NotoSansCJK-Regular.ttf", "Noto Sans CJK SC")
    found, _ = faces.locate_face("Noto Sans CJK SC", [book], cache_dir=tmp_path)
    assert found.path == system_copy
    assert faces.locate_face("Noto Sans CJK SC", [book], cache_dir=tmp_path, system=False)[0].path.parent.name \
        == "manimgx_fonts_cjk"  # a pinned family never looks at the system's folders
    own = make_font(book / "mine.ttf", "Noto Sans CJK SC")
    assert faces.locate_face("noto sans cjk sc", [book], cache_dir=tmp_path)[0].path == own
    assert faces.locate_face("noto sans cjk sc", [book], cache_dir=tmp_path, system=False)[0].path == own


def test_a_system_family_a_font_set_may_not_use_says_so(tmp_path, no_system):
    """User trial: system = false gave 'not found' for a family the system has, which left the author guessing."""
    make_font(no_system / "trial" / "TrialSerif.ttf", "Trial Serif")
    assert faces.locate_face("Trial Serif", cache_dir=tmp_path)[0].family == "Trial Serif"
    with pytest.raises(faces.FontError, match=r"^font family 'Trial Serif' is in the system's fonts \(.*trial\), but "
                                              r"this font set says system = false: set system = true"):
        faces.locate_face("Trial Serif", cache_dir=tmp_path, system=False)
    with pytest.raises(faces.FontError, match="^font family 'Nowhere Sans' not found in"):
        faces.locate_face("Nowhere Sans", cache_dir=tmp_path, system=False)


def test_system_font_folders_per_platform(tmp_path):
    home = tmp_path / "home"
    linux = faces.system_font_dirs("linux", {"HOME": str(home), "XDG_DATA_DIRS": "/opt/share:/usr/share"})
    assert linux == [home / ".local/share/fonts", home / ".fonts", Path("/opt/share/fonts"), Path("/usr/share/fonts")]
    assert faces.system_font_dirs("freebsd14", {"HOME": str(home)})[2:] == [Path("/usr/local/share/fonts"),
                                                                             Path("/usr/share/fonts")]
    assert faces.system_font_dirs("linux", {"HOME": str(home), "XDG_DATA_HOME": "/x"})[0] == Path("/x/fonts")
    assert faces.system_font_dirs("darwin", {"HOME": str(home)}) == [
        Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library/Fonts"]
    windows = faces.system_font_dirs("win32", {"USERPROFILE": str(home), "WINDIR": r"D:\Win",
                                               "LOCALAPPDATA": str(home / "Local")})
    assert windows == [Path(r"D:\Win") / "Fonts", home / "Local" / "Microsoft" / "Windows" / "Fonts"]


def test_unknown_family_lists_the_families_found(tmp_path):
    with pytest.raises(faces.FontError) as err:
        faces.locate_face("No Such Sans", cache_dir=tmp_path, system=False)
    assert "No Such Sans" in str(err.value)
    assert "Noto Sans CJK SC" in str(err.value) and "Noto Sans CJK HK" in str(err.value)


@pytest.fixture
def family(tmp_path) -> Path:
    """A static family of five weights in one folder, as Debian's fonts-noto-cjk ships one."""
    folder = tmp_path / "family"
    for weight in (300, 500, 700, 900):
        make_font(folder / f"Test-{weight}.ttf", "Handbook Test Sans", weight)
    return folder


@pytest.mark.parametrize("wanted, chosen", [(400, 500), (300, 300), (350, 300), (700, 700), (600, 700), (800, 900),
                                            (1000, 900)])
def test_static_family_gives_the_nearest_weight(family, tmp_path, wanted, chosen):
    location, weight = faces.locate_face("Handbook Test Sans", [family], cache_dir=tmp_path, weight=wanted,
                                         system=False)
    assert weight == chosen and location.path.name == f"Test-{chosen}.ttf"


def test_exact_weight_wins_over_a_neighbour(family, tmp_path):
    make_font(family / "Test-400.ttf", "Handbook Test Sans", 400)
    assert faces.locate_face("Handbook Test Sans", [family], cache_dir=tmp_path, system=False)[1] == 400


def test_a_family_without_bold_is_an_error_naming_the_weights(tmp_path):
    folder = tmp_path / "f"
    make_font(folder / "a.ttf", "Light Only", 300)
    make_font(folder / "b.ttf", "Light Only", 400)
    found = faces.find_family("Light Only", [folder], cache_dir=tmp_path, system=False)
    assert faces.choose_face(found, 400, "Light Only")[1] == 400
    with pytest.raises(faces.FontError, match=r"'Light Only' has no bold face for weight 700: weights found 300, 400"):
        faces.choose_face(found, 700, "Light Only")
    make_font(folder / "c.ttf", "Bold Only", 700)
    with pytest.raises(faces.FontError, match=r"no regular face for weight 400: weights found 700"):
        faces.locate_face("Bold Only", [folder], cache_dir=tmp_path, system=False)


def test_variable_face_draws_the_weight_asked_within_its_axis(tmp_path):
    face = faces.Face(faces.FaceLocation(tmp_path, 0, "V"), 400, (200, 550))
    assert [face.nearest(w) for w in (100, 400, 700)] == [200, 400, 550]
    assert faces.choose_face([face], 400, "V")[1] == 400
    with pytest.raises(faces.FontError, match="weights found 200, 550"):
        faces.choose_face([face], 700, "V")


def _bitmap_only(path: Path) -> Path:
    from fontTools.ttLib import TTFont

    font = TTFont(make_font(path, "Bitmap Sans"))
    del font["glyf"], font["loca"]
    font.recalcBBoxes = False
    font.save(str(path))
    return path


@pytest.mark.parametrize("name, make, reason", [
    ("Truncated Sans.otf", lambda p: p.write_bytes(make_font(p, "Truncated Sans").read_bytes()[:300]), "unreadable"),
    ("Wrong Magic Sans.ttf", lambda p: p.write_bytes(b"<html>not a font</html>"), "not an OpenType or TrueType"),
    ("Type One Sans.pfb", lambda p: p.write_bytes(b"\x80\x01" + bytes(100)), "a Type 1 font"),
    ("Type One Sans.otf", lambda p: p.write_bytes(b"%!PS-AdobeFont-1.0: TypeOne" + bytes(100)), "a Type 1 font"),
    ("Web Sans.ttf", lambda p: p.write_bytes(b"wOF2" + bytes(100)), "a web font"),
    ("Bitmap Sans.ttf", _bitmap_only, "bitmap-only"),
    ("Empty Sans.ttf", lambda p: p.write_bytes(b""), "not an OpenType"),
])
def test_a_file_that_cannot_serve_says_why(tmp_path, name, make, reason):
    folder = tmp_path / "fonts"
    folder.mkdir()
    make(folder / name)
    family = name.rsplit(".", 1)[0]
    with pytest.raises(faces.FontError) as err:
        faces.locate_face(family, [folder], cache_dir=tmp_path, system=False)
    assert f"font family '{family}' not found" in str(err.value)
    assert f"{name}: " in str(err.value) and reason in str(err.value)


def test_name_tables_are_read_once_per_file_version(tmp_path, monkeypatch):
    faces.locate_face("Noto Sans CJK TC", [tmp_path / "fonts"], cache_dir=tmp_path, system=False)
    read = []
    real = faces.scan_file
    monkeypatch.setattr(faces, "scan_file", lambda path: read.append(path) or real(path))
    faces.locate_face("Noto Sans CJK TC", [tmp_path / "fonts"], cache_dir=tmp_path, system=False)
    assert read == []
    new = make_font(tmp_path / "fonts" / "new.ttf", "Handbook Test Sans")
    assert faces.locate_face("Handbook Test Sans", [tmp_path / "fonts"], cache_dir=tmp_path)[0].path == new
    assert read == [new]


def test_italic_faces_never_set_running_text(tmp_path):
    from fontTools.ttLib import TTFont

    path = make_font(tmp_path / "f" / "italic.ttf", "Slanted Sans")
    font = TTFont(path)
    font["head"].macStyle |= 2
    font.save(str(path))
    with pytest.raises(faces.FontError, match="'Slanted Sans' not found"):
        faces.locate_face("Slanted Sans", [path.parent], cache_dir=tmp_path, system=False)


# --- fonts that cannot serve, through the real path ----------------------------------------------

def _damaged(path: Path) -> Path:
    """The font with its glyph 'A' turned into a composite of a glyph the font does not have."""
    from fontTools.ttLib import TTFont

    font = TTFont(path)
    at = font.reader.tables["glyf"].offset + font["loca"][font.getGlyphID("A")]
    data = bytearray(path.read_bytes())
    composite = (-1).to_bytes(2, "big", signed=True) + bytes(8) + (1).to_bytes(2, "big") \
        + (9999).to_bytes(2, "big") + bytes(4)  # ARG_1_AND_2_ARE_WORDS, glyph 9999 at (0, 0)
    data[at:at + len(composite)] = composite
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("case, message", [
    ("latin only", "font family 'Broken Sans' has no Chinese characters"),
    ("damaged outlines", "font Broken Sans (broken.ttf) is damaged"),
    ("only files that cannot serve", "files in the book's fonts folder that cannot serve: broken.ttf: unreadable"),
])
def test_a_font_that_cannot_serve_is_one_error_at_the_line_that_names_it(project, case, message):
    from conftest import run_build

    out = project / "out"
    assert run_build("--content", str(project / "content"), "--output", str(out), "--variant", "zh-Hans",
                     "--only", "handbook").returncode == 0
    before = (out / "zh-Hans" / "handbook.pdf").read_bytes()
    from test_font_flavours import book_characters
    font = project / "content" / "fonts" / "broken.ttf"
    if case == "latin only":
        make_font(font, "Broken Sans")
    else:
        _damaged(make_font(font, "Broken Sans", chars=book_characters()))
        if case == "only files that cannot serve":
            font.write_bytes(font.read_bytes()[:200])
    toml = project / "content" / "book.toml"
    line = toml.read_text(encoding="utf-8").count("\n") + 3
    with open(toml, "a", encoding="utf-8") as fh:
        fh.write('\n[fonts.SC]\nfamily = "Broken Sans"\nregular = 400\nbold = 400\n')
    result = run_build("--content", str(project / "content"), "--output", str(out), "--variant", "zh-Hans",
                       "--only", "handbook")
    assert result.returncode == 1, result.stderr
    errors = [l for l in result.stderr.splitlines() if ": error: " in l]
    assert len(errors) == 1 and f"content/book.toml:{line}: error: " in errors[0], result.stderr
    assert message in errors[0]
    assert (out / "zh-Hans" / "handbook.pdf").read_bytes() == before


def test_fuzzed_font_files_give_font_errors_only(tmp_path):
    """Truncated and overwritten copies of a TrueType and a CFF face: found and drawn, or a FontError."""
    import random

    from handbook.typeset import fonts
    from test_font_flavours import flavours

    cff = flavours.static_cff(flavours.variable_face("SC", "中文A"), 400, "Fuzz Sans")
    seeds = [make_font(tmp_path / "seed.ttf", "Fuzz Sans").read_bytes(),
             flavours.save(cff, tmp_path / "seed.otf").read_bytes()]
    rng, outcomes = random.Random(13), {"drawn": 0, "FontError": 0}
    for number in range(120):
        data = bytearray(rng.choice(seeds))
        if number % 2:
            del data[rng.randrange(12, len(data)):]
        else:
            for _ in range(rng.randrange(1, 40)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        folder = tmp_path / f"case{number}"
        folder.mkdir()
        (folder / "fuzz.otf").write_bytes(bytes(data))
        try:
            faces_found = faces.find_family("Fuzz Sans", [folder], system=False, cache_dir=tmp_path)
            location, weight = faces.choose_face(faces_found, 400, "Fuzz Sans")
            fonts.face_coverage(location, tmp_path)
            fonts.prepare_faces([(location, weight)], "中文A", tmp_path)
            outcomes["drawn"] += 1
        except faces.FontError:
            outcomes["FontError"] += 1
    assert outcomes["FontError"] > 30 and outcomes["drawn"] > 5, outcomes
