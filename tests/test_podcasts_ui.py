"""The podcast keys in the real app: files in the header and on E, queueing a file, the
downloads view (bars, cancel, retry), play with a configured player, New episodes."""

from __future__ import annotations

import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from textual.pilot import Pilot

from reader.config import Settings
from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.screens.podcasts import DownloadsScreen, FilesScreen
from tests.fileserver import BODY, FileServer, file_server, podcast_feed
from tests.uitools import screen_text, settle


@asynccontextmanager
async def podcast_app(
    tmp_path: Path, files: list[tuple[str, str]], **settings: object
) -> AsyncIterator[tuple[NewsReaderApp, Pilot[None], Store]]:
    """The app over a store with one podcast feed (on loopback, so its files may be too),
    its entries pane focused on the first episode."""
    with Store(tmp_path / "newsreader.db") as store:
        entries = podcast_feed(store, "http://127.0.0.1:9/feed.xml", files)
        store.set_full_article(entries[0].feed_id or 0, "never")
        config = Settings(timeout=5.0, download_dir=str(tmp_path / "files"), **settings)  # type: ignore[arg-type]
        app = NewsReaderApp(store, config)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("enter")  # the feed's entries, the first highlighted
            await settle(pilot)
            yield app, pilot, store
            app.downloads.stop()


async def until(pilot: Pilot[None], done: object, tries: int = 400) -> None:
    """Wait (frame by frame, no sleeping) until `done()` is true: the download thread
    works beside the app's loop."""
    for _ in range(tries):
        if done():  # type: ignore[operator]
            await settle(pilot)
            return
        await pilot.pause(0.01)
    raise AssertionError("it never happened")


def _urls(srv: FileServer, *paths: str) -> list[tuple[str, str]]:
    return [(f"Episode {n}", srv.url(path)) for n, path in enumerate(paths, 1)]


async def test_the_header_lists_the_files_and_E_queues_one(tmp_path: Path) -> None:
    with file_server() as srv:
        async with podcast_app(tmp_path, _urls(srv, "/ranged/one.mp3")) as (app, pilot, store):
            await pilot.press("enter")
            await settle(pilot)
            assert "🎧 audio/mpeg · 293.0 KiB · 1:02:05 · E: files" in screen_text(app)

            await pilot.press("E")
            await settle(pilot)
            assert isinstance(app.screen, FilesScreen)
            text = screen_text(app)
            assert "Files · Episode 1" in text
            assert srv.url("/ranged/one.mp3") in text

            await pilot.press("enter")
            await until(pilot, lambda: store.list_downloads(states=["done"]))
            saved = tmp_path / "files" / "Loopback Radio" / "Episode 1.mp3"
            assert saved.read_bytes() == BODY
            await until(pilot, lambda: "downloaded · " in screen_text(app))


async def test_the_downloads_view_cancels_and_retries(tmp_path: Path) -> None:
    with file_server() as srv:
        srv.gate = threading.Event()
        async with podcast_app(tmp_path, _urls(srv, "/slow/held.mp3")) as (app, pilot, store):
            await pilot.press("E", "enter")
            await until(pilot, lambda: store.list_downloads(states=["downloading"]))
            await pilot.press("escape", "D")
            await settle(pilot)
            assert isinstance(app.screen, DownloadsScreen)
            await until(pilot, lambda: "downloading · " in screen_text(app))
            assert "Episode 1  Loopback Radio" in screen_text(app)

            await pilot.press("c")
            await until(pilot, lambda: store.list_downloads(states=["failed"]))
            await until(pilot, lambda: "failed: cancelled" in screen_text(app))

            srv.gate.set()
            await pilot.press("r")
            await until(pilot, lambda: store.list_downloads(states=["done"]))
            await until(pilot, lambda: "downloaded · " in screen_text(app))
            (item,) = store.list_downloads()
            assert Path(item.path).read_bytes() == BODY


async def test_play_runs_the_player_without_a_shell_and_marks_played(tmp_path: Path) -> None:
    record = tmp_path / "argv.txt"
    player = tmp_path / "player.py"
    player.write_text(
        f"import sys, pathlib\npathlib.Path({str(record)!r}).write_text('\\n'.join(sys.argv[1:]))\n"
    )
    command = f"{sys.executable} {player} --volume=50"
    url = "https://cdn.example/a file; rm -rf ~.mp3"
    async with podcast_app(tmp_path, [("Risky", url)], player=command) as (app, pilot, store):
        assert "New episodes" in screen_text(app)
        await pilot.press("p")
        await until(pilot, lambda: record.exists() and record.read_text())
        assert record.read_text().splitlines() == ["--volume=50", url]
        await until(pilot, lambda: store.played_urls([url]))
        await until(pilot, lambda: "Playing " in screen_text(app))


async def test_new_episodes_lists_what_is_not_played_and_P_toggles_it(tmp_path: Path) -> None:
    files = [("First", "https://cdn.example/1.mp3"), ("Second", "https://cdn.example/2.mp3")]
    async with podcast_app(tmp_path, files) as (app, pilot, store):
        assert "   2 New episodes" in screen_text(app)
        await pilot.press("P")  # the highlighted (first) entry
        await until(pilot, lambda: "   1 New episodes" in screen_text(app))
        assert store.played_urls(["https://cdn.example/1.mp3"])

        await pilot.press("shift+tab", "home", "j", "j", "j", "enter")  # New episodes
        await settle(pilot)
        text = screen_text(app)
        assert "Entries · New episodes" in text
        assert "Second" in text and "First" not in text


async def test_the_downloads_view_says_when_nothing_was_queued(tmp_path: Path) -> None:
    async with podcast_app(tmp_path, [("Only", "https://cdn.example/x.mp3")]) as (app, pilot, _):
        await pilot.press("D")
        await settle(pilot)
        assert "Nothing downloaded yet" in screen_text(app)


def test_the_header_lists_three_files_and_says_how_many_more() -> None:
    from reader.models import Article, Enclosure
    from reader.ui.widgets.article_view import article_header

    files = [Enclosure(f"https://x.example/{n}.mp3", "audio/mpeg", 1024 * 1024) for n in range(5)]
    text = article_header(Article("https://x.example/", "[b]Title[/b]"), enclosures=files).plain
    lines = text.splitlines()
    assert lines[0] == "[b]Title[/b]"  # a title is text, never markup
    assert lines[-3:] == [
        "🎧 audio/mpeg · 1 MiB",
        "🎧 audio/mpeg · 1 MiB",
        "🎧 audio/mpeg · 1 MiB · 2 more: E lists them",
    ]
