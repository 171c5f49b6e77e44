"""Every private Textual API newsreader relies on, in one module.

Textual promises nothing about names that start with `_`; each one used is reached through a
named function here, and tests/test_compat.py checks each against the installed Textual and
names the internal that changed. A missing internal degrades the feature, never the start-up.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from textual.app import App
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, OptionList
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
