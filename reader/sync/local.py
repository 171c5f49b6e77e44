"""The store's side of sync: accounts' state, the server-id maps, and the change queue.

The queue itself is written by triggers (store migration "sync"), in the same transaction as
the local change; everything here that applies the server's state runs inside `_applying`,
which the triggers see and stay quiet for, so nothing pulled is ever sent back.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from reader.models import Entry, ParsedFeed
from reader.store import FeedUpdate, Store, derive
from reader.sync.base import Change, LocalState, RemoteFeed, RemoteItem, RemoteState

APPLYING = "sync.applying"


@dataclass(frozen=True, slots=True)
class AccountState:
    """What the store knows of an account's syncs."""

    name: str
    kind: str
    mark: str
    last_sync: datetime | None
    last_attempt: datetime | None
    last_error: str | None
    pending: int
    feeds: int


@contextmanager
def _applying(store: Store) -> Iterator[sqlite3.Connection]:
    """A write transaction whose entry and feed changes are not queued for the server."""
    with store.sync_transaction() as conn:
        conn.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, '1')", (APPLYING,))
        yield conn
        conn.execute("DELETE FROM state WHERE key = ?", (APPLYING,))


def _when(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


# ---------------------------------------------------------------------------- accounts
def ensure_account(store: Store, name: str, kind: str) -> None:
    with store.sync_transaction() as conn:
        conn.execute(
            "INSERT INTO sync_accounts (name, kind) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET kind = excluded.kind,"
            " mark = CASE WHEN sync_accounts.kind = excluded.kind THEN mark ELSE '' END",
            (name, kind),
        )


def account_states(store: Store) -> dict[str, AccountState]:
    rows = store.sync_rows(
        """
            SELECT a.name, a.kind, a.mark, a.last_sync, a.last_attempt, a.last_error,
                   (SELECT count(*) FROM sync_queue AS q WHERE q.account = a.name),
                   (SELECT count(*) FROM sync_feeds AS f WHERE f.account = a.name)
            FROM sync_accounts AS a
            """
    )
    return {
        row[0]: AccountState(
            row[0], row[1], row[2], _when(row[3]), _when(row[4]), row[5], row[6], row[7]
        )
        for row in rows
    }


def record_result(store: Store, name: str, error: str | None, mark: str | None = None) -> None:
    """A sync ended: when, and why it failed (None: it worked)."""
    now = time.time()
    with store.sync_transaction() as conn:
        conn.execute(
            "UPDATE sync_accounts SET last_attempt = ?, last_error = ?,"
            " last_sync = CASE WHEN ? IS NULL THEN ? ELSE last_sync END,"
            " mark = COALESCE(?, mark) WHERE name = ?",
            (now, error, error, now, mark, name),
        )


def set_mark(store: Store, name: str, mark: str) -> None:
    with store.sync_transaction() as conn:
        conn.execute("UPDATE sync_accounts SET mark = ? WHERE name = ?", (mark, name))


def forget_account(store: Store, name: str) -> int:
    """Drop an account's feeds (entries go with them), queue and state; not sent anywhere."""
    with _applying(store) as conn:
        ids = [
            row[0]
            for row in conn.execute("SELECT feed_id FROM sync_feeds WHERE account = ?", (name,))
        ]
        for feed_id in ids:
            conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
        conn.execute("DELETE FROM sync_queue WHERE account = ?", (name,))
        conn.execute("DELETE FROM sync_items WHERE account = ?", (name,))
        conn.execute("DELETE FROM sync_accounts WHERE name = ?", (name,))
    return len(ids)


def synced_feed_ids(store: Store) -> set[int]:
    """Feeds a server fetches: a local refresh leaves them alone."""
    rows = store.sync_rows("SELECT feed_id FROM sync_feeds")
    return {row[0] for row in rows}


def feed_accounts(store: Store) -> dict[int, str]:
    """Which account each synced feed belongs to (local feeds are absent)."""
    rows = store.sync_rows("SELECT feed_id, account FROM sync_feeds")
    return {row[0]: row[1] for row in rows}


def account_of_feed(store: Store, feed_id: int) -> tuple[str, str] | None:
    """(account, kind) of a synced feed, None for a local one."""
    rows = store.sync_rows(
        "SELECT f.account, a.kind FROM sync_feeds AS f"
        " JOIN sync_accounts AS a ON a.name = f.account WHERE f.feed_id = ?",
        (feed_id,),
    )
    return (rows[0][0], rows[0][1]) if rows else None


# ---------------------------------------------------------------------------- the queue
def enqueue(store: Store, name: str, op: str, remote_id: str, value: str = "") -> None:
    """A change with no local row to trigger on (a subscribe made while offline)."""
    with store.sync_transaction() as conn:
        conn.execute(
            "INSERT INTO sync_queue (account, op, remote_id, value, at) VALUES (?, ?, ?, ?, ?)",
            (name, op, remote_id, value, time.time()),
        )


def pending(store: Store, name: str) -> tuple[list[Change], int]:
    """The queued changes, coalesced (the last of each item and op wins, in queue order),
    and the id of the newest queued row (0: none)."""
    rows = store.sync_rows(
        "SELECT id, op, remote_id, value FROM sync_queue WHERE account = ? ORDER BY id",
        (name,),
    )
    last: dict[tuple[str, str], tuple[int, Change]] = {}
    for row_id, op, remote_id, value in rows:
        last.pop((op, remote_id), None)
        last[(op, remote_id)] = (row_id, Change(op, remote_id, str(value)))
    changes = [change for _, change in sorted(last.values(), key=lambda item: item[0])]
    return changes, (rows[-1][0] if rows else 0)


def drop_queued(store: Store, name: str, up_to: int) -> None:
    """Sent: forget the queue up to row `up_to` (rows queued since stay)."""
    with store.sync_transaction() as conn:
        conn.execute("DELETE FROM sync_queue WHERE account = ? AND id <= ?", (name, up_to))


def _pending_ids(conn: sqlite3.Connection, name: str) -> set[tuple[str, str]]:
    rows = conn.execute(
        "SELECT op, remote_id FROM sync_queue WHERE account = ?", (name,)
    ).fetchall()
    return {(row[0], row[1]) for row in rows}


# ---------------------------------------------------------------------------- subscriptions
def apply_subscriptions(store: Store, name: str, feeds: Sequence[RemoteFeed]) -> tuple[int, int]:
    """Make the account's local feeds the server's: new ones added, gone ones removed, titles
    and folders followed (a title the user gave locally is kept). Returns (added, removed)."""
    added = removed = 0
    now = time.time()
    with _applying(store) as conn:
        known = dict(
            conn.execute(
                "SELECT remote_id, feed_id FROM sync_feeds WHERE account = ?", (name,)
            ).fetchall()
        )
        wanted = {feed.remote_id for feed in feeds}
        for remote_id, feed_id in known.items():
            if remote_id not in wanted:
                conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
                removed += 1
        for feed in feeds:
            feed_id = known.get(feed.remote_id)
            if feed_id is not None:
                conn.execute(
                    "UPDATE feeds SET title = ?, folder = ?,"
                    " site_url = COALESCE(NULLIF(?, ''), site_url) WHERE id = ?",
                    (feed.title, feed.folder, feed.site_url, feed_id),
                )
                continue
            url = feed.url or f"sync:{name}:{feed.remote_id}"
            taken = conn.execute("SELECT 1 FROM feeds WHERE url = ?", (url,)).fetchone()
            if taken:  # the same feed is also subscribed locally, or on another account
                url = f"{url}#newsreader-sync-{name}-{feed.remote_id}"
            cursor = conn.execute(
                "INSERT INTO feeds (url, title, site_url, folder, added) VALUES (?, ?, ?, ?, ?)",
                (url, feed.title, feed.site_url, feed.folder, now),
            )
            conn.execute(
                "INSERT INTO sync_feeds (feed_id, account, remote_id) VALUES (?, ?, ?)",
                (cursor.lastrowid, name, feed.remote_id),
            )
            added += 1
    return added, removed


def unread_counts(store: Store, name: str) -> dict[str, int]:
    """Unread entries per remote feed id, as the store has them."""
    rows = store.sync_rows(
        "SELECT s.remote_id, f.unread_count FROM sync_feeds AS s"
        " JOIN feeds AS f ON f.id = s.feed_id WHERE s.account = ?",
        (name,),
    )
    return {row[0]: row[1] for row in rows}


def local_state(store: Store, name: str) -> LocalState:
    """What a protocol compares with the server's state: unread counts and ids, and when
    the last sync that worked ended."""
    unread = store.sync_rows(
        "SELECT i.remote_id FROM sync_items AS i JOIN entries AS e ON e.id = i.entry_id"
        " WHERE i.account = ? AND e.read = 0",
        (name,),
    )
    last = store.sync_rows("SELECT last_sync FROM sync_accounts WHERE name = ?", (name,))
    return LocalState(
        unread_counts(store, name),
        frozenset(str(row[0]) for row in unread),
        last[0][0] if last and last[0][0] is not None else None,
    )


# ---------------------------------------------------------------------------- entries
@dataclass(frozen=True, slots=True)
class PreparedItems:
    """A page of server items grouped by local feed, ready to store (`prepare_items`)."""

    by_feed: dict[int, list[RemoteItem]]
    updates: list[FeedUpdate]


def feed_map(store: Store, name: str) -> dict[str, int]:
    """Local feed id by remote feed id, for the account."""
    rows = store.sync_rows("SELECT remote_id, feed_id FROM sync_feeds WHERE account = ?", (name,))
    return {remote_id: feed_id for remote_id, feed_id in rows}


def prepare_items(feed_of: dict[str, int], items: Sequence[RemoteItem]) -> PreparedItems:
    """Everything before the write (entries, canonical links, search text): pure, so a
    sync works it out in the thread that pulls the next pages while this one stores."""
    by_feed: dict[int, list[RemoteItem]] = {}
    for item in items:
        feed_id = feed_of.get(item.feed_id)
        if feed_id is not None:
            by_feed.setdefault(feed_id, []).append(item)
    updates = [
        FeedUpdate(feed_id, derive(ParsedFeed(title="", entries=tuple(_entry(i) for i in group))))
        for feed_id, group in by_feed.items()
    ]
    return PreparedItems(by_feed, updates)


def merge_prepared(pages: Sequence[PreparedItems]) -> PreparedItems:
    """Several prepared pages as one: a feed's entries in one update, so storing them costs
    one feed's worth of statements rather than one per page it appears in."""
    if len(pages) == 1:
        return pages[0]
    by_feed: dict[int, list[RemoteItem]] = {}
    parsed: dict[int, ParsedFeed] = {}
    for page in pages:
        for feed_id, group in page.by_feed.items():
            by_feed.setdefault(feed_id, []).extend(group)
        for update in page.updates:
            before = parsed.get(update.feed_id)
            parsed[update.feed_id] = (
                update.parsed
                if before is None
                else replace(
                    before,
                    entries=before.entries + update.parsed.entries,
                    derived=before.derived + update.parsed.derived,
                )
            )
    return PreparedItems(by_feed, [FeedUpdate(f, p) for f, p in parsed.items()])


def apply_items(
    store: Store, name: str, items: Sequence[RemoteItem], prepared: PreparedItems | None = None
) -> int:
    """Store a page of server items (content through the store's usual update path, so
    search, reader mode and duplicates work as for local entries), then map them and set
    their state. Returns how many were new."""
    if prepared is None:
        prepared = prepare_items(feed_map(store, name), items)
    by_feed, updates = prepared.by_feed, prepared.updates
    if not by_feed:
        return 0
    new = sum(store.apply_updates(updates))
    fresh: list[int] = []
    now = time.time()
    with _applying(store) as conn:
        queued = _pending_ids(conn, name)
        for feed_id, group in by_feed.items():
            for item in group:
                row = conn.execute(
                    "SELECT id FROM entries WHERE feed_id = ? AND key = ?",
                    (feed_id, _key(item)),
                ).fetchone()
                if row is None:
                    continue
                entry_id = row[0]
                cursor = conn.execute(
                    "INSERT INTO sync_items (entry_id, account, remote_id) VALUES (?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    (entry_id, name, item.remote_id),
                )
                if cursor.rowcount:
                    fresh.append(entry_id)
                if ("read", item.remote_id) not in queued:
                    _set_read(conn, entry_id, item.read, now)
                if ("starred", item.remote_id) not in queued:
                    conn.execute(
                        "UPDATE entries SET starred = ? WHERE id = ? AND starred != ?",
                        (int(item.starred), entry_id, int(item.starred)),
                    )
        conn.execute("DELETE FROM state WHERE key = ?", (APPLYING,))
        # A story already read here (a local feed's copy) is read on the server too: this
        # update is queued like one the user made. (`c.canon != ''` lets SQLite use the
        # partial index entries_by_canon instead of scanning every entry per item.)
        for start in range(0, len(fresh), 500):
            chunk = fresh[start : start + 500]
            conn.execute(
                f"""
                UPDATE entries SET read = 1, read_at = ?
                WHERE id IN ({",".join("?" * len(chunk))}) AND read = 0 AND canon != ''
                  AND EXISTS (SELECT 1 FROM entries AS c WHERE c.canon = entries.canon
                              AND c.canon != '' AND c.id != entries.id AND c.read = 1)
                """,
                (now, *chunk),
            )
        conn.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, '1')", (APPLYING,))
    return new


def _key(item: RemoteItem) -> str:
    return f"sync:{item.remote_id}"


def _entry(item: RemoteItem) -> Entry:
    when = None if item.published is None else datetime.fromtimestamp(item.published, UTC)
    return Entry(
        key=_key(item),
        title=item.title,
        link=item.link,
        author=item.author,
        published=when,
        content=item.content,
        enclosures=item.enclosures,
    )


def _set_read(conn: sqlite3.Connection, entry_id: int, read: bool, now: float) -> int:
    """The server's read state for one synced entry; a story read on the server is read in
    every local copy too (same canonical link)."""
    cursor = conn.execute(
        "UPDATE entries SET read = ?, read_at = CASE WHEN ? THEN COALESCE(read_at, ?) END"
        " WHERE id = ? AND read != ?",
        (int(read), int(read), now, entry_id, int(read)),
    )
    if read and cursor.rowcount:
        conn.execute(
            """
            UPDATE entries SET read = 1, read_at = COALESCE(read_at, ?)
            WHERE read = 0 AND canon != '' AND canon = (SELECT canon FROM entries WHERE id = ?)
              AND id NOT IN (SELECT entry_id FROM sync_items)
            """,
            (now, entry_id),
        )
    return cursor.rowcount


def apply_state(store: Store, name: str, state: RemoteState) -> int:
    """The server's read and starred state for the account's entries (a change still queued
    here is newer and wins). Returns how many entries changed."""
    changed = 0
    now = time.time()
    with _applying(store) as conn:
        queued = _pending_ids(conn, name)
        rows = conn.execute(
            """
            SELECT i.entry_id, i.remote_id, s.remote_id, e.read, e.starred
            FROM sync_items AS i JOIN entries AS e ON e.id = i.entry_id
            JOIN sync_feeds AS s ON s.feed_id = e.feed_id
            WHERE i.account = ?
            """,
            (name,),
        ).fetchall()
        scope = state.unread_scope
        for entry_id, remote_id, feed_remote, read, starred in rows:
            if (scope is None or feed_remote in scope) and ("read", remote_id) not in queued:
                want_read = remote_id not in state.unread
                if bool(read) != want_read:
                    changed += _set_read(conn, entry_id, want_read, now)
            want_star = remote_id in state.starred
            if bool(starred) != want_star and ("starred", remote_id) not in queued:
                conn.execute(
                    "UPDATE entries SET starred = ? WHERE id = ?", (int(want_star), entry_id)
                )
                changed += 1
    return changed
