"""Reader mode end to end: pages fetched from the loopback server, extracted, cached, and
read inside the reader with their outline, related links and back/forward history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.cli import main
from reader.config import Settings
from reader.history import History, Place
from reader.service import FeedService
from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.entry_list import EntryList
from reader.ui.widgets.outline import Outline
from reader.ui.widgets.related_links import RelatedLinks
from tests.server import FixtureServer, Route
from tests.uitools import (
    HEADINGS,
    LEAD,
    outline_texts,
    reading_first_entry,
    screen_text,
    settle,
    subscribe,
)

RELATED = [
    "Discord defaults every user to teen mode",
    "Smart glasses banned at Meta CEO's trial",
    "Meta weighed facial recognition for Ray-Ban glasses",
    "Doppelgänger matches faces to creators",
]


async def test_summary_feed_reads_full_article_and_follows_related(
    server: FixtureServer, data_dir: Path
) -> None:
    async with reading_first_entry(data_dir, server.url("feed.xml")) as (app, pilot):
        view = app.query_one(ArticleView)
        header = str(app.query_one("#article-header").render())
        assert LEAD in header
        assert "SSA workers told to share appointment details" in header  # the deck
        assert "Signal Desk Staff" in header
        assert outline_texts(app) == HEADINGS
        related = app.query_one(RelatedLinks)
        assert [link.title for link in related.links[:4]] == RELATED
        # The related articles are entries of the subscribed feed: shown as unread there.
        assert related.known[server.url("articles/discord-teen-mode.html")] is False
        assert view.border_subtitle.startswith("full article")
        text = screen_text(app)
        assert "Sign in" not in text and "Advertisement" not in text
        assert server.requests["/articles/ssa-ice-appointments.html"] == 1

        # Jump to "The Trust Equation", then read the first related article in place.
        outline = app.query_one(Outline)
        outline.focus()
        outline.highlighted = 2
        await pilot.press("enter")
        await settle(pilot)
        where = view.scroll_y
        assert where > 0
        related.focus()
        related.highlighted = 0
        await pilot.press("enter")
        await settle(pilot)
        assert "Discord defaults every user to teen mode" in str(
            app.query_one("#article-header").render()
        )
        assert outline_texts(app) == ["What changes", "Why it matters"]

        # Back: the lead article, exactly where we were; forward again.
        await pilot.press("H")
        await settle(pilot)
        assert LEAD in str(app.query_one("#article-header").render())
        assert outline_texts(app) == HEADINGS
        assert view.scroll_y == where
        await pilot.press("L")
        await settle(pilot)
        assert outline_texts(app) == ["What changes", "Why it matters"]
        # The lead page came from the cache the second time: fetched once only.
        assert server.requests["/articles/ssa-ice-appointments.html"] == 1


def serve_broken_link(server: FixtureServer) -> None:
    """broken.xml: one entry with a summary, whose page (nowhere.html) is a 404."""
    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken links</title>'
        b"<item><title>Gone page</title><guid>g1</guid>"
        b"<link>" + server.url("nowhere.html").encode() + b"</link>"
        b"<description>The summary is all there is.</description></item>"
        b"</channel></rss>"
    )
    server.add_route("broken.xml", Route(body=feed))


async def test_page_failure_keeps_the_summary(server: FixtureServer, data_dir: Path) -> None:
    serve_broken_link(server)
    async with reading_first_entry(data_dir, server.url("broken.xml")) as (app, _):
        text = screen_text(app)
        assert "The summary is all there is." in text
        assert "Full article unavailable: HTTP 404 Not Found" in text
        assert "full article unavailable" in app.query_one(ArticleView).border_subtitle


async def test_a_restart_reopens_the_last_article_without_fetching_its_page(
    server: FixtureServer, data_dir: Path
) -> None:
    """The article being read when the app quit is shown again at start: a page that could
    not be had is not asked for again (nor its failure announced) until the user opens it."""
    serve_broken_link(server)
    async with reading_first_entry(data_dir, server.url("broken.xml")) as (app, _):
        assert server.requests["/nowhere.html"] == 1
        assert "Full article unavailable: HTTP 404" in screen_text(app)
        await app.action_quit()
    with Store(data_dir / "newsreader.db") as store:
        app = NewsReaderApp(store, Settings(timeout=2.0))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert "The summary is all there is." in screen_text(app)
            assert server.requests["/nowhere.html"] == 1
            assert "unavailable" not in screen_text(app)
            # Opening it from the list is asking again.
            app.query_one(EntryList).focus()
            await pilot.press("enter")
            await settle(pilot)
            assert server.requests["/nowhere.html"] == 2
            assert "Full article unavailable: HTTP 404" in screen_text(app)


async def test_cached_article_reopens_offline(data_dir: Path) -> None:
    db = data_dir / "newsreader.db"
    with FixtureServer() as server:
        await subscribe(db, server.url("feed.xml"))
        with Store(db) as store:
            result = await FeedService(store).read_page(
                server.url("articles/ssa-ice-appointments.html")
            )
            assert result.article is not None and not result.from_cache
            url = server.url("articles/ssa-ice-appointments.html")
    # The server is gone: the page comes from the store.
    with Store(db) as store:
        again = await FeedService(store, Settings(timeout=0.5)).read_page(url)
        assert again.from_cache and again.article is not None
        assert again.article.title == LEAD


async def test_non_http_links_are_never_fetched(data_dir: Path) -> None:
    with Store(data_dir / "n.db") as store:
        for url in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,hi"):
            result = await FeedService(store).read_page(url)
            assert result.article is None and "http" in (result.error or "")


def test_read_command_text_and_json(
    server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.url("articles/ssa-ice-appointments.html")
    assert main(["--data-dir", str(data_dir), "read", url]) == 0
    out = capsys.readouterr().out
    assert out.startswith(LEAD + "\n")
    for heading in HEADINGS:
        assert heading in out
    assert out.index("Discord defaults") > out.index("The Expanding Dragnet")
    assert "Sign in to join the conversation" not in out

    assert main(["--data-dir", str(data_dir), "read", url, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {
        "url",
        "title",
        "deck",
        "byline",
        "published",
        "headings",
        "related",
        "links",
        "images",
        "text",
    }
    assert data["title"] == LEAD
    assert [h["text"] for h in data["headings"]] == HEADINGS
    assert [r["title"] for r in data["related"]] == RELATED
    assert data["related"][0]["url"] == server.url("articles/discord-teen-mode.html")
    assert {
        "text": "secretly leasing offices nationwide",
        "url": server.url("articles/ice-office-leases.html"),
    } in data["links"]
    assert data["published"].startswith("2025-11-21T14:05")

    assert main(["--data-dir", str(data_dir), "read", server.url("missing.html")]) == 1
    assert "HTTP 404" in capsys.readouterr().err


def test_history_back_forward() -> None:
    history = History(limit=3)
    a, b, c = Place("http://a/"), Place("http://b/"), Place("http://c/")
    assert history.back(a) is None
    history.visit(a.at(10))
    history.visit(b)
    assert history.back(c) == b
    assert history.back(b) == a.at(10)
    assert history.forward(a) == b
    history.visit(b)  # a new visit drops what was ahead
    assert not history.can_go_forward
    for n in range(10):
        history.visit(Place(f"http://{n}/"))
    assert len([p for p in iter(lambda: history.back(a), None)]) == 3


def test_page_cache_is_bounded(data_dir: Path) -> None:
    from reader.models import Article

    with Store(data_dir / "n.db") as store:
        for n in range(5):
            store.put_page(f"http://x/{n}", Article(url=f"http://x/{n}", title=str(n)), keep=3)
        assert store.page_count() == 3
        assert store.get_page("http://x/0") is None
        cached = store.get_page("http://x/4")
        assert cached is not None and cached.article.title == "4"
        assert store.prune_pages(1) == 2


def test_images_are_listed_to_open_in_the_browser() -> None:
    from reader.article.render import render_article
    from reader.models import Article

    rendered = render_article(
        Article(
            url="http://x.test/a",
            title="t",
            body_html='<p>Hi</p><figure><img src="/cat.jpg" alt="A cat"><figcaption>Cat'
            '</figcaption></figure><img src="javascript:alert(1)" alt="bad">',
        )
    )
    assert "![A cat](<http://x.test/cat.jpg>)" in rendered.markdown  # drawn in the pane
    assert "🖼 Image\\: bad" in rendered.markdown  # not http(s): its alt text only
    images = [link for link in rendered.body_links if link.kind == "image"]
    assert [(i.url, i.title) for i in images] == [("http://x.test/cat.jpg", "🖼 Image: A cat")]


async def test_links_found_on_public_pages_may_not_reach_private_space(tmp_path: Path) -> None:
    """A public page's related link to 10.x / 127.x is refused; the same URL typed by the
    user (or found on a local page, as in these tests) is fetched."""
    import httpx

    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, html="<html><body><article><h1>x</h1></article></body></html>")

    with Store(tmp_path / "n.db") as store:
        service = FeedService(store, Settings(timeout=2.0), transport=httpx.MockTransport(handler))
        refused = await service.read_page(
            "http://10.0.0.7/admin", found_on="http://93.184.216.34/news.html"
        )
        assert refused.article is None and "local or private" in (refused.error or "")
        assert seen == []
        await service.read_page("http://10.0.0.7/admin", found_on="http://127.0.0.1/feed.xml")
        assert seen == ["http://10.0.0.7/admin"]
