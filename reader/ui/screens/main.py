"""The main screen: sources | entries over the article, with its outline and related links.

The panes own their state and talk in messages; this screen composes them, starts the
workers that talk to the store and the service (SQLite and parsing in threads, the network
async) and routes the results back to the panes. Keys that work from every pane are bound
here; keys of one pane are bound on that pane.
"""

from __future__ import annotations

import json

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker

from reader.article.render import is_other_link
from reader.config import Settings
from reader.listing import SourceRef, list_source
from reader.models import Entry, Feed
from reader.rulesync import before_refresh
from reader.sample import load_sample
from reader.schedule import is_due
from reader.service import FeedService, RefreshResult
from reader.store import Store, StoreError
from reader.sync.engine import summary as sync_summary
from reader.sync.engine import sync_accounts_now
from reader.sync.local import feed_accounts
from reader.text import clean_line, counted, is_http_url
from reader.ui.focus import not_while_typing
from reader.ui.layout import NARROW_WIDTH, Focus, arrange, below_height
from reader.ui.links import open_link
from reader.ui.messages import (
    EntriesLoaded,
    EntryChanged,
    FeedsLoaded,
    RefreshFinished,
    RefreshProgress,
    SearchResults,
)
from reader.ui.podcast_actions import PodcastActions
from reader.ui.screens.accounts import AccountsScreen, SyncFinished
from reader.ui.screens.dialogs import AddFeedScreen, AddRequest, FeedEdit
from reader.ui.screens.health import HealthScreen
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.rules import ChangesScreen, HiddenScreen, RulesScreen
from reader.ui.widgets.entries_pane import EntriesPane, SearchScope
from reader.ui.widgets.entry_list import EntryList
from reader.ui.widgets.feed_list import FeedCounts, FeedList, Source
from reader.ui.widgets.footer import ReaderFooter
from reader.ui.widgets.reading_pane import READING_IDS, ReadingPane
from reader.ui.widgets.sources_pane import SourcesPane, mode_note

AUTO_REFRESH_CHECK_SECONDS = 60.0
"""How often the TUI looks for feeds that have fallen due (each has its own interval)."""

EXTERNAL_CHECK_SECONDS = 3.0
"""How often to look for changes another newsreader (a CLI refresh) committed to the store."""

MAX_SAVED_SEARCHES = 20
FOLDED_STATE = "folded_folders"
"""Store state key: the folded folders of the sources pane (a JSON list of paths)."""

WELCOME = "A sample feed. a adds yours; newsreader import FILE.opml brings a list."
"""The status line while only the bundled sample is there (fits 80 columns)."""


def rule_lists(store: Store, settings: Settings) -> list[tuple[str, int]]:
    """(In a thread.) The lists rules fill (those the config names, and those that hold
    entries), with their unread counts, in name order."""
    unread = store.rule_list_unread()
    names = {spec.list_name for spec in settings.rules if spec.action == "list"} | set(unread)
    return [(name, unread.get(name, 0)) for name in sorted(names, key=str.casefold)]


def saved_searches(store: Store) -> list[str]:
    """(In a thread.) The saved searches shown as virtual feeds, in the order saved."""
    try:
        value = json.loads(store.get_state("saved_searches") or "[]")
    except ValueError:
        return []
    return [q for q in value if isinstance(q, str) and q.strip()][:MAX_SAVED_SEARCHES]


def folded_folders(store: Store) -> frozenset[str]:
    """(In a thread.) The folders folded when the reader last ran."""
    try:
        value = json.loads(store.get_state(FOLDED_STATE) or "[]")
    except ValueError:
        return frozenset()
    return frozenset(p for p in value if isinstance(p, str))


class MainScreen(PodcastActions, Screen[None]):
    BINDINGS = [
        Binding("r", "refresh_feed", "Refresh", id="refresh-feed"),
        Binding("R", "refresh_all", "All", tooltip="Refresh all feeds", id="refresh-all"),
        Binding("m", "toggle_read", "Read", id="toggle-read"),
        Binding("s", "toggle_star", "Star", id="toggle-star"),
        Binding("n", "next_unread", "Next unread", id="next-unread"),
        Binding("N", "previous_unread", "Previous unread", show=False, id="previous-unread"),
        Binding("o", "open_in_browser", "Open", id="open-in-browser"),
        Binding("slash", "search", "Search", id="search", priority=True),
        Binding(
            "a",
            "add_feed",
            "Add",
            tooltip="Add a feed (or a site that offers one)",
            id="add-feed",
            priority=True,
        ),
        Binding("e", "edit_feed", "Feed settings", show=False, id="edit-feed", priority=True),
        Binding("question_mark", "help", "Keys", id="help"),
        Binding("q", "app.quit", "Quit", id="quit"),
        Binding("i", "health", "Feed health", show=False, id="health"),
        Binding("K", "rules", "Rules", show=False, id="rules"),
        Binding("X", "hidden_entries", "Hidden entries", show=False, id="hidden-entries"),
        Binding("C", "what_changed", "What changed", show=False, id="what-changed"),
        Binding("Y", "accounts", "Sync accounts", show=False, id="accounts"),
        Binding("ctrl+f", "find", "Find in article", show=False, id="find", priority=True),
        Binding(
            "backslash", "filter_titles", "Filter titles", show=False, id="filter", priority=True
        ),
        Binding("escape", "focus_entries", "Entries pane", show=False, id="focus-entries"),
        Binding(
            "E", "files", "The entry's files (audio, video): download, play", show=False, id="files"
        ),
        Binding("D", "downloads", "Downloads: progress, cancel, retry", show=False, id="downloads"),
        Binding(
            "p", "play", "Play the episode (with `player`; marks it played)", show=False, id="play"
        ),
        Binding(
            "P",
            "toggle_played",
            "Mark the episode played / not played",
            show=False,
            id="toggle-played",
        ),
    ]

    def __init__(self, store: Store, service: FeedService, *, show_sample: bool) -> None:
        super().__init__()
        self.store = store
        self.service = service
        self.show_sample = show_sample
        self.refreshing = False
        self.status_pinned = False
        """True while the status line shows a result the user has not seen yet."""
        self.listing: str | None = None
        """The row whose entries are listed or being loaded."""
        self.select_after_reload: int | None = None
        """A feed to highlight once the feed list is reloaded (one just subscribed to)."""
        self.resume: tuple[str | None, int | None] | None = None
        """Where the last session left off (row, entry), used once on start."""
        self.data_version: int | None = None
        self.sample_only = False

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield SourcesPane(id="feeds")
            with Vertical(id="right"):
                yield EntriesPane(id="entries-pane")
                yield ReadingPane(self.store, self.service, id="reading")
        yield Static("", id="status")
        yield ReaderFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.feed_list.focus()
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
        boxes = self.entries_pane.box_lines
        rows, current = self.entry_list.lines_needed, self.entry_list.current_lines
        key = (plan, self.size, focus, pane.article_shown, rows, boxes, current)
        if key == self._arranged:
            return  # setting the same sizes again would still relayout the whole screen
        self._arranged = key
        feeds = self.sources
        feeds.display = plan.feeds
        feeds.styles.width = plan.feeds_width
        entries = self.entries_pane
        entries.display = plan.entries != "hidden"
        narrow = self.size.width < NARROW_WIDTH
        if plan.entries == "share":
            entries.styles.height = "30%" if narrow else "35%"
            entries.styles.min_height = 5
        elif plan.entries == "fit":
            # Rows counted, not `height: auto`: that measures every row of a long list.
            # An open search or filter box comes on top of the rows' share.
            cap = max(3, self.size.height // 4)
            entries.styles.height = boxes + min(cap, rows + 2)
            entries.styles.min_height = boxes + 3
        else:
            entries.styles.height = entries.styles.min_height = boxes + 2 + current
            self.entry_list.scroll_to_highlight()
        pane.place_sidebar(plan.sidebar, plan.sidebar_width, below_height(self.size.height))
        self.set_class(narrow and focus == "reading" and pane.article_shown, "-reading")
        if self.focused is not None and not self.focused.display:
            pane.focus_article()

    @property
    def sources(self) -> SourcesPane:
        return self.query_one(SourcesPane)

    @property
    def entries_pane(self) -> EntriesPane:
        return self.query_one(EntriesPane)

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
        folded = folded_folders(self.store)
        self.app.call_from_thread(self.sources.set_collapsed, folded)
        self._post_feeds()

    def save_session(self) -> None:
        """Remember where the reader was: the row, the entry, how far the article was read."""
        source = self.sources.current
        entry = self.reading_pane.entry or self.entries_pane.current_entry
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
        """(In a thread.) The feed list and the virtual lists' counts (stories once)."""
        include = self.include_sample
        feeds = self.store.list_feeds(include_sample=include)
        starred = self.store.query_entries(
            starred_only=True, include_sample=include, one_per_story=True
        )
        counts = FeedCounts(
            unread=self.store.unread_story_count(include_sample=include),
            starred=len(starred),
            episodes=self.store.new_episode_count(include_sample=include),
            saved_searches=saved_searches(self.store),
            rule_lists=rule_lists(self.store, self.service.settings),
            accounts=feed_accounts(self.store),
        )
        self.post_message(FeedsLoaded(feeds, counts, reload_entries))

    @work(thread=True, exclusive=True, group="external", exit_on_error=False)
    def check_external_changes(self) -> None:
        """Pick up what another process wrote (PRAGMA data_version moves on its commits)."""
        version = self.store.data_version()
        if self.refreshing:
            # Our own refresh's parse workers commit feed after feed: each finished feed
            # already redraws its row, and the end of the refresh reloads everything once.
            self.data_version = None
            return
        if self.data_version is not None and version != self.data_version:
            self._post_feeds(reload_entries=True)
        self.data_version = version

    @work(thread=True, exclusive=True, group="feeds", exit_on_error=False)
    def reload_feeds(self, reload_entries: bool = False) -> None:
        self._post_feeds(reload_entries)

    def load_source(self, source: Source, select_entry_id: int | None = None) -> None:
        """List a row's entries (in a worker); a newer request for another row replaces it."""
        self.listing = source.id
        title = f"🔎 {source.key}" if source.kind == "search" else source.title
        self.list_entries(
            SourceRef(source.kind, source.key),
            title,
            self.entries_pane.unread_only,
            select_entry_id,
        )

    @work(thread=True, exclusive=True, group="entries", exit_on_error=False)
    def list_entries(
        self, ref: SourceRef, title: str, unread_only: bool, select_entry_id: int | None
    ) -> None:
        listing = list_source(
            self.store, ref, unread_only=unread_only, include_sample=self.include_sample
        )
        self.post_message(EntriesLoaded(listing, title, select_entry_id))

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(self, text: str, scope: SearchScope) -> None:
        hits = self.store.search(
            text,
            feed_ids=scope.feed_ids,
            folder=scope.folder,
            include_sample=self.include_sample,
        )
        self.post_message(SearchResults(text, hits))

    @work(thread=True, exclusive=True, group="mark", exit_on_error=False)
    def change_entry(self, entry_id: int, what: str) -> None:
        if what == "read":
            self.store.toggle_read(entry_id)
        else:
            self.store.toggle_starred(entry_id)
        entry = self.store.get_entry(entry_id)
        if entry is not None:
            self.post_message(EntryChanged(entry))

    @work(thread=True, exclusive=True, group="mark", exit_on_error=False)
    def mark_many(self, ids: list[int], read: bool, undoing: bool) -> None:
        changed = self.store.set_read_many(ids, read)
        self.app.call_from_thread(self.entries_pane.bulk_marked, read, changed, undoing)
        self._post_feeds(reload_entries=True)

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
            self.sources.select_feed(entry.feed_id)
            source = self.sources.current
            if source is not None:
                self.load_source(source, entry.id)
        if entry.id is not None:
            self.reading_pane.open_entry(entry.id, new_reading=True)

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def run_refresh(self, feeds: list[Feed], force: bool = False, sync: bool = False) -> None:
        """Fetch in the background; each finished feed updates its row at once. With
        `sync`, the sync accounts are synced afterwards (SyncFinished)."""
        self.refreshing = True
        self.sources.set_busy({f.id for f in feeds})
        self.set_status(f"Refreshing 0/{len(feeds)} feeds…")

        def progress(result: RefreshResult, done: int, total: int) -> None:
            self.post_message(RefreshProgress(result, done, total))

        try:
            results = await self.service.refresh(feeds, progress, force=force)
            reports = await sync_accounts_now(self.store, self.service.settings, sync)
        finally:
            self.refreshing = False
            self.sources.set_busy(set())
        self.post_message(RefreshFinished(results))
        if reports:
            self.post_message(SyncFinished(reports))

    @work(exclusive=True, group="subscribe", exit_on_error=False)
    async def subscribe(self, request: AddRequest) -> None:
        self.set_status(f"Subscribing to {clean_line(request.url, 200)} …", pin=True)
        result = await self.service.subscribe(request.url, request.folder)
        title = clean_line(result.feed.title, 100)
        if not result.created:
            self.set_status(f"Already subscribed: {title}", pin=True)
        elif result.refresh is not None and not result.refresh.ok:
            self.set_status(f"Subscribed to {title}, but: {result.refresh.describe()}", pin=True)
        else:
            new = result.refresh.new if result.refresh else 0
            self.set_status(f"Subscribed to {title}: {counted(new, 'entry', 'entries')}", pin=True)
        self.select_after_reload = result.feed.id
        self.reload_feeds(reload_entries=True)

    @work(thread=True, group="settings", exit_on_error=False)
    def save_feed(self, feed_id: int, settings: FeedEdit) -> None:
        try:
            self.store.update_feed(
                feed_id,
                title=settings.title,
                folder=settings.folder,
                url=settings.url,
                paused=settings.paused,
                refresh_minutes=settings.refresh_minutes,
            )
            self.store.set_full_article(feed_id, settings.full_article)
        except StoreError as exc:
            self.app.call_from_thread(self.set_status, f"Not saved: {exc}", True)
            return
        self.app.call_from_thread(self.set_status, "Feed settings saved.", True)
        self._post_feeds(reload_entries=True)

    @work(thread=True, group="settings", exit_on_error=False)
    def remove_feed(self, feed_id: int, title: str) -> None:
        self.store.remove_feed(feed_id)
        self.app.call_from_thread(self.set_status, f"Removed {clean_line(title, 100)}.", True)
        self._post_feeds(reload_entries=True)

    @work(thread=True, group="settings", exit_on_error=False)
    def ask_removal(self, feed: Feed) -> None:
        starred = len(self.store.query_entries(feed_ids=[feed.id], starred_only=True))
        self.app.call_from_thread(self.sources.confirm_removal, feed, starred)

    @work(thread=True, group="settings", exit_on_error=False)
    def set_full_article_mode(self, feed_id: int, title: str, mode: str) -> None:
        self.store.set_full_article(feed_id, mode)
        self.app.call_from_thread(self.set_status, str(mode_note(title, mode)), True)

    @work(thread=True, group="settings", exit_on_error=False)
    def save_search(self, text: str, keep: bool) -> None:
        queries = [q for q in saved_searches(self.store) if q != text]
        if keep:
            queries.append(text)
        self.store.set_state("saved_searches", json.dumps(queries[-MAX_SAVED_SEARCHES:]))
        words = "Saved the search" if keep else "Removed the saved search"
        self.app.call_from_thread(self.set_status, f"{words} “{text}”.", True)
        self._post_feeds()

    @work(thread=True, group="settings", exit_on_error=False)
    def save_folds(self, folded: frozenset[str]) -> None:
        self.store.set_state(FOLDED_STATE, json.dumps(sorted(folded)))

    # ----------------------------------------------------------------- results
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed worker is shown and logged by the app (one path for all failures)."""
        report = getattr(self.app, "report_worker_failure", None)
        if callable(report):
            report(event.worker)

    def on_feeds_loaded(self, message: FeedsLoaded) -> None:
        sources = self.sources
        current = sources.current
        keep = current.id if current else None
        entry = self.entries_pane.current_entry
        select_entry = entry.id if entry is not None else None
        if self.select_after_reload is not None:
            keep, self.select_after_reload = f"feed:{self.select_after_reload}", None
        resume, self.resume = self.resume, None
        if resume is not None:
            keep, select_entry = resume
        sources.show_feeds(message.feeds, keep, message.counts)
        source = sources.current
        if source is None and self.entries_pane.source_id is not None:
            self.entries_pane.show_nothing()
        if source is not None and (
            message.reload_entries or resume or source.id != self.entries_pane.source_id
        ):
            self.load_source(source, select_entry)
        if resume is not None and resume[1] is not None and source is not None:
            # What was being read, as it was: its page from the cache, else the feed's
            # content; starting the app fetches nothing the user did not ask for.
            self.reading_pane.open_entry(resume[1], mark_read=False, fetch_page=False)
        self.sample_only = bool(message.feeds) and all(f.is_sample for f in message.feeds)
        if not message.feeds:
            self.set_status(
                "No feeds. a adds one; `newsreader import FILE.opml` imports a list.", pin=True
            )
        elif not self.refreshing and not self.status_pinned:
            if self.sample_only:
                self.set_status(WELCOME)
                return
            unread = message.counts.unread
            count = len(message.feeds)
            self.set_status(f"{unread} unread in {count} feed{'s' if count != 1 else ''}")

    def on_entries_loaded(self, message: EntriesLoaded) -> None:
        current = self.sources.current
        if current is None or current.id != message.listing.source.id:
            return  # a stale answer for a row the user has moved away from
        self.entries_pane.show_listing(message.listing, message.title, message.select_entry_id)

    def on_search_results(self, message: SearchResults) -> None:
        self.entries_pane.show_search(message.text, message.hits)

    def on_entry_changed(self, message: EntryChanged) -> None:
        entry = message.entry
        self.entries_pane.update_entry(entry)
        self.reading_pane.entry_changed(entry)
        self.reload_feeds()

    def on_reading_pane_entry_read(self, message: ReadingPane.EntryRead) -> None:
        for copy in message.copies:
            self.entries_pane.update_entry(copy)
        self.on_entry_changed(EntryChanged(message.entry))

    def on_reading_pane_status(self, message: ReadingPane.Status) -> None:
        self.set_status(message.text, message.pin)

    def on_reading_pane_open_link(self, message: ReadingPane.OpenLink) -> None:
        self._open_url(message.url)

    def on_refresh_progress(self, message: RefreshProgress) -> None:
        result = message.result
        self.sources.mark_done(result.feed_id, result.new, result.title if result.ok else "")
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
        self._show_notice()

    # ----------------------------------------------------------------- from the sources pane
    def on_sources_pane_source_highlighted(self, message: SourcesPane.SourceHighlighted) -> None:
        if message.source.id != self.listing:
            self.load_source(message.source)

    def on_sources_pane_source_chosen(self, message: SourcesPane.SourceChosen) -> None:
        self.entry_list.focus()

    def on_sources_pane_edit_requested(self, message: SourcesPane.EditRequested) -> None:
        self.save_feed(message.feed_id, message.edit)

    def on_sources_pane_removal_asked(self, message: SourcesPane.RemovalAsked) -> None:
        self.ask_removal(message.feed)

    def on_sources_pane_remove_requested(self, message: SourcesPane.RemoveRequested) -> None:
        self.remove_feed(message.feed_id, message.title)

    def on_sources_pane_forget_search_requested(
        self, message: SourcesPane.ForgetSearchRequested
    ) -> None:
        self.save_search(message.query, False)

    def on_sources_pane_mode_requested(self, message: SourcesPane.ModeRequested) -> None:
        self.set_status(str(mode_note(message.title, message.mode)), pin=True)
        self.set_full_article_mode(message.feed_id, message.title, message.mode)

    def on_sources_pane_fold_changed(self, message: SourcesPane.FoldChanged) -> None:
        self.save_folds(message.collapsed)

    def on_sources_pane_note(self, message: SourcesPane.Note) -> None:
        self.set_status(message.text, pin=True)

    # ----------------------------------------------------------------- from the entries pane
    def on_entries_pane_entry_chosen(self, message: EntriesPane.EntryChosen) -> None:
        # A new reading starts from the list.
        self.reading_pane.open_entry(message.entry_id, new_reading=True)
        self.reading_pane.focus_article()

    def on_entries_pane_reload_requested(self, message: EntriesPane.ReloadRequested) -> None:
        source = self.sources.current
        if source is not None:
            self.load_source(source)
        self.reload_feeds()

    def on_entries_pane_search_requested(self, message: EntriesPane.SearchRequested) -> None:
        self.run_search(message.text, message.scope)

    def on_entries_pane_save_search_requested(
        self, message: EntriesPane.SaveSearchRequested
    ) -> None:
        self.save_search(message.text, True)

    def on_entries_pane_mark_many_requested(self, message: EntriesPane.MarkManyRequested) -> None:
        self.mark_many(message.entry_ids, message.read, message.undoing)

    def on_entries_pane_note(self, message: EntriesPane.Note) -> None:
        self.set_status(message.text, pin=message.pin)

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
        source = self.sources.current
        if source is None:
            return
        if source.kind == "feed" and source.feed is not None:
            self.run_refresh([source.feed], force=True)  # asked for by name: no waiting
        elif source.kind == "folder":
            self.run_refresh(self.sources.feeds_of(source))
        else:
            self.action_refresh_all()

    def action_refresh_all(self) -> None:
        """Every feed that is neither paused nor gone (410)."""
        if self.refreshing:
            return
        feeds = [f for f in self.sources.feeds if not f.paused and not f.dead]
        self.run_refresh(feeds, sync=True)

    def refresh_due(self) -> None:
        """The auto-refresh: only feeds whose interval has passed and that may be fetched."""
        if self.refreshing:
            return
        minutes = self.service.settings.refresh_minutes
        feeds = [f for f in self.sources.feeds if is_due(f, minutes)]
        if feeds:
            self.run_refresh(feeds, sync=True)

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
        self.find_next_unread(self.sources.feed_order, current.id if current else None)

    def action_previous_unread(self) -> None:
        current = self._target_entry()
        order = self.sources.feed_order
        self.find_next_unread(order, current.id if current else None, backwards=True)

    def action_search(self) -> None:
        """/: search the highlighted feed or folder (everything from a virtual list)."""
        not_while_typing(self)
        source = self.sources.current
        if source is not None and source.kind == "feed":
            scope = SearchScope(f"in {clean_line(source.title, 40)}", [int(source.key)])
        elif source is not None and source.kind == "folder":
            scope = SearchScope(f"in folder {clean_line(source.title, 40)}", None, source.key)
        else:
            scope = SearchScope()
        self.entries_pane.open_search(scope)

    def action_save_search(self) -> None:
        self.entries_pane.action_save_search()

    def action_add_feed(self) -> None:
        not_while_typing(self)
        folders = sorted({f.folder for f in self.sources.feeds if f.folder})

        def added(request: AddRequest | None) -> None:
            if request is not None:
                self.subscribe(request)

        self.app.push_screen(AddFeedScreen(self.service, folders), added)
        self._hold_keys()

    def _hold_keys(self) -> None:
        hold = getattr(self.app, "hold_keys", None)
        if callable(hold):
            hold()

    # Palette commands (commands.py) run actions by name on this screen.
    def action_edit_feed(self) -> None:
        not_while_typing(self)
        self.sources.action_edit_feed()

    def action_remove_feed(self) -> None:
        self.sources.action_remove_feed()

    def action_cycle_full_article(self) -> None:
        self.sources.action_cycle_full_article()

    def action_filter_titles(self) -> None:
        not_while_typing(self)
        self.entries_pane.action_filter_titles()

    def action_mark_all_read(self) -> None:
        self.entries_pane.action_mark_all_read()

    def action_undo(self) -> None:
        self.entries_pane.action_undo()

    def action_toggle_unread_only(self) -> None:
        self.entries_pane.action_toggle_unread_only()

    def action_find(self) -> None:
        """ctrl+f: the find box gets the keys at once (see `focus_now`)."""
        not_while_typing(self)
        self.reading_pane.action_find()

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

    def action_accounts(self) -> None:
        self.app.push_screen(AccountsScreen(self.store, self.service.settings))

    def on_sync_finished(self, message: SyncFinished) -> None:
        """After R: each account's result on the status line (a failure stays until a key)."""
        failed = any(not r.ok for r in message.reports)
        self.set_status(sync_summary(message.reports), pin=failed)
        self.reload_feeds(reload_entries=True)

    def action_health(self) -> None:
        self.app.push_screen(HealthScreen(self.store, self.service.settings.refresh_minutes))

    # ------------------------------------------- rules, hidden entries, changed stories
    def _show_notice(self) -> None:
        """What the refresh's one notification said ([notify], notify rules), as a toast."""
        notice = self.service.last_notice
        self.service.last_notice = None
        if notice is not None:
            titles = "\n".join(clean_line(title, 80) for title in notice.titles[:5])
            self.notify(titles, title=notice.summary, markup=False)

    def action_rules(self) -> None:
        """K: the rules, each edited with a dry run before it is saved."""
        config_path = getattr(self.app, "config_path", None)

        def closed(_: None) -> None:
            self.reload_feeds(reload_entries=True)

        screen = RulesScreen(
            self.store, self.service.settings, config_path, on_saved=self._rules_saved
        )
        self.app.push_screen(screen, closed)

    def _rules_saved(self, settings: Settings) -> None:
        """A rule was saved: the new rules apply from the next refresh on."""
        self.service.settings = settings
        self.run_worker(lambda: before_refresh(self.store, settings), thread=True)

    def action_hidden_entries(self) -> None:
        """X: what rules hid, why (w), and restoring (u)."""

        def closed(restored: int | None) -> None:
            if restored:
                self.reload_feeds(reload_entries=True)

        self.app.push_screen(HiddenScreen(self.store), closed)

    def action_what_changed(self) -> None:
        """D: the word-level diff of an updated story, and its earlier versions."""
        entry = self._target_entry()
        if entry is None or entry.id is None:
            self.notify("No entry is open.", severity="warning")
            return
        self.app.push_screen(ChangesScreen(self.store, entry))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self))

    def go_to_source(self, source_id: str) -> None:
        """Palette "go to …": highlight that row of the feeds pane and list it."""
        self.sources.go_to(source_id)

    def action_focus_entries(self) -> None:
        pane = self.entries_pane
        if (
            not self.reading_pane.close_find()
            and not pane.close_search()
            and not pane.close_filter()
        ):
            self.entry_list.focus()

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
            text = (
                "No browser could be started: y copies the link, "
                "or set `browser` in the config file."
            )
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
