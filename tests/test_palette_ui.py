"""The command palette (ctrl+p): each action shows its key; feed titles stay plain text."""

from __future__ import annotations

from pathlib import Path

from reader.config import load_settings
from reader.store import Store
from reader.ui.app import NewsReaderApp
from tests.uitools import make_app, screen_text, settle

HOSTILE = ["Zeta [/]", "Zeta [@click=app.quit]x[/]", "Zeta [b]bold[/b]"]


async def test_palette_hits_show_their_keys(data_dir: Path) -> None:
    store, app = make_app(data_dir / "newsreader.db", show_sample=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"mark all read")
        await pilot.pause(0.5)
        assert "entries: mark all read  A" in screen_text(app)
        for _ in "mark all read":
            await pilot.press("backspace")
        await pilot.press(*"refresh all")
        await pilot.pause(0.5)
        assert "feeds: refresh all  R" in screen_text(app)
    store.close()


async def test_palette_shows_remapped_keys_and_runs_the_action(data_dir: Path) -> None:
    (data_dir / "config.toml").write_text('[keys]\nhealth = "ctrl+h,I"\n')
    settings = load_settings(data_dir / "config.toml")
    with Store(data_dir / "newsreader.db") as store:
        app = NewsReaderApp(store, settings, show_sample=True)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"feeds: health")
            await pilot.pause(0.5)
            assert "feeds: health  ctrl+h I" in screen_text(app)
            await pilot.press("enter")
            await settle(pilot)
            assert "Feed health" in screen_text(app)


async def test_palette_feed_titles_are_literal(data_dir: Path) -> None:
    db = data_dir / "newsreader.db"
    with Store(db) as store:
        store.add_feed("https://a.example/feed", "Alpha")
        for n, title in enumerate(HOSTILE):
            store.add_feed(f"https://h{n}.example/feed", title)
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"go to feed zeta")
        await pilot.pause(0.5)
        text = screen_text(app)
        for title in HOSTILE:
            assert f"go to feed: {title}" in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
    store.close()


async def test_system_commands_show_their_keys_and_keys_opens_the_help(data_dir: Path) -> None:
    store, app = make_app(data_dir / "newsreader.db", show_sample=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"quit")
        await pilot.pause(0.5)
        assert "Quit  q ctrl+q ctrl+c" in screen_text(app)
        for _ in "quit":
            await pilot.press("backspace")
        await pilot.press(*"keys")
        await pilot.pause(0.5)
        assert "Keys  ?" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        # newsreader's own list of every key, not Textual's side panel.
        assert app.screen.query("#help-body") and "id for [keys]" in screen_text(app)
    store.close()


async def test_every_key_of_the_screen_is_in_the_palette_and_runs(data_dir: Path) -> None:
    """Keys without a palette name of their own (star, zoom, files...) are found by their
    help line, with their key, and run as the key does."""
    store, app = make_app(data_dir / "newsreader.db", show_sample=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "enter")  # the entries pane, first entry read
        await settle(pilot)
        entry = app.screen.entries_pane.current_entry  # type: ignore[attr-defined]
        assert entry is not None and not entry.starred
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"toggle star")
        await pilot.pause(0.5)
        text = screen_text(app)
        assert "entries: toggle star  s" in text
        typed = "toggle star"
        hits = {  # the query, and its hit with the key that runs it
            "zoom": "article: article alone / all panes (zoom)  z",
            "downloads": "podcasts: downloads: progress, cancel, retry  D",
            "toggle star": "entries: toggle star  s",
        }
        for query, hit in hits.items():
            await pilot.press(*["backspace"] * len(typed), *query)
            await pilot.pause(0.5)
            assert hit in screen_text(app)
            typed = query
        await pilot.press("enter")
        await settle(pilot)
        starred = store.get_entry(entry.id)
        assert starred is not None and starred.starred
    store.close()
