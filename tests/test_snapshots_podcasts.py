"""What the podcast screens look like (pytest-textual-snapshot) at three sizes: an entry's
files (E) and the downloads view (D) with a file done, one under way and one failed.

Nothing shown depends on the clock or the network: dates are fixed, the feed never fetches
its pages, and no file is queued (the app would start downloading it).

    .venv/bin/python -m pytest tests/test_snapshots_podcasts.py --snapshot-update
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from reader.config import Settings
from reader.models import Enclosure, Entry, ParsedFeed
from reader.store import Store
from reader.ui.app import NewsReaderApp
from tests.uitools import settle

SIZES = [(80, 24), (120, 40), (200, 60)]
FEED = "http://127.0.0.1:9/feed.xml"


def _podcast_store(db: Path) -> Store:
    store = Store(db)
    feed, _ = store.add_feed(FEED)
    store.set_full_article(feed.id, "never")
    day = datetime(2025, 11, 21, 9, 0, tzinfo=UTC)
    entries = (
        Entry(
            key="ep-42",
            title="Episode 42: Tides, moons and the long way round",
            link="http://127.0.0.1:9/42",
            published=day,
            summary="<p>We follow the tide tables around a small island.</p>",
            enclosures=(
                Enclosure("http://127.0.0.1:9/ep42.mp3", "audio/mpeg", 48_611_123, 3725),
                Enclosure(
                    "http://127.0.0.1:9/ep42.mp4",
                    "video/mp4",
                    512_000_000,
                    3725,
                    "The video edition",
                ),
                Enclosure("http://127.0.0.1:9/ep42-notes.pdf", "application/pdf", 182_000),
            ),
        ),
        Entry(
            key="ep-41",
            title="Episode 41: Lighthouses",
            link="http://127.0.0.1:9/41",
            published=day.replace(day=14),
            enclosures=(Enclosure("http://127.0.0.1:9/ep41.mp3", "audio/mpeg", 30_000_000, 2400),),
        ),
        Entry(
            key="ep-40",
            title="Episode 40: Harbour sounds",
            link="http://127.0.0.1:9/40",
            published=day.replace(day=7),
            enclosures=(Enclosure("http://127.0.0.1:9/ep40.mp3", "audio/mpeg", None, 1800),),
        ),
    )
    store.apply_update(feed.id, ParsedFeed(title="Loopback Radio", entries=entries))
    by_key = {e.key: e for e in store.list_entries(feed.id)}
    done = store.queue_download(by_key["ep-42"], by_key["ep-42"].enclosures[0])
    store.update_download(
        done.id, state="done", bytes=48_611_123, path="/podcasts/Loopback Radio/Episode 42.mp3"
    )
    going = store.queue_download(by_key["ep-41"], by_key["ep-41"].enclosures[0])
    store.update_download(going.id, state="downloading", bytes=12_000_000, total=30_000_000)
    failed = store.queue_download(by_key["ep-40"], by_key["ep-40"].enclosures[0])
    store.update_download(failed.id, state="failed", error="HTTP 404 Not Found")
    return store


@pytest.fixture
def podcast_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[NewsReaderApp]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    store = _podcast_store(tmp_path / "newsreader.db")
    try:
        yield NewsReaderApp(store, Settings(timeout=2.0, download_dir=str(tmp_path / "files")))
    finally:
        store.close()
        monkeypatch.undo()
        time.tzset()


SCREENS: dict[str, tuple[str, ...]] = {
    "files": ("enter", "E"),
    "downloads": ("D",),
    "reading_with_files": ("enter", "enter"),
}


def _opening(keys: tuple[str, ...]) -> Callable[[Pilot[None]], object]:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_podcast_screen_looks_as_before(
    snap_compare: Callable[..., bool],
    podcast_app: NewsReaderApp,
    screen: str,
    size: tuple[int, int],
) -> None:
    assert snap_compare(podcast_app, terminal_size=size, run_before=_opening(SCREENS[screen]))
