"""Reading a story any way (a related link, a link hint, history) marks it read, every copy."""

from __future__ import annotations

from pathlib import Path

from reader.store import Store
from reader.ui.widgets.entry_list import EntryList
from reader.ui.widgets.feed_list import FeedList
from reader.ui.widgets.reading_pane import ReadingPane
from reader.ui.widgets.related_links import RelatedLinks
from tests.server import FixtureServer
from tests.test_reader_ui import header_text
from tests.uitools import LEAD, make_app, settle, subscribe

DISCORD = "Discord defaults every user to teen mode"
ICE = "ICE quietly leases offices nationwide"


def copies(db: Path, url: str) -> list[bool]:
    """Read state of every stored copy of the story at `url`."""
    with Store(db) as store:
        return [entry.read for entry in store.entries_for_link(url)]


def unread_counts(app: object) -> dict[str, int]:
    feeds = app.query_one(FeedList).feeds  # type: ignore[attr-defined]
    return {feed.title: feed.unread for feed in feeds}


async def test_a_story_read_through_a_link_or_history_is_read_in_every_feed(
    server: FixtureServer, data_dir: Path
) -> None:
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("feed.xml"), server.url("atom-full.xml"))
    discord = server.url("articles/discord-teen-mode.html")
    ice = server.url("articles/ice-office-leases.html")
    assert copies(db, discord) == [False, False]  # the same story in both feeds
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feeds = app.query_one(FeedList)
        feeds.select_feed(next(f.id for f in feeds.feeds if f.title == "Signal Desk"))
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert LEAD in header_text(app)
        before = unread_counts(app)

        # A related link: the Discord story, unread in both feeds.
        related = app.query_one(RelatedLinks)
        related.focus()
        related.highlighted = 0
        assert related.links[0].url == discord
        await pilot.press("enter")
        await settle(pilot)
        assert DISCORD in header_text(app)
        assert copies(db, discord) == [True, True]
        after = unread_counts(app)
        assert all(after[title] == before[title] - 1 for title in before)
        row = next(e for e in app.query_one(EntryList).entries if e.link == discord)
        assert row.read  # the entries pane's row says so too

        # History: the story marked unread again elsewhere, then read by going forward.
        await pilot.press("H")
        await settle(pilot)
        assert LEAD in header_text(app)
        with Store(db) as other:
            for entry in other.entries_for_link(discord):
                assert entry.id is not None
                other.set_read(entry.id, False)
        assert copies(db, discord) == [False, False]
        await pilot.press("L")
        await settle(pilot)
        assert DISCORD in header_text(app)
        assert copies(db, discord) == [True, True]

        # A link hint in the lead article's text: the ICE story.
        await pilot.press("H")
        await settle(pilot)
        number = next(i + 1 for i, link in enumerate(related.links) if link.url == ice)
        assert copies(db, ice) == [False, False]
        pane = app.query_one(ReadingPane)
        pane.article_view.focus()
        for _ in range(40):
            await pilot.press("g")
            await settle(pilot)
            if pane.hint_box.display:
                break
            await pilot.press("space")
            await settle(pilot)
        await pilot.press(*str(number), "enter")
        await settle(pilot)
        assert ICE in header_text(app)
        assert copies(db, ice) == [True, True]
    store.close()


def test_entries_for_link_finds_every_copy_by_canonical_link(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from reader.models import Entry, ParsedFeed

    with Store(tmp_path / "db") as store:
        for url in ("https://a.example/feed", "https://b.example/feed"):
            feed, _ = store.add_feed(url)
            link = "https://news.example/story?id=1"
            if url.startswith("https://b"):
                link = "http://www.news.example/story/?utm_source=rss&id=1#top"
            parsed = ParsedFeed(
                title=url,
                entries=[Entry(key=url, title="Story", link=link, published=datetime.now(UTC))],
            )
            store.apply_update(feed.id, parsed)
        found = store.entries_for_link("https://news.example/story?id=1&utm_medium=x")
        assert [e.title for e in found] == ["Story", "Story"]
        assert store.entries_for_link("https://news.example/other") == []
        assert store.entries_for_link("mailto:someone@example.org") == []
