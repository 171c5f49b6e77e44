"""Reader mode in the TUI: a cached page opens in one step, a long article mounts in slices,
the mouse's back / forward buttons walk the history, links that are not web pages are never
fetched (copied, or handed to the desktop's app), and the footer is rebuilt only when its
keys change."""

from __future__ import annotations

import gc
import itertools
import stat
import sys
from html import escape
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from textual import events
from textual._xterm_parser import XTermParser
from textual.message import Message
from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownBlock

from reader.article.extract import extract_article
from reader.article.render import render_article
from reader.config import Settings
from reader.models import Article
from reader.service import FeedService
from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.messages import ArticleReady
from reader.ui.mouse import read_extra_buttons
from reader.ui.widgets.article_view import ArticleBody, ArticleView, parse_markdown
from reader.ui.widgets.entry_list import EntryList
from reader.ui.widgets.footer import ReaderFooter
from reader.ui.widgets.outline import Outline
from reader.ui.widgets.reading_pane import ReadingPane
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

LEAD_PAGE = "articles/ssa-ice-appointments.html"


class Seen:
    """Every message of the given types the app handled, once each (they bubble)."""

    def __init__(self, *types: type[Message]) -> None:
        self.types = types
        self.messages: list[Message] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, self.types) and all(m is not message for m in self.messages):
            self.messages.append(message)


def header_text(app: NewsReaderApp) -> str:
    return str(app.query_one("#article-header").render())


# -- a cached page in one step ------------------------------------------------------------


async def test_cached_page_opens_in_one_step_and_uncached_shows_the_summary_first(
    server: FixtureServer, data_dir: Path
) -> None:
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("feed.xml"))
    with Store(db) as store:
        cached = await FeedService(store, Settings(timeout=2.0)).read_page(server.url(LEAD_PAGE))
        assert cached.article is not None
    assert server.requests["/" + LEAD_PAGE] == 1

    seen = Seen(ArticleReady)
    store = Store(db)
    app = NewsReaderApp(store, Settings(timeout=2.0))
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        steps = [(m.article.source, m.from_cache, m.fetch_page) for m in seen.messages]  # type: ignore[attr-defined]
        assert steps == [("page", True, False)]  # no summary drawn first
        assert LEAD in header_text(app)
        assert outline_texts(app) == HEADINGS
        assert app.query_one(ArticleView).border_subtitle == "full article · cached"
        assert server.requests["/" + LEAD_PAGE] == 1  # from the cache
        entries = app.query_one(EntryList)
        assert entries.entries[0].read is True  # marked read once it was on screen

        # Not cached: the feed's summary at once (loading), then the page.
        seen.messages.clear()
        entries.focus()
        await pilot.press("down", "enter")
        await settle(pilot)
        steps = [(m.article.source, m.from_cache, m.fetch_page) for m in seen.messages]  # type: ignore[attr-defined]
        assert steps == [("feed", False, True), ("page", False, False)]
        assert outline_texts(app) == ["What changes", "Why it matters"]
        assert entries.entries[1].read is True
    store.close()


# -- long articles ----------------------------------------------------------------------


def long_feed(sections: int = 20, paragraphs: int = 4, words: int = 80) -> bytes:
    body = "".join(
        f"<h2>Section {n}</h2>"
        + "".join(f"<p>Paragraph {n}.{k} " + "words " * words + "</p>" for k in range(paragraphs))
        for n in range(sections)
    )
    return (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Long</title>'
        '<id>l</id><entry><id>e</id><title>A long read</title><content type="html">'
        + body.replace("<", "&lt;")
        + "</content></entry></feed>"
    ).encode()


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)], ids=str)
async def test_the_first_slice_fills_the_pane_and_no_more(
    server: FixtureServer,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
) -> None:
    """What the first frame mounts reaches the bottom of the pane (at its reading size,
    which the panes only take in that same frame), and is far from the whole article."""
    monkeypatch.setattr(ArticleBody, "_mount_rest", lambda self, generation: None)
    server.add_route("long.xml", Route(body=long_feed()))
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("long.xml"))
    with Store(db) as store:
        app = NewsReaderApp(store, Settings(timeout=2.0))
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press("enter", "enter")
            await settle(pilot)
            view = app.query_one(ArticleView)
            body = view.body
            assert 0 < len(body.children) < 20  # of 100 blocks
            assert body.virtual_region.bottom >= view.scrollable_content_region.height


async def test_long_article_mounts_in_slices_and_jumps_ahead_of_them(
    server: FixtureServer, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outline is whole at once; a heading chosen before its slice is mounted is
    scrolled to when it is; each later slice is mounted after a frame."""
    monkeypatch.setattr(ArticleBody, "SLICE_CHARS", 1)  # one block per frame
    server.add_route("long.xml", Route(body=long_feed()))
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("long.xml"))
    seen = Seen(ArticleBody.SliceMounted)
    store = Store(db)
    app = NewsReaderApp(store, Settings(timeout=2.0))
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await settle(pilot)
        await pilot.press("enter", "enter")
        outline = app.query_one(Outline)
        for _ in range(200):
            if outline.option_count:
                break
            await pilot.pause()
        view = app.query_one(ArticleView)
        body = view.body
        assert [t for _, t, _ in outline.headings] == [f"Section {n}" for n in range(20)]
        assert not body.complete  # the outline came with the first slice
        mounted = len(body.children)
        assert 0 < mounted < 100

        outline.focus()
        outline.highlighted = 18
        await pilot.press("enter")
        await settle(pilot)
        assert body.complete
        assert len(body.children) == 100  # 20 headings, 80 paragraphs
        assert len(seen.messages) >= 100 - mounted
        assert body.source.count("\n\nParagraph ") == 80
        heading = body.query_one(f"#{outline.headings[18][2]}")
        assert view.scroll_y > 0
        assert view.region.y < heading.region.y <= view.region.y + 4
        where = view.scroll_y
        await pilot.press("q")
        await pilot.pause()
    store.close()

    # Reopened where it was left, although that part is mounted slices later.
    store = Store(db)
    app = NewsReaderApp(store, Settings(timeout=2.0))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        view = app.query_one(ArticleView)
        assert "A long read" in header_text(app)
        assert view.body.complete
        assert view.scroll_y == where
    store.close()


async def test_many_short_blocks_mount_a_few_dozen_a_frame_with_the_collector_held(
    server: FixtureServer, data_dir: Path
) -> None:
    """An article of 100 short blocks (far under SLICE_CHARS) is still cut into slices of at
    most SLICE_BLOCKS: each block costs its frame to mount and style. Automatic garbage
    collection is off from Enter until the article is whole, and on again after it."""
    server.add_route("short.xml", Route(body=long_feed(words=3)))
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("short.xml"))
    slices: list[tuple[int, bool]] = []  # blocks mounted, collector on, at each slice

    def hook(message: Message) -> None:
        if isinstance(message, ArticleBody.SliceMounted) and message._sender is not None:
            body = app.query_one(ArticleBody)
            if not slices or slices[-1][0] != len(body.children):
                slices.append((len(body.children), gc.isenabled()))

    store = Store(db)
    app = NewsReaderApp(store, Settings(timeout=2.0))
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await settle(pilot)
        assert gc.isenabled()
        await pilot.press("enter", "enter")
        await settle(pilot)
        body = app.query_one(ArticleView).body
        assert body.complete and len(body.children) == 100
        assert len(body.source) < ArticleBody.SLICE_CHARS  # the block count cuts, not size
        counts = [count for count, _ in slices]
        assert counts[-1] == 100 and len(counts) >= 3
        assert all(0 < b - a <= ArticleBody.SLICE_BLOCKS for a, b in itertools.pairwise(counts))
        assert not any(on for _, on in slices)  # held while the article was mounted
        for _ in range(20):
            if gc.isenabled():
                break
            await pilot.pause()
        assert gc.isenabled()  # and on again, well before HOLD_SECONDS
    store.close()


def test_markdown_parsed_without_linkify_is_parsed_the_same() -> None:
    """The article's Markdown escapes every punctuation mark, so linkify (off in
    `parse_markdown`, for speed) never finds a link in it: the tokens are identical."""
    page = (Path(__file__).parent / "fixtures" / "seed-site" / LEAD_PAGE).read_bytes()
    url = "https://signal.example/" + LEAD_PAGE
    lead = extract_article(page.replace(b"__BASE__", b"https://signal.example"), url)
    links = Article(
        url=url,
        title="Links in text",
        body_html="<p>See www.example.com, https://x.example/a?b=c, mail desk@example.org or "
        'ftp://files.example/f. And <a href="mailto:a@b.example">write</a>.</p>',
    )
    for article in (lead, links):
        markdown = render_article(article).markdown
        assert parse_markdown(markdown) == MarkdownIt("gfm-like").parse(markdown)
    # The check can fail: unescaped text does differ.
    assert parse_markdown("www.example.com") != MarkdownIt("gfm-like").parse("www.example.com")


# -- mouse back / forward -----------------------------------------------------------------


def terminal_sends(app: NewsReaderApp, data: str) -> None:
    """Input bytes through Textual's parser and driver, as a terminal's would arrive."""
    parser = XTermParser()
    for event in parser.feed(data):
        app._driver.process_message(event)  # type: ignore[union-attr]


def test_parser_reports_buttons_8_and_9() -> None:
    read_extra_buttons()
    parsed = list(XTermParser().feed("\x1b[<128;5;3M\x1b[<128;5;3m\x1b[<129;5;3M\x1b[<0;5;3M"))
    kinds = [(type(event).__name__, event.button) for event in parsed]  # type: ignore[attr-defined]
    assert kinds == [("MouseDown", 8), ("MouseUp", 8), ("MouseDown", 9), ("MouseDown", 1)]
    wheel = next(iter(XTermParser().feed("\x1b[<64;5;3M")))
    assert isinstance(wheel, events.MouseScrollUp)


async def test_mouse_back_and_forward_buttons_walk_the_history(
    server: FixtureServer, data_dir: Path
) -> None:
    async with reading_first_entry(data_dir, server.url("feed.xml")) as (app, pilot):
        related = app.query_one(RelatedLinks)
        related.focus()
        related.highlighted = 0
        await pilot.press("enter")
        await settle(pilot)
        assert "Discord defaults every user to teen mode" in header_text(app)
        # Over the article's title: read as a left or middle click there, nothing happens.
        title = app.query_one("#article-header").region
        at = f"{title.x + 3};{title.y + 1}"
        history = app.query_one(ReadingPane).history
        terminal_sends(app, f"\x1b[<128;{at}M\x1b[<128;{at}m")
        await settle(pilot)
        assert LEAD in header_text(app)
        assert outline_texts(app) == HEADINGS
        assert history.can_go_forward and not history.can_go_back
        terminal_sends(app, f"\x1b[<129;{at}M\x1b[<129;{at}m")
        await settle(pilot)
        assert "Discord defaults every user to teen mode" in header_text(app)
        assert outline_texts(app) == ["What changes", "Why it matters"]
        assert history.can_go_back and not history.can_go_forward
        assert server.requests["/articles/discord-teen-mode.html"] == 1


# -- links that are not web pages ---------------------------------------------------------


def contact_feed(server: FixtureServer) -> None:
    """A feed whose entry's own content links to mail, phone and FTP targets (the FTP one
    points at the loopback server itself, so fetching it would show in its log). Pages in
    reader mode lose such links at extraction (only http(s) URLs are kept there)."""
    ftp = server.base.replace("http://", "ftp://") + "/articles/discord-teen-mode.html"
    filler = "Nothing you send is shared with anyone outside the newsroom. " * 20
    content = (
        "<p>Tips are how this desk learns what agencies would rather keep quiet. Write to "
        '<a href="mailto:desk@signal.example">the desk</a>, call '
        '<a href="tel:+15550100">the tip line</a>, or fetch '
        f'<a href="{ftp}">the document archive</a>.</p><p>{filler}</p>'
    )
    feed = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Desk</title>'
        "<id>desk</id><entry><id>c1</id><title>Contact the desk</title>"
        f'<link href="{server.url("contact.html")}"/>'
        f'<content type="html">{escape(content)}</content></entry></feed>'
    ).encode()
    server.add_route("desk.xml", Route(body=feed))


async def test_links_that_are_not_web_pages_are_never_fetched(
    server: FixtureServer,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The desktop's opener, recording what it was given.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    opener = bin_dir / ("open" if sys.platform == "darwin" else "xdg-open")
    opened = tmp_path / "opened.txt"
    opener.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{opened}'\n")
    opener.chmod(opener.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")

    contact_feed(server)
    async with reading_first_entry(data_dir, server.url("desk.xml")) as (app, pilot):
        assert "Contact the desk" in header_text(app)
        related = app.query_one(RelatedLinks)
        assert [link.url for link in related.links] == [
            "mailto:desk@signal.example",
            "tel:+15550100",
            server.base.replace("http://", "ftp://") + "/articles/discord-teen-mode.html",
        ]
        requests = dict(server.requests)

        # Enter on each in the links pane: a message, the clipboard, no fetch, no history.
        related.focus()
        for index, link in enumerate(related.links):
            related.highlighted = related.get_option_index(str(index))
            await pilot.press("enter")
            await settle(pilot)
            status = screen_text(app)
            assert "Not an http(s) link, so not read here: copied; o opens it" in status
            assert app.clipboard == link.url
            assert "Contact the desk" in header_text(app)
        assert dict(server.requests) == requests
        assert server.requests["/articles/discord-teen-mode.html"] == 0
        assert not app.query_one(ReadingPane).history.can_go_back

        # A click on the phone link in the text: the same; y copies it, o opens it.
        view = app.query_one(ArticleView)
        view.focus()
        view.body.post_message(Markdown.LinkClicked(view.body, "tel:+15550100"))
        await settle(pilot)
        assert "tel:+15550100" in screen_text(app)
        app.copy_to_clipboard("something else")
        await pilot.press("y")
        assert app.clipboard == "tel:+15550100"
        await pilot.press("o")
        await settle(pilot)
        assert opened.read_text() == "tel:+15550100\n"
        assert dict(server.requests) == requests


# -- the footer ---------------------------------------------------------------------------


async def test_footer_is_rebuilt_only_when_its_keys_change(data_dir: Path) -> None:
    store = Store(data_dir / "newsreader.db")
    app = NewsReaderApp(store, Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        footer = app.query_one(ReaderFooter)
        keys = list(footer.children)
        assert keys
        await pilot.press("tab", "tab")  # feeds -> entries -> article: the same keys
        await settle(pilot)
        assert list(footer.children) == keys
        app.set_keymap({"refresh-feed": "x"})
        await settle(pilot)
        assert list(footer.children) != keys
        assert "x Refresh" in screen_text(app).splitlines()[-1]
    store.close()


async def test_focus_changes_restyle_the_pane_not_the_article_in_it(
    server: FixtureServer, data_dir: Path
) -> None:
    """Textual restyles a focused widget's every descendant; a long article made that a
    freeze of about 200 ms on each Tab. The pane's border still follows the focus."""
    server.add_route("long.xml", Route(body=long_feed()))
    async with reading_first_entry(data_dir, server.url("long.xml")) as (app, pilot):
        view = app.query_one(ArticleView)
        assert view.body.complete and app.focused is view
        restyled: list[object] = []
        update_nodes = app.stylesheet.update_nodes

        def recording(nodes, animate=False):  # type: ignore[no-untyped-def]
            nodes = list(nodes)
            restyled.extend(nodes)
            update_nodes(nodes, animate=animate)

        app.stylesheet.update_nodes = recording  # type: ignore[method-assign]
        focused_border = view.styles.border_top
        await pilot.press("escape")  # to the entries pane
        await settle(pilot)
        assert app.focused is app.query_one(EntryList)
        assert view.styles.border_top != focused_border
        view.focus()
        await settle(pilot)
        assert view.styles.border_top == focused_border
        assert view in restyled
        assert not [node for node in restyled if isinstance(node, MarkdownBlock)]


async def test_narrow_screen_folds_the_feeds_pane_while_reading(
    server: FixtureServer, data_dir: Path
) -> None:
    """`-reading` is only set on a narrow screen (a class change on the screen restyles
    every widget, so a wide screen, where it changes nothing, never gets it)."""
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("feed.xml"))
    store = Store(db)
    app = NewsReaderApp(store, Settings(timeout=2.0))
    async with app.run_test(size=(90, 30)) as pilot:
        await settle(pilot)
        feeds = app.query_one("#feeds")
        assert feeds.display
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert app.focused is app.query_one(ArticleView)
        assert app.screen.has_class("-narrow", "-reading")
        assert not feeds.display
        await pilot.press("escape")
        await settle(pilot)
        assert feeds.display and not app.screen.has_class("-reading")
        await pilot.resize_terminal(120, 40)
        app.query_one(ArticleView).focus()
        await settle(pilot)
        assert not app.screen.has_class("-narrow") and not app.screen.has_class("-reading")
        # Wide, the feeds pane gives way to the article too, and is back with the entries.
        assert not feeds.display
        await pilot.press("escape")
        await settle(pilot)
        assert feeds.display
    store.close()
