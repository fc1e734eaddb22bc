"""The sources of an edition: its hand-written chapters with their overrides resolved, and the chapters
it lacks derived from the source edition (:mod:`variants` converts; this module reads the files and
reports every problem and every conversion to review at its place)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from . import content, variants
from .book import BookConfig, VariantConfig
from .diagnostics import Sink, SourcePos, relative


def load_sources(book: BookConfig, config: VariantConfig, root: Path, sink: Sink,
                 phrases: dict[str, str] | None = None) -> list[content.Source]:
    """The chapters of an edition; a chapter missing here is derived from the source edition.
    Overrides (``-{zh-Hans:…;zh-Hant:…}-``) are resolved for this edition."""
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
            source = resolve_overrides(content.read_source(path, root, sink), config.name, sink)
        else:
            source = derive_source(book, config, source_config, name, root, sink, phrases)
        if source is not None:
            sources.append(source)
    return sources


def resolve_overrides(source: content.Source | None, variant: str, sink: Sink) -> content.Source | None:
    """A hand-written file with each ``-{…}-`` replaced by this edition's text."""
    if source is None or "-{" not in source.text:
        return source
    try:
        return replace(source, text=variants.resolve_overrides(source.text, variant))
    except variants.OverrideError as exc:
        sink.error(str(exc), source.pos(*variants.line_col(source.text, exc.offset)))
        return None


def derive_source(book, config, source_config, name, root, sink, phrases=None) -> content.Source | None:
    """A chapter converted from the source edition (overrides and phrases, OpenCC, this edition's
    quotes); each one-to-many character OpenCC decided alone becomes a note for review."""
    origin = source_config.folder / name
    shown_target = relative(config.folder / name, root)
    if not config.opencc:
        sink.error(f"chapter missing in variant '{config.name}' and the variant has no 'opencc' to derive it",
                   SourcePos(shown_target), f"write {shown_target}, or set opencc in book.toml")
        return None
    original = content.read_source(origin, root, sink)
    if original is None:
        return None
    text = derive_text(original.text, config, source_config.name, phrases, original.pos, sink)
    if text is None:
        return None
    meta = {k: variants.derive(v, config.opencc, variants.punctuation(config.punctuation), config.name,
                               source_config.name, phrases)[0] for k, v in original.meta.items()}
    return content.Source(name, original.shown, text, original.first_line, meta, derived_from=original.shown)


def derive_text(text: str, config: VariantConfig, source_name: str, phrases: dict[str, str] | None, pos_of,
                sink: Sink) -> str | None:
    """``text`` of the source edition converted for ``config``'s edition (overrides and phrases, OpenCC,
    its quotes), each conversion to review reported at ``pos_of(line, col)``; None after an error."""
    try:
        derived, reviews = variants.derive(text, config.opencc, variants.punctuation(config.punctuation),
                                           config.name, source_name, phrases)
    except variants.OverrideError as exc:
        sink.error(str(exc), pos_of(*variants.line_col(text, exc.offset)))
        return None
    except ValueError as exc:  # the edition's OpenCC configuration
        sink.error(str(exc), config.pos)
        return None
    note_reviews(reviews, text, config.name, pos_of, sink)
    return derived


def note_reviews(reviews, text: str, variant: str, pos_of, sink: Sink) -> None:
    """One diagnostic per conversion to review, at its place in the source edition's file: a note, or a
    warning for a suspicious one (variants.Review, variants.PhraseReview). A character decided the same
    way again in the file is counted in its first note, with the lines (a chapter has dozens of 准 -> 準)."""
    groups: dict[tuple, list] = {}
    for review in reviews:
        key = (review.char, review.chosen) if isinstance(review, variants.Review) else (review.offset, review.source)
        groups.setdefault(key, []).append(review)
    for first, *more in groups.values():
        line, col = variants.line_col(text, first.offset)
        message = first.message(text, variant)
        if more:
            lines = sorted({pos_of(*variants.line_col(text, review.offset)).line for review in more})
            message += (f"; the same {len(more)} more time{'s' if len(more) > 1 else ''} in this file "
                        f"(line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))})")
        getattr(sink, first.severity)(message, pos_of(line, col), first.hint)
