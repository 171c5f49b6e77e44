"""Hostile text in every place the app shows it: never markup, never a crash, never styled.

Feeds, entries, folders, authors and URLs carry `[/]` (a MarkupError when parsed as Textual
markup), `[b]x[/b]` (bold when parsed), `[@click=app.quit]` (a live action when parsed), an
ANSI escape and a C1 control; so does the server's error message, shown in the status line
and a notification. The real app is driven by keys over a store holding them, and each place
must show the text literally, with no control character, and keep running.
(tests/test_hostile_ui.py feeds invisible characters and huge feeds through the network
path; tests/test_hostile_markup.py checks the parsers and renderers on their own.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from xml.sax.saxutils import escape

import httpx
import pytest
from textual.geometry import Region
from textual.pilot import Pilot

from reader.config import Settings
from reader.feeds.parse import parse_feed
from reader.store import Store
from reader.ui.app import NewsReaderApp
from tests.test_hostile_ui import FORBIDDEN
from tests.uitools import screen_text, settle

CLOSE = "[/]"
BOLD = "[b]x[/b]"
CLICK = "[@click=app.quit]"
MARKUP = [CLOSE, BOLD, CLICK]
ANSI = "&#x1b;[31mred"
"""An ANSI colour escape as a feed carries it (a character reference): the parser drops the
escape with its parameters, leaving `red`."""
C1 = "&#x9b;1mc1"
"""A C1 control (CSI), which feedparser reads as windows-1252 would: `›1mc1`."""

FOLDER = "[b]x [@click=app.quit]"
"""A folder name (no `/`: that separates folder levels)."""
SIZE = (160, 50)
HOST = "http://127.0.0.1:9"
"""Where the feeds and their pages are (the user's own machine: the pages may be fetched)."""
SERVER_ERROR = f"{CLOSE} {BOLD} {CLICK}"
"""What the server's broken response says: it reaches the status line and a notification."""


def _feed_xml(title: str, url: str) -> bytes:
    """One feed titled `title` whose entry carries the same text in every field."""
    item = (
        f"<item><guid>{escape(url)}#1</guid>"
        f"<title>social {title} security</title>"
        f"<link>{escape(url)}/story/{title}</link>"
        f"<author>desk@news.example ({title})</author>"
        f"<description>Short summary: {title}</description></item>"
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>{escape(url)}</link>{item}</channel></rss>"
    ).encode()


def _hostile_store(db: Path) -> dict[str, str]:
    """A feed per hostile title (the `[/]` feed in a hostile folder, at a URL with
    `[@click=app.quit]` in it); the titles as the app should show them, by name."""
    shown = {}
    with Store(db) as store:
        # A plain feed first (folders come first, "0" sorts before "["), so that the app
        # starts on a harmless one.
        plain, _ = store.add_feed(f"{HOST}/plain")
        xml = _feed_xml("0 Plain news", plain.url)
        store.apply_update(plain.id, parse_feed(xml, url=plain.url, headers={}), status=200)
        store.update_feed(plain.id, folder="0 plain")
        for name, title in [
            ("close", escape(CLOSE)),
            ("bold", escape(BOLD)),
            ("click", escape(CLICK)),
            ("ansi", ANSI),
            ("c1", C1),
        ]:
            url = f"{HOST}/{name}/{CLICK}" if name == "close" else f"{HOST}/{name}"
            feed, _ = store.add_feed(url)
            parsed = parse_feed(_feed_xml(title, url), url=url, headers={})
            store.apply_update(feed.id, parsed, status=200)
            if name == "close":
                store.update_feed(feed.id, folder=FOLDER)
            stored = store.get_feed(feed.id)
            assert stored is not None
            shown[name] = stored.title
            store.update_feed(feed.id, title=stored.title)  # also the settings' Title field
    assert shown["close"] == CLOSE and shown["bold"] == BOLD and shown["click"] == CLICK
    assert shown["ansi"] == "red" and shown["c1"] == "›1mc1"
    return shown


def _broken_server(request: httpx.Request) -> httpx.Response:
    raise httpx.RemoteProtocolError(SERVER_ERROR, request=request)


@asynccontextmanager
async def hostile_app(
    data_dir: Path,
) -> AsyncIterator[tuple[NewsReaderApp, Pilot[None], dict[str, str]]]:
    db = data_dir / "newsreader.db"
    titles = _hostile_store(db)
    with Store(db) as store:
        app = NewsReaderApp(
            store, Settings(timeout=2.0), transport=httpx.MockTransport(_broken_server)
        )
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            yield app, pilot, titles
            assert app.is_running, "the app quit ([@click=app.quit] became an action?)"


def clean_screen(app: NewsReaderApp) -> str:
    """The screen's text, after checking the app runs and shows no control character."""
    assert app.is_running
    text = screen_text(app)
    assert not FORBIDDEN.search(text), repr(FORBIDDEN.findall(text))
    return text


def own_text(app: NewsReaderApp) -> str:
    """What the active screen's own widgets draw, without the screen below it (a dialog's
    text, not the feeds pane showing around it)."""
    lines: list[str] = []
    for widget in app.screen.query("*"):
        if widget.display and widget.region:
            size = widget.outer_size
            crop = Region(0, 0, size.width, size.height)
            lines += [strip.text for strip in widget.render_lines(crop)]
    return "\n".join(lines)


def border_lines(text: str) -> list[str]:
    """The screen's lines that carry a pane's or dialog's top border (and so its title)."""
    return [line for line in text.splitlines() if "╭" in line]


async def press(pilot: Pilot[None], *keys: str) -> str:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
    return clean_screen(pilot.app)  # type: ignore[arg-type]


async def highlight(pilot: Pilot[None], title: str) -> None:
    """Move down the feeds pane from the top until the entries pane is titled `title`."""
    app = pilot.app
    seen = [await press(pilot, "home")]
    for _ in range(15):
        if any(f"· {title} " in line for line in border_lines(seen[-1])):
            return
        seen.append(await press(pilot, "j"))
    borders = sorted({line for text in seen for line in border_lines(text)})
    raise AssertionError(f"no pane was titled {title!r} ({app.focused}):\n" + "\n".join(borders))


# -- the cases, one app each: a crash in one place does not hide the others ----------------


async def test_feeds_pane_lists_every_title_literally(data_dir: Path) -> None:
    async with hostile_app(data_dir) as (app, _pilot, titles):
        text = clean_screen(app)
        for title in titles.values():
            assert title in text, f"{title!r} is not in the feeds pane"


async def test_entries_pane_title_shows_each_feed_and_folder_literally(data_dir: Path) -> None:
    async with hostile_app(data_dir) as (_app, pilot, titles):
        for title in [*titles.values(), FOLDER]:
            await highlight(pilot, title)


async def read_every_entry(pilot: Pilot[None]) -> list[str]:
    """Open All unread (a harmless pane title) and read each of its entries in turn; the
    screen while each is shown."""
    await press(pilot, "home")
    await press(pilot, "enter")  # the entries pane
    screens = []
    for index in range(6):
        await press(pilot, "escape", "home", *["j"] * index)  # the entries pane, entry `index`
        screens.append(await press(pilot, "enter"))  # read it
    return screens


async def test_reading_each_entry_shows_title_author_and_text_literally(data_dir: Path) -> None:
    """Article header (title, byline) and text, and the status line when its page (at a
    hostile URL) cannot be fetched."""
    async with hostile_app(data_dir) as (_app, pilot, titles):
        screens = await read_every_entry(pilot)
        for name, title in titles.items():
            shown = [text for text in screens if f"Short summary: {title}" in text]
            assert shown, f"no article showed the {name} feed's text: 'Short summary: {title}'"
            [text] = shown
            header = [line for line in text.splitlines() if f"social {title} security" in line]
            assert len(header) >= 2, f"{name}: the title in the list and the article header"
            assert text.count(title) >= 5, f"{name}: feed, title, header, byline and text"
            status = text.splitlines()[-2]
            assert f"broke the connection: {SERVER_ERROR}" in status, f"{name}: {status}"


def toast_text(app: NewsReaderApp) -> str:
    """The notifications on screen, each as one line (wrapped lines joined)."""
    toasts = []
    for toast in app.screen.query("Toast"):
        lines = toast.render_lines(toast.region.reset_offset)
        toasts.append(" ".join(" ".join(strip.text.strip(" ▌").split()) for strip in lines))
    return "\n".join(" ".join(toast.split()) for toast in toasts)


async def test_notification_shows_the_servers_error_literally(data_dir: Path) -> None:
    async with hostile_app(data_dir) as (app, pilot, _titles):
        await press(pilot, "home", "enter", "enter")  # read the first entry of All unread
        shown = toast_text(app)
        assert f"Cannot read the page: 127.0.0.1 broke the connection: {SERVER_ERROR}" in shown


FROM_THE_END = {"c1": 0, "ansi": 1, "bold": 2, "click": 3, "close": 4}
"""How far up from the feeds pane's last row each feed is (titles sort `[/]`, `[@click…`,
`[b]…`, `red`, `›1mc1` after the folders)."""
CLOSE_CRASHES = "close"


async def highlight_from_end(pilot: Pilot[None], name: str) -> None:
    """Highlight a hostile feed by moving up from the feeds pane's last row (passing none of
    the harder ones on the way)."""
    await press(pilot, "home", "end", *["k"] * FROM_THE_END[name])


@pytest.mark.parametrize("name", ["bold", "click", CLOSE_CRASHES])
async def test_feed_settings_dialog_shows_title_and_url_literally(
    data_dir: Path, name: str
) -> None:
    async with hostile_app(data_dir) as (_app, pilot, titles):
        await highlight_from_end(pilot, name)
        await press(pilot, "e")
        text = own_text(pilot.app)  # type: ignore[arg-type]
        assert titles[name] in text, "the dialog's title field"
        assert f"{HOST}/{name}" in text, "the dialog's address field"
        if name == "close":
            assert FOLDER in text and CLICK in text, "its folder and the rest of its address"
        await press(pilot, "escape")


@pytest.mark.parametrize("name", ["bold", "click", CLOSE_CRASHES])
async def test_remove_confirmation_names_the_feed_literally(data_dir: Path, name: str) -> None:
    async with hostile_app(data_dir) as (_app, pilot, titles):
        await highlight_from_end(pilot, name)
        await press(pilot, "d")
        assert f"Remove {titles[name]} and" in own_text(pilot.app)  # type: ignore[arg-type]
        await press(pilot, "n")


async def test_feed_health_lists_every_title_literally(data_dir: Path) -> None:
    async with hostile_app(data_dir) as (_app, pilot, titles):
        await press(pilot, "i")
        text = own_text(pilot.app)  # type: ignore[arg-type]
        for title in titles.values():
            assert title in text, f"{title!r} is not in the health list"


async def test_help_screen_opens(data_dir: Path) -> None:
    """`?` shows the keys; with keys remapped from the config it carries no feed text, but
    it is one of the screens the app draws over hostile panes."""
    async with hostile_app(data_dir) as (_app, pilot, _titles):
        await press(pilot, "question_mark")
        assert "Keys" in own_text(pilot.app)  # type: ignore[arg-type]
        await press(pilot, "escape")


async def type_text(pilot: Pilot[None], text: str) -> str:
    """Type `text` one key at a time, as a user would (waiting after each key)."""
    screen = ""
    for char in text:
        screen = await press(pilot, char)
    return screen


@pytest.mark.parametrize("query", ["social [/]", "[b]"])
async def test_search_text_shows_literally(data_dir: Path, query: str) -> None:
    async with hostile_app(data_dir) as (_app, pilot, _titles):
        await press(pilot, "slash")
        await type_text(pilot, query)
        text = await press(pilot, "enter")
        assert any(query in line for line in border_lines(text)), "the entries pane's title"


async def test_quick_filter_text_shows_literally(data_dir: Path) -> None:
    async with hostile_app(data_dir) as (_app, pilot, _titles):
        await press(pilot, "home")  # All unread: every entry
        await press(pilot, "backslash")
        text = await type_text(pilot, "[/]")
        assert any("▊" in line and "[/]" in line for line in text.splitlines()), "the box"
        assert "social [/] security" in text, "the entry it matches"
        assert "social red security" not in text, "an entry it does not match"


@pytest.mark.parametrize("query", ["[/]", "[@click=app.quit]", "[b]x"])
async def test_palette_go_to_hits_show_titles_literally(data_dir: Path, query: str) -> None:
    async with hostile_app(data_dir) as (_app, pilot, titles):
        await press(pilot, "ctrl+p")
        await type_text(pilot, query)
        text = own_text(pilot.app)  # type: ignore[arg-type]
        hits = [t for t in titles.values() if query in t]
        assert hits
        for title in hits:
            assert f"go to feed: {title}" in text, f"no palette hit shows {title!r}"
        await press(pilot, "escape")
