"""PyYAML, in one place: YAML front matter of chapters, and YAML data files read as events.

Why events for data files: PyYAML's constructors build values before any check of ours runs
(``2026-02-30`` ends in ValueError, ``010`` becomes 8, an alias bomb expands), so :func:`compose` reads
the parser's events into :class:`Node` trees with lines and constructs nothing. libyaml (PyYAML's C
loader) is used where it is built: ten times the speed of the Python one.
"""
from __future__ import annotations

from dataclasses import dataclass

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: parses 10 MB in a few hundredths of a second
_NULL = {"", "~", "null", "Null", "NULL"}


class YamlError(Exception):
    """A problem in a YAML text, at a 1-based line of that text."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message, self.line = message, line


def load_block(block: str):
    """The value of a small YAML block (front matter), by PyYAML's safe loader; YamlError at its line.
    A block libyaml rejects is parsed again by the Python loader, whose messages are clearer."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(block, Loader=fast)  # noqa: S506 -- CSafeLoader is the safe loader
        except yaml.YAMLError:
            pass
    try:
        return yaml.safe_load(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise YamlError(getattr(exc, "problem", None) or str(exc), mark.line + 1 if mark else 0) from None


@dataclass
class Node:
    """A node of a data document (YAML, or JSON read the same way) with the line it starts on."""

    kind: str  # "scalar" | "map" | "seq"
    line: int
    value: object = None  # scalar: str (JSON: or bool), None for null; map: [(key node, value node)]; seq: [nodes]
    merge: bool = False  # the YAML merge key '<<'




def compose(text: str, max_depth: int) -> Node:
    """The top node of a YAML text, from PyYAML's events: nothing is constructed, nothing expanded."""
    loader = _LOADER(text)
    try:
        return _compose(loader, max_depth)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlError(f"invalid YAML: {exc.problem or exc.context or 'syntax error'}",
                        mark.line + 1 if mark else 1) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        before = text.encode("utf-8")[:exc.position] if _LOADER is not yaml.SafeLoader else text[:exc.position]
        raise YamlError(f"invalid YAML: {exc.reason}", before.count(b"\n" if isinstance(before, bytes) else "\n") + 1) \
            from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {getattr(exc, 'problem', None) or 'syntax error'}", 1) from None
    finally:
        loader.dispose()


def _compose(loader, max_depth: int) -> Node:
    """The top node of the one document. A list or mapping below max_depth is refused at once (so that
    deep nesting costs nothing); an alias is the node its anchor names (shared, never copied)."""
    anchors: dict[str, Node] = {}
    stack: list[list] = []  # open collections: [node, key waiting for its value (maps)]
    top, documents = None, 0
    while loader.check_event():
        event = loader.get_event()
        line = event.start_mark.line + 1 if event.start_mark else 1
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise YamlError("fill data must be one YAML document (this is a second one)", line)
            continue
        if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
            continue
        if isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= max_depth:
                raise YamlError("nested too deeply: a field takes one value, not a list or mapping", line)
            node = Node("map" if isinstance(event, yaml.MappingStartEvent) else "seq", line, [])
            if event.anchor:
                anchors[event.anchor] = node
            stack.append([node, None])
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            node = stack.pop()[0]
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                raise YamlError("an alias ('*') names no anchor ('&') written before it", line)
            node = anchors[event.anchor]
        else:
            null = (event.tag in (None, "!") and event.implicit[0] and event.value in _NULL
                    or event.tag == "tag:yaml.org,2002:null")
            node = Node("scalar", line, None if null else event.value,
                         merge=event.value == "<<" and event.tag is None and event.implicit[0])
            if event.anchor:
                anchors[event.anchor] = node
        if not stack:
            top = node
        elif stack[-1][0].kind == "seq":
            stack[-1][0].value.append(node)
        elif stack[-1][1] is None:
            stack[-1][1] = node
        else:
            stack[-1][0].value.append((stack[-1][1], node))
            stack[-1][1] = None
    if top is None:
        raise YamlError("the YAML file is empty: write one record (field: value lines) or a list of them", 1)
    return top
