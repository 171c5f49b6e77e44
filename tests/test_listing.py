"""What a source lists: the same answer for the TUI and the CLI."""

from __future__ import annotations

import pytest

from reader.listing import SourceRef, list_source
from reader.sample import load_sample
from reader.store import Store


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "newsreader.db") as store:
        load_sample(store)
        yield store


def test_source_ids_round_trip():
    for text in ("feed:3", "folder:News/World", "virtual:unread", "search:a:b"):
        assert SourceRef.parse(text).id == text


def test_feed_lists_its_entries_and_virtual_lists_merge(store):
    feed = store.list_feeds(include_sample=True)[0]
    own = list_source(store, SourceRef("feed", str(feed.id)))
    assert own.entries and not own.many_feeds
    unread = list_source(store, SourceRef("virtual", "unread"), include_sample=True)
    assert unread.many_feeds
    assert {e.id for e in unread.entries} <= {
        e.id for f in store.list_feeds(include_sample=True) for e in store.list_entries(f.id)
    }


def test_starred_and_recent_follow_the_flags(store):
    feed = store.list_feeds(include_sample=True)[0]
    first = store.list_entries(feed.id)[0]
    assert list_source(store, SourceRef("virtual", "starred"), include_sample=True).entries == []
    store.set_starred(first.id, True)
    store.set_read(first.id, True)
    starred = list_source(store, SourceRef("virtual", "starred"), include_sample=True)
    assert [e.id for e in starred.entries] == [first.id]
    recent = list_source(store, SourceRef("virtual", "recent"), include_sample=True)
    assert first.id in [e.id for e in recent.entries]
    assert (
        list_source(
            store, SourceRef("virtual", "starred"), unread_only=True, include_sample=True
        ).entries
        == []
    )


def test_search_gives_snippets(store):
    listing = list_source(store, SourceRef("search", "social"), include_sample=True)
    assert listing.entries
    assert all(e.id in listing.snippets for e in listing.entries)


def test_unknown_source_is_refused(store):
    with pytest.raises(ValueError):
        list_source(store, SourceRef("virtual", "nope"))
