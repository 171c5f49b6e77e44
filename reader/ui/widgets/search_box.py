"""The search box (/): typing searches; Enter goes to the results; ctrl+s saves the search."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input


class SearchBox(Input):
    BINDINGS = [
        Binding("ctrl+s", "screen.save_search", "Save search", show=False),
    ]
