"""An article with a figure, drawn in half blocks, as SVG snapshots at 80x24 and 120x40.

No network: the story comes from a feed parsed into the store, and its picture is already
in the picture cache (a fresh copy is used without asking), so the screen is the same on
every run. Regenerate after a deliberate change with `--snapshot-update`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from reader.config import ImageSettings, Settings
from reader.feeds.parse import parse_feed
from reader.images.cache import CachedImage, ImageCache
from reader.store import Store
from reader.ui.app import NewsReaderApp
from tests.picturesite import IMAGES, feed_xml
from tests.uitools import settle

BASE = "http://pictures.test"
PINNED_FETCH = 1_763_733_900.0


@pytest.fixture
def picture_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[NewsReaderApp]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    store = Store(tmp_path / "newsreader.db")
    feed, _ = store.add_feed(f"{BASE}/pictures.xml")
    parsed = parse_feed(feed_xml(BASE), url=f"{BASE}/pictures.xml", headers={})
    store.apply_update(feed.id, parsed, status=200)
    store.set_full_article(feed.id, "never")
    with store._conn:  # no public way to set the time a feed was fetched
        store._conn.execute("UPDATE feeds SET last_fetched = ?", (PINNED_FETCH,))
    ImageCache(tmp_path / "images", 10**7).put(
        f"{BASE}/img/quad.png",
        CachedImage((IMAGES / "quad.png").read_bytes(), "image/png", stored=time.time()),
    )
    settings = Settings(timeout=2.0, images=ImageSettings(mode="halfblock"))
    try:
        yield NewsReaderApp(store, settings)
    finally:
        store.close()
        monkeypatch.undo()
        time.tzset()


async def _read_first(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("enter", "enter")
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_article_with_a_figure_in_half_blocks(
    snap_compare: Callable[..., bool], picture_app: NewsReaderApp, size: tuple[int, int]
) -> None:
    assert snap_compare(picture_app, terminal_size=size, run_before=_read_first)
