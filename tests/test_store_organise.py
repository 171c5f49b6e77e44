"""Folders, feed settings, lists across feeds, bulk marks and retention in the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader.models import Entry, ParsedFeed
from reader.store import Store, StoreError


def entries(prefix: str, n: int, start: datetime) -> ParsedFeed:
    return ParsedFeed(
        title=prefix,
        entries=tuple(
            Entry(key=f"{prefix}-{i}", title=f"{prefix} {i}", published=start - timedelta(days=i))
            for i in range(n)
        ),
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "n.db")
    now = datetime(2026, 1, 10, tzinfo=UTC)
    for url, folder in (("http://a/", "Tech/Linux"), ("http://b/", "Tech"), ("http://c/", "")):
        feed, _ = s.add_feed(url)
        s.update_feed(feed.id, folder=folder)
        s.apply_update(feed.id, entries(url[-2], 3, now))
    return s


def test_folders_and_folder_lists(store: Store) -> None:
    assert store.folders() == ["Tech", "Tech/Linux"]
    tech = store.query_entries(folder="Tech")
    assert len(tech) == 6  # includes the sub-folder
    assert len(store.query_entries(folder="Tech/Linux")) == 3
    assert store.update_feed(store.list_feeds()[0].id, folder=" News / World/ ").folder == (
        "News/World"
    )


def test_rename_and_change_url_keep_entries(store: Store) -> None:
    feed = store.get_feed_by_url("http://a/")
    assert feed is not None
    first = store.list_entries(feed.id)[0]
    assert first.id is not None
    store.set_read(first.id, True)
    renamed = store.update_feed(feed.id, title="My A", url="http://a2/")
    assert renamed.title == "My A" and renamed.url == "http://a2/"
    assert store.get_entry(first.id) is not None
    assert store.list_entries(feed.id)[0].read
    assert store.update_feed(feed.id, title="").title == "a"
    with pytest.raises(StoreError, match="already subscribed"):
        store.update_feed(feed.id, url="http://b/")


def test_virtual_lists(store: Store) -> None:
    assert len(store.query_entries(unread_only=True)) == 9
    some = store.query_entries()[:2]
    ids = [e.id for e in some if e.id is not None]
    store.set_starred(ids[0], True)
    store.set_read(ids[1], True)
    store.set_read(ids[0], True)
    assert [e.id for e in store.query_entries(starred_only=True)] == [ids[0]]
    assert [e.id for e in store.query_entries(recently_read=True)] == [ids[0], ids[1]] or [
        e.id for e in store.query_entries(recently_read=True)
    ] == [ids[1], ids[0]]
    assert len(store.query_entries(unread_only=True)) == 7


def test_bulk_mark_returns_changed_ids_for_undo(store: Store) -> None:
    all_ids = [e.id for e in store.query_entries() if e.id is not None]
    store.set_read(all_ids[0], True)
    changed = store.set_read_many(all_ids, True)
    assert sorted(changed) == sorted(all_ids[1:])
    assert store.unread_count() == 0
    store.set_read_many(changed, False)  # undo
    assert store.unread_count() == 8


def test_prune_keeps_unread_and_starred(store: Store) -> None:
    feed = store.get_feed_by_url("http://c/")
    assert feed is not None
    rows = store.list_entries(feed.id)
    for e in rows:
        assert e.id is not None
        store.set_read(e.id, True)
    assert rows[2].id is not None
    store.set_starred(rows[2].id, True)
    removed = store.prune(max_per_feed=1)
    assert removed == 1  # the middle one; the oldest is starred, the others unread
    assert [e.title for e in store.list_entries(feed.id)] == ["c 0", "c 2"]
    assert store.prune(max_days=0) == 1  # every read, unstarred entry is old enough
    assert len(store.query_entries(unread_only=True)) == 6


def test_previous_unread_walks_backwards(store: Store) -> None:
    order = [f.id for f in store.list_feeds()]
    first_feed = store.list_entries(order[0])
    # From the second entry of the first feed, the previous unread is the first one.
    assert first_feed[1].id is not None
    prev = store.previous_unread(order, first_feed[1].id)
    assert prev is not None and prev.id == first_feed[0].id
    # From the first entry, it wraps to the last (oldest) unread of the last feed.
    prev = store.previous_unread(order, first_feed[0].id)
    last_feed = store.list_entries(order[-1])
    assert prev is not None and prev.id == last_feed[-1].id
    nxt = store.next_unread(order, prev.id)
    assert nxt is not None and nxt.id == first_feed[0].id
