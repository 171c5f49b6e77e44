"""The health view (i): how each feed has been doing, and what to do about the ones that
are not well. The same figures as `newsreader health`."""

from __future__ import annotations

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


def health_lines(report: list[FeedHealth]) -> Content:
    lines: list[Content] = []
    for h in sorted(report, key=lambda h: (not h.advice, h.feed.title.casefold())):
        feed = h.feed
        status = str(feed.last_status) if feed.last_status is not None else "never fetched"
        ratio = f"{h.not_modified_ratio:.0%}" if h.not_modified_ratio is not None else "-"
        due = h.next_due.astimezone().strftime("%d %b %H:%M") if h.next_due else "-"
        lines.append(Content.from_markup("[b]$t[/]", t=clean_line(feed.title, 80)))
        lines.append(
            Content.from_markup(
                "  [dim]last $status · 304s $ratio · $kb KB in $n fetches · $week/week · next $due",
                status=status,
                ratio=ratio,
                kb=f"{h.bytes_downloaded / 1024:.0f}",
                n=str(h.fetches),
                week=f"{h.entries_per_week:.1f}",
                due=due,
            )
        )
        for advice in h.advice:
            lines.append(Content.from_markup("  [$text-warning]• $a[/]", a=clean_line(advice, 300)))
    if not lines:
        lines.append(Content("No feeds yet."))
    return Content("\n").join(lines)


class HealthScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,i", "dismiss", "Close", show=False)]

    def __init__(self, store: Store, default_minutes: int) -> None:
        super().__init__()
        self.store = store
        self.default_minutes = default_minutes

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="health-body") as body:
            body.border_title = "Feed health"
            body.border_subtitle = "Escape closes"
            yield Static(Content("Reading the fetch log…"), id="health-text")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exit_on_error=False)
    def load(self) -> None:
        report = feed_health(self.store, self.default_minutes)
        self.app.call_from_thread(
            self.query_one("#health-text", Static).update, health_lines(report)
        )
