"""Rows of lists across feeds: the title first and whole where it fits, then a feed column
wide enough to tell feeds apart when there is room, and `+N` always in view."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from reader.models import Entry
from reader.ui.widgets.entry_list import FEED_COLUMN, entry_prompt, feed_column
from tests.server import FixtureServer
from tests.uitools import make_app, screen_text, settle, subscribe

TITLE = "When Social Security Becomes Immigration Enforcement"


def _entry(feed: str) -> Entry:
    entry = Entry(key="1", title=TITLE, published=datetime(2025, 11, 21, tzinfo=UTC))
    return replace(entry, feed_title=feed, also_in=("Other",))


def test_the_feed_column_grows_only_where_every_title_fits() -> None:
    rows = [_entry("Signal Desk (full text)"), _entry("Signal Desk")]
    wide = feed_column(rows, 86)  # the entries pane at 120 columns
    assert FEED_COLUMN < wide < len("Signal Desk (full text)")
    prompt = entry_prompt(rows[0], True, "", 86, wide).plain
    assert TITLE in prompt and "Signal Desk (" in prompt and prompt.endswith("+1")
    assert feed_column(rows, 200) == len("Signal Desk (full text)")


def test_a_narrow_row_keeps_room_for_the_title_and_the_mark() -> None:
    entry = _entry("Signal Desk (full text)")
    for width in (50, 54, 60, 70):
        prompt = entry_prompt(entry, True, "", width, feed_column([entry], width))
        assert prompt.cell_length <= width and prompt.plain.endswith("+1")
        assert prompt.plain.index("Signal") - len("●  2025-11-21  ") >= 24, prompt.plain


async def test_plus_marks_stay_in_view_at_80x24(server: FixtureServer, data_dir: Path) -> None:
    """Six rows in four lines: the scrollbar that appears must not push `+1` out."""
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("feed.xml"), server.url("atom-full.xml"))
    store, app = make_app(db)
    store.set_state("last_source", "virtual:unread")  # All unread, as after a restart
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        rows = [line for line in screen_text(app).splitlines() if "2025-11-" in line]
        assert len(rows) >= 3 and all("+1" in row for row in rows), rows
    store.close()
