"""Feed health in words, with rates measured over the feed's real age."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.cli import main
from reader.health import feed_health
from reader.models import Entry, ParsedFeed
from reader.store import Store
from tests.server import FixtureServer


def test_a_young_feed_is_measured_over_its_own_age(tmp_path: Path) -> None:
    now = time.time()
    with Store(tmp_path / "newsreader.db") as store:
        feed, _ = store.add_feed("https://young.example/feed")
        entries = tuple(
            Entry(
                key=str(i),
                title=f"E{i}",
                published=datetime.fromtimestamp(now - i * 43200, UTC),  # every 12 hours
            )
            for i in range(7)  # the oldest three days ago
        )
        store.apply_update(feed.id, ParsedFeed("Young", entries=entries))
        [health] = feed_health(store, 60, now=now)
    assert health.rate_days == pytest.approx(3.0)
    assert health.entries_per_week == pytest.approx(7 / 3 * 7)  # not 7 / 4 over four weeks
    assert health.rate_text() == "16.3 entries a week (over 3 days)"
    assert health.as_json()["rate_window_days"] == 3.0


def test_health_text_says_in_words_what_has_not_happened_yet(
    server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = str(data_dir)
    assert main(["--data-dir", d, "add", server.url("feed.xml")]) == 0
    assert main(["--data-dir", d, "add", server.url("atom-full.xml"), "--no-fetch"]) == 0
    capsys.readouterr()
    assert main(["--data-dir", d, "health"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"{server.url('atom-full.xml')}  [no answer yet]  never fetched" in lines[0]
    assert lines[0].endswith("no conditional responses yet · no entries yet")
    fetched = next(line for line in lines if line.startswith("Signal Desk  [last 200]"))
    assert "1 fetch, 4 kB · no conditional responses yet" in fetched
    assert "304s" not in "\n".join(lines) and " - " not in "\n".join(lines)
    assert main(["--data-dir", d, "refresh", "--feed", server.url("feed.xml")]) == 0
    capsys.readouterr()
    main(["--data-dir", d, "health"])
    out = capsys.readouterr().out
    assert "2 fetches, 4 kB · 50% answered not modified (304)" in out
