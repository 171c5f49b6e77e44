"""The HTTP client: conditional, bounded, streaming GETs that report failures instead of raising.

One shared `httpx.AsyncClient` keeps connections alive across feeds on the same host. Every
fetch is bounded three ways: by a semaphore (how many at once), by httpx's per-phase timeouts
plus a total deadline (a server that drips bytes cannot hold a feed forever), and by a cap on
the decoded body size (a gzip bomb or an endless response cannot fill memory). Whatever goes
wrong ends up as a short `error` sentence a user can act on, never as an exception.

Redirects are followed here, not by httpx, so that every hop is checked: http(s) only, at most
MAX_REDIRECTS of them, URLs at most `netguard.MAX_URL_LENGTH` long, and never from a public
address into the user's own network (`netguard`) unless the URL asked for was there already.
A chain of permanent redirects (301/308) is reported as `permanent_url`, a 429/503's
Retry-After as `retry_after`.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import importlib.util
import math
import re
import socket
import ssl
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from reader import __version__, netguard
from reader.feeds.hostpool import PerHostTransport
from reader.netguard import MAX_URL_LENGTH
from reader.text import clean_line, format_size, is_http_url

DEFAULT_USER_AGENT = f"newsreader/{__version__} (+https://github.com/newsreader/newsreader)"
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
MAX_REDIRECTS = 10
MAX_RETRY_AFTER = 7 * 24 * 3600.0
"""A longer Retry-After is taken as this (a week): the feed is tried again some day."""
_PERMANENT = frozenset({301, 308})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_SHORT_BODY = re.compile(r"received (\d+) bytes, expected (\d+)")

_KIB = 1024
_MIB = 1024 * 1024


def _settle_sniffio() -> None:
    """httpcore asks `import sniffio` on every connection and lock (several times a
    request) to learn which event loop runs; when sniffio is not installed (anyio no longer
    needs it) each of those is a failed import, which Python does not cache: a search of
    the whole import path every time, ~0.1 ms each, 0.6 s of CPU in a refresh of 1000
    feeds. Marking it absent once makes each of those a dictionary lookup, and httpcore
    then assumes asyncio, which is what runs here. An installed sniffio is left alone."""
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


_settle_sniffio()


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of one GET: a body, a 304, or an error sentence (never an exception)."""

    url: str
    """The URL that was asked for."""
    final_url: str
    """Where the response came from after redirects (`url` when no response arrived)."""
    status: int | None
    """HTTP status of the final response; None when none arrived."""
    body: bytes | None
    """The decoded body of a 2xx response; None otherwise."""
    headers: dict[str, str]
    """Response headers with lower-case keys ({} when no response arrived)."""
    etag: str | None
    last_modified: str | None
    error: str | None
    """Why the fetch failed, in words a user can act on; None when it worked."""
    permanent_url: str | None = None
    """Where the feed now lives, when every redirect on the way was permanent (301/308) and
    the fetch worked (2xx or 304): the caller should store this URL instead of `url`. None
    when there was no such redirect, or it went from https to http."""
    retry_after: float | None = None
    """Seconds the server asked us to wait (429/503 with Retry-After), capped at a week."""
    holds_slot: bool = False
    """The body took one of the caller's `body_slots`: the caller gives it back."""

    @property
    def ok(self) -> bool:
        """A 2xx response whose body arrived whole."""
        return (
            self.error is None
            and self.body is not None
            and self.status is not None
            and 200 <= self.status < 300
        )

    @property
    def not_modified(self) -> bool:
        """The server said our copy is current (304): keep the stored entries."""
        return self.status == 304

    @property
    def gone(self) -> bool:
        """The server says the resource was removed for good (410): stop fetching it."""
        return self.status == 410


class _BodyGate:
    """One fetch's use of the caller's body slots (see `Fetcher.fetch`)."""

    def __init__(self, slots: asyncio.Semaphore, ahead: asyncio.Semaphore | None = None) -> None:
        self.slots = slots
        self.taken = False
        self.budget: asyncio.Timeout | None = None
        self.ahead = ahead
        self.waiting = False
        """Holds one of `ahead` (see `Fetcher.fetch`)."""

    async def wait_ahead(self) -> None:
        """Take one of `ahead` before a request that will most likely bring a body."""
        if self.ahead is not None and not self.waiting:
            await self.ahead.acquire()
            self.waiting = True

    def leave_ahead(self) -> None:
        if self.waiting and self.ahead is not None:
            self.waiting = False
            self.ahead.release()

    async def take(self) -> None:
        """Wait for a slot; the wait is added to the fetch's deadline (it is not the
        server's slowness)."""
        if self.taken:
            return
        budget = self.budget
        when = budget.when() if budget is not None else None
        started = time.monotonic()
        if budget is not None:
            budget.reschedule(None)  # the deadline stands still meanwhile
        try:
            await self.slots.acquire()
        finally:
            if budget is not None and when is not None:
                budget.reschedule(when + time.monotonic() - started)
        self.taken = True
        self.leave_ahead()

    def give_back(self) -> None:
        if self.taken:
            self.taken = False
            self.slots.release()


_GATE: contextvars.ContextVar[_BodyGate | None] = contextvars.ContextVar(
    "fetch_body_gate", default=None
)
"""The body gate of the fetch running in this task (set by `Fetcher.fetch`)."""


class _Refused(Exception):
    """A hop the fetcher will not make; the message is the user's error sentence."""


def _seconds(t: float | None) -> str:
    return f"{t:g} s" if t is not None else "the time limit"


def format_wait(seconds: float) -> str:
    """A wait the way a person reads it, rounded up: `45 s`, `2 min`, `3 h`, `2 days`."""
    if seconds < 90:
        return f"{max(0, math.ceil(seconds))} s"
    if seconds < 90 * 60:
        return f"{math.ceil(seconds / 60)} min"
    if seconds < 48 * 3600:
        return f"{math.ceil(seconds / 3600)} h"
    return f"{math.ceil(seconds / 86400)} days"


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After (delta-seconds or an HTTP date) as seconds from `now`, in [0, a week]."""
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        seconds = float(int(text[:12]))
    else:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if moment is None or moment.tzinfo is None:
            return None
        seconds = moment.timestamp() - (time.time() if now is None else now)
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _short(text: object, limit: int = 200) -> str:
    """Untrusted or noisy text (exception messages, URLs) made safe and short for an error."""
    return clean_line(str(text), limit=limit)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it was raised from, innermost last."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _tls_reason(err: ssl.SSLError) -> str:
    """`certificate verify failed: self-signed certificate`, not `[SSL: ...] (_ssl.c:1006)`."""
    if isinstance(err, ssl.SSLCertVerificationError) and err.verify_message:
        return _short(f"certificate verify failed: {err.verify_message}")
    text = str(err.args[1]) if len(err.args) > 1 else str(err)
    if text.startswith("[SSL"):
        text = text.split("]", 1)[-1]
    text = text.split(" (_ssl.c:", 1)[0].strip()
    return _short(text or err.reason or "handshake failed")


def _host(url: httpx.URL) -> str:
    return _short(url.host or str(url), 120)


def _host_port(url: httpx.URL) -> str:
    port = url.port or (443 if url.scheme == "https" else 80)
    return f"{_host(url)}:{port}"


def describe_error(exc: Exception, url: httpx.URL, timeouts: httpx.Timeout) -> str:
    """Turn an httpx failure into one sentence that says what went wrong and where."""
    request_url = url
    with contextlib.suppress(AttributeError, RuntimeError):  # .request raises when unset
        request_url = exc.request.url  # type: ignore[attr-defined]
    host = _host(request_url)
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timed out connecting to {host} after {_seconds(timeouts.connect)}"
    if isinstance(exc, httpx.ReadTimeout):
        return f"timed out waiting for {host} to respond after {_seconds(timeouts.read)}"
    if isinstance(exc, httpx.WriteTimeout):
        return f"timed out sending the request to {host} after {_seconds(timeouts.write)}"
    if isinstance(exc, httpx.PoolTimeout):
        return f"timed out waiting for a free connection after {_seconds(timeouts.pool)}"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out talking to {host}"
    if isinstance(exc, httpx.TooManyRedirects):
        return f"too many redirects (more than {MAX_REDIRECTS})"
    if isinstance(exc, httpx.UnsupportedProtocol):
        if str(request_url) != str(url):
            return f"redirected to {_short(request_url, 120)}: not an http(s) URL"
        return f"not an http(s) URL: {_short(url, 120)}"
    if isinstance(exc, httpx.DecodingError):
        return f"{host} sent a corrupt compressed response"
    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror):
            return f"DNS lookup failed for {host}"
        if isinstance(cause, ConnectionRefusedError):
            return f"connection refused by {_host_port(request_url)}"
        if isinstance(cause, ConnectionResetError):
            return f"connection reset by {_host(request_url)}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS error: {_tls_reason(cause)}"
    if isinstance(exc, httpx.RemoteProtocolError):
        short = _SHORT_BODY.search(str(exc))
        if short:
            got, expected = short.groups()
            return (
                f"{host} closed the connection before the whole response arrived "
                f"({got} of {expected} bytes)"
            )
        return f"{host} broke the connection: {_short(exc, 120)}"
    return f"network error: {_short(exc) or f'{type(exc).__name__} talking to {host}'}"


def _validator(value: str | None) -> str | None:
    """A validator echoed back in a later request: controls stripped so it stays a valid header."""
    cleaned = clean_line(value, limit=1024)
    return cleaned or None


class Fetcher:
    """Fetches feeds (and pages) over one shared client; use as an async context manager."""

    def __init__(
        self,
        *,
        timeout: float = 20.0,
        connect_timeout: float = 10.0,
        deadline: float = 30.0,
        max_bytes: int = 16 * 1024 * 1024,
        concurrency: int = 16,
        per_host: int = 6,
        transport: httpx.AsyncBaseTransport | None = None,
        user_agent: str | None = None,
        allow_private: bool | None = None,
    ) -> None:
        """`allow_private` is the default for `fetch` (see there). At most `concurrency`
        requests run at once, and at most `per_host` to any one host (politeness: a site with
        fifty feeds is not hit fifty times at once, and a slow host holds no global slots)."""
        self.timeouts = httpx.Timeout(timeout, connect=connect_timeout)
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.allow_private = allow_private
        self._semaphore = asyncio.Semaphore(max(1, concurrency))
        self.per_host = max(1, per_host)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent or DEFAULT_USER_AGENT, "Accept": ACCEPT},
            timeout=self.timeouts,
            follow_redirects=False,  # followed by `_get`, which checks every hop
            # A pool per host (see `hostpool`), each keeping alive as many connections as
            # may be open to its host: httpx keeps 20 idle connections in all by default,
            # and a refresh spread over more hosts than that closed a connection after
            # nearly every answer and opened a new one for the next feed of the same host.
            transport=transport or PerHostTransport(self.per_host),
            event_hooks={"response": [_check_location]},
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        allow_private: bool | None = None,
        body_slots: asyncio.Semaphore | None = None,
        ahead: asyncio.Semaphore | None = None,
    ) -> FetchResult:
        """GET `url`, conditionally when validators are given; failures come back as `error`.

        `body_slots` bounds the bodies a caller holds at once: a 2xx body is read only after
        taking one of them (the time spent waiting does not count against the deadline), and
        the result then says `holds_slot`: the caller releases it when done with the body. A
        304, an error page or a failure never keeps one.

        `ahead` bounds, with `body_slots`, the requests without validators (a body is
        near certain) sent before a slot is free: each holds one of them until it has a
        slot. A response waiting for its slot has its first read (up to 256 KB) in memory,
        and without this bound a refresh of many new feeds kept dozens of them.

        `allow_private` (default: the Fetcher's) says where redirects may lead. None: the URL
        asked for is fetched wherever it is, and redirects may lead into loopback, private or
        link-local space only if it is there itself (a user may subscribe to a local feed).
        False: not even `url` may be internal (for links found in a public feed's content).
        True: no address checks at all.
        """
        if not is_http_url(url):
            return _failed(url, f"not an http(s) URL: {_short(url, 120)}")
        url = url.strip()
        if len(url) > MAX_URL_LENGTH:
            return _failed(url, _too_long(url))
        if allow_private is None:
            allow_private = self.allow_private
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:  # e.g. a bad port or IPv6 literal: _get reports it
            host = ""
        per_host = self._hosts.setdefault(host, asyncio.Semaphore(self.per_host))
        gate = _BodyGate(body_slots, ahead) if body_slots is not None else None
        token = _GATE.set(gate)
        try:
            if gate is not None and not headers:
                await gate.wait_ahead()
            async with per_host, self._semaphore:
                try:
                    async with asyncio.timeout(self.deadline) as budget:
                        if gate is not None:
                            gate.budget = budget
                        result = await self._get(url, headers, allow_private)
                except TimeoutError:
                    # Only the deadline raises the builtin TimeoutError here: httpx has its own.
                    result = _failed(
                        url, f"timed out after {_seconds(self.deadline)} (the whole fetch)"
                    )
                except BaseException:
                    if gate is not None:
                        gate.give_back()
                    raise
        finally:
            _GATE.reset(token)
            if gate is not None:
                gate.leave_ahead()
        if gate is not None and gate.taken:
            if result.ok:
                return replace(result, holds_slot=True)
            gate.give_back()
        return result

    async def _get(
        self, url: str, headers: dict[str, str], allow_private: bool | None
    ) -> FetchResult:
        try:
            request_url = httpx.URL(url)
        except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
            return _failed(url, f"invalid URL: {_short(exc, 120)}")
        current = request_url
        try:
            # None: not yet known (only looked up when a redirect needs it).
            origin_internal: bool | None = None
            if allow_private is False:
                if await self._internal(request_url):
                    return _failed(url, _refused(request_url))
                origin_internal = False
            request = self._client.build_request("GET", request_url, headers=headers)
            permanent: str | None = None
            all_permanent = True
            for hop in range(MAX_REDIRECTS + 1):
                current = request.url
                response = await self._client.send(request, stream=True)
                try:
                    next_request = response.next_request
                    if response.status_code not in _REDIRECTS or next_request is None:
                        return await self._read(url, response, permanent)
                    if hop == MAX_REDIRECTS:
                        return _failed(url, f"too many redirects (more than {MAX_REDIRECTS})")
                    target = next_request.url
                    self._check_target(target)
                    if allow_private is not True and await self._internal(target):
                        if origin_internal is None:
                            origin_internal = await self._internal(request_url, lookup_failed=False)
                        if not origin_internal:
                            return _failed(url, _refused(target, redirected=True))
                    if all_permanent and response.status_code in _PERMANENT:
                        if current.scheme == "https" and target.scheme != "https":
                            all_permanent = False  # never store a downgrade to plain http
                        else:
                            permanent = str(target)
                    else:
                        all_permanent = False
                    await _drain_small(response)
                finally:
                    await response.aclose()
                request = next_request
            raise AssertionError("unreachable")  # pragma: no cover - the loop returns
        except _Refused as exc:
            return _failed(url, str(exc))
        except httpx.InvalidURL as exc:
            return _failed(url, f"invalid URL: {_short(exc, 120)}")
        except httpx.RemoteProtocolError as exc:
            if "location header" in str(exc).lower():
                return _failed(url, f"{_host(current)} redirected to an invalid URL")
            return _failed(url, describe_error(exc, current, self.timeouts))
        except httpx.HTTPError as exc:
            return _failed(url, describe_error(exc, current, self.timeouts))
        except httpx.StreamError as exc:
            return _failed(url, f"network error: {_short(exc)}")

    @staticmethod
    def _check_target(target: httpx.URL) -> None:
        """Refuse a redirect to anything but a reasonable http(s) URL."""
        text = str(target)
        if target.scheme not in ("http", "https"):
            raise _Refused(f"redirected to {_short(text, 120)}: not an http(s) URL")
        if len(text) > MAX_URL_LENGTH:
            raise _Refused(f"redirected to a URL too long to follow ({len(text)} characters)")

    async def _internal(self, url: httpx.URL, *, lookup_failed: bool | None = None) -> bool:
        """Whether `url`'s host is in the user's own network.

        A failed lookup raises _Refused with the DNS error (the fetch cannot go there either),
        unless `lookup_failed` says what to answer instead.
        """
        host = url.host
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            return await asyncio.wait_for(
                netguard.host_is_internal(host, port), self.timeouts.connect
            )
        except (OSError, TimeoutError) as exc:
            if lookup_failed is not None:
                return lookup_failed
            if isinstance(exc, TimeoutError):
                raise _Refused(
                    f"timed out looking up {_host(url)} after {_seconds(self.timeouts.connect)}"
                ) from None
            raise _Refused(f"DNS lookup failed for {_host(url)}") from None

    async def _read(
        self, url: str, response: httpx.Response, permanent: str | None = None
    ) -> FetchResult:
        final_url = str(response.url)
        status = response.status_code
        resp_headers = {key.lower(): value for key, value in response.headers.items()}
        etag = _validator(response.headers.get("etag"))
        last_modified = _validator(response.headers.get("last-modified"))
        retry_after = (
            parse_retry_after(response.headers.get("retry-after")) if status in (429, 503) else None
        )

        def result(body: bytes | None, error: str | None) -> FetchResult:
            # Validators only with a good answer: storing an error page's ETag would turn the
            # next fetch into a 304 for a body we never had. A new home only when it worked.
            if error is not None:
                return FetchResult(
                    url, final_url, status, None, resp_headers, None, None, error,
                    retry_after=retry_after,
                )  # fmt: skip
            return FetchResult(
                url, final_url, status, body, resp_headers, etag, last_modified, error,
                permanent_url=permanent,
            )  # fmt: skip

        if response.url.scheme not in ("http", "https"):
            return result(None, f"redirected to {_short(final_url, 120)}: not an http(s) URL")
        if status == 304:
            return result(None, None)
        if not 200 <= status < 300:
            await _drain_small(response)
            return result(None, _status_error(status, retry_after))

        too_large = f"response larger than {format_size(self.max_bytes)}"
        declared = response.headers.get("content-length", "")
        encoded = response.headers.get("content-encoding", "identity").strip().lower()
        if encoded == "identity" and declared.isdigit() and int(declared) > self.max_bytes:
            return result(None, too_large)  # said so up front: read nothing
        gate = _GATE.get()
        if gate is not None:
            await gate.take()
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.aiter_bytes():
            total += len(chunk)
            if total > self.max_bytes:
                return result(None, too_large)  # leaving `stream` drops the connection
            chunks.append(chunk)
        return result(b"".join(chunks), None)


async def _drain_small(response: httpx.Response, limit: int = 64 * 1024) -> None:
    """Read a short error page so its connection goes back to the pool instead of being reset."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) <= limit:
        with contextlib.suppress(httpx.HTTPError):
            await response.aread()


async def _check_location(response: httpx.Response) -> None:
    """Refuse a redirect to another scheme before httpx even parses its Location (it raises
    a confusing InvalidURL for `javascript:x`)."""
    location = response.headers.get("location")
    if response.status_code not in _REDIRECTS or location is None:
        return
    try:
        scheme = urlsplit(urljoin(str(response.request.url), location.strip())).scheme
    except ValueError:
        return  # httpx reports it as an invalid URL
    if scheme.lower() not in ("http", "https"):
        raise _Refused(f"redirected to {_short(location, 120)}: not an http(s) URL")


def _failed(url: str, error: str) -> FetchResult:
    """A fetch that got no usable response at all."""
    return FetchResult(url, url, None, None, {}, None, None, error)


def _status_error(status: int, retry_after: float | None) -> str:
    """`HTTP 404 Not Found`, with what it means where that is not obvious."""
    reason = _short(httpx.codes.get_reason_phrase(status), 80)
    text = f"HTTP {status} {reason}".rstrip()
    if status == 410:
        return f"{text}: the feed was removed"
    if retry_after is not None:
        return f"{text}: the server asks to wait {format_wait(retry_after)} before trying again"
    return text


def _too_long(url: str) -> str:
    return f"URL too long ({len(url)} characters; the limit is {MAX_URL_LENGTH})"


def _refused(url: httpx.URL, *, redirected: bool = False) -> str:
    """Why a fetch into the user's own network was not made."""
    host = _host(url)
    if redirected:
        return f"refused a redirect to {host}, a local or private network address"
    return f"refused {host}: a local or private network address (linked from a public feed)"
