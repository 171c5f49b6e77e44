"""The store against a real SQLite file: what the UI, the CLI and the refresher rely on."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader.models import Article, Enclosure, Entry, Link, ParsedFeed
from reader.sample import load_sample
from reader.store import MIGRATIONS, SCHEMA_VERSION, Store, StoreError, derive

BASE = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "newsreader.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as opened:
        yield opened


def make_entries(
    count: int, prefix: str = "e", title: str = "Story", site: str = "example.com"
) -> tuple[Entry, ...]:
    """Entries in feed order (newest first): key e0 is the newest."""
    return tuple(
        Entry(
            key=f"{prefix}{i}",
            title=f"{title} {i}",
            link=f"https://{site}/{prefix}{i}",
            author="Ann Author",
            published=BASE - timedelta(hours=i),
            summary=f"summary {i}",
            content=f"<p>content {i}</p>",
        )
        for i in range(count)
    )


def add_with_entries(store: Store, url: str, count: int, prefix: str = "e") -> int:
    feed, _created = store.add_feed(url)
    site = url.split("/")[2]  # each feed links to its own site: no shared stories
    entries = make_entries(count, prefix, site=site)
    store.apply_update(feed.id, ParsedFeed(title=url, entries=entries))
    return feed.id


def keys(entries: list[Entry]) -> list[str]:
    return [entry.key for entry in entries]


# -- opening and migrations -----------------------------------------------------------


def test_fresh_database_is_configured(db_path: Path) -> None:
    with Store(db_path) as store:
        conn = store._conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert db_path.is_file()  # parent directory was created
    raw = sqlite3.connect(db_path)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        raw.close()


def test_schema_version_counts_migrations() -> None:
    assert SCHEMA_VERSION == len(MIGRATIONS) >= 2


def test_version_1_database_is_migrated_and_keeps_its_data(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    raw = sqlite3.connect(db_path)
    raw.executescript(MIGRATIONS[0])
    raw.execute("PRAGMA user_version = 1")
    raw.execute(
        "INSERT INTO feeds (id, url, title, added) VALUES (1, 'https://old.example/feed', 'Old', 0)"
    )
    raw.execute(
        "INSERT INTO entries (feed_id, key, title, read, starred, first_seen, sort_date)"
        " VALUES (1, 'k1', 'Kept', 1, 1, 100, 100)"
    )
    raw.commit()
    raw.close()

    with Store(db_path) as store:
        assert store._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        columns = {row[1] for row in store._conn.execute("PRAGMA table_info(entries)")}
        assert "read_at" in columns
        [feed] = store.list_feeds()
        assert (feed.title, feed.url, feed.total, feed.unread) == (
            "Old",
            "https://old.example/feed",
            1,
            0,
        )
        [entry] = store.list_entries(feed.id)
        assert (entry.key, entry.title, entry.read, entry.starred) == ("k1", "Kept", True, True)
        # The migrated store is fully usable.
        assert store.toggle_read(entry.id) is False
        assert store.unread_count() == 1


def test_reopening_keeps_data_and_does_not_migrate_again(db_path: Path) -> None:
    with Store(db_path) as store:
        add_with_entries(store, "https://a.example/feed", 3)
    with Store(db_path) as store:
        [feed] = store.list_feeds()
        assert feed.total == 3


def test_newer_database_is_refused(db_path: Path) -> None:
    with Store(db_path):
        pass
    raw = sqlite3.connect(db_path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()
    with pytest.raises(StoreError, match="created by a newer newsreader"):
        Store(db_path)


def test_a_file_that_is_not_a_database_is_a_store_error(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not sqlite, just some text that is long enough" * 100)
    with pytest.raises(StoreError):
        Store(db_path)


def test_closed_store_raises_store_error(db_path: Path) -> None:
    store = Store(db_path)
    store.close()
    store.close()  # twice is fine
    with pytest.raises(StoreError):
        store.list_feeds()


# -- feeds ----------------------------------------------------------------------------


def test_add_feed_twice_returns_the_same_feed(store: Store) -> None:
    first, created = store.add_feed("https://a.example/feed")
    again, created_again = store.add_feed("https://a.example/feed", "Another title")
    assert created is True
    assert created_again is False
    assert again.id == first.id
    assert len(store.list_feeds()) == 1
    assert first.title == "https://a.example/feed"  # no title yet: the URL is shown
    assert first.last_status is None and first.last_fetched is None
    assert store.get_feed(first.id) == first
    assert store.get_feed_by_url("https://a.example/feed") == first
    assert store.get_feed(9999) is None
    assert store.get_feed_by_url("https://nope.example/") is None


def test_feed_title_comes_from_the_feed_unless_the_user_gave_one(store: Store) -> None:
    plain, _ = store.add_feed("https://a.example/feed")
    named, _ = store.add_feed("https://b.example/feed", "My name for it")
    for feed in (plain, named):
        store.apply_update(feed.id, ParsedFeed(title="Feed's own title", site_url="https://x/"))
    plain_after = store.get_feed(plain.id)
    named_after = store.get_feed(named.id)
    assert plain_after is not None and named_after is not None
    assert plain_after.title == "Feed's own title"
    assert plain_after.site_url == "https://x/"
    assert named_after.title == "My name for it"
    # An empty title in a later fetch keeps the known one.
    store.apply_update(plain.id, ParsedFeed(title=""))
    kept = store.get_feed(plain.id)
    assert kept is not None
    assert kept.title == "Feed's own title"
    assert kept.site_url == "https://x/"


def test_apply_update_records_the_fetch(store: Store) -> None:
    feed, _ = store.add_feed("https://a.example/feed")
    store.apply_update(
        feed.id,
        ParsedFeed(title="A", warning="declared encoding was wrong"),
        status=200,
        etag='"v1"',
        last_modified="Wed, 01 May 2024 12:00:00 GMT",
    )
    got = store.get_feed(feed.id)
    assert got is not None
    assert got.etag == '"v1"'
    assert got.last_modified == "Wed, 01 May 2024 12:00:00 GMT"
    assert got.last_status == 200
    assert got.last_error == "declared encoding was wrong"
    assert got.last_fetched is not None and got.last_fetched.tzinfo is not None
    assert abs(got.last_fetched - datetime.now(UTC)) < timedelta(minutes=1)
    # Validators are stored exactly as given: None clears them; no warning clears the error.
    store.apply_update(feed.id, ParsedFeed(title="A"), status=200)
    got = store.get_feed(feed.id)
    assert got is not None
    assert (got.etag, got.last_modified, got.last_error) == (None, None, None)


def test_list_feeds_counts_sorts_and_hides_the_sample(store: Store) -> None:
    b = add_with_entries(store, "https://b.example/feed", 3)
    a = add_with_entries(store, "https://a.example/feed", 2)
    store.apply_update(b, ParsedFeed(title="beta", entries=make_entries(3, site="b.example")))
    store.apply_update(a, ParsedFeed(title="Alpha", entries=make_entries(2, site="a.example")))
    empty, _ = store.add_feed("https://c.example/feed", "Ça va")
    sample, _ = store.add_feed("https://sample.example/feed", "Sample", is_sample=True)
    store.apply_update(sample.id, ParsedFeed(title="Sample", entries=make_entries(4)))
    [first_b, *_] = store.list_entries(b)
    store.set_read(first_b.id)

    feeds = store.list_feeds()
    assert [f.title for f in feeds] == ["Alpha", "beta", "Ça va"]
    counts = {f.id: (f.unread, f.total) for f in feeds}
    assert counts == {a: (2, 2), b: (2, 3), empty.id: (0, 0)}
    assert not any(f.is_sample for f in feeds)

    with_sample = store.list_feeds(include_sample=True)
    assert [f.title for f in with_sample] == ["Alpha", "beta", "Ça va", "Sample"]
    assert with_sample[-1].is_sample and (with_sample[-1].unread, with_sample[-1].total) == (4, 4)

    assert store.unread_count() == 4
    assert store.unread_count(include_sample=True) == 8


def test_has_user_feeds_ignores_the_sample(store: Store) -> None:
    assert store.has_user_feeds() is False
    store.add_feed("https://sample.example/feed", "Sample", is_sample=True)
    assert store.has_user_feeds() is False
    store.add_feed("https://a.example/feed")
    assert store.has_user_feeds() is True


def test_remove_feed_deletes_its_entries(store: Store) -> None:
    gone = add_with_entries(store, "https://a.example/feed", 3)
    kept = add_with_entries(store, "https://b.example/feed", 2)
    [entry, *_] = store.list_entries(gone)
    store.remove_feed(gone)
    assert store.get_feed(gone) is None
    assert store.get_entry(entry.id) is None
    assert store._conn.execute(
        "SELECT count(*) FROM entries WHERE feed_id = ?", (gone,)
    ).fetchone() == (0,)
    assert len(store.list_entries(kept)) == 2
    # A refresh that finishes after the feed was removed does not bring it back.
    assert store.apply_update(gone, ParsedFeed(title="A", entries=make_entries(3))) == 0
    assert store.get_feed(gone) is None


def test_record_error_keeps_entries_and_validators(store: Store) -> None:
    feed, _ = store.add_feed("https://a.example/feed")
    store.apply_update(
        feed.id, ParsedFeed(title="A", entries=make_entries(3)), etag='"v1"', last_modified="LM"
    )
    store.record_error(feed.id, "the server answered 503 Service Unavailable", 503)
    got = store.get_feed(feed.id)
    assert got is not None
    assert got.last_error == "the server answered 503 Service Unavailable"
    assert got.last_status == 503
    assert (got.etag, got.last_modified) == ('"v1"', "LM")
    assert got.total == 3 and got.title == "A"
    store.record_error(feed.id, "could not connect")
    got = store.get_feed(feed.id)
    assert got is not None
    assert got.last_status is None and got.last_error == "could not connect"


def test_record_not_modified_keeps_or_updates_validators(store: Store) -> None:
    feed, _ = store.add_feed("https://a.example/feed")
    store.apply_update(feed.id, ParsedFeed(title="A"), etag='"v1"', last_modified="LM1")
    store.record_error(feed.id, "timed out")

    store.record_not_modified(feed.id)
    got = store.get_feed(feed.id)
    assert got is not None
    assert (got.etag, got.last_modified) == ('"v1"', "LM1")
    assert got.last_status == 304
    assert got.last_error is None

    store.record_not_modified(feed.id, etag='"v2"')
    got = store.get_feed(feed.id)
    assert got is not None
    assert (got.etag, got.last_modified) == ('"v2"', "LM1")

    store.record_not_modified(feed.id, last_modified="LM2", status=200)
    got = store.get_feed(feed.id)
    assert got is not None
    assert (got.etag, got.last_modified, got.last_status) == ('"v2"', "LM2", 200)


# -- entries ----------------------------------------------------------------------------


def test_apply_update_counts_only_new_entries(store: Store) -> None:
    feed, _ = store.add_feed("https://a.example/feed")
    assert store.apply_update(feed.id, ParsedFeed(title="A", entries=make_entries(6))) == 6
    assert store.apply_update(feed.id, ParsedFeed(title="A", entries=make_entries(6))) == 0
    assert store.apply_update(feed.id, ParsedFeed(title="A", entries=make_entries(8))) == 2
    # Entries that drop out of the feed document stay in the store.
    assert store.apply_update(feed.id, ParsedFeed(title="A", entries=make_entries(1))) == 0
    assert len(store.list_entries(feed.id)) == 8


def test_read_and_starred_survive_an_update_that_changes_content(store: Store) -> None:
    feed, _ = store.add_feed("https://a.example/feed")
    store.apply_update(feed.id, ParsedFeed(title="A", entries=make_entries(3)))
    before = {e.key: e for e in store.list_entries(feed.id)}
    store.set_read(before["e0"].id)
    store.set_starred(before["e1"].id, True)

    changed = tuple(
        Entry(
            key=e.key,
            title=f"Corrected {e.key}",
            summary="new summary",
            content="<p>new</p>",
            link=e.link,
            published=e.published,
            related=(Link(url="https://example.com/rel", title="Related", text="teaser"),),
        )
        for e in make_entries(3)
    )
    assert store.apply_update(feed.id, ParsedFeed(title="A", entries=changed)) == 0
    after = {e.key: e for e in store.list_entries(feed.id)}
    assert after["e0"].title == "Corrected e0"
    assert after["e0"].summary == "new summary"
    assert after["e0"].content == "<p>new</p>"
    assert after["e0"].related == (
        Link(url="https://example.com/rel", title="Related", text="teaser", kind="related"),
    )
    assert (after["e0"].read, after["e0"].starred) == (True, False)
    assert (after["e1"].read, after["e1"].starred) == (False, True)
    assert (after["e2"].read, after["e2"].starred) == (False, False)
    for key, entry in after.items():
        assert entry.id == before[key].id
        assert entry.first_seen == before[key].first_seen


def test_entries_round_trip_every_field(store: Store) -> None:
    feed, _ = store.add_feed("https://a.example/feed", "Alpha")
    original = Entry(
        key="urn:uuid:1",
        title="Title",
        link="https://example.com/1",
        author="Ann",
        published=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        updated=datetime(2024, 1, 3, 3, 4, 5, tzinfo=UTC),
        summary="Summary",
        content="<p>Body</p>",
        related=(
            Link(url="https://example.com/r1", title="R1", text="t1"),
            Link(url="https://example.com/b", title="B", text="around", kind="body"),
        ),
    )
    store.apply_update(feed.id, ParsedFeed(title="", entries=(original,)))
    [stored] = store.list_entries(feed.id)
    assert stored.id is not None
    assert stored.feed_id == feed.id
    assert stored.feed_title == "Alpha"
    assert stored.first_seen is not None and stored.first_seen.tzinfo is not None
    assert stored.published is not None and stored.published.utcoffset() == timedelta(0)
    assert stored.date == original.published
    comparable = [
        "key",
        "title",
        "link",
        "author",
        "published",
        "updated",
        "summary",
        "content",
        "related",
        "read",
        "starred",
    ]
    for name in comparable:
        assert getattr(stored, name) == getattr(original, name), name
    assert store.get_entry(stored.id) == stored
    assert store.get_entry(123456) is None


def test_list_entries_newest_first(store: Store) -> None:
    feed, _ = store.add_feed("https://a.example/feed")
    entries = (
        Entry(key="old", title="old", published=BASE - timedelta(days=2)),
        Entry(key="new", title="new", published=BASE),
        Entry(key="updated-only", title="u", updated=BASE - timedelta(days=1)),
        Entry(key="mid", title="mid", published=BASE - timedelta(hours=12)),
    )
    store.apply_update(feed.id, ParsedFeed(title="A", entries=entries))
    assert keys(store.list_entries(feed.id)) == ["new", "mid", "updated-only", "old"]
    assert keys(store.list_entries(feed.id, limit=2)) == ["new", "mid"]
    # An entry re-dated by the feed moves.
    redated = Entry(key="old", title="old", published=BASE + timedelta(days=1))
    store.apply_update(feed.id, ParsedFeed(title="A", entries=(redated,)))
    assert keys(store.list_entries(feed.id))[0] == "old"


def test_undated_entries_keep_the_feeds_order(store: Store) -> None:
    feed, _ = store.add_feed("https://a.example/feed")
    undated = tuple(Entry(key=f"u{i}", title=f"u{i}") for i in range(4))
    store.apply_update(feed.id, ParsedFeed(title="A", entries=undated))
    assert keys(store.list_entries(feed.id)) == ["u0", "u1", "u2", "u3"]


def test_list_entries_unread_only(store: Store) -> None:
    feed_id = add_with_entries(store, "https://a.example/feed", 4)
    entries = store.list_entries(feed_id)
    store.set_read(entries[1].id)
    store.set_read(entries[2].id)
    store.set_read(entries[2].id, False)
    assert keys(store.list_entries(feed_id, unread_only=True)) == ["e0", "e2", "e3"]
    assert keys(store.list_entries(feed_id, unread_only=True, limit=1)) == ["e0"]


def test_toggles_return_the_new_state(store: Store) -> None:
    feed_id = add_with_entries(store, "https://a.example/feed", 1)
    [entry] = store.list_entries(feed_id)
    assert entry.id is not None
    assert store.toggle_read(entry.id) is True
    assert store.get_entry(entry.id).read is True  # type: ignore[union-attr]
    assert store.toggle_read(entry.id) is False
    assert store.toggle_starred(entry.id) is True
    assert store.toggle_starred(entry.id) is False
    store.set_starred(entry.id, True)
    got = store.get_entry(entry.id)
    assert got is not None and got.starred is True and got.read is False
    with pytest.raises(StoreError):
        store.toggle_read(987654)
    store.set_read(987654)  # an entry that is gone is quietly ignored


def test_duplicate_keys_in_one_document_last_one_wins(store: Store) -> None:
    feed, _ = store.add_feed("https://a.example/feed")
    entries = (
        Entry(key="dup", title="first", published=BASE),
        Entry(key="other", title="other", published=BASE - timedelta(hours=1)),
        Entry(key="dup", title="second", published=BASE),
    )
    assert store.apply_update(feed.id, ParsedFeed(title="A", entries=entries)) == 2
    stored = {e.key: e.title for e in store.list_entries(feed.id)}
    assert stored == {"dup": "second", "other": "other"}


def test_awkward_keys_round_trip(store: Store) -> None:
    feed, _ = store.add_feed("https://a.example/feed")
    nul_key = "tag:a\x00b\x00"
    long_key = "k" * 20_000 + "\x00end"
    quote_key = 'it\'s "quoted"; DROP TABLE entries; --'
    entries = (
        Entry(key=nul_key, title="nul", published=BASE),
        Entry(key="tag:a", title="prefix of the nul key", published=BASE - timedelta(hours=1)),
        Entry(key=long_key, title="long", published=BASE - timedelta(hours=2)),
        Entry(key=quote_key, title="quote", published=BASE - timedelta(hours=3)),
    )
    assert store.apply_update(feed.id, ParsedFeed(title="A", entries=entries)) == 4
    assert keys(store.list_entries(feed.id)) == [nul_key, "tag:a", long_key, quote_key]
    assert store.apply_update(feed.id, ParsedFeed(title="A", entries=entries)) == 0


def test_two_feeds_may_share_an_entry_key(store: Store) -> None:
    a = add_with_entries(store, "https://a.example/feed", 2)
    b = add_with_entries(store, "https://b.example/feed", 2)
    assert keys(store.list_entries(a)) == keys(store.list_entries(b)) == ["e0", "e1"]
    [a0, _] = store.list_entries(a)
    store.set_read(a0.id)
    assert store.list_entries(b)[0].read is False


def test_copies_of_a_story_share_read_state(store: Store) -> None:
    """The same link (tracking parameters aside) in two feeds is one story to the reader."""
    a, _ = store.add_feed("https://a.example/feed")
    b, _ = store.add_feed("https://b.example/feed")
    story = "https://news.example/2026/story"
    store.apply_update(a.id, ParsedFeed("A", entries=(Entry(key="x", title="S", link=story),)))
    store.apply_update(
        b.id,
        ParsedFeed(
            "B",
            entries=(
                Entry(
                    key="y",
                    title="S",
                    link="http://www.news.example/2026/story/?utm_source=rss#top",
                ),
            ),
        ),
    )
    [in_a] = store.list_entries(a.id)
    assert in_a.id is not None
    store.set_read(in_a.id)
    assert store.list_entries(b.id)[0].read is True
    store.set_read(in_a.id, False)
    assert store.list_entries(b.id)[0].read is False
    # A copy arriving after the story was read comes in read.
    store.set_read(in_a.id, True)
    c, _ = store.add_feed("https://c.example/feed")
    store.apply_update(c.id, ParsedFeed("C", entries=(Entry(key="z", title="S", link=story),)))
    assert store.list_entries(c.id)[0].read is True


# -- next unread ----------------------------------------------------------------------------


def test_next_unread_follows_reading_order_and_wraps(store: Store) -> None:
    a = add_with_entries(store, "https://a.example/feed", 3, "a")
    b = add_with_entries(store, "https://b.example/feed", 2, "b")
    c = add_with_entries(store, "https://c.example/feed", 2, "c")
    by_key = {e.key: e for f in (a, b, c) for e in store.list_entries(f)}
    order = [b, a, c]

    def nxt(current: str | None) -> str | None:
        found = store.next_unread(order, by_key[current].id if current else None)
        return found.key if found else None

    assert nxt(None) == "b0"
    assert nxt("b0") == "b1"
    assert nxt("b1") == "a0"  # on to the next feed
    assert nxt("a2") == "c0"
    assert nxt("c1") == "b0"  # wraps around to the first feed

    for key in ("b0", "b1", "a0", "c0", "c1"):
        store.set_read(by_key[key].id)
    assert nxt("a1") == "a2"
    # Only a1 and a2 are unread: from a2 it wraps through the other feeds back into a.
    assert nxt("a2") == "a1"
    assert store.next_unread(order, by_key["a2"].id).feed_title == "https://a.example/feed"  # type: ignore[union-attr]
    # Read entries can be the current one too.
    assert nxt("c1") == "a1"

    store.set_read(by_key["a1"].id)
    assert nxt("a2") is None  # the current entry itself is never "next"
    assert nxt("b0") == "a2"
    store.set_read(by_key["a2"].id)
    assert nxt("b0") is None
    assert nxt(None) is None


def test_next_unread_with_equal_dates_and_other_feeds(store: Store) -> None:
    feed, _ = store.add_feed("https://a.example/feed")
    undated = tuple(Entry(key=f"u{i}", title=f"u{i}") for i in range(4))
    store.apply_update(feed.id, ParsedFeed(title="A", entries=undated))
    other = add_with_entries(store, "https://b.example/feed", 1, "o")
    listed = store.list_entries(feed.id)
    found = store.next_unread([feed.id], listed[1].id)
    assert found is not None and found.key == "u2"
    # A current entry from a feed that is not listed starts at the beginning.
    [o0] = store.list_entries(other)
    found = store.next_unread([feed.id], o0.id)
    assert found is not None and found.key == "u0"
    assert store.next_unread([], None) is None
    assert store.next_unread([424242], None) is None


# -- threads ----------------------------------------------------------------------------


def test_many_threads_share_one_store(store: Store) -> None:
    feed_ids = [store.add_feed(f"https://{i}.example/feed")[0].id for i in range(4)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(feed_ids))

    def work(feed_id: int) -> None:
        try:
            start.wait()
            for round_ in range(15):
                entries = make_entries(5 + round_, prefix=f"f{feed_id}-", title=f"r{round_}")
                store.apply_update(feed_id, ParsedFeed(title=f"Feed {feed_id}", entries=entries))
                first = store.list_entries(feed_id, limit=1)[0]
                store.toggle_read(first.id)  # type: ignore[arg-type]
                store.list_feeds()
                store.unread_count()
                store.next_unread(feed_ids, first.id)
        except BaseException as exc:  # collected and asserted on the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(fid,)) for fid in feed_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    feeds = store.list_feeds()
    assert [f.total for f in feeds] == [19, 19, 19, 19]
    assert {f.title for f in feeds} == {f"Feed {fid}" for fid in feed_ids}


def test_two_connections_to_one_file(db_path: Path) -> None:
    """The CLI refreshing while the app runs: a second Store on the same file sees the data."""
    with Store(db_path) as app, Store(db_path) as cli:
        feed, _ = app.add_feed("https://a.example/feed")
        assert cli.apply_update(feed.id, ParsedFeed(title="A", entries=make_entries(3))) == 3
        assert app.list_feeds()[0].unread == 3


def test_an_update_prepared_in_a_worker_is_indexed_and_logged_in_one_go(store: Store) -> None:
    """apply_update writes the search index from the text `derive` worked out (in a parse
    worker) and logs the fetch in the same transaction."""
    feed, _ = store.add_feed("https://a.example/feed")
    parsed = derive(
        ParsedFeed(
            "A",
            entries=(
                Entry(key="1", title="Kestrel", summary="<p>falcons <b>hover</b></p>"),
                Entry(key="2", title="Other", content="<p>nothing here</p>"),
            ),
        )
    )
    assert [text.split() for _, text in parsed.derived] == [
        ["falcons", "hover"],
        ["nothing", "here"],
    ]
    fetched = {"size": 123, "seconds": 0.5, "not_before": None, "wait_reason": None}
    assert store.apply_update(feed.id, parsed, fetched=fetched) == 2
    assert [hit.entry.key for hit in store.search("hover")] == ["1"]
    assert [hit.entry.key for hit in store.search("kestrel")] == ["1"]
    [logged] = store.fetch_log(feed.id)
    assert (logged["status"], logged["bytes"], logged["new"]) == (200, 123, 2)
    # A second refresh inserts nothing new and indexes nothing twice.
    assert store.apply_update(feed.id, parsed, fetched=fetched) == 0
    assert [hit.entry.key for hit in store.search("hover")] == ["1"]


def test_feed_counts_kept_by_triggers_match_the_entries(store: Store) -> None:
    """list_feeds reads unread/total counts kept on each feed; every write path keeps them
    equal to what counting the entries gives."""

    def check() -> None:
        counted = {
            feed_id: (unread, total)
            for feed_id, unread, total in store._conn.execute(
                "SELECT feed_id, SUM(read = 0), count(*) FROM entries GROUP BY feed_id"
            )
        }
        for feed in store.list_feeds():
            assert (feed.unread, feed.total) == counted.get(feed.id, (0, 0)), feed.title
        assert store.unread_count() == sum(unread for unread, _ in counted.values())

    a, _ = store.add_feed("https://a.example/feed")
    b, _ = store.add_feed("https://b.example/feed")
    story = "https://news.example/story"
    entries = tuple(Entry(key=f"k{i}", title=f"t{i}") for i in range(5))
    store.apply_update(a.id, ParsedFeed("A", entries=(*entries, Entry("s", "S", link=story))))
    check()
    [shared] = [e for e in store.list_entries(a.id) if e.key == "s"]
    assert shared.id is not None
    store.set_read(shared.id)
    # A copy arriving already read (its story was read in feed A) counts as read.
    store.apply_update(b.id, ParsedFeed("B", entries=(Entry("x", "S", link=story),)))
    assert store.list_feeds()[1].unread == 0
    check()
    store.set_read(shared.id, False)  # both copies unread again
    check()
    ids = [e.id for e in store.list_entries(a.id) if e.id is not None]
    store.set_read_many(ids[:3], True)
    check()
    store.toggle_read(ids[0])
    check()
    store.apply_update(a.id, ParsedFeed("A", entries=entries))  # nothing new, nothing lost
    check()
    store.prune(max_per_feed=2)
    check()
    store.remove_feed(a.id)
    check()


def test_a_story_in_several_feeds_is_one_unread_story(store: Store) -> None:
    """unread_story_count counts a story once however many feeds carry it; marking any
    copy, one at a time or many at once, marks (and unmarks) every copy and keeps each
    feed's own unread counter equal to its unread entries."""
    a, _ = store.add_feed("https://a.example/feed")
    b, _ = store.add_feed("https://b.example/feed")
    shared = tuple(
        Entry(key=f"s{i}", title=f"S{i}", link=f"https://n.example/{i}") for i in range(3)
    )
    only_b = Entry(key="b", title="B only", link="https://b.example/own")
    no_link = Entry(key="x", title="No link")
    store.apply_update(a.id, ParsedFeed("A", entries=(*shared, no_link)))
    store.apply_update(b.id, ParsedFeed("B", entries=(*shared, only_b, no_link)))
    assert store.unread_count() == 9  # entries
    assert store.unread_story_count() == 6  # 3 shared + B's own + each feed's unlinked one

    def unread_by_feed() -> dict[str, int]:
        return {f.title: f.unread for f in store.list_feeds()}

    in_a = {e.key: e.id for e in store.list_entries(a.id) if e.id is not None}
    changed = store.set_read_many([in_a["s0"], in_a["s1"]], True)
    assert len(changed) == 4  # both copies of both stories
    assert store.unread_story_count() == 4
    assert unread_by_feed() == {"A": 2, "B": 3}
    store.set_read_many(changed, False)  # undo brings every copy back
    assert store.unread_story_count() == 6
    assert unread_by_feed() == {"A": 4, "B": 5}
    in_b = {e.key: e.id for e in store.list_entries(b.id) if e.id is not None}
    assert store.toggle_read(in_b["s2"]) is True
    assert [e.read for e in store.list_entries(a.id) if e.key == "s2"] == [True]
    assert unread_by_feed() == {"A": 3, "B": 4}
    store.set_read(in_a["s2"], False)
    assert unread_by_feed() == {"A": 4, "B": 5}
    assert store.unread_story_count() == 6


def test_the_sample_counts_only_when_asked(store: Store) -> None:
    load_sample(store)
    assert store.unread_story_count() == 0
    assert store.unread_story_count(include_sample=True) == 6


def test_marking_and_counting_stories_never_scan_every_entry(store: Store) -> None:
    """Marking a story read finds its copies through an index, and the unread-story count
    reads only an index of unread linked entries: both stay fast in a big store (a join
    on the canonical link scanned every entry for each one marked)."""
    a = add_with_entries(store, "https://a.example/feed", 3)
    ids = [e.id for e in store.list_entries(a) if e.id is not None]
    statements: list[str] = []
    store._conn.set_trace_callback(statements.append)
    try:
        store.set_read(ids[0])
        store.toggle_read(ids[1])
        store.set_read_many(ids, False)
        store.unread_story_count()
    finally:
        store._conn.set_trace_callback(None)
    plans: list[str] = []
    for sql in statements:
        if sql.lstrip().upper().startswith(("SELECT", "UPDATE")):
            rows = store._conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
            plans += [row[3] for row in rows]
    assert plans
    full_scans = [
        p for p in plans if p.startswith(("SCAN entries", "SCAN c", "SCAN e")) and "INDEX" not in p
    ]
    assert full_scans == []


def test_entries_are_found_by_their_exact_link_through_an_index(store: Store) -> None:
    """Links share the canonical-link index (no index of their own): a lookup by link
    still matches that link exactly, not every link with the same canonical form."""
    feed, _ = store.add_feed("https://a.example/feed")
    store.apply_update(
        feed.id,
        ParsedFeed(
            "A",
            entries=(
                Entry(key="1", title="Plain", link="https://a.example/story"),
                Entry(key="2", title="Tracked", link="https://a.example/story?utm_source=x"),
                Entry(key="3", title="Other", link="https://a.example/other"),
            ),
        ),
    )
    by_title = {e.title: e for e in store.list_entries(feed.id)}
    store.set_read(by_title["Plain"].id or 0)
    tracked = "https://a.example/story?utm_source=x"
    statements: list[str] = []
    store._conn.set_trace_callback(statements.append)
    try:
        states = store.link_states(
            ["https://a.example/story", tracked, "https://a.example/nowhere", "mailto:x@y"]
        )
        store.put_page(tracked, Article(url=tracked, title="Tracked", body_html="<p>Zeugma</p>"))
    finally:
        store._conn.set_trace_callback(None)
    # Every copy of the story shares its read state; each link is answered for itself.
    assert states == {"https://a.example/story": True, tracked: True}
    assert [h.entry.title for h in store.search("zeugma")] == ["Tracked"]
    plans = [
        row[3]
        for sql in statements
        if "link" in sql and sql.lstrip().upper().startswith(("SELECT", "INSERT"))
        for row in store._conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
    ]
    assert plans and not [p for p in plans if p.startswith(("SCAN entries", "SCAN e"))]


def test_enclosures_and_lead_image_survive_a_reopen(db_path: Path) -> None:
    audio = Enclosure("http://x.test/ep1.mp3", "audio/mpeg", 123_456, 3_600, "Episode 1")
    with Store(db_path) as first:
        feed, _ = first.add_feed("http://x.test/podcast.xml")
        entry = Entry(key="ep1", title="Ep 1", enclosures=(audio,), image="http://x.test/c.jpg")
        first.apply_update(feed.id, ParsedFeed(title="Cast", entries=(entry,)))
    with Store(db_path) as again:
        (stored,) = again.list_entries(feed.id)
    assert stored.enclosures == (audio,)
    assert stored.image == "http://x.test/c.jpg"


def test_a_damaged_enclosures_column_costs_the_enclosures_not_the_entry(store: Store) -> None:
    feed, _ = store.add_feed("http://x.test/podcast.xml")
    store.apply_update(feed.id, ParsedFeed(title="Cast", entries=(Entry(key="a", title="A"),)))
    store._conn.execute("UPDATE entries SET enclosures = '{not json'")
    (stored,) = store.list_entries(feed.id)
    assert stored.title == "A" and stored.enclosures == ()
