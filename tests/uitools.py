"""Helpers for Pilot tests: build the real app on a real store, read what the screen shows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from reader.config import Settings
from reader.service import FeedService
from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.widgets.outline import Outline

LEAD = "When Social Security Becomes Immigration Enforcement"
"""The seed site's lead article (EXPECTED.md)."""
HEADINGS = [
    "The Safe Space That Isn't",
    "From Service to Surveillance",
    "The Trust Equation",
    "The Expanding Dragnet",
]
"""Its section headings, in order."""


def make_app(db: Path, **kwargs: object) -> tuple[Store, NewsReaderApp]:
    """The real app on the store at `db` (the caller closes the store)."""
    store = Store(db)
    return store, NewsReaderApp(store, Settings(timeout=2.0), **kwargs)  # type: ignore[arg-type]


def outline_texts(app: NewsReaderApp) -> list[str]:
    """The headings the outline pane lists."""
    return [text for _, text, _ in app.query_one(Outline).headings]


def screen_text(app: NewsReaderApp) -> str:
    """Every line the terminal would show right now, as plain text."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish and the messages they posted be handled."""
    app = pilot.app
    for _ in range(50):
        await pilot.pause()
        pending = [w for w in app.workers if not w.is_finished]
        if not pending:
            await pilot.pause()
            if not [w for w in app.workers if not w.is_finished]:
                return
            continue
        with suppress(WorkerCancelled):  # an exclusive worker replaced by a newer one
            await app.workers.wait_for_complete(pending)
    raise AssertionError("workers did not settle")


async def subscribe(db_path: Path, *urls: str, settings: Settings | None = None) -> None:
    """What `newsreader add URL` + `newsreader refresh` do, through the same service."""
    with Store(db_path) as store:
        feeds = [store.add_feed(url)[0] for url in urls]
        await FeedService(store, settings or Settings(timeout=2.0)).refresh(feeds)


@asynccontextmanager
async def reading_first_entry(
    data_dir: Path, feed_url: str, size: tuple[int, int] = (120, 40)
) -> AsyncIterator[tuple[NewsReaderApp, Pilot[None]]]:
    """Subscribe to `feed_url` in a store in `data_dir`, start the app and open the feed's
    first entry (Enter on the entries pane, Enter to read), as a user would; the store
    closes afterwards."""
    db_path = data_dir / "newsreader.db"
    await subscribe(db_path, feed_url)
    with Store(db_path) as store:
        app = NewsReaderApp(store, Settings(timeout=2.0))
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press("enter", "enter")
            await settle(pilot)
            yield app, pilot


async def whole_help(pilot: Pilot[None]) -> str:
    """Every line inside the open `?` screen's frame, paging down through it as a user
    would (lines seen on an earlier page are not repeated)."""
    from textual.containers import VerticalScroll

    app = pilot.app
    assert isinstance(app, NewsReaderApp)
    body = app.screen.query_one("#help-body", VerticalScroll)
    region = body.region
    right = body.scrollable_content_region.right  # left of the scrollbar
    seen: list[str] = []
    while True:
        lines = screen_text(app).splitlines()[region.y + 1 : region.bottom - 1]
        inside = [line[region.x + 1 : right].rstrip() for line in lines]
        seen.extend(line for line in inside if line not in seen)
        before = body.scroll_y
        await pilot.press("pagedown")
        await pilot.pause()
        if body.scroll_y == before:
            return "\n".join(seen)
