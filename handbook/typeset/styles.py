"""Semantic style names -> concrete block specs, from the theme.

The model speaks of 'body', 'h2', 'note', 'cover.title'; only this module knows what they look like.
Font roles are 'regular' and 'bold'; :mod:`layout` maps them to the registered font names.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..theme import Theme


@dataclass(frozen=True)
class BlockSpec:
    role: str  # font role: 'regular' | 'bold'
    size: float
    leading: float
    color: str
    align: str = "justify"  # 'justify' | 'left' | 'center' | 'right'
    first_indent: float = 0.0
    left_indent: float = 0.0
    right_indent: float = 0.0
    space_before: float = 0.0
    space_after: float = 0.0
    compress: str = "none"  # punctuation compression of the edition (see cjk.py)

    def indented(self, left: float) -> "BlockSpec":
        return replace(self, left_indent=self.left_indent + left)


def style_table(theme: Theme, compress: str = "none") -> dict[str, BlockSpec]:
    """Every named style the typesetter uses, for an edition with the given punctuation compression."""
    return {name: replace(spec, compress=compress) for name, spec in _styles(theme).items()}


def _styles(theme: Theme) -> dict[str, BlockSpec]:
    body = theme.body
    size, leading = body["size"], body["leading"]
    heads, small, colors = theme.headings, theme.small, theme.colors
    text, accent, muted = colors["text"], colors["accent"], colors["muted"]
    base = BlockSpec("regular", size, leading, text, "justify", body["indent_em"] * size,
                     space_after=body["paragraph_space"])
    flush = replace(base, first_indent=0.0)
    note = BlockSpec("regular", small["note_size"], small["note_size"] * 1.6, text, "justify")
    cell = BlockSpec("regular", small["table_size"], small["table_size"] * 1.55, text, "left")
    return {
        "body": base,
        "list": flush,
        "quote": replace(flush, color=muted, left_indent=2 * size),
        "code": replace(flush, align="left", left_indent=size, space_before=0.5 * leading,  # shaded blocks apart
                        space_after=max(0.5 * leading, body["paragraph_space"])),
        "h1": BlockSpec("bold", heads["h1_size"], heads["h1_size"] * 1.45, text, "left",
                        space_before=0, space_after=2),
        "h2": BlockSpec("bold", heads["h2_size"], heads["h2_size"] * 1.5, text, "left",
                        space_before=heads["space_before"], space_after=heads["space_after"]),
        "h3": BlockSpec("bold", heads["h3_size"], heads["h3_size"] * 1.5, text, "left",
                        space_before=heads["space_before"] * 0.7, space_after=heads["space_after"] * 0.6),
        "note": note,
        "caption": replace(note, align="center", space_after=2),
        "caption.side": replace(note, align="left", role="bold", space_after=2),
        "caption.url": replace(note, align="left", color=muted),
        "cell": cell,
        "cell.head": replace(cell, role="bold"),
        "toc.title": BlockSpec("bold", heads["h1_size"], heads["h1_size"] * 1.45, text, "left",
                               space_after=heads["h1_size"] * 1.2),
        "toc.1": BlockSpec("bold", size, leading * 1.25, text, "left", right_indent=3 * size),
        "toc.2": BlockSpec("regular", size * 0.92, leading * 0.95, muted, "left", left_indent=2 * size,
                           right_indent=3 * size),
        "running": BlockSpec("regular", small["head_size"], small["head_size"] * 1.4, muted, "left"),
        "folio": BlockSpec("regular", small["folio_size"], small["folio_size"] * 1.4, muted, "center"),
        "cover.title": BlockSpec("bold", heads["h1_size"] * 1.75, heads["h1_size"] * 2.3, text, "center",
                                 space_after=size),
        "cover.subtitle": BlockSpec("regular", heads["h2_size"], heads["h2_size"] * 1.6, muted, "center",
                                    space_after=size),
        "cover.author": BlockSpec("regular", size, leading, text, "center"),
        "cover.edition": BlockSpec("regular", size, leading, muted, "center"),
        "plain": replace(flush, align="left"),
        "plain.center": replace(flush, align="center"),
        "plain.small": replace(note, align="left", color=muted),
        "plain.heading": BlockSpec("bold", heads["h2_size"], heads["h2_size"] * 1.5, text, "left",
                                   space_after=heads["space_after"]),
        "accent": replace(base, color=accent),
    }
