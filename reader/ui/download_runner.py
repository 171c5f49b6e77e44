"""The TUI's download queue: the core `Downloader` on a thread of its own, with its own loop.

A 500 MB file streams through httpx and onto disk without ever touching the UI's event loop:
the UI only hears, a few times a second at most, that a file moved on (and reads the bars
from the store). The thread is a daemon: quitting never waits for a download; `stop` asks
the files under way to go back to the queue first, and their `.part` files are resumed on
the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable

from reader.config import Settings
from reader.downloads import Downloader, download_folder
from reader.store import Store, StoreError
from reader.store_downloads import Download

DOWNLOAD_NICENESS = 10
"""The download thread's CPU priority below the UI's (Linux): on a busy machine the
scheduler runs the UI thread first whenever it has a frame to draw or a key to handle."""

STOP_WAIT_SECONDS = 2.0
"""How long quitting waits for the files under way to be put back in the queue."""


class DownloadRunner:
    """Starts, wakes, cancels and stops the download thread; `on_change` runs on the UI loop."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        on_change: Callable[[Download], None],
        *,
        downloader_factory: Callable[..., Downloader] = Downloader,
    ) -> None:
        self.store = store
        self.settings = settings
        self.on_change = on_change
        self._factory = downloader_factory
        self._downloader: Downloader | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """(On the UI loop.) Work through the queue: start the thread, or wake it."""
        self._loop = asyncio.get_running_loop()
        if self.busy and self._downloader is not None:
            self._downloader.wake()
            return
        downloader = self._factory(
            self.store,
            self.settings,
            folder=download_folder(self.settings),
            on_change=self._changed,
        )
        self._downloader = downloader
        self._thread = threading.Thread(
            target=self._run, args=(downloader,), name="newsreader-downloads", daemon=True
        )
        self._thread.start()

    def cancel(self, download_id: int) -> bool:
        """Stop a file under way here; a queued one is failed as cancelled. False when it
        was neither (already done or failed)."""
        if self._downloader is not None and self._downloader.cancel(download_id):
            return True
        item = self.store.get_download(download_id)
        if item is None or item.state not in ("queued", "downloading"):
            return False
        self.store.update_download(download_id, state="failed", error="cancelled")
        return True

    def stop(self) -> None:
        """Put the files under way back in the queue and let the thread end."""
        if self._downloader is not None:
            self._downloader.stop()
        thread = self._thread
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(STOP_WAIT_SECONDS)

    def _run(self, downloader: Downloader) -> None:
        """(The download thread.) One run; then, on the UI loop, look for files queued as
        it ended."""
        with contextlib.suppress(OSError, AttributeError):  # Linux: threads have their own nice
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), DOWNLOAD_NICENESS)
        with contextlib.suppress(StoreError, asyncio.CancelledError):
            asyncio.run(downloader.run())
        self._to_ui(self._ended)

    def _ended(self) -> None:
        if self.busy:
            return
        with contextlib.suppress(StoreError):
            if self.store.list_downloads(states=["queued"]):
                self.start()

    def _changed(self, item: Download) -> None:
        """(The download thread.) Hand the change to the UI loop without waiting for it."""
        self._to_ui(self.on_change, item)

    def _to_ui(self, callback: Callable[..., object], *args: object) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the app is closing
                loop.call_soon_threadsafe(callback, *args)
