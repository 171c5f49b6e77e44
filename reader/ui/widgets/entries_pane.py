"""The entries pane: the listed entries, the search box (/) and the quick-filter box (\\).

It owns what is listed and how it is filtered (unread only, starred only, period, title
text) and the search being typed; the store is asked through the screen with the nested
messages below, and the answers come back through `show_listing` / `show_search`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Input, OptionList

from reader.listing import Listing
from reader.models import Entry, SearchHit
from reader.text import clean_line
from reader.ui.focus import focus_now, not_while_typing
from reader.ui.widgets.entry_list import EntryFilter, EntryList
from reader.ui.widgets.search_box import SearchBox

SEARCH_DELAY = 0.15
"""Seconds of quiet typing before a search runs."""


@dataclass(frozen=True)
class SearchScope:
    """What a search covers: `words` for the user, and the feeds or folder (None: all)."""

    words: str = "everywhere"
    feed_ids: list[int] | None = None
    folder: str | None = None


BOX_LINES = 3
"""An Input's height: its text and its two border lines."""


class EntriesPane(Vertical):
    """The middle pane: a list of entries with its search and filter boxes."""

    BINDINGS = [
        Binding("A", "mark_all_read", "Mark all read", show=False, id="mark-all-read"),
        Binding("u", "undo", "Undo mark all", show=False, id="undo"),
        Binding("U", "toggle_unread_only", "Unread only", show=False, id="unread-only"),
        Binding("T", "cycle_period", "Today / this week / all", show=False, id="period"),
        Binding("S", "toggle_starred_only", "Starred only", show=False, id="starred-only"),
    ]

    unread_only: reactive[bool] = reactive(False, init=False)
    """List unread entries only (U)."""
    entry_filter: reactive[EntryFilter] = reactive(EntryFilter, init=False)
    """Quick filters on what is listed (S, T, \\)."""
    title: reactive[str] = reactive("", init=False)
    """What is listed, in words (a feed's title, "All unread", a search)."""
    search_text: reactive[str | None] = reactive(None, init=False)
    """The search in the box (None while no search is open)."""

    # ------------------------------------------------------------------ messages
    @dataclass
    class EntryChosen(Message):
        """Enter on an entry: read it."""

        entry_id: int

    @dataclass
    class ReloadRequested(Message):
        """List the current source again (unread only changed, the search was closed)."""

    @dataclass
    class SearchRequested(Message):
        """Run a search; answer with `show_search`."""

        text: str
        scope: SearchScope

    @dataclass
    class SaveSearchRequested(Message):
        """Keep the search as a row of the sources pane."""

        text: str

    @dataclass
    class MarkManyRequested(Message):
        """Mark these entries read (or unread); `undoing` an earlier mark-all."""

        entry_ids: list[int]
        read: bool
        undoing: bool = False

    @dataclass
    class Note(Message):
        """A line for the status bar; `pin` keeps it until the next key."""

        text: str
        pin: bool = False

    # ------------------------------------------------------------------ layout
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source_id: str | None = None
        self.scope = SearchScope()
        self.last_bulk: tuple[bool, list[int]] | None = None
        """The last mark-all: (read, the entries it changed), for u."""
        self._search_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        search = SearchBox(id="search")
        search.display = False
        yield search
        quick = Input(id="filter", placeholder="Filter titles (@name: by author)")
        quick.display = False
        yield quick
        yield EntryList(id="entries")

    def on_mount(self) -> None:
        self._show_title()

    @property
    def entry_list(self) -> EntryList:
        return self.query_one(EntryList)

    @property
    def box_lines(self) -> int:
        """Lines the open search or filter box takes above the list (0: none open)."""
        return sum(BOX_LINES for box in (self.search_box, self.filter_box) if box.display)

    @property
    def search_box(self) -> Input:
        return self.query_one("#search", Input)

    @property
    def filter_box(self) -> Input:
        return self.query_one("#filter", Input)

    @property
    def entries(self) -> list[Entry]:
        return self.entry_list.entries

    @property
    def current_entry(self) -> Entry | None:
        return self.entry_list.current_entry

    @property
    def input_focused(self) -> bool:
        """True while one of the pane's boxes has the keys."""
        return self.screen.focused in (self.search_box, self.filter_box)

    # ------------------------------------------------------------------ what is listed
    def show_listing(
        self, listing: Listing, title: str, select_entry_id: int | None = None
    ) -> None:
        """Entries of a source, as the screen's worker got them."""
        if self.search_text is not None:
            return  # the search's results stay until the box is closed
        self.source_id = listing.source.id
        self.entry_list.show_entries(
            listing.source.id,
            listing.entries,
            select_entry_id,
            listing.many_feeds,
            listing.snippets,
            empty_text=self._empty_text(),
        )
        self.title = clean_line(title, 80)
        self._show_title()

    def show_nothing(self) -> None:
        """No source to list (the last feed was removed): an empty list that says why."""
        self.source_id = None
        self.title = ""
        self.entry_list.show_entries(
            "", [], empty_text="No feeds.\na adds one (a site's address will do)."
        )
        self._show_title()

    def show_search(self, text: str, hits: list[SearchHit]) -> None:
        """Search results, if `text` is still what the box holds."""
        if self.search_text is None or text != self.search_box.value:
            return  # typing went on (or the box was closed): a newer answer is coming
        entries = [hit.entry for hit in hits]
        snippets = {hit.entry.id: hit.snippet for hit in hits if hit.entry.id}
        self.entry_list.show_entries(
            f"search:{text}",
            entries,
            many_feeds=True,
            snippets=snippets,
            empty_text=f"No matches {self.scope.words}.\nTry fewer or other words.",
        )
        count = len(entries)
        self.title = f"Search · {clean_line(text, 40)} · {count} result{'s' if count != 1 else ''}"
        self._show_title()

    def update_entry(self, entry: Entry) -> None:
        self.entry_list.update_entry(entry)

    def _show_title(self) -> None:
        """The pane title names what is listed and every filter in force."""
        parts = [self.title] if self.title else []
        if self.unread_only and self.search_text is None:
            parts.append("unread only")
        parts += self.entry_filter.marks()
        text = " · ".join(["Entries", *parts]) if self.search_text is None else " · ".join(parts)
        self.entry_list.border_title = Content(text or "Entries")

    def _empty_text(self) -> str:
        """Why the list is empty, and what to do about it."""
        f = self.entry_filter
        if f.text.strip():
            return "No titles match the filter.\nEscape clears it."
        if f.period != "all":
            words = "today" if f.period == "today" else "this week"
            return f"Nothing {words}.\nT widens the period; Escape clears the filters."
        if f.starred:
            return "Nothing starred here.\ns on an entry stars it; S shows all again."
        kind, _, key = (self.source_id or "").partition(":")
        if kind == "virtual" and key == "unread":
            return "Nothing unread.\nR fetches new entries."
        if kind == "virtual" and key == "starred":
            return "Nothing starred yet.\nPress s on an entry to keep it here."
        if kind == "virtual" and key == "recent":
            return "Nothing read yet.\nEntries you read are listed here."
        if kind == "search":
            return "No matches for this saved search.\nd on its row removes it."
        if kind == "list":
            return "No entries on this list yet.\nIts rule puts new ones here (K lists rules)."
        if self.unread_only:
            return "Nothing unread here.\nU shows read entries too."
        if kind == "folder":
            return "No entries in this folder's feeds yet.\nr fetches them."
        if kind == "feed":
            return "This feed has no entries yet.\nr fetches it; i shows its health."
        return "Nothing here."

    # ------------------------------------------------------------------ reactives
    def watch_unread_only(self, unread_only: bool) -> None:
        self._show_title()

    def watch_entry_filter(self, entry_filter: EntryFilter) -> None:
        self.entry_list.set_filter(entry_filter, self._empty_text())
        self._show_title()
        described = entry_filter.describe()
        text = f"Filter: {described} (Escape clears)" if described else "No filter."
        self.post_message(self.Note(text))

    # ------------------------------------------------------------------ search
    def open_search(self, scope: SearchScope) -> None:
        """/: show the search box, focused at once (see `focus_now`)."""
        self.scope = scope
        box = self.search_box
        box.placeholder = f"Search {scope.words}: titles, authors, text, full articles"
        box.display = True
        if self.search_text is None:
            self.search_text = box.value
        focus_now(box)

    def close_search(self) -> bool:
        """Hide the search box and list the source again. False if it was closed."""
        box = self.search_box
        if not box.display:
            return False
        if self._search_timer is not None:
            self._search_timer.stop()
        with box.prevent(Input.Changed):
            box.value = ""
        box.display = False
        self.search_text = None
        self.title = ""
        self.post_message(self.ReloadRequested())
        focus_now(self.entry_list)
        return True

    def action_save_search(self) -> None:
        """ctrl+s in the search box: keep the query as a row of the sources pane."""
        text = clean_line(self.search_box.value, 200)
        if text:
            self.post_message(self.SaveSearchRequested(text))

    def _search_now(self) -> None:
        text = self.search_box.value
        if text.strip():
            self.post_message(self.SearchRequested(text, self.scope))

    # ------------------------------------------------------------------ filters
    def action_filter_titles(self) -> None:
        """\\ (bound on the screen, as every key that opens an input: it works from any
        pane, so the letters typed after it never run as commands)."""
        not_while_typing(self)
        box = self.filter_box
        box.display = True
        focus_now(box)

    def action_cycle_period(self) -> None:
        periods = EntryFilter.PERIODS
        period = self.entry_filter.period
        next_period = periods[(periods.index(period) + 1) % len(periods)]
        self.entry_filter = replace(self.entry_filter, period=next_period)

    def action_toggle_starred_only(self) -> None:
        self.entry_filter = replace(self.entry_filter, starred=not self.entry_filter.starred)

    def close_filter(self) -> bool:
        """Clear every quick filter. False when there was none."""
        box = self.filter_box
        if not box.display and not self.entry_filter:
            return False
        with box.prevent(Input.Changed):
            box.value = ""
        box.display = False
        self.entry_filter = EntryFilter()
        focus_now(self.entry_list)
        return True

    def action_toggle_unread_only(self) -> None:
        self.unread_only = not self.unread_only
        words = "Showing unread entries only." if self.unread_only else "Showing all."
        self.post_message(self.Note(words, pin=True))
        self.post_message(self.ReloadRequested())

    # ------------------------------------------------------------------ marking
    def action_mark_all_read(self) -> None:
        """A: every unread entry of the list on screen."""
        ids = [e.id for e in self.entries if e.id is not None and not e.read]
        if not ids:
            self.post_message(self.Note("Nothing unread here.", pin=True))
            return
        self.post_message(self.MarkManyRequested(ids, True))

    def bulk_marked(self, read: bool, changed: list[int], undoing: bool) -> None:
        """The screen's answer to MarkManyRequested: remember it for u."""
        self.last_bulk = None if undoing else (read, changed)
        if undoing:
            text = f"Undone: {len(changed)} entries unread again."
        else:
            text = f"Marked {len(changed)} entries read. u undoes."
        self.post_message(self.Note(text, pin=True))

    def action_undo(self) -> None:
        if not self.last_bulk:
            self.post_message(self.Note("Nothing to undo.", pin=True))
            return
        read, ids = self.last_bulk
        self.post_message(self.MarkManyRequested(ids, not read, undoing=True))

    # ------------------------------------------------------------------ events
    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.entry_filter = replace(self.entry_filter, text=event.value)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.search_text = event.value
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, self._search_now)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        focus_now(self.entry_list)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._search_now()
        focus_now(self.entry_list)

    @on(OptionList.OptionSelected, "#entries")
    def _entry_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.EntryChosen(int(event.option.id)))
