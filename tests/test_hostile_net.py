"""Hostile servers and URLs: bombs, drips, lies, resets, redirects into the user's network.

Tests only have loopback, so the rule "no redirect from a public address into loopback,
private or link-local space" is tested with httpx.MockTransport (and a stand-in resolver);
everything about bytes on the wire uses real loopback servers.
"""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import socket
import ssl
import struct
import time
import zlib
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from reader import netguard
from reader.feeds.fetch import (
    MAX_REDIRECTS,
    MAX_RETRY_AFTER,
    Fetcher,
    FetchResult,
    format_wait,
    parse_retry_after,
)
from reader.feeds.parse import parse_feed
from reader.netguard import MAX_URL_LENGTH, host_is_internal, is_internal_address, literal_address
from tests.rawserver import raw_server, read_request, self_signed_context
from tests.server import FixtureServer, Route

PUBLIC = "93.184.216.34"
FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
    b"<item><guid>g</guid><title>Item</title></item></channel></rss>"
)


# --- the address classifier ----------------------------------------------------------------

INTERNAL_HOSTS = [
    "127.0.0.1", "127.1", "127.0.0.1.", "127.255.255.254", "2130706433", "0x7f000001",
    "0x7f.1", "0x7f.0.0.1", "017700000001", "0177.0.0.1", "0177.1", "127.000.000.001",
    "0", "0.0.0.0", "0x0", "10.0.0.1", "10.255.255.255", "012.1", "167772161",
    "172.16.0.1", "172.31.255.255", "0xac.0x10.0.1", "192.168.0.1", "192.168.255.255",
    "3232235521", "169.254.169.254", "0xa9fea9fe", "2852039166", "100.64.0.1",
    "224.0.0.1", "255.255.255.255", "198.18.0.1",
    "::1", "[::1]", "::", "[::]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::ffff:10.0.0.1]",
    "[::ffff:169.254.169.254]", "[::127.0.0.1]", "[64:ff9b::7f00:1]", "[64:ff9b::a00:1]",
    "[2002:7f00:1::]", "[2002:c0a8:1::1]", "[fc00::1]", "[fd12:3456:789a::1]", "[fe80::1]",
    "[fe80::1%25eth0]", "fe80::1%eth0", "[ff02::1]",
]  # fmt: skip
PUBLIC_HOSTS = [
    "93.184.216.34", "8.8.8.8", "134744072", "0x8080808", "0x08.0x08.0x08.0x08", "1.1.1.1",
    "11.0.0.1", "172.15.255.255", "172.32.0.1", "192.169.0.1", "169.255.0.1", "100.128.0.1",
    "[2606:4700:4700::1111]", "[::ffff:8.8.8.8]", "[64:ff9b::808:808]", "[2002:808:808::]",
]  # fmt: skip


@pytest.mark.parametrize("host", INTERNAL_HOSTS)
def test_internal_addresses_in_every_spelling(host: str) -> None:
    address = literal_address(host)
    assert address is not None, host
    assert is_internal_address(address), host


@pytest.mark.parametrize("host", PUBLIC_HOSTS)
def test_public_addresses_are_not_internal(host: str) -> None:
    address = literal_address(host)
    assert address is not None, host
    assert not is_internal_address(address), host


def test_odd_spellings_read_as_the_resolver_reads_them() -> None:
    assert literal_address("2130706433") == ipaddress.ip_address("127.0.0.1")
    assert literal_address("0x7f.1") == ipaddress.ip_address("127.0.0.1")
    assert literal_address("017700000001") == ipaddress.ip_address("127.0.0.1")
    assert literal_address("0177.0.0.01") == ipaddress.ip_address("127.0.0.1")
    assert literal_address("10.1") == ipaddress.ip_address("10.0.0.1")


@pytest.mark.parametrize(
    "host", ["example.com", "localhost", "1.2.3.4.5", "127.0.0.1 x", "0x7g.1", "08.0.0.1", ""]
)
def test_names_are_not_literal_addresses(host: str) -> None:
    assert literal_address(host) is None


def resolver(table: dict[str, list[str]]) -> Callable[[str, int], Awaitable[list[object]]]:
    async def resolve(host: str, port: int) -> list[object]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [ipaddress.ip_address(a) for a in table[host]]

    return resolve


NAMES = {
    "feeds.example": [PUBLIC],
    "cdn.example": ["151.101.1.1"],
    "intranet.example": ["10.1.2.3"],
    "rebind.example": ["151.101.1.2", "127.0.0.1"],  # one internal address is enough
    "metadata.example": ["169.254.169.254"],
    "v6.example": ["fd00::5"],
}


@pytest.fixture
def names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(netguard, "resolve", resolver(NAMES))


@pytest.mark.usefixtures("names")
async def test_host_names_are_resolved_and_every_address_checked() -> None:
    assert not await host_is_internal("feeds.example", 80)
    assert await host_is_internal("intranet.example", 80)
    assert await host_is_internal("rebind.example", 443)
    assert await host_is_internal("metadata.example", 80)
    assert await host_is_internal("v6.example", 80)
    assert await host_is_internal("localhost", 80)  # never asks DNS
    assert await host_is_internal("printer.localhost.", 80)
    with pytest.raises(socket.gaierror):
        await host_is_internal("nowhere.example", 80)


# --- redirects into the user's network (MockTransport) -------------------------------------


class Web:
    """A fake internet: routes by URL; records every request that reached it."""

    def __init__(self, routes: dict[str, httpx.Response | Callable[[], httpx.Response]]):
        self.routes = routes
        self.requests: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.requests.append(url)
        route = self.routes.get(url)
        if route is None:
            return httpx.Response(404)
        return route() if callable(route) else route

    def fetcher(self, **kwargs: object) -> Fetcher:
        return Fetcher(transport=httpx.MockTransport(self), **kwargs)  # type: ignore[arg-type]


def redirect(to: str, status: int = 302) -> httpx.Response:
    return httpx.Response(status, headers={"Location": to})


def ok(body: bytes = FEED, **headers: str) -> httpx.Response:
    return httpx.Response(200, content=body, headers={"Content-Type": "application/xml", **headers})


INTERNAL_TARGETS = [
    "http://127.0.0.1/admin",
    "http://127.1:8080/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://017700000001/",
    "http://0/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://0xa9fea9fe/latest/meta-data/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/cgi-bin/admin",
    "http://[fd00::1]/",
    "http://[fe80::1%25eth0]/",
    "http://localhost:6379/",
    "http://db.localhost/",
    "https://127.0.0.1/",
]


@pytest.mark.usefixtures("names")
@pytest.mark.parametrize("target", INTERNAL_TARGETS)
async def test_a_public_feed_cannot_redirect_into_the_local_network(target: str) -> None:
    web = Web({f"http://{PUBLIC}/feed": redirect(target), target: ok(b"SECRET ADMIN PAGE")})
    async with web.fetcher() as fetcher:
        result = await fetcher.fetch(f"http://{PUBLIC}/feed")
    assert result.error is not None
    assert result.error.startswith("refused a redirect to ")
    assert "local or private network address" in result.error
    assert result.body is None and not result.ok
    assert web.requests == [f"http://{PUBLIC}/feed"]  # the internal address was never asked


@pytest.mark.usefixtures("names")
@pytest.mark.parametrize(
    "target", ["http://intranet.example/x", "http://rebind.example/", "http://v6.example/"]
)
async def test_a_redirect_to_a_name_that_resolves_inside_is_refused(target: str) -> None:
    web = Web({"http://feeds.example/feed": redirect(target), target: ok()})
    async with web.fetcher() as fetcher:
        result = await fetcher.fetch("http://feeds.example/feed")
    assert result.error is not None and result.error.startswith("refused a redirect to ")
    assert web.requests == ["http://feeds.example/feed"]


@pytest.mark.usefixtures("names")
async def test_the_rule_holds_at_every_hop() -> None:
    web = Web(
        {
            "http://feeds.example/a": redirect("http://cdn.example/b", 301),
            "http://cdn.example/b": redirect("https://feeds.example/c"),
            "https://feeds.example/c": redirect("http://10.0.0.7/d"),
            "http://10.0.0.7/d": ok(),
        }
    )
    async with web.fetcher() as fetcher:
        result = await fetcher.fetch("http://feeds.example/a")
    assert result.error == "refused a redirect to 10.0.0.7, a local or private network address"
    assert len(web.requests) == 3


@pytest.mark.usefixtures("names")
async def test_public_redirects_are_followed() -> None:
    web = Web(
        {
            "http://feeds.example/old": redirect("https://cdn.example/new", 301),
            "https://cdn.example/new": ok(),
        }
    )
    async with web.fetcher() as fetcher:
        result = await fetcher.fetch("http://feeds.example/old")
    assert result.ok and result.body == FEED
    assert result.final_url == "https://cdn.example/new"


@pytest.mark.usefixtures("names")
async def test_a_local_feed_may_redirect_within_the_local_network() -> None:
    # The user subscribed to a local address directly: local redirects are theirs too.
    web = Web(
        {
            "http://127.0.0.1:8080/feed": redirect("http://192.168.1.5/feed.xml"),
            "http://192.168.1.5/feed.xml": redirect("http://intranet.example/feed.xml"),
            "http://intranet.example/feed.xml": ok(),
        }
    )
    async with web.fetcher() as fetcher:
        result = await fetcher.fetch("http://127.0.0.1:8080/feed")
    assert result.ok, result.error
    assert result.final_url == "http://intranet.example/feed.xml"


@pytest.mark.usefixtures("names")
async def test_a_feed_on_an_intranet_name_may_redirect_locally() -> None:
    web = Web(
        {"http://intranet.example/feed": redirect("http://10.9.9.9/f"), "http://10.9.9.9/f": ok()}
    )
    async with web.fetcher() as fetcher:
        assert (await fetcher.fetch("http://intranet.example/feed")).ok


@pytest.mark.usefixtures("names")
async def test_subscribing_to_a_local_address_directly_works() -> None:
    web = Web({"http://192.168.1.20/feed.xml": ok()})
    async with web.fetcher() as fetcher:
        assert (await fetcher.fetch("http://192.168.1.20/feed.xml")).ok


@pytest.mark.usefixtures("names")
async def test_allow_private_false_refuses_even_the_first_url() -> None:
    # For a link found in a public feed (an article page, a related link).
    web = Web({"http://169.254.169.254/latest/": ok(), "http://feeds.example/p": ok()})
    async with web.fetcher() as fetcher:
        refused = await fetcher.fetch("http://169.254.169.254/latest/", allow_private=False)
        fine = await fetcher.fetch("http://feeds.example/p", allow_private=False)
    assert refused.error is not None and refused.error.startswith("refused 169.254.169.254")
    assert fine.ok
    assert web.requests == ["http://feeds.example/p"]


@pytest.mark.usefixtures("names")
async def test_allow_private_true_turns_the_checks_off() -> None:
    web = Web({f"http://{PUBLIC}/f": redirect("http://10.0.0.1/f"), "http://10.0.0.1/f": ok()})
    async with web.fetcher(allow_private=True) as fetcher:
        assert (await fetcher.fetch(f"http://{PUBLIC}/f")).ok


@pytest.mark.usefixtures("names")
async def test_a_redirect_to_a_name_that_does_not_resolve() -> None:
    web = Web({f"http://{PUBLIC}/f": redirect("http://nowhere.example/f")})
    async with web.fetcher() as fetcher:
        result = await fetcher.fetch(f"http://{PUBLIC}/f")
    assert result.error == "DNS lookup failed for nowhere.example"
    assert len(web.requests) == 1


# --- redirects: schemes, loops, lengths, permanence ---------------------------------------


@pytest.mark.parametrize(
    "location",
    [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:text/html,<script>x</script>",
        "ftp://files.example/feed.xml",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "dict://127.0.0.1:11211/stat",
        "FILE:///etc/passwd",
        " file:///etc/passwd",
    ],
)
async def test_a_redirect_to_another_scheme_is_refused(location: str) -> None:
    web = Web({f"http://{PUBLIC}/f": redirect(location)})
    async with web.fetcher() as fetcher:
        result = await fetcher.fetch(f"http://{PUBLIC}/f")
    assert result.error is not None
    assert result.error.startswith("redirected to ") and "not an http(s) URL" in result.error
    assert web.requests == [f"http://{PUBLIC}/f"]


async def test_a_redirect_loop_between_two_urls_stops() -> None:
    a, b = f"http://{PUBLIC}/a", f"http://{PUBLIC}/b"
    web = Web({a: redirect(b), b: redirect(a)})
    async with web.fetcher() as fetcher:
        result = await fetcher.fetch(a)
    assert result.error == f"too many redirects (more than {MAX_REDIRECTS})"
    assert len(web.requests) == MAX_REDIRECTS + 1


async def test_ten_redirects_are_fine() -> None:
    chain = [f"http://{PUBLIC}/{i}" for i in range(MAX_REDIRECTS + 1)]
    routes: dict[str, httpx.Response | Callable[[], httpx.Response]] = {
        url: redirect(chain[i + 1]) for i, url in enumerate(chain[:-1])
    }
    routes[chain[-1]] = ok()
    async with Web(routes).fetcher() as fetcher:
        result = await fetcher.fetch(chain[0])
    assert result.ok and result.final_url == chain[-1]


async def test_an_invalid_location_is_an_error() -> None:
    web = Web({f"http://{PUBLIC}/f": redirect("http://[::1")})
    async with web.fetcher() as fetcher:
        result = await fetcher.fetch(f"http://{PUBLIC}/f")
    assert result.error == f"{PUBLIC} redirected to an invalid URL"


async def test_a_very_long_url_is_refused_without_a_request() -> None:
    web = Web({})
    long_url = f"http://{PUBLIC}/" + "a" * MAX_URL_LENGTH
    async with web.fetcher() as fetcher:
        result = await fetcher.fetch(long_url)
    assert result.error == f"URL too long ({len(long_url)} characters; the limit is 8192)"
    assert web.requests == []


async def test_a_redirect_to_a_very_long_url_is_refused() -> None:
    target = f"http://{PUBLIC}/?q=" + "a" * MAX_URL_LENGTH
    web = Web({f"http://{PUBLIC}/f": redirect(target)})
    async with web.fetcher() as fetcher:
        result = await fetcher.fetch(f"http://{PUBLIC}/f")
    assert result.error is not None and result.error.startswith(
        "redirected to a URL too long to follow"
    )
    assert len(web.requests) == 1


async def test_a_url_just_under_the_limit_is_fetched() -> None:
    url = f"http://{PUBLIC}/" + "a" * (MAX_URL_LENGTH - 40)
    async with Web({url: ok()}).fetcher() as fetcher:
        assert (await fetcher.fetch(url)).ok


P = f"http://{PUBLIC}"


@pytest.mark.parametrize(
    ("chain", "permanent"),
    [
        ([301], f"{P}/1"),
        ([308], f"{P}/1"),
        ([301, 308, 301], f"{P}/3"),
        ([302], None),
        ([307], None),
        ([303], None),
        ([301, 302], f"{P}/1"),  # the permanent part of the chain, up to the first temporary
        ([302, 301], None),
        ([301, 307, 301], f"{P}/1"),
    ],
)
async def test_permanent_redirects_give_the_new_home(
    chain: list[int], permanent: str | None
) -> None:
    routes: dict[str, httpx.Response | Callable[[], httpx.Response]] = {
        f"{P}/{i}": redirect(f"{P}/{i + 1}", status) for i, status in enumerate(chain)
    }
    routes[f"{P}/{len(chain)}"] = ok()
    async with Web(routes).fetcher() as fetcher:
        result = await fetcher.fetch(f"{P}/0")
    assert result.ok
    assert result.permanent_url == permanent
    assert result.final_url == f"{P}/{len(chain)}"


async def test_no_new_home_when_the_fetch_fails_or_downgrades() -> None:
    web = Web(
        {
            f"{P}/gone": redirect(f"{P}/missing", 301),
            f"https://{PUBLIC}/secure": redirect(f"http://{PUBLIC}/plain", 301),
            f"http://{PUBLIC}/plain": ok(),
            f"{P}/same": redirect(f"{P}/cached", 308),
            f"{P}/cached": httpx.Response(304, headers={"ETag": '"e"'}),
        }
    )
    async with web.fetcher() as fetcher:
        failed = await fetcher.fetch(f"{P}/gone")
        downgraded = await fetcher.fetch(f"https://{PUBLIC}/secure")
        not_modified = await fetcher.fetch(f"{P}/same", etag='"e"')
    assert failed.error == "HTTP 404 Not Found" and failed.permanent_url is None
    assert downgraded.ok and downgraded.permanent_url is None
    assert not_modified.not_modified and not_modified.permanent_url == f"{P}/cached"


async def test_conditional_headers_follow_the_redirect() -> None:
    seen: list[httpx.Headers] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        if request.url.path == "/a":
            return redirect("/b", 301)
        return httpx.Response(304)

    async with Fetcher(transport=httpx.MockTransport(handler)) as fetcher:
        result = await fetcher.fetch(f"{P}/a", etag='"v1"', last_modified="Mon, 01 Jan 2024")
    assert result.not_modified
    assert [h.get("if-none-match") for h in seen] == ['"v1"', '"v1"']


# --- statuses ------------------------------------------------------------------------------


async def test_410_gone() -> None:
    async with Web({f"{P}/f": httpx.Response(410)}).fetcher() as fetcher:
        result = await fetcher.fetch(f"{P}/f")
    assert result.error == "HTTP 410 Gone: the feed was removed"
    assert result.gone and result.status == 410 and result.retry_after is None


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize(
    ("header", "seconds", "says"),
    [
        ("120", 120.0, "2 min"),
        ("30", 30.0, "30 s"),
        ("0", 0.0, "0 s"),
        ("7200", 7200.0, "2 h"),
        ("99999999999", MAX_RETRY_AFTER, "7 days"),
    ],
)
async def test_retry_after_in_seconds(status: int, header: str, seconds: float, says: str) -> None:
    web = Web({f"{P}/f": httpx.Response(status, headers={"Retry-After": header})})
    async with web.fetcher() as fetcher:
        result = await fetcher.fetch(f"{P}/f")
    assert result.retry_after == seconds
    assert result.error is not None
    assert result.error.startswith(f"HTTP {status} ")
    assert result.error.endswith(f": the server asks to wait {says} before trying again")


async def test_retry_after_as_a_date() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(hours=3), usegmt=True)
    web = Web({f"{P}/f": httpx.Response(503, headers={"Retry-After": when})})
    async with web.fetcher() as fetcher:
        result = await fetcher.fetch(f"{P}/f")
    assert result.retry_after is not None and 3 * 3600 - 60 < result.retry_after <= 3 * 3600
    assert result.error == (
        "HTTP 503 Service Unavailable: the server asks to wait 3 h before trying again"
    )


@pytest.mark.parametrize("header", [None, "soon", "-5", "1.5", "Mon, 99 Foo 2025"])
async def test_retry_after_missing_or_garbage(header: str | None) -> None:
    headers = {} if header is None else {"Retry-After": header}
    web = Web({f"{P}/f": httpx.Response(429, headers=headers)})
    async with web.fetcher() as fetcher:
        result = await fetcher.fetch(f"{P}/f")
    assert result.retry_after is None
    assert result.error == "HTTP 429 Too Many Requests"


def test_retry_after_parsing() -> None:
    now = datetime(2025, 1, 1, 12, tzinfo=UTC)
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:30 GMT", now.timestamp()) == 30
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now.timestamp()) == 0
    assert parse_retry_after(" 45 ") == 45
    assert parse_retry_after("") is None
    assert [format_wait(s) for s in (0, 89, 90, 3600, 5399, 5400, 86400, 3 * 86400)] == [
        "0 s", "89 s", "2 min", "60 min", "90 min", "2 h", "24 h", "3 days",
    ]  # fmt: skip


def test_new_fields_default_for_old_constructors() -> None:
    result = FetchResult("http://x/", "http://x/", 200, b"", {}, None, None, None)
    assert result.permanent_url is None and result.retry_after is None and not result.gone


# --- bytes on the wire (real loopback servers) ---------------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureServer]:
    with FixtureServer() as srv:
        yield srv


def response_head(extra: str = "") -> bytes:
    return f"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n{extra}\r\n".encode()


async def test_deflate_bomb_is_capped_on_decoded_size(site: FixtureServer) -> None:
    bomb = zlib.compress(b"\0" * (16 * 1024 * 1024), 9)
    assert len(bomb) < 32 * 1024
    site.add_route("deflate-bomb", Route(body=bomb, headers={"Content-Encoding": "deflate"}))
    started = time.perf_counter()
    async with Fetcher(max_bytes=1024 * 1024) as fetcher:
        result = await fetcher.fetch(site.url("deflate-bomb"))
    assert result.error == "response larger than 1 MiB"
    assert time.perf_counter() - started < 3


async def test_double_gzip_bomb_is_capped_on_decoded_size(site: FixtureServer) -> None:
    bomb = gzip.compress(gzip.compress(b"<" * (64 * 1024 * 1024)))
    assert len(bomb) < 16 * 1024
    site.add_route("gz2", Route(body=bomb, headers={"Content-Encoding": "gzip, gzip"}))
    started = time.perf_counter()
    async with Fetcher(max_bytes=2 * 1024 * 1024) as fetcher:
        result = await fetcher.fetch(site.url("gz2"))
    assert result.error == "response larger than 2 MiB"
    assert time.perf_counter() - started < 3


async def test_a_chunked_gzip_bomb_without_content_length() -> None:
    bomb = gzip.compress(b"x" * (32 * 1024 * 1024))

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(response_head("Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"))
        for i in range(0, len(bomb), 4096):
            part = bomb[i : i + 4096]
            writer.write(b"%x\r\n%s\r\n" % (len(part), part))
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(5)

    async with raw_server(serve) as port, Fetcher(max_bytes=1024 * 1024, deadline=5) as fetcher:
        result = await fetcher.fetch(f"http://127.0.0.1:{port}/")
    assert result.error == "response larger than 1 MiB"


async def test_an_absurd_content_length_is_refused_before_reading() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(response_head("Content-Length: 1000000000000\r\n"))
        while True:
            writer.write(b"x" * 65536)
            await writer.drain()

    started = time.perf_counter()
    async with raw_server(serve) as port, Fetcher(max_bytes=1024 * 1024) as fetcher:
        result = await fetcher.fetch(f"http://127.0.0.1:{port}/")
    assert result.error == "response larger than 1 MiB"
    assert time.perf_counter() - started < 2


async def test_an_endless_body_stops_at_the_cap() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(response_head("Connection: close\r\n"))  # no length: read to close
        while True:
            writer.write(b"<item>" * 10_000)
            await writer.drain()

    started = time.perf_counter()
    async with raw_server(serve) as port, Fetcher(max_bytes=512 * 1024, deadline=5) as fetcher:
        result = await fetcher.fetch(f"http://127.0.0.1:{port}/")
    assert result.error == "response larger than 512 KiB"
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("what", ["status-line", "headers", "chunks"])
async def test_a_dripping_server_hits_the_total_deadline(what: str) -> None:
    """Each byte arrives well inside the read timeout; only the total deadline ends it."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        if what == "status-line":
            data = b"HTTP/1.1 200 OK\r\n" * 1000
        elif what == "headers":
            writer.write(b"HTTP/1.1 200 OK\r\n")
            data = b"X-Drip: " + b"a" * 100_000
        else:
            writer.write(response_head("Transfer-Encoding: chunked\r\n"))
            data = b"1\r\nx\r\n" * 100_000
        for byte in data:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.02)

    started = time.perf_counter()
    async with raw_server(serve) as port, Fetcher(timeout=5, deadline=0.6) as fetcher:
        result = await fetcher.fetch(f"http://127.0.0.1:{port}/")
    assert time.perf_counter() - started < 1.6  # the deadline plus a second
    assert result.error == "timed out after 0.6 s (the whole fetch)"


async def test_content_length_longer_than_the_body() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(response_head("Content-Length: 5000\r\n") + FEED)
        await writer.drain()
        writer.close()

    async with raw_server(serve) as port, Fetcher() as fetcher:
        result = await fetcher.fetch(f"http://127.0.0.1:{port}/")
    assert result.error == (
        f"127.0.0.1 closed the connection before the whole response arrived "
        f"({len(FEED)} of 5000 bytes)"
    )
    assert result.body is None


async def test_content_length_shorter_than_the_body() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(response_head("Content-Length: 40\r\n") + FEED + b"<junk>" * 100)
        await writer.drain()
        await asyncio.sleep(1)

    async with raw_server(serve) as port, Fetcher() as fetcher:
        result = await fetcher.fetch(f"http://127.0.0.1:{port}/")
    assert result.ok and result.body == FEED[:40]  # what it declared, nothing more


async def test_connection_reset_mid_body() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(response_head("Content-Length: 100000\r\n") + b"<rss>" * 1000)
        await writer.drain()
        await asyncio.sleep(0.05)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()  # RST, not FIN

    async with raw_server(serve) as port, Fetcher() as fetcher:
        result = await fetcher.fetch(f"http://127.0.0.1:{port}/")
    assert result.error in (
        "connection reset by 127.0.0.1",
        "127.0.0.1 closed the connection before the whole response arrived (5000 of 100000 bytes)",
    )
    assert result.body is None


async def test_a_server_that_answers_nothing() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.close()

    async with raw_server(serve) as port, Fetcher() as fetcher:
        result = await fetcher.fetch(f"http://127.0.0.1:{port}/")
    assert result.error is not None
    assert result.error.startswith("127.0.0.1 broke the connection")


async def test_a_server_that_does_not_speak_http() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\n" + b"\x00\xff" * 100)
        await writer.drain()
        await asyncio.sleep(0.1)

    async with raw_server(serve) as port, Fetcher(deadline=3) as fetcher:
        result = await fetcher.fetch(f"http://127.0.0.1:{port}/")
    assert result.error is not None and "127.0.0.1" in result.error


@pytest.mark.parametrize(
    "content_type",
    ["text/html; charset=utf-8", "application/octet-stream", "image/png", "", "text/plain"],
)
async def test_a_feed_with_the_wrong_content_type_still_reads(
    site: FixtureServer, content_type: str
) -> None:
    path = f"wrong-type-{len(content_type)}"
    site.add_route(path, Route(body=FEED, content_type=content_type))
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(site.url(path))
    assert result.ok and result.body == FEED
    feed = parse_feed(result.body or b"", url=result.final_url, headers=result.headers)
    assert [e.title for e in feed.entries] == ["Item"]


@pytest.fixture
def wrong_host_cert(tmp_path: Path) -> ssl.SSLContext:
    return self_signed_context(
        tmp_path, "-subj", "/CN=feeds.example", "-addext", "subjectAltName=DNS:feeds.example"
    )


async def test_tls_certificate_for_another_host(wrong_host_cert: ssl.SSLContext) -> None:
    async def hello(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)

    async with raw_server(hello, wrong_host_cert) as port, Fetcher(deadline=5) as fetcher:
        result = await fetcher.fetch(f"https://127.0.0.1:{port}/feed.xml")
    assert result.error is not None
    assert result.error.startswith("TLS error: certificate verify failed")
    assert "_ssl.c" not in result.error
