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

from textual import events
from textual.message import Message

from reader.ui.compat import MouseCodeParser, wrap_xterm_mouse_parser

BACK_BUTTON = 8
FORWARD_BUTTON = 9
NAVIGATION_BUTTONS = {BACK_BUTTON: "back", FORWARD_BUTTON: "forward"}
"""Mouse button -> the main screen's action."""

_SGR_MOUSE = re.compile(r"\x1b\[<(\d+);(-?\d+);(-?\d+)([Mm])")
_EXTRA_BUTTONS = 128
"""Cb's flag for buttons 8-11 (64, the wheel's flag, is not set with it)."""


def _with_extra_buttons(original: MouseCodeParser) -> MouseCodeParser:
    def parse_mouse_code(parser: object, code: str) -> Message | None:
        event = original(parser, code)
        if isinstance(event, events.MouseEvent) and not isinstance(
            event, (events.MouseScrollUp, events.MouseScrollDown)
        ):
            match = _SGR_MOUSE.match(code)
            if match is not None:
                flags = int(match.group(1))
                if flags & (_EXTRA_BUTTONS | 64) == _EXTRA_BUTTONS:
                    event.button = BACK_BUTTON + (flags & 3)
        return event

    return parse_mouse_code


def read_extra_buttons() -> bool:
    """Make Textual's input parser report buttons 8-11 as such (idempotent); False when
    this Textual's parser cannot be reached (back and forward then read as clicks)."""
    return wrap_xterm_mouse_parser("extra-buttons", _with_extra_buttons)
