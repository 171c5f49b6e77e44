"""The reading place: kept by paragraph across a resize; page keys land at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widget import Widget

from reader.config import Settings
from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.widgets.article_view import ArticleView
from tests.server import FixtureServer, Route
from tests.test_reader_ui import long_feed
from tests.uitools import reading_first_entry, settle, subscribe


def wordy_feed(sections: int = 12, paragraphs: int = 4) -> bytes:
    """A long article whose paragraphs (100 words) wrap to a different number of lines at
    every width between 80 and 200 columns."""
    body = "".join(
        f"<h2>Section {n}</h2>"
        + "".join(f"<p>Paragraph {n}.{k} " + "words " * 100 + "</p>" for k in range(paragraphs))
        for n in range(sections)
    )
    return (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Long</title>'
        '<id>l</id><entry><id>e</id><title>A long read</title><content type="html">'
        + body.replace("<", "&lt;")
        + "</content></entry></feed>"
    ).encode()


def block_at_top(view: ArticleView) -> Widget:
    """The article's top-level block drawn on the pane's first row of text."""
    top = view.content_region.y
    for block in view.body.children:
        region = block.region
        if region.height and region.y <= top < region.bottom:
            return block
    raise AssertionError("no block at the top of the pane")


@pytest.mark.parametrize(("start", "lines_into"), [((120, 40), 0), ((120, 40), 3), ((200, 60), 0)])
async def test_resize_keeps_the_paragraph_at_the_top(
    server: FixtureServer, data_dir: Path, start: tuple[int, int], lines_into: int
) -> None:
    server.add_route("long.xml", Route(body=wordy_feed()))
    async with reading_first_entry(data_dir, server.url("long.xml"), start) as (app, pilot):
        view = app.query_one(ArticleView)
        assert view.body.complete and app.focused is view
        target = next(b for b in view.body.children if "Paragraph 7.2" in str(b._content))  # type: ignore[attr-defined]
        view.scroll_to_widget(target, top=True, animate=False, immediate=True)
        await settle(pilot)
        if lines_into:
            view.scroll_to(y=view.scroll_y + lines_into, animate=False, immediate=True)
            await settle(pilot)
        assert block_at_top(view) is target
        offset_before = view.scroll_y

        await pilot.resize_terminal(80, start[1])
        await settle(pilot)
        assert view.scroll_y != offset_before  # the text above reflowed: the offset moved
        assert block_at_top(view) is target
        # And back: still the same paragraph.
        await pilot.resize_terminal(*start)
        await settle(pilot)
        assert block_at_top(view) is target


async def test_page_keys_land_at_once(server: FixtureServer, data_dir: Path) -> None:
    """Space, b, End, Home: the view is where it goes in the next frame, no animation."""
    server.add_route("long.xml", Route(body=long_feed()))
    async with reading_first_entry(data_dir, server.url("long.xml")) as (app, pilot):
        view = app.query_one(ArticleView)
        page = view.scrollable_content_region.height
        for key, target in (
            ("space", lambda: page),
            ("space", lambda: 2 * page),
            ("b", lambda: page),
            ("end", lambda: view.max_scroll_y),
            ("home", lambda: 0),
        ):
            await pilot.press(key)
            assert view.scroll_y == target(), key
        # The same actions without Pilot's waiting: one frame later nothing is moving.
        await app.run_action("page_down", view)
        await view.wait_for_refresh()  # the frame after the key
        assert not app.animator.is_being_animated(view, "scroll_y")
        assert view.scroll_y == page


async def test_page_keys_animate_when_the_setting_says_so(
    server: FixtureServer, data_dir: Path
) -> None:
    server.add_route("long.xml", Route(body=long_feed()))
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("long.xml"))
    with Store(db) as store:
        app = NewsReaderApp(store, Settings(timeout=2.0, animation=True))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("enter", "enter")
            await settle(pilot)
            view = app.query_one(ArticleView)
            await app.run_action("page_down", view)
            await view.wait_for_refresh()  # the frame after the key
            assert app.animator.is_being_animated(view, "scroll_y")
            assert view.scroll_y < view.scrollable_content_region.height
