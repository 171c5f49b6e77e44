"""An entry is one entry however a feed names it: across refreshes, GUID schemes and formats.

The refresh tests run against a real loopback HTTP server and a real store, as a user's
refresh does.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reader.config import Settings
from reader.feeds.entries import MAX_ENTRIES, MAX_KEY_LENGTH
from reader.feeds.parse import parse_feed
from reader.service import FeedService
from reader.store import Store
from tests.server import FixtureServer, Route


def rss(items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
        f"<link>http://site.example/</link>{items}</channel></rss>"
    ).encode()


def item(guid: str, link: str, title: str) -> str:
    return (
        f'<item><guid isPermaLink="false">{guid}</guid>'
        f"<link>{link}</link><title>{title}</title></item>"
    )


async def refresh_counts(store: Store) -> list[int]:
    results = await FeedService(store, Settings(timeout=2.0)).refresh()
    return [result.new for result in results]


async def test_new_guids_for_the_same_stories_do_not_grow_the_feed(
    server: FixtureServer, tmp_path: Path
) -> None:
    stories = [("http://site.example/a", "A"), ("http://site.example/b", "B")]

    def serve(run: int) -> None:
        body = "".join(item(f"{title}-{run}", link, title) for link, title in stories)
        server.add_route("mint.xml", Route(body=rss(body)))

    with Store(tmp_path / "n.db") as store:
        feed, _ = store.add_feed(server.url("mint.xml"))
        serve(1)
        assert await refresh_counts(store) == [2]
        for run in (2, 3, 4):
            serve(run)
            assert await refresh_counts(store) == [0]
        entries = store.list_entries(feed.id)
        assert sorted(e.title for e in entries) == ["A", "B"]
        # A story that really is new still arrives.
        stories.append(("http://site.example/c", "C"))
        serve(5)
        assert await refresh_counts(store) == [1]
        assert len(store.list_entries(feed.id)) == 3


async def test_a_new_post_with_the_title_and_link_of_one_still_listed_is_new(
    server: FixtureServer, tmp_path: Path
) -> None:
    home = "http://site.example/"
    server.add_route("digest.xml", Route(body=rss(item("d1", home, "Daily digest"))))
    with Store(tmp_path / "n.db") as store:
        feed, _ = store.add_feed(server.url("digest.xml"))
        assert await refresh_counts(store) == [1]
        both = item("d2", home, "Daily digest") + item("d1", home, "Daily digest")
        server.add_route("digest.xml", Route(body=rss(both)))
        assert await refresh_counts(store) == [1]
        assert len(store.list_entries(feed.id)) == 2


async def test_two_posts_sharing_a_guid_are_both_kept_and_stay_put(
    server: FixtureServer, tmp_path: Path
) -> None:
    body = rss(
        item("same", "http://site.example/one", "One")
        + item("same", "http://site.example/two", "Two")
    )
    server.add_route("dup.xml", Route(body=body))
    with Store(tmp_path / "n.db") as store:
        feed, _ = store.add_feed(server.url("dup.xml"))
        assert await refresh_counts(store) == [2]
        assert await refresh_counts(store) == [0]
        titles = sorted(e.title for e in store.list_entries(feed.id))
    assert titles == ["One", "Two"]


def test_the_same_post_twice_in_one_document_counts_once() -> None:
    body = rss(item("g", "http://site.example/x", "X") + item("g", "http://site.example/x", "X2"))
    assert [e.title for e in parse_feed(body, url="http://site.example/f.xml").entries] == ["X"]


def json_feed(items: list[dict[str, object]]) -> bytes:
    return json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": items}
    ).encode()


def test_json_feed_follows_the_xml_rules() -> None:
    future = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    long_id = "x" * (MAX_KEY_LENGTH + 10)
    items: list[dict[str, object]] = [
        {"id": "1", "title": "Task &amp; Sub Tasks", "date_published": future},
        {"id": "2", "title": "I&#039;m &#8216;Jokes&#8217;"},
        {"id": "1", "title": "same id, same (no) link: the first counts"},
        {"id": long_id, "title": "long"},
        {"id": long_id[:-1] + "y", "title": "long too"},
        {"id": "5", "title": "far", "url": "https://site.example/" + "p" * 9000},
        {"id": "6", "title": "a < b, literally"},
    ]
    entries = parse_feed(json_feed(items), url="https://site.example/feed.json").entries
    titles = [e.title for e in entries]
    assert titles == [
        "Task & Sub Tasks",
        "I'm ‘Jokes’",
        "long",
        "long too",
        "far",
        "a < b, literally",
    ]
    assert entries[0].published is None  # a date a month ahead is no date, as in RSS
    long_keys = [entries[2].key, entries[3].key]
    assert all(k.startswith("sha1:") for k in long_keys) and long_keys[0] != long_keys[1]
    assert entries[4].link == ""  # refused, not cut


def test_json_feed_entries_are_capped() -> None:
    items: list[dict[str, object]] = [{"id": str(i), "title": "t"} for i in range(MAX_ENTRIES + 5)]
    feed = parse_feed(json_feed(items), url="https://site.example/feed.json")
    assert len(feed.entries) == MAX_ENTRIES
    assert feed.warning is not None and str(MAX_ENTRIES + 5) in feed.warning
