"""Use cases shared by the CLI and the TUI: refresh feeds, open entries, mark them.

Data flows one way: fetch (async httpx) -> parse (feedparser, in a thread) -> store (SQLite,
in a thread). One failing feed records its error and the others go on; nothing here raises
for a feed's problem.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import httpx

from reader.config import Settings
from reader.feeds.fetch import Fetcher
from reader.feeds.parse import NotAFeedError, parse_feed
from reader.models import Feed
from reader.sample import load_sample
from reader.store import Store
from reader.text import clean_line


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

    @property
    def ok(self) -> bool:
        return self.error is None

    def describe(self) -> str:
        """One line a person can read: what changed, or why it failed."""
        if self.error:
            return f"error: {self.error}"
        if self.not_modified:
            return "not modified"
        return f"{self.new} new" if self.new != 1 else "1 new"


ProgressCallback = Callable[[RefreshResult, int, int], None]
"""Called after each feed with (result, feeds done, feeds in all)."""


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

    def _fetcher(self) -> Fetcher:
        s = self.settings
        return Fetcher(
            timeout=s.timeout,
            deadline=s.deadline,
            max_bytes=s.max_bytes,
            concurrency=s.concurrency,
            transport=self._transport,
        )

    async def refresh(
        self,
        feeds: Sequence[Feed] | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> list[RefreshResult]:
        """Refresh `feeds` (default: every subscription) concurrently; results in finish order."""
        if feeds is None:
            feeds = await asyncio.to_thread(self.store.list_feeds)
        total = len(feeds)
        results: list[RefreshResult] = []
        if not total:
            return results
        async with self._fetcher() as fetcher:
            tasks = [asyncio.create_task(self._refresh_one(fetcher, feed)) for feed in feeds]
            try:
                for done, next_result in enumerate(asyncio.as_completed(tasks), start=1):
                    result = await next_result
                    results.append(result)
                    if on_progress is not None:
                        on_progress(result, done, total)
            finally:
                for task in tasks:
                    task.cancel()
        return results

    async def _refresh_one(self, fetcher: Fetcher, feed: Feed) -> RefreshResult:
        base = RefreshResult(feed_id=feed.id, title=feed.title, url=feed.url)
        try:
            if feed.is_sample:
                await asyncio.to_thread(load_sample, self.store)
                return replace(base, status=200)
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
        store = self.store
        fetched = await fetcher.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        if fetched.error is not None:
            await asyncio.to_thread(store.record_error, feed.id, fetched.error, fetched.status)
            return replace(base, status=fetched.status, error=fetched.error)
        if fetched.not_modified:
            await asyncio.to_thread(
                store.record_not_modified,
                feed.id,
                etag=fetched.etag,
                last_modified=fetched.last_modified,
            )
            return replace(base, status=304, not_modified=True)
        try:
            parsed = await asyncio.to_thread(
                parse_feed, fetched.body or b"", url=fetched.final_url, headers=fetched.headers
            )
        except NotAFeedError as exc:
            await asyncio.to_thread(store.record_error, feed.id, str(exc), fetched.status)
            return replace(base, status=fetched.status, error=str(exc))
        new = await asyncio.to_thread(
            store.apply_update,
            feed.id,
            parsed,
            status=fetched.status or 200,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
        )
        return replace(base, title=parsed.title or feed.title, status=fetched.status, new=new)
