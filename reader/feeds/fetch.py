"""The HTTP client: conditional, bounded, streaming GETs that report failures instead of raising.

One shared `httpx.AsyncClient` keeps connections alive across feeds on the same host. Every
fetch is bounded three ways: by a semaphore (how many at once), by httpx's per-phase timeouts
plus a total deadline (a server that drips bytes cannot hold a feed forever), and by a cap on
the decoded body size (a gzip bomb or an endless response cannot fill memory). Whatever goes
wrong ends up as a short `error` sentence a user can act on, never as an exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType

import httpx

from reader import __version__
from reader.text import clean_line, is_http_url

DEFAULT_USER_AGENT = f"newsreader/{__version__} (+https://github.com/newsreader/newsreader)"
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
MAX_REDIRECTS = 10

_KIB = 1024
_MIB = 1024 * 1024


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


def format_size(n: int) -> str:
    """A byte count the way a person reads it: `16 MiB`, `64 KiB`, `1.5 MiB`, `900 bytes`."""
    if n >= _MIB:
        return f"{n // _MIB} MiB" if n % _MIB == 0 else f"{n / _MIB:.1f} MiB"
    if n >= _KIB:
        return f"{n // _KIB} KiB" if n % _KIB == 0 else f"{n / _KIB:.1f} KiB"
    return f"{n} bytes"


def _seconds(t: float | None) -> str:
    return f"{t:g} s" if t is not None else "the time limit"


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
        deadline: float = 60.0,
        max_bytes: int = 16 * 1024 * 1024,
        concurrency: int = 16,
        transport: httpx.AsyncBaseTransport | None = None,
        user_agent: str | None = None,
    ) -> None:
        self.timeouts = httpx.Timeout(timeout, connect=connect_timeout)
        self.deadline = deadline
        self.max_bytes = max_bytes
        self._semaphore = asyncio.Semaphore(max(1, concurrency))
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent or DEFAULT_USER_AGENT, "Accept": ACCEPT},
            timeout=self.timeouts,
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            transport=transport,
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
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET `url`, conditionally when validators are given; failures come back as `error`."""
        if not is_http_url(url):
            return _failed(url, f"not an http(s) URL: {_short(url, 120)}")
        url = url.strip()
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        async with self._semaphore:
            try:
                async with asyncio.timeout(self.deadline):
                    return await self._get(url, headers)
            except TimeoutError:
                # Only the deadline raises the builtin TimeoutError here: httpx has its own.
                return _failed(url, f"timed out after {_seconds(self.deadline)} (the whole fetch)")

    async def _get(self, url: str, headers: dict[str, str]) -> FetchResult:
        try:
            request_url = httpx.URL(url)
        except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
            return _failed(url, f"invalid URL: {_short(exc, 120)}")
        try:
            async with self._client.stream("GET", request_url, headers=headers) as response:
                return await self._read(url, response)
        except httpx.InvalidURL as exc:
            return _failed(url, f"invalid URL: {_short(exc, 120)}")
        except httpx.HTTPError as exc:
            return _failed(url, describe_error(exc, request_url, self.timeouts))
        except httpx.StreamError as exc:
            return _failed(url, f"network error: {_short(exc)}")

    async def _read(self, url: str, response: httpx.Response) -> FetchResult:
        final_url = str(response.url)
        status = response.status_code
        resp_headers = {key.lower(): value for key, value in response.headers.items()}
        etag = _validator(response.headers.get("etag"))
        last_modified = _validator(response.headers.get("last-modified"))

        def result(body: bytes | None, error: str | None) -> FetchResult:
            # Validators only with a good answer: storing an error page's ETag would turn the
            # next fetch into a 304 for a body we never had.
            if error is not None:
                return FetchResult(url, final_url, status, None, resp_headers, None, None, error)
            return FetchResult(
                url, final_url, status, body, resp_headers, etag, last_modified, error
            )

        if response.url.scheme not in ("http", "https"):
            return result(None, f"redirected to {_short(final_url, 120)}: not an http(s) URL")
        if status == 304:
            return result(None, None)
        if not 200 <= status < 300:
            await _drain_small(response)
            reason = _short(httpx.codes.get_reason_phrase(status), 80)
            return result(None, f"HTTP {status} {reason}".rstrip())

        too_large = f"response larger than {format_size(self.max_bytes)}"
        declared = response.headers.get("content-length", "")
        encoded = response.headers.get("content-encoding", "identity").strip().lower()
        if encoded == "identity" and declared.isdigit() and int(declared) > self.max_bytes:
            return result(None, too_large)  # said so up front: read nothing
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


def _failed(url: str, error: str) -> FetchResult:
    """A fetch that got no usable response at all."""
    return FetchResult(url, url, None, None, {}, None, None, error)
