"""Every use of Textual's private API, in one place, each behind a named function.

Textual (8.2.8) keeps some things we need out of its public API: the Markdown widget's
blocks and how it marks links inside them. Each function says what it relies on;
tests/test_compat.py fails loudly when an upgrade changes any of it.
"""

from __future__ import annotations

import ast

from textual.content import Content
from textual.style import Style
from textual.widget import Widget

# ----------------------------------------------------------------- Markdown links


def block_content(block: Widget) -> Content | None:
    """The text of a Markdown block (a paragraph, a heading, a list item's line…).

    Relies on `MarkdownBlock._content`, the Content it renders; None for a block without
    text of its own (a list, a quote, a table: their inner blocks have it)."""
    content = getattr(block, "_content", None)
    return content if isinstance(content, Content) and content.plain else None


def set_block_content(block: Widget, content: Content) -> None:
    """Show other text in a Markdown block (`MarkdownBlock.set_content`)."""
    block.set_content(content)  # type: ignore[attr-defined]


LINK_ACTION_PREFIX = "link("
"""How a Markdown block marks a link: a span whose style has `@click` meta `link('href')`
(`MarkdownBlock._token_to_content`); a click runs the block's `action_link(href)`."""


def content_links(content: Content) -> list[tuple[int, int, str]]:
    """The links in a Markdown block's text: (start, end, href) in order."""
    links: list[tuple[int, int, str]] = []
    for span in content.spans:
        style = span.style
        if not isinstance(style, Style):
            continue
        action = style.meta.get("@click", "")
        if not isinstance(action, str) or not action.startswith(LINK_ACTION_PREFIX):
            continue
        try:
            href = ast.literal_eval(action[len(LINK_ACTION_PREFIX) : -1])
        except (ValueError, SyntaxError):
            continue
        if isinstance(href, str):
            links.append((span.start, span.end, href))
    return sorted(links)
