"""The store's download queue and played marks (a part of `Store`, kept in its own module).

A download is one enclosure URL (the same file in two feeds is fetched once): queued,
downloading (with the bytes so far), done (with the file's path) or failed (with the reason,
"cancelled" included). A file is *played* once the player was started on it or the user
marked it; an entry is a *new episode* while it has an audio or video file none of whose
files is played.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from reader.enclosures import is_media
from reader.models import Enclosure, Entry

STATES = ("queued", "downloading", "done", "failed")

DOWNLOADS_MIGRATION = """
    CREATE TABLE downloads (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        entry_id INTEGER REFERENCES entries(id) ON DELETE SET NULL,
        feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
        title TEXT NOT NULL DEFAULT '',
        feed_title TEXT NOT NULL DEFAULT '',
        type TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT 'queued',
        bytes INTEGER NOT NULL DEFAULT 0,
        total INTEGER,
        path TEXT NOT NULL DEFAULT '',
        validator TEXT NOT NULL DEFAULT '',
        error TEXT NOT NULL DEFAULT '',
        added REAL NOT NULL,
        updated REAL,
        finished REAL
    );
    CREATE TABLE played (url TEXT PRIMARY KEY, at REAL NOT NULL);
    CREATE INDEX entries_with_enclosures ON entries (sort_date) WHERE enclosures != '';
"""
"""Migration: the download queue, the played files, and an index of entries with files."""


@dataclass(frozen=True, slots=True)
class Download:
    """One file in the queue, as the store has it."""

    id: int
    url: str
    entry_id: int | None
    feed_id: int | None
    title: str
    """The entry's title (what the file is called and listed as)."""
    feed_title: str
    type: str
    state: str
    """`queued`, `downloading`, `done` or `failed`."""
    bytes: int
    """Bytes on disk so far."""
    total: int | None
    """The file's size when the server (or the feed) said it."""
    path: str
    """Where the file is (while downloading: where it will be; its `.part` beside it)."""
    validator: str
    """The ETag or Last-Modified of the partial file: a resume asks for the same file."""
    error: str
    added: datetime
    finished: datetime | None

    @property
    def fraction(self) -> float | None:
        """How much is done (0-1), None when the size is unknown."""
        if self.state == "done":
            return 1.0
        if not self.total:
            return None
        return min(1.0, self.bytes / self.total)


_COLUMNS = (
    "id, url, entry_id, feed_id, title, feed_title, type, state, bytes, total, path,"
    " validator, error, added, finished"
)


def _download(row: Sequence[Any]) -> Download:
    return Download(
        id=row[0],
        url=row[1],
        entry_id=row[2],
        feed_id=row[3],
        title=row[4],
        feed_title=row[5],
        type=row[6],
        state=row[7],
        bytes=row[8],
        total=row[9],
        path=row[10],
        validator=row[11],
        error=row[12],
        added=datetime.fromtimestamp(row[13], UTC),
        finished=datetime.fromtimestamp(row[14], UTC) if row[14] is not None else None,
    )


_F = TypeVar("_F", bound=Callable[..., Any])


def _guarded(method: _F) -> _F:
    """SQLite failures as the store's StoreError, as every Store method reports them."""

    @functools.wraps(method)
    def wrapper(self: DownloadStore, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            try:
                return method(self, *args, **kwargs)
            except sqlite3.Error as exc:
                from reader.store import StoreError

                raise StoreError(f"database error: {exc}") from exc

    return wrapper  # type: ignore[return-value]


class DownloadStore:
    """The download and played-state methods of `Store` (which provides the connection)."""

    _conn: sqlite3.Connection
    _lock: threading.RLock

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """Store's write transaction (its lock and the refresh's write gate): one path for
        every write."""
        raise NotImplementedError

    # -- the queue -------------------------------------------------------------------------

    @_guarded
    def queue_download(self, entry: Entry, enclosure: Enclosure) -> Download:
        """Queue `enclosure` of `entry`; a file already queued or done is left as it is, a
        failed one is queued again (resuming where it stopped)."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO downloads (url, entry_id, feed_id, title, feed_title, type, total,"
                " added) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (url) DO UPDATE SET state = 'queued', error = ''"
                " WHERE downloads.state = 'failed'",
                (
                    enclosure.url,
                    entry.id,
                    entry.feed_id,
                    entry.title or enclosure.title,
                    entry.feed_title,
                    enclosure.type,
                    enclosure.length or None,
                    time.time(),
                ),
            )
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM downloads WHERE url = ?", (enclosure.url,)
            ).fetchone()
        return _download(row)

    @_guarded
    def list_downloads(
        self, *, states: Sequence[str] | None = None, feed_id: int | None = None
    ) -> list[Download]:
        """The queue, oldest first (optionally only some states, or one feed's files)."""
        where: list[str] = []
        params: list[object] = []
        if states is not None:
            where.append(f"state IN ({','.join('?' * len(states))})")
            params += list(states)
        if feed_id is not None:
            where.append("feed_id = ?")
            params.append(feed_id)
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM downloads {clause} ORDER BY added, id", params
            ).fetchall()
        return [_download(row) for row in rows]

    @_guarded
    def get_download(self, download_id: int) -> Download | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_COLUMNS} FROM downloads WHERE id = ?", (download_id,)
            ).fetchone()
        return None if row is None else _download(row)

    @_guarded
    def download_states(self, urls: Sequence[str]) -> dict[str, Download]:
        """The queue's files among `urls`, by URL."""
        if not urls:
            return {}
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM downloads WHERE url IN ({','.join('?' * len(urls))})",
                list(urls),
            ).fetchall()
        return {row[1]: _download(row) for row in rows}

    @_guarded
    def update_download(self, download_id: int, **changes: Any) -> None:
        """Set some of state, bytes, total, path, validator, error (done/failed: finished)."""
        allowed = {"state", "bytes", "total", "path", "validator", "error"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"not download columns: {sorted(unknown)}")
        if not changes:
            return
        changes["updated"] = time.time()
        if changes.get("state") in ("done", "failed"):
            changes["finished"] = changes["updated"]
        sets = ", ".join(f"{name} = ?" for name in changes)
        with self._transaction() as conn:
            conn.execute(
                f"UPDATE downloads SET {sets} WHERE id = ?", (*changes.values(), download_id)
            )

    @_guarded
    def retry_download(self, download_id: int) -> bool:
        """Queue a failed download again; False when it was not failed."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE downloads SET state = 'queued', error = '' WHERE id = ? AND state ="
                " 'failed'",
                (download_id,),
            )
        return cursor.rowcount > 0

    @_guarded
    def remove_download(self, download_id: int) -> Download | None:
        """Take a download off the list (its file stays where it is)."""
        found = self.get_download(download_id)
        if found is not None:
            with self._transaction() as conn:
                conn.execute("DELETE FROM downloads WHERE id = ?", (download_id,))
        return found

    @_guarded
    def requeue_interrupted(self, stale_seconds: float = 60.0) -> int:
        """Downloads a process left `downloading` (it exited or was killed: nothing written
        for `stale_seconds`) are queued again; one another process is fetching is left."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE downloads SET state = 'queued' WHERE state = 'downloading'"
                " AND COALESCE(updated, 0) < ?",
                (time.time() - stale_seconds,),
            )
        return cursor.rowcount

    # -- played ----------------------------------------------------------------------------

    @_guarded
    def set_played(self, urls: Sequence[str], played: bool = True) -> None:
        with self._transaction() as conn:
            if played:
                now = time.time()
                conn.executemany(
                    "INSERT OR IGNORE INTO played (url, at) VALUES (?, ?)",
                    [(url, now) for url in urls],
                )
            else:
                conn.executemany("DELETE FROM played WHERE url = ?", [(url,) for url in urls])

    @_guarded
    def played_urls(self, urls: Sequence[str]) -> set[str]:
        if not urls:
            return set()
        with self._lock:
            rows = self._conn.execute(
                f"SELECT url FROM played WHERE url IN ({','.join('?' * len(urls))})", list(urls)
            ).fetchall()
        return {row[0] for row in rows}

    @_guarded
    def is_new_episode(self, entry: Entry) -> bool:
        """An entry with an audio or video file none of whose files is played."""
        media = [e.url for e in entry.enclosures if is_media(e)]
        return bool(media) and not self.played_urls(media)

    @_guarded
    def episodes(
        self,
        *,
        feed_ids: Sequence[int] | None = None,
        include_sample: bool = False,
        new_only: bool = True,
    ) -> list[Entry]:
        """Entries with an audio or video file, newest first; `new_only`: none of whose
        files is played (the "New episodes" list)."""
        from reader.store import _ENTRY_SELECT, _entry_from_row  # the store imports us

        where = ["e.enclosures != ''"]
        params: list[object] = []
        if feed_ids is not None:
            ids = list(feed_ids) or [-1]
            where.append(f"e.feed_id IN ({','.join('?' * len(ids))})")
            params += ids
        if not include_sample:
            where.append("f.is_sample = 0")
        with self._lock:
            rows = self._conn.execute(
                f"{_ENTRY_SELECT} WHERE {' AND '.join(where)} ORDER BY e.sort_date DESC, e.id DESC",
                params,
            ).fetchall()
            played = self.all_played() if new_only else set()
        found: list[Entry] = []
        for row in rows:
            entry = _entry_from_row(row)
            media = [e.url for e in entry.enclosures if is_media(e)]
            if media and not (new_only and played.intersection(media)):
                found.append(entry)
        return found

    @_guarded
    def new_episode_count(self, *, include_sample: bool = False) -> int | None:
        """How many entries are new episodes; None when no entry has audio or video at all
        (the "New episodes" list is then not shown). Reads only the files column."""
        from reader.store import _enclosures  # the store imports us

        sample = "" if include_sample else " AND f.is_sample = 0"
        rows = self._conn.execute(
            "SELECT e.enclosures FROM entries AS e JOIN feeds AS f ON f.id = e.feed_id"
            f" WHERE e.enclosures != ''{sample}"
        ).fetchall()
        played = self.all_played()
        any_media = False
        count = 0
        for (raw,) in rows:
            media = [e.url for e in _enclosures(raw) if is_media(e)]
            if media:
                any_media = True
                count += not played.intersection(media)
        return count if any_media else None

    @_guarded
    def all_played(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._conn.execute("SELECT url FROM played")}
