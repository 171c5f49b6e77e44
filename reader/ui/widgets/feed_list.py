"""The feeds pane: one row per feed with its unread count, and its last error under it."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.models import Feed
from reader.text import clean_line


def feed_prompt(feed: Feed, busy: bool = False) -> Content:
    """Unread count, then the title (newsboat's order, so counts line up); the last error below."""
    title = clean_line(feed.title, 200) or clean_line(feed.url, 200)
    count = (
        Content.from_markup("[$accent b]$n[/] ", n=f"{feed.unread:>4}")
        if feed.unread
        else Content("     ")
    )
    label = count + Content.from_markup("[b]$title[/]" if feed.unread else "$title", title=title)
    if busy:
        label = label + Content.from_markup(" [dim]↻[/]")
    if feed.last_error:
        label = label + Content.from_markup(
            "\n     [$text-error]⚠ $error[/]", error=clean_line(feed.last_error, 200)
        )
    return label


class FeedList(OptionList):
    """Feeds in title order; the option id is the feed id."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.feeds: list[Feed] = []
        self.busy: set[int] = set()

    def show_feeds(self, feeds: list[Feed], keep_feed_id: int | None = None) -> None:
        """Replace the rows, keeping the highlight on `keep_feed_id` when it is still there."""
        self.feeds = feeds
        self.set_options(Option(feed_prompt(f, f.id in self.busy), id=str(f.id)) for f in feeds)
        if not feeds:
            return
        index = next((i for i, f in enumerate(feeds) if f.id == keep_feed_id), 0)
        self.highlighted = index

    def update_feed(self, feed: Feed) -> None:
        """Redraw one row (after a refresh or a read-state change)."""
        for i, existing in enumerate(self.feeds):
            if existing.id == feed.id:
                self.feeds[i] = feed
                self.replace_option_prompt(str(feed.id), feed_prompt(feed, feed.id in self.busy))
                return

    def set_busy(self, feed_ids: set[int]) -> None:
        self.busy = set(feed_ids)
        for feed in self.feeds:
            self.replace_option_prompt(str(feed.id), feed_prompt(feed, feed.id in self.busy))

    @property
    def current_feed(self) -> Feed | None:
        if self.highlighted is None or not self.feeds:
            return None
        return self.feeds[self.highlighted]

    def select_feed(self, feed_id: int) -> None:
        for i, feed in enumerate(self.feeds):
            if feed.id == feed_id:
                self.highlighted = i
                return
