"""The download queue: podcast files fetched to disk, streamed, resumable, capped, checked.

The store keeps the queue (`reader.store_downloads`); a `Downloader` works through it. Each
file is streamed to `<name>.part` beside its final name and renamed when whole, so a file
under its real name is always complete. A `.part` left by a dropped connection, a cancel or
a killed process is resumed with an HTTP Range request (If-Range keeps it to the same
file); a server that ignores Range sends the whole file again, which is written from the
start. A file larger than `download_max_bytes` (said up front or found on the way) fails
with the reason.

Where a download may go follows the feed rules (`netguard`): http(s) only, redirects checked
hop by hop, and nothing in loopback, private or link-local space unless the feed itself is
there (a file named by a public feed cannot point the reader at the user's router). Names
come from `reader.enclosures.file_name`, inside `<folder>/<feed>/`, never outside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import platformdirs

from reader import netguard
from reader.config import Settings
from reader.enclosures import file_name, safe_name
from reader.feeds.fetch import DEFAULT_USER_AGENT, describe_error, format_size
from reader.models import Enclosure
from reader.netguard import MAX_URL_LENGTH
from reader.store import Store
from reader.store_downloads import Download
from reader.text import clean_line, is_http_url

MAX_REDIRECTS = 10
MAX_RESUMES = 3
"""Times a download picks up again on its own after the connection dropped mid-file."""
PROGRESS_SECONDS = 0.5
"""How often progress is written to the store and reported (a bar needs no more)."""
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)", re.IGNORECASE)
_UNSATISFIED = re.compile(r"bytes\s+\*/(\d+)", re.IGNORECASE)

ChangeCallback = Callable[[Download], None]


def default_folder() -> Path:
    """A `newsreader` folder in the user's Downloads folder."""
    return Path(platformdirs.user_downloads_dir()) / "newsreader"


def download_folder(settings: Settings, override: str | Path | None = None) -> Path:
    """Where files go: `--to DIR`, else the `download_dir` setting, else `default_folder()`."""
    chosen = override if override else settings.download_dir
    return Path(chosen).expanduser() if chosen else default_folder()


class DownloadFailed(Exception):
    """A download that cannot go on; the message is the reason shown to the user."""


class _Dropped(Exception):
    """The connection broke mid-file: worth resuming from what arrived."""


class _Restart(Exception):
    """The partial file cannot be continued (another file now, a bad range): start over."""


def choose_path(folder: Path, download: Download) -> Path:
    """`<folder>/<feed>/<entry title>.<ext>`, numbered when taken; always inside `folder`."""
    enclosure = Enclosure(download.url, download.type)
    directory = folder / safe_name(download.feed_title, "podcast")
    name = file_name(enclosure, download.title)
    stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
    path = directory / name
    number = 2
    while path.exists() or path.with_name(path.name + ".part").exists():
        path = directory / (f"{stem} ({number}){dot}{extension}")
        number += 1
    root = folder.resolve()
    if not path.resolve().is_relative_to(root):  # cannot happen with safe names: belt and braces
        raise DownloadFailed("refused a file name that leads out of the download folder")
    return path


class Downloader:
    """Works through the store's queue: `await run()`; `wake`, `cancel`, `stop` from any thread."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        folder: Path | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        on_change: ChangeCallback | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.folder = folder if folder is not None else download_folder(settings)
        self.max_bytes = settings.download_max_bytes
        self.at_once = max(1, settings.downloads_at_once)
        self.timeouts = httpx.Timeout(settings.timeout, connect=settings.connect_timeout)
        self._transport = transport
        self._on_change = on_change
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._run_task: asyncio.Task[object] | None = None
        self._tasks: dict[int, asyncio.Task[Download]] = {}
        self._cancelled: set[int] = set()
        self._guard = threading.Lock()

    # ----------------------------------------------------------------- from any thread
    def wake(self) -> None:
        """Something was queued: look at the queue again."""
        self._call_soon(lambda: self._wake.set() if self._wake is not None else None)

    def cancel(self, download_id: int) -> bool:
        """Stop one download (it fails as "cancelled"; its `.part` stays for a retry).
        False when it is not running here."""
        with self._guard:
            task = self._tasks.get(download_id)
            if task is None:
                return False
            self._cancelled.add(download_id)
        self._call_soon(task.cancel)
        return True

    def stop(self) -> None:
        """End the run; files under way go back to the queue (resumed next time)."""
        task = self._run_task
        if task is not None:
            self._call_soon(task.cancel)

    def _call_soon(self, callback: Callable[[], object]) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop just closed
                loop.call_soon_threadsafe(callback)

    @property
    def running(self) -> bool:
        return self._run_task is not None and not self._run_task.done()

    # ----------------------------------------------------------------- the run
    async def run(
        self, ids: Collection[int] | None = None, *, feed_id: int | None = None
    ) -> list[Download]:
        """Download the queued files (only `ids`, or one feed's, when given), at most
        `downloads_at_once` at a time, until none is left; files queued meanwhile are
        taken too. Returns each file's final state, in the order they finished."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._run_task = asyncio.current_task()
        finished: list[Download] = []
        tried: set[int] = set()
        async with httpx.AsyncClient(
            headers={"User-Agent": DEFAULT_USER_AGENT, "Accept-Encoding": "identity"},
            timeout=self.timeouts,
            follow_redirects=False,
            transport=self._transport,
        ) as client:
            try:
                while True:
                    queued = await asyncio.to_thread(
                        self.store.list_downloads, states=["queued"], feed_id=feed_id
                    )
                    for item in queued:
                        if len(self._tasks) >= self.at_once:
                            break
                        if item.id in tried or (ids is not None and item.id not in ids):
                            continue
                        tried.add(item.id)
                        with self._guard:
                            self._tasks[item.id] = asyncio.create_task(self._one(client, item))
                    if not self._tasks:
                        return finished
                    self._wake.clear()
                    waker = asyncio.create_task(self._wake.wait())
                    await asyncio.wait(
                        [*self._tasks.values(), waker], return_when=asyncio.FIRST_COMPLETED
                    )
                    waker.cancel()
                    for download_id, task in list(self._tasks.items()):
                        if task.done():
                            with self._guard:
                                del self._tasks[download_id]
                            finished.append(task.result())
            finally:
                for task in self._tasks.values():
                    task.cancel()
                if self._tasks:
                    await asyncio.gather(*self._tasks.values(), return_exceptions=True)
                self._tasks.clear()

    async def _one(self, client: httpx.AsyncClient, item: Download) -> Download:
        """One file, start to end; always returns its final state (never raises)."""
        try:
            return await self._download(client, item)
        except asyncio.CancelledError:
            if item.id in self._cancelled:
                self._cancelled.discard(item.id)
                return await self._finish(item, "failed", error="cancelled")
            await asyncio.to_thread(self.store.update_download, item.id, state="queued")
            raise
        except DownloadFailed as exc:
            return await self._finish(item, "failed", error=str(exc))
        except OSError as exc:  # the disk: full, read-only, permissions
            reason = clean_line(exc.strerror or str(exc), 200)
            return await self._finish(item, "failed", error=f"cannot write the file: {reason}")

    async def _finish(self, item: Download, state: str, **changes: object) -> Download:
        await asyncio.to_thread(self.store.update_download, item.id, state=state, **changes)
        done = await asyncio.to_thread(self.store.get_download, item.id)
        done = done or replace(item, state=state)
        self._report(done)
        return done

    def _report(self, item: Download) -> None:
        if self._on_change is not None:
            self._on_change(item)

    async def _download(self, client: httpx.AsyncClient, item: Download) -> Download:
        path = Path(item.path) if item.path else None
        if path is None or not path.with_name(path.name + ".part").exists():
            path = choose_path(self.folder, item)
            item = replace(item, bytes=0)
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".part")
        item = replace(item, state="downloading", path=str(path), error="")
        await asyncio.to_thread(
            self.store.update_download,
            item.id,
            state="downloading",
            path=str(path),
            error="",
            bytes=item.bytes,
        )
        self._report(item)
        allow_private = await self._allow_private(item)
        resumes = 0
        restarted = False
        while True:
            before = part.stat().st_size if part.exists() else 0
            try:
                item = await self._fetch(client, item, part, allow_private)
                break
            except _Restart:
                if restarted:
                    raise DownloadFailed("the server keeps sending a different file") from None
                restarted = True
                part.unlink(missing_ok=True)
                item = replace(item, validator="", bytes=0)
            except _Dropped as exc:
                after = part.stat().st_size if part.exists() else 0
                resumes += 1
                if after <= before or resumes > MAX_RESUMES:
                    raise DownloadFailed(str(exc)) from None
        os.replace(part, path)
        return await self._finish(item, "done", bytes=item.bytes, path=str(path))

    async def _allow_private(self, item: Download) -> bool | None:
        """None (the feed's own network is fine) for a feed in loopback/private space, else
        False: a public feed's file may not be fetched from the user's own network."""
        feed = await asyncio.to_thread(self.store.get_feed, item.feed_id) if item.feed_id else None
        if feed is None:
            return False
        try:
            parts = urlsplit(feed.url)
            host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return False
        if not host:
            return False
        try:
            return None if await netguard.host_is_internal(host, port) else False
        except OSError:
            return False

    async def _fetch(
        self, client: httpx.AsyncClient, item: Download, part: Path, allow_private: bool | None
    ) -> Download:
        offset = part.stat().st_size if part.exists() else 0
        headers: dict[str, str] = {}
        if offset:
            headers["Range"] = f"bytes={offset}-"
            if item.validator:
                headers["If-Range"] = item.validator
        response = await self._open(client, item.url, headers, allow_private)
        try:
            return await self._receive(response, item, part, offset)
        except httpx.HTTPError as exc:
            raise _Dropped(describe_error(exc, response.url, self.timeouts)) from None
        finally:
            await response.aclose()

    async def _receive(
        self, response: httpx.Response, item: Download, part: Path, offset: int
    ) -> Download:
        status = response.status_code
        if status == 416 and offset:
            unsatisfied = _UNSATISFIED.search(response.headers.get("content-range", ""))
            if unsatisfied and int(unsatisfied.group(1)) == offset:
                return replace(item, bytes=offset, total=offset)  # it was all there already
            raise _Restart
        if status == 206 and offset:
            match = _CONTENT_RANGE.search(response.headers.get("content-range", ""))
            if match is None or int(match.group(1)) != offset:
                raise _Restart
            total = int(match.group(3)) if match.group(3) != "*" else None
            mode = "ab"
        elif 200 <= status < 300 and status != 206:
            offset = 0  # the server ignored Range (or there was none): the whole file again
            declared = response.headers.get("content-length", "")
            total = int(declared) if declared.isdigit() else None
            mode = "wb"
        else:
            reason = clean_line(httpx.codes.get_reason_phrase(status), 80)
            raise DownloadFailed(f"HTTP {status} {reason}".rstrip())
        if total is not None and total > self.max_bytes:
            raise DownloadFailed(
                f"the file is {format_size(total)}, larger than the limit of "
                f"{format_size(self.max_bytes)} (download_max_bytes)"
            )
        validator = clean_line(
            response.headers.get("etag") or response.headers.get("last-modified") or "", 500
        )
        if validator.startswith("W/"):
            validator = ""  # a weak ETag cannot vouch for byte ranges
        item = replace(item, total=total or item.total, validator=validator, bytes=offset)
        await asyncio.to_thread(
            self.store.update_download, item.id, total=item.total, validator=validator
        )
        encoded = response.headers.get("content-encoding", "identity").strip().lower()
        # As they arrive (no chunk size): bytes buffered to make up a chunk would be lost
        # with a connection that drops, and resuming would fetch them again.
        chunks = response.aiter_raw() if encoded in ("", "identity") else response.aiter_bytes()
        received = offset
        last = time.monotonic()
        with part.open(mode) as out:
            async for chunk in chunks:
                received += len(chunk)
                if received > self.max_bytes:
                    raise DownloadFailed(
                        f"the file is larger than the limit of {format_size(self.max_bytes)}"
                        " (download_max_bytes)"
                    )
                out.write(chunk)
                now = time.monotonic()
                if now - last >= PROGRESS_SECONDS:
                    last = now
                    item = replace(item, bytes=received)
                    await asyncio.to_thread(self.store.update_download, item.id, bytes=received)
                    self._report(item)
        item = replace(item, bytes=received)
        if total is not None and received < total:
            await asyncio.to_thread(self.store.update_download, item.id, bytes=received)
            raise _Dropped(
                f"the connection closed before the whole file arrived "
                f"({format_size(received)} of {format_size(total)})"
            )
        return item

    async def _open(
        self,
        client: httpx.AsyncClient,
        url: str,
        headers: dict[str, str],
        allow_private: bool | None,
    ) -> httpx.Response:
        """The response to GET `url` (streaming), redirects followed and checked hop by hop."""
        if not is_http_url(url):
            raise DownloadFailed(f"not an http(s) URL: {clean_line(url, 120)}")
        if len(url) > MAX_URL_LENGTH:
            raise DownloadFailed(f"URL too long ({len(url)} characters)")
        try:
            current = httpx.URL(url.strip())
        except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
            raise DownloadFailed(f"invalid URL: {clean_line(str(exc), 120)}") from None
        origin = current
        origin_internal: bool | None = None
        if allow_private is False:
            if await self._internal(current):
                raise DownloadFailed(
                    f"refused {_host(current)}: a local or private network address "
                    "(named by a public feed)"
                )
            origin_internal = False
        for _hop in range(MAX_REDIRECTS + 1):
            request = client.build_request("GET", current, headers=headers)
            try:
                response = await client.send(request, stream=True)
            except httpx.HTTPError as exc:
                raise _Dropped(describe_error(exc, current, self.timeouts)) from None
            target = response.next_request.url if response.next_request is not None else None
            if response.status_code not in _REDIRECTS or target is None:
                return response
            await response.aclose()
            if target.scheme not in ("http", "https"):
                raise DownloadFailed(f"redirected to {clean_line(str(target), 120)}: not http(s)")
            if len(str(target)) > MAX_URL_LENGTH:
                raise DownloadFailed("redirected to a URL too long to follow")
            if allow_private is not True and await self._internal(target):
                if origin_internal is None:
                    origin_internal = await self._internal(origin, lookup_failed=False)
                if not origin_internal:
                    raise DownloadFailed(
                        f"refused a redirect to {_host(target)}, a local or private network address"
                    )
            current = target
        raise DownloadFailed(f"too many redirects (more than {MAX_REDIRECTS})")

    async def _internal(self, url: httpx.URL, *, lookup_failed: bool | None = None) -> bool:
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            return await asyncio.wait_for(
                netguard.host_is_internal(url.host, port), self.timeouts.connect
            )
        except (OSError, TimeoutError, socket.gaierror):
            if lookup_failed is not None:
                return lookup_failed
            raise DownloadFailed(f"DNS lookup failed for {_host(url)}") from None


def _host(url: httpx.URL) -> str:
    return clean_line(url.host or str(url), 120)
