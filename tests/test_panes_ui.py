"""The sources and entries panes as a user meets them: burst typing and paste, F, failures
that are shown and logged, filters in the pane title, empty lists that say why, hostile
titles that stay text, counts that take a story once."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input

from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.entry_list import EntryList
from reader.ui.widgets.feed_list import FeedList
from tests.server import FixtureServer, Route
from tests.uitools import make_app, screen_text, settle, subscribe

KEY_NAMES = {"\\": "backslash", "/": "slash", "@": "at", " ": "space"}


async def burst(pilot: Pilot[None], *keys: str) -> None:
    """Keys as a fast typist (or a terminal's one read) delivers them: all queued before
    the app handles the first."""
    app = pilot.app
    for key in keys:
        name, char = (KEY_NAMES.get(key, key), key) if len(key) == 1 else (key, None)
        app.post_message(events.Key(name, char))
    await settle(pilot)


def read_states(store: Store) -> list[tuple[int | None, bool, bool]]:
    return [
        (e.id, e.read, e.starred)
        for f in store.list_feeds(include_sample=True)
        for e in store.list_entries(f.id)
    ]


async def to_entries(pilot: Pilot[None]) -> EntryList:
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    entries = pilot.app.query_one(EntryList)
    assert pilot.app.focused is entries
    return entries


# -- keys never misfire ---------------------------------------------------------------------


async def test_burst_after_backslash_goes_to_the_filter_box(data_dir: Path) -> None:
    store, app = make_app(data_dir / "newsreader.db")  # the bundled sample
    async with app.run_test(size=(120, 40)) as pilot:
        await to_entries(pilot)
        before = read_states(store)
        await burst(pilot, "\\", "m", "e", "t", "a")
        box = app.query_one("#filter", Input)
        assert box.value == "meta" and app.focused is box
        assert read_states(store) == before
        assert isinstance(app.screen, MainScreen)  # no dialog opened
        titles = [e.title for e in app.query_one(EntryList).entries]
        assert titles and all("meta" in t.casefold() for t in titles)
        # ctrl+u clears the box; what follows is typed, not lost.
        await burst(pilot, "ctrl+u", "@", "S", "t", "a", "f", "f")
        assert box.value == "@Staff"
        assert read_states(store) == before
    store.close()


async def test_burst_after_backslash_in_the_feeds_pane(data_dir: Path) -> None:
    """The keys that open an input work from every pane: none is a no-op that would let
    the letters after it run as commands."""
    store, app = make_app(data_dir / "newsreader.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.focused is app.query_one(FeedList)
        before = read_states(store)
        await burst(pilot, "\\", "m", "e", "t", "a")
        assert app.query_one("#filter", Input).value == "meta"
        assert read_states(store) == before and isinstance(app.screen, MainScreen)
    store.close()


async def test_burst_after_slash_goes_to_the_search_box(data_dir: Path) -> None:
    store, app = make_app(data_dir / "newsreader.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await to_entries(pilot)
        before = read_states(store)
        await burst(pilot, "/", "s", "m", "a", "r", "t")
        box = app.query_one("#search", Input)
        assert box.value == "smart" and app.focused is box
        assert read_states(store) == before
        assert isinstance(app.screen, MainScreen)
        await pilot.pause(0.3)
        await settle(pilot)
        assert "Search · smart" in screen_text(app)
    store.close()


async def test_paste_after_backslash_lands_in_the_filter_box(data_dir: Path) -> None:
    store, app = make_app(data_dir / "newsreader.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await to_entries(pilot)
        before = read_states(store)
        app.post_message(events.Key("backslash", "\\"))
        app.post_message(events.Paste("meta msae"))
        await settle(pilot)
        assert app.query_one("#filter", Input).value == "meta msae"
        assert read_states(store) == before
    store.close()


async def test_burst_after_a_goes_to_the_add_dialog(data_dir: Path) -> None:
    store, app = make_app(data_dir / "newsreader.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await to_entries(pilot)
        before = read_states(store)
        await burst(pilot, "a", "h", "t", "t", "p", "s", "m", "e")
        assert not isinstance(app.screen, MainScreen)
        assert app.screen.query_one("#add-url", Input).value == "httpsme"
        assert len(app.screen_stack) == 2  # one dialog, not one per letter
        assert read_states(store) == before
    store.close()


# -- F and failures -------------------------------------------------------------------------


async def test_f_cycles_the_full_article_mode(server: FixtureServer, data_dir: Path) -> None:
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("atom-full.xml"))
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feed = app.query_one(FeedList).current_feed
        assert feed is not None and feed.full_article == "auto"
        seen = []
        for _ in range(3):
            await pilot.press("F")
            await settle(pilot)
            mode = store.get_feed(feed.id).full_article  # type: ignore[union-attr]
            seen.append(mode)
            assert f"full articles are fetched {'always' if mode == 'always' else ''}" in (
                screen_text(app)
            )
        assert seen == ["always", "never", "auto"]
    store.close()


async def test_a_failing_worker_is_shown_and_logged(data_dir: Path) -> None:
    db = data_dir / "newsreader.db"
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.run_worker(_raise, name="save_feed", thread=True, exit_on_error=False)
        await settle(pilot)
        await pilot.pause()
        shown = [n.message for n in app._notifications]
        assert any("save feed failed: RuntimeError: disk on fire [/]" in m for m in shown)
        assert app.is_running
    log = (data_dir / "newsreader.log").read_text()
    assert "save feed failed" in log and "RuntimeError: disk on fire" in log
    assert "Traceback" in log
    store.close()


def _raise() -> None:
    raise RuntimeError("disk on fire [/] [b]x[/b]")


# -- what the panes say ---------------------------------------------------------------------


async def test_pane_title_shows_every_filter(data_dir: Path) -> None:
    store, app = make_app(data_dir / "newsreader.db")
    async with app.run_test(size=(120, 40)) as pilot:
        entries = await to_entries(pilot)
        await pilot.press("U")
        await settle(pilot)
        await pilot.press("S", "T")
        await settle(pilot)
        title = str(entries.border_title)
        for mark in ("unread only", "starred only", "today"):
            assert mark in title
        # Nothing starred today: the list says why and what to do.
        assert entries.entries == []
        text = screen_text(app)
        assert "Nothing today." in text and "T widens the period" in text
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("backslash", *"meta")
        await settle(pilot)
        assert "\\ meta" in str(entries.border_title)
    store.close()


async def test_empty_lists_say_why(data_dir: Path) -> None:
    store, app = make_app(data_dir / "newsreader.db")
    async with app.run_test(size=(80, 24)) as pilot:  # the whole hint, even here
        await settle(pilot)
        feeds = app.query_one(FeedList)
        feeds.highlighted = 1  # Starred: nothing yet
        await settle(pilot)
        assert "Press s on an entry to keep it here." in screen_text(app)
        assert "a adds a feed" in screen_text(app) or "a Add" in screen_text(app)
        lines = screen_text(app).splitlines()
        assert "a Add" in lines[-1]
        assert "newsreader import FILE.opml" in screen_text(app)  # the welcome line
    store.close()


async def test_no_feeds_says_how_to_add_one() -> None:
    async with _Feeds().run_test(size=(60, 12)) as pilot:
        feeds = pilot.app.query_one(FeedList)
        feeds.show_feeds([])
        await pilot.pause()
        text = screen_text(pilot.app)  # type: ignore[arg-type]
        assert "a adds a feed" in text and "newsreader import FILE.opml" in text


class _Feeds(App[None]):
    def compose(self) -> ComposeResult:
        yield FeedList(id="feeds")


# -- the sources pane -----------------------------------------------------------------------


async def test_cursor_stops_at_the_ends_and_folds_are_kept(
    server: FixtureServer, data_dir: Path
) -> None:
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("feed.xml"), server.url("atom-full.xml"))
    with Store(db) as store:
        first = store.list_feeds()[0]
        store.update_feed(first.id, folder="News")
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feeds = app.query_one(FeedList)
        last = len(feeds.option_rows) - 1
        feeds.highlighted = last
        await settle(pilot)
        await pilot.press("j", "down")
        await settle(pilot)
        assert feeds.highlighted == last
        feeds.highlighted = 0
        await settle(pilot)
        await pilot.press("k", "up")
        assert feeds.highlighted == 0
        folder = next(i for i, r in enumerate(feeds.option_rows) if r.kind == "folder")
        feeds.highlighted = folder
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert "News" in feeds.collapsed
    store.close()
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feeds = app.query_one(FeedList)
        assert "News" in feeds.collapsed
        assert "▸ News" in screen_text(app)
        assert not [r for r in feeds.option_rows if r.feed and r.feed.folder == "News"]
    store.close()


async def test_all_unread_counts_each_story_once(server: FixtureServer, data_dir: Path) -> None:
    db = data_dir / "newsreader.db"
    # Both feeds carry the same six stories.
    await subscribe(db, server.url("feed.xml"), server.url("atom-full.xml"))
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feeds = app.query_one(FeedList)
        assert feeds.option_rows[0].unread == 6
        feeds.highlighted = 0
        await settle(pilot)
        assert len(app.query_one(EntryList).entries) == 6
        assert "6 unread in 2 feeds" in screen_text(app)
        assert store.unread_story_count() == 6 and store.unread_count() == 12
    store.close()


# -- markup stays closed --------------------------------------------------------------------

HOSTILE = ["[/]", "[b]x[/b]", "[@click=app.quit]quit[/]"]


def hostile_feed(title: str, n: int) -> bytes:
    items = "".join(
        f"<item><guid>h{n}-{i}</guid><title>{t}</title><link>https://h.example/{n}/{i}</link>"
        f"<author>{t}</author></item>"
        for i, t in enumerate(HOSTILE)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{items}'
        "</channel></rss>"
    ).encode()


async def test_hostile_titles_stay_text(server: FixtureServer, data_dir: Path) -> None:
    for n, title in enumerate(HOSTILE):
        server.add_route(f"h{n}.xml", Route(body=hostile_feed(title, n)))
    db = data_dir / "newsreader.db"
    await subscribe(db, *(server.url(f"h{n}.xml") for n in range(len(HOSTILE))))
    with Store(db) as store:
        feed = store.list_feeds()[0]
        store.update_feed(feed.id, folder="[i]slanted")
    store, app = make_app(db)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        feeds = app.query_one(FeedList)
        for index in range(len(feeds.option_rows)):
            feeds.highlighted = index  # each feed, folder and list: title into the border
            await settle(pilot)
            assert app.is_running
        text = screen_text(app)
        for title in HOSTILE:
            assert title in text
        assert "[i]slanted" in text
        # The entries pane's title names the feed as it is.
        feeds.highlighted = next(
            i for i, r in enumerate(feeds.option_rows) if r.feed and r.feed.title == "[/]"
        )
        await settle(pilot)
        assert "Entries · [/]" in screen_text(app)
        # Search and filter with markup in them.
        feeds.focus()
        await pilot.press("slash", *"social [/]")
        await pilot.pause(0.3)
        await settle(pilot)
        assert "social [/]" in screen_text(app) and app.is_running
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("backslash", *"[b]x[/b]")
        await settle(pilot)
        assert "\\ [b]x[/b]" in screen_text(app)
        assert app.is_running
        # A feed removed by name: the status line says it as text.
        await pilot.press("escape")
        await settle(pilot)
        feeds.focus()
        feeds.highlighted = next(
            i
            for i, r in enumerate(feeds.option_rows)
            if r.feed and r.feed.title == "[@click=app.quit]quit[/]"
        )
        await settle(pilot)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert "Removed [@click=app.quit]quit[/]." in screen_text(app)
        assert isinstance(app, NewsReaderApp) and app.is_running
    store.close()


async def test_burst_after_ctrl_f_goes_to_the_find_box(data_dir: Path) -> None:
    store, app = make_app(data_dir / "newsreader.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await to_entries(pilot)
        await pilot.press("enter")  # read the first entry
        await settle(pilot)
        before = read_states(store)
        await burst(pilot, "ctrl+f", "s", "o", "c", "i", "a", "l")
        box = app.query_one("#find", Input)
        assert box.value == "social" and app.focused is box
        assert read_states(store) == before
    store.close()


async def test_burst_after_e_and_ctrl_p_goes_to_the_dialog(
    server: FixtureServer, data_dir: Path
) -> None:
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("atom-full.xml"))
    store, app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await to_entries(pilot)  # e works from the entries pane too
        before = read_states(store)
        await burst(pilot, "e", "ctrl+u", "T", "i", "m", "e")
        assert app.screen.query_one("#edit-title", Input).value == "Time"
        assert len(app.screen_stack) == 2
        await burst(pilot, "escape")
        assert len(app.screen_stack) == 1
        await burst(pilot, "ctrl+p", "s", "m", "a", "r", "t")
        assert len(app.screen_stack) == 2
        assert app.screen.query_one(Input).value == "smart"
        assert read_states(store) == before
    store.close()


async def test_remove_says_how_many_starred_entries_go_too(
    server: FixtureServer, data_dir: Path
) -> None:
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("atom-full.xml"))
    store, app = make_app(db)
    [feed] = store.list_feeds()
    for entry in store.list_entries(feed.id)[:2]:
        store.set_starred(entry.id, True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        text = screen_text(app)
        assert "Remove Signal Desk (full text) and its 6 entries?" in text
        assert "2 of them are starred: they go too." in text
        assert "Remove" in text and "Keep" in text
        # No (typed in the same burst as d, before the question is up) keeps the feed.
        await pilot.press("escape")
        await settle(pilot)
        await burst(pilot, "d", "n")
        assert len(app.screen_stack) == 1
        assert [f.id for f in store.list_feeds()] == [feed.id]
        assert len(store.query_entries(feed_ids=[feed.id], starred_only=True)) == 2
        # Yes, typed at once too, removes it and its starred entries.
        await burst(pilot, "d", "y")
        assert len(app.screen_stack) == 1
        assert store.list_feeds() == []
        assert store.query_entries(starred_only=True) == []
        text = screen_text(app)
        assert "a adds one" in text  # its entries are no longer listed
        assert "Discord defaults" not in text
    store.close()


async def test_open_without_a_browser_says_what_to_do(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reader.ui.screens.main.open_link", lambda url, browser: False)
    store, app = make_app(data_dir / "newsreader.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await to_entries(pilot)
        await pilot.press("o")
        await settle(pilot)
        shown = [n.message for n in app._notifications]
        assert any("y copies the link" in m and "`browser`" in m for m in shown)
    store.close()


async def test_enter_enter_in_one_burst_reads_the_first_entry(data_dir: Path) -> None:
    """The second Enter waits for what the first set off (the entries pane taking focus)."""
    store, app = make_app(data_dir / "newsreader.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await burst(pilot, "enter", "enter")
        assert app.focused is app.query_one("#article")
        first = app.query_one(EntryList).entries[0]
        assert first.read
    store.close()


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_reading_a_search_hit_keeps_the_hits_in_view(
    data_dir: Path, size: tuple[int, int]
) -> None:
    """The search box stays open above the hits while one is read, and the hits (a title
    and a snippet line each) keep their rows: both at 120x40, the one read at 80x24."""
    store, app = make_app(data_dir / "newsreader.db", show_sample=True)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"glasses", "enter")
        await pilot.pause(0.3)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "Search · glasses · 2 results" in text
        titles = ["Smart glasses banned", "Meta weighed facial recognition"]
        shown = [title for title in titles if title in text.split("╭─ Article")[0]]
        assert len(shown) == (2 if size[0] >= 100 else 1)
        assert "…" in text.split("╭─ Search")[1].split("╭─ Article")[0]  # a snippet line
    store.close()
