"""The sync accounts view (Y): each account, when it last synced, a failure next to it with
its reason, and the feeds that belong to it. R syncs every account (with the refresh)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.config import Settings
from reader.store import Store
from reader.sync.engine import SyncReport
from reader.sync.overview import Line, account_lines


@dataclass
class SyncFinished(Message):
    """The accounts synced by R (or the auto-refresh), with what each did."""

    reports: list[SyncReport]


class AccountsScreen(ModalScreen[None]):
    """Scrolls (its body has focus); Escape, q or Y close it."""

    BINDINGS = [Binding("escape,q,Y", "dismiss", "Close", show=False)]

    def __init__(self, store: Store, settings: Settings) -> None:
        super().__init__()
        self.store = store
        self.settings = settings

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="accounts-body") as body:
            body.border_title = "Sync accounts"
            body.border_subtitle = "Escape closes · R syncs"
            yield Static(Content("Reading the accounts…"), id="accounts-text")

    def on_mount(self) -> None:
        self.query_one("#accounts-body").focus()
        self.load()

    @work(thread=True, exit_on_error=False)
    def load(self) -> None:
        lines = account_lines(self.store, self.settings)
        self.app.call_from_thread(self._show, lines)

    def _show(self, lines: list[Line]) -> None:
        body = self.query_one("#accounts-body", VerticalScroll)
        self.query_one("#accounts-text", Static).remove()
        body.mount_all(
            Static(Content(line.text), classes=f"accounts-{line.kind}") for line in lines
        )
