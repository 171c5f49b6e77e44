"""The reading layout: the article is the widest pane whenever one is shown.

Measured on the real app with the lead article open: the columns of article text (the
Markdown body's content width) against the screen's width, at the sizes people use.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widget import Widget

from reader.config import Settings
from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.layout import arrange
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.entries_pane import EntriesPane
from reader.ui.widgets.entry_list import EntryList
from reader.ui.widgets.feed_list import FeedList
from reader.ui.widgets.outline import Outline
from reader.ui.widgets.related_links import RelatedLinks
from tests.server import FixtureServer
from tests.uitools import LEAD, screen_text, settle, subscribe

LEAST_TEXT = {80: 70, 100: 55, 120: 72, 200: 120}
"""Screen width -> the fewest columns of article text (70 at 80; 55 %, 60 % wider)."""


def text_width(app: NewsReaderApp) -> int:
    return app.query_one("#article-body").content_region.width


def shown_width(widget: Widget) -> int:
    return widget.outer_size.width if widget.display and widget.parent.display else 0  # type: ignore[union-attr]


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40), (200, 60)])
async def test_the_article_is_the_widest_pane(
    server: FixtureServer, data_dir: Path, size: tuple[int, int]
) -> None:
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("atom-full.xml"))
    width, _ = size
    with Store(db) as store:
        app = NewsReaderApp(store, Settings(timeout=2.0))
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press("enter", "enter")
            await settle(pilot)
            view = app.query_one(ArticleView)
            assert app.focused is view
            assert text_width(app) >= LEAST_TEXT[width], text_width(app)
            # Wider than every pane beside it (the entries pane spans the top, over it).
            beside = [app.query_one(t) for t in (FeedList, Outline, RelatedLinks)]
            assert all(shown_width(o) < view.outer_size.width for o in beside)
            assert "The Safe Space That Isn't" in screen_text(app)
            # The entries pane takes only the rows it needs (the feed has a few entries).
            entries = app.query_one(EntryList)
            assert entries.outer_size.height <= max(3, entries.option_count + 2)

            # In the entries pane the article keeps its width (no reflow) and its share.
            before = text_width(app)
            await pilot.press("escape")
            await settle(pilot)
            assert app.focused is entries
            if width >= 100:
                assert text_width(app) == before
            feeds = app.query_one(FeedList)
            assert feeds.display  # reachable again with Shift+Tab
            await pilot.press("shift+tab")
            await settle(pilot)
            assert app.focused is feeds
            if width >= 100:
                assert text_width(app) >= LEAST_TEXT[width]


async def test_narrow_screen_after_a_restart_folds_once_the_article_has_focus(
    server: FixtureServer, data_dir: Path
) -> None:
    """A resumed session opens on the feeds pane; the article still gets 70 columns."""
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("atom-full.xml"))
    with Store(db) as store:
        app = NewsReaderApp(store, Settings(timeout=2.0))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("enter", "enter")
            await settle(pilot)
            await app.action_quit()
    with Store(db) as store:
        app = NewsReaderApp(store, Settings(timeout=2.0))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.focused, FeedList)
            assert LEAD in app.query_one("#article-header").render().plain  # type: ignore[union-attr]
            app.query_one(ArticleView).focus()
            await settle(pilot)
            assert text_width(app) >= 70
            # Tab reaches the outline, now under the article.
            await pilot.press("tab")
            await settle(pilot)
            outline = app.query_one(Outline)
            assert app.focused is outline
            assert outline.region.y > app.query_one(ArticleView).region.y


async def test_z_gives_the_article_the_whole_screen_and_back(
    server: FixtureServer, data_dir: Path
) -> None:
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("atom-full.xml"))
    with Store(db) as store:
        app = NewsReaderApp(store, Settings(timeout=2.0))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("enter", "enter")
            await settle(pilot)
            await pilot.press("z")
            await settle(pilot)
            view = app.query_one(ArticleView)
            assert view.outer_size.width == 120
            assert view.outer_size.height >= 40 - 2  # the status line and footer stay
            assert not app.query_one(EntriesPane).display
            text = screen_text(app)
            assert "Outline" not in text and "Entries" not in text
            await pilot.press("z")
            await settle(pilot)
            assert app.query_one(EntriesPane).display
            assert "Outline" in screen_text(app)
            assert app.focused is view


@pytest.mark.parametrize("width", [80, 90, 100, 110, 120, 140, 160, 180, 200, 250])
def test_every_width_leaves_the_article_its_share(width: int) -> None:
    """The arithmetic behind the layout, for widths between the measured ones."""
    need = LEAST_TEXT.get(width) or (0.6 * width if width >= 120 else 0.55 * width)
    if width < 100:
        need = 70
    reading = arrange(width, article_shown=True, focus="reading", zoomed=False)
    assert reading.text_width(width) >= need
    for focus in ("entries", "feeds"):
        other = arrange(width, article_shown=True, focus=focus, zoomed=False)  # type: ignore[arg-type]
        if width >= 100:
            assert other.text_width(width) == reading.text_width(width)
            assert other.feeds
