"""The whole app against hostile feeds: an entity bomb, 100,000 items and invisible
characters, served by the loopback server, refreshed by the service and shown by Pilot."""

from __future__ import annotations

import re
import time
from pathlib import Path

from reader.config import Settings
from reader.feeds.parse import MAX_ENTRIES
from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.widgets.entry_list import EntryList
from reader.ui.widgets.feed_list import FeedList
from tests.server import FixtureServer, Route
from tests.uitools import screen_text, settle, subscribe

FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


def bomb() -> bytes:
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "' + "A" * 50_000 + '">\n]>\n'
        '<rss version="2.0"><channel><title>Bomb</title>'
        "<item><guid>b1</guid><title>Defused</title>"
        f"<description>{'&a;' * 50_000}</description></item></channel></rss>"
    ).encode()


def many() -> bytes:
    items = "".join(
        f"<item><guid>m{i}</guid><title>Item {i}</title></item>" for i in range(100_000)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Many</title>{items}'.encode()
        + (b"</channel></rss>")
    )


def invisible() -> bytes:
    return (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Sneaky&#x202e;txt.exe</title>'
        b"<item><guid>s1</guid><title>Pay&#x200b;Pal &#x9b;31m &#x1b;]0;title&#x07;login</title>"
        b"<author>a@b.example (Mallory&#x2066;&#x202e;)</author>"
        b"<description>&lt;p&gt;Hi &amp;#x202e; &amp;rlm; &amp;#27;[2J there&lt;/p&gt;"
        b"</description>"
        b"</item></channel></rss>"
    )


async def test_hostile_feeds_end_to_end(server: FixtureServer, data_dir: Path) -> None:
    server.add_route("bomb.xml", Route(body=bomb()))
    server.add_route("many.xml", Route(body=many()))
    server.add_route("invisible.xml", Route(body=invisible()))
    urls = [server.url(p) for p in ("bomb.xml", "many.xml", "invisible.xml")]
    db = data_dir / "newsreader.db"
    started = time.perf_counter()
    await subscribe(db, *urls, settings=Settings(timeout=5.0))
    assert time.perf_counter() - started < 10

    store = Store(db)
    try:
        feeds = {f.url: f for f in store.list_feeds()}
        assert feeds[urls[1]].total == MAX_ENTRIES
        assert feeds[urls[1]].last_error == (
            f"only the first {MAX_ENTRIES} of 100000 entries were read"
        )
        bomb_entries = store.list_entries(feeds[urls[0]].id)
        assert [e.title for e in bomb_entries] == ["Defused"]
        assert len(bomb_entries[0].summary) < 400_000  # nothing was expanded

        app = NewsReaderApp(store, Settings(timeout=2.0))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            feed_list = app.query_one(FeedList)
            titles = [f.title for f in feed_list.feeds]
            assert "Sneakytxt.exe" in titles
            # Open the invisible-characters feed and its entry.
            index = next(
                i for i, row in enumerate(feed_list.option_rows)
                if row.feed is not None and row.feed.id == feeds[urls[2]].id
            )  # fmt: skip
            feed_list.focus()
            feed_list.highlighted = index
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            entries = app.query_one(EntryList).entries
            # feedparser reads U+009B as windows-1252 would: "›", inert
            assert [e.title for e in entries] == ["PayPal ›31m login"]
            await pilot.press("enter")
            await settle(pilot)
            text = screen_text(app)
            assert "PayPal ›31m login" in text
            assert not FORBIDDEN.search(text)
            assert app.is_running
    finally:
        store.close()
