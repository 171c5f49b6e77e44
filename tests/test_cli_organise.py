"""The headless commands for cron and scripts, run as the real console script in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.server import FixtureServer

NEWSREADER = [sys.executable, "-m", "reader"]


def nr(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [*NEWSREADER, "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
        env=env,
    )


def test_subscribe_list_entries_mark_remove(server: FixtureServer, data_dir: Path) -> None:
    # A web page offering two feeds: the CLI lists them and asks; --choose picks one.
    page = server.url("index.html")
    asked = nr(data_dir, "add", page)
    assert asked.returncode == 2
    assert "1. Signal Desk [rss]" in asked.stdout
    assert "2. Signal Desk (full text) [atom]" in asked.stdout
    assert "--choose" in asked.stderr
    added = nr(data_dir, "add", page, "--choose", "2", "--folder", "News/Tech")
    assert added.returncode == 0, added.stderr
    assert f"subscribed: {server.url('atom-full.xml')}" in added.stdout
    assert "6 new" in added.stdout
    again = nr(data_dir, "add", server.url("atom-full.xml"))
    assert again.returncode == 0 and "already subscribed" in again.stdout
    assert nr(data_dir, "add", server.url("feed.xml")).returncode == 0

    listed = json.loads(nr(data_dir, "list", "--json").stdout)
    assert {(f["url"], f["folder"], f["unread"]) for f in listed} == {
        (server.url("atom-full.xml"), "News/Tech", 6),
        (server.url("feed.xml"), "", 6),
    }
    assert set(listed[0]) >= {"url", "title", "folder", "unread", "last_status", "last_error"}
    # Both feeds carry the same six stories: each counts once.
    assert nr(data_dir, "unread").stdout.strip() == "6"

    rows = json.loads(nr(data_dir, "entries", "--feed", server.url("feed.xml"), "--json").stdout)
    assert len(rows) == 6
    assert set(rows[0]) == {
        "versions",
        "updated_story",
        "id",
        "feed_url",
        "feed",
        "also_in",
        "title",
        "link",
        "author",
        "published",
        "read",
        "starred",
        "enclosures",
    }
    assert rows[0]["enclosures"] == []
    assert rows[0]["title"] == "When Social Security Becomes Immigration Enforcement"
    assert rows[0]["feed_url"] == server.url("feed.xml")
    plain = nr(data_dir, "entries", "--unread").stdout.strip().splitlines()
    assert len(plain) == 6

    marked = nr(data_dir, "mark-read", "--feed", server.url("feed.xml"))
    assert marked.returncode == 0 and "marked 6 stories read" in marked.stdout
    # The Atom feed carries the same six stories: their copies are read too.
    assert nr(data_dir, "unread").stdout.strip() == "0"
    assert nr(data_dir, "mark-read", "--feed", server.url("feed.xml")).returncode == 0
    assert nr(data_dir, "mark-read", "--all").returncode == 0
    assert nr(data_dir, "unread").stdout.strip() == "0"

    refreshed = nr(data_dir, "refresh", "--folder", "News")
    assert refreshed.returncode == 0
    assert refreshed.stdout.strip().splitlines() == ["Signal Desk (full text): not modified"]
    assert nr(data_dir, "unread").stdout.strip() == "0"  # read state survives a refresh

    removed = nr(data_dir, "remove", server.url("feed.xml"))
    assert removed.returncode == 0 and "6 entries" in removed.stdout
    assert len(json.loads(nr(data_dir, "list", "--json").stdout)) == 1
    assert nr(data_dir, "remove", server.url("feed.xml")).returncode == 2


def test_usage_errors_exit_2(data_dir: Path) -> None:
    assert nr(data_dir, "mark-read").returncode == 2
    assert nr(data_dir, "nonsense").returncode == 2
    assert nr(data_dir, "add", "javascript:alert(1)").returncode == 2
    assert nr(data_dir, "refresh", "--feed", "http://not.subscribed/").returncode == 2


def test_preview_does_not_subscribe(server: FixtureServer, data_dir: Path) -> None:
    shown = nr(data_dir, "preview", server.url("feed.xml"))
    assert shown.returncode == 0
    lines = shown.stdout.strip().splitlines()
    assert lines[0] == "Signal Desk"
    assert "When Social Security Becomes Immigration Enforcement" in lines[1]
    assert json.loads(nr(data_dir, "list", "--json").stdout) == []
    # A page that offers feeds: preview lists them and shows the first (or the chosen one).
    page = nr(data_dir, "preview", server.url("index.html"), "--limit", "1")
    assert page.returncode == 0
    assert page.stdout.splitlines() == [
        f"{server.url('index.html')} offers 2 feeds:",
        f"* 1. Signal Desk [rss] {server.url('feed.xml')}",
        f"  2. Signal Desk (full text) [atom] {server.url('atom-full.xml')}",
        "",
        "Signal Desk",
        lines[1],
    ]
    chosen = nr(data_dir, "preview", server.url("index.html"), "--choose", "2")
    assert chosen.returncode == 0
    assert "\nSignal Desk (full text)\n" in chosen.stdout
    assert nr(data_dir, "preview", server.url("index.html"), "--choose", "3").returncode == 2
    assert json.loads(nr(data_dir, "list", "--json").stdout) == []


def test_opml_export_import_round_trip(server: FixtureServer, tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    nr(first, "add", server.url("feed.xml"), "--folder", "Politics", "--no-fetch")
    nr(first, "add", server.url("atom-full.xml"), "--no-fetch")
    out = tmp_path / "subs.opml"
    exported = nr(first, "export", str(out))
    assert exported.returncode == 0
    assert b"xmlUrl" in out.read_bytes()

    imported = nr(second, "import", str(out))
    assert imported.returncode == 0
    assert "2 added, 0 already present, 0 invalid" in imported.stdout
    again = nr(second, "import", str(out))
    assert "0 added, 2 already present" in again.stdout
    feeds = {f["url"]: f["folder"] for f in json.loads(nr(second, "list", "--json").stdout)}
    assert feeds == {server.url("feed.xml"): "Politics", server.url("atom-full.xml"): ""}
