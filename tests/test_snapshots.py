"""What each screen looks like, as SVG snapshots (pytest-textual-snapshot) at three sizes.

The store holds the bundled sample plus the sample's summary feed as a subscription (so
the feed dialogs have a feed to act on), read from the package: no network. Nothing shown
depends on the clock or the machine: dates are the sample's own (absolute), times are in
UTC, the feed's last fetch is pinned, and no cursor blinks.

After a change to what the screens show, look at the failures' report (the path is printed)
and, if the new look is right, regenerate:

    .venv/bin/python -m pytest tests/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widget import Widget

from reader.config import Settings
from reader.feeds.parse import parse_feed
from reader.sample import SAMPLE_BASE, sample_file
from reader.store import Store
from reader.ui.app import NewsReaderApp
from tests.uitools import settle

SIZES = [(80, 24), (120, 40), (200, 60)]
PINNED_FETCH = 1_763_733_900.0  # 2025-11-21 14:05 UTC, the sample feed's lastBuildDate
SUMMARY_FEED = f"{SAMPLE_BASE}/feed.xml"

SCREENS: dict[str, tuple[str, ...]] = {
    "main": (),
    # The sample's first story (its feed has the full text): a story whose page is fetched
    # shows its address or the unread count below, whichever of two workers ends last.
    "reading": ("j", "enter", "enter"),
    "help": ("question_mark",),
    "add_feed": ("a",),
    "feed_settings": ("e",),
    "remove_feed": ("d",),
    "feed_health": ("i",),
    # Typed into: with no query the palette lists each provider's commands in the order
    # the providers answer, which differs run to run.
    "command_palette": ("ctrl+p", *"feed"),
}
"""Each screen and the keys that open it from the start (the subscribed feed highlighted)."""


def _sample_store(db: Path) -> Store:
    """The sample, plus its summary feed subscribed as a user's feed and fetched at a fixed
    time."""
    store = Store(db)
    feed, _ = store.add_feed(SUMMARY_FEED)
    body = sample_file(SUMMARY_FEED)
    assert body is not None
    parsed = parse_feed(body, url=SUMMARY_FEED, headers={"content-type": "application/xml"})
    store.apply_update(feed.id, parsed, status=200)
    with store._conn:  # no public way to set the time a feed was fetched
        store._conn.execute("UPDATE feeds SET last_fetched = ?", (PINNED_FETCH,))
    return store


@pytest.fixture
def sample_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[NewsReaderApp]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    store = _sample_store(tmp_path / "newsreader.db")
    try:
        yield NewsReaderApp(store, Settings(timeout=2.0), show_sample=True)
    finally:
        store.close()
        monkeypatch.undo()
        time.tzset()


def _opening(keys: tuple[str, ...]) -> Callable[[Pilot[None]], object]:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        # Highlight the subscribed feed (All unread, Starred, Recently read, then the feeds):
        # the dialogs act on it, and Enter, Enter reads its first entry.
        await pilot.press("home", "j", "j", "j")
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        for widget in pilot.app.screen.query(Widget):
            if hasattr(widget, "cursor_blink"):
                widget.cursor_blink = False  # a blinking cursor would differ run to run
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen_looks_as_before(
    snap_compare: Callable[..., bool],
    sample_app: NewsReaderApp,
    screen: str,
    size: tuple[int, int],
) -> None:
    assert snap_compare(sample_app, terminal_size=size, run_before=_opening(SCREENS[screen]))
