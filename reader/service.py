"""Use cases shared by the CLI and the TUI: refresh feeds, open entries, mark them.

Data flows one way: fetch (async httpx) -> parse (feedparser, in a thread) -> store (SQLite,
in a thread). One failing feed records its error and the others go on; nothing here raises
for a feed's problem.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from reader.article.html import parse_html, text_of
from reader.checkpoint import Checkpointer
from reader.config import Settings

if TYPE_CHECKING:
    from reader.feeds.discover import DiscoveryResult
from reader.feeds.errors import NotAFeedError
from reader.feeds.fetch import Fetcher, FetchResult
from reader.feeds.worker import (
    StoredFeed,
    parse_and_store_job,
    parse_job,
    ready_to_store,
    worker_init,
)
from reader.models import Article, Entry, Feed, Link, ParsedFeed
from reader.netguard import host_is_internal
from reader.notify import Notice
from reader.rulesync import after_refresh, before_refresh
from reader.sample import is_sample_url, load_sample, sample_file
from reader.schedule import backoff, freshness, waiting
from reader.store import FeedFacts, FeedUpdate, Store, StoreError
from reader.text import clean_line, is_http_url

HARD_ENTRY_CAP = 5000
"""No feed keeps more entries than this (starred ones aside), whatever the settings."""

AUTO_FULL_ARTICLE_WORDS = 150
"""In `auto` mode, feed content shorter than this many words is taken to be a summary."""


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """What one feed's refresh did, for a progress line or the feed pane."""

    feed_id: int
    title: str
    url: str
    new: int = 0
    status: int | None = None
    error: str | None = None
    not_modified: bool = False
    skipped: str | None = None
    """Not fetched, and why (the server asked to wait, still fresh, backing off)."""
    moved_to: str | None = None
    """The feed answered with a permanent redirect: its stored URL is now this."""
    gone: bool = False
    """The server said 410 Gone: the feed is marked dead and no longer fetched."""
    size: int = 0
    """Body bytes downloaded (0 for a 304)."""
    fetch_seconds: float = 0.0
    parse_seconds: float = 0.0
    store_seconds: float = 0.0
    rules_seconds: float = 0.0
    """CPU time the rules took while the entries were stored (part of store_seconds)."""

    @property
    def ok(self) -> bool:
        return self.error is None

    def describe(self) -> str:
        """One line a person can read: what changed, or why it failed."""
        if self.skipped:
            return f"skipped: {self.skipped}"
        if self.error:
            text = f"error: {self.error}"
            return text + (" (marked dead: no longer fetched)" if self.gone else "")
        text = "not modified" if self.not_modified else f"{self.new} new"
        if self.moved_to:
            text += f" (moved permanently: now {self.moved_to})"
        return text


@dataclass(frozen=True, slots=True)
class PageResult:
    """A page read in reader mode: its article, or why it could not be read."""

    url: str
    article: Article | None = None
    error: str | None = None
    from_cache: bool = False
    updated: tuple[int, ...] = ()
    """Entries already read whose page this one changed (reader.store.Store.put_page):
    their earlier page is kept as a version and they are marked updated."""


_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def url_from_input(text: str) -> str:
    """What a person typed, as a URL: `example.org/feed` gets https://; `javascript:x` and
    other schemes are left alone (and then refused as not http(s))."""
    text = text.strip()
    match = _SCHEME.match(text)
    if match and ("." not in match.group(1) or text[match.end() :].startswith("//")):
        return text
    return "https://" + text if text else text


def wants_full_article(entry: Entry, mode: str) -> bool:
    """Whether opening `entry` should fetch its page (`mode` is the feed's setting)."""
    if mode == "never" or not is_http_url(entry.link):
        return False
    if mode == "always":
        return True
    if not entry.content:
        return True
    words = len(text_of(parse_html(entry.content)).split())
    return words < AUTO_FULL_ARTICLE_WORDS


async def _is_internal(url: str) -> bool:
    """Whether a URL's host is in loopback, private or link-local space (or unresolvable)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    if not parts.hostname:
        return False
    try:
        return await host_is_internal(parts.hostname, port)
    except OSError:  # unresolvable: it cannot vouch for internal links
        return False


PARSE_POOL_MIN_FEEDS = 8
"""Refreshes of fewer feeds parse in a thread: starting worker processes costs more."""


def _submit(
    pool: Executor, body: bytes, url: str, headers: dict[str, str], update: FeedUpdate, now: float
) -> Future[ParsedFeed | StoredFeed]:
    """Submit a parse job (a submit may start a worker process: see `_starting_workers`)."""
    with _starting_workers():
        return pool.submit(parse_and_store_job, body, url, headers, update, now)


@contextmanager
def _starting_workers() -> Iterator[None]:
    """What starting a worker process needs from this one, for the time it takes.

    The real stdout/stderr: starting a worker passes their file descriptors to the child,
    and under the TUI Textual has replaced them with objects that have none ("bad value(s)
    in fds_to_keep"). And no main script: multiprocessing re-runs the program's main file
    in every worker, and for the `newsreader` command that imports the whole CLI (settings,
    notifications, the HTTP client: ~10 MB a worker) where a worker needs only
    `reader.feeds.worker`."""
    with _STARTING:  # submits run in threads: two at once would restore each other's swap
        saved = sys.stdout, sys.stderr
        main = sys.modules.get("__main__")
        main_file = getattr(main, "__file__", None)
        try:
            sys.stdout = sys.__stdout__ or saved[0]
            sys.stderr = sys.__stderr__ or saved[1]
            if main_file is not None:
                del main.__file__  # type: ignore[union-attr]
            yield
        finally:
            sys.stdout, sys.stderr = saved
            if main_file is not None:
                main.__file__ = main_file  # type: ignore[union-attr]


_STARTING = threading.Lock()
"""Held while `_starting_workers` has swapped the process-wide streams."""


def pool_workers() -> int:
    """How many parse worker processes a big refresh starts: one a core (up to four). Each is
    a whole Python with lxml and SQLite (~18 MB PSS). One more than the cores keeps a core
    busy while a worker waits to store, and is faster (300 feeds on 2 cores, alternating
    runs on a quiet moment: 10.7 s against 13.5 s), but costs 100 MB summed PSS against
    83 MB, more than newsboat's 92 MB RSS: memory was the target not yet met."""
    return min(os.cpu_count() or 1, 4)


def worker_context() -> multiprocessing.context.BaseContext:
    """How parse workers are started. Not by forking this process: the TUI runs threads,
    and forking a threaded process is unsafe. A fork server (a fresh single-threaded
    process that has imported the worker's modules once, see `reader.feeds.preload`)
    forks each worker, so the workers share those modules' pages instead of each loading
    its own copy (summed PSS); where there is none, each worker is a new Python (spawn)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["reader.feeds.preload"])
    return context


@contextmanager
def parse_pool(feeds: int, db_path: Path | None = None) -> Iterator[Executor | None]:
    """Worker processes for parsing (and storing into `db_path`, see `worker_init`) when
    there are several feeds and several cores."""
    cores = os.cpu_count() or 1
    if feeds < PARSE_POOL_MIN_FEEDS or cores < 2:
        yield None
        return
    context = worker_context()
    try:
        with _starting_workers():  # the resource tracker is started here
            gate = context.Lock()
            pool = ProcessPoolExecutor(
                max_workers=pool_workers(),
                mp_context=context,
                initializer=worker_init,
                initargs=(None if db_path is None else str(db_path), gate),
            )
    except (OSError, ValueError, RuntimeError):
        yield None  # no worker processes here: parse in threads
        return
    checkpointer = None if db_path is None else Checkpointer(db_path, gate).start()
    try:
        yield pool
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        if checkpointer is not None:
            checkpointer.stop()


def merge_related(first: tuple[Link, ...], then: tuple[Link, ...]) -> tuple[Link, ...]:
    """Related links from two sources, in order, each URL once (the feed's own come first)."""
    seen: set[str] = set()
    merged: list[Link] = []
    for link in (*first, *then):
        if link.url not in seen:
            seen.add(link.url)
            merged.append(link)
    return tuple(merged)


_NOT_PARSED = ParsedFeed(title="")
"""The `parsed` of a FeedUpdate sent to a worker process, which parses the body itself."""


@dataclass(frozen=True, slots=True)
class SubscribeResult:
    """What subscribing did: the feed, whether it is new, and its first refresh."""

    feed: Feed
    created: bool
    refresh: RefreshResult | None = None


class HostQueues:
    """The feeds of a refresh waiting to start, one queue per host.

    `take` gives the next feed of the host with the most feeds still waiting, among hosts
    with fewer than `per_host` feeds under way. A subscription list is dominated by a few
    platforms (one host may hold a fifth of it): that host's feeds are the longest chain
    of the refresh, so it is kept at its full share of connections from the first moment,
    and a feed waiting for its host never holds one of the refresh's slots meanwhile.
    """

    def __init__(self, feeds: Sequence[Feed], per_host: int) -> None:
        self.per_host = max(1, per_host)
        self._waiting: dict[str, deque[Feed]] = {}
        for feed in feeds:
            self._waiting.setdefault(host_of(feed.url), deque()).append(feed)
        self._busy: dict[str, int] = dict.fromkeys(self._waiting, 0)

    def __bool__(self) -> bool:
        return bool(self._waiting)

    def take(self) -> tuple[str, Feed] | None:
        """The next (host, feed) to start, or None while every waiting host is at its cap."""
        best: str | None = None
        for host, queue in self._waiting.items():
            if self._busy[host] < self.per_host and (
                best is None or len(queue) > len(self._waiting[best])
            ):
                best = host
        if best is None:
            return None
        queue = self._waiting[best]
        feed = queue.popleft()
        if not queue:
            del self._waiting[best]
        self._busy[best] += 1
        return best, feed

    def done(self, host: str) -> None:
        """A feed of `host` finished: the host may start another."""
        self._busy[host] -= 1


def host_of(url: str) -> str:
    """The host a feed is fetched from, as the fetcher counts hosts ('' when unreadable)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


ProgressCallback = Callable[[RefreshResult, int, int], None]
"""Called after each feed with (result, feeds done, feeds in all)."""


def without_synced(store: Store, feeds: Sequence[Feed]) -> list[Feed]:
    """The feeds newsreader fetches itself: a sync server fetches its accounts' feeds."""
    from reader.sync.local import synced_feed_ids

    synced = synced_feed_ids(store)
    return [feed for feed in feeds if feed.id not in synced]


class FeedService:
    """Refresh feeds into one store with one shared HTTP client per run."""

    def __init__(
        self,
        store: Store,
        settings: Settings | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.store = store
        self.settings = settings or Settings()
        self._transport = transport
        self.last_notice: Notice | None = None
        """The notification the last refresh sent (None: nothing watched arrived)."""
        self.notify_terminal = True
        """Whether a notification may use the terminal's own escape (not under the TUI)."""

    @property
    def transport(self) -> httpx.AsyncBaseTransport | None:
        """The HTTP transport every fetch uses (a test's, or None for the network)."""
        return self._transport

    def _fetcher(self) -> Fetcher:
        """(In a thread: making the first one of a process loads the CA certificates.)"""
        s = self.settings
        return Fetcher(
            timeout=s.timeout,
            connect_timeout=s.connect_timeout,
            deadline=s.deadline,
            max_bytes=s.max_bytes,
            concurrency=s.concurrency,
            per_host=s.per_host,
            transport=self._transport,
        )

    async def refresh(
        self,
        feeds: Sequence[Feed] | None = None,
        on_progress: ProgressCallback | None = None,
        *,
        force: bool = False,
    ) -> list[RefreshResult]:
        """Refresh `feeds` (default: every subscription) concurrently; results in finish order.

        A feed the server asked to wait for (Retry-After), that is still fresh (max-age, ttl)
        or that is backing off after failures is skipped with the reason, unless `force`.
        """
        if feeds is None:
            feeds = await asyncio.to_thread(self.store.list_feeds)
        feeds = await asyncio.to_thread(without_synced, self.store, feeds)
        total = len(feeds)
        results: list[RefreshResult] = []
        if not total:
            return results
        started = time.time()
        newest_before = await asyncio.to_thread(self._before_refresh)
        # At most `concurrency` feeds between "fetch started" and "stored" (fetching
        # outruns parsing, and without a bound every downloaded body would wait in memory),
        # at most `per_host` of them on one host, and the host with the most feeds still to
        # go is served first: see `HostQueues`.
        queues = HostQueues(feeds, self.settings.per_host)
        limit = max(2, self.settings.concurrency)
        with parse_pool(total, self.store.worker_path()) as self._pool:
            self._bodies = asyncio.Semaphore(2 * pool_workers() + 2) if self._pool else None
            self._ahead = asyncio.Semaphore(2 * pool_workers() + 2) if self._pool else None
            # Made in a thread: an HTTP client loads the CA certificates (~50 ms) and the
            # TUI's event loop must not stall meanwhile.
            async with await asyncio.to_thread(self._fetcher) as fetcher:
                running: dict[asyncio.Task[RefreshResult], str] = {}
                try:
                    while queues or running:
                        while len(running) < limit and (picked := queues.take()) is not None:
                            host, feed = picked
                            task = asyncio.create_task(self._refresh_one(fetcher, feed, force))
                            running[task] = host
                        finished, _ = await asyncio.wait(
                            running, return_when=asyncio.FIRST_COMPLETED
                        )
                        for task in finished:
                            queues.done(running.pop(task))
                            result = task.result()
                            results.append(result)
                            if on_progress is not None:
                                on_progress(result, len(results), total)
                finally:
                    for task in running:
                        task.cancel()
        self._pool = self._bodies = self._ahead = None
        await asyncio.to_thread(self.apply_retention)
        self.last_notice = await asyncio.to_thread(
            after_refresh,
            self.store,
            self.settings,
            started,
            after_id=newest_before,
            terminal=self.notify_terminal,
        )
        return results

    def apply_retention(self) -> int:
        """Drop old read entries beyond the settings' limits (never starred or unread ones),
        and hold every feed to a hard bound (a feed whose ids change on every fetch)."""
        s = self.settings
        removed = self.store.cap_entries(HARD_ENTRY_CAP)
        if s.keep_per_feed or s.keep_days:
            removed += self.store.prune(
                max_per_feed=s.keep_per_feed or None, max_days=s.keep_days or None
            )
        return removed

    async def subscribe(self, url: str, folder: str = "", *, fetch: bool = True) -> SubscribeResult:
        """Subscribe and fetch at once, so a new feed never sits empty.

        A URL already subscribed is returned as it is (created=False), never doubled.
        """
        feed, created = await asyncio.to_thread(self.store.add_feed, url)
        if not created:
            return SubscribeResult(feed, False)
        if folder.strip():
            feed = await asyncio.to_thread(self.store.update_feed, feed.id, folder=folder)
        result = None
        if fetch:
            [result] = await self.refresh([feed])
            fresh = await asyncio.to_thread(self.store.get_feed, feed.id)
            feed = fresh or feed
        return SubscribeResult(feed, True, result)

    async def preview(self, url: str) -> tuple[ParsedFeed | None, str | None]:
        """A feed's title and entries without subscribing (for the add dialog and CLI)."""
        async with await asyncio.to_thread(self._fetcher) as fetcher:
            fetched = await fetcher.fetch(url)
        if fetched.error is not None:
            return None, fetched.error
        from reader.feeds.parse import parse_feed  # lxml: not loaded by a headless refresh

        try:
            parsed = await asyncio.to_thread(
                parse_feed, fetched.body or b"", url=fetched.final_url, headers=fetched.headers
            )
        except NotAFeedError as exc:
            return None, str(exc)
        return parsed, None

    async def discover(self, url: str) -> DiscoveryResult:
        """The feeds a URL offers: itself if it is a feed, else those its page links to."""
        from reader.feeds.discover import discover

        async with await asyncio.to_thread(self._fetcher) as fetcher:
            return await discover(url, fetcher)

    async def read_page(
        self, url: str, *, refresh: bool = False, found_on: str | None = None
    ) -> PageResult:
        """The extracted article of any page: from the cache, else fetched and extracted.

        With `refresh`, a cached page is revalidated (conditional GET) and re-extracted when
        it changed; when the network fails, the cached copy is still returned. `found_on` is
        the page or feed the link came from: a link found on a public page may not lead
        into loopback, private or link-local space (a URL the user gives may).
        """
        if not is_http_url(url):
            return PageResult(url, error="not an http(s) URL: only web pages are fetched")
        cached = await asyncio.to_thread(self.store.get_page, url)
        if cached is not None and not refresh:
            return PageResult(url, cached.article, from_cache=True)
        if is_sample_url(url):
            body = sample_file(url)
            if body is None:
                return PageResult(url, error="the sample site has no such page")
            return await self._extract_and_cache(url, body, "text/html; charset=utf-8", None, None)
        allow_private = None if found_on is None or await _is_internal(found_on) else False
        async with await asyncio.to_thread(self._fetcher) as fetcher:
            fetched = await fetcher.fetch(
                url,
                etag=cached.etag if cached else None,
                last_modified=cached.last_modified if cached else None,
                allow_private=allow_private,
            )
        if fetched.error is not None:
            if cached is not None:
                return PageResult(url, cached.article, from_cache=True)
            return PageResult(url, error=fetched.error)
        if fetched.not_modified and cached is not None:
            await asyncio.to_thread(
                self.store.touch_page, url, etag=fetched.etag, last_modified=fetched.last_modified
            )
            return PageResult(url, cached.article, from_cache=True)
        content_type = fetched.headers.get("content-type", "")
        kind = content_type.split(";", 1)[0].strip().lower()
        if kind and "html" not in kind:
            return PageResult(url, error=f"not a web page (the server sent {clean_line(kind, 60)})")
        return await self._extract_and_cache(
            url,
            fetched.body or b"",
            content_type,
            fetched.etag,
            fetched.last_modified,
            final_url=fetched.final_url,
        )

    async def _extract_and_cache(
        self,
        url: str,
        body: bytes,
        content_type: str,
        etag: str | None,
        last_modified: str | None,
        *,
        final_url: str | None = None,
    ) -> PageResult:
        from reader.article.extract import ExtractError, extract_article

        try:
            article = await asyncio.to_thread(
                extract_article, body, final_url or url, content_type=content_type
            )
        except ExtractError as exc:
            return PageResult(url, error=str(exc))
        updated = await asyncio.to_thread(self._store_page, url, article, etag, last_modified)
        return PageResult(url, article, updated=updated)

    def _before_refresh(self) -> int:
        """(In a thread.) The config's rules handed to the store, and the newest entry id
        before the refresh (what it stores next is what its notification is about)."""
        before_refresh(self.store, self.settings)
        return self.store.newest_entry_id()

    def _store_page(
        self, url: str, article: Article, etag: str | None, last_modified: str | None
    ) -> tuple[int, ...]:
        """(In a thread.) Cache the page. It may change the page of an entry already read,
        kept as a version: under the config's version settings (handed to the store as a
        refresh does), within their total size."""
        before_refresh(self.store, self.settings)
        updated = self.store.put_page(
            url, article, etag=etag, last_modified=last_modified, keep=self.settings.page_cache
        )
        if updated:
            self.store.prune_versions(int(self.settings.versions_max_mb * 1024 * 1024))
        return updated

    _pool: Executor | None = None
    _bodies: asyncio.Semaphore | None = None
    _ahead: asyncio.Semaphore | None = None
    """While worker processes parse: how many downloaded bodies may wait for them (the
    network outruns the parsers on a cold refresh, and every body waiting is memory)."""

    async def _parse(
        self, body: bytes, url: str, headers: dict[str, str], update: FeedUpdate, now: float
    ) -> ParsedFeed | StoredFeed:
        """Parsing holds the GIL: on a big refresh it runs in worker processes (every core),
        which store the feed too; else in a thread (off the event loop either way) and the
        caller stores it."""
        if self._pool is not None:
            try:
                # From a thread: a submit may start a worker process (tens of ms).
                future = await asyncio.to_thread(
                    _submit, self._pool, body, url, headers, update, now
                )
            except (OSError, ValueError, RuntimeError, BrokenExecutor):
                self._pool = None  # cannot start workers here: parse in threads instead
            else:
                try:
                    return await asyncio.wrap_future(future)
                except BrokenExecutor:
                    self._pool = None
        return await asyncio.to_thread(parse_job, body, url, headers)

    async def _refresh_one(self, fetcher: Fetcher, feed: Feed, force: bool) -> RefreshResult:
        base = RefreshResult(feed_id=feed.id, title=feed.title, url=feed.url)
        try:
            if feed.is_sample:
                await asyncio.to_thread(load_sample, self.store)
                return replace(base, status=200)
            wait = waiting(feed)
            if wait is not None and not force:
                until = datetime.fromtimestamp(wait.until).strftime("%H:%M")
                return replace(base, skipped=f"{wait.reason} (until {until})")
            return await self._fetch_and_store(fetcher, feed, base)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug must not stop the other feeds
            error = clean_line(f"internal error: {type(exc).__name__}: {exc}", 300)
            await asyncio.to_thread(self.store.record_error, feed.id, error, None)
            return replace(base, error=error)

    async def _fetch_and_store(
        self, fetcher: Fetcher, feed: Feed, base: RefreshResult
    ) -> RefreshResult:
        started = time.perf_counter()
        slots = self._bodies
        fetched = await fetcher.fetch(
            feed.url,
            etag=feed.etag,
            last_modified=feed.last_modified,
            body_slots=slots,
            ahead=self._ahead,
        )
        try:
            return await self._store_fetched(feed, base, fetched, started)
        finally:
            if fetched.holds_slot and slots is not None:
                slots.release()

    async def _store_fetched(
        self, feed: Feed, base: RefreshResult, fetched: FetchResult, started: float
    ) -> RefreshResult:
        store = self.store
        result = replace(
            base,
            status=fetched.status,
            size=len(fetched.body or b""),
            fetch_seconds=time.perf_counter() - started,
        )
        if fetched.error is not None:
            return await self._failed(
                feed, result, fetched.error, fetched.retry_after, fetched.gone
            )
        moved = await self._follow_permanent_redirect(feed, fetched.permanent_url)
        result = replace(result, moved_to=moved)
        now = time.time()
        if fetched.not_modified:
            began = time.perf_counter()
            fresh = freshness(fetched.headers, None, now)
            await asyncio.to_thread(
                store.record_not_modified,
                feed.id,
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                fetched={
                    "size": result.size,
                    "seconds": result.fetch_seconds,
                    "not_before": fresh.until if fresh else None,
                    "wait_reason": fresh.reason if fresh else None,
                },
            )
            result = replace(result, status=304, not_modified=True)
            return replace(result, store_seconds=time.perf_counter() - began)
        began = time.perf_counter()
        update = FeedUpdate(
            feed.id,
            _NOT_PARSED,
            status=fetched.status or 200,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            fetched={"size": result.size, "seconds": result.fetch_seconds},
            feed=FeedFacts(feed.url, feed.user_title, feed.title, feed.folder, feed.total > 0),
        )
        try:
            parsed = await self._parse(
                fetched.body or b"", fetched.final_url, fetched.headers, update, now
            )
        except NotAFeedError as exc:
            return await self._failed(feed, result, str(exc), None, False)
        if isinstance(parsed, StoredFeed):  # a worker process parsed and stored it
            return replace(
                result,
                title=parsed.title or feed.title,
                new=parsed.new,
                parse_seconds=parsed.parse_seconds,
                store_seconds=parsed.store_seconds,
                rules_seconds=parsed.rules_seconds,
            )
        result = replace(result, parse_seconds=time.perf_counter() - began)
        began = time.perf_counter()
        update = ready_to_store(update, parsed, fetched.headers, now)
        [new], ruled = await asyncio.to_thread(store.apply_updates_timed, [update])
        result = replace(result, title=parsed.title or feed.title, new=new, rules_seconds=ruled)
        return replace(result, store_seconds=time.perf_counter() - began)

    async def _failed(
        self,
        feed: Feed,
        result: RefreshResult,
        error: str,
        retry_after: float | None,
        gone: bool,
    ) -> RefreshResult:
        """Record a failure: the error next to the feed, back-off (or the server's
        Retry-After) before the next try, and a 410 retires the feed."""
        wait = backoff(feed.failures + 1, retry_after, time.time())
        store = self.store
        await asyncio.to_thread(store.record_error, feed.id, error, result.status)
        await asyncio.to_thread(
            store.record_fetch,
            feed.id,
            status=result.status,
            ok=False,
            size=result.size,
            seconds=result.fetch_seconds,
            error=error,
            not_before=wait.until,
            wait_reason=wait.reason,
        )
        if gone:
            await asyncio.to_thread(store.update_feed, feed.id, dead=True)
        return replace(result, error=error, gone=gone)

    async def _follow_permanent_redirect(self, feed: Feed, url: str | None) -> str | None:
        """A 301/308 means the feed moved: store the new URL (unless already subscribed)."""
        if not url or url == feed.url:
            return None
        try:
            await asyncio.to_thread(self.store.update_feed, feed.id, url=url)
        except StoreError:
            return None  # the new address is another subscription already
        return url
