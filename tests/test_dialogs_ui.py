"""Dialogs fit the terminal: at 80x24 every field Tab reaches is on screen and the buttons
are visible; at 120x40 and 200x60 nothing needs scrolling. Their texts stay literal."""

from __future__ import annotations

from pathlib import Path

from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Button, Input, OptionList, Select, Static, Switch

from reader.models import Feed
from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.screens.dialogs import ConfirmScreen, EditFeedScreen, removal_question
from reader.ui.widgets.feed_list import FeedList
from tests.server import FixtureServer, Route
from tests.uitools import make_app, screen_text, settle

HOSTILE = "[/] [@click=app.quit]x[/] [b]bold[/b]"


def one_feed(data_dir: Path, title: str = "Alpha") -> Path:
    db = data_dir / "newsreader.db"
    with Store(db) as store:
        store.add_feed("https://a.example/feed", title)
    return db


def visible(app: NewsReaderApp, region: Region) -> bool:
    """Is all of `region` on the screen and inside the dialog's body (not scrolled away)?"""
    body = app.screen.query_one("#dialog-body", VerticalScroll)
    return app.screen.region.contains_region(region) and body.region.contains_region(region)


def buttons_shown(app: NewsReaderApp, *ids: str) -> None:
    for id_ in ids:
        button = app.screen.query_one(f"#{id_}", Button)
        assert app.screen.region.contains_region(button.region), id_
        assert str(button.label).split(" ")[0] in screen_text(app)


async def open_settings(app: NewsReaderApp, pilot: Pilot[None]) -> None:
    """Highlight the first feed and press e, as a user would."""
    feeds = app.query_one(FeedList)
    feeds.select_feed(feeds.feeds[0].id)
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(app.screen, EditFeedScreen)


async def test_feed_settings_at_80x24_tab_reaches_only_visible_fields(data_dir: Path) -> None:
    store, app = make_app(one_feed(data_dir))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_settings(app, pilot)
        buttons_shown(app, "edit-save", "dialog-cancel")
        seen: list[str] = []
        for _ in range(12):
            focused = app.focused
            assert focused is not None and focused.id is not None
            if focused.id in seen:
                break
            seen.append(focused.id)
            if not isinstance(focused, Button):
                assert visible(app, focused.region), (focused.id, focused.region)
            else:
                assert app.screen.region.contains_region(focused.region)
            await pilot.press("tab")
            await pilot.pause()
        assert seen == [
            "edit-title",
            "edit-folder",
            "edit-url",
            "edit-minutes",
            "edit-mode",
            "edit-paused",
            "edit-save",
            "dialog-cancel",
        ]
        # Shift+Tab walks back up and the body follows.
        for _ in range(8):
            await pilot.press("shift+tab")
            await pilot.pause()
            focused = app.focused
            assert focused is not None
            if not isinstance(focused, Button):
                assert visible(app, focused.region), focused.id
        assert app.focused is app.screen.query_one("#edit-title", Input)
    store.close()


async def test_feed_settings_saved_with_the_button_at_80x24(data_dir: Path) -> None:
    db = one_feed(data_dir)
    store, app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_settings(app, pilot)
        app.screen.query_one("#edit-paused", Switch).value = True
        app.screen.query_one("#edit-mode", Select).value = "never"
        await pilot.click("#edit-save")
        await settle(pilot)
        assert not isinstance(app.screen, EditFeedScreen)
    store.close()
    with Store(db) as store:
        feed = store.list_feeds()[0]
        assert feed.paused and feed.full_article == "never"


async def test_feed_settings_fit_without_scrolling_when_there_is_room(data_dir: Path) -> None:
    db = one_feed(data_dir)
    for size in ((120, 40), (200, 60)):
        store, app = make_app(db)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await open_settings(app, pilot)
            body = app.screen.query_one("#dialog-body", VerticalScroll)
            assert body.max_scroll_y == 0, size
            buttons_shown(app, "edit-save", "dialog-cancel")
            assert "Paused" in screen_text(app)
            await pilot.press("escape")
            await settle(pilot)
        store.close()


async def test_add_feed_at_80x24(data_dir: Path) -> None:
    store, app = make_app(one_feed(data_dir))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        buttons_shown(app, "add-go", "dialog-cancel")
        assert visible(app, app.screen.query_one("#add-url", Input).region)
        app.screen.query_one("#add-url", Input).value = "ftp://nope"
        await pilot.click("#add-go")
        await pilot.pause()
        assert "Type an http(s) address." in screen_text(app)
        await pilot.click("#dialog-cancel")
        await settle(pilot)
        assert "Add a feed" not in screen_text(app)
    store.close()


async def test_confirm_takes_plain_text_or_content_literally(data_dir: Path) -> None:
    store, app = make_app(data_dir / "newsreader.db", show_sample=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        answers: list[bool | None] = []
        question = f"Remove {HOSTILE}?\nIts 3 starred entries go too."
        app.push_screen(ConfirmScreen(question, title="Remove feed"), answers.append)
        await pilot.pause()
        text = screen_text(app)
        assert f"Remove {HOSTILE}?" in text and "Its 3 starred entries go too." in text
        assert "Remove feed" in text
        buttons_shown(app, "confirm-yes", "confirm-no")
        await pilot.click("#confirm-no")
        await pilot.pause()
        app.push_screen(ConfirmScreen(Content(f"Drop {HOSTILE}")), answers.append)
        await pilot.pause()
        assert f"Drop {HOSTILE}" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        assert answers == [False, True]
        assert app.is_running
    store.close()


async def test_edit_dialog_shows_hostile_titles_and_urls_literally(data_dir: Path) -> None:
    store, app = make_app(data_dir / "newsreader.db", show_sample=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feed = Feed(id=1, url="https://x.example/[b]feed[/b]", title=HOSTILE)
        app.push_screen(EditFeedScreen(feed, HOSTILE))
        await pilot.pause()
        text = screen_text(app)
        assert f"Feed: {HOSTILE}" in text
        assert "https://x.example/[b]feed[/b]" in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
    store.close()


async def test_health_and_help_fit_at_80x24(data_dir: Path) -> None:
    # (A title the main screen itself can show: the panes are not this test's subject.)
    store, app = make_app(one_feed(data_dir, "[b]bold[/b] feed"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, body_id, words in (
            ("i", "#health-body", "[b]bold[/b] feed"),
            ("question_mark", "#help-body", "Keys"),
        ):
            await pilot.press(key)
            await settle(pilot)
            body = app.screen.query_one(body_id, VerticalScroll)
            assert app.screen.region.contains_region(body.region)
            assert words in screen_text(app)
            await pilot.press("escape")
            await settle(pilot)
    store.close()


def test_removal_question_says_starred_entries_go_too() -> None:
    assert removal_question("Desk", 12, 3) == (
        "Remove Desk and its 12 entries?\n3 of them are starred: they go too.\n"
        "Nothing else is touched."
    )
    assert "1 of them is starred: it goes too." in removal_question("Desk", 1, 1)
    assert "starred" not in removal_question("Desk", 5, 0)


async def look_up(pilot: Pilot[None], url: str) -> None:
    """Open the add box (a), give it `url` and look it up (Enter), as a user would."""
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
    pilot.app.screen.query_one("#add-url", Input).value = url
    await pilot.press("enter")
    await settle(pilot)


async def test_add_feed_found_list_at_80x24_and_subscribe_button(
    server: FixtureServer, data_dir: Path
) -> None:
    store, app = make_app(data_dir / "newsreader.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await look_up(pilot, server.url("index.html"))
        found = app.screen.query_one("#add-found", OptionList)
        assert app.focused is found and found.option_count == 2
        assert visible(app, found.region)
        buttons_shown(app, "add-go", "dialog-cancel")
        assert "Subscribe" in screen_text(app)
        await pilot.press("down")
        await settle(pilot)
        await pilot.click("#add-go")
        await settle(pilot)
        feeds = app.query_one(FeedList)
        assert [f.url for f in feeds.feeds] == [server.url("atom-full.xml")]
    store.close()


async def test_add_feed_shows_hostile_titles_and_the_error(
    server: FixtureServer, data_dir: Path
) -> None:
    page = (
        '<html><head><link rel="alternate" type="application/rss+xml" '
        f'title="{HOSTILE}" href="feed.xml"></head><body>hi</body></html>'
    ).encode()
    server.add_route("evil.html", Route(body=page, content_type="text/html"))
    server.add_route("gone.xml", Route(status=404, body=b"no"))
    store, app = make_app(data_dir / "newsreader.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        url = app.screen.query_one("#add-url", Input)
        url.value = server.url("evil.html")
        await pilot.press("enter")
        await settle(pilot)
        assert HOSTILE in screen_text(app)
        url.value = server.url("gone.xml")
        url.focus()
        await pilot.press("enter")
        await settle(pilot)
        status = str(app.screen.query_one("#add-status", Static).render())
        assert status == "HTTP 404 Not Found"
        assert app.is_running
    store.close()


async def test_subscribing_says_how_many_entries_came_in_words(
    server: FixtureServer, data_dir: Path
) -> None:
    """The status line after subscribing counts the feed's entries as a person would."""
    one = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>One story</title>'
        b"<item><title>Only</title><guid>o1</guid><description>x</description></item>"
        b"</channel></rss>"
    )
    server.add_route("one.xml", Route(body=one))
    store, app = make_app(data_dir / "newsreader.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await look_up(pilot, server.url("one.xml"))
        await pilot.press("enter")  # the one feed found: subscribe
        await settle(pilot)
        assert "Subscribed to One story: 1 entry" in screen_text(app)
        assert "1 entries" not in screen_text(app)
    store.close()
