"""The main screen: feeds | entries over the article, with its outline and related links.

Widgets only render and post messages; this screen starts the workers that talk to the store
and the service (SQLite and parsing in threads, the network async) and routes their results
back to the panes.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static

from reader.article.render import is_other_link
from reader.models import Entry, Feed
from reader.sample import load_sample
from reader.schedule import is_due
from reader.service import FeedService, RefreshResult
from reader.store import Store, StoreError
from reader.text import clean_line, is_http_url
from reader.ui.layout import NARROW_WIDTH, Focus, arrange, below_height
from reader.ui.links import open_link
from reader.ui.messages import (
    EntriesLoaded,
    EntryChanged,
    FeedsLoaded,
    RefreshFinished,
    RefreshProgress,
)
from reader.ui.screens.health import HealthScreen
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.organise import OrganiseMixin
from reader.ui.screens.searching import SearchMixin, saved_searches
from reader.ui.widgets.entry_list import EntryList
from reader.ui.widgets.feed_list import FeedCounts, FeedList, Source
from reader.ui.widgets.footer import ReaderFooter
from reader.ui.widgets.reading_pane import READING_IDS, ReadingPane
from reader.ui.widgets.search_box import SearchBox

AUTO_REFRESH_CHECK_SECONDS = 60.0
"""How often the TUI looks for feeds that have fallen due (each has its own interval)."""

EXTERNAL_CHECK_SECONDS = 3.0
"""How often to look for changes another newsreader (a CLI refresh) committed to the store."""


class MainScreen(SearchMixin, OrganiseMixin, Screen[None]):
    BINDINGS = [
        Binding("r", "refresh_feed", "Refresh", id="refresh-feed"),
        Binding("R", "refresh_all", "All", tooltip="Refresh all feeds", id="refresh-all"),
        Binding("m", "toggle_read", "Read", id="toggle-read"),
        Binding("s", "toggle_star", "Star", id="toggle-star"),
        Binding("n", "next_unread", "Next unread", id="next-unread"),
        Binding("N", "previous_unread", "Previous unread", show=False, id="previous-unread"),
        Binding("o", "open_in_browser", "Open", id="open-in-browser"),
        Binding("slash", "search", "Search", id="search"),
        Binding("question_mark", "help", "Keys", id="help"),
        Binding("q", "app.quit", "Quit", id="quit"),
        Binding("a", "add_feed", "Add feed", show=False, id="add-feed"),
        Binding("e", "edit_feed", "Feed settings", show=False, id="edit-feed"),
        Binding("d,delete", "remove_feed", "Remove feed", show=False, id="remove-feed"),
        Binding("A", "mark_all_read", "Mark all read", show=False, id="mark-all-read"),
        Binding("u", "undo", "Undo mark all", show=False, id="undo"),
        Binding("U", "toggle_unread_only", "Unread only", show=False, id="unread-only"),
        Binding("F", "cycle_full_article", "Feed: full-article mode", show=False, id="mode"),
        Binding("i", "health", "Feed health", show=False, id="health"),
        Binding("backslash", "filter_titles", "Filter titles", show=False, id="filter"),
        Binding("T", "cycle_period", "Today / this week / all", show=False, id="period"),
        Binding("S", "toggle_starred_only", "Starred only", show=False, id="starred-only"),
        Binding("escape", "focus_entries", "Entries pane", show=False, id="focus-entries"),
    ]

    def __init__(self, store: Store, service: FeedService, *, show_sample: bool) -> None:
        super().__init__()
        self.store = store
        self.service = service
        self.show_sample = show_sample
        self.unread_only = False
        self.last_bulk: tuple[str, list[int]] | None = None
        """The entries pane lists unread entries only (toggled with U)."""
        self.refreshing = False
        self.status_pinned = False
        """True while the status line shows a result the user has not seen yet."""

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield FeedList(id="feeds")
            with Vertical(id="right"):
                search = SearchBox(id="search")
                search.display = False
                yield search
                quick = Input(id="filter", placeholder="Filter titles (@name: by author)")
                quick.display = False
                yield quick
                yield EntryList(id="entries")
                yield ReadingPane(self.store, self.service, id="reading")
        yield Static("", id="status")
        yield ReaderFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        titles = {
            "#feeds": "Feeds",
            "#entries": "Entries",
        }
        for selector, title in titles.items():
            self.query_one(selector).border_title = title
        self.query_one(FeedList).focus()
        self.start_up()
        self.set_interval(EXTERNAL_CHECK_SECONDS, self.check_external_changes)
        settings = self.service.settings
        if settings.refresh_minutes > 0:
            self.set_interval(AUTO_REFRESH_CHECK_SECONDS, self.refresh_due)
        if settings.refresh_on_start:
            self.call_after_refresh(self.action_refresh_all)

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW_WIDTH, "-narrow")
        self._arrange()

    def on_descendant_focus(self) -> None:
        self._arrange()

    def on_reading_pane_layout_changed(self, message: ReadingPane.LayoutChanged) -> None:
        self._arrange()

    _arranged: object = None
    """The last arrangement applied (with the screen size it was for)."""

    def _focus_area(self) -> Focus:
        focused = self.focused
        if focused is None:
            return "other"
        if focused.id in READING_IDS:
            return "reading"
        return "feeds" if focused is self.feed_list else "entries"

    def _arrange(self) -> None:
        """Share the screen so the article is the widest pane (see reader/ui/layout.py).

        Only the panes' own inline sizes change, never a class on the screen or the reading
        pane: a class change there restyles every block of a long article (about 200 ms).
        `-reading` stays as the narrow screen's mark that the feeds pane is folded away."""
        pane = self.reading_pane
        focus = self._focus_area()
        plan = arrange(
            self.size.width, article_shown=pane.article_shown, focus=focus, zoomed=pane.zoomed
        )
        key = (plan, self.size, focus, pane.article_shown, self.entry_list.option_count)
        if key == self._arranged:
            return  # setting the same sizes again would still relayout the whole screen
        self._arranged = key
        feeds = self.feed_list
        feeds.display = plan.feeds
        feeds.styles.width = plan.feeds_width
        entries = self.entry_list
        entries.display = plan.entries != "hidden"
        narrow = self.size.width < NARROW_WIDTH
        if plan.entries == "share":
            entries.styles.height = "30%" if narrow else "35%"
            entries.styles.min_height = 5
            entries.styles.max_height = None
        elif plan.entries == "fit":
            # Rows counted, not `height: auto`: that measures every row of a long list.
            cap = max(3, self.size.height // 4)
            entries.styles.height = min(cap, entries.option_count + 2)
            entries.styles.min_height = 3
            entries.styles.max_height = None
        else:
            entries.styles.height = entries.styles.min_height = 3
            entries.styles.max_height = None
            entries.scroll_to_highlight()
        pane.place_sidebar(plan.sidebar, plan.sidebar_width, below_height(self.size.height))
        self.set_class(narrow and focus == "reading" and pane.article_shown, "-reading")
        if self.focused is not None and not self.focused.display:
            pane.focus_article()

    @property
    def feed_list(self) -> FeedList:
        return self.query_one(FeedList)

    @property
    def entry_list(self) -> EntryList:
        return self.query_one(EntryList)

    @property
    def reading_pane(self) -> ReadingPane:
        return self.query_one(ReadingPane)

    def set_status(self, text: str, pin: bool = False) -> None:
        """Show a line under the panes; a pinned one stays until the user presses a key."""
        self.query_one("#status", Static).update(Content(clean_line(text, 500)))
        if pin:
            self.status_pinned = True

    # ----------------------------------------------------------------- workers
    @work(thread=True, exclusive=True, group="feeds", exit_on_error=False)
    def start_up(self) -> None:
        """Load the sample when there is nothing else to read, then the feed list."""
        if self.show_sample or not self.store.has_user_feeds():
            load_sample(self.store)
        source = self.store.get_state("last_source")
        entry = self.store.get_state("last_entry")
        self.resume = (source, int(entry) if entry and entry.isdigit() else None)
        self._post_feeds()

    resume: tuple[str | None, int | None] | None = None
    """Where the last session left off (row of the feeds pane, entry), used once on start."""

    def save_session(self) -> None:
        """Remember where the reader was: the row, the entry, how far the article was read."""
        source = self.feed_list.current
        entry = self.reading_pane.entry or self.entry_list.current_entry
        here = self.reading_pane.here()
        try:
            self.store.set_state("last_source", source.id if source else None)
            self.store.set_state("last_entry", str(entry.id) if entry and entry.id else None)
            if here is not None:
                self.store.set_position(here.key, here.scroll_y)
        except StoreError:
            pass  # quitting must not fail over a read-only or vanished store

    @property
    def include_sample(self) -> bool:
        return self.show_sample or not self.store.has_user_feeds()

    def _post_feeds(self, reload_entries: bool = False) -> None:
        """(In a thread.) The feed list and the virtual lists' counts."""
        include = self.include_sample
        feeds = self.store.list_feeds(include_sample=include)
        counts = FeedCounts(
            unread=sum(f.unread for f in feeds),
            starred=len(self.store.query_entries(starred_only=True, include_sample=include)),
            saved_searches=saved_searches(self.store),
        )
        self.post_message(FeedsLoaded(feeds, counts, reload_entries))

    @work(thread=True, exclusive=True, group="external", exit_on_error=False)
    def check_external_changes(self) -> None:
        """Pick up what another process wrote (PRAGMA data_version moves on its commits)."""
        version = self.store.data_version()
        if self.refreshing:
            # Our own refresh's parse workers commit feed after feed: each finished feed
            # already redraws its row, and the end of the refresh reloads everything once.
            # Reloading 1000 rows every few seconds meanwhile froze the UI for ~120 ms.
            self.data_version = None
            return
        if self.data_version is not None and version != self.data_version:
            self._post_feeds(reload_entries=True)
        self.data_version = version

    data_version: int | None = None

    @work(thread=True, exclusive=True, group="feeds", exit_on_error=False)
    def reload_feeds(self, reload_entries: bool = False) -> None:
        self._post_feeds(reload_entries)

    def load_source(self, source: Source, select_entry_id: int | None = None) -> None:
        """List a row's entries (in a worker); a newer request for another row replaces it."""
        self.listing = source.id
        self._load_source(source, select_entry_id)

    listing: str | None = None
    """The row whose entries are listed or being loaded."""

    @work(thread=True, exclusive=True, group="entries", exit_on_error=False)
    def _load_source(self, source: Source, select_entry_id: int | None = None) -> None:
        """The entries of a feeds-pane row, newest first (unread only when toggled)."""
        unread_only = self.unread_only
        include = self.include_sample
        store = self.store
        if source.kind == "feed":
            entries = store.list_entries(int(source.key), unread_only=unread_only)
        elif source.kind == "folder":
            entries = store.query_entries(
                folder=source.key,
                unread_only=unread_only,
                include_sample=include,
                one_per_story=True,
            )
        elif source.kind == "search":
            hits = store.search(source.key, include_sample=include)
            entries = [hit.entry for hit in hits]
            snippets = {hit.entry.id: hit.snippet for hit in hits if hit.entry.id}
            self.post_message(
                EntriesLoaded(
                    source.id, f"🔎 {source.key}", entries, select_entry_id, True, snippets
                )
            )
            return
        elif source.key == "starred":
            entries = store.query_entries(
                starred_only=True, include_sample=include, one_per_story=True
            )
        elif source.key == "recent":
            entries = store.query_entries(
                recently_read=True, include_sample=include, limit=500, one_per_story=True
            )
        else:
            entries = store.query_entries(
                unread_only=True, include_sample=include, one_per_story=True
            )
        many = source.kind != "feed"
        self.post_message(EntriesLoaded(source.id, source.title, entries, select_entry_id, many))

    @work(thread=True, exclusive=True, group="mark", exit_on_error=False)
    def change_entry(self, entry_id: int, what: str) -> None:
        if what == "read":
            self.store.toggle_read(entry_id)
        else:
            self.store.toggle_starred(entry_id)
        entry = self.store.get_entry(entry_id)
        if entry is not None:
            self.post_message(EntryChanged(entry))

    @work(thread=True, exclusive=True, group="next-unread", exit_on_error=False)
    def find_next_unread(
        self, feed_ids: list[int], current_entry_id: int | None, backwards: bool = False
    ) -> None:
        find = self.store.previous_unread if backwards else self.store.next_unread
        entry = find(feed_ids, current_entry_id)
        if entry is None or entry.feed_id is None or entry.id is None:
            self.app.call_from_thread(self.set_status, "No unread entries left.")
            return
        self.app.call_from_thread(self._open_found_entry, entry)

    def _open_found_entry(self, entry: Entry) -> None:
        if entry.feed_id is not None:
            self.feed_list.select_feed(entry.feed_id)
            source = self.feed_list.current
            if source is not None:
                self.load_source(source, entry.id)
        if entry.id is not None:
            self.reading_pane.open_entry(entry.id, new_reading=True)

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def run_refresh(self, feeds: list[Feed], force: bool = False) -> None:
        """Fetch in the background; each finished feed updates its row at once."""
        self.refreshing = True
        self.feed_list.set_busy({f.id for f in feeds})
        self.set_status(f"Refreshing 0/{len(feeds)} feeds…")

        def progress(result: RefreshResult, done: int, total: int) -> None:
            self.post_message(RefreshProgress(result, done, total))

        try:
            results = await self.service.refresh(feeds, progress, force=force)
        finally:
            self.refreshing = False
            self.feed_list.set_busy(set())
        self.post_message(RefreshFinished(results))

    # ----------------------------------------------------------------- results
    def on_feeds_loaded(self, message: FeedsLoaded) -> None:
        current = self.feed_list.current
        keep = current.id if current else None
        select_entry = self._kept_entry_id()
        if self.select_after_reload is not None:
            keep, self.select_after_reload = f"feed:{self.select_after_reload}", None
        resume, self.resume = self.resume, None
        if resume is not None:
            keep, select_entry = resume
        self.feed_list.show_feeds(message.feeds, keep, message.counts)
        source = self.feed_list.current
        if source is not None and (
            message.reload_entries or resume or source.id != self.entry_list.source_id
        ):
            self.load_source(source, select_entry)
        if resume is not None and resume[1] is not None and source is not None:
            self.reading_pane.open_entry(resume[1], mark_read=False)
        if not message.feeds:
            self.set_status("No feeds. Add one with a, or `newsreader add URL`.")
        elif not self.refreshing and not self.status_pinned:
            unread = message.counts.unread
            count = len(message.feeds)
            self.set_status(f"{unread} unread in {count} feed{'s' if count != 1 else ''}")

    def _kept_entry_id(self) -> int | None:
        entry = self.entry_list.current_entry
        return entry.id if entry is not None else None

    def on_entries_loaded(self, message: EntriesLoaded) -> None:
        current = self.feed_list.current
        if current is None or current.id != message.source_id:
            return  # a stale answer for a row the user has moved away from
        self.entry_list.show_entries(
            message.source_id,
            message.entries,
            message.select_entry_id,
            message.many_feeds,
            message.snippets,
        )
        title = clean_line(message.title, 80)
        suffix = " · unread only" if self.unread_only else ""
        self.entry_list.border_title = f"Entries · {title}{suffix}" if title else "Entries"

    def on_entry_changed(self, message: EntryChanged) -> None:
        entry = message.entry
        self.entry_list.update_entry(entry)
        self.reading_pane.entry_changed(entry)
        self.reload_feeds()

    def on_reading_pane_entry_read(self, message: ReadingPane.EntryRead) -> None:
        for copy in message.copies:
            self.entry_list.update_entry(copy)
        self.on_entry_changed(EntryChanged(message.entry))

    def on_reading_pane_status(self, message: ReadingPane.Status) -> None:
        self.set_status(message.text, message.pin)

    def on_reading_pane_open_link(self, message: ReadingPane.OpenLink) -> None:
        self._open_url(message.url)

    def on_refresh_progress(self, message: RefreshProgress) -> None:
        result = message.result
        self.feed_list.mark_done(result.feed_id, result.new, result.title if result.ok else "")
        line = f"Refreshing {message.done}/{message.total} feeds… "
        self.set_status(line + f"{clean_line(result.title, 60)}: {result.describe()}")

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        failed = [r for r in message.results if not r.ok]
        waiting = [r for r in message.results if r.skipped]
        new = sum(r.new for r in message.results)
        count = len(message.results) - len(waiting)
        feeds = "feed" if count == 1 else "feeds"
        entries = "entry" if new == 1 else "entries"
        summary = f"Refreshed {count} {feeds}: {new} new {entries}"
        if failed:
            summary += f", {len(failed)} failed (see ⚠ in the feeds pane)"
        if waiting:
            summary += f", {len(waiting)} waiting (server's Retry-After, still fresh, back-off)"
        self.set_status(summary)
        self.status_pinned = True
        self.reload_feeds(reload_entries=True)

    # ----------------------------------------------------------------- pane events
    @on(OptionList.OptionHighlighted, "#feeds")
    def feed_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        source = self.feed_list.current
        if source is not None and source.id != self.listing:
            self.load_source(source)

    @on(OptionList.OptionSelected, "#feeds")
    def feed_selected(self, event: OptionList.OptionSelected) -> None:
        self.entry_list.focus()

    @on(OptionList.OptionSelected, "#entries")
    def entry_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            # A new reading starts from the list.
            self.reading_pane.open_entry(int(event.option.id), new_reading=True)
            self.reading_pane.focus_article()

    # ----------------------------------------------------------------- actions
    def _target_entry(self) -> Entry | None:
        """The entry a key acts on: the highlighted one in the entries pane, else the open one."""
        if self.focused is self.entry_list and self.entry_list.current_entry is not None:
            return self.entry_list.current_entry
        return self.reading_pane.entry or self.entry_list.current_entry

    def on_key(self) -> None:
        self.status_pinned = False  # the user has moved on; counts may replace the summary

    def action_refresh_feed(self) -> None:
        """r: the highlighted feed, or every feed of the highlighted folder."""
        source = self.feed_list.current
        if source is None:
            return
        if source.kind == "feed" and source.feed is not None:
            self.run_refresh([source.feed], force=True)  # asked for by name: no waiting
        elif source.kind == "folder":
            prefix = source.key + "/"
            feeds = self.feed_list.feeds
            self.run_refresh(
                [f for f in feeds if f.folder == source.key or f.folder.startswith(prefix)]
            )
        else:
            self.action_refresh_all()

    def action_refresh_all(self) -> None:
        """Every feed that is neither paused nor gone (410)."""
        if self.refreshing:
            return
        feeds = [f for f in self.feed_list.feeds if not f.paused and not f.dead]
        self.run_refresh(feeds)

    def refresh_due(self) -> None:
        """The auto-refresh: only feeds whose interval has passed and that may be fetched."""
        if self.refreshing:
            return
        minutes = self.service.settings.refresh_minutes
        feeds = [f for f in self.feed_list.feeds if is_due(f, minutes)]
        if feeds:
            self.run_refresh(feeds)

    def action_toggle_read(self) -> None:
        entry = self._target_entry()
        if entry is not None and entry.id is not None:
            self.change_entry(entry.id, "read")

    def action_toggle_star(self) -> None:
        entry = self._target_entry()
        if entry is not None and entry.id is not None:
            self.change_entry(entry.id, "star")

    def action_next_unread(self) -> None:
        current = self._target_entry()
        if self.reading_pane.entry is None and current is not None and not current.read:
            # Nothing read yet: the highlighted unread entry is the next one to read.
            self._open_found_entry(current)
            return
        self.find_next_unread(self.feed_list.feed_order, current.id if current else None)

    def action_previous_unread(self) -> None:
        current = self._target_entry()
        order = self.feed_list.feed_order
        self.find_next_unread(order, current.id if current else None, backwards=True)

    def action_open_in_browser(self) -> None:
        """The highlighted link, else a mail/phone/FTP link just chosen in the article, else
        the page on screen, else the entry's link."""
        url = self.reading_pane.url_to_open() if self.focused is not self.entry_list else None
        if url:
            self._open_url(url)
            return
        entry = self._target_entry()
        if entry is None or not entry.link:
            self.notify("This entry has no link.", severity="warning")
            return
        self._open_url(entry.link)

    def action_health(self) -> None:
        self.app.push_screen(HealthScreen(self.store, self.service.settings.refresh_minutes))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen([*self.BINDINGS, *ReadingPane.BINDINGS]))

    def go_to_source(self, source_id: str) -> None:
        """Palette "go to …": highlight that row of the feeds pane and list it."""
        rows = self.feed_list.option_rows
        index = next((i for i, row in enumerate(rows) if row.id == source_id), None)
        if index is not None:
            self.feed_list.highlighted = index
            self.feed_list.focus()

    def action_focus_entries(self) -> None:
        closed = self.reading_pane.close_find() or self.close_search() or self.close_filter()
        if not closed:
            self.entry_list.focus()

    @work(thread=True, group="settings", exit_on_error=False)
    def action_cycle_full_article(self) -> None:
        """auto -> always -> never: when opening this feed's entries fetches their pages."""
        feed = self.feed_list.current_feed
        if feed is None:
            return
        modes = ("auto", "always", "never")
        mode = modes[(modes.index(feed.full_article) + 1) % len(modes)]
        self.store.set_full_article(feed.id, mode)
        words = {
            "auto": "when the feed gives only a summary",
            "always": "always",
            "never": "never (the feed's content only)",
        }
        title = clean_line(feed.title, 80)
        self.app.call_from_thread(
            self.set_status, f"{title}: full articles are fetched {words[mode]}"
        )
        self.post_message(FeedsLoaded(self._feeds()))

    def _open_url(self, url: str) -> None:
        if not is_http_url(url) and not is_other_link(url):
            self.notify(
                "Only web pages and mail, phone or FTP links are opened.",
                severity="warning",
                markup=False,
            )
            return
        self._browser(url)

    @work(thread=True, group="browser", exit_on_error=False)
    def _browser(self, url: str) -> None:
        ok = open_link(url, self.service.settings.browser)
        if ok:
            text = f"Opened {clean_line(url, 200)}"
        elif is_http_url(url):
            text = "No browser could be started."
        else:
            text = f"Nothing on this system opens {clean_line(url, 200)} (y copies it)."
        self.app.call_from_thread(self.notify, text, markup=False)

    # The palette and the mouse's back / forward buttons name these actions on the screen.
    def action_back(self) -> None:
        self.reading_pane.action_back()

    def action_forward(self) -> None:
        self.reading_pane.action_forward()

    def action_full_article(self) -> None:
        self.reading_pane.action_full_article()

    def action_feed_view(self) -> None:
        self.reading_pane.action_feed_view()

    def action_copy_link(self) -> None:
        self.reading_pane.action_copy_link()
