"""A real HTTP server on 127.0.0.1 serving the seed-site fixtures, for tests and benchmarks.

Every `__BASE__` in a served file becomes the server's own base URL. Files get a strong ETag
and a Last-Modified header, and conditional requests are answered with 304 and no body, as a
well-behaved feed server does. The server counts requests and body bytes per path so tests can
assert on what a client actually downloaded. Extra routes (`add_route`) serve fixed statuses,
bodies, delays or headers for failure cases.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "seed-site"
LAST_MODIFIED = formatdate(1763733900, usegmt=True)  # 2025-11-21 14:05 UTC

_TYPES = {
    ".xml": "application/xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}


@dataclass
class Route:
    """A canned response for one path."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/xml; charset=utf-8"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class FixtureServer:
    """Threaded loopback server; use as a context manager or call start()/stop()."""

    def __init__(self, root: Path = FIXTURES) -> None:
        self.root = root
        self.routes: dict[str, Route] = {}
        self.requests: Counter[str] = Counter()
        self.bodies_sent: Counter[str] = Counter()
        self.last_headers: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + "/" + path.lstrip("/")

    def add_route(self, path: str, route: Route) -> None:
        self.routes["/" + path.lstrip("/")] = route

    def start(self) -> FixtureServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def file_body(self, path: str) -> bytes | None:
        """The bytes served for a fixture path, with `__BASE__` substituted."""
        target = (self.root / path.lstrip("/")).resolve()
        if not target.is_file() or self.root.resolve() not in target.parents:
            return None
        return target.read_bytes().replace(b"__BASE__", self.base.encode())

    def _record(self, path: str, headers: dict[str, str], body_sent: bool) -> None:
        with self._lock:
            self.requests[path] += 1
            if body_sent:
                self.bodies_sent[path] += 1
            self.last_headers[path] = headers

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def handle(self) -> None:
                # A client that drops a kept-alive connection is not an error worth a traceback.
                with contextlib.suppress(ConnectionResetError, BrokenPipeError):
                    super().handle()

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                headers = {k.lower(): v for k, v in self.headers.items()}
                route = server.routes.get(path)
                if route is not None:
                    if route.delay:
                        time.sleep(route.delay)
                    server._record(path, headers, bool(route.body))
                    self._send(route.status, route.body, route.content_type, route.headers)
                    return
                body = server.file_body(path)
                if body is None:
                    server._record(path, headers, True)
                    self._send(404, b"not found", "text/plain", {})
                    return
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if headers.get("if-none-match") == etag or (
                    "if-none-match" not in headers
                    and headers.get("if-modified-since") == LAST_MODIFIED
                ):
                    server._record(path, headers, False)
                    self._send(304, b"", "", {"ETag": etag, "Last-Modified": LAST_MODIFIED})
                    return
                ctype = _TYPES.get(Path(path).suffix, "application/octet-stream")
                server._record(path, headers, True)
                self._send(200, body, ctype, {"ETag": etag, "Last-Modified": LAST_MODIFIED})

            def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str]) -> None:
                self.send_response(status)
                if ctype:
                    self.send_header("Content-Type", ctype)
                for key, value in extra.items():
                    self.send_header(key, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body and status != 304:
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self.wfile.write(body)

        return Handler
