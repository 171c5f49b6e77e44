"""Screen tests: what the main screen draws with the lead article open, wide and narrow.

These read the rendered terminal lines (the same cells a user sees), so they fail when a
pane overflows, is hidden, or shows the wrong text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.config import Settings
from reader.store import Store
from reader.ui.app import NewsReaderApp
from tests.server import FixtureServer
from tests.uitools import HEADINGS, LEAD, screen_text, settle, subscribe


async def draw_lead(db: Path, size: tuple[int, int]) -> list[str]:
    store = Store(db)
    app = NewsReaderApp(store, Settings(timeout=2.0))
    try:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            return screen_text(app).splitlines()
    finally:
        store.close()


def line_with(lines: list[str], text: str) -> int:
    return next(i for i, line in enumerate(lines) if text in line)


@pytest.mark.parametrize("size", [(200, 60), (120, 40), (80, 24)])
async def test_main_screen_with_lead_article(
    server: FixtureServer, data_dir: Path, size: tuple[int, int]
) -> None:
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("atom-full.xml"))
    lines = await draw_lead(db, size)
    width, height = size
    assert len(lines) == height
    assert all(len(line) <= width for line in lines)
    text = "\n".join(lines)

    # Pane titles, the footer's main keys.
    for title in ("Entries", "Article", "Outline", "Related links"):
        assert title in text
    assert "Refresh" in lines[-1] and "Quit" in lines[-1]

    # The article: title (may wrap) and the first section.
    assert "When Social Security Becomes" in text
    assert "The Safe Space That Isn't" in text

    # The outline lists the four headings, one per line, in order.
    rows = [line_with(lines, heading) for heading in HEADINGS]
    assert rows == sorted(rows)

    # The related-links pane starts with the first related article, numbered.
    assert "1. Discord defaults" in text

    if width >= 200:
        # Very wide: the feeds pane stays beside everything.
        assert "Feeds" in text
        assert "Signal Desk (full text)" in text
    else:
        # The feeds pane folds away while reading, so the article keeps its width.
        assert "Feeds" not in text
    if width >= 100:
        assert LEAD in text  # the entry row fits on one line
