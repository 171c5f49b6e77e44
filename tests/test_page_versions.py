"""Versions of the page reader mode reads: a page fetched again that really changed, for an
entry already read, keeps its earlier text (source 'page'), marks the entry updated and
shows what changed, page against page. Through a loopback server serving a page that
changes between two reader-mode reads, the CLI, and the TUI."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList, Static

import reader.store as store_module
from reader.cli import main
from reader.config import Settings
from reader.models import Article, Entry, ParsedFeed
from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.screens.rules import ChangesScreen
from tests.server import FixtureServer, Route
from tests.uitools import screen_text, settle, subscribe

HTML = "text/html; charset=utf-8"


def page(
    said: str = "ready",
    *,
    stamp: str = "10:40",
    link: str = "http://example.org/report?utm_source=feed",
    gap: str = " ",
    title: str = "Bridge plan",
) -> bytes:
    """The story's page: four paragraphs, one with the words that change, one with a time
    and one with a link."""
    paragraphs = [
        "The council met on Tuesday evening to discuss the new bridge over the river,"
        " which has been delayed for three years.",
        f"The mayor said the money was{gap}{said} and that work would begin before winter.",
        f'Residents asked about the noise and traffic. <a href="{link}">Read the report</a>.',
        f"Last updated at {stamp}. A second meeting is planned for next month, when the"
        " engineers will present the final design to the public.",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}"
        "</article></body></html>"
    ).encode()


def feed(story_url: str, summary: str = "The council discussed the bridge.") -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Town news</title>'
        f"<item><guid>bridge</guid><title>Bridge plan</title><link>{story_url}</link>"
        f"<description>{summary}</description></item></channel></rss>"
    ).encode()


def serve_page(server: FixtureServer, body: bytes) -> None:
    server.routes["/story.html"] = Route(body=body, content_type=HTML)


def nr(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str]:
    code = main(["--data-dir", str(data_dir), *argv])
    return code, capsys.readouterr().out


def the_entry(capsys: pytest.CaptureFixture[str], data_dir: Path) -> dict[str, Any]:
    code, out = nr(capsys, data_dir, "entries", "--json")
    assert code == 0
    [row] = json.loads(out)
    assert isinstance(row, dict)
    return row


@pytest.fixture
def utc() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as m:
        m.setenv("TZ", "UTC")
        time.tzset()
        yield
    time.tzset()


@pytest.fixture
def town(server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A feed whose one story links to a page on the server; the story is read."""
    serve_page(server, page())
    server.add_route("feed.xml", Route(body=feed(server.url("story.html"))))
    assert nr(capsys, data_dir, "add", server.url("feed.xml"))[0] == 0
    assert nr(capsys, data_dir, "mark-read", "--all")[0] == 0
    return data_dir


def read_page(
    capsys: pytest.CaptureFixture[str], data_dir: Path, server: FixtureServer, *extra: str
) -> None:
    assert nr(capsys, data_dir, "read", server.url("story.html"), *extra)[0] == 0


def test_the_first_extraction_is_not_a_change(
    server: FixtureServer, town: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The feed's summary is nothing like the page: the page is not compared with it."""
    assert main(["--data-dir", str(town), "read", server.url("story.html")]) == 0
    assert "changed" not in capsys.readouterr().err
    row = the_entry(capsys, town)
    assert row["versions"] == 0 and row["updated_story"] is None
    code, out = nr(capsys, town, "diff", str(row["id"]))
    assert code == 1 and "has not changed" in out


def test_a_changed_page_keeps_its_earlier_text_and_diff_shows_the_words(
    server: FixtureServer, town: Path, capsys: pytest.CaptureFixture[str], utc: None
) -> None:
    read_page(capsys, town, server)
    serve_page(server, page("not there yet", title="Bridge plan delayed"))
    assert main(["--data-dir", str(town), "read", server.url("story.html"), "--refresh"]) == 0
    said = capsys.readouterr()
    assert "money was not there yet" in said.out
    row = the_entry(capsys, town)
    assert f"the page changed since entry {row['id']} was read" in said.err
    assert row["versions"] == 1 and row["updated_story"] is not None
    assert row["read"] is True  # unread again only where unread_when_updated says
    code, out = nr(capsys, town, "diff", str(row["id"]))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("the page (reader mode): version of 20")
    assert " -> current version of 20" in lines[0]
    assert lines[1] == "title: Bridge plan {+delayed+}"
    assert "The mayor said the money was [-ready-] {+not there yet+} and" in lines[2]
    assert "bridge" not in lines[2].split("[-")[0][:10]  # the page's words, not the feed's
    assert "The council discussed" not in out
    # The feed's own text has not changed: asked for, it says so.
    code, out = nr(capsys, town, "diff", str(row["id"]), "--source", "feed")
    assert code == 1 and "the feed's text of entry" in out


@pytest.mark.parametrize(
    "changed",
    [
        page(gap="   \n  "),
        page(stamp="11:02"),
        page(link="http://example.org/report?utm_source=mail&fbclid=abc"),
    ],
    ids=["whitespace", "timestamp", "tracking-parameter"],
)
def test_a_trivial_change_of_the_page_keeps_no_version(
    server: FixtureServer, town: Path, capsys: pytest.CaptureFixture[str], changed: bytes
) -> None:
    read_page(capsys, town, server)
    serve_page(server, changed)
    read_page(capsys, town, server, "--refresh")
    row = the_entry(capsys, town)
    assert row["versions"] == 0 and row["updated_story"] is None
    assert nr(capsys, town, "diff", str(row["id"]))[0] == 1


def test_an_unread_entry_keeps_no_page_version_as_for_a_feed_rewrite(
    server: FixtureServer, town: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A feed's rewrite of an unread entry keeps nothing (there is no earlier reading to
    compare with); so does a page's. The next change is then compared with the newer
    page."""
    read_page(capsys, town, server)
    row = the_entry(capsys, town)
    with Store(town / "newsreader.db") as store:
        store.set_read(row["id"], False)
    serve_page(server, page("spent"))
    read_page(capsys, town, server, "--refresh")  # then reads the story
    row = the_entry(capsys, town)
    assert row["versions"] == 0 and row["updated_story"] is None
    serve_page(server, page("found again"))
    read_page(capsys, town, server, "--refresh")
    code, out = nr(capsys, town, "diff", str(row["id"]))
    assert code == 0
    assert "[-spent-] {+found again+}" in out


def test_feed_and_page_versions_are_told_apart_and_bounded_together(
    server: FixtureServer, town: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (town / "config.toml").write_text("versions_per_entry = 3\n")
    read_page(capsys, town, server)
    server.routes["/feed.xml"] = Route(body=feed(server.url("story.html"), "Bridge delayed."))
    assert nr(capsys, town, "refresh")[0] == 0
    serve_page(server, page("gone"))
    read_page(capsys, town, server, "--refresh")
    row = the_entry(capsys, town)
    assert row["versions"] == 2  # entries --json counts both
    code, out = nr(capsys, town, "diff", str(row["id"]))
    assert code == 0 and out.startswith("the page (reader mode): ")
    code, out = nr(capsys, town, "diff", str(row["id"]), "--source", "feed")
    assert code == 0 and out.startswith("the feed's text: ")
    assert "[-The council discussed the bridge.-] {+Bridge delayed.+}" in out
    for said in ("lost", "found", "spent"):
        serve_page(server, page(said))
        read_page(capsys, town, server, "--refresh")
    row = the_entry(capsys, town)
    assert row["versions"] == 3  # versions_per_entry counts page and feed versions
    with Store(town / "newsreader.db") as store:
        sources = [v.source for v in store.entry_versions(row["id"])]
        assert sources == ["page", "page", "page"]  # the oldest (the feed's) went first
        assert store.prune_versions(0) == 3  # the total size bound covers them all


def test_a_page_change_can_make_the_entry_unread(
    server: FixtureServer, town: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """unread_when_updated applies to a page change as to a feed's rewrite (the service
    reads the entry unread again; `newsreader read` then reads it)."""
    (town / "config.toml").write_text('unread_when_updated = ["*"]\n')
    read_page(capsys, town, server)
    serve_page(server, page("short"))
    with Store(town / "newsreader.db") as store:
        import asyncio

        from reader.config import load_settings
        from reader.service import FeedService

        service = FeedService(store, load_settings(town / "config.toml"))
        result = asyncio.run(service.read_page(server.url("story.html"), refresh=True))
        [entry_id] = result.updated
        entry = store.get_entry(entry_id)
        assert entry is not None and not entry.read and entry.story_updated is not None


def _old_page(store: Store, entry_id: int, url: str, article_json: str, text: str) -> None:
    """Reader mode's page as schema 20 kept it: cached, and its text for the entry (in the
    search index too, which is told the words an entry had to take it out)."""
    conn = store._conn
    with conn:
        conn.execute(
            "INSERT INTO pages (url, article, fetched, used) VALUES (?, ?, 1e9, 1e9)",
            (url, article_json),
        )
        conn.execute(
            "INSERT INTO entries_fts (entries_fts, rowid, title, author, body)"
            " SELECT 'delete', id, title, author, nr_plain_text(content, summary)"
            " FROM entries WHERE id = ?",
            (entry_id,),
        )
        conn.execute("INSERT INTO entry_pages (entry_id, text) VALUES (?, ?)", (entry_id, text))
        conn.execute(
            "INSERT INTO entries_fts (rowid, title, author, body, page)"
            " SELECT id, title, author, nr_plain_text(content, summary), ? FROM entries"
            " WHERE id = ?",
            (text, entry_id),
        )


def test_a_store_from_before_page_versions_marks_its_versions_as_the_feeds(tmp_path: Path) -> None:
    """A store from schema 20 (before page versions): its versions are the feed's, and its
    page text gets the cached page's title and time, so the next extraction compares like
    with like. A cached page whose JSON is unreadable leaves the title unknown (and not
    compared)."""
    path = tmp_path / "n.db"
    with pytest.MonkeyPatch.context() as m:
        m.setattr(store_module, "SCHEMA_VERSION", 20)
        with Store(path) as old:
            feed_row, _ = old.add_feed("http://town/")

            def update(summary: str) -> None:
                entries = (
                    Entry(key="1", title="Bridge", summary=summary, link="http://t/1"),
                    Entry(key="2", title="Ferry", summary="Ferry words", link="http://t/2"),
                )
                old.apply_update(feed_row.id, ParsedFeed("Town", entries=entries))

            update("Old words")
            bridge, ferry = sorted(old.list_entries(feed_row.id), key=lambda e: e.key)
            assert bridge.id is not None and ferry.id is not None
            old.set_read(bridge.id, True)
            old.set_read(ferry.id, True)
            update("New words")
            article = Article(url="http://t/1", title="Bridge plan", body_html="<p>Page words</p>")
            _old_page(
                old, bridge.id, "http://t/1", store_module._article_json(article), "Page words"
            )
            _old_page(old, ferry.id, "http://t/2", "{not json", "Ferry page")
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT count(*) FROM entry_versions").fetchone()[0] == 1
    raw.close()
    with Store(path) as store:
        [version] = store.entry_versions(bridge.id)
        assert version.source == "feed" and version.summary == "Old words"
        page_now = store.current_text(bridge.id, "page")
        assert page_now is not None and page_now.title == "Bridge plan"
        assert page_now.text == "Page words" and page_now.since == 1e9
        feed_now = store.current_text(bridge.id, "feed")
        assert feed_now is not None and feed_now.since == pytest.approx(version.replaced)
        # The same words, spaced otherwise, are no change; new words are.
        same = Article(url="http://t/1", title="Bridge plan", body_html="<p>Page  words</p>")
        assert store.put_page("http://t/1", same) == ()
        moved = Article(url="http://t/1", title="Bridge plan", body_html="<p>Page moved</p>")
        assert store.put_page("http://t/1", moved) == (bridge.id,)
        assert [v.source for v in store.entry_versions(bridge.id)] == ["feed", "page"]
        ferry_page = store.current_text(ferry.id, "page")
        assert ferry_page is not None and ferry_page.title == "" and ferry_page.since == 1e9
        titled = Article(url="http://t/2", title="Ferry times", body_html="<p>Ferry page</p>")
        assert store.put_page("http://t/2", titled) == ()


async def test_the_tui_marks_the_story_updated_and_shows_the_page_diff(
    server: FixtureServer, tmp_path: Path, utc: None
) -> None:
    """Reading the story fetches its page (the first extraction: nothing to compare);
    `f` after the page changed fetches it again: the entry is marked updated and `C`
    shows the page's words that changed, with the times of both versions."""
    serve_page(server, page())
    server.add_route("feed.xml", Route(body=feed(server.url("story.html"))))
    db = tmp_path / "newsreader.db"
    await subscribe(db, server.url("feed.xml"))
    with Store(db) as store:
        app = NewsReaderApp(store, Settings(timeout=2.0, unread_when_updated=("*",)))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("enter", "enter")
            await settle(pilot)
            assert "The mayor said the money was ready" in screen_text(app)
            assert "↻ updated" not in screen_text(app)
            serve_page(server, page("not there yet"))
            await pilot.press("f")
            await settle(pilot)
            text = screen_text(app)
            assert "The mayor said the money was not there yet" in text
            assert "Page changed since you read it (earlier text kept): C shows what" in text
            [row] = [line for line in text.splitlines() if "↻ updated" in line]
            assert "●" in row  # unread again, as unread_when_updated says
            await pilot.press("C")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ChangesScreen)
            versions = screen.query_one("#changes-versions", OptionList)
            labels = [str(versions.get_option_at_index(i).prompt) for i in range(2)]
            assert versions.option_count == 2
            assert labels[0].startswith("Page (reader mode) · version of 20")
            assert labels[1].startswith("Page (reader mode) · Current version, since 20")
            diff = screen.query_one("#changes-diff", Static).render()
            lines = str(diff).splitlines()
            assert lines[0].startswith("Page (reader mode) · changes from the version of 20")
            assert lines[1].startswith("to the current version, since 20")
            kinds = {str(span.style) for span in diff.spans}  # type: ignore[union-attr]
            assert any("strike" in style for style in kinds)  # "ready" struck out
            assert any("$text-success" in style for style in kinds)  # "not there yet"
            assert "ready not there yet" in str(diff)
            assert "The council discussed" not in str(diff)  # the feed's text is not in it
