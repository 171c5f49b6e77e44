"""Every use of Textual's private API, in one place, each behind a named function.

Textual (8.2.8) keeps some things we need out of its public API: the Markdown widget's
blocks and how it marks links inside them. Each function says what it relies on;
tests/test_compat.py fails loudly when an upgrade changes any of it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from markdown_it.token import Token
from textual.content import Content
from textual.style import Style
from textual.widget import Widget
from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownHeader
from textual.widgets.markdown import MarkdownBlock, TableOfContentsType

__all__ = [
    "MarkdownBlock",
    "MarkdownHeader",
    "begin_markdown_document",
    "block_content",
    "block_text",
    "build_markdown_blocks",
    "content_links",
    "heading_level",
    "set_block_content",
    "set_table_of_contents",
]

# ----------------------------------------------------------------- Markdown documents
# `Markdown.update` parses and mounts a whole document in one step; ArticleBody builds the
# blocks itself, a slice at a time, so it has to do what `update` does to the widget's
# state. `MarkdownHeader` (the class of h1-h6 blocks) is only in the private module.


def build_markdown_blocks(markdown: Markdown, tokens: Iterable[Token]) -> list[MarkdownBlock]:
    """Blocks for parsed tokens, not mounted (`Markdown._parse_markdown`)."""
    return list(markdown._parse_markdown(tokens))


def begin_markdown_document(markdown: Markdown, source: str) -> None:
    """What `Markdown.update` records before building: the theme the blocks are styled
    for, the source (the public `source` property reads it) and its last line."""
    markdown._theme = markdown.app.theme
    markdown._markdown = source
    lines = source.splitlines()
    markdown._last_parsed_line = len(lines) - (1 if lines and lines[-1] else 0)


def set_table_of_contents(markdown: Markdown, toc: TableOfContentsType) -> None:
    """The headings `Markdown.table_of_contents` reports (built ahead of the blocks)."""
    markdown._table_of_contents = toc


def heading_level(block: Widget) -> int:
    """1-6 for a heading block (`MarkdownHeader.LEVEL`), 0 for any other block."""
    return block.LEVEL if isinstance(block, MarkdownHeader) else 0


def block_text(block: Widget) -> str:
    """A block's own text, plain ("" for a container block)."""
    content = block_content(block)
    return content.plain if content is not None else ""


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
