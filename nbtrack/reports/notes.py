"""A report's markdown notes as HTML, with raw HTML disabled.

markdown-it-py in its CommonMark preset with ``html=False``: HTML tags written in the
notes come out as escaped text, and its link validation refuses ``javascript:``,
``vbscript:``, ``file:`` and non-image ``data:`` URLs. Links open in a new tab without
an opener. Images are written as links (a report never loads anything from the
network).
"""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml


def _link_open(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    tokens[idx].attrSet("target", "_blank")
    tokens[idx].attrSet("rel", "noopener noreferrer")
    return self.renderToken(tokens, idx, options, env)


def _image_as_link(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    alt = escapeHtml(token.content or "image")
    href = escapeHtml(str(token.attrGet("src") or ""))
    return f'<a href="{href}" target="_blank" rel="noopener noreferrer">[image: {alt}]</a>'


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("image", _image_as_link)
    return md


_MD = _parser()


def render_notes(text: str | None) -> str:
    """HTML for markdown ``text`` (raw HTML in it is shown as text)."""
    if not text:
        return ""
    return _MD.render(str(text))
