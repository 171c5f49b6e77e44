"""A connection pool per host for the fetcher's one HTTP client.

httpcore's pool hands each request a connection by walking every connection it holds, and
for each idle one walks them all again (to count the idle ones) and asks its socket whether
it is still good (a poll and a getpeername call). One pool shared by a refresh of a hundred
hosts held over sixty connections, and fetching a feed cost the main thread 5.6 ms of CPU;
with a pool per host, which holds at most the few connections the fetcher allows one host
(`per_host`), 2.3 ms (`python -m bench.fetch_cpu`). Every pool, and every fetcher, uses
the process's one TLS context (`tls_context`): making one loads the CA bundle.

httpcore closes an idle connection only when its pool is next used, so a pool whose host is
not asked again would keep its sockets: pools with nothing in flight and unused for the
keep-alive time are closed as other requests come (a long-lived fetcher, such as the one
pictures are loaded with, visits many hosts once).
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import AsyncIterator

import httpx

_TLS: ssl.SSLContext | None = None
_TLS_LOCK = threading.Lock()


def tls_context() -> ssl.SSLContext:
    """The process's one client TLS context. Making one loads the CA bundle (~50 ms here),
    and every fetcher (a refresh, a page opened in reader mode, a feed previewed) would
    otherwise make its own; the context holds no per-connection state, so they share it."""
    global _TLS
    with _TLS_LOCK:
        if _TLS is None:
            _TLS = httpx.create_ssl_context()
        return _TLS


KEEPALIVE_SECONDS = 5.0
"""How long an idle connection is kept for its host's next request (httpx's default)."""

_Key = tuple[bytes, bytes, int | None]


class _HostPool:
    """One host's transport, with what it has in flight and when it was last used."""

    __slots__ = ("in_flight", "transport", "used")

    def __init__(self, transport: httpx.AsyncHTTPTransport) -> None:
        self.transport = transport
        self.in_flight = 0
        self.used = time.monotonic()


class _Counted(httpx.AsyncByteStream):
    """A response body that tells its pool when it is done with, read or not."""

    def __init__(self, stream: httpx.AsyncByteStream, pool: _HostPool) -> None:
        self._stream = stream
        self._pool: _HostPool | None = pool

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            self._done()

    def _done(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.in_flight -= 1
            pool.used = time.monotonic()


class PerHostTransport(httpx.AsyncBaseTransport):
    """Sends each request through the pool of its scheme, host and port, made when the
    host is first asked for; at most `per_host` connections are open to a host."""

    def __init__(self, per_host: int, *, keepalive: float = KEEPALIVE_SECONDS) -> None:
        per_host = max(1, per_host)
        self._limits = httpx.Limits(
            max_connections=per_host, max_keepalive_connections=per_host, keepalive_expiry=keepalive
        )
        self._keepalive = keepalive
        # Here, not on a first https request: the first one of a process loads the CA
        # bundle, and fetchers are made off the event loop for that reason.
        self._tls = tls_context()
        self._pools: dict[_Key, _HostPool] = {}
        self._swept = time.monotonic()

    @property
    def hosts(self) -> int:
        """How many hosts have a pool (open connections, or ones not yet swept)."""
        return len(self._pools)

    def _pool(self, url: httpx.URL) -> _HostPool:
        key = (url.raw_scheme, url.raw_host, url.port)
        pool = self._pools.get(key)
        if pool is None:
            pool = _HostPool(httpx.AsyncHTTPTransport(verify=self._tls, limits=self._limits))
            self._pools[key] = pool
        return pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self._sweep()
        pool = self._pool(request.url)
        pool.in_flight += 1
        pool.used = time.monotonic()
        try:
            response = await pool.transport.handle_async_request(request)
        except BaseException:
            pool.in_flight -= 1
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Counted(response.stream, pool)
        return response

    async def _sweep(self) -> None:
        """Close the pools of hosts nobody asked for within the keep-alive time (looked at
        once per keep-alive time, so a busy refresh pays nothing for it)."""
        now = time.monotonic()
        if now - self._swept < self._keepalive:
            return
        self._swept = now
        # Every stale pool leaves the map before the first is closed: closing awaits, and a
        # request meanwhile must make a new pool, never take one about to be closed.
        stale = [
            self._pools.pop(key)
            for key, pool in list(self._pools.items())
            if pool.in_flight == 0 and now - pool.used >= self._keepalive
        ]
        for pool in stale:
            await pool.transport.aclose()

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.transport.aclose()
