"""Tiny Tiny RSS's JSON API (level 15): a session from `login`, renewed on NOT_LOGGED_IN.

Entries are mapped by tt-rss's article id (its `guid` is tt-rss's own hash, not the feed's);
entries arrive through one `getHeadlines` over all feeds with `since_id`, 200 a page by
`skip`; state by the unread lists of feeds whose unread count (`getCounters`) differs from
the local one, and the starred list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from reader.config import Settings
from reader.sync.base import (
    AuthError,
    Change,
    Protocol,
    RemoteFeed,
    RemoteItem,
    RemoteState,
    SyncError,
)
from reader.sync.http import Poster, check_url
from reader.sync.shape import as_dict, as_list, bad, body, flag, ident, number, text
from reader.text import clean_line

PAGE = 200
"""getHeadlines' largest page."""
AHEAD = 3
"""getHeadlines pages asked at once after a full first page."""
ID_BATCH = 500
"""Article ids per updateArticle call."""
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
        return feeds

    def pull_entries(self, since: str) -> Iterator[tuple[list[RemoteItem], str]]:
        """Pages by `skip` over a fixed `since_id`. The first page comes alone (an
        incremental sync with little new is one request); when it is full, the next pages
        are asked AHEAD at a time (tt-rss spends ~1.5 s building a page with content, and
        serves several at once)."""
        since_id = int(since) if since.isdigit() else 0
        newest = since_id

        def page_at(skip: int) -> list[RemoteItem]:
            answer = self.call(
                "getHeadlines",
                feed_id=-4,
                view_mode="all_articles",
                since_id=since_id,
                show_content=True,
                limit=PAGE,
                skip=skip,
                order_by="date_reverse",
            )
            return [_item(raw) for raw in as_list(answer, "getHeadlines")]

        skip = 0
        pages = [page_at(0)]
        with ThreadPoolExecutor(max_workers=AHEAD) as pool:
            while True:
                last = False
                for items in pages:
                    newest = max([newest, *(int(i.remote_id) for i in items)])
                    last = len(items) < PAGE
                    # The mark moves only once the last page is kept: pages go by skip.
                    yield items, str(newest) if last else since
                    skip += len(items)
                    if last:
                        return
                starts = [skip + n * PAGE for n in range(AHEAD)]
                pages = list(pool.map(page_at, starts))

    def pull_state(self, local_unread: Mapping[str, int]) -> RemoteState:
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
            if feed_id in local_unread and (
                not isinstance(count, int) or count != local_unread[feed_id]
            ):
                differs.add(feed_id)
        unread: set[str] = set()
        for feed_id in sorted(differs, key=int):
            unread |= self._ids(feed_id=int(feed_id), view_mode="unread")
        starred = self._ids(feed_id=-1, view_mode="all_articles")
        return RemoteState(frozenset(unread), frozenset(starred), frozenset(differs))

    def _ids(self, **params: Any) -> set[str]:
        ids: set[str] = set()
        skip = 0
        while True:
            page = as_list(
                self.call("getHeadlines", limit=PAGE, skip=skip, show_content=False, **params),
                "getHeadlines",
            )
            ids.update(ident(as_dict(h, "a headline").get("id"), "an article id") for h in page)
            if len(page) < PAGE:
                return ids
            skip += len(page)

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


def _item(raw: Any) -> RemoteItem:
    head = as_dict(raw, "a headline")
    return RemoteItem(
        remote_id=ident(head.get("id"), "an article id"),
        feed_id=_feed_of(head.get("feed_id")),
        title=text(head.get("title"), 1000),
        link=text(head.get("link"), 2000),
        author=text(head.get("author"), 300),
        content=body(head.get("content")),
        published=number(head.get("updated")),
        read=not flag(head.get("unread")),
        starred=flag(head.get("marked")),
    )
