"""Search for the main screen: `/` opens a search box over the entries pane.

Results come as you type (debounced; the query runs in a thread against SQLite FTS5), ranked,
with highlighted snippets, scoped to the highlighted feed or folder (everything when a virtual
list is highlighted). Enter moves to the results; Escape closes the box and restores the list.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING

from textual import work
from textual.timer import Timer
from textual.widgets import Input

from reader.store import Store
from reader.text import clean_line
from reader.ui.messages import SearchResults
from reader.ui.widgets.entry_list import EntryFilter

if TYPE_CHECKING:
    from reader.ui.widgets.entry_list import EntryList
    from reader.ui.widgets.feed_list import FeedList, Source

MAX_SAVED_SEARCHES = 20


def saved_searches(store: Store) -> list[str]:
    """(In a thread.) The saved searches shown as virtual feeds, in the order saved."""
    try:
        value = json.loads(store.get_state("saved_searches") or "[]")
    except ValueError:
        return []
    return [q for q in value if isinstance(q, str) and q.strip()][:MAX_SAVED_SEARCHES]


SEARCH_DELAY = 0.15
"""Seconds of quiet typing before a search runs."""


class SearchMixin:
    """Needs `store`, the panes, `include_sample` and `load_source()` from the screen."""

    store: Store
    _search_timer: Timer | None = None

    if TYPE_CHECKING:

        @property
        def feed_list(self) -> FeedList: ...
        @property
        def entry_list(self) -> EntryList: ...
        @property
        def include_sample(self) -> bool: ...
        def query_one(self, selector: str, expect_type: type[Input]) -> Input: ...
        def set_timer(self, delay: float, callback: object) -> Timer: ...
        def set_status(self, text: str, pin: bool = False) -> None: ...
        def load_source(self, source: Source, select_entry_id: int | None = None) -> None: ...

    @property
    def search_box(self) -> Input:
        return self.query_one("#search", Input)

    def _scope(self) -> tuple[str, list[int] | None, str | None]:
        """(words for the user, feed ids, folder) of what a search covers."""
        source = self.feed_list.current
        if source is not None and source.kind == "feed":
            return f"in {clean_line(source.title, 40)}", [int(source.key)], None
        if source is not None and source.kind == "folder":
            return f"in folder {clean_line(source.title, 40)}", None, source.key
        return "everywhere", None, None

    def action_search(self) -> None:
        box = self.search_box
        words, _, _ = self._scope()
        box.placeholder = f"Search {words}: titles, authors, text, full articles"
        box.display = True
        box.focus()

    # Named handlers, not @on: decorated handlers are only collected from a widget's own class.
    # ----------------------------------------------------------------- quick filters
    def _apply_filter(self, **changes: object) -> None:
        entry_filter = replace(self.entry_list.filter, **changes)  # type: ignore[arg-type]
        self.entry_list.set_filter(entry_filter)
        described = entry_filter.describe()
        self.set_status(f"Filter: {described} (Escape clears)" if described else "No filter.")

    def action_filter_titles(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_cycle_period(self) -> None:
        periods = EntryFilter.PERIODS
        period = self.entry_list.filter.period
        self._apply_filter(period=periods[(periods.index(period) + 1) % len(periods)])

    def action_toggle_starred_only(self) -> None:
        self._apply_filter(starred=not self.entry_list.filter.starred)

    def close_filter(self) -> bool:
        """Escape: clear every quick filter. False when there was none."""
        box = self.query_one("#filter", Input)
        if not box.display and not self.entry_list.filter:
            return False
        box.value = ""
        box.display = False
        self.entry_list.set_filter(EntryFilter())
        self.set_status("No filter.")
        self.entry_list.focus()
        return True

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self._apply_filter(text=event.value)
            return
        if event.input.id == "find":
            self.find_in_article(event.value)  # type: ignore[attr-defined]
            return
        if event.input.id != "search":
            return
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, self._search_now)

    def _search_now(self) -> None:
        text = self.search_box.value
        _, feed_ids, folder = self._scope()
        if text.strip():
            self.run_search(text, feed_ids, folder)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(self, text: str, feed_ids: list[int] | None, folder: str | None) -> None:
        hits = self.store.search(
            text, feed_ids=feed_ids, folder=folder, include_sample=self.include_sample
        )
        self.post_message(SearchResults(text, hits))  # type: ignore[attr-defined]

    def on_search_results(self, message: SearchResults) -> None:
        if message.text != self.search_box.value:
            return  # typing went on; a newer search is coming
        entries = [hit.entry for hit in message.hits]
        snippets = {hit.entry.id: hit.snippet for hit in message.hits if hit.entry.id}
        self.entry_list.show_entries(
            f"search:{message.text}", entries, many_feeds=True, snippets=snippets
        )
        count = len(entries)
        self.entry_list.border_title = (
            f"Search · {clean_line(message.text, 40)} · {count} result{'s' if count != 1 else ''}"
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.entry_list.focus()
            return
        if event.input.id == "find":
            self.find_in_article(event.value, +1)  # type: ignore[attr-defined]
            return
        if event.input.id != "search":
            return
        self._search_now()
        self.entry_list.focus()

    def action_save_search(self) -> None:
        """ctrl+s in the search box: keep the query as a virtual feed in the feeds pane."""
        text = clean_line(self.search_box.value, 200)
        if text:
            self._save_search(text, True)

    @work(thread=True, group="settings", exit_on_error=False)
    def _save_search(self, text: str, keep: bool) -> None:
        queries = [q for q in saved_searches(self.store) if q != text]
        if keep:
            queries.append(text)
        self.store.set_state("saved_searches", json.dumps(queries[-MAX_SAVED_SEARCHES:]))
        words = "Saved the search" if keep else "Removed the saved search"
        self.app.call_from_thread(self.set_status, f"{words} “{text}”.", True)  # type: ignore[attr-defined]
        self.reload_feeds()  # type: ignore[attr-defined]

    def forget_search(self, text: str) -> None:
        self._save_search(text, False)

    def close_search(self) -> bool:
        """Escape: hide the box and list the highlighted row again. False if it was closed."""
        box = self.search_box
        if not box.display:
            return False
        box.value = ""
        box.display = False
        source = self.feed_list.current
        if source is not None:
            self.load_source(source)
        self.entry_list.focus()
        return True
