"""Pilot tests for organising: add (with discovery), rename and move, remove, mark all + undo."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, OptionList, Static

from reader.store import Store
from reader.ui.widgets.entry_list import EntryList
from reader.ui.widgets.feed_list import FeedList
from tests.server import FixtureServer
from tests.uitools import make_app, screen_text, settle, subscribe


async def test_add_dialog_offers_both_feeds_of_a_page(
    server: FixtureServer, data_dir: Path
) -> None:
    store, app = make_app(data_dir / "newsreader.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#add-url", Input).value = server.url("index.html")
        app.screen.query_one("#add-folder", Input).value = "News"
        app.screen.query_one("#add-url", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        found = app.screen.query_one("#add-found", OptionList)
        assert found.option_count == 2
        text = screen_text(app)
        assert "Signal Desk (full text)" in text
        assert "When Social Security Becomes Immigration Enforcement" in text  # the preview
        await pilot.press("down", "enter")  # the Atom feed
        await settle(pilot)
        feeds = app.query_one(FeedList)
        assert [f.url for f in feeds.feeds] == [server.url("atom-full.xml")]
        assert feeds.feeds[0].folder == "News"
        assert feeds.feeds[0].unread == 6
        assert feeds.current_feed is not None and feeds.current_feed.url == feeds.feeds[0].url
        # The same page again: reported, not doubled.
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#add-url", Input).value = server.url("atom-full.xml")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert len(app.query_one(FeedList).feeds) == 1
        assert "Already subscribed" in screen_text(app)
    store.close()


async def test_rename_move_and_remove(server: FixtureServer, data_dir: Path) -> None:
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("feed.xml"), server.url("atom-full.xml"))
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feeds = app.query_one(FeedList)
        first = feeds.current_feed
        assert first is not None
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#edit-title", Input).value = "Desk summaries"
        app.screen.query_one("#edit-folder", Input).value = "Politics / US"
        app.screen.query_one("#edit-title", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        renamed = next(f for f in feeds.feeds if f.id == first.id)
        assert renamed.title == "Desk summaries" and renamed.folder == "Politics/US"
        rows = [(r.kind, r.title) for r in feeds.option_rows]
        assert ("folder", "Politics") in rows and ("folder", "US") in rows
        assert "Desk summaries" in screen_text(app)

        # Remove the other feed, after confirming.
        feeds.select_feed(next(f.id for f in feeds.feeds if f.id != first.id))
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("n")  # no: nothing happens
        await settle(pilot)
        assert len(feeds.feeds) == 2
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert [f.id for f in feeds.feeds] == [first.id]
    store.close()
    with Store(db) as store:
        assert len(store.list_feeds()) == 1
        assert store.unread_count() == 6


async def test_mark_all_read_and_undo(server: FixtureServer, data_dir: Path) -> None:
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("atom-full.xml"))
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # to the entries
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        entries = app.query_one(EntryList)
        assert all(e.read for e in entries.entries)
        assert app.query_one(FeedList).current_feed.unread == 0  # type: ignore[union-attr]
        await pilot.press("u")
        await settle(pilot)
        assert not any(e.read for e in entries.entries)
        assert app.query_one(FeedList).current_feed.unread == 6  # type: ignore[union-attr]
        # Unread only: reading one entry and reloading hides it.
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("U")
        await settle(pilot)
        assert len(entries.entries) == 5
    store.close()


async def test_virtual_lists(server: FixtureServer, data_dir: Path) -> None:
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("feed.xml"), server.url("atom-full.xml"))
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feeds = app.query_one(FeedList)
        titles = [r.title for r in feeds.option_rows[:3]]
        assert titles == ["All unread", "Starred", "Recently read"]
        await pilot.press("enter", "s")  # star the first entry of the first feed
        await settle(pilot)
        feeds.focus()
        feeds.highlighted = 0  # All unread
        await settle(pilot)
        entries = app.query_one(EntryList)
        # Both feeds carry the same six stories: each is listed once, "also in" the other.
        assert len(entries.entries) == 6
        assert all(e.also_in for e in entries.entries)
        # Each row: the title first, then a short feed column, the other copies as +1.
        row = next(line for line in screen_text(app).splitlines() if "Smart glasses" in line)
        assert row.index("Smart glasses") < row.index("Signal Desk") < row.index("+1")
        assert entries.many_feeds
        # Starring a story in All unread keeps its "also in". (The second row: the first
        # story was starred above, in one feed, and which feed's copy the merged list shows
        # depends on which feed was stored first.)
        entries.focus()
        await pilot.press("down", "s")
        await settle(pilot)
        assert entries.entries[1].starred and entries.entries[1].also_in
        feeds.highlighted = 1  # Starred: both stories, each once
        await settle(pilot)
        assert len(entries.entries) == 2
    store.close()


async def test_quick_filters(server: FixtureServer, data_dir: Path) -> None:
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("atom-full.xml"))
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        entries = app.query_one(EntryList)
        await pilot.press("backslash", *"meta")
        await pilot.pause()
        assert [e.title for e in entries.entries] == [
            "Smart glasses banned at Meta CEO's trial",
            "Meta weighed facial recognition for Ray-Ban glasses",
        ]
        await pilot.press("enter", "s")  # star the highlighted one
        await settle(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert len(entries.entries) == 6
        await pilot.press("S")
        await pilot.pause()
        assert [e.title for e in entries.entries] == ["Smart glasses banned at Meta CEO's trial"]
        await pilot.press("S", "T")  # today: the 2025 fixtures are all older
        await pilot.pause()
        assert entries.entries == []
        await pilot.press("escape")
        await pilot.pause()
        assert len(entries.entries) == 6
        await pilot.press("backslash", *"@nobody")
        await pilot.pause()
        assert entries.entries == []
    store.close()


async def test_the_article_header_names_the_other_feeds(
    server: FixtureServer, data_dir: Path
) -> None:
    """The lists show a story in two feeds as `+1`; the article names the other feed."""
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("feed.xml"), server.url("atom-full.xml"))
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "enter")  # the first feed's first entry
        await settle(pilot)
        header = app.query_one("#article-header", Static).render()
        assert "(also in " in str(header)
        titles = {f.title for f in store.list_feeds()}
        shown = str(header)
        assert sum(title in shown for title in titles) == 2, shown
    store.close()
