"""Full-text search: ranking, snippets, scope, and the index kept in step with the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.config import Settings
from reader.models import Article, Entry, ParsedFeed
from reader.store import Store, fts_query
from reader.ui.app import NewsReaderApp
from reader.ui.widgets.entry_list import EntryList
from reader.ui.widgets.feed_list import FeedList
from tests.server import FixtureServer
from tests.uitools import screen_text, settle, subscribe


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "n.db")
    tech, _ = s.add_feed("http://tech/")
    s.update_feed(tech.id, folder="Tech")
    news, _ = s.add_feed("http://news/")
    s.apply_update(
        tech.id,
        ParsedFeed(
            "Tech",
            entries=(
                Entry(key="1", title="Quantum computers arrive", content="<p>Qubits.</p>"),
                Entry(
                    key="2",
                    title="Weekly digest",
                    author="Ada",
                    content="<p>Also: a note on <b>quantum</b> error correction.</p>",
                    link="http://tech/2",
                ),
            ),
        ),
    )
    s.apply_update(
        news.id,
        ParsedFeed(
            "News",
            entries=(Entry(key="3", title="Élections municipales", summary="Résultats"),),
        ),
    )
    return s


def test_title_matches_rank_above_body_matches(store: Store) -> None:
    hits = store.search("quantum")
    assert [h.entry.title for h in hits] == ["Quantum computers arrive", "Weekly digest"]
    assert "\ue000quantum\ue001" in hits[1].snippet.lower()
    assert hits[0].rank < hits[1].rank  # bm25: lower is better


def test_prefix_while_typing_and_diacritics(store: Store) -> None:
    assert [h.entry.title for h in store.search("quant")] != []
    assert [h.entry.title for h in store.search("elections")] == ["Élections municipales"]
    assert store.search("ada")[0].entry.title == "Weekly digest"  # author


def test_scope_feed_and_folder(store: Store) -> None:
    news = store.get_feed_by_url("http://news/")
    assert news is not None
    assert store.search("quantum", feed_ids=[news.id]) == []
    assert len(store.search("quantum", folder="Tech")) == 2


def test_index_follows_updates_deletes_and_pages(store: Store) -> None:
    tech = store.get_feed_by_url("http://tech/")
    assert tech is not None
    store.apply_update(
        tech.id, ParsedFeed("Tech", entries=(Entry(key="1", title="Photonic chips"),))
    )
    assert [h.entry.title for h in store.search("photonic")] == ["Photonic chips"]
    assert [h.entry.title for h in store.search("quantum")] == ["Weekly digest"]
    # Reader mode's extracted page text is searchable too.
    store.put_page(
        "http://tech/2", Article(url="http://tech/2", title="x", body_html="<p>Topology</p>")
    )
    assert [h.entry.title for h in store.search("topology")] == ["Weekly digest"]
    store.remove_feed(tech.id)
    assert store.search("quantum") == [] and store.search("topology") == []


def test_query_syntax_is_never_interpreted(store: Store) -> None:
    for text in ('"', "NEAR(a b)", "title:x", "a OR", "*", "-x", "(", "AND", "^foo"):
        store.search(text)  # never an FTS syntax error
    assert fts_query('quantum" OR title:x') == '"quantum" "OR" "title" "x"*'
    assert fts_query("  ") == ""


async def test_search_from_the_tui_and_the_cli(
    server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = data_dir / "newsreader.db"
    await subscribe(db, server.url("feed.xml"), server.url("atom-full.xml"))
    store = Store(db)
    app = NewsReaderApp(store, Settings(timeout=2.0))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.query_one(FeedList).highlighted = 0  # All unread: search everywhere
        await settle(pilot)
        await pilot.press("slash")
        await pilot.press(*"dragnet")

        await pilot.pause(0.3)
        await settle(pilot)
        entries = app.query_one(EntryList)
        # Only the Atom feed carries the full text with that heading.
        assert [e.title for e in entries.entries] == [
            "When Social Security Becomes Immigration Enforcement"
        ]
        assert "The Expanding Dragnet This directive" in screen_text(app)
        await pilot.press("ctrl+s")  # keep it as a virtual feed
        await settle(pilot)
        feeds = app.query_one(FeedList)
        saved = [row for row in feeds.option_rows if row.kind == "search"]
        assert [row.title for row in saved] == ["dragnet"]
        await pilot.press("enter")  # to the results
        await settle(pilot)
        assert app.focused is entries
        await pilot.press("escape")  # back to the list it came from
        await settle(pilot)
        assert len(entries.entries) == 6  # All unread: six stories, each in both feeds
        # The saved search lists its results like a feed, and d forgets it.
        feeds.focus()
        feeds.highlighted = feeds.option_rows.index(saved[0])
        await settle(pilot)
        assert [e.title for e in entries.entries] == [
            "When Social Security Becomes Immigration Enforcement"
        ]
        await pilot.press("d")
        await settle(pilot)
        assert not [row for row in feeds.option_rows if row.kind == "search"]
    store.close()

    from reader.cli import main

    assert main(["--data-dir", str(data_dir), "search", "teen mode", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["title"] == "Discord defaults every user to teen mode"
    assert set(rows[0]) >= {"id", "rank", "title", "feed", "link", "snippet"}
