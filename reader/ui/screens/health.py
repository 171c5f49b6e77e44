"""The health view (i): how each feed has been doing, and what to do about the ones that
are not well. The same figures, in the same words, as `newsreader health`
(FeedHealth's text helpers), plus when each feed is next due."""

from __future__ import annotations

import time

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.health import FeedHealth, feed_health
from reader.store import Store
from reader.text import clean_line


def health_lines(report: list[FeedHealth], now: float) -> list[tuple[str, Content]]:
    """Each feed: its title, its figures in words, then advice (feeds that need it first),
    each line with its style class (`health-feed`, `health-figures`, `health-advice`: the
    latter two wrap under themselves). Titles, errors and advice are plain text."""
    lines: list[tuple[str, Content]] = []
    for h in sorted(report, key=lambda h: (not h.advice, h.feed.title.casefold())):
        lines.append(("health-feed", Content(clean_line(h.feed.title, 80))))
        figures = " · ".join((h.status_text(), h.figures_text(), h.due_text(now)))
        lines.append(("health-figures", Content(figures)))
        for advice in h.advice:
            lines.append(("health-advice", Content("• " + clean_line(advice, 300))))
    if not lines:
        lines.append(("health-figures", Content("No feeds yet.")))
    return lines


class HealthScreen(ModalScreen[None]):
    """Scrolls (its body has focus); Escape, q or i close it."""

    BINDINGS = [Binding("escape,q,i", "dismiss", "Close", show=False)]

    def __init__(self, store: Store, default_minutes: int, now: float | None = None) -> None:
        """`now`: the moment "due" is measured from (tests and snapshots fix it)."""
        super().__init__()
        self.store = store
        self.default_minutes = default_minutes
        self.now = now

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="health-body") as body:
            body.border_title = "Feed health"
            body.border_subtitle = "Escape closes · ↑ ↓ PgUp PgDn scroll"
            yield Static(Content("Reading the fetch log…"), id="health-text")

    def on_mount(self) -> None:
        self.query_one("#health-body").focus()
        self.load()

    @work(thread=True, exit_on_error=False)
    def load(self) -> None:
        now = time.time() if self.now is None else self.now
        report = feed_health(self.store, self.default_minutes, now)
        self.app.call_from_thread(self._show, health_lines(report, now))

    def _show(self, lines: list[tuple[str, Content]]) -> None:
        body = self.query_one("#health-body", VerticalScroll)
        self.query_one("#health-text", Static).remove()
        body.mount_all(Static(text, classes=kind) for kind, text in lines)
