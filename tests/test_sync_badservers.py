"""Bad servers: wrong password, not tt-rss, HTML error pages, 500s, an answer far over the
size limit, nonsense JSON, a session that expires mid-sync. Each gives a clear error (exit
1) and leaves the store as it was; an expired session is renewed.

A small relay sits in front of the real tt-rss and misbehaves when told to."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reader.config import load_settings
from tests.synccli import entries_by_link, nr
from tests.synctools import FEEDS, Kit, PostServer, TtRssApi, reset_site, start_ttrss


class Relay:
    """Forwards POSTs to tt-rss; `mode` makes it misbehave."""

    def __init__(self, api: TtRssApi) -> None:
        self.api = api
        self.mode = "ok"
        self.ops: list[str] = []
        self.client = httpx.Client(timeout=30)
        self.server = PostServer(self.respond)
        self.url = self.server.url

    def respond(self, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        try:
            request: dict[str, Any] = json.loads(body)
        except ValueError:
            request = {}
        op = str(request.get("op", ""))
        self.ops.append(op)
        html = {"content-type": "text/html"}
        if op != "login" and self.mode == "html":
            return 200, html, b"<!DOCTYPE html><html><body>Fatal error: oops</body></html>"
        if op != "login" and self.mode == "500":
            return 500, html, b"<html><body>Internal Server Error</body></html>"
        if op == "getHeadlines" and self.mode == "huge":
            return 200, {"content-type": "application/json"}, b"[" + b" " * 200_000 + b"]"
        if op == "getHeadlines" and self.mode == "nonsense":
            answer = {"seq": 0, "status": 0, "content": [{"id": {"no": 1}, "feed_id": []}]}
            return 200, {"content-type": "application/json"}, json.dumps(answer).encode()
        if op == "getHeadlines" and self.mode == "expire":
            self.mode = "ok"  # once: the session ends between two calls of one sync
            self.client.post(self.api.api, json={"op": "logout", "sid": request.get("sid")})
        upstream = self.client.post(self.api.api, content=body)
        return upstream.status_code, {"content-type": "application/json"}, upstream.content

    def close(self) -> None:
        self.server.close()
        self.client.close()


@pytest.fixture
def relay(kit: Kit) -> Iterator[Relay]:
    reset_site(kit)
    api = TtRssApi(start_ttrss(kit))
    api.subscribe(f"{kit.feeds_url}/{FEEDS[0]}")
    r = Relay(api)
    yield r
    r.close()


@pytest.fixture
def synced(data_dir: Path, relay: Relay) -> Path:
    (data_dir / "config.toml").write_text("max_bytes = 100000\n")
    run = nr(data_dir, "account", "add", "ttrss", relay.url, "--user", "admin",
             "--password-command", "echo password")  # fmt: skip
    assert run.code == 0, run.err
    assert nr(data_dir, "sync").code == 0
    return data_dir


def snapshot(data_dir: Path) -> dict[str, tuple[str, bool, bool]]:
    return {link: (e.title, e.read, e.starred) for link, e in entries_by_link(data_dir).items()}


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("html", "did not answer with JSON"),
        ("500", "HTTP 500 Internal Server Error"),
        ("huge", "larger than 97.7 KiB"),
        ("nonsense", "unexpected answer from the server"),
    ],
)
def test_a_misbehaving_server_leaves_the_store_intact(
    synced: Path, relay: Relay, mode: str, message: str
) -> None:
    before = snapshot(synced)
    assert len(before) == 6
    relay.api.set(sorted(before)[0], "read", True)  # something to pull, never stored
    relay.mode = mode
    run = nr(synced, "sync")
    assert run.code == 1
    assert message in run.err, run.err
    assert snapshot(synced) == before
    listed = nr(synced, "account", "list", "--json").json()[0]
    assert message in listed["last_error"]
    relay.mode = "ok"
    assert nr(synced, "sync").code == 0
    assert entries_by_link(synced)[sorted(before)[0]].read


def test_an_expired_session_is_renewed_mid_sync(synced: Path, relay: Relay) -> None:
    relay.api.set(sorted(relay.api.articles())[0], "starred", True)
    relay.ops.clear()
    relay.mode = "expire"
    run = nr(synced, "sync", "--json")
    assert run.code == 0, run.err
    assert relay.ops.count("login") == 2  # the first, and one after NOT_LOGGED_IN
    assert run.json()[0]["received"] == 1


def test_a_password_changed_on_the_server_is_reported(synced: Path, relay: Relay) -> None:
    before = snapshot(synced)
    relay.api.sql("UPDATE ttrss_users SET pwd_hash = 'x' WHERE login = 'admin'")
    run = nr(synced, "sync")
    assert run.code == 1 and "refused the user name or password" in run.err
    assert nr(synced, "account", "test", "ttrss").code == 1
    assert snapshot(synced) == before


def test_not_a_sync_server(data_dir: Path) -> None:
    html = PostServer(lambda path, body: (200, {"content-type": "text/html"}, b"<html>hi</html>"))
    other = PostServer(lambda path, body: (200, {"content-type": "application/json"}, b"{}"))
    try:
        for url, kind, reason in [
            (html.url, "ttrss", "did not answer with JSON"),
            (other.url, "ttrss", "not a Tiny Tiny RSS API"),
            (other.url, "fever", "not a Fever API"),
            ("ftp://127.0.0.1/", "ttrss", "not an http(s) URL"),
        ]:
            who = "--user" if kind == "ttrss" else "--email"
            run = nr(data_dir, "account", "add", kind, url, who, "me", "--password-command",
                     "echo secret-password")  # fmt: skip
            assert run.code == 1 and reason in run.err, (url, kind, run.err)
        assert load_settings(data_dir / "config.toml").sync == {}
    finally:
        html.close()
        other.close()
