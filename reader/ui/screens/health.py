"""The health view (i): how each feed has been doing, and what to do about the ones that
are not well. The same figures as `newsreader health`."""

from __future__ import annotations

import time
from datetime import datetime

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


def _last_reply(status: int | None) -> str:
    if status is None:
        return "never fetched"
    if status == 304:
        return "last reply 304 (unchanged)"
    return f"last reply {status}"


def _due(next_due: datetime | None, now: float) -> str:
    if next_due is None:
        return "not scheduled"
    if next_due.timestamp() <= now:
        return "due now"
    return "next " + next_due.astimezone().strftime("%d %b %H:%M")


def health_lines(report: list[FeedHealth], now: float) -> Content:
    """Each feed: its title, its figures in words, then advice (feeds that need it first).
    Titles, errors and advice are plain text."""
    lines: list[Content] = []
    for h in sorted(report, key=lambda h: (not h.advice, h.feed.title.casefold())):
        feed = h.feed
        if h.not_modified_ratio is None:
            unchanged = "no replies yet"
        else:
            unchanged = f"unchanged in {h.not_modified_ratio:.0%} of replies"
        fetches = f"{h.fetches} fetch" + ("" if h.fetches == 1 else "es")
        lines.append(Content.from_markup("[b]$t[/]", t=clean_line(feed.title, 80)))
        figures = " · ".join(
            [
                _last_reply(feed.last_status),
                unchanged,
                f"{h.bytes_downloaded / 1024:.0f} KB in {fetches}",
                f"{h.entries_per_week:.1f} entries a week",
                _due(h.next_due, now),
            ]
        )
        lines.append(Content.from_markup("  [dim]$figures", figures=figures))
        for advice in h.advice:
            lines.append(Content.from_markup("  [$text-warning]• $a[/]", a=clean_line(advice, 300)))
    if not lines:
        lines.append(Content("No feeds yet."))
    return Content("\n").join(lines)


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
        self.app.call_from_thread(
            self.query_one("#health-text", Static).update, health_lines(report, now)
        )
