"""Sync with a real Tiny Tiny RSS (../shared/servers/ttrss), both directions, checked by
asking the server; offline through a proxy that is stopped and started."""

from __future__ import annotations

import io
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reader.article.from_entry import article_from_entry
from reader.article.render import render_article
from reader.config import load_settings
from reader.sync.ttrss import TtRss
from tests.synccli import entries_by_link, nr, store
from tests.synctools import FEEDS, Kit, Proxy, TtRssApi, reset_site, serve_text, start_ttrss

PASSWORD_CMD = "echo cGFzc3dvcmQ= | base64 -d"  # "password", not written in the config


@pytest.fixture
def ttrss(kit: Kit) -> TtRssApi:
    """A tt-rss reset to empty with the seed site's feed.xml subscribed and fetched."""
    reset_site(kit)
    api = TtRssApi(start_ttrss(kit))
    api.subscribe(f"{kit.feeds_url}/{FEEDS[0]}")
    return api


def add_account(data_dir: Path, api: TtRssApi, url: str | None = None) -> None:
    run = nr(data_dir, "account", "add", "ttrss", url or api.env["TTRSS_URL"], "--user",
             "admin", "--password-command", PASSWORD_CMD)  # fmt: skip
    assert run.code == 0, run.err


@pytest.fixture
def synced(data_dir: Path, ttrss: TtRssApi) -> Path:
    add_account(data_dir, ttrss)
    run = nr(data_dir, "sync")
    assert run.code == 0, run.err
    return data_dir


def test_account_add_checks_the_password_and_stores_no_secret(
    data_dir: Path, ttrss: TtRssApi
) -> None:
    url = ttrss.env["TTRSS_URL"]
    wrong = nr(data_dir, "account", "add", "ttrss", url, "--user", "admin",
               "--password-command", "echo nope")  # fmt: skip
    assert wrong.code == 1 and "refused the user name or password" in wrong.err
    assert load_settings(data_dir / "config.toml").sync == {}
    add_account(data_dir, ttrss)
    config = (data_dir / "config.toml").read_text()
    assert "[sync.ttrss]" in config and "password_command" in config
    assert '"password"' not in config and "password =" not in config
    listed = nr(data_dir, "account", "list", "--json").json()
    assert [(a["name"], a["type"], a["user"]) for a in listed] == [("ttrss", "ttrss", "admin")]
    assert nr(data_dir, "account", "test", "ttrss").code == 0
    again = nr(data_dir, "account", "add", "ttrss", url, "--user", "admin",
               "--password-command", PASSWORD_CMD)  # fmt: skip
    assert again.code == 1 and "already an account" in again.err


def test_a_piped_password_is_kept_only_when_asked_in_a_private_file(
    data_dir: Path, ttrss: TtRssApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("password\n"))
    run = nr(data_dir, "account", "add", "ttrss", ttrss.env["TTRSS_URL"], "--user", "admin",
             "--name", "home", "--store-password")  # fmt: skip
    assert run.code == 0, run.err
    secrets = data_dir / "sync-secrets.json"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    config = (data_dir / "config.toml").read_text()
    assert (
        '"password"' not in config
        and load_settings(data_dir / "config.toml").sync["home"]["password_store"] == "file"
    )
    assert nr(data_dir, "sync", "--account", "home").code == 0
    assert nr(data_dir, "account", "remove", "home").code == 0
    assert "home" not in secrets.read_text()


def test_not_a_ttrss_server_is_refused(data_dir: Path, kit: Kit) -> None:
    run = nr(data_dir, "account", "add", "ttrss", kit.feeds_url + "/", "--user", "admin",
             "--password-command", PASSWORD_CMD)  # fmt: skip
    assert run.code == 1 and "account not added" in run.err
    assert nr(data_dir, "account", "list", "--json").json() == []


def test_first_sync_pulls_feeds_folders_entries_and_state(
    data_dir: Path, ttrss: TtRssApi, kit: Kit
) -> None:
    ttrss.sql("INSERT INTO ttrss_feed_categories (owner_uid, title) VALUES (1, 'News')")
    ttrss.sql(
        "UPDATE ttrss_feeds SET cat_id = (SELECT id FROM ttrss_feed_categories WHERE title='News')"
        f" WHERE feed_url = '{kit.feeds_url}/feed.xml'"
    )
    links = sorted(ttrss.articles())
    ttrss.set(links[0], "read", True)
    ttrss.set(links[1], "starred", True)
    add_account(data_dir, ttrss)
    run = nr(data_dir, "sync", "--json")
    assert run.code == 0, run.err
    report = run.json()[0]
    assert report["ok"] and report["new_entries"] == 6 and report["feeds_added"] == 1
    listed = {f["url"]: f for f in nr(data_dir, "list", "--json").json()}
    assert listed[f"{kit.feeds_url}/feed.xml"]["folder"] == "News"
    entries = entries_by_link(data_dir)
    assert set(entries) == set(links)
    assert entries[links[0]].read and entries[links[1]].starred
    assert not entries[links[2]].read and not entries[links[2]].starred
    # Local commands see synced entries like local ones.
    assert nr(data_dir, "unread").out.strip() == "5"
    assert nr(data_dir, "search", "Discord").code == 0


def test_changes_on_the_server_show_after_the_next_sync(
    synced: Path, ttrss: TtRssApi, kit: Kit
) -> None:
    links = sorted(ttrss.articles())
    ttrss.set(links[2], "read", True)
    ttrss.set(links[3], "starred", True)
    feed = kit.feeds_dir / "feed.xml"
    text = feed.read_text()
    item = re.search(r"<item>.*?</item>", text, re.S)
    assert item is not None
    new_item = item.group(0).replace("</title>", " (follow-up)</title>", 1)
    new_item = re.sub(r"<link>(.*?)</link>", r"<link>\1?v=2</link>", new_item, count=1)
    new_item = re.sub(r"<guid[^>]*>(.*?)</guid>", r"<guid>\1-2</guid>", new_item, count=1)
    serve_text(feed, text.replace("<item>", new_item + "<item>", 1))
    ttrss.call("updateFeed", feed_id=ttrss.feed_id(f"{kit.feeds_url}/feed.xml"))
    run = nr(synced, "sync", "--json")
    report = run.json()[0]
    assert report["new_entries"] == 1 and report["received"] == 2
    entries = entries_by_link(synced)
    assert entries[links[2]].read and entries[links[3]].starred
    assert any("(follow-up)" in e.title for e in entries.values())
    quiet = nr(synced, "sync", "--json").json()[0]
    # login, categories, feeds, headlines since the mark, counters, starred, recently read
    assert quiet["new_entries"] == 0 and quiet["sent"] == 0 and quiet["requests"] <= 7


def test_a_read_unread_swap_on_the_server_is_picked_up(synced: Path, ttrss: TtRssApi) -> None:
    """One article read and another marked unread in the same feed: the feed's unread count
    is the same as before, and the next sync still sees both changes."""
    links = sorted(ttrss.articles())
    ttrss.set(links[1], "read", True)
    assert nr(synced, "sync").code == 0
    assert entries_by_link(synced)[links[1]].read
    ttrss.set(links[0], "read", True)
    ttrss.set(links[1], "read", False)
    report = nr(synced, "sync", "--json").json()[0]
    assert report["ok"] and report["received"] == 2
    entries = entries_by_link(synced)
    assert entries[links[0]].read and not entries[links[1]].read
    assert nr(synced, "unread").out.strip() == "5"


def test_after_a_long_pause_every_unread_list_is_compared(
    synced: Path, ttrss: TtRssApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More than RECENT_HOURS since the last sync: the recently-read list may not reach
    back far enough, so the unread ids of every feed are compared (and a swap still shows)."""
    asked: list[tuple[Any, Any]] = []
    headlines = TtRss._headlines

    def spy(self: TtRss, most: int | None = None, **params: Any) -> Any:
        asked.append((params.get("feed_id"), params.get("view_mode")))
        return headlines(self, most, **params)

    monkeypatch.setattr(TtRss, "_headlines", spy)
    links = sorted(ttrss.articles())
    ttrss.set(links[1], "read", True)
    assert nr(synced, "sync").code == 0
    assert (-6, "all_articles") in asked and (-4, "unread") not in asked
    with store(synced) as db, db.sync_transaction() as conn:
        conn.execute("UPDATE sync_accounts SET last_sync = last_sync - 2 * 86400")
    ttrss.set(links[0], "read", True)
    ttrss.set(links[1], "read", False)
    asked.clear()
    assert nr(synced, "sync", "--json").json()[0]["received"] == 2
    assert (-4, "unread") in asked and (-6, "all_articles") not in asked
    entries = entries_by_link(synced)
    assert entries[links[0]].read and not entries[links[1]].read


HOSTILE_ITEM = """<item>
    <title>Hostile markup</title>
    <link>__BASE__/articles/hostile.html</link>
    <guid isPermaLink="false">signal-desk:hostile</guid>
    <pubDate>Sat, 22 Nov 2025 10:00:00 +0000</pubDate>
    <dc:creator>Mallory</dc:creator>
    <description><![CDATA[<p onclick="steal()">Before.</p><script>alert('script ran')</script>
      <p><a href="javascript:alert('link ran')">Click me</a> and
      <a href="more/story.html">the story</a>.</p><img src="/pics/lead.png" alt="A lead">
      <p>An &#27;[2J escape</p>]]></description>
    <enclosure url="__BASE__/audio/episode.mp3" length="123456" type="audio/mpeg"/>
  </item>
  <item>"""


def test_unsanitised_server_html_is_made_safe_here(
    data_dir: Path, ttrss: TtRssApi, kit: Kit
) -> None:
    """tt-rss is asked not to sanitise what it sends (sync speed): a script, an event
    handler and a javascript: link reach newsreader, which shows none of them; relative
    URLs are made absolute against the feed's address; the enclosure arrives."""
    feed = kit.feeds_dir / "feed.xml"
    text = feed.read_text()
    serve_text(feed, text.replace("<item>", HOSTILE_ITEM.replace("__BASE__", kit.feeds_url), 1))
    ttrss.call("updateFeed", feed_id=ttrss.feed_id(f"{kit.feeds_url}/feed.xml"))
    add_account(data_dir, ttrss)
    assert nr(data_dir, "sync").code == 0
    entry = entries_by_link(data_dir)[f"{kit.feeds_url}/articles/hostile.html"]
    assert "<script>" in entry.content  # the server did not sanitise it
    assert "\x1b" not in entry.content
    assert entry.author == "Mallory" and entry.published is not None
    assert entry.published.isoformat().startswith("2025-11-22T10:00")
    assert [(e.url, e.type, e.length) for e in entry.enclosures] == [
        (f"{kit.feeds_url}/audio/episode.mp3", "audio/mpeg", 123456)
    ]
    shown = render_article(article_from_entry(entry))
    for word in ("alert", "steal", "script ran", "link ran", "javascript", "onclick", "\x1b"):
        assert word not in shown.markdown
    assert "Before" in shown.markdown and "Click me and" in shown.markdown
    urls = [link.url for link in shown.body_links]
    assert f"{kit.feeds_url}/more/story.html" in urls
    assert all(url.startswith(kit.feeds_url + "/") for url in urls)
    assert [image.url for image in shown.images] == [f"{kit.feeds_url}/pics/lead.png"]


def test_local_changes_go_to_the_server(synced: Path, ttrss: TtRssApi) -> None:
    links = sorted(ttrss.articles())
    with store(synced) as db:
        by_link = {e.link: e for e in db.query_entries()}
        db.set_read(by_link[links[0]].id or 0, True)
        db.set_starred(by_link[links[1]].id or 0, True)
    assert nr(synced, "sync").code == 0
    assert links[0] not in ttrss.unread_links()
    assert ttrss.starred_links() == {links[1]}
    # Mark all read (A), then undo it: both reach the server.
    with store(synced) as db:
        ids = [e.id or 0 for e in db.query_entries(unread_only=True)]
        changed = db.set_read_many(ids, True)
    assert nr(synced, "sync").code == 0
    assert ttrss.unread_links() == set()
    with store(synced) as db:
        db.set_read_many(changed, False)
    run = nr(synced, "sync", "--json").json()[0]
    assert run["sent"] > 0 and run["received"] == 0
    assert ttrss.unread_links() == set(links) - {links[0]}
    assert nr(synced, "mark-read", "--all").code == 0
    assert nr(synced, "sync").code == 0 and ttrss.unread_links() == set()


def test_subscribe_and_unsubscribe_on_the_server(synced: Path, ttrss: TtRssApi, kit: Kit) -> None:
    ttrss.sql("INSERT INTO ttrss_feed_categories (owner_uid, title) VALUES (1, 'Tech')")
    run = nr(
        synced, "add", f"{kit.feeds_url}/atom-full.xml", "--account", "ttrss", "--folder", "Tech"
    )
    assert run.code == 0, run.err
    server = ttrss.feeds()
    assert f"{kit.feeds_url}/atom-full.xml" in server
    listed = {f["url"]: f for f in nr(synced, "list", "--json").json()}
    assert listed[f"{kit.feeds_url}/atom-full.xml"]["folder"] == "Tech"
    removed = nr(synced, "remove", f"{kit.feeds_url}/feed.xml")
    assert removed.code == 0 and "unsubscribing" in removed.out
    assert nr(synced, "sync").code == 0
    assert f"{kit.feeds_url}/feed.xml" not in ttrss.feeds()
    assert f"{kit.feeds_url}/feed.xml" not in {
        f["url"] for f in nr(synced, "list", "--json").json()
    }


@pytest.fixture
def proxy(ttrss: TtRssApi) -> Iterator[Proxy]:
    port = int(ttrss.env["TTRSS_URL"].rsplit(":", 1)[1].strip("/"))
    p = Proxy(port).start()
    yield p
    p.stop()


def test_offline_changes_are_kept_and_sent_once(
    data_dir: Path, ttrss: TtRssApi, proxy: Proxy
) -> None:
    add_account(data_dir, ttrss, f"http://127.0.0.1:{proxy.port}/")
    assert nr(data_dir, "sync").code == 0
    links = sorted(ttrss.articles())
    proxy.stop()
    with store(data_dir) as db:
        by_link = {e.link: e for e in db.query_entries()}
        db.set_read(by_link[links[0]].id or 0, True)
        db.set_starred(by_link[links[1]].id or 0, True)
        db.set_starred(by_link[links[2]].id or 0, True)
        db.set_starred(by_link[links[2]].id or 0, False)  # undone: the last change wins
    offline = nr(data_dir, "sync")
    assert offline.code == 1 and "connection refused" in offline.err
    assert "local changes stay queued" in offline.err
    listed = nr(data_dir, "account", "list", "--json").json()[0]
    assert listed["queued"] == 4 and "connection refused" in listed["last_error"]
    proxy.start()
    back = nr(data_dir, "sync", "--json").json()[0]
    assert back["ok"] and back["sent"] == 3
    assert links[0] not in ttrss.unread_links()
    assert ttrss.starred_links() == {links[1]}
    again = nr(data_dir, "sync", "--json").json()[0]
    assert again["sent"] == 0 and again["received"] == 0
    assert nr(data_dir, "account", "list", "--json").json()[0]["last_error"] is None


def test_refresh_syncs_and_does_not_fetch_synced_feeds(
    synced: Path, ttrss: TtRssApi, kit: Kit
) -> None:
    links = sorted(ttrss.articles())
    ttrss.set(links[4], "read", True)
    run = nr(synced, "refresh")
    assert run.code == 0, run.err
    assert "ttrss:" in run.out and "Signal Desk" not in run.out  # no feed fetched here
    assert entries_by_link(synced)[links[4]].read


def test_local_feeds_and_an_account_side_by_side(synced: Path, ttrss: TtRssApi, kit: Kit) -> None:
    # The same stories as the server's feed, from a local feed fetched by newsreader.
    local_url = f"{kit.feeds_url}/atom-full.xml"
    assert nr(synced, "add", local_url).code == 0
    run = nr(synced, "refresh")
    assert run.code == 0 and "Signal Desk (full text)" in run.out
    assert len(nr(synced, "list", "--json").json()) == 2
    assert nr(synced, "unread").out.strip() == "6"  # a story in both counts once
    # Reading the local copy of a story marks the server's copy read at the next sync.
    with store(synced) as db:
        local_feed = db.get_feed_by_url(local_url)
        assert local_feed is not None
        entry = db.list_entries(local_feed.id or 0)[0]
        db.set_read(entry.id or 0, True)
    assert nr(synced, "sync").code == 0
    assert entry.link not in ttrss.unread_links()
    assert len(ttrss.unread_links()) == 5


def test_account_remove_forgets_feeds_and_config(synced: Path) -> None:
    run = nr(synced, "account", "remove", "ttrss")
    assert run.code == 0
    assert nr(synced, "list", "--json").json() == []
    assert load_settings(synced / "config.toml").sync == {}
    assert nr(synced, "account", "list", "--json").json() == []
