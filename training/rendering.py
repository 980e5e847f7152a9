"""Markdown to safe HTML: markdown-it-py with raw HTML off, then nh3 (an allow-list sanitiser).

Two layers on purpose: markdown-it-py escapes raw HTML in the source (``html=False``), and nh3
removes anything a future option or plugin might let through (scripts, event handlers,
``javascript:`` links).
"""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
TAGS = {"p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote",
        "a", "img", "table", "thead", "tbody", "tr", "th", "td", "hr"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}


def markdown_html(source: str) -> SafeString:
    html = _markdown.render(source or "")
    return mark_safe(nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},  # noqa: S308
                               link_rel="noopener noreferrer"))
