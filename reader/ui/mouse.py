"""The mouse's back and forward buttons (8 and 9), which Textual 8 misreads.

In xterm's SGR mouse report (`ESC [ < Cb ; x ; y M` on press, `m` on release) the low two
bits of Cb are the button, +64 marks buttons 4-7 (the wheel) and +128 marks buttons 8-11:
back is Cb 128, forward 129. Terminals that report these buttons (xterm among them; many
send nothing for them, or keys instead) send exactly that. Textual's parser
(`textual._xterm_parser.XTermParser.parse_mouse_code`, 8.2.8) reads only the low bits, so
back arrives as a left click (button 1) and forward as a middle click (button 2): pressing
back would click whatever is under the pointer. `read_extra_buttons` wraps the parser so
those reports arrive as buttons 8-11; the app turns 8 and 9 into back and forward.
"""

from __future__ import annotations

import re
from typing import Any

from textual import events
from textual._xterm_parser import XTermParser

BACK_BUTTON = 8
FORWARD_BUTTON = 9
NAVIGATION_BUTTONS = {BACK_BUTTON: "back", FORWARD_BUTTON: "forward"}
"""Mouse button -> the main screen's action."""

_SGR_MOUSE = re.compile(r"\x1b\[<(\d+);(-?\d+);(-?\d+)([Mm])")
_EXTRA_BUTTONS = 128
"""Cb's flag for buttons 8-11 (64, the wheel's flag, is not set with it)."""


def read_extra_buttons() -> None:
    """Make Textual's input parser report buttons 8-11 as such (idempotent)."""
    original = XTermParser.parse_mouse_code
    if getattr(original, "_reads_extra_buttons", False):
        return

    def parse_mouse_code(self: XTermParser, code: str) -> Any:
        event = original(self, code)
        if isinstance(event, events.MouseEvent) and not isinstance(
            event, (events.MouseScrollUp, events.MouseScrollDown)
        ):
            match = _SGR_MOUSE.match(code)
            if match is not None:
                flags = int(match.group(1))
                if flags & (_EXTRA_BUTTONS | 64) == _EXTRA_BUTTONS:
                    event.button = BACK_BUTTON + (flags & 3)
        return event

    parse_mouse_code._reads_extra_buttons = True  # type: ignore[attr-defined]
    XTermParser.parse_mouse_code = parse_mouse_code  # type: ignore[method-assign]
