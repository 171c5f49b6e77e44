"""The find-in-article box (ctrl+f): typing finds, Enter / down go on, up goes back."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input


class FindBox(Input):
    BINDINGS = [
        Binding("down", "screen.find_next", "Next match", show=False),
        Binding("up", "screen.find_previous", "Previous match", show=False),
    ]
