"""One sync of one account: send the queued local changes, then pull subscriptions, new
entries (since the mark the server gave last time) and read/starred state.

Local changes go first, so a change made here since the last sync wins over the server's
older state for the same entry; the server's changes land next. When anything fails the
sync stops with the reason, the queue keeps what was not sent, and the store stays whole
(each step is its own transaction, and the entry mark moves only once entries are kept).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from reader.config import Settings
from reader.store import Store
from reader.sync import local
from reader.sync.accounts import Account, AccountError
from reader.sync.base import NotSupported, Protocol, RemoteItem, SyncError

_T = TypeVar("_T")
PAGES_AHEAD = 6
"""Batches of entries pulled and prepared ahead of the ones being stored (a tt-rss batch
is up to 5 pages of 200)."""


@dataclass(slots=True)
class SyncReport:
    """What one sync did; `error` says why it stopped (None: it finished)."""

    account: str
    kind: str
    new_entries: int = 0
    sent: int = 0
    received: int = 0
    feeds_added: int = 0
    feeds_removed: int = 0
    requests: int = 0
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    def describe(self) -> str:
        if self.error is not None:
            return f"failed: {self.error}"
        parts = [f"{self.new_entries} new entries", f"{self.sent} changes sent",
                 f"{self.received} received"]  # fmt: skip
        if self.feeds_added or self.feeds_removed:
            parts.append(f"feeds +{self.feeds_added} -{self.feeds_removed}")
        return ", ".join(parts)

    def as_json(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "type": self.kind,
            "ok": self.ok,
            "error": self.error,
            "new_entries": self.new_entries,
            "sent": self.sent,
            "received": self.received,
            "feeds_added": self.feeds_added,
            "feeds_removed": self.feeds_removed,
            "requests": self.requests,
            "notes": self.notes,
        }


def open_protocol(
    account: Account,
    password: str,
    settings: Settings,
    transport: httpx.BaseTransport | None = None,
) -> Protocol:
    if account.kind == "ttrss":
        from reader.sync.ttrss import TtRss

        return TtRss(account.url, account.user, password, settings, transport)
    if account.kind == "fever":
        from reader.sync.fever import Fever

        return Fever(account.url, account.user, password, settings, transport)
    raise SyncError(f"unknown account type {account.kind!r}")


def connect(
    account: Account,
    settings: Settings,
    data_dir: Path,
    transport: httpx.BaseTransport | None = None,
) -> Protocol:
    """A logged-in protocol for the account (AccountError, SyncError on failure)."""
    proto = open_protocol(account, account.password(data_dir), settings, transport)
    try:
        proto.login()
    except BaseException:
        proto.close()
        raise
    return proto


def sync_account(
    store: Store,
    account: Account,
    settings: Settings,
    data_dir: Path,
    *,
    transport: httpx.BaseTransport | None = None,
) -> SyncReport:
    """Sync one account; failures come back in the report (and in the store's account row)."""
    report = SyncReport(account.name, account.kind)
    local.ensure_account(store, account.name, account.kind)
    proto: Protocol | None = None
    try:
        proto = connect(account, settings, data_dir, transport)
        _push(store, account.name, proto, report)
        feeds = proto.pull_subscriptions()
        report.feeds_added, report.feeds_removed = local.apply_subscriptions(
            store, account.name, feeds
        )
        mark = local.account_states(store)[account.name].mark
        feed_of = local.feed_map(store, account.name)
        for ready in ahead(_prepared(proto, mark, feed_of), PAGES_AHEAD):
            # Every page already here is stored in one go (a feed's entries together).
            items = [item for page, _, _ in ready for item in page]
            prepared = local.merge_prepared([p for _, p, _ in ready])
            next_mark = ready[-1][2]
            report.new_entries += local.apply_items(store, account.name, items, prepared)
            if next_mark != mark:
                local.set_mark(store, account.name, next_mark)
                mark = next_mark
        state = proto.pull_state(local.local_state(store, account.name))
        report.received += local.apply_state(store, account.name, state)
    except (SyncError, AccountError) as exc:
        report.error = str(exc)
    finally:
        if proto is not None:
            report.requests = proto.counters.requests
            proto.close()
    local.record_result(store, account.name, report.error)
    return report


def _prepared(
    proto: Protocol, mark: str, feed_of: dict[str, int]
) -> Iterator[tuple[list[RemoteItem], local.PreparedItems, str]]:
    pages = proto.pull_entries(mark)
    try:
        for items, next_mark in pages:
            yield items, local.prepare_items(feed_of, items), next_mark
    finally:
        close = getattr(pages, "close", None)
        if close is not None:
            close()


def ahead(source: Iterator[_T], depth: int) -> Iterator[list[_T]]:
    """`source`'s values, worked out in a thread up to `depth` ahead of the caller and
    handed over as lists of all those ready (at least one): pulling and preparing the next
    pages (network, JSON, search text) runs while the caller stores these (SQLite lets go
    of the GIL while it writes). An error in `source` is raised here, after the values
    before it; stopping early stops the thread."""
    box: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(kind: str, value: Any) -> bool:
        while not stop.is_set():
            try:
                box.put((kind, value), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for value in source:
                if not put("value", value):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            put("error", exc)
            return
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()
        put("end", None)

    thread = threading.Thread(target=run, name="sync-pull", daemon=True)
    thread.start()
    try:
        while True:
            got = [box.get()]
            while got[-1][0] == "value" and len(got) < depth:
                try:
                    got.append(box.get_nowait())
                except queue.Empty:
                    break
            values = [value for kind, value in got if kind == "value"]
            if values:
                yield values
            kind, value = got[-1]
            if kind == "error":
                raise value
            if kind == "end":
                return
    finally:
        stop.set()
        thread.join()


def _push(store: Store, name: str, proto: Protocol, report: SyncReport) -> None:
    """Send the queue: feed changes one by one in order, then read/starred in batches; a
    sent part is dropped from the queue at once, so nothing is sent twice."""
    changes, up_to = local.pending(store, name)
    if not changes:
        return
    flags = [c for c in changes if c.op in ("read", "starred")]
    for change in changes:
        if change.op == "subscribe":
            try:
                proto.subscribe(change.remote_id, change.value)
            except NotSupported as exc:
                report.notes.append(str(exc))
        elif change.op == "unsubscribe":
            try:
                proto.unsubscribe(change.remote_id)
            except NotSupported as exc:
                report.notes.append(str(exc))
    if flags:
        proto.push(flags)
    report.sent += len(changes)
    local.drop_queued(store, name, up_to)


def subscribe(
    store: Store,
    account: Account,
    settings: Settings,
    data_dir: Path,
    url: str,
    folder: str,
) -> tuple[bool, str]:
    """Subscribe on the server now, or queue it when the server cannot be reached.
    Returns (done now, remote feed id or "")."""
    from reader.sync.base import Unreachable

    local.ensure_account(store, account.name, account.kind)
    try:
        proto = connect(account, settings, data_dir)
    except Unreachable:
        if account.kind == "fever":
            raise NotSupported(
                f"fever cannot subscribe to feeds: add {url} on the server"
            ) from None
        local.enqueue(store, account.name, "subscribe", url, folder)
        return False, ""
    try:
        return True, proto.subscribe(url, folder)
    finally:
        proto.close()


def sync_configured(
    store: Store, settings: Settings, data_dir: Path | None = None
) -> list[SyncReport]:
    """Sync every account the config declares, one after another (the TUI's R)."""
    from reader.sync.accounts import accounts_from

    where = data_dir if data_dir is not None else store.path.parent
    return [
        sync_account(store, account, settings, where)
        for account in accounts_from(settings.sync).values()
    ]


def summary(reports: list[SyncReport]) -> str:
    """One line for a status bar: each account's result."""
    return " · ".join(f"Sync {r.account}: {r.describe()}" for r in reports)


async def sync_accounts_now(store: Store, settings: Settings, wanted: bool) -> list[SyncReport]:
    """The TUI's sync after a refresh: every configured account, in a thread; [] when not
    wanted or there are none."""
    import asyncio

    if not wanted or not settings.sync:
        return []
    return await asyncio.to_thread(sync_configured, store, settings)
