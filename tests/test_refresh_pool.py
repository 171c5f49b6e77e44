"""A big refresh: worker processes parse and store, and what it costs per request."""

from __future__ import annotations

import asyncio
import importlib.abc
import importlib.machinery
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import pytest

from reader.cli import main
from reader.feeds.fetch import Fetcher
from reader.service import PARSE_POOL_MIN_FEEDS
from reader.store import Store
from tests.server import FixtureServer, Route


def rss(feed: int) -> bytes:
    items = "".join(
        f"<item><title>Story {feed}-{i}</title><link>http://example.org/{feed}/{i}</link>"
        f"<guid>f{feed}-{i}</guid><description>&lt;p&gt;The word zebra{feed}x{i} is"
        " only here.&lt;/p&gt;</description></item>"
        for i in range(3)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {feed}</title>'
        f"<link>http://example.org/{feed}</link>{items}</channel></rss>"
    ).encode()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: no worker processes")
def test_search_finds_every_entry_as_soon_as_a_big_refresh_returns(tmp_path: Path) -> None:
    """Enough feeds that worker processes parse and store them: when `newsreader refresh`
    returns, every new entry is stored and found by search, and a second refresh (every
    answer a 304 now) stores nothing twice."""
    feeds = PARSE_POOL_MIN_FEEDS + 4
    with FixtureServer() as server:
        for n in range(feeds):
            server.add_route(f"f{n}.xml", Route(body=rss(n)))
        with Store(tmp_path / "newsreader.db") as store:
            for n in range(feeds):
                store.add_feed(server.url(f"f{n}.xml"))
        assert main(["--data-dir", str(tmp_path), "refresh"]) == 0
        with Store(tmp_path / "newsreader.db") as store:
            for n in range(feeds):
                hits = store.search(f"zebra{n}x2")
                assert [h.entry.title for h in hits] == [f"Story {n}-2"]
            assert store.unread_count() == 3 * feeds
        assert main(["--data-dir", str(tmp_path), "refresh"]) == 0
        with Store(tmp_path / "newsreader.db") as store:
            assert store.unread_count() == 3 * feeds
            assert len(store.search("zebra0x1")) == 1


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: no worker processes")
def test_a_big_refresh_says_what_its_rules_cost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The worker processes apply the rules as they store, and report their CPU time:
    `refresh --stats` sums it (what a person weighs a new rule by)."""
    feeds = PARSE_POOL_MIN_FEEDS + 4
    with FixtureServer() as server:
        for n in range(feeds):
            server.add_route(f"f{n}.xml", Route(body=rss(n)))
        with Store(tmp_path / "newsreader.db") as store:
            ids = [store.add_feed(server.url(f"f{n}.xml"))[0].id for n in range(feeds)]
            store.update_feed(ids[4], folder="News/Local")
            store.update_feed(ids[5], title="My desk")
        rules = [{"name": f"r{n}", "action": "read", "title": f"story {n}-[12]$"} for n in range(9)]
        rules.append({"name": "zebras", "action": "star", "content": "zebra3x0 is"})
        # The feed's folder and title as the refresh listed them (the user's title first,
        # else the one the feed brings on this first fetch).
        rules.append({"name": "local", "action": "list", "list": "L", "folder": "^news/local$"})
        rules.append({"name": "mine", "action": "list", "list": "M", "feed": "^my desk$"})
        rules.append({"name": "seven", "action": "list", "list": "S", "feed": "^feed 7$"})
        (tmp_path / "config.toml").write_text(
            "".join(
                f'[[rules]]\nname = "{r["name"]}"\naction = "{r["action"]}"\n'
                + "".join(f'{k} = "{v}"\n' for k, v in r.items() if k not in ("name", "action"))
                for r in rules
            )
        )
        assert main(["--data-dir", str(tmp_path), "refresh", "--stats"]) == 0
        stats = capsys.readouterr().out
        seconds = float(stats.split("rules: ")[1].split(" s")[0])
        assert 0 < seconds < 5
        with Store(tmp_path / "newsreader.db") as store:
            assert store.unread_count() == 3 * feeds - 2 * 9  # the rules ran in the workers
            starred = store._conn.execute("SELECT title FROM entries WHERE starred = 1")
            assert [title for (title,) in starred] == ["Story 3-0"]
            listed = store._conn.execute(
                "SELECT h.rule, e.feed_id FROM rule_hits AS h JOIN entries AS e"
                " ON e.id = h.entry_id WHERE h.action = 'list'"
            ).fetchall()
            assert sorted(listed) == sorted(
                [("local", ids[4])] * 3 + [("mine", ids[5])] * 3 + [("seven", ids[7])] * 3
            )


class CountingFinder(importlib.abc.MetaPathFinder):
    """Counts every import that reaches the import path (a module not already loaded)."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        self.names.append(fullname)
        return None


def test_fetching_does_not_search_the_import_path_on_every_request() -> None:
    """A refresh of a thousand feeds must not pay an import lookup per request (httpcore
    asks for an optional module on every connection; a missing module's lookup is not
    cached by Python)."""
    with FixtureServer() as server:
        for n in range(20):
            server.add_route(f"f{n}.xml", Route(body=rss(n)))

        async def fetch_all() -> None:
            async with Fetcher(timeout=5.0) as fetcher:
                await fetcher.fetch(server.url("f0.xml"))  # the first one may import
                counter = CountingFinder()
                sys.meta_path.insert(0, counter)
                try:
                    results = [await fetcher.fetch(server.url(f"f{n}.xml")) for n in range(20)]
                finally:
                    sys.meta_path.remove(counter)
                assert all(r.ok for r in results)
                assert counter.names == []

        asyncio.run(fetch_all())
