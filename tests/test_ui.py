"""Pilot tests: the real app, a real store in tmp_path, feeds from a loopback server."""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets import Markdown

from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.entry_list import EntryList
from reader.ui.widgets.feed_list import FeedList
from reader.ui.widgets.outline import Outline
from reader.ui.widgets.related_links import RelatedLinks
from tests.server import FixtureServer, Route
from tests.uitools import HEADINGS, LEAD, make_app, screen_text, settle, subscribe, whole_help

DECK = (
    "SSA workers told to share appointment details with ICE agents. A fundamental shift in how "
    "government agencies operate—and what it means for public trust."
)
RELATED = [
    "Discord defaults every user to teen mode",
    "Smart glasses banned at Meta CEO's trial",
    "Meta weighed facial recognition for Ray-Ban glasses",
    "Doppelgänger matches faces to creators",
]


async def open_lead(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("enter")  # feed -> entries
    await settle(pilot)
    await pilot.press("enter")  # entry -> article
    await settle(pilot)


async def test_reads_lead_article_with_outline_and_related(
    server: FixtureServer, data_dir: Path
) -> None:
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("atom-full.xml"))
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feeds = app.query_one(FeedList)
        assert app.focused is feeds
        # The first feed is selected (the virtual lists above it are not).
        first_feed = next(row for row in feeds.option_rows if row.kind == "feed")
        assert feeds.current == first_feed
        assert feeds.current_feed is not None
        assert feeds.current_feed.title == "Signal Desk (full text)"
        await open_lead(pilot)

        entries = app.query_one(EntryList)
        assert entries.entries[0].title == LEAD
        header = str(app.query_one("#article-header").render())
        assert LEAD in header and DECK in header
        outline = app.query_one(Outline)
        assert [text for _, text, _ in outline.headings] == HEADINGS
        related = app.query_one(RelatedLinks)
        assert [link.title for link in related.links[:4]] == RELATED
        assert related.links[0].url == server.url("articles/discord-teen-mode.html")
        assert all(link.kind == "related" for link in related.links[:4])

        # Jump to "The Trust Equation" from the outline.
        article = app.query_one(ArticleView)
        assert article.scroll_y == 0
        outline.focus()
        await pilot.pause()
        outline.highlighted = 2
        await pilot.press("enter")
        await settle(pilot)
        body = app.query_one(Markdown)
        block = body.query_one(f"#{outline.headings[2][2]}")
        assert article.scroll_y > 0
        # The heading is now at the top of the article pane (its margin aside).
        assert article.region.y < block.region.y <= article.region.y + 4
        assert "The Trust Equation" in screen_text(app)

        lead = entries.entries[0]
        assert lead.id is not None
    store.close()

    # Quit, restart on the same data: the entry is still read.
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        entries = app.query_one(EntryList)
        assert entries.entries[0].title == LEAD
        assert entries.entries[0].read is True
        assert entries.entries[1].read is False
    store.close()


async def test_sample_feed_offline_when_no_subscriptions(data_dir: Path) -> None:
    store, app = make_app(data_dir / "newsreader.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feeds = app.query_one(FeedList)
        assert len(feeds.feeds) == 1 and feeds.feeds[0].is_sample
        await open_lead(pilot)
        header = str(app.query_one("#article-header").render())
        assert LEAD in header
        assert [t for _, t, _ in app.query_one(Outline).headings] == HEADINGS
        assert [link.title for link in app.query_one(RelatedLinks).links[:4]] == RELATED
        assert "sample" in screen_text(app)
    store.close()


async def test_sample_hidden_once_user_has_feeds(server: FixtureServer, data_dir: Path) -> None:
    db = data_dir / "newsreader.db"
    store, app = make_app(db)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.query_one(FeedList).feeds[0].is_sample
    store.close()
    await subscribe(db, server.url("feed.xml"))
    store, app = make_app(db)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert [f.is_sample for f in app.query_one(FeedList).feeds] == [False]
    store.close()
    store, app = make_app(db, show_sample=True)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert sorted(f.is_sample for f in app.query_one(FeedList).feeds) == [False, True]
    store.close()


async def test_keys_mark_star_next_unread(server: FixtureServer, data_dir: Path) -> None:
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("feed.xml"), server.url("atom-full.xml"))
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        entries = app.query_one(EntryList)
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused is entries
        # m toggles read on the highlighted entry, s stars it.
        await pilot.press("m")
        await settle(pilot)
        assert entries.entries[0].read is True
        await pilot.press("m")
        await settle(pilot)
        assert entries.entries[0].read is False
        await pilot.press("s")
        await settle(pilot)
        assert entries.entries[0].starred is True
        # n opens the next unread entry and marks it read.
        await pilot.press("n")
        await settle(pilot)
        opened = [e for e in entries.entries if e.read]
        assert len(opened) == 1
        feed_unread = app.query_one(FeedList).current_feed
        assert feed_unread is not None and feed_unread.unread == 5
    store.close()

    # State survives a restart and a re-fetch of the feeds.
    await subscribe(db, server.url("feed.xml"), server.url("atom-full.xml"))
    with Store(db) as store:
        feeds = {f.url: f for f in store.list_feeds()}
        entries_now = store.list_entries(feeds[server.url("atom-full.xml")].id)
        # One story was read: its copy in the other feed (same link) is read too.
        assert sum(e.read for e in entries_now) == 1
        assert sum(e.read for e in store.list_entries(feeds[server.url("feed.xml")].id)) == 1
        starred = [e for f in feeds.values() for e in store.list_entries(f.id) if e.starred]
        assert len(starred) == 1


async def test_refresh_all_shows_per_feed_errors(server: FixtureServer, data_dir: Path) -> None:
    server.add_route("gone.xml", Route(status=404, body=b"nope", content_type="text/plain"))
    db = data_dir / "newsreader.db"
    with Store(db) as store:
        store.add_feed(server.url("gone.xml"))
        store.add_feed(server.url("atom-full.xml"))
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        text = screen_text(app)
        assert "HTTP 404" in text
        assert "Refreshed 2 feeds" in text
        feeds = {f.url: f for f in app.query_one(FeedList).feeds}
        assert feeds[server.url("atom-full.xml")].unread == 6
        assert feeds[server.url("gone.xml")].last_error == "HTTP 404 Not Found"
    store.close()


async def test_help_lists_bindings(data_dir: Path) -> None:
    store, app = make_app(data_dir / "newsreader.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = await whole_help(pilot)
        for words in ("Refresh all feeds", "Next unread", "Read", "Star", "Open", "Quit"):
            assert words in text
        await pilot.press("escape")
        await pilot.pause()
        assert "Refresh all feeds" not in screen_text(app)
    store.close()


async def test_hostile_titles_are_inert(server: FixtureServer, data_dir: Path) -> None:
    hostile = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>[b]Evil[/b] feed</title>'
        b"<item><title>[link=file:///etc/passwd]x[/link] $title \x1b[2J &#x1b;]52;c;aGk=&#x07;"
        b"</title><guid>1</guid><description>[@click=app.quit]boom[/]</description></item>"
        b"</channel></rss>"
    )
    server.add_route("evil.xml", Route(body=hostile))
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("evil.xml"))
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_lead(pilot)
        text = screen_text(app)
        assert "[b]Evil[/b] feed" in text
        assert "[link=file:///etc/passwd]x[/link] $title" in text
        assert "\x1b" not in text and "\x07" not in text
        assert app.is_running
        # The command palette lists feeds by name: still literal text there.
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"evil")
        await pilot.pause(0.5)
        assert "[b]Evil[/b] feed" in screen_text(app)
    store.close()


async def test_reopens_where_the_reader_left(server: FixtureServer, data_dir: Path) -> None:
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("feed.xml"), server.url("atom-full.xml"))
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feeds = app.query_one(FeedList)
        feeds.select_feed(next(f.id for f in feeds.feeds if "full text" in f.title))
        await settle(pilot)
        await pilot.press("enter", "enter")  # the lead entry of the Atom feed
        await settle(pilot)
        opened = app.query_one(EntryList).current_entry
        assert opened is not None
        article = app.query_one(ArticleView)
        article.scroll_to(y=12, animate=False, immediate=True)
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    store.close()

    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feeds = app.query_one(FeedList)
        assert feeds.current_feed is not None and "full text" in feeds.current_feed.title
        assert app.query_one(EntryList).current_entry == opened
        assert opened.title in str(app.query_one("#article-header").render())
        assert app.query_one(ArticleView).scroll_y == 12
    store.close()


async def test_palette_goes_to_feeds_and_theme_is_remembered(
    server: FixtureServer, data_dir: Path
) -> None:
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("feed.xml"), server.url("atom-full.xml"))
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feeds = app.query_one(FeedList)
        assert feeds.current_feed is not None and feeds.current_feed.title == "Signal Desk"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"go to feed full text")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert feeds.current_feed is not None
        assert feeds.current_feed.title == "Signal Desk (full text)"
        app.theme = "nord"
        await pilot.pause()
    store.close()
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "nord"
    store.close()


async def test_find_in_article(server: FixtureServer, data_dir: Path) -> None:
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("atom-full.xml"))
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_lead(pilot)
        article = app.query_one(ArticleView)
        await pilot.press("ctrl+f")
        await pilot.press(*"dudek")
        await settle(pilot)
        text = screen_text(app)
        assert "Match 1 of 3" in text  # three paragraphs quote Leland Dudek
        first = article.scroll_y
        assert first > 0
        await pilot.press("down")
        await settle(pilot)
        assert "Match 2 of 3" in screen_text(app)
        assert article.scroll_y > first
        await pilot.press("up", "up")
        await settle(pilot)
        assert "Match 3 of 3" in screen_text(app)  # wraps around
        await pilot.press("escape")
        await settle(pilot)
        assert not app.query_one("#find").display
        assert not article.query(".-found")
        assert "Match" not in screen_text(app)  # nor the status line's count of them
    store.close()


async def test_keys_remapped_in_the_config_apply_and_show(data_dir: Path) -> None:
    (data_dir / "config.toml").write_text('[keys]\nnext-unread = "x"\nsearch = "slash,ctrl+k"\n')
    from reader.config import load_settings

    settings = load_settings(data_dir / "config.toml")
    store = Store(data_dir / "newsreader.db")
    app = NewsReaderApp(store, settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("x")  # next unread, on its new key
        await settle(pilot)
        assert "When Social Security" in str(app.query_one("#article-header").render())
        footer = screen_text(app).splitlines()[-1]
        assert "x Next unread" in footer
        await pilot.press("question_mark")
        await pilot.pause()
        help_text = await whole_help(pilot)
        assert re.search(r"\bx {2,}Next unread", help_text)
        assert "/ ctrl+k" in help_text
    store.close()


async def test_long_article_is_drawn_whole_with_every_heading(
    server: FixtureServer, data_dir: Path
) -> None:
    """A long article mounts in two steps; the result is the whole article and outline."""
    sections = "".join(
        f"<h2>Section {n}</h2>"
        + "".join(f"<p>Paragraph {n}.{k} " + "words " * 80 + "</p>" for k in range(4))
        for n in range(20)
    )
    feed = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Long</title>'
        '<id>l</id><entry><id>e</id><title>A long read</title><content type="html">'
        + sections.replace("<", "&lt;")
        + "</content></entry></feed>"
    ).encode()
    server.add_route("long.xml", Route(body=feed))
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("long.xml"))
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_lead(pilot)
        await settle(pilot)
        outline = app.query_one(Outline)
        assert [t for _, t, _ in outline.headings] == [f"Section {n}" for n in range(20)]
        body = app.query_one(Markdown)
        assert body.source.count("Paragraph") == 80
        # Markdown escapes the dots; every paragraph keeps its blank line before it.
        assert body.source.count("\n\nParagraph ") == 80
    store.close()


async def test_refresh_all_of_many_feeds_from_the_tui(
    server: FixtureServer, data_dir: Path
) -> None:
    """Enough feeds for the parsing worker processes, started under Textual's streams."""
    body = server.file_body("feed.xml")
    assert body is not None
    db = data_dir / "newsreader.db"
    with Store(db) as store:
        for i in range(10):
            server.add_route(f"many{i}.xml", Route(body=body))
            store.add_feed(server.url(f"many{i}.xml"))
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert "Refreshed 10 feeds: 60 new entries" in screen_text(app)
        assert sum(server.requests[f"/many{i}.xml"] for i in range(10)) == 10
    store.close()
