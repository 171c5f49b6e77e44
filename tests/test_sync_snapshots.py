"""The sync accounts view (Y), and the feeds pane naming a synced feed's account, as SVG
snapshots at three sizes, like tests/test_snapshots.py: the sample store, with the sample's
summary feed belonging to an account whose last sync worked, and a second account whose
last sync failed (times pinned, in UTC)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reader.config import Settings
from reader.sync import local
from reader.ui.app import NewsReaderApp
from tests.test_snapshots import SIZES, SUMMARY_FEED, _opening, _sample_store

SYNCED = 1_763_740_800.0  # 2025-11-21 16:00 UTC
FAILED = 1_763_744_400.0  # 2025-11-21 17:00 UTC


def _account(kind: str, url: str) -> dict[str, str]:
    return {"type": kind, "url": url, "user": "me", "password_command": "pass show rss"}


@pytest.fixture
def accounts_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[NewsReaderApp]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    store = _sample_store(tmp_path / "newsreader.db")
    local.ensure_account(store, "home", "ttrss")
    local.ensure_account(store, "phone", "fever")
    feed = store.get_feed_by_url(SUMMARY_FEED)
    assert feed is not None
    with store._conn:  # pinned times, and the feed as the server's (no public way to fake it)
        store._conn.execute(
            "INSERT INTO sync_feeds (feed_id, account, remote_id) VALUES (?, 'home', '7')",
            (feed.id,),
        )
        store._conn.execute(
            "UPDATE sync_accounts SET last_sync = ?, last_attempt = ? WHERE name = 'home'",
            (SYNCED, SYNCED),
        )
        store._conn.execute(
            "UPDATE sync_accounts SET last_attempt = ?, last_error = ? WHERE name = 'phone'",
            (FAILED, "the Fever server refused the email or password"),
        )
    settings = Settings(
        timeout=2.0,
        sync={
            "home": _account("ttrss", "https://rss.example.org/tt-rss/"),
            "phone": _account("fever", "https://fever.example.org/fever/"),
        },
    )
    try:
        yield NewsReaderApp(store, settings, show_sample=True)
    finally:
        store.close()
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_accounts_view_looks_as_before(
    snap_compare: Callable[..., bool], accounts_app: NewsReaderApp, size: tuple[int, int]
) -> None:
    assert snap_compare(accounts_app, terminal_size=size, run_before=_opening(("Y",)))


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_feeds_pane_names_the_account_of_a_synced_feed(
    snap_compare: Callable[..., bool], accounts_app: NewsReaderApp, size: tuple[int, int]
) -> None:
    assert snap_compare(accounts_app, terminal_size=size, run_before=_opening(()))
