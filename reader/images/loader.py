"""Fetch an article's pictures through the guarded fetcher, a few at once, and decode them
off the event loop.

The fetch rules are those of pages: http(s) only, a byte cap, a total deadline, and no
picture of a public page may come from the user's own network (loopback, private,
link-local). Bytes are cached (`ImageCache`) with their validators; a cached copy younger
than `FRESH_SECONDS` is used without asking, an older one is revalidated.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from reader.feeds.fetch import Fetcher, format_size
from reader.images.cache import CachedImage, ImageCache
from reader.images.decode import Decoded, decode
from reader.netguard import host_is_internal
from reader.text import clean_line, is_http_url

FRESH_SECONDS = 7 * 24 * 3600
"""Pictures rarely change: a cached one is revalidated after a week."""
CONCURRENCY = 3
"""Pictures fetched at once (the first screenful's few come first; the rest wait)."""


class ImageLoader:
    """One per app session: a shared fetcher, the disk cache and the decode step."""

    def __init__(
        self,
        cache_dir: Path,
        *,
        cache_bytes: int,
        max_bytes: int,
        timeout: float = 20.0,
        deadline: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.cache = ImageCache(cache_dir, cache_bytes)
        self.max_bytes = max_bytes
        self._timeout = timeout
        self._deadline = deadline
        self._transport = transport
        self._fetcher: Fetcher | None = None
        self._lock = asyncio.Lock()
        self._rules: dict[str, bool | None] = {}

    async def rule_for(self, page_url: str) -> bool | None:
        """The private-address rule for pictures of `page_url`: a public page's pictures may
        not come from the user's own network (False); a page that is itself there may
        (None, as for a URL the user typed)."""
        if page_url not in self._rules:
            try:
                host = urlsplit(page_url).hostname or ""
                internal = bool(host) and await asyncio.wait_for(
                    host_is_internal(host, 443), self._timeout
                )
            except (OSError, TimeoutError, ValueError):
                internal = False
            self._rules[page_url] = None if internal else False
        return self._rules[page_url]

    async def _get_fetcher(self) -> Fetcher:
        async with self._lock:
            if self._fetcher is None:
                # Made in a thread: an HTTP client loads the CA certificates (~50 ms).
                self._fetcher = await asyncio.to_thread(
                    Fetcher,
                    timeout=self._timeout,
                    deadline=self._deadline,
                    max_bytes=self.max_bytes,
                    concurrency=CONCURRENCY,
                    per_host=CONCURRENCY,
                    transport=self._transport,
                )
            return self._fetcher

    async def aclose(self) -> None:
        if self._fetcher is not None:
            await self._fetcher.aclose()
            self._fetcher = None

    async def fetch(
        self, url: str, *, allow_private: bool | None, page_url: str | None = None
    ) -> CachedImage | str:
        """The picture's bytes (from the cache or the network), or why there are none.
        With `page_url`, the private-address rule is that page's (see `rule_for`)."""
        if not is_http_url(url):
            return "not an http(s) address"
        cached = await asyncio.to_thread(self.cache.get, url)
        if cached is not None and time.time() - cached.stored < FRESH_SECONDS:
            return cached
        if page_url is not None:
            allow_private = await self.rule_for(page_url)
        fetcher = await self._get_fetcher()
        result = await fetcher.fetch(
            url,
            etag=cached.etag if cached else None,
            last_modified=cached.last_modified if cached else None,
            allow_private=allow_private,
        )
        if result.not_modified and cached is not None:
            await asyncio.to_thread(self.cache.touch, url)
            return cached
        if result.error is not None or result.body is None:
            if cached is not None:
                return cached
            error = result.error or "no picture came back"
            if error.startswith("response larger than"):
                error = f"larger than the {format_size(self.max_bytes)} limit"
            return clean_line(error, 160)
        image = CachedImage(
            result.body,
            result.headers.get("content-type", ""),
            result.etag,
            result.last_modified,
            time.time(),
        )
        await asyncio.to_thread(self.cache.put, url, image)
        return image

    async def load(
        self,
        url: str,
        box: tuple[int, int],
        *,
        allow_private: bool | None = False,
        page_url: str | None = None,
        background: tuple[int, int, int] = (0, 0, 0),
    ) -> Decoded:
        """The picture at `url` scaled to fit `box` pixels, or the reason it cannot be had."""
        got = await self.fetch(url, allow_private=allow_private, page_url=page_url)
        if isinstance(got, str):
            return Decoded(None, got)
        return await asyncio.to_thread(
            decode, got.data, box, content_type=got.content_type, background=background
        )
