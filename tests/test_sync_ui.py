"""The TUI with sync accounts: R syncs them (real tt-rss), the status line says what each
did, and the accounts view (Y) shows the last sync, a failure with its reason next to the
account, and which feeds belong to it; the feeds pane names a synced feed's account."""

from __future__ import annotations

import re
from pathlib import Path

from reader.config import Settings
from reader.models import Feed
from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.screens.accounts import AccountsScreen
from reader.ui.widgets.feed_list import feed_prompt
from tests.synctools import FEEDS, Kit, TtRssApi, free_port, reset_site, start_ttrss
from tests.uitools import screen_text, settle


def account(url: str) -> dict[str, str]:
    return {"type": "ttrss", "url": url, "user": "admin", "password_command": "echo password"}


async def test_r_syncs_and_the_accounts_view_shows_it(tmp_path: Path, kit: Kit) -> None:
    reset_site(kit)
    api = TtRssApi(start_ttrss(kit))
    api.subscribe(f"{kit.feeds_url}/{FEEDS[0]}")
    broken = f"http://127.0.0.1:{free_port()}/"
    settings = Settings(timeout=2.0, sync={"home": account(api.env["TTRSS_URL"]),
                                           "office": account(broken)})  # fmt: skip
    store = Store(tmp_path / "newsreader.db")
    try:
        app = NewsReaderApp(store, settings, show_sample=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("R")
            await settle(pilot)
            await app.workers.wait_for_complete()
            await settle(pilot)
            text = screen_text(app)
            assert "Sync home: 6 new entries" in text
            assert "Sync office: failed: connection refused" in text
            # The synced feed is in the feeds pane, with its account after it.
            assert re.search(r"⇅ Signal Desk · home\b", text), text
            await pilot.press("Y")
            await settle(pilot)
            assert isinstance(app.screen, AccountsScreen)
            shown = screen_text(app)
            assert "home · Tiny Tiny RSS" in shown and "office · Tiny Tiny RSS" in shown
            assert "⚠ sync failed" in shown and "connection refused" in shown
            assert "• Signal Desk (6 unread)" in shown
            assert "last sync never" in shown  # office never synced
            await pilot.press("escape")
            await settle(pilot)
            assert not isinstance(app.screen, AccountsScreen)
    finally:
        store.close()


def test_an_account_name_is_shown_as_text_never_markup() -> None:
    feed = Feed(id=1, url="https://example.org/feed", title="Feed", unread=2)
    prompt = feed_prompt(feed, account="[b red]x[/] $accent")
    assert prompt.plain.endswith("⇅ Feed · [b red]x[/] $accent")
