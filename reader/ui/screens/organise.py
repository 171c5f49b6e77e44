"""The organising half of the main screen: add, edit and remove feeds; bulk marks with undo.

A mixin for `MainScreen` (see reading.py for why): the dialogs collect input, workers here
call the service and store, and results come back as messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from reader.service import FeedService
from reader.store import Store, StoreError
from reader.text import clean_line
from reader.ui.screens.dialogs import (
    AddFeedScreen,
    AddRequest,
    ConfirmScreen,
    EditFeedScreen,
    FeedEdit,
)

if TYPE_CHECKING:
    from textual.app import App

    from reader.ui.widgets.entry_list import EntryList
    from reader.ui.widgets.feed_list import FeedList


class OrganiseMixin:
    """Needs `store`, `service`, the panes and `reload_feeds()` from the screen."""

    store: Store
    service: FeedService
    unread_only: bool
    last_bulk: tuple[str, list[int]] | None

    if TYPE_CHECKING:
        app: App[None]

        @property
        def feed_list(self) -> FeedList: ...
        @property
        def entry_list(self) -> EntryList: ...
        def set_status(self, text: str, pin: bool = False) -> None: ...
        def reload_feeds(self, reload_entries: bool = False) -> None: ...
        def notify(self, message: str, **kwargs: object) -> None: ...

    # ----------------------------------------------------------------- add
    def action_add_feed(self) -> None:
        folders = sorted({f.folder for f in self.feed_list.feeds if f.folder})
        self.app.push_screen(AddFeedScreen(self.service, folders), self._added)

    def _added(self, request: AddRequest | None) -> None:
        if request is not None:
            self.subscribe(request)

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
            self.set_status(f"Subscribed to {title}: {new} entries", pin=True)
        self.select_after_reload = result.feed.id
        self.reload_feeds(reload_entries=True)

    select_after_reload: int | None = None

    # ----------------------------------------------------------------- edit / remove
    def action_edit_feed(self) -> None:
        feed = self.feed_list.current_feed
        if feed is None or feed.is_sample:
            self.set_status("Highlight a feed to edit its settings.", pin=True)
            return

        def done(edit: FeedEdit | None) -> None:
            if edit is not None:
                self.save_feed(feed.id, edit)

        self.app.push_screen(EditFeedScreen(feed, feed.user_title), done)

    @work(thread=True, group="settings", exit_on_error=False)
    def save_feed(self, feed_id: int, edit: FeedEdit) -> None:
        try:
            self.store.update_feed(
                feed_id,
                title=edit.title,
                folder=edit.folder,
                url=edit.url,
                paused=edit.paused,
                refresh_minutes=edit.refresh_minutes,
            )
            self.store.set_full_article(feed_id, edit.full_article)
        except StoreError as exc:
            self.app.call_from_thread(self.set_status, f"Not saved: {exc}", True)
            return
        self.app.call_from_thread(self.set_status, "Feed settings saved.", True)
        self.reload_feeds(reload_entries=True)

    def action_remove_feed(self) -> None:
        source = self.feed_list.current
        if source is not None and source.kind == "search":
            self.forget_search(source.key)  # type: ignore[attr-defined]
            return
        feed = self.feed_list.current_feed
        if feed is None or feed.is_sample:
            self.set_status("Highlight a feed to remove it.", pin=True)
            return
        question = (
            f"Remove {clean_line(feed.title, 100)} and its {feed.total} entries? "
            "Nothing else is touched."
        )

        def done(yes: bool | None) -> None:
            if yes:
                self.remove_feed(feed.id, feed.title)

        self.app.push_screen(ConfirmScreen(question), done)

    @work(thread=True, group="settings", exit_on_error=False)
    def remove_feed(self, feed_id: int, title: str) -> None:
        self.store.remove_feed(feed_id)
        self.app.call_from_thread(self.set_status, f"Removed {clean_line(title, 100)}.", True)
        self.reload_feeds(reload_entries=True)

    # ----------------------------------------------------------------- marking
    def action_mark_all_read(self) -> None:
        """A: every entry of the list on screen (a feed, a folder, a virtual list)."""
        ids = [e.id for e in self.entry_list.entries if e.id is not None and not e.read]
        if not ids:
            self.set_status("Nothing unread here.", pin=True)
            return
        self.bulk_mark(ids, True)

    @work(thread=True, exclusive=True, group="mark", exit_on_error=False)
    def bulk_mark(self, ids: list[int], read: bool, undoing: bool = False) -> None:
        changed = self.store.set_read_many(ids, read)
        if undoing:
            self.last_bulk = None
            text = f"Undone: {len(changed)} entries unread again."
        else:
            self.last_bulk = ("read" if read else "unread", changed)
            text = f"Marked {len(changed)} entries read. u undoes."
        self.app.call_from_thread(self.set_status, text, True)
        self.reload_feeds(reload_entries=True)

    def action_undo(self) -> None:
        if not self.last_bulk:
            self.set_status("Nothing to undo.", pin=True)
            return
        what, ids = self.last_bulk
        self.bulk_mark(ids, what != "read", undoing=True)

    def action_toggle_unread_only(self) -> None:
        self.unread_only = not self.unread_only
        self.set_status(
            "Showing unread entries only." if self.unread_only else "Showing all.", pin=True
        )
        self.reload_feeds(reload_entries=True)
