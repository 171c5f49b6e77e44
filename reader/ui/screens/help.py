"""The `?` screen: every key of the screen it was opened from, grouped by where it works, in
three aligned columns (keys, what they do, the id `[keys]` in the config remaps it by)."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from reader.ui.bindings import KeyGroup, gather

KEY_WIDTH_MAX = 22
"""Wider key lists wrap inside their column."""


def key_table(group: KeyGroup, key_width: int, id_width: int) -> Table:
    """One group as a table whose columns line up with every other group's."""
    table = Table.grid(padding=(0, 2), expand=True)
    table.add_column(width=key_width, no_wrap=False, style="bold")
    table.add_column(ratio=1, overflow="fold")
    table.add_column(width=id_width, no_wrap=True, style="dim")
    for row in group.rows:
        table.add_row(Text(row.label), Text(row.description), Text(row.binding_id or ""))
    return table


class HelpScreen(ModalScreen[None]):
    """Lists the keys of the screen below it; scrolls; Escape, q or ? close it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", show=False),
    ]

    def __init__(self, source: Screen[Any] | None = None) -> None:
        """`source`: the screen whose keys to list (default: the one this opens over)."""
        super().__init__()
        self.source = source

    def _source(self) -> Screen[Any]:
        if self.source is not None:
            return self.source
        stack = [s for s in self.app.screen_stack if s is not self]
        return stack[-1]

    def compose(self) -> ComposeResult:
        groups = gather(self._source())
        rows = [row for group in groups for row in group.rows]
        key_width = min(KEY_WIDTH_MAX, max((len(r.label) for r in rows), default=8))
        id_width = max([len("id for [keys]")] + [len(r.binding_id or "") for r in rows])
        header = Table.grid(padding=(0, 2), expand=True)
        header.add_column(width=key_width)
        header.add_column(ratio=1)
        header.add_column(width=id_width)
        header.add_row(Text("key"), Text("what it does"), Text("id for [keys]"))
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Keys"
            body.border_subtitle = "Escape, q or ? closes · ↑ ↓ PgUp PgDn scroll"
            body.can_focus = True
            yield Static(header, classes="help-header")
            for group in groups:
                yield Static(Content(group.title), classes="help-group")
                yield Static(key_table(group, key_width, id_width), classes="help-keys")
            yield Static(
                Content(
                    'Remap a key in the config: [keys] with id = "key" '
                    '(several: "j,down"); `newsreader config edit` opens it.'
                ),
                classes="help-note",
            )

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
