"""Every private Textual API newsreader relies on, in one module.

Textual promises nothing about names that start with `_`; each one used is reached through a
named function here, and tests/test_compat.py checks each against the installed Textual and
names the internal that changed. A missing internal degrades the feature, never the start-up.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from textual.message import Message
from textual.widgets import Footer

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
