"""Jinja2 renders the frame of the book (cover, title page, contents, chapter order, back cover).

Templates emit a small XML vocabulary that becomes model nodes::

    <book>
      <page template="cover|plain"> <p style="cover.title">…</p> <space height="40"/> <rule/> </page>
      <toc title="…"/>
      <chapter index="0"/>
      <string name="print_hint_short-edge">…</string>   (text the PDFs carry outside the pages)
    </book>

Autoescaping is on, so book data cannot inject markup; undefined variables are errors
(``StrictUndefined``); ``_()`` is gettext from the variant's catalog. The search path is
``templates/<variant>/`` then ``templates/``, so an edition can override one template without an
``if`` on the variant. Content Markdown is never rendered through Jinja. This is the only module that
imports jinja2.
"""
from __future__ import annotations

import io
import sys
import xml.etree.ElementTree as etree
from pathlib import Path

import jinja2

from . import model
from .atomic import write_atomically
from .diagnostics import Sink, SourcePos, relative

BOOK_TEMPLATE = "book.xml.j2"


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache, written by our atomic writer so its files get the user's umask (Jinja's own
    writer makes them 0600)."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        out = io.BytesIO()
        bucket.write_bytecode(out)
        try:
            write_atomically(Path(self._get_cache_filename(bucket)), out.getvalue())
        except OSError:
            pass  # an unwritable cache only costs the next compile


def make_environment(templates_dir: Path, variant: str, translations, cache_dir: Path | None = None) -> jinja2.Environment:
    """Templates of the variant's folder first, then the shared ones; compiled templates are kept in
    ``cache_dir`` (Jinja's own bytecode cache, checked against each template's source)."""
    search = [templates_dir / variant, templates_dir]
    cache = None
    if cache_dir is not None:
        try:
            (cache_dir / "jinja").mkdir(parents=True, exist_ok=True)
            cache = _BytecodeCache(str(cache_dir / "jinja"))
        except OSError:
            pass  # an unwritable cache only costs the compile
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in search if p.is_dir()]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
        bytecode_cache=cache,
    )
    env.install_gettext_translations(translations, newstyle=True)
    return env


def render_frame(env: jinja2.Environment, context: dict, project_root: Path, sink: Sink) -> tuple | None:
    """Render the book template and read it into frame nodes; None (with errors in ``sink``) on failure."""
    try:
        template = env.get_template(BOOK_TEMPLATE)
        shown = relative(Path(template.filename), project_root)
        text = template.render(**context)
    except jinja2.TemplateSyntaxError as exc:
        shown = relative(Path(exc.filename), project_root) if exc.filename else exc.name or BOOK_TEMPLATE
        sink.error(f"template syntax error: {exc.message}", SourcePos(shown, exc.lineno or 0))
        return None
    except jinja2.TemplateNotFound as exc:  # the book template, or one it includes (at that line)
        where = _template_position(sys.exc_info()[2], project_root) or SourcePos(f"templates/{BOOK_TEMPLATE}")
        sink.error(f"template not found: {exc.name}", where, "templates are found in templates/ only")
        return None
    except jinja2.UndefinedError as exc:
        where = _template_position(sys.exc_info()[2], project_root)
        sink.error(f"template uses an undefined variable: {exc.message}", where)
        return None
    except Exception as exc:  # template code is the project's data too: {{ 1 / 0 }}, a filter given a wrong type
        where = _template_position(sys.exc_info()[2], project_root)
        sink.error(f"template error: {getattr(exc, 'message', None) or exc} ({type(exc).__name__})", where)
        return None
    return parse_frame(text, shown, sink)


def _template_position(traceback, project_root: Path) -> SourcePos | None:
    """Jinja rewrites tracebacks so template frames carry the template's file and line."""
    found = None
    while traceback is not None:
        code = traceback.tb_frame.f_code
        if code.co_filename.endswith(".j2"):
            found = SourcePos(relative(Path(code.co_filename), project_root), traceback.tb_lineno)
        traceback = traceback.tb_next
    return found


def parse_frame(text: str, shown: str, sink: Sink) -> tuple | None:
    try:
        root = etree.fromstring(text)
    except etree.ParseError as exc:
        line, col = exc.position
        sink.error(f"template output is not well-formed XML: {exc.msg if hasattr(exc, 'msg') else exc}",
                   SourcePos(f"{shown} (rendered)", line, col + 1))
        return None
    where = SourcePos(shown)
    items = []
    for element in root:
        if element.tag == "page":
            items.append(model.FramePage(element.get("template", "plain"), _page_blocks(element, where, sink), where))
        elif element.tag == "toc":
            items.append(model.TocSlot(element.get("title", ""), where))
        elif element.tag == "chapter":
            index = _number(element, "index", "0", where, sink)
            if index is not None:
                items.append(model.ChapterSlot(int(index), where))
        elif element.tag == "string" and element.get("name"):
            items.append(model.FrameString(element.get("name"), _unwrap("".join(element.itertext())), where))
        else:
            sink.error(f"unknown element <{element.tag}> in the book template", where)
    if all(isinstance(item, model.FrameString) for item in items):
        sink.error("the book template produced no pages", where)
    return tuple(items)


def _page_blocks(page: etree.Element, where: SourcePos, sink: Sink) -> tuple:
    blocks = []
    for element in page:
        if element.tag == "p":
            blocks.append(model.Paragraph(_spans(element), None, element.get("style", "plain")))
        elif element.tag == "space":
            height = _number(element, "height", "12", where, sink)
            if height is not None:
                blocks.append(model.Space(height))
        elif element.tag == "rule":
            blocks.append(model.Rule(where))
        else:
            sink.error(f"unknown element <{element.tag}> in a template page", where)
    return tuple(blocks)


def _number(element: etree.Element, name: str, default: str, where: SourcePos, sink: Sink) -> float | None:
    """A numeric attribute of the template's output, or None after an error naming the element."""
    value = element.get(name, default)
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not 0 <= number < 10_000 or name == "index" and not number.is_integer():
        sink.error(f"<{element.tag} {name}=\"{value}\"> in the book template: {name} must be a "
                   f"{'whole number' if name == 'index' else 'number of points'}", where)
        return None
    return number


def _spans(element: etree.Element, styles: frozenset = frozenset()) -> tuple:
    spans = []
    if element.text:
        spans.append(model.Span(element.text, styles))
    for child in element:
        extra = {"strong": "strong", "b": "strong", "em": "em"}.get(child.tag)
        spans.extend(_spans(child, styles | {extra} if extra else styles))
        if child.tail:
            spans.append(model.Span(child.tail, styles))
    return tuple(model.Span(_unwrap(s.text), s.styles) for s in spans)


def _unwrap(text: str) -> str:
    """Template indentation and line breaks inside a paragraph are layout of the template, not text."""
    if "\n" not in text:
        return text
    return model.join_soft_breaks("\n".join(line.strip() for line in text.split("\n"))).strip()
