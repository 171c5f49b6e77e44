"""A loopback HTTP server for download tests: files with and without Range support, one
that drops the connection halfway, one that lies about its size, a redirect."""

from __future__ import annotations

import hashlib
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from reader.models import Enclosure, Entry, ParsedFeed
from reader.store import Store

BODY = random.Random(14).randbytes(300_000)
"""The file every route serves (300 kB, so a download takes several chunks)."""
ETAG = '"' + hashlib.sha1(BODY).hexdigest()[:16] + '"'


@dataclass
class FileServer:
    """Counts requests and remembers the Range headers it was sent, per path."""

    server: ThreadingHTTPServer
    ranges: dict[str, list[str]] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)
    gate: threading.Event | None = None
    """When set, /slow waits for it after the first chunk (a download that stays under way)."""

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path


def _handler(state: FileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path = self.path
            state.ranges.setdefault(path, []).append(self.headers.get("Range", ""))
            if path.startswith("/ranged/") or path.startswith("/drop/"):
                self._ranged(drop=path.startswith("/drop/") and path not in state.dropped)
            elif path.startswith("/plain/"):
                self._send(200, BODY)
            elif path.startswith("/big/"):
                self.send_response(200)
                self.send_header("Content-Length", str(50 * 1024 * 1024))
                self.end_headers()
                self.wfile.write(BODY[:1000])
            elif path.startswith("/endless/"):
                self.send_response(200)  # no length: the cap must stop it on the way
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for _ in range(100):
                        self.wfile.write(BODY)
                except OSError:
                    pass
            elif path.startswith("/slow/"):
                self.send_response(200)
                self.send_header("Content-Length", str(len(BODY)))
                self.end_headers()
                self.wfile.write(BODY[:1000])
                self.wfile.flush()
                if state.gate is not None:
                    state.gate.wait(10)
                with suppress(OSError):
                    self.wfile.write(BODY[1000:])
            elif path.startswith("/to-loopback/"):
                self.send_response(302)
                self.send_header("Location", state.url("/ranged/x.mp3"))
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._send(404, b"not found")

        def _ranged(self, *, drop: bool) -> None:
            wanted = self.headers.get("Range", "")
            start = 0
            if wanted.startswith("bytes=") and self.headers.get("If-Range", ETAG) == ETAG:
                start = int(wanted[6:].split("-", 1)[0])
            if start >= len(BODY):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(BODY)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            part = BODY[start:]
            self.send_response(206 if start else 200)
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(BODY) - 1}/{len(BODY)}")
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("ETag", ETAG)
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Content-Length", str(len(part)))
            if drop:
                self.send_header("Connection", "close")
            self.end_headers()
            if drop:
                state.dropped.add(self.path)
                self.wfile.write(part[: len(part) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(part)

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def file_server() -> Iterator[FileServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = FileServer(httpd)
    httpd.RequestHandlerClass = _handler(state)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        if state.gate is not None:
            state.gate.set()
        httpd.shutdown()
        httpd.server_close()


def podcast_feed(
    store: Store,
    feed_url: str,
    files: list[tuple[str, str]],
    *,
    feed_title: str = "Loopback Radio",
) -> list[Entry]:
    """A feed at `feed_url` (not fetched) whose entries (title, enclosure URL) carry one
    audio file each, stored as a refresh would; the stored entries, in the given order."""
    feed, _ = store.add_feed(feed_url)
    entries = tuple(
        Entry(
            key=f"ep-{n}",
            title=title,
            link=f"{feed_url}#ep-{n}",
            enclosures=(Enclosure(url, "audio/mpeg", length=len(BODY), duration=3725, title=""),),
        )
        for n, (title, url) in enumerate(files)
    )
    store.apply_update(feed.id, ParsedFeed(title=feed_title, entries=entries))
    stored = {e.key: e for e in store.list_entries(feed.id)}
    return [stored[f"ep-{n}"] for n in range(len(files))]
