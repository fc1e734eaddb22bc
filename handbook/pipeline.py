"""Orchestration, in one function (:func:`make_all`): configuration -> each edition read (sources,
markup, model, frame), prepared (fonts, fit) and made -> drift between editions; then a build writes.

Each stage takes plain data and returns plain data; problems go into one :class:`Sink`, and the build
stops after the first stage that reported errors. Everything (every edition, every output) is made in
memory first and written only when all of it succeeded, each file atomically, so a failed build
leaves the previous PDFs untouched.
"""
from __future__ import annotations

import calendar
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import content, drift, figures, locale, markup, model, stamps, templating, theme as themes, variants
from .book import BookConfig, VariantConfig, load_book, load_phrases
from .diagnostics import Diagnostic, HandbookError, Sink, SourcePos, fail, relative
from .atomic import not_a_folder, write_atomically
from .memo import FileMemo
from .parallel import in_parallel
from .sources import derive_source, derive_text, load_sources
from .stamps import Stamps
from .typeset import faces, prepare as glyphs
from .typeset.linecache import LineCache

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
# Installed with pip, the templates are package data (pyproject.toml); in a checkout, templates/.
TEMPLATES = PACKAGE_DIR / "templates" if (PACKAGE_DIR / "templates").is_dir() else PROJECT_ROOT / "templates"


def cache_dir_for(root: Path) -> Path:
    """Where caches go: ``.cache/`` of a project checkout (beside build.py), else the user's cache
    folder ($HANDBOOK_CACHE_DIR, or $XDG_CACHE_HOME/handbook, or ~/.cache/handbook)."""
    if (root / "build.py").is_file():
        return root / ".cache"
    if os.environ.get("HANDBOOK_CACHE_DIR"):
        return Path(os.environ["HANDBOOK_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "handbook"


@dataclass(frozen=True)
class BuildOptions:
    content_dir: Path = PROJECT_ROOT / "content"
    output_dir: Path = PROJECT_ROOT / "output"
    templates_dir: Path = TEMPLATES
    cache_dir: Path = PROJECT_ROOT / ".cache"
    project_root: Path = PROJECT_ROOT
    variants: tuple[str, ...] = ()  # empty: every edition of the book
    outputs: tuple[str, ...] = ()  # empty: the book's outputs
    theme: str | None = None  # overrides the book's theme
    strict: bool = False  # warnings fail the build
    fill: Path | None = None  # data to pre-fill the worksheet with: make only filled worksheets
    fill_merge: bool = False  # filled worksheets of many records as one PDF
    force: bool = False  # make every output, even those whose inputs have not changed
    epoch: int | None = None  # the date inside the PDFs (seconds since 1970); None: see pdf_epoch


@dataclass
class BuildResult:
    written: list[Path] = field(default_factory=list)
    up_to_date: list[Path] = field(default_factory=list)  # outputs whose inputs had not changed: not made again
    removed: list[Path] = field(default_factory=list)  # filled worksheets of an earlier run (see _remove_earlier)
    warnings: list[Diagnostic] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)  # derived text for a person to review
    timings: dict[str, float] = field(default_factory=dict)  # stage or output path -> seconds


@dataclass(frozen=True)
class Edition:
    """One variant read and modelled, ready to typeset."""

    config: VariantConfig
    document: model.Document
    sources: tuple[content.Source, ...]
    worksheet: object = None  # sheet.Worksheet, when the worksheet is made


def _stop_if_failed(sink: Sink, strict: bool) -> None:
    if sink.failed(strict):
        raise HandbookError(sink.errors + (sink.warnings if strict else []))


def build(options: BuildOptions, progress=lambda message: None) -> BuildResult:
    """Build the requested editions and outputs; raise HandbookError listing every problem."""
    started = time.perf_counter()
    result, sink = BuildResult(), Sink()
    made, stamps = make_all(options, sink)
    for edition in made:
        result.timings.update(edition.timings)
        for path in edition.up_to_date:
            result.up_to_date.append(path)
            progress(f"up to date {relative(path, options.project_root)}")
    _stop_if_failed(sink, options.strict)
    _write(made, stamps, result, options, progress)
    result.warnings, result.notes = sink.warnings, sink.notes
    result.timings["total"] = time.perf_counter() - started
    return result


def check(options: BuildOptions, progress=lambda message: None) -> BuildResult:
    """Everything a build checks (content, templates, fonts' coverage, what fits the page), without
    typesetting or writing: the same reading and preparing as a build, with its caches."""
    started, sink = time.perf_counter(), Sink()
    for edition in make_all(options, sink, check_only=True)[0]:
        progress(f"checked {edition.name}")
    _stop_if_failed(sink, options.strict)
    return BuildResult(warnings=sink.warnings, notes=sink.notes, timings={"total": time.perf_counter() - started})


def make_all(options: BuildOptions, sink: Sink, check_only: bool = False) -> tuple[list[Made], Stamps]:
    """The one orchestration: configuration, then each chosen edition read, prepared (fonts, fit) and its
    stale outputs made in memory (``check_only``: prepared, nothing made), then the editions' drift
    against the source edition. Every problem goes to ``sink``; a configuration that cannot be read
    raises HandbookError. Build, check and the fuzz harness all run this; only a build then writes."""
    book, theme, chosen = _configuration(options, sink)
    options = replace(options, epoch=pdf_epoch(book, options))
    phrases = load_phrases(book, options.project_root, sink)
    _stop_if_failed(sink, options.strict)
    outputs = () if check_only else options.outputs or book.outputs
    stamps = Stamps(options.output_dir, options.project_root)

    def make(config: VariantConfig) -> Made:
        return make_edition(book, theme, config, outputs, options, stamps, phrases.get(config.name, {}), check_only)

    # Editions are independent: with several, each is read and made in a forked process (2 cores: about
    # half the time). Filled worksheets are made lazily, one at a time, so that mode stays in this process.
    # What the outputs need is imported first, once, not again in every forked process.
    _import_makers(options.fill is not None or "worksheet" in (options.outputs or book.outputs), "booklet" in outputs)
    made = in_parallel(make, chosen, enabled=options.fill is None)
    for edition in made:
        for diagnostic in edition.diagnostics:
            sink.add(diagnostic)
    compare_with_source(book, chosen, {edition.name: edition.chapters for edition in made}, options, sink)
    return made, stamps


PAPER_NAMES = {"a4": "A4", "letter": "Letter"}  # [booklet] paper as print dialogs name it (booklet.SHEETS)


def booklet_settings(book: BookConfig) -> dict:
    """book.toml's [booklet] over booklet.ImposeOptions' defaults of paper and duplex (here, so that the
    back cover's note knows them without importing the imposer and pypdf)."""
    return {"paper": "A4", "duplex": "short-edge", **book.booklet}


def booklet_note(book: BookConfig, options: BuildOptions) -> dict | None:
    """What the back cover's how-to-print note says: the [booklet] paper and duplex (the defaults of
    booklet.ImposeOptions where book.toml is silent); None when the build makes no booklet: neither the
    book's outputs nor --only have one. A setting the imposer refuses is reported there; the note then
    shows it as written (the build fails anyway)."""
    if "booklet" not in (*book.outputs, *options.outputs):
        return None
    settings = booklet_settings(book)
    paper = settings["paper"]
    return {"paper": PAPER_NAMES.get(paper.lower(), paper) if isinstance(paper, str) else str(paper),
            "duplex": settings["duplex"]}


def _import_makers(worksheet: bool, booklet: bool) -> None:
    """The worksheet's and the booklet's modules (pypdf with them: 60 ms), when the build makes them."""
    if worksheet:
        from . import worksheet  # noqa: F401
    if booklet:
        from . import booklet  # noqa: F401


@dataclass
class Made:
    """One edition read and its stale outputs made: what a worker process hands back."""

    name: str
    chapters: tuple  # the edition's chapters, for the drift check against the source edition
    files: dict[Path, object]  # path -> PDF bytes, or a function making them (filled worksheets)
    inputs: dict[Path, str]  # path -> digest of its inputs, for the stamps
    diagnostics: list[Diagnostic]
    timings: dict[str, float]
    up_to_date: list[Path]


def make_edition(book: BookConfig, theme, config: VariantConfig, outputs, options: BuildOptions, stamps: Stamps,
                 phrases: dict[str, str], check_only: bool = False) -> Made:
    """Read one edition, then make those of its outputs whose inputs changed since they were written
    (``check_only``: check that its fonts cover it and its blocks fit, and make nothing)."""
    sink, timings, started = Sink(), {}, time.perf_counter()
    memo = FileMemo(options.cache_dir / f"read-{config.name}.pickle", "pickle")
    edition = read_edition(book, config, options, sink, phrases, memo)
    memo.save()
    timings[f"{config.name}:read"] = time.perf_counter() - started
    if edition is None:
        return Made(config.name, (), {}, {}, sink.items, timings, [])
    chapters = edition.document.chapters
    if sink.failed(options.strict):
        return Made(config.name, chapters, {}, {}, sink.items, timings, [])
    if check_only:
        prepare(edition, theme, options, sink)
        return Made(config.name, chapters, {}, {}, sink.items, timings, [])
    digests = output_digests(edition, book, theme, options)
    stale = tuple(o for o in outputs if options.force or o not in digests or not stamps.current(*digests[o]))
    files = make_outputs(edition, book, theme, stale, options, sink, timings) if stale else {}
    fresh = [digests[o][0] for o in outputs if o not in stale]
    return Made(config.name, chapters, files, dict(digests.values()), sink.items, timings, fresh)


def compare_with_source(book: BookConfig, chosen: list[VariantConfig], chapters: dict[str, tuple],
                        options: BuildOptions, sink: Sink) -> None:
    """Structural drift of each edition (name -> its chapters) against the source edition, reported at
    the edition's lines."""
    source = chapters.get(book.source_variant)
    for config in chosen:
        if source and config.name != book.source_variant and chapters.get(config.name):
            drift.compare_editions(list(source), list(chapters[config.name]), book.source_variant,
                                   relative(config.folder, options.project_root), sink)


def pdf_epoch(book: BookConfig, options: BuildOptions) -> int:
    """The date the PDFs carry: the options' own, else SOURCE_DATE_EPOCH (reproducible builds' convention),
    else the book's edition date; never the clock. It is handed down, not written into the environment."""
    if options.epoch is not None:
        return options.epoch
    try:
        return int(os.environ["SOURCE_DATE_EPOCH"])
    except (KeyError, ValueError):
        return calendar.timegm(book.edition.timetuple())


LAZY_PARALLEL_MIN = 32  # filled worksheets to make before a second process pays for itself


class WriteError(HandbookError):
    """Writing stopped part-way (a full disk, a permission): unlike any other failed build, some of its
    outputs may already be new."""

    previous_kept = False


def _write(made: list[Made], stamps: Stamps, result: BuildResult, options: BuildOptions, progress) -> None:
    """Write every made output, each atomically, and stamp it with the digest of its inputs. Outputs made
    lazily (filled worksheets, one a record) are made and written one at a time, shared out between the
    processes of the worker budget when there are many: memory stays that of one copy per process.
    Every folder is made first, so that a file in the way stops the build before anything is written;
    an OSError while writing is a WriteError naming the file. Then a fill run removes the filled
    worksheets of earlier runs that it did not write."""
    _make_folders([path for edition in made for path in edition.files], options)
    try:
        lazy = []
        for edition in made:
            for path, data in edition.files.items():
                if callable(data):
                    lazy.append((path, data))
                    continue
                write_atomically(path, data)
                if path in edition.inputs:
                    stamps.record(path, edition.inputs[path], data)
                result.written.append(path)
                seconds = result.timings.get(str(path), 0.0)
                progress(f"wrote {relative(path, options.project_root)} ({len(data) / 1024:.0f} KB, {seconds:.2f} s)")
        shares = [lazy[0::2], lazy[1::2]] if len(lazy) >= LAZY_PARALLEL_MIN else [lazy]
        for share in in_parallel(_make_and_write, shares):
            for path, size, seconds in share:
                result.written.append(path)
                progress(f"wrote {relative(path, options.project_root)} ({size / 1024:.0f} KB, {seconds:.2f} s)")
        if result.written:
            stamps.save()
    except OSError as exc:
        shown = relative(Path(exc.filename), options.project_root) if exc.filename else str(options.output_dir)
        raise WriteError([Diagnostic("error", f"could not write {shown}: {exc.strerror or exc}", None, (
            "the build stopped while writing: outputs written before this one are new, the others are as they "
            "were; build again when the problem is fixed",))]) from exc
    if options.fill:
        _remove_earlier(made, result, options, progress)


def _make_folders(paths: list[Path], options: BuildOptions) -> None:
    """Make the folders of every output before the first is written (README: outputs are written only when
    the whole build succeeded). A file where a folder must be, a folder where an output must be, or a
    folder that cannot be made: a HandbookError naming it, with nothing written."""
    shown = lambda path: relative(path, options.project_root)  # noqa: E731
    folders = sorted({path.parent for path in paths})
    for folder in folders:
        blocker = not_a_folder(folder)
        if blocker is not None:
            what = "it" if blocker == folder else shown(blocker)
            raise fail(f"cannot write into {shown(folder)}: {what} is not a folder", None,
                       "move it away, or write the outputs somewhere else")
    for path in paths:
        if os.path.isdir(path):  # False, not OSError, for a name too long to be: mkdir says so below
            raise fail(f"cannot write {shown(path)}: it is a folder", None, "move it away, or write the outputs "
                       "somewhere else")
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise fail(f"cannot make the folder {shown(Path(exc.filename or folder))}: {exc.strerror or exc}") from exc


def _remove_earlier(made: list[Made], result: BuildResult, options: BuildOptions, progress) -> None:
    """Remove the filled worksheets of earlier runs that this fill run did not write, edition by edition
    (:func:`worksheet.make.earlier_copies` says which): another person's copy left beside this batch's
    would pass for part of it. Each is named in the progress output."""
    from .worksheet.make import COPIES, earlier_copies

    for edition in made:
        if not edition.files:  # this edition made no filled worksheet: its folder is not this run's
            continue
        folder = options.output_dir / edition.name
        earlier = earlier_copies(folder, set(edition.files), options.fill_merge)
        for path in earlier:
            try:
                path.unlink()
            except OSError as exc:
                raise WriteError([Diagnostic("error", f"could not remove {relative(path, options.project_root)}, "
                                             f"a filled worksheet of an earlier run: {exc.strerror or exc}", None,
                                             ("remove it by hand: it is not one of this run's copies",))]) from exc
            result.removed.append(path)
            progress(f"removed {relative(path, options.project_root)} (a filled worksheet of an earlier run)")
        if any(path.parent == folder / COPIES for path in earlier):
            try:
                (folder / COPIES).rmdir()  # when that left it empty: a batch of one has no such folder
            except OSError:
                pass


def _make_and_write(share: list) -> list[tuple[Path, int, float]]:
    """Make and write lazily made outputs: (path, size, seconds) of each."""
    done = []
    for path, make in share:
        began = time.perf_counter()
        data = make()
        write_atomically(path, data)
        done.append((path, len(data), time.perf_counter() - began))
    return done


def _configuration(options: BuildOptions, sink: Sink) -> tuple[BookConfig, themes.Theme, list[VariantConfig]]:
    """book.toml, the theme and the chosen editions, or a HandbookError with every problem in them."""
    book = load_book(options.content_dir, options.project_root, sink)
    _stop_if_failed(sink, False)
    theme = themes.load_theme(options.theme or book.theme, options.templates_dir, options.project_root, sink,
                              book.fonts, book_dir=options.content_dir)
    chosen = _chosen_variants(book, options.variants, sink)
    _stop_if_failed(sink, False)
    return book, theme, chosen


def _chosen_variants(book: BookConfig, wanted: tuple[str, ...], sink: Sink) -> list[VariantConfig]:
    known = {v.name for v in book.variants}
    for name in wanted:
        if name not in known:
            sink.error(f"no variant '{name}' in {relative(book.path, book.content_dir.parent)}",
                       None, f"variants: {', '.join(sorted(known))}")
    return [v for v in book.variants if not wanted or v.name in wanted]


# -- reading ---------------------------------------------------------------------------------
def read_edition(book: BookConfig, config: VariantConfig, options: BuildOptions, sink: Sink,
                 phrases: dict[str, str] | None = None, memo: FileMemo | None = None) -> Edition | None:
    """Sources of one edition (hand-written or derived), checked, parsed and modelled (``memo``: purity
    checks and chapter models of earlier builds; ``phrases``: the book's phrase list when not given)."""
    if phrases is None:
        phrases = load_phrases(book, options.project_root, sink).get(config.name, {})
    try:
        loc = locale.parse_locale(config.locale)
        style = variants.punctuation(config.punctuation)
    except ValueError as exc:
        sink.error(str(exc), config.pos)
        return None
    sources = load_sources(book, config, options.project_root, sink, phrases or {})
    idents = [f"c{number:02d}" for number in range(1, len(sources) + 1)]
    if memo is not None:
        parse_ahead(sources, idents, memo)
    chapters = []
    for source, ident in zip(sources, idents):
        variants.check_source(source, sink, loc.script, loc.territory, style, memo)
        chapters.append(chapter_of(source, ident, sink, memo))
    translations = locale.load_translations(options.templates_dir / "locale", loc, options.project_root, sink,
                                            options.cache_dir)
    meta = model.FrontMatter(config.title, config.subtitle, config.author, locale.language_tag(loc),
                             locale.long_date(book.edition, loc))
    env = templating.make_environment(options.templates_dir, config.name, translations, options.cache_dir)
    context = {
        "book": meta, "variant": config.name, "notice": config.notice,  # book.toml's small print (book.py)
        "booklet": booklet_note(book, options),  # the back cover's how-to-print note: only with a booklet
        "chapters": [{"title": c.title, "short_title": c.short_title} for c in chapters],
    }
    frame = templating.render_frame(env, context, options.project_root, sink)
    if frame is None:
        return None
    for item in frame:
        if isinstance(item, model.ChapterSlot) and not 0 <= item.index < len(chapters):
            sink.error(f"the book template asks for chapter {item.index}, but there are {len(chapters)}", item.pos)
    strings = {item.name: item.text for item in frame if isinstance(item, model.FrameString)}
    frame = tuple(item for item in frame if not isinstance(item, model.FrameString))
    document = model.Document(config.name, meta, frame, tuple(chapters), compress=style.compress, strings=strings)
    document = figures.complete(document, sources, translations.gettext, options.content_dir, options.project_root,
                                sink)
    sheet = None
    if options.fill or "worksheet" in (options.outputs or book.outputs):
        from .worksheet import read_sheet

        derive = lambda *args: derive_source(*args, phrases=phrases or {})  # noqa: E731 -- the book's phrases too
        sheet = read_sheet(book, config, options.project_root, sink, loc, style, translations.gettext, derive, memo)
    return Edition(config, document, tuple(sources), sheet)


def chapter_of(source: content.Source, ident: str, sink: Sink, memo: FileMemo | None = None) -> model.Chapter:
    """A source parsed and modelled, or taken from ``memo`` with the diagnostics it gave then: a chapter
    is a function of its source alone (and of the code), so its model is kept by their digest."""
    key = _chapter_key(source, ident) if memo is not None else None
    remembered = memo.get(key) if memo is not None else None
    if remembered is None:
        remembered = _parse_chapter(source, ident)
        if memo is not None:
            memo.put(key, remembered)
    chapter, found = remembered
    for diagnostic in found:
        sink.add(diagnostic)
    return chapter


PARALLEL_PARSE_MIN = 200_000  # characters of Markdown to parse before a second process pays for itself


def parse_ahead(sources: list[content.Source], idents: list[str], memo: FileMemo) -> None:
    """A big book's first build (its chapters not in ``memo``): half of them are parsed in a forked process
    while this one parses the other half, into ``memo``, where :func:`chapter_of` then finds them all, in
    order. (Markdown is a sixth of the first build of a 1,271-page book.)"""
    if sum(len(source.text) for source in sources) < PARALLEL_PARSE_MIN:
        return  # a book of usual size: no digest is computed twice
    missing = [(source, ident) for source, ident in zip(sources, idents) if memo.get(_chapter_key(source, ident))
               is None]
    if sum(len(source.text) for source, _ in missing) < PARALLEL_PARSE_MIN:
        return

    def parse(chunk: list) -> list:
        return [(_chapter_key(source, ident), _parse_chapter(source, ident)) for source, ident in chunk]

    for entries in in_parallel(parse, [missing[0::2], missing[1::2]]):
        for key, remembered in entries:
            memo.put(key, remembered)


def _chapter_key(source: content.Source, ident: str) -> bytes:
    return stamps.digest("chapter", source, ident).encode()


def _parse_chapter(source: content.Source, ident: str) -> tuple[model.Chapter, list[Diagnostic]]:
    local = Sink()
    chapter = model.build_chapter(markup.parse_markdown(source.text), source, local, ident)
    return chapter, local.items


def derive_files(options: BuildOptions, force: bool = False) -> tuple[list[Path], list[Diagnostic]]:
    """Write the derived chapters (and worksheet) of every edition that has 'opencc' into its folder, for
    an editor to review and keep; existing files are kept unless ``force``. Returns files and notes."""
    sink = Sink()
    book = load_book(options.content_dir, options.project_root, sink)
    _stop_if_failed(sink, False)
    phrases = load_phrases(book, options.project_root, sink)
    origin = book.variant(book.source_variant)
    names = content.chapter_names(origin.folder) + [content.WORKSHEET] * (origin.folder / content.WORKSHEET).is_file()
    jobs = []
    for config in _chosen_variants(book, options.variants, sink):
        if config.name == origin.name or not config.opencc:
            continue
        for name in names:
            target = config.folder / name
            if force or not target.exists():
                jobs.append((config, name, target))
    _stop_if_failed(sink, False)
    written = []
    for config, name, target in jobs:
        source_path = origin.folder / name
        shown = relative(source_path, options.project_root)
        text = content.decode(source_path.read_bytes(), shown, sink)
        if text is None:
            continue
        derived = derive_text(text, config, origin.name, phrases.get(config.name, {}),
                              lambda line, col: SourcePos(shown, line, col), sink)
        if derived is not None:
            write_atomically(target, derived.encode("utf-8"))
            written.append(target)
    _stop_if_failed(sink, False)
    return written, sink.warnings + sink.notes  # suspicious conversions are warnings


# -- making ----------------------------------------------------------------------------------
def prepare(edition: Edition, theme, options: BuildOptions, sink: Sink, layouts: LineCache | None = None):
    """The handbook's fonts (every character covered, every block fits the page), and the same checks of
    the worksheet; the handbook's FontFiles, or None after reporting why not."""
    if edition.worksheet is not None:
        glyphs.sheet_fonts_for(edition.worksheet, edition.config, theme, options, sink)
    return glyphs.fonts_for(edition.document, edition.sources, edition.config, theme, options, sink, layouts)


def make_outputs(edition: Edition, book: BookConfig, theme, outputs, options: BuildOptions, sink: Sink,
                 timings: dict) -> dict[Path, bytes]:
    started = time.perf_counter()
    name = edition.config.name
    folder = options.output_dir / name
    files = {}
    if edition.worksheet is not None and (options.fill or "worksheet" in outputs):
        from . import worksheet

        made = worksheet.outputs(edition.worksheet, edition.config, theme, options, folder, sink,
                                 {variant.name: variant.locale for variant in book.variants})
        files.update(made)
        timings[f"{name}:worksheet"] = time.perf_counter() - started
        timings.update({str(path): timings[f"{name}:worksheet"] / max(1, len(made)) for path in made})
        if options.fill or not {"handbook", "booklet"} & set(outputs):
            return files
    started = time.perf_counter()
    layouts = LineCache(options.cache_dir / f"lines-{name}.bin")  # paragraph layouts, kept between builds
    fonts = glyphs.fonts_for(edition.document, edition.sources, edition.config, theme, options, sink, layouts)
    if fonts is None:
        return files
    timings[f"{name}:fonts"] = time.perf_counter() - started
    from .typeset.layout import typeset

    started = time.perf_counter()
    reading = typeset(edition.document, theme, fonts, line_cache=layouts, epoch=options.epoch,
                      cache_dir=options.cache_dir)
    timings[f"{name}:typeset"] = time.perf_counter() - started
    if "handbook" in outputs:
        files[folder / "handbook.pdf"] = reading
        timings[str(folder / "handbook.pdf")] = timings[f"{name}:fonts"] + timings[f"{name}:typeset"]
    if "booklet" in outputs:
        from .booklet import MM, ImposeOptions, impose, page_scale

        started = time.perf_counter()
        settings = booklet_settings(book)
        hint = edition.document.strings[f"print_hint_{settings['duplex']}"] if settings["duplex"] in (
            "short-edge", "long-edge") else None
        try:
            imposing = ImposeOptions(**settings, subject=hint)
        except ValueError as exc:
            sink.error(f"[booklet] {exc}", SourcePos(relative(book.path, options.project_root)))
            return files
        width, height = theme.page["width_mm"], theme.page["height_mm"]
        scale = page_scale(width * MM, height * MM, imposing.paper)
        if scale < 0.99:  # a page larger than half the sheet: every size on it shrinks, silently otherwise
            sink.warning(f"the booklet prints the book's {width:g} × {height:g} mm pages at {scale:.0%}: they are "
                         f"larger than half a sheet of {imposing.paper}",
                         SourcePos(relative(book.path, options.project_root)),
                         "for a booklet at actual size, use pages of at most 148 × 210 mm (A5) on A4")
        files[folder / "handbook-booklet.pdf"] = impose(reading, imposing)
        timings[f"{name}:booklet"] = timings[str(folder / "handbook-booklet.pdf")] = time.perf_counter() - started
    return files


def output_digests(edition: Edition, book: BookConfig, theme, options: BuildOptions) -> dict[str, tuple[Path, str]]:
    """For each output of an edition that can be skipped when unchanged: (its path, a digest of its inputs).
    Pre-filled worksheets are always made."""
    if options.fill:
        return {}
    folder = options.output_dir / edition.config.name
    fontset = theme.fontsets.get(edition.config.fontset)
    fonts = [fontset, fontset and faces.family_identity(fontset.family, [options.content_dir / "fonts"],
                                                            system=fontset.system, cache_dir=options.cache_dir)]
    # A chapter is a function of its source (see chapter_of): digesting the sources is the same, and quicker.
    handbook = stamps.digest("handbook", replace(edition.document, chapters=()), edition.sources, theme, fonts,
                             options.epoch)
    digests = {
        "handbook": (folder / "handbook.pdf", handbook),
        "booklet": (folder / "handbook-booklet.pdf", stamps.digest("booklet", handbook, book.booklet)),
    }
    if edition.worksheet is not None:
        digests["worksheet"] = (folder / "worksheet.pdf", stamps.digest("worksheet", edition.worksheet, edition.config,
                                                                        theme, fonts, options.epoch))
    return digests
