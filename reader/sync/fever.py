"""The Fever API: every call a POST carrying `api_key` = md5("email:password").

Commands and `since_id`/`with_ids` go in the query string, `mark` and friends in the form
body. Items come 50 a page by `since_id` (ascending ids); state is the whole unread and
saved id lists, two strings in one request. Fever cannot subscribe or unsubscribe.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from reader.config import Settings
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
from reader.sync.shape import as_dict, as_list, body, flag, id_list, ident, number, text

PAGE = 50
_MARK = {("read", "1"): "read", ("read", "0"): "unread", ("starred", "1"): "saved",
         ("starred", "0"): "unsaved"}  # fmt: skip


def api_key(email: str, password: str) -> str:
    return hashlib.md5(f"{email}:{password}".encode()).hexdigest()


class Fever(Protocol):
    kind = "fever"
    can_subscribe = False

    def __init__(
        self,
        url: str,
        email: str,
        password: str,
        settings: Settings,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__()
        self.url = check_url(url)
        self.key = api_key(email, password)
        self.http = Poster(settings, transport)

    def close(self) -> None:
        self.http.close()

    def call(self, query: str = "", **form: Any) -> dict[str, Any]:
        """One request; an answer without auth=1 is an AuthError."""
        self.counters.count(
            query.split("&")[0].split("=")[0]
            or (f"mark {form['mark']}" if "mark" in form else "api")
        )
        sep = "&" if "?" in self.url else "?"
        url = f"{self.url}{sep}api" + (f"&{query}" if query else "")
        answer = as_dict(self.http.post_json(url, data={"api_key": self.key, **form}), "the answer")
        if "api_version" not in answer or "auth" not in answer:
            raise AuthError("this is not a Fever API (its answer has no api_version)")
        if answer.get("auth") != 1:
            raise AuthError("the Fever server refused the email or password")
        return answer

    def login(self) -> None:
        self.call()

    def pull_subscriptions(self) -> list[RemoteFeed]:
        answer = self.call("groups&feeds")
        groups = {
            ident(g.get("id"), "a group id"): text(g.get("title"), 200).replace("/", "-")
            for g in (as_dict(raw, "a group") for raw in as_list(answer.get("groups"), "groups"))
        }
        folder_of: dict[str, str] = {}
        for raw in as_list(answer.get("feeds_groups", []), "feeds_groups"):
            link = as_dict(raw, "feeds_groups")
            group = groups.get(ident(link.get("group_id"), "a group id"), "")
            for feed_id in id_list(link.get("feed_ids", ""), "feed_ids"):
                folder_of.setdefault(feed_id, group)
        feeds = []
        for raw in as_list(answer.get("feeds"), "feeds"):
            feed = as_dict(raw, "a feed")
            remote_id = ident(feed.get("id"), "a feed id")
            feeds.append(
                RemoteFeed(
                    remote_id=remote_id,
                    title=text(feed.get("title"), 300),
                    url=text(feed.get("url"), 2000),
                    site_url=text(feed.get("site_url"), 2000),
                    folder=folder_of.get(remote_id, ""),
                )
            )
        return feeds

    def pull_entries(self, since: str) -> Iterator[tuple[list[RemoteItem], str]]:
        since_id = int(since) if since.isdigit() else 0
        while True:
            answer = self.call(f"items&since_id={since_id}")
            page = [_item(raw) for raw in as_list(answer.get("items", []), "items")]
            newest = max([since_id, *(int(i.remote_id) for i in page)])
            yield page, str(newest)
            if len(page) < PAGE or newest == since_id:
                return
            since_id = newest

    def pull_state(self, local: LocalState) -> RemoteState:
        answer = self.call("unread_item_ids&saved_item_ids")
        unread = id_list(answer.get("unread_item_ids", ""), "unread_item_ids")
        saved = id_list(answer.get("saved_item_ids", ""), "saved_item_ids")
        return RemoteState(unread, saved, None)

    def push(self, changes: Sequence[Change]) -> None:
        for change in changes:
            mark = _MARK.get((change.op, change.value))
            if mark is None:
                continue
            try:
                self.call(mark="item", id=change.remote_id, **{"as": mark})
            except SyncError as exc:
                if "HTTP 404" not in str(exc):  # an item gone from the server: nothing to mark
                    raise


def _item(raw: Any) -> RemoteItem:
    item = as_dict(raw, "an item")
    return RemoteItem(
        remote_id=ident(item.get("id"), "an item id"),
        feed_id=ident(item.get("feed_id"), "a feed id"),
        title=text(item.get("title"), 1000),
        link=text(item.get("url"), 2000),
        author=text(item.get("author"), 300),
        content=body(item.get("html"), text(item.get("url"), 2000)),
        published=number(item.get("created_on_time")),
        read=flag(item.get("is_read")),
        starred=flag(item.get("is_saved")),
    )
