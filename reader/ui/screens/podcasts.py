"""The podcast screens: an entry's files (E) and the download queue (D).

Both are framed lists over the store. The files list shows each enclosure (kind, type, size,
playing time, where its download stands): Enter queues it, p plays it, y copies its address.
The downloads view shows every file in the queue with a progress bar; it reads the queue
from the store twice a second while open (the download thread writes it), so it also shows
files a `newsreader download` in another terminal is fetching. Every title, URL and error
goes in as Content, never markup.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.enclosures import describe
from reader.feeds.fetch import format_size
from reader.models import Enclosure, Entry
from reader.podcasts import start_player, what_to_play
from reader.store import Store
from reader.store_downloads import Download
from reader.text import clean_line

if TYPE_CHECKING:
    from reader.ui.app import NewsReaderApp

BAR_CELLS = 24
POLL_SECONDS = 0.5

_STATE_WORDS = {"queued": "queued", "downloading": "downloading", "done": "downloaded"}


def progress_bar(fraction: float | None, cells: int = BAR_CELLS) -> Content:
    """`━━━━━━━━╺━━━━━━` as Content: the done part in the accent colour."""
    if fraction is None:
        return Content.styled("╌" * cells, "$text-muted")
    done = round(max(0.0, min(1.0, fraction)) * cells)
    return Content.assemble(
        Content.styled("━" * done, "$accent"), Content.styled("━" * (cells - done), "$panel")
    )


def download_words(item: Download) -> str:
    """`12.3 MiB of 48.2 MiB (25%)`, `downloaded: /path`, `failed: reason`."""
    if item.state == "done":
        return f"downloaded · {item.path}"
    if item.state == "failed":
        return f"failed: {clean_line(item.error, 300)}"
    got = format_size(item.bytes)
    if item.total:
        return f"{item.state} · {got} of {format_size(item.total)} ({item.fraction or 0:.0%})"
    return f"{item.state} · {got}" if item.bytes else item.state


def download_prompt(item: Download) -> Content:
    """Two lines: the title (and feed), then the bar and where it stands."""
    title = clean_line(item.title, 200) or clean_line(item.url, 200)
    feed = clean_line(item.feed_title, 80)
    head = Content.styled(title, "bold")
    if feed:
        head = head + Content.styled(f"  {feed}", "$text-muted")
    style = "$text-error" if item.state == "failed" else "$text-muted"
    return Content.assemble(
        head, "\n", progress_bar(item.fraction), " ", Content.styled(download_words(item), style)
    )


def file_prompt(enclosure: Enclosure, item: Download | None) -> Content:
    """The kind, type, size and time, the file's own title, its address, and its download."""
    lines = [Content.styled(describe(enclosure), "bold")]
    if enclosure.title:
        lines.append(Content(clean_line(enclosure.title, 200)))
    lines.append(Content.styled(clean_line(enclosure.url, 300), "$text-muted"))
    if item is not None:
        style = "$text-error" if item.state == "failed" else "$text-success"
        lines.append(Content.styled(download_words(item), style))
    return Content("\n").join(lines)


class PodcastList(OptionList):
    """The list inside both screens (j/k move, as in the other lists)."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


class FilesScreen(ModalScreen[None]):
    """An entry's files: Enter/d queues the highlighted one, p plays it, y copies its URL."""

    HELP_GROUP = "Files of an entry (E)"
    BINDINGS = [
        Binding("escape,q,E", "dismiss", "Close", show=False),
        Binding("d", "download", "Download the file", show=False, id="download-file"),
        Binding("p", "play", "Play the file", show=False, id="play-file"),
        Binding("y", "copy", "Copy the file's address", show=False, id="copy-file"),
    ]

    def __init__(self, store: Store, entry: Entry) -> None:
        super().__init__()
        self.store = store
        self.entry = entry
        self.states: dict[str, Download] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="files-body") as body:
            body.border_title = Content(f"Files · {clean_line(self.entry.title, 60)}")
            body.border_subtitle = Content("Enter download · p play · y copy · Escape close")
            yield PodcastList(id="files-list")

    def on_mount(self) -> None:
        self.query_one(PodcastList).focus()
        self.load()

    @work(thread=True, exclusive=True, group="files", exit_on_error=False)
    def load(self) -> None:
        states = self.store.download_states([e.url for e in self.entry.enclosures])
        self.app.call_from_thread(self._show, states)

    def _show(self, states: dict[str, Download]) -> None:
        self.states = states
        files = self.query_one(PodcastList)
        keep = files.highlighted
        files.set_options(Option(file_prompt(e, states.get(e.url))) for e in self.entry.enclosures)
        files.highlighted = keep if keep is not None else 0

    @property
    def current(self) -> Enclosure | None:
        index = self.query_one(PodcastList).highlighted
        files = self.entry.enclosures
        return files[index] if index is not None and 0 <= index < len(files) else None

    @on(OptionList.OptionSelected, "#files-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_download()

    def action_download(self) -> None:
        enclosure = self.current
        if enclosure is not None:
            self.queue(enclosure)

    @work(thread=True, group="files-queue", exit_on_error=False)
    def queue(self, enclosure: Enclosure) -> None:
        item = self.store.queue_download(self.entry, enclosure)
        self.app.call_from_thread(self._queued, item)

    def _queued(self, item: Download) -> None:
        app: NewsReaderApp = self.app  # type: ignore[assignment]
        if item.state == "done":
            self.notify(f"Already downloaded: {item.path}", markup=False)
        else:
            app.downloads.start()
            self.notify(f"Queued: {clean_line(item.title, 100)} (D shows the queue)", markup=False)
        self.load()

    def action_play(self) -> None:
        enclosure = self.current
        if enclosure is not None:
            self.play(enclosure)

    @work(thread=True, group="files-play", exit_on_error=False)
    def play(self, enclosure: Enclosure) -> None:
        app: NewsReaderApp = self.app  # type: ignore[assignment]
        target = what_to_play(self.store, enclosure)
        if target is None:
            self.app.call_from_thread(self.notify, "Not an http(s) file: not played.")
            return
        problem = start_player(app.settings.player, target)
        if problem is None:
            self.store.set_played([enclosure.url])
            text = f"Playing {clean_line(target, 200)}"
        else:
            text = f"Cannot play: {problem}"
        self.app.call_from_thread(partial(self.notify, text, markup=False))

    def action_copy(self) -> None:
        enclosure = self.current
        if enclosure is not None:
            self.app.copy_to_clipboard(enclosure.url)
            self.notify(f"Copied {clean_line(enclosure.url, 200)}", markup=False)


class DownloadsScreen(ModalScreen[None]):
    """The queue with a bar per file: c cancels, r retries, x takes a file off the list,
    p plays a downloaded file."""

    HELP_GROUP = "Downloads (D)"
    BINDINGS = [
        Binding("escape,q,D", "dismiss", "Close", show=False),
        Binding("c", "cancel", "Cancel the download", show=False, id="cancel-download"),
        Binding("r", "retry", "Retry a failed download", show=False, id="retry-download"),
        Binding("x,delete", "forget", "Take off the list (the file stays)", show=False),
        Binding("p", "play", "Play the file", show=False, id="play-download"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.items: list[Download] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="downloads-body") as body:
            body.border_title = Content("Downloads")
            body.border_subtitle = Content("c cancel · r retry · x remove · p play · Escape close")
            yield PodcastList(id="downloads-list")

    def on_mount(self) -> None:
        self.query_one(PodcastList).focus()
        self.load()
        self.set_interval(POLL_SECONDS, self.load)

    @work(thread=True, exclusive=True, group="downloads-view", exit_on_error=False)
    def load(self) -> None:
        items = self.store.list_downloads()
        self.app.call_from_thread(self._show, items)

    def _show(self, items: list[Download]) -> None:
        if items == self.items and self.query_one(PodcastList).option_count:
            return
        self.items = items
        rows = self.query_one(PodcastList)
        keep = rows.highlighted
        if items:
            rows.set_options(Option(download_prompt(item)) for item in items)
        else:
            empty = "Nothing downloaded yet. E on an entry with files lists them; Enter queues one."
            rows.set_options([Option(Content(empty), disabled=True)])
        if items:
            rows.highlighted = min(keep, len(items) - 1) if keep is not None else 0

    @property
    def current(self) -> Download | None:
        index = self.query_one(PodcastList).highlighted
        return self.items[index] if index is not None and 0 <= index < len(self.items) else None

    def action_cancel(self) -> None:
        if self.current is not None:
            self.change(self.current, "cancel")

    def action_retry(self) -> None:
        if self.current is not None:
            self.change(self.current, "retry")

    def action_forget(self) -> None:
        if self.current is not None:
            self.change(self.current, "forget")

    @work(thread=True, group="downloads-change", exit_on_error=False)
    def change(self, item: Download, what: str) -> None:
        """(In a thread.) Cancel, retry or forget `item`, then say so and show the list."""
        app: NewsReaderApp = self.app  # type: ignore[assignment]
        title = clean_line(item.title, 100)
        if what == "cancel":
            done = app.downloads.cancel(item.id)
            text = f"Cancelled: {title}" if done else "Only a queued or downloading file cancels."
        elif what == "retry":
            done = self.store.retry_download(item.id)
            text = f"Queued again: {title}" if done else "Only a failed download can be retried."
            if done:
                app.call_from_thread(app.downloads.start)
        elif item.state in ("queued", "downloading"):
            text = "Cancel it first (c): a file under way stays on the list."
        else:
            self.store.remove_download(item.id)
            text = f"Off the list (the file stays): {title}"
        app.call_from_thread(partial(self.notify, text, markup=False))
        items = self.store.list_downloads()
        app.call_from_thread(self._show, items)

    def action_play(self) -> None:
        if self.current is not None:
            self.play(self.current)

    @work(thread=True, group="downloads-play", exit_on_error=False)
    def play(self, item: Download) -> None:
        """(In a thread.) Start the player on a downloaded file and mark it played."""
        app: NewsReaderApp = self.app  # type: ignore[assignment]
        if item.state != "done" or not Path(item.path).is_file():
            text = "Only a downloaded file plays from here (p in the reader streams it)."
        else:
            problem = start_player(app.settings.player, str(Path(item.path).resolve()))
            if problem is None:
                self.store.set_played([item.url])
                text = f"Playing {clean_line(item.path, 200)}"
            else:
                text = f"Cannot play: {problem}"
        app.call_from_thread(partial(self.notify, text, markup=False))
