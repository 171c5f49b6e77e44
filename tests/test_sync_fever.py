"""Sync with a real Fever API (Coldsweat, ../shared/servers/fever), both directions, checked
by asking the server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.config import load_settings
from tests.synccli import entries_by_link, nr, store
from tests.synctools import FEEDS, FeverApi, Kit, Proxy, reset_site, start_fever

PASSWORD_CMD = "echo cGFzc3dvcmQxMjM0 | base64 -d"  # password1234


@pytest.fixture
def fever(kit: Kit) -> FeverApi:
    """Coldsweat reset to empty with the seed site's feed.xml in group News."""
    reset_site(kit)
    api = FeverApi(start_fever(kit))
    api.add_feed(f"{kit.feeds_url}/{FEEDS[0]}", "News")
    return api


def add_account(data_dir: Path, api: FeverApi, url: str | None = None) -> None:
    run = nr(data_dir, "account", "add", "fever", url or api.env["FEVER_URL"], "--email",
             api.env["FEVER_EMAIL"], "--password-command", PASSWORD_CMD)  # fmt: skip
    assert run.code == 0, run.err


@pytest.fixture
def synced(data_dir: Path, fever: FeverApi) -> Path:
    add_account(data_dir, fever)
    run = nr(data_dir, "sync")
    assert run.code == 0, run.err
    return data_dir


def test_wrong_password_is_refused_and_nothing_stored(data_dir: Path, fever: FeverApi) -> None:
    run = nr(data_dir, "account", "add", "fever", fever.env["FEVER_URL"], "--email",
             fever.env["FEVER_EMAIL"], "--password-command", "echo wrong-password")  # fmt: skip
    assert run.code == 1 and "refused the email or password" in run.err
    assert load_settings(data_dir / "config.toml").sync == {}


def test_first_sync_pulls_groups_entries_and_state(data_dir: Path, fever: FeverApi) -> None:
    links = sorted(fever.items())
    fever.mark(links[0], "read")
    fever.mark(links[1], "saved")
    add_account(data_dir, fever)
    report = nr(data_dir, "sync", "--json").json()[0]
    assert report["ok"] and report["new_entries"] == 6 and report["feeds_added"] == 1
    assert [f["folder"] for f in nr(data_dir, "list", "--json").json()] == ["News"]
    entries = entries_by_link(data_dir)
    assert set(entries) == set(links)
    assert entries[links[0]].read and entries[links[1]].starred
    assert nr(data_dir, "unread").out.strip() == "5"
    quiet = nr(data_dir, "sync", "--json").json()[0]
    assert quiet["new_entries"] == 0 and quiet["requests"] <= 4


def test_server_changes_show_after_the_next_sync(synced: Path, fever: FeverApi) -> None:
    links = sorted(fever.items())
    fever.mark(links[2], "read")
    fever.mark(links[3], "saved")
    report = nr(synced, "sync", "--json").json()[0]
    assert report["received"] == 2
    entries = entries_by_link(synced)
    assert entries[links[2]].read and entries[links[3]].starred


def test_local_changes_go_to_the_server(synced: Path, fever: FeverApi) -> None:
    links = sorted(fever.items())
    with store(synced) as db:
        by_link = {e.link: e for e in db.query_entries()}
        db.set_read(by_link[links[0]].id or 0, True)
        db.set_starred(by_link[links[1]].id or 0, True)
    assert nr(synced, "sync").code == 0
    assert fever.unread_links() == set(links) - {links[0]}
    assert fever.starred_links() == {links[1]}
    with store(synced) as db:
        changed = db.set_read_many([e.id or 0 for e in db.query_entries(unread_only=True)])
    assert nr(synced, "sync").code == 0 and fever.unread_links() == set()
    with store(synced) as db:
        db.set_read_many(changed, False)  # undo
    assert nr(synced, "sync").code == 0
    assert fever.unread_links() == set(links) - {links[0]}


def test_fever_cannot_subscribe_or_unsubscribe(synced: Path, kit: Kit) -> None:
    run = nr(synced, "add", f"{kit.feeds_url}/atom-full.xml", "--account", "fever")
    assert run.code == 1 and "cannot subscribe" in run.err
    gone = nr(synced, "remove", f"{kit.feeds_url}/feed.xml")
    assert gone.code == 1 and "Fever cannot unsubscribe" in gone.err
    assert len(nr(synced, "list", "--json").json()) == 1


@pytest.fixture
def proxy(fever: FeverApi) -> Iterator[Proxy]:
    port = int(fever.env["FEVER_URL"].split(":")[2].split("/")[0])
    p = Proxy(port).start()
    yield p
    p.stop()


def test_offline_changes_are_sent_once(data_dir: Path, fever: FeverApi, proxy: Proxy) -> None:
    add_account(data_dir, fever, f"http://127.0.0.1:{proxy.port}/fever/")
    assert nr(data_dir, "sync").code == 0
    links = sorted(fever.items())
    proxy.stop()
    with store(data_dir) as db:
        by_link = {e.link: e for e in db.query_entries()}
        db.set_read(by_link[links[0]].id or 0, True)
        db.set_starred(by_link[links[1]].id or 0, True)
    offline = nr(data_dir, "sync")
    assert offline.code == 1 and "queued" in offline.err
    proxy.start()
    back = nr(data_dir, "sync", "--json").json()[0]
    assert back["ok"] and back["sent"] == 2
    assert links[0] not in fever.unread_links() and fever.starred_links() == {links[1]}
    assert nr(data_dir, "sync", "--json").json()[0]["sent"] == 0
