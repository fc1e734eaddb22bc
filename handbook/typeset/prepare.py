"""Every character drawn must exist in the font: collect, check, locate, then prepare the fonts.

Input: a modelled edition. Output: :class:`layout.FontFiles` for its font set, or errors that
name each missing character with the file, line and column where it was written (also when it was written
as a character reference, ``&#x1F600;``). Right-to-left text is refused even where a font has it: the
typesetter has no bidirectional layout. Once the fonts are ready, :func:`fit.check_fit` finds
blocks the page cannot hold, before layout.
"""
from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

from .. import model
from ..diagnostics import Sink, SourcePos, relative
from ..figures import walk_figures
from . import faces, fonts as fontfiles
from .fit import check_fit, check_sheet_fit
from .layout import FontFiles
from .tokens import is_ignorable

UI_CHARACTERS = "0123456789.?•"  # drawn by the typesetter itself: folios, TOC numbers, list labels


def document_text(document: model.Document) -> str:
    """All text an edition draws (content, template pages, running heads, UI strings)."""
    parts = [document.meta.title, document.meta.subtitle, document.meta.author, UI_CHARACTERS]
    for item in document.frame:
        if isinstance(item, model.FramePage):
            parts.extend(_block_text(item.blocks))
        elif isinstance(item, model.TocSlot):
            parts.append(item.title)
    for chapter in document.chapters:
        parts.append(chapter.short_title)
        parts.extend(_block_text(chapter.blocks))
        for note in chapter.notes:
            parts.append(str(note.number))
            parts.extend(_block_text(note.blocks))
    # figures: their numbered captions, QR codes' addresses, the text SVG figures draw; cross-references
    words = document.strings.get("figure", "Figure") + document.strings.get("xref", "")
    parts += [re.sub(r"%\(\w+\)s", "", words), model.caption_separator(document.meta.lang)]
    parts.extend(asset.text if asset.kind == "svg" else asset.path for asset in document.assets.values()
                 if asset.kind in ("svg", "qr"))
    return "".join(parts)


def _block_text(blocks) -> list[str]:
    out = []
    for block in blocks:
        if isinstance(block, (model.Heading, model.Paragraph)):
            out.append(model.plain(block.content))
        elif isinstance(block, model.ListBlock):
            out.append(str(block.start + len(block.items)))
            for item in block.items:
                out.extend(_block_text(item.blocks))
        elif isinstance(block, model.Table):
            out.extend(model.plain(cell) for cell in block.header)
            out.extend(model.plain(cell) for row in block.rows for cell in row)
        elif isinstance(block, model.Quote):
            out.extend(_block_text(block.blocks))
        elif isinstance(block, model.CodeBlock):
            out.append(block.text)
        elif isinstance(block, model.Figure):
            out.append(block.caption)
    return out


def drawn_characters(text: str) -> set[str]:
    """Characters that need a glyph: not line breaks, not format or control characters, not default-ignorable
    code points (a variation selector, as in ☎️, is not drawn); and the hyphen that hyphenating a word adds."""
    chars = {ch for ch in set(text) if ch not in "\n\t" and unicodedata.category(ch) not in ("Cc", "Cf")
             and not is_ignorable(ch)}
    if any(ch.isascii() and ch.isalpha() for ch in chars):
        chars.add("-")
    return chars


_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def _find(char: str, text: str) -> int:
    """Offset of ``char`` in ``text``, written as itself or as a character reference (``&#x1F600;``)."""
    offset = text.find(char)
    if offset < 0 and "&" in text:
        offset = next((m.start() for m in _REFERENCE.finditer(text) if html.unescape(m.group()) == char), -1)
    return offset


def locate(char: str, sources, extra_files: list[Path], root: Path) -> SourcePos | None:
    """Where an author wrote ``char``: the first content file, line and column; else a template or config."""
    for source in sources:
        offset = _find(char, source.text)
        if offset >= 0:
            line = source.text.count("\n", 0, offset) + 1
            col = offset - (source.text.rfind("\n", 0, offset) + 1) + 1
            return source.pos(line, col)
        for value in source.meta.values():
            if char in value:
                return SourcePos(source.shown, 2)
    for path in extra_files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        offset = text.find(char)
        if offset >= 0:
            return SourcePos(relative(path, root), text.count("\n", 0, offset) + 1)
    return None


def svg_figures(document: model.Document, root: Path) -> list[tuple[Path, SourcePos]]:
    """Each SVG file the edition draws (its own edition's file, ``flow.zh-Hant.svg``), with the first
    figure that draws it: the text of an SVG needs glyphs like the chapters' (:func:`document_text`)."""
    out: dict[str, SourcePos] = {}
    for chapter in document.chapters:
        for figure in walk_figures(chapter.blocks):
            asset = document.assets.get(model.asset_key(figure))
            if asset is not None and asset.kind == "svg":
                out.setdefault(asset.path, figure.pos)
    return [(Path(path), pos) for path, pos in out.items()]


def locate_in_figures(char: str, figures, root: Path) -> tuple[SourcePos, SourcePos] | None:
    """Where an SVG figure's file has ``char`` (its line and column; as itself or as a character
    reference), and the figure in a chapter that draws it; None when no figure's file has it."""
    for path, used_at in figures:
        try:
            text = path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            continue
        offset = _find(char, text)
        if offset >= 0:
            line = text.count("\n", 0, offset) + 1
            col = offset - (text.rfind("\n", 0, offset) + 1) + 1
            return SourcePos(relative(path, root), line, col), used_at
    return None


def check_coverage(document: model.Document, sources, config, theme, options, sink: Sink):
    """The face and the characters it must draw, or None after reporting each missing character."""
    return check_text(document_text(document), sources, config, theme, options, sink, variants=True,
                      figures=svg_figures(document, options.project_root))


def check_text(text: str, sources, config, theme, options, sink: Sink, variants: bool = False, figures=()):
    """Coverage of any drawn text (a document's, a worksheet's): ((regular face, its weight), (bold face,
    its weight)), font set, characters; or None. A variable family gives one face for both; a static
    family the files nearest each weight. ``variants``: the characters also hold the ideographic variation
    sequences the faces have (2-character strings, for :func:`fonts.prepare_faces`; a worksheet draws
    their base characters; ``figures``: the SVG files whose text is in ``text``, with the figure that draws
    each, see :func:`svg_figures`)."""
    fontset = theme.fontsets.get(config.fontset)
    if fontset is None:
        sink.error(f"font set '{config.fontset}' is not in theme '{theme.name}'", config.pos,
                   f"font sets: {', '.join(sorted(theme.fontsets))}")
        return None
    where = fontset.pos or config.pos
    try:
        found = faces.find_family(fontset.family, [options.content_dir / "fonts"], system=fontset.system,
                                  cache_dir=options.cache_dir)
        chosen = tuple(faces.choose_face(found, weight, fontset.family)
                       for weight in (fontset.regular, fontset.bold))
        coverage = set.intersection(*(set(fontfiles.face_coverage(face, options.cache_dir))
                                      for face in {face for face, _ in chosen}))
    except faces.FontError as exc:
        sink.error(str(exc), where)
        return None
    chars = drawn_characters(text)
    han = {ch for ch in chars if unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH")}
    if han and not han & {chr(cp) for cp in coverage}:  # one error, not one per character
        sink.error(f"font family '{fontset.family}' has no Chinese characters ({chosen[0][0].path.name})", where,
                   "choose a CJK family (e.g. Noto Sans CJK SC / TC) for this edition's font set")
        return None
    backwards = sorted(ch for ch in chars if unicodedata.bidirectional(ch) in ("R", "AL"))
    missing = sorted(ch for ch in chars if ord(ch) not in coverage and ch != " " and ch not in backwards)
    if not (backwards or missing):
        return chosen, fontset, chars | _variants(text, chosen, fontset, sources, options, sink) if variants else chars
    extra = _extra_files(options)
    places = sorted((locate(ch, sources, extra, options.project_root) or SourcePos(""), ch) for ch in backwards)
    lines = set()
    for where, char in places:  # even a font that has them would print them left to right and unjoined
        if (where.path, where.line) not in lines:  # once per line: a sentence of Arabic is one problem
            lines.add((where.path, where.line))
            sink.error(f"right-to-left text is not supported: character '{char}' (U+{ord(char):04X} "
                       f"{unicodedata.name(char, 'unnamed')})", where if where.path else None,
                       "the typesetter sets left-to-right scripts only")
    found = []
    for char in missing:  # located first, then reported in the order they stand in the files
        where = locate(char, sources, [], options.project_root)
        in_figure = None if where else locate_in_figures(char, figures, options.project_root)
        if in_figure:
            where, in_figure = in_figure
        elif where is None:
            where = locate(char, (), extra, options.project_root)
        found.append((where, char, in_figure))
    ranks = {source.shown: rank for rank, source in enumerate(sources)}
    for where, char, in_figure in sorted(found, key=lambda item: _reading_order(*item, ranks)):
        hints = [f"it is text of the SVG figure at {in_figure}"] if in_figure else []
        sink.error(f"character '{char}' (U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}) "
                   f"is not in the font '{fontset.family}'", where,
                   *hints, "remove or replace it, or choose a font set that has it")
    return None


def _reading_order(where: SourcePos | None, char: str, in_figure: SourcePos | None, ranks: dict[str, int]) -> tuple:
    """Sort key of a located character: the content files in reading order (an SVG's text where its figure
    is), then other files by name, then what no file has; by line and column inside a file."""
    if where is None:
        return (2, 0, "", 0, 0, 0, 0, char)
    at = in_figure or where
    return (0 if at.path in ranks else 1, ranks.get(at.path, 0), at.path, at.line, at.col, where.line, where.col, char)


def _extra_files(options) -> list[Path]:
    """Files besides the content that may hold drawn text: templates, translations, book.toml."""
    extra = sorted(options.templates_dir.rglob("*.j2")) + sorted(options.templates_dir.rglob("*.po"))
    extra.append(options.content_dir / "book.toml")
    return extra


def _variants(text: str, chosen, fontset, sources, options, sink: Sink) -> set[str]:
    """Ideographic variation sequences (葛 + U+E0100) whose own glyph the fonts must carry; a sequence the
    face does not know is drawn as its base character, with a warning where it was written."""
    found = set()
    for sequence in sorted(fontfiles.variation_sequences(text)):
        known = [fontfiles.has_sequence(face, sequence, options.cache_dir) for face, _ in chosen]
        if all(known):
            found.add(sequence)
        else:
            sink.warning(f"variation sequence '{sequence}' (U+{ord(sequence[0]):04X} U+{ord(sequence[1]):04X}) is not "
                         f"in the font '{fontset.family}': its base character is drawn",
                         locate(sequence, sources, _extra_files(options), options.project_root),
                         "choose a font set whose face has this variant (cmap format 14), or remove the selector")
    return found


def prepare(requests, chars, fontset, config, options, sink: Sink) -> list[bytes] | None:
    """fonts.prepare_faces for (face, weight) requests, with a damaged face reported at the line that
    names its family."""
    try:
        return fontfiles.prepare_faces(requests, chars, options.cache_dir)
    except faces.FontError as exc:
        sink.error(str(exc), fontset.pos or config.pos)
        return None


def _font_files(checked, config, options, sink: Sink) -> FontFiles | None:
    """The regular and bold fonts of the characters a coverage check found (None: it failed, or they could
    not be prepared)."""
    if checked is None:
        return None
    chosen, fontset, chars = checked
    prepared = prepare(chosen, chars, fontset, config, options, sink)
    if prepared is None:
        return None
    regular, bold = prepared
    return FontFiles(regular, bold, tuple(fontfiles.face_identity(*face) for face in chosen))


def sheet_fonts_for(sheet, config, theme, options, sink: Sink):
    """As :func:`fonts_for`, for a worksheet: coverage of everything it prints (content, UI strings, page
    numbers), its regular and bold fonts of just those characters, and the fit of every block on its page.
    ((faces, font set, characters), FontFiles), or None after reporting why not."""
    checked = check_text(sheet.text() + UI_CHARACTERS, [sheet.source], config, theme, options, sink)
    files = _font_files(checked, config, options, sink)
    if files is None:
        return None
    if not check_sheet_fit(sheet, theme, files, sink, SourcePos(theme.file)):
        return None
    return checked, files


def fonts_for(document: model.Document, sources, config, theme, options, sink: Sink,
              layouts=None) -> FontFiles | None:
    """Check coverage of every drawn character, prepare the regular and bold faces, then check that
    every block fits the page (None after reporting what does not; ``layouts``: the line cache)."""
    files = _font_files(check_coverage(document, sources, config, theme, options, sink), config, options, sink)
    if files is None:
        return None
    where = SourcePos(theme.file)
    if not check_fit(document, theme, files, sink, where, config.pos, layouts, options.cache_dir,
                     lambda pos, key: front_matter_line(pos, key, options.project_root)):
        return None
    return files


def front_matter_line(chapter: SourcePos, key: str, root: Path) -> SourcePos | None:
    """The line of the front matter of the chapter at ``chapter`` (its body's first line) that sets ``key``,
    read from its file (a derived chapter's is its source edition's, at the same line); None without one."""
    path = Path(chapter.path) if Path(chapter.path).is_absolute() else root / chapter.path
    try:
        lines = path.read_text(encoding="utf-8-sig").split("\n")[:max(chapter.line - 1, 0)]
    except (OSError, UnicodeDecodeError):
        return None
    if not lines or lines[0].strip() != "---":
        return None
    for number, line in enumerate(lines[1:], start=2):
        if line.startswith(f"{key}:") or line.startswith(f'"{key}":'):
            return SourcePos(chapter.path, number)
    return None
