"""Orchestration: book -> sources -> variants -> markup -> model -> typeset -> outputs.

Each stage takes plain data and returns plain data; problems go into one :class:`Sink`, and the build
stops after the first stage that reported errors. Everything (every edition, every output) is made in
memory first and written only when all of it succeeded, each file atomically, so a failed build
leaves the previous PDFs untouched.
"""
from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import content, glyphs, locale, markup, model, templating, theme as themes, variants
from .book import BookConfig, VariantConfig, load_book
from .diagnostics import Diagnostic, HandbookError, Sink, SourcePos, relative

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class BuildOptions:
    content_dir: Path = PROJECT_ROOT / "content"
    output_dir: Path = PROJECT_ROOT / "output"
    templates_dir: Path = PROJECT_ROOT / "templates"
    cache_dir: Path = PROJECT_ROOT / ".cache"
    project_root: Path = PROJECT_ROOT
    variants: tuple[str, ...] = ()  # empty: every edition of the book
    outputs: tuple[str, ...] = ()  # empty: the book's outputs
    theme: str | None = None  # overrides the book's theme
    strict: bool = False  # warnings fail the build
    fill: Path | None = None  # data to pre-fill the worksheet with: make only filled worksheets
    fill_merge: bool = False  # filled worksheets of many records as one PDF


@dataclass
class BuildResult:
    written: list[Path] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Edition:
    """One variant read and modelled, ready to typeset."""

    config: VariantConfig
    document: model.Document
    sources: tuple[content.Source, ...]
    worksheet: object = None  # worksheet.sheet.Worksheet, when the worksheet is made


def _stop_if_failed(sink: Sink, strict: bool) -> None:
    if sink.failed(strict):
        raise HandbookError(sink.errors + (sink.warnings if strict else []))


def build(options: BuildOptions, progress=lambda message: None) -> BuildResult:
    """Build the requested editions and outputs; raise HandbookError listing every problem."""
    started = time.perf_counter()
    result = BuildResult()
    sink = Sink()
    book = load_book(options.content_dir, options.project_root, sink)
    _stop_if_failed(sink, False)
    theme = themes.load_theme(options.theme or book.theme, options.templates_dir, options.project_root, sink)
    chosen = _chosen_variants(book, options.variants, sink)
    outputs = options.outputs or book.outputs
    _stop_if_failed(sink, False)

    editions = [read_edition(book, config, options, sink) for config in chosen]
    _stop_if_failed(sink, options.strict)
    result.timings["read"] = time.perf_counter() - started

    files: dict[Path, bytes] = {}
    for edition in editions:
        files.update(make_outputs(edition, book, theme, outputs, options, sink, result.timings))
        _stop_if_failed(sink, options.strict)
    for path, data in files.items():
        data = data() if callable(data) else data  # filled worksheets are made one at a time
        write_atomically(path, data)
        result.written.append(path)
        progress(f"wrote {relative(path, options.project_root)} ({len(data) / 1024:.0f} KB)")
    result.warnings = sink.warnings
    result.timings["total"] = time.perf_counter() - started
    return result


def check(options: BuildOptions, progress=lambda message: None) -> BuildResult:
    """Everything a build checks (content, templates, fonts' coverage), without typesetting or writing."""
    started = time.perf_counter()
    sink = Sink()
    book = load_book(options.content_dir, options.project_root, sink)
    _stop_if_failed(sink, False)
    theme = themes.load_theme(options.theme or book.theme, options.templates_dir, options.project_root, sink)
    chosen = _chosen_variants(book, options.variants, sink)
    _stop_if_failed(sink, False)
    for config in chosen:
        edition = read_edition(book, config, options, sink)
        if edition is not None:
            glyphs.check_coverage(edition.document, edition.sources, config, theme, options, sink)
            if edition.worksheet is not None:
                glyphs.check_worksheet(edition.worksheet, config, theme, options, sink)
        progress(f"checked {config.name}")
    _stop_if_failed(sink, options.strict)
    return BuildResult(warnings=sink.warnings, timings={"total": time.perf_counter() - started})


def _chosen_variants(book: BookConfig, wanted: tuple[str, ...], sink: Sink) -> list[VariantConfig]:
    known = {v.name for v in book.variants}
    for name in wanted:
        if name not in known:
            sink.error(f"no variant '{name}' in {relative(book.path, book.content_dir.parent)}",
                       None, f"variants: {', '.join(sorted(known))}")
    return [v for v in book.variants if not wanted or v.name in wanted]


# -- reading ---------------------------------------------------------------------------------
def read_edition(book: BookConfig, config: VariantConfig, options: BuildOptions, sink: Sink) -> Edition | None:
    """Sources of one edition (hand-written or derived), checked, parsed and modelled."""
    try:
        loc = locale.parse_locale(config.locale)
        style = variants.punctuation(config.punctuation)
    except ValueError as exc:
        sink.error(str(exc), config.pos)
        return None
    sources = load_sources(book, config, options.project_root, sink)
    chapters = []
    for number, source in enumerate(sources, start=1):
        variants.check_source(source, sink, loc.script, loc.territory, style)
        parsed = markup.parse_markdown(source.text)
        chapters.append(model.build_chapter(parsed, source, sink, f"c{number:02d}"))
    translations = locale.load_translations(options.templates_dir / "locale", loc, options.project_root, sink)
    meta = model.FrontMatter(config.title, config.subtitle, config.author, locale.language_tag(loc),
                             locale.long_date(book.edition, loc))
    env = templating.make_environment(options.templates_dir, config.name, translations)
    context = {
        "book": meta, "variant": config.name,
        "chapters": [{"title": c.title, "short_title": c.short_title} for c in chapters],
        "cover_drop": 110,
    }
    frame = templating.render_frame(env, context, options.project_root, sink)
    if frame is None:
        return None
    for item in frame:
        if isinstance(item, model.ChapterSlot) and not 0 <= item.index < len(chapters):
            sink.error(f"the book template asks for chapter {item.index}, but there are {len(chapters)}", item.pos)
    document = model.Document(config.name, meta, frame, tuple(chapters), compress=style.compress)
    sheet = None
    if options.fill or "worksheet" in (options.outputs or book.outputs):
        from .worksheet import read_sheet

        sheet = read_sheet(book, config, options.project_root, sink, loc, style, translations.gettext, derive_source)
    return Edition(config, document, tuple(sources), sheet)


def load_sources(book: BookConfig, config: VariantConfig, root: Path, sink: Sink) -> list[content.Source]:
    """The chapters of an edition; a chapter missing here is derived from the source edition."""
    source_config = book.variant(book.source_variant)
    own = content.chapter_names(config.folder)
    wanted = own
    if config.name != source_config.name:
        wanted = sorted(set(own) | set(content.chapter_names(source_config.folder)))
    if not config.folder.is_dir() and config.name == source_config.name:
        sink.error(f"content folder of variant '{config.name}' not found", SourcePos(relative(config.folder, root)))
        return []
    for name in content.stray_markdown(config.folder):
        sink.warning("Markdown file is not a chapter (chapter files are named like '01-name.md')",
                     SourcePos(relative(config.folder / name, root)))
    if not wanted:
        sink.error("no chapters: add files named like '01-introduction.md'", SourcePos(relative(config.folder, root)))
    sources = []
    for name in wanted:
        path = config.folder / name
        if path.is_file():
            source = content.read_source(path, root, sink)
        else:
            source = derive_source(book, config, source_config, name, root, sink)
        if source is not None:
            sources.append(source)
    return sources


def derive_source(book, config, source_config, name, root, sink) -> content.Source | None:
    """A chapter converted from the source edition (OpenCC, then this edition's quotes)."""
    origin = source_config.folder / name
    shown_target = relative(config.folder / name, root)
    if not config.opencc:
        sink.error(f"chapter missing in variant '{config.name}' and the variant has no 'opencc' to derive it",
                   SourcePos(shown_target), f"write {shown_target}, or set opencc in book.toml")
        return None
    original = content.read_source(origin, root, sink)
    if original is None:
        return None
    try:
        text, _ = variants.derive(original.text, config.opencc, variants.punctuation(config.punctuation))
        meta = {k: variants.derive(v, config.opencc, variants.punctuation(config.punctuation))[0]
                for k, v in original.meta.items()}
    except ValueError as exc:
        sink.error(str(exc), config.pos)
        return None
    return content.Source(name, original.shown, text, original.first_line, meta, derived_from=original.shown)


# -- making ----------------------------------------------------------------------------------
def make_outputs(edition: Edition, book: BookConfig, theme, outputs, options: BuildOptions, sink: Sink,
                 timings: dict) -> dict[Path, bytes]:
    started = time.perf_counter()
    name = edition.config.name
    folder = options.output_dir / name
    files = {}
    if edition.worksheet is not None and (options.fill or "worksheet" in outputs):
        from . import worksheet

        files.update(worksheet.outputs(edition.worksheet, edition.config, theme, options, folder, sink))
        timings[f"{name}:worksheet"] = time.perf_counter() - started
        if options.fill or not {"handbook", "booklet"} & set(outputs):
            return files
    started = time.perf_counter()
    fonts = glyphs.fonts_for(edition.document, edition.sources, edition.config, theme, options, sink)
    if fonts is None:
        return files
    timings[f"{name}:fonts"] = time.perf_counter() - started
    from .typeset.layout import typeset

    started = time.perf_counter()
    reading = typeset(edition.document, theme, fonts)
    timings[f"{name}:typeset"] = time.perf_counter() - started
    if "handbook" in outputs:
        files[folder / "handbook.pdf"] = reading
    if "booklet" in outputs:
        from .booklet import ImposeOptions, impose

        started = time.perf_counter()
        files[folder / "handbook-booklet.pdf"] = impose(reading, ImposeOptions())
        timings[f"{name}:booklet"] = time.perf_counter() - started
    return files


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it over: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
