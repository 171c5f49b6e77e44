"""Focus that keys typed in one burst can rely on.

`Widget.focus()` moves the focus only after the messages already queued, so the keys typed
right after the key that opens an input would still reach the pane behind it (and run its
commands). Keys that open an input are priority bindings (run by the app before it hands
the next key on) and focus with `focus_now`; while an input has the keys they step aside
(`not_while_typing`) so the letter is typed instead.
"""

from __future__ import annotations

from textual.actions import SkipAction
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import Input


def focus_now(widget: Widget) -> None:
    """Give `widget` the keys before the next key is delivered."""
    widget.screen.set_focus(widget)


def typing_in_input(node: DOMNode) -> bool:
    """True while an input of the node's screen has the keys: letters are text then."""
    screen = getattr(node, "screen", None)
    return screen is not None and isinstance(screen.focused, Input)


def not_while_typing(node: DOMNode) -> None:
    """In a priority action: let the key through to the focused input instead."""
    if typing_in_input(node):
        raise SkipAction()
