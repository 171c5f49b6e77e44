"""The fetch deadline: a server that drips its headers or its body one byte at a time holds
`add` or a refresh no longer than the deadline (30 s unless the config says otherwise)."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.cli import main
from reader.config import Settings
from reader.feeds.fetch import Fetcher
from reader.store import Store
from tests.server import FixtureServer

FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Drip</title>'
    b"<item><guid>g</guid><title>Item</title></item></channel></rss>"
)
DEADLINE = 1.0
SLACK = 1.5
"""Seconds allowed past the deadline: starting the store and the client, a loaded machine."""


def drip_bytes(what: str) -> tuple[bytes, bytes]:
    """(sent at once, then dripped a byte at a time) for a response that drips `what`."""
    if what == "headers":
        return b"", b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n" + b"X: " * 5000
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: %d\r\n\r\n" % (
        len(FEED) * 100
    )
    return head, FEED * 100


class _Drip(socketserver.BaseRequestHandler):
    what = "body"
    stop: threading.Event

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                return
            data += chunk
        at_once, dripped = drip_bytes(self.what)
        try:
            sock.sendall(at_once)
            for byte in dripped:  # each byte well inside the read timeout
                if self.stop.wait(0.05):
                    return
                sock.sendall(bytes([byte]))
        except OSError:
            return  # the client gave up: what the deadline is for


@pytest.fixture(params=["headers", "body"])
def drip_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A real loopback server (its own threads) that drips a feed's headers or body."""
    stop = threading.Event()
    handler = type("Drip", (_Drip,), {"what": request.param, "stop": stop})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def configure(data_dir: Path, **settings: float) -> None:
    lines = [f"{key} = {value}" for key, value in settings.items()]
    (data_dir / "config.toml").write_text("\n".join(lines) + "\n")


def test_the_deadline_is_30_seconds_unless_configured() -> None:
    assert Settings().deadline == 30.0
    assert Fetcher().deadline == 30.0


def test_add_gives_up_on_a_dripping_server_at_the_deadline(
    drip_url: str, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(data_dir, deadline=DEADLINE, timeout=10)
    started = time.perf_counter()
    code = main(["--data-dir", str(data_dir), "add", drip_url])
    took = time.perf_counter() - started
    err = capsys.readouterr().err
    assert code == 1
    assert f"not subscribed: {drip_url}: timed out after 1 s (the whole fetch)" in err
    assert took < DEADLINE + SLACK
    with Store(data_dir / "newsreader.db") as store:
        assert store.list_feeds() == []


def test_a_dripping_feed_holds_a_refresh_no_longer_than_the_deadline(
    drip_url: str, server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(data_dir, deadline=DEADLINE, timeout=10)
    good = server.url("feed.xml")
    with Store(data_dir / "newsreader.db") as store:
        store.add_feed(drip_url)
        store.add_feed(good)
    started = time.perf_counter()
    code = main(["--data-dir", str(data_dir), "refresh"])
    took = time.perf_counter() - started
    out = capsys.readouterr().out
    assert code == 1  # one feed failed
    assert "timed out after 1 s (the whole fetch)" in out
    assert took < DEADLINE + SLACK
    with Store(data_dir / "newsreader.db") as store:
        by_url = {feed.url: feed for feed in store.list_feeds()}
        assert by_url[good].total > 0  # the well-behaved feed was stored meanwhile
        assert by_url[drip_url].total == 0
