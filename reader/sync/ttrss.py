"""Tiny Tiny RSS's JSON API (level 15): a session from `login`, renewed on NOT_LOGGED_IN.

Entries are mapped by tt-rss's article id (its `guid` is tt-rss's own hash, not the feed's);
entries arrive through one `getHeadlines` over all feeds with `since_id`, 200 a page by
`skip`, several pages in flight, content unsanitised (prepared here as a feed's is);
state by the unread lists of the feeds that may differ (see `pull_state`) and the starred
list.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx

from reader.config import Settings
from reader.feeds.media import RawFile, enclosures
from reader.models import Enclosure
from reader.sync.base import (
    AuthError,
    Change,
    LocalState,
    Protocol,
    RemoteFeed,
    RemoteItem,
    RemoteState,
    SyncError,
)
from reader.sync.http import Poster, check_url
from reader.sync.shape import as_dict, as_list, bad, body, flag, ident, number, text
from reader.text import clean_line, is_http_url

PAGE = 200
"""getHeadlines' largest page."""
AHEAD = 3
"""getHeadlines requests at once after a full first page (tt-rss's PHP serves 4)."""
BUFFER = 8
"""Pages asked ahead of the one being stored (AHEAD of them running at a time)."""
BATCH = 5
"""Pages stored in one go at most."""
ID_BATCH = 500
"""Article ids per updateArticle call."""
RECENT_HOURS = 20
"""A sync less than this long after the last one trusts the "recently read" list (24 h on
the server; the rest is margin for the two clocks)."""
RECENT_PAGES = 5
"""Pages of the recently-read list read at most before every unread list is compared."""
_PAGE_PARAMS: dict[str, Any] = {
    "feed_id": -4,
    "view_mode": "all_articles",
    "show_content": True,
    # Not sanitised by tt-rss: its sanitiser parses every article with DOMDocument (a
    # quarter of a page's time), and the content is prepared here as a feed's is (shape.body).
    "sanitize": False,
    "include_attachments": True,
    "limit": PAGE,
    "order_by": "date_reverse",
}
_FIELD = {"starred": 0, "read": 2}


def api_url(url: str) -> str:
    """The API endpoint for a tt-rss URL given with or without its trailing /api/."""
    url = check_url(url)
    if url.rstrip("/").endswith("/api"):
        return url.rstrip("/") + "/"
    return url.rstrip("/") + "/api/"


class TtRss(Protocol):
    kind = "ttrss"
    can_subscribe = True

    def __init__(
        self,
        url: str,
        user: str,
        password: str,
        settings: Settings,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__()
        self.api = api_url(url)
        self.user = user
        self.password = password
        self.sid: str | None = None
        self.http = Poster(settings, transport)
        self.feed_urls: dict[str, str] = {}
        """Each feed's address by id (from pull_subscriptions): relative URLs in its
        articles are relative to it."""

    def close(self) -> None:
        self.http.close()

    # -- calls -------------------------------------------------------------------------

    def _post(self, op: str, params: dict[str, Any]) -> dict[str, Any]:
        self.counters.count(op)
        answer = as_dict(self.http.post_json(self.api, json={"op": op, **params}), "the answer")
        if "status" not in answer or "content" not in answer:
            raise SyncError("this is not a Tiny Tiny RSS API (its answer has no status)")
        return answer

    def call(self, op: str, **params: Any) -> Any:
        """One API call; logs in first, and again once when the session has expired."""
        if self.sid is None:
            self.login()
        answer = self._post(op, {"sid": self.sid, **params})
        if answer.get("status") != 0 and _error(answer) == "NOT_LOGGED_IN":
            self.login()
            answer = self._post(op, {"sid": self.sid, **params})
        if answer.get("status") != 0:
            raise SyncError(f"tt-rss refused {op}: {_error(answer)}")
        return answer["content"]

    def login(self) -> None:
        answer = self._post("login", {"user": self.user, "password": self.password})
        if answer.get("status") != 0:
            error = _error(answer)
            if error == "LOGIN_ERROR":
                raise AuthError("tt-rss refused the user name or password")
            if error == "API_DISABLED":
                raise AuthError(
                    "the API is disabled for this tt-rss user (Preferences: Enable API)"
                )
            raise AuthError(f"tt-rss refused the login: {error}")
        content = as_dict(answer["content"], "login")
        sid = content.get("session_id")
        if not isinstance(sid, str) or not sid:
            raise bad("login gave no session id")
        self.sid = sid

    # -- pulling -----------------------------------------------------------------------

    def pull_subscriptions(self) -> list[RemoteFeed]:
        names: dict[str, str] = {}
        for raw in as_list(self.call("getCategories", include_empty=True), "getCategories"):
            cat = as_dict(raw, "a category")
            cat_id = ident(cat.get("id"), "a category id")
            if int(cat_id) > 0:
                names[cat_id] = text(cat.get("title"), 200).replace("/", "-")
        feeds = []
        for raw in as_list(self.call("getFeeds", cat_id=-3), "getFeeds"):
            feed = as_dict(raw, "a feed")
            cat_of = feed.get("cat_id")
            folder = names.get(ident(cat_of, "a category id"), "") if cat_of is not None else ""
            feeds.append(
                RemoteFeed(
                    remote_id=ident(feed.get("id"), "a feed id"),
                    title=text(feed.get("title"), 300),
                    url=text(feed.get("feed_url"), 2000),
                    folder=folder,
                )
            )
        self.feed_urls = {f.remote_id: f.url for f in feeds if is_http_url(f.url)}
        return feeds

    def pull_entries(self, since: str) -> Iterator[tuple[list[RemoteItem], str]]:
        """Pages by `skip` over a fixed `since_id`. The first page comes alone (an
        incremental sync with little new is one request); when it is full, the next pages
        are asked ahead while the ones already here are stored (`_in_flight`), so tt-rss,
        which serves several requests at once, builds pages while this process stores."""
        since_id = int(since) if since.isdigit() else 0
        newest = since_id

        def page_at(skip: int) -> list[RemoteItem]:
            answer = self.call("getHeadlines", **_PAGE_PARAMS, since_id=since_id, skip=skip)
            return [self._item(raw) for raw in as_list(answer, "getHeadlines")]

        first = page_at(0)
        batches: Iterator[list[list[RemoteItem]]] = iter([[first]])
        pool = ThreadPoolExecutor(max_workers=AHEAD)
        if len(first) == PAGE:
            batches = itertools.chain(batches, _in_flight(pool, page_at, PAGE))
        try:
            for batch in batches:
                items = [item for page in batch for item in page]
                newest = max([newest, *(int(i.remote_id) for i in items)])
                last = len(batch[-1]) < PAGE
                # The mark moves only once the last page is kept: pages go by skip.
                yield items, str(newest) if last else since
                if last:
                    return
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def pull_state(self, local: LocalState) -> RemoteState:
        """The unread lists of the feeds whose state may differ, and the starred list.

        A feed may differ when its unread count (`getCounters`) is not the local one, or
        when an article of it that is unread here is on the server's "recently read" list
        (virtual feed -6: read in the last 24 hours). The second catches what counts
        cannot: one article marked read and another unread in the same feed. It covers
        every server change since a sync less than RECENT_HOURS ago; after a longer
        pause (or when more was read than RECENT_PAGES pages hold) every feed's unread
        list is compared, without content.
        """
        counters = as_list(self.call("getCounters", output_mode="f"), "getCounters")
        differs: set[str] = set()
        for raw in counters:
            counter = as_dict(raw, "a counter")
            if counter.get("kind") == "cat":
                continue
            raw_id = counter.get("id")
            if not isinstance(raw_id, int) or isinstance(raw_id, bool) or raw_id <= 0:
                continue  # global and virtual counters
            feed_id = str(raw_id)
            count = counter.get("counter")
            if feed_id in local.unread_counts and (
                not isinstance(count, int) or count != local.unread_counts[feed_id]
            ):
                differs.add(feed_id)
        starred = self._ids(feed_id=-1, view_mode="all_articles")
        stale = local.last_sync is not None and time.time() - local.last_sync > RECENT_HOURS * 3600
        if not stale:
            recent = self._headlines(RECENT_PAGES, feed_id=-6, view_mode="all_articles")
            if recent is None:
                stale = True
            else:
                for head in recent:
                    article = ident(head.get("id"), "an article id")
                    if article in local.unread_ids:
                        differs.add(_feed_of(head.get("feed_id")))
        if stale:
            every = self._ids(feed_id=-4, view_mode="unread")
            return RemoteState(frozenset(every), frozenset(starred), None)
        scope = differs & set(local.unread_counts)
        unread: set[str] = set()
        for feed_id in sorted(scope, key=int):
            unread |= self._ids(feed_id=int(feed_id), view_mode="unread")
        return RemoteState(frozenset(unread), frozenset(starred), frozenset(scope))

    def _headlines(self, most: int | None = None, **params: Any) -> list[dict[str, Any]] | None:
        """Every headline (no content) of a getHeadlines query, page after page; None when
        there are more than `most` pages of them."""
        heads: list[dict[str, Any]] = []
        pages = 0
        while True:
            if most is not None and pages == most:
                return None
            page = as_list(
                self.call("getHeadlines", limit=PAGE, skip=len(heads), show_content=False,
                          **params),
                "getHeadlines",
            )  # fmt: skip
            pages += 1
            heads += [as_dict(h, "a headline") for h in page]
            if len(page) < PAGE:
                return heads

    def _ids(self, **params: Any) -> set[str]:
        heads = self._headlines(**params) or []
        return {ident(h.get("id"), "an article id") for h in heads}

    def _item(self, raw: Any) -> RemoteItem:
        head = as_dict(raw, "a headline")
        feed_id = _feed_of(head.get("feed_id"))
        link = text(head.get("link"), 2000)
        base = self.feed_urls.get(feed_id) or link
        return RemoteItem(
            remote_id=ident(head.get("id"), "an article id"),
            feed_id=feed_id,
            title=text(head.get("title"), 1000),
            link=link,
            author=text(head.get("author"), 300),
            content=body(head.get("content"), base),
            published=number(head.get("updated")),
            read=not flag(head.get("unread")),
            starred=flag(head.get("marked")),
            enclosures=_attachments(head.get("attachments"), base),
        )

    # -- pushing -----------------------------------------------------------------------

    def push(self, changes: Sequence[Change]) -> None:
        """updateArticle by ids, 500 a call. Not catchupFeed: it would also mark read the
        articles the server fetched since the last sync, which nobody has seen here."""
        groups: dict[tuple[str, str], list[str]] = {}
        for change in changes:
            if change.op in _FIELD:
                groups.setdefault((change.op, change.value), []).append(change.remote_id)
        for (op, value), ids in sorted(groups.items()):
            on = value == "1"
            # field 2 is "unread": read=1 sends mode 0 (unread false).
            mode = (0 if on else 1) if op == "read" else int(on)
            for start in range(0, len(ids), ID_BATCH):
                chunk = ids[start : start + ID_BATCH]
                self.call("updateArticle", article_ids=",".join(chunk), mode=mode, field=_FIELD[op])

    def subscribe(self, url: str, folder: str) -> str:
        category = 0
        if folder:
            for raw in as_list(self.call("getCategories", include_empty=True), "getCategories"):
                cat = as_dict(raw, "a category")
                if text(cat.get("title"), 200) == folder:
                    category = int(ident(cat.get("id"), "a category id"))
        answer = as_dict(
            self.call("subscribeToFeed", feed_url=url, category_id=category), "subscribe"
        )
        status = as_dict(answer.get("status"), "subscribe status")
        code = status.get("code")
        if code not in (0, 1):
            message = text(status.get("message"), 200) or _SUBSCRIBE_CODES.get(code, f"code {code}")
            raise SyncError(f"tt-rss could not subscribe to {clean_line(url, 200)}: {message}")
        if "feed_id" in status:
            return ident(status["feed_id"], "the new feed id")
        for feed in self.pull_subscriptions():
            if feed.url == url:
                return feed.remote_id
        raise bad("the new feed is not in getFeeds")

    def unsubscribe(self, remote_id: str) -> None:
        self.call("unsubscribeFeed", feed_id=int(remote_id))


_SUBSCRIBE_CODES: dict[Any, str] = {
    2: "invalid URL",
    3: "the URL is a page without feeds",
    4: "the page offers several feeds",
    5: "tt-rss could not fetch it",
    6: "the content is not a valid feed",
}


def _error(answer: dict[str, Any]) -> str:
    content = answer.get("content")
    if isinstance(content, dict):
        return text(content.get("error"), 100) or "unknown error"
    return "unknown error"


def _feed_of(value: Any) -> str:
    """A headline's feed; an archived article (its feed unsubscribed) has none: "0"."""
    try:
        return ident(value, "a feed id")
    except SyncError:
        return "0"


def _attachments(value: Any, base: str) -> tuple[Enclosure, ...]:
    """tt-rss's attachments (its `duration` column holds the RSS enclosure's `length`)."""
    if not isinstance(value, list):
        return ()
    files = [
        RawFile(
            url=item.get("content_url"),
            type=item.get("content_type"),
            length=item.get("duration"),
            title=item.get("title"),
        )
        for item in value
        if isinstance(item, dict)
    ]
    return enclosures(files, base)


def _in_flight(
    pool: ThreadPoolExecutor, page_at: Callable[[int], list[RemoteItem]], start: int
) -> Iterator[list[list[RemoteItem]]]:
    """Pages from `start` on, in order, in batches: the next page and those after it that
    are already here (BATCH at most), so the store writes fewer, larger transactions.
    BUFFER pages are asked ahead, AHEAD of them (the pool's size) on the server at a time.
    Once a page comes back short (the last one), a page further on that has not started
    is not asked at all."""
    skip = start
    asked: deque[Future[list[RemoteItem]]] = deque()
    end: list[int] = []

    def fetch(at: int) -> list[RemoteItem]:
        if end and at > min(end):
            return []
        items = page_at(at)
        if len(items) < PAGE:
            end.append(at)
        return items

    def ask() -> None:
        nonlocal skip
        asked.append(pool.submit(fetch, skip))
        skip += PAGE

    while len(asked) < BUFFER:
        ask()
    while asked:
        batch = [asked.popleft().result()]
        while asked and asked[0].done() and len(batch) < BATCH and len(batch[-1]) == PAGE:
            batch.append(asked.popleft().result())
        if len(batch[-1]) < PAGE:
            for future in asked:
                future.cancel()
            asked.clear()
        while asked and len(asked) < BUFFER:
            ask()
        yield batch
