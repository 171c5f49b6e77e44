"""The sources pane: virtual lists, saved searches, folders and feeds, with the keys that
act on the highlighted feed (settings, remove, full-article mode, fold).

It owns which row is highlighted and which folders are folded; everything that touches
the store is asked of the screen through the nested messages below.
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
from textual.widgets import OptionList

from reader.models import Feed
from reader.text import clean_line
from reader.ui.focus import not_while_typing
from reader.ui.screens.dialogs import ConfirmScreen, EditFeedScreen, FeedEdit, removal_question
from reader.ui.widgets.feed_list import FeedCounts, FeedList, Source

FULL_ARTICLE_MODES = ("auto", "always", "never")
MODE_WORDS = {
    "auto": "when the feed gives only a summary",
    "always": "always",
    "never": "never (the feed's content only)",
}


def next_mode(mode: str) -> str:
    """auto -> always -> never -> auto."""
    index = FULL_ARTICLE_MODES.index(mode) if mode in FULL_ARTICLE_MODES else -1
    return FULL_ARTICLE_MODES[(index + 1) % len(FULL_ARTICLE_MODES)]


class SourcesPane(Vertical):
    """The left pane. Posts `SourceHighlighted` when another row is highlighted and
    `SourceChosen` on Enter; feed changes go out as requests the screen carries out."""

    BINDINGS = [
        Binding("d,delete", "remove_feed", "Remove feed", show=False, id="remove-feed"),
        Binding("F", "cycle_full_article", "Feed: full-article mode", show=False, id="mode"),
    ]

    collapsed: reactive[frozenset[str]] = reactive(frozenset(), init=False)
    """Folded folders (their paths); kept across restarts by the screen."""

    # ------------------------------------------------------------------ messages
    @dataclass
    class SourceHighlighted(Message):
        """Another row is highlighted: the entries pane should list it."""

        source: Source

    @dataclass
    class SourceChosen(Message):
        """Enter on a row: go to its entries."""

        source: Source

    @dataclass
    class EditRequested(Message):
        """Save these settings for a feed."""

        feed_id: int
        edit: FeedEdit

    @dataclass
    class RemovalAsked(Message):
        """`d` on a feed: count its starred entries, then call `confirm_removal`."""

        feed: Feed

    @dataclass
    class RemoveRequested(Message):
        """The user confirmed removing a feed."""

        feed_id: int
        title: str

    @dataclass
    class ForgetSearchRequested(Message):
        """Remove a saved search."""

        query: str

    @dataclass
    class ModeRequested(Message):
        """Set a feed's full-article mode (auto, always, never)."""

        feed_id: int
        title: str
        mode: str

    @dataclass
    class FoldChanged(Message):
        """The set of folded folders changed (to be remembered)."""

        collapsed: frozenset[str]

    @dataclass
    class Note(Message):
        """A line for the status bar."""

        text: str

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield FeedList(id="feed-list")

    def on_mount(self) -> None:
        self.feed_list.border_title = "Feeds"

    @property
    def feed_list(self) -> FeedList:
        return self.query_one(FeedList)

    # ------------------------------------------------------------------ state in, out
    def show_feeds(
        self, feeds: list[Feed], keep: str | None = None, counts: FeedCounts | None = None
    ) -> None:
        """Replace the rows, keeping the highlight on the row `keep` (a Source id)."""
        self.feed_list.show_feeds(feeds, keep, counts)

    def set_collapsed(self, collapsed: frozenset[str]) -> None:
        """Folders folded at start (as remembered); posts no FoldChanged."""
        self.set_reactive(SourcesPane.collapsed, frozenset(collapsed))
        self.feed_list.collapsed = set(collapsed)

    @property
    def feeds(self) -> list[Feed]:
        return self.feed_list.feeds

    @property
    def current(self) -> Source | None:
        return self.feed_list.current

    @property
    def current_feed(self) -> Feed | None:
        return self.feed_list.current_feed

    @property
    def option_rows(self) -> list[Source]:
        return self.feed_list.option_rows

    @property
    def feed_order(self) -> list[int]:
        return self.feed_list.feed_order

    def feeds_of(self, source: Source) -> list[Feed]:
        """The feeds a row stands for: itself, a folder's (sub-folders too), or all."""
        if source.kind == "feed" and source.feed is not None:
            return [source.feed]
        if source.kind == "folder":
            prefix = source.key + "/"
            return [f for f in self.feeds if f.folder == source.key or f.folder.startswith(prefix)]
        return list(self.feeds)

    def set_busy(self, feed_ids: set[int]) -> None:
        self.feed_list.set_busy(feed_ids)

    def mark_done(self, feed_id: int, new: int = 0, title: str = "") -> None:
        self.feed_list.mark_done(feed_id, new, title)

    def select_feed(self, feed_id: int) -> None:
        self.feed_list.select_feed(feed_id)

    def go_to(self, source_id: str) -> bool:
        """Highlight a row by its Source id and focus the pane; False if there is none."""
        rows = self.option_rows
        index = next((i for i, row in enumerate(rows) if row.id == source_id), None)
        if index is None:
            return False
        self.feed_list.highlighted = index
        self.feed_list.focus()
        return True

    # ------------------------------------------------------------------ events
    @on(OptionList.OptionHighlighted, "#feed-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        source = self.current
        if source is not None:
            self.post_message(self.SourceHighlighted(source))

    @on(OptionList.OptionSelected, "#feed-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        source = self.current
        if source is not None:
            self.post_message(self.SourceChosen(source))

    @on(FeedList.FoldToggled)
    def _fold_toggled(self, event: FeedList.FoldToggled) -> None:
        event.stop()
        self.collapsed = frozenset(self.feed_list.collapsed)

    def watch_collapsed(self, collapsed: frozenset[str]) -> None:
        self.post_message(self.FoldChanged(collapsed))

    # ------------------------------------------------------------------ actions
    def action_edit_feed(self) -> None:
        """e (bound on the screen: a key that opens an input works from every pane)."""
        not_while_typing(self)
        feed = self.current_feed
        if feed is None or feed.is_sample:
            self.post_message(self.Note("Highlight a feed to edit its settings."))
            return

        def done(edit: FeedEdit | None) -> None:
            if edit is not None:
                self.post_message(self.EditRequested(feed.id, edit))

        self.app.push_screen(EditFeedScreen(feed, feed.user_title), done)
        hold = getattr(self.app, "hold_keys", None)
        if callable(hold):
            hold()  # keys typed on go to the dialog's first field

    def action_remove_feed(self) -> None:
        source = self.current
        if source is not None and source.kind == "search":
            self.post_message(self.ForgetSearchRequested(source.key))
            return
        feed = self.current_feed
        if feed is None or feed.is_sample:
            self.post_message(self.Note("Highlight a feed to remove it."))
            return
        self.post_message(self.RemovalAsked(feed))
        hold = getattr(self.app, "hold_keys", None)
        if callable(hold):
            hold(pushing=True)  # y, n, Enter typed on answer the question, once it is asked

    def confirm_removal(self, feed: Feed, starred: int) -> None:
        """Ask before removing `feed`, saying how many of its entries are starred."""

        def done(yes: bool | None) -> None:
            if yes:
                self.post_message(self.RemoveRequested(feed.id, feed.title))

        question = removal_question(feed.title, feed.total, starred)
        dialog = ConfirmScreen(question, title="Remove feed", yes="Remove", no="Keep")
        self.app.push_screen(dialog, done)

    def action_cycle_full_article(self) -> None:
        """F: auto -> always -> never. The row keeps the new mode at once, so presses in
        quick succession each move one step even before the store has answered."""
        feed = self.current_feed
        if feed is None:
            self.post_message(self.Note("Highlight a feed to change its full-article mode."))
            return
        mode = next_mode(feed.full_article)
        self.feed_list.update_feed(replace(feed, full_article=mode))
        self.post_message(self.ModeRequested(feed.id, feed.title, mode))


def mode_note(title: str, mode: str) -> Content:
    """What the status line says after F."""
    return Content(f"{clean_line(title, 80)}: full articles are fetched {MODE_WORDS[mode]}")
