"""Every private Textual API newsreader relies on, in one module.

Textual promises nothing about names that start with `_`; each one used is reached through a
named function here, and tests/test_compat.py checks each against the installed Textual and
names the internal that changed. A missing internal degrades the feature, never the start-up.
The Markdown widget's blocks and how it marks links inside them are here too (ArticleBody).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from markdown_it.token import Token
from textual.app import App
from textual.content import Content
from textual.message import Message
from textual.style import Style
from textual.widget import Widget
from textual.widgets import Footer, Markdown, OptionList
from textual.widgets._markdown import MarkdownHeader
from textual.widgets.markdown import MarkdownBlock, TableOfContentsType
from textual.widgets.option_list import Option

try:
    from textual._xterm_parser import XTermParser
except ImportError:  # moved or renamed: tests/test_compat.py says which
    XTermParser = None  # type: ignore[assignment,misc]

# -- the xterm input parser (reader/ui/mouse.py) -------------------------------------------

MouseCodeParser = Callable[[object, str], Message | None]
"""`XTermParser.parse_mouse_code(self, code)`: one mouse report -> its event (or None)."""

_MOUSE_WRAPS: set[str] = set()


def wrap_xterm_mouse_parser(name: str, wrap: Callable[[MouseCodeParser], MouseCodeParser]) -> bool:
    """Replace how Textual's input parser (`textual._xterm_parser.XTermParser`) reads a mouse
    report with `wrap(original)`, once per `name`; False when that parser is not there."""
    if XTermParser is None or not callable(getattr(XTermParser, "parse_mouse_code", None)):
        return False
    if name not in _MOUSE_WRAPS:
        _MOUSE_WRAPS.add(name)
        original: MouseCodeParser = XTermParser.parse_mouse_code  # type: ignore[assignment]
        wrapped = functools.update_wrapper(wrap(original), original)  # keeps __wrapped__
        XTermParser.parse_mouse_code = wrapped  # type: ignore[method-assign,assignment]
    return True


def xterm_messages(data: str) -> list[Message]:
    """The events Textual's input parser makes of `data`, as a terminal would send it."""
    if XTermParser is None:
        raise RuntimeError("textual._xterm_parser.XTermParser is gone")
    return list(XTermParser().feed(data))


# -- the footer (reader/ui/widgets/footer.py) -------------------------------------------------


def footer_bindings_ready(footer: Footer) -> bool:
    """Whether the footer has been told its screen's bindings (`Footer._bindings_ready`);
    before that it shows no keys, so there is nothing to compare against."""
    return bool(getattr(footer, "_bindings_ready", False))


# -- the keymap (help screen, palette) and key handling (reader/ui/app.py) -------------------


def keymap_in_force(app: App[Any]) -> Mapping[str, str]:
    """The app's keymap (binding id -> comma-separated keys, in Textual's long key names),
    as `App.set_keymap` stored it: Textual has no public getter. The help screen and the
    palette show these keys instead of the defaults."""
    keymap = getattr(app, "_keymap", None)
    if not isinstance(keymap, Mapping):
        raise RuntimeError("Textual's App._keymap changed: update reader/ui/compat.py")
    return keymap


def key_was_stopped(message: Message) -> bool:
    """True once a handler called `stop()` on the message (it will bubble no further).

    Textual keeps this in `Message._stop_propagation` (8.x); the app's key serialising
    (reader/ui/app.py) needs it to know a key has been fully handled."""
    return bool(message._stop_propagation)


# -- OptionList rows redrawn in place (reader/ui/widgets/feed_list.py) ------------------------


def redraw_option_in_place(option_list: OptionList, option_id: str, prompt: Content) -> bool:
    """Give one row a new prompt without `replace_option_prompt`'s cost (it forgets every
    row's height and rendering, so the next frame measures all of them again). Only when
    the row keeps its height: it gets a new Option in OptionList's `_options`,
    `_id_to_option` and `_option_to_index` (renderings are cached by option) and its lines
    repaint. False (nothing changed) when the height differs or an internal is not there."""
    try:
        index = option_list.get_option_index(option_id)
        old = option_list._options[index]
        cache = option_list._line_cache
        height = cache.heights.get(index)
        line = cache.index_to_line.get(index)
        new = Option(prompt, id=option_id, disabled=old.disabled)
        new._divider = old._divider
        padding = option_list.get_component_styles("option-list--option").padding
        width = option_list.scrollable_content_region.width
        width -= option_list._get_left_gutter_width()
        rules: Any = option_list.styles  # Visual.get_height reads rules from the styles
        measured = option_list._get_visual(new).get_height(rules, width - padding.width)
        if height is None or line is None or measured + new._divider != height:
            return False
        option_list._options[index] = new
        option_list._id_to_option[option_id] = new
        del option_list._option_to_index[old]
        option_list._option_to_index[new] = index
    except (AttributeError, KeyError, TypeError):
        return False
    option_list.refresh_lines(line, height)
    return True


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
