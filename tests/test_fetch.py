"""The HTTP client against real loopback servers: the seed-site server, plus small raw asyncio
servers for what it cannot do (drip bytes, stream forever, speak TLS)."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reader import __version__
from reader.feeds.fetch import Fetcher, FetchResult, format_size
from tests.rawserver import raw_server, read_request, self_signed_context
from tests.server import LAST_MODIFIED, FixtureServer, Route


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureServer]:
    """One seed-site server for the tests that do not count requests on shared paths.

    Stopping a FixtureServer takes half a second (its poll interval), so tests that only need
    a route of their own share this one; tests asserting on counters use the fresh `server`.
    """
    with FixtureServer() as srv:
        yield srv


async def settle(check: Callable[[], bool], timeout: float = 2.0) -> None:
    """Wait for the server's counters: it records a request only after it has answered it."""
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        await asyncio.sleep(0.005)


async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Headers at once, then one body byte every 50 ms, forever: no per-read timeout fires."""
    await read_request(reader)
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 100000\r\n\r\n"
    )
    while True:
        writer.write(b"x")
        await writer.drain()
        await asyncio.sleep(0.05)


async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A chunked body that never ends (no Content-Length to check up front)."""
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n")
    writer.write(b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"<item>" + b"x" * 16_378 + b"</item>"
    while True:
        writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        await writer.drain()


def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the seed site -----------------------------------------------------------------------


async def test_fetch_gives_body_and_validators(site: FixtureServer) -> None:
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(site.url("atom-full.xml"))
    assert result.ok and not result.not_modified
    assert result.status == 200
    assert result.error is None
    assert result.body == site.file_body("atom-full.xml")
    assert result.etag and result.etag.startswith('"')
    assert result.last_modified == LAST_MODIFIED
    assert result.final_url == result.url == site.url("atom-full.xml")
    assert result.headers["content-type"].startswith("application/xml")


async def test_second_fetch_with_validators_is_304_without_body(server: FixtureServer) -> None:
    url = server.url("atom-full.xml")
    async with Fetcher() as fetcher:
        first = await fetcher.fetch(url)
        second = await fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and not second.ok
    assert second.status == 304
    assert second.body is None
    assert second.error is None
    assert second.etag == first.etag  # this server repeats its validators on a 304
    await settle(lambda: server.requests["/atom-full.xml"] == 2)
    assert server.requests["/atom-full.xml"] == 2
    assert server.bodies_sent["/atom-full.xml"] == 1
    sent = server.last_headers["/atom-full.xml"]
    assert sent["if-none-match"] == first.etag
    assert sent["if-modified-since"] == LAST_MODIFIED
    assert f"newsreader/{__version__}" in sent["user-agent"]
    assert sent["accept"].startswith("application/atom+xml")
    assert "gzip" in sent["accept-encoding"]


async def test_if_modified_since_alone_gets_304(server: FixtureServer) -> None:
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(server.url("feed.xml"), last_modified=LAST_MODIFIED)
    assert result.not_modified
    await settle(lambda: server.requests["/feed.xml"] == 1)
    assert "if-modified-since" in server.last_headers["/feed.xml"]
    assert "if-none-match" not in server.last_headers["/feed.xml"]
    assert server.bodies_sent["/feed.xml"] == 0


async def test_304_without_validators_leaves_them_none(site: FixtureServer) -> None:
    site.add_route("bare304", Route(304, b"", ""))
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(site.url("bare304"), etag='"old"')
    assert result.not_modified
    assert result.etag is None and result.last_modified is None  # the caller keeps its own


async def test_custom_user_agent(site: FixtureServer) -> None:
    site.add_route("ua", Route(body=b"<rss/>"))
    async with Fetcher(user_agent="custom/1.0") as fetcher:
        await fetcher.fetch(site.url("ua"))
    await settle(lambda: "/ua" in site.last_headers)
    assert site.last_headers["/ua"]["user-agent"] == "custom/1.0"


@pytest.mark.parametrize(
    ("status", "error"),
    [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error"), (599, "HTTP 599")],
)
async def test_http_error_status(site: FixtureServer, status: int, error: str) -> None:
    site.add_route(f"broken{status}", Route(status, b"nope", "text/plain", headers={"ETag": '"e"'}))
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(site.url(f"broken{status}"))
    assert result.status == status
    assert result.error == error
    assert result.body is None and not result.ok
    assert result.etag is None  # an error page's validators must never be stored


async def test_missing_file_is_404(site: FixtureServer) -> None:
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(site.url("no-such-feed.xml"))
    assert (result.status, result.error) == (404, "HTTP 404 Not Found")


# --- time limits -------------------------------------------------------------------------


async def test_slow_server_times_out(site: FixtureServer) -> None:
    # Connection: close, so the server does not wait on a connection the client gave up on.
    site.add_route("slow", Route(body=b"<rss/>", delay=1.0, headers={"Connection": "close"}))
    started = time.monotonic()
    async with Fetcher(timeout=0.3) as fetcher:
        result = await fetcher.fetch(site.url("slow"))
    assert time.monotonic() - started < 0.9
    assert result.error is not None
    assert result.error.startswith("timed out")
    assert "0.3 s" in result.error
    assert result.status is None and not result.ok


async def test_dripping_server_hits_the_deadline() -> None:
    async with raw_server(drip) as port:
        started = time.monotonic()
        async with Fetcher(timeout=5, deadline=0.5) as fetcher:
            result = await fetcher.fetch(f"http://127.0.0.1:{port}/feed.xml")
    assert time.monotonic() - started < 2
    assert result.error == "timed out after 0.5 s (the whole fetch)"


# --- size cap ----------------------------------------------------------------------------


async def test_body_over_cap_is_refused(site: FixtureServer) -> None:
    # Connection: close, so the server does not wait on a connection the client reset.
    site.add_route("big", Route(body=b"x" * (1024 * 1024), headers={"Connection": "close"}))
    async with Fetcher(max_bytes=64 * 1024) as fetcher:
        result = await fetcher.fetch(site.url("big"))
    assert result.error == "response larger than 64 KiB"
    assert result.body is None and not result.ok
    assert result.status == 200


async def test_endless_body_stops_at_cap() -> None:
    async with raw_server(endless) as port:
        started = time.monotonic()
        async with Fetcher(max_bytes=100 * 1024, deadline=5) as fetcher:
            result = await fetcher.fetch(f"http://127.0.0.1:{port}/feed.xml")
    assert time.monotonic() - started < 2
    assert result.error == "response larger than 100 KiB"


async def test_gzip_body_is_decoded(site: FixtureServer) -> None:
    plain = site.file_body("feed.xml")
    assert plain is not None
    site.add_route("gz", Route(body=gzip.compress(plain), headers={"Content-Encoding": "gzip"}))
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(site.url("gz"))
    assert result.ok
    assert result.body == plain


async def test_gzip_bomb_is_capped_on_decoded_size(site: FixtureServer) -> None:
    bomb = gzip.compress(b"\0" * (8 * 1024 * 1024))
    assert len(bomb) < 64 * 1024  # small on the wire...
    site.add_route("bomb", Route(body=bomb, headers={"Content-Encoding": "gzip"}))
    async with Fetcher(max_bytes=1024 * 1024) as fetcher:
        result = await fetcher.fetch(site.url("bomb"))
    assert result.error == "response larger than 1 MiB"  # ...but counted decoded
    assert result.body is None


# --- connection failures -----------------------------------------------------------------


async def test_connection_refused() -> None:
    port = closed_port()
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(f"http://127.0.0.1:{port}/feed.xml")
    assert result.error == f"connection refused by 127.0.0.1:{port}"
    assert result.status is None


async def test_dns_failure() -> None:
    # .invalid never resolves (RFC 6761); a sandbox whose resolver hangs gets a skip.
    async with Fetcher(connect_timeout=2, deadline=3) as fetcher:
        result = await fetcher.fetch("http://newsreader-test.invalid/feed.xml")
    assert result.error is not None
    if result.error.startswith("timed out"):
        pytest.skip("the resolver here hangs instead of failing")
    assert result.error == "DNS lookup failed for newsreader-test.invalid"


async def test_tls_to_a_plain_http_server(site: FixtureServer) -> None:
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(site.base.replace("http://", "https://") + "/feed.xml")
    assert result.error is not None
    assert result.error.startswith("TLS error: ")
    assert "_ssl.c" not in result.error


@pytest.fixture
def self_signed(tmp_path: Path) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate (made by the openssl CLI)."""
    return self_signed_context(tmp_path, "-subj", "/CN=127.0.0.1")


async def test_untrusted_certificate(self_signed: ssl.SSLContext) -> None:
    async def hello(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)

    async with raw_server(hello, ssl_context=self_signed) as port, Fetcher(deadline=5) as fetcher:
        result = await fetcher.fetch(f"https://127.0.0.1:{port}/feed.xml")
    assert result.error == "TLS error: certificate verify failed: self-signed certificate"


# --- URLs that are never requested -------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "javascript:x", "ftp://example.com/feed.xml", "", "feed.xml"]
)
async def test_non_http_url_is_refused_without_a_request(url: str) -> None:
    requests: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, content=b"<rss/>")

    # A recording transport stands in for the network: the point is that nothing reaches it.
    async with Fetcher(transport=httpx.MockTransport(record)) as fetcher:
        result = await fetcher.fetch(url)
    assert result.error is not None
    assert result.error.startswith("not an http(s) URL")
    assert result.status is None and result.body is None
    assert requests == []


async def test_redirect_to_file_url_is_refused(site: FixtureServer) -> None:
    site.add_route(
        "evil", Route(302, b"", "text/plain", headers={"Location": "file:///etc/passwd"})
    )
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(site.url("evil"))
    assert result.error is not None
    assert "not an http(s) URL" in result.error
    assert result.body is None
    await settle(lambda: site.requests["/evil"] == 1)
    assert site.requests["/evil"] == 1


async def test_redirect_is_followed(site: FixtureServer) -> None:
    site.add_route("moved", Route(301, b"", "text/plain", headers={"Location": "/feed.xml"}))
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(site.url("moved"))
    assert result.ok
    assert result.url == site.url("moved")
    assert result.final_url == site.url("feed.xml")
    assert result.body == site.file_body("feed.xml")


async def test_redirect_loop_stops(site: FixtureServer) -> None:
    site.add_route("loop", Route(302, b"", "text/plain", headers={"Location": "/loop"}))
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(site.url("loop"))
    assert result.error == "too many redirects (more than 10)"
    await settle(lambda: site.requests["/loop"] == 11)
    assert site.requests["/loop"] == 11


async def test_invalid_url_is_an_error_not_an_exception() -> None:
    async with Fetcher() as fetcher:
        result = await fetcher.fetch("http://[::1/feed.xml")
    assert result.error is not None
    assert result.error.startswith("invalid URL")


# --- many at once ------------------------------------------------------------------------


async def test_concurrency_is_bounded_and_all_succeed(site: FixtureServer) -> None:
    site.add_route("slowish", Route(body=b"<rss/>", delay=0.1))
    started = time.monotonic()
    async with Fetcher(concurrency=4) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(site.url("slowish")) for _ in range(20)))
    elapsed = time.monotonic() - started
    assert all(r.ok and r.body == b"<rss/>" for r in results)
    await settle(lambda: site.requests["/slowish"] == 20)
    assert site.requests["/slowish"] == 20
    assert elapsed >= 0.45  # 20 requests of 0.1 s, at most 4 at a time: 5 rounds at least


# --- small parts -------------------------------------------------------------------------


def test_format_size() -> None:
    assert format_size(16 * 1024 * 1024) == "16 MiB"
    assert format_size(1536 * 1024) == "1.5 MiB"
    assert format_size(64 * 1024) == "64 KiB"
    assert format_size(900) == "900 bytes"


def test_result_flags() -> None:
    def result(status: int | None, body: bytes | None, error: str | None) -> FetchResult:
        return FetchResult("http://x/", "http://x/", status, body, {}, None, None, error)

    assert result(200, b"", None).ok
    assert not result(200, None, None).ok
    assert not result(200, None, "response larger than 1 MiB").ok
    assert not result(404, b"x", "HTTP 404 Not Found").ok
    assert result(304, None, None).not_modified
    assert not result(None, None, "timed out").not_modified


async def test_body_slots_bound_the_bodies_held_and_the_wait_is_not_the_servers(
    site: FixtureServer,
) -> None:
    """A 2xx body is read only with a free slot, kept until the caller gives it back; the
    wait for it does not count against the deadline; a 404 or a 304 never needs one."""
    slots = asyncio.Semaphore(1)
    async with Fetcher(deadline=0.5) as fetcher:
        first = await fetcher.fetch(site.url("feed.xml"), body_slots=slots)
        assert first.ok and first.holds_slot and slots.locked()
        missing = await fetcher.fetch(site.url("nope.xml"), body_slots=slots)
        assert missing.status == 404 and not missing.holds_slot
        again = await fetcher.fetch(
            site.url("feed.xml"), last_modified=LAST_MODIFIED, body_slots=slots
        )
        assert again.not_modified and not again.holds_slot
        second = asyncio.create_task(fetcher.fetch(site.url("feed.xml"), body_slots=slots))
        done, _ = await asyncio.wait({second}, timeout=1.0)  # twice the deadline
        assert not done  # waiting for the slot, not timed out
        slots.release()
        result = await second
        assert result.ok and result.holds_slot and result.body == first.body
    assert slots.locked()  # the second body's slot is the caller's to give back


async def test_requests_that_will_bring_a_body_wait_ahead_of_a_free_slot(
    site: FixtureServer,
) -> None:
    """With `ahead`, only so many requests without validators are sent before a body slot
    is free (each waiting response holds its first read in memory); a conditional one,
    most likely a 304, is not held back; every permit comes back."""
    slots, ahead = asyncio.Semaphore(1), asyncio.Semaphore(1)
    async with Fetcher() as fetcher:
        held = await fetcher.fetch(site.url("feed.xml"), body_slots=slots, ahead=ahead)
        assert held.holds_slot
        sent = site.requests["/feed.xml"]
        waiting = [
            asyncio.create_task(fetcher.fetch(site.url("feed.xml"), body_slots=slots, ahead=ahead))
            for _ in range(3)
        ]
        conditional = await fetcher.fetch(
            site.url("feed.xml"), last_modified=LAST_MODIFIED, body_slots=slots, ahead=ahead
        )
        assert conditional.not_modified
        for _ in range(20):
            await asyncio.sleep(0)
        await asyncio.wait(waiting, timeout=0.3)
        assert site.requests["/feed.xml"] == sent + 1 + 1  # one ahead, and the 304
        for task in waiting:
            slots.release()  # the caller is done with the body before
            result = await task
            assert result.ok and result.holds_slot
        slots.release()
    assert not ahead.locked() and not slots.locked()


async def test_every_host_keeps_its_connection_open_across_many_hosts() -> None:
    """A refresh over many hosts keeps each host's connection alive for its next feed: a
    second round over 40 hosts opens no new connection (one pool for all hosts kept 32
    idle connections and reconnected to the other hosts)."""
    opened: list[int] = []

    def keep_alive(number: int) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Any]:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            opened.append(number)
            while True:
                await read_request(reader)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n")
                writer.write(b"Content-Length: 2\r\n\r\nok")
                await writer.drain()

        return serve

    async with contextlib.AsyncExitStack() as stack:
        ports = [await stack.enter_async_context(raw_server(keep_alive(n))) for n in range(40)]
        urls = [f"http://127.0.0.1:{port}/feed" for port in ports]
        async with Fetcher(per_host=2, concurrency=16) as fetcher:
            for _ in range(2):
                results = await asyncio.gather(*(fetcher.fetch(url) for url in urls))
                assert all(result.ok for result in results)
    assert sorted(opened) == list(range(40))
