"""The feeds pane: virtual lists, then folders (collapsible, with summed unread counts) and feeds.

Each row is a `Source`: what the entries pane should list when the row is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.models import Feed
from reader.text import clean_line
from reader.ui.compat import redraw_option_in_place

NO_FEEDS = (
    "No feeds yet.\n\n"
    "a adds a feed (a site's address is enough).\n"
    "newsreader import FILE.opml imports the list of another reader."
)
"""What the feeds pane says when there is nothing to list."""

VIRTUAL_LISTS = (
    ("unread", "All unread"),
    ("starred", "Starred"),
    ("recent", "Recently read"),
    ("episodes", "New episodes"),
)
"""Rows above the feeds; New episodes only while some feed has audio or video."""


@dataclass(frozen=True, slots=True)
class Source:
    """A row of the feeds pane: a feed, a folder (with sub-folders) or a virtual list."""

    kind: str
    """`feed`, `folder`, `virtual`, `search` (a saved search) or `list` (a rule's list)."""
    key: str
    """The feed id, the folder path, or the virtual list's name."""
    title: str
    feed: Feed | None = None
    unread: int = 0

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.key}"


@dataclass
class FeedCounts:
    """Counts for the virtual lists, computed with the feed list."""

    unread: int = 0
    starred: int = 0
    episodes: int | None = None
    """New episodes (entries with audio or video not played); None: no feed has any."""
    saved_searches: list[str] = field(default_factory=list)
    rule_lists: list[tuple[str, int]] = field(default_factory=list)
    """The lists `list = "NAME"` rules fill, with their unread counts, in name order."""
    accounts: dict[int, str] = field(default_factory=dict)
    """The sync account each synced feed belongs to, by feed id (local feeds are absent)."""


def count_prompt(unread: int) -> Content:
    if not unread:
        return Content("     ")
    return Content.from_markup("[$accent b]$n[/] ", n=f"{unread:>4}")


def feed_prompt(feed: Feed, busy: bool = False, depth: int = 0, account: str = "") -> Content:
    """Unread count, then the title (newsboat's order, so counts line up); the last error
    below. A feed a sync server fetches has ⇅ before its title (seen however narrow the
    pane) and its account's name after it."""
    title = clean_line(feed.title, 200) or clean_line(feed.url, 200)
    indent = Content("  " * depth)
    label = count_prompt(feed.unread) + indent
    if account:
        label += Content.from_markup("[dim]⇅[/] ")
    label += Content.from_markup("[b]$title[/]" if feed.unread else "$title", title=title)
    if account:
        label += Content.from_markup(" [dim]· $account[/]", account=clean_line(account, 40))
    if feed.paused:
        label += Content.from_markup(" [dim]‖ paused[/]")
    if feed.dead:
        label += Content.from_markup(" [$text-error]✝ gone[/]")
    if busy:
        label += Content.from_markup(" [dim]↻[/]")
    if feed.last_error and not feed.dead:
        label += Content.from_markup(
            "\n     $indent[$text-error]⚠ $error[/]",
            indent="  " * depth,
            error=clean_line(feed.last_error, 200),
        )
    return label


def folder_prompt(path: str, unread: int, collapsed: bool, depth: int) -> Content:
    name = path.rsplit("/", 1)[-1]
    arrow = "▸" if collapsed else "▾"
    return (
        count_prompt(unread)
        + Content("  " * depth)
        + Content.from_markup("[$secondary b]$arrow $name[/]", arrow=arrow, name=name)
    )


class FeedList(OptionList):
    """Virtual lists, folders and feeds; the option id is `Source.id`.

    The cursor stops at either end instead of wrapping round to the other."""

    class FoldToggled(Message):
        """A folder was folded or unfolded (`collapsed` holds the folded paths)."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("space", "toggle_folder", "Fold/unfold folder", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.feeds: list[Feed] = []
        self.rows: list[Source | None] = []
        self.busy: set[int] = set()
        self.collapsed: set[str] = set()
        self.counts = FeedCounts()

    # ------------------------------------------------------------------ building rows
    def show_feeds(
        self,
        feeds: list[Feed],
        keep: str | None = None,
        counts: FeedCounts | None = None,
    ) -> None:
        """Replace the rows, keeping the highlight on the row `keep` (a Source id) if present.

        With nothing to keep, the first feed is highlighted (not a virtual list).
        """
        self.feeds = feeds
        if counts is not None:
            self.counts = counts
        self._rebuild(keep)

    def _rebuild(self, keep: str | None) -> None:
        rows: list[Source | None] = []
        if self.feeds:
            for key, title in VIRTUAL_LISTS:
                if key == "episodes" and self.counts.episodes is None:
                    continue
                unread = {
                    "unread": self.counts.unread,
                    "starred": self.counts.starred,
                    "episodes": self.counts.episodes or 0,
                }.get(key, 0)
                rows.append(Source("virtual", key, title, unread=unread))
            for name, unread in self.counts.rule_lists:
                rows.append(Source("list", name, name, unread=unread))
            for query in self.counts.saved_searches:
                rows.append(Source("search", query, query))
            rows.append(None)
        rows += self._tree_rows()
        self.rows = rows
        options: list[Option | None] = []
        for row in rows:
            options.append(None if row is None else Option(self._prompt(row), id=row.id))
        if not rows:
            options.append(Option(Content(NO_FEEDS), disabled=True))
        # OptionList takes None as a separator line.
        self.set_options(options)
        index = self._index_of(keep) if keep else None
        if index is None:
            index = next((i for i, r in enumerate(self.option_rows) if r.kind == "feed"), None)
        if index is None and self.option_rows:
            index = 0
        self.highlighted = index

    def _tree_rows(self) -> list[Source]:
        """Folders in name order with their feeds; top-level feeds after the folders."""
        by_folder: dict[str, list[Feed]] = {}
        for feed in self.feeds:
            by_folder.setdefault(feed.folder, []).append(feed)
        paths: set[str] = set()
        for folder in by_folder:
            parts = folder.split("/") if folder else []
            for depth in range(1, len(parts) + 1):
                paths.add("/".join(parts[:depth]))
        rows: list[Source] = []

        def unread_in(path: str) -> int:
            return sum(
                f.unread for f in self.feeds if f.folder == path or f.folder.startswith(path + "/")
            )

        def hidden(path: str) -> bool:
            parts = path.split("/")
            return any("/".join(parts[:d]) in self.collapsed for d in range(1, len(parts)))

        for path in sorted(paths, key=str.casefold):
            if hidden(path):
                continue
            rows.append(Source("folder", path, path.rsplit("/", 1)[-1], unread=unread_in(path)))
            if path not in self.collapsed:
                for feed in by_folder.get(path, []):
                    rows.append(Source("feed", str(feed.id), feed.title, feed, feed.unread))
        for feed in by_folder.get("", []):
            rows.append(Source("feed", str(feed.id), feed.title, feed, feed.unread))
        return rows

    def _prompt(self, row: Source) -> Content:
        if row.kind == "virtual":
            return count_prompt(row.unread) + Content.from_markup("[i]$t[/]", t=row.title)
        if row.kind == "list":
            return count_prompt(row.unread) + Content.from_markup(
                "[i]$t[/]", t=clean_line(row.title, 80)
            )
        if row.kind == "search":
            return Content("     ") + Content.from_markup(
                "[i]🔎 $t[/]", t=clean_line(row.title, 80)
            )
        if row.kind == "folder":
            depth = row.key.count("/")
            return folder_prompt(row.key, row.unread, row.key in self.collapsed, depth)
        assert row.feed is not None
        depth = row.feed.folder.count("/") + 1 if row.feed.folder else 0
        account = self.counts.accounts.get(row.feed.id, "")
        return feed_prompt(row.feed, row.feed.id in self.busy, depth, account)

    @property
    def option_rows(self) -> list[Source]:
        """The rows that are options (separators left out), in option order."""
        return [row for row in self.rows if row is not None]

    def _index_of(self, source_id: str) -> int | None:
        return next((i for i, r in enumerate(self.option_rows) if r.id == source_id), None)

    # ------------------------------------------------------------------ updates
    def update_feed(self, feed: Feed) -> None:
        """Redraw one feed's row (after a refresh or a read-state change)."""
        self.feeds = [feed if f.id == feed.id else f for f in self.feeds]
        for i, row in enumerate(self.rows):
            if row is not None and row.kind == "feed" and row.feed and row.feed.id == feed.id:
                self.rows[i] = Source("feed", str(feed.id), feed.title, feed, feed.unread)
                self._redraw_row(row.id, self._prompt(self.rows[i]))  # type: ignore[arg-type]

    def set_busy(self, feed_ids: set[int]) -> None:
        self.busy = set(feed_ids)
        for row in self.option_rows:
            if row.kind == "feed":
                self._redraw_row(row.id, self._prompt(row))

    def mark_done(self, feed_id: int, new: int = 0, title: str = "") -> None:
        """One feed finished refreshing: redraw its row only, with the `new` entries it
        brought counted and, for a feed still shown by its URL, the `title` it gave (the
        whole list is reloaded from the store when the refresh ends)."""
        self.busy.discard(feed_id)
        for i, row in enumerate(self.rows):
            if row is None or row.kind != "feed" or row.key != str(feed_id) or not row.feed:
                continue
            feed = row.feed
            if new or (title and feed.title == feed.url):
                feed = replace(
                    feed,
                    unread=feed.unread + new,
                    total=feed.total + new,
                    title=title if title and feed.title == feed.url else feed.title,
                )
                self.feeds = [feed if f.id == feed.id else f for f in self.feeds]
                row = self.rows[i] = Source("feed", row.key, feed.title, feed, feed.unread)
            self._redraw_row(row.id, self._prompt(row))
            return

    def _redraw_row(self, option_id: str, prompt: Content) -> None:
        """Show a new prompt on one row.

        `OptionList.replace_option_prompt` forgets every row's height and rendering, so the
        next frame measures and renders all of them again: with 1000 feeds that was most of
        the UI's time during a refresh, in frames of up to 140 ms (bench/tui_start.py).
        When the row keeps its height, it gets a new Option instead (renderings are cached
        by option, so the old one is simply never used again) and only its lines repaint.
        That reaches into OptionList's internals (reader/ui/compat.py); anything
        unexpected falls back to the public method.
        """
        if not redraw_option_in_place(self, option_id, prompt):
            self.replace_option_prompt(option_id, prompt)

    def action_toggle_folder(self) -> None:
        source = self.current
        if source is None or source.kind != "folder":
            return
        if source.key in self.collapsed:
            self.collapsed.discard(source.key)
        else:
            self.collapsed.add(source.key)
        self._rebuild(source.id)
        self.post_message(self.FoldToggled())

    def _step(self, direction: int) -> None:
        """Move to the next enabled row that way; at either end, stay."""
        options = self.options
        index = self.highlighted
        if index is None:
            self.action_first() if direction > 0 else self.action_last()
            return
        index += direction
        while 0 <= index < len(options):
            if not options[index].disabled:
                self.highlighted = index
                return
            index += direction

    def action_cursor_down(self) -> None:
        self._step(+1)

    def action_cursor_up(self) -> None:
        self._step(-1)

    # ------------------------------------------------------------------ selection
    @property
    def current(self) -> Source | None:
        rows = self.option_rows
        if self.highlighted is None or not 0 <= self.highlighted < len(rows):
            return None
        return rows[self.highlighted]

    @property
    def current_feed(self) -> Feed | None:
        source = self.current
        return source.feed if source is not None else None

    @property
    def feed_order(self) -> list[int]:
        """Feed ids in the order they are listed (folders' feeds first), for "next unread"."""
        order = [int(r.key) for r in self.option_rows if r.kind == "feed"]
        listed = set(order)
        return order + [f.id for f in self.feeds if f.id not in listed]

    def select_feed(self, feed_id: int) -> None:
        feed = next((f for f in self.feeds if f.id == feed_id), None)
        if feed is not None and feed.folder:
            parts = feed.folder.split("/")
            before = len(self.collapsed)
            self.collapsed -= {"/".join(parts[:d]) for d in range(1, len(parts) + 1)}
            if len(self.collapsed) != before:
                self._rebuild(None)
        index = self._index_of(f"feed:{feed_id}")
        if index is not None:
            self.highlighted = index
