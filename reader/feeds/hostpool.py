"""A connection pool per host for the fetcher's one HTTP client.

httpcore's pool hands each request a connection by walking every connection it holds, and
asks each idle one whether its socket is still good (a poll and a getpeername system call
each). One pool shared by a refresh of a hundred hosts held over sixty connections: about
a thousand such checks a feed, a third of the main process's CPU. A pool per host holds at
most the few connections the fetcher allows one host (`per_host`), so each request looks
at those only. The TLS context is made once and shared: making one loads the CA bundle.
"""

from __future__ import annotations

import ssl

import httpx


class PerHostTransport(httpx.AsyncBaseTransport):
    """Sends each request through the pool of its scheme, host and port, made when the
    host is first asked for."""

    def __init__(self, per_host: int) -> None:
        self._limits = httpx.Limits(
            max_connections=None, max_keepalive_connections=max(1, per_host)
        )
        self._tls: ssl.SSLContext | None = None
        self._pools: dict[tuple[bytes, bytes, int | None], httpx.AsyncHTTPTransport] = {}

    def _pool(self, url: httpx.URL) -> httpx.AsyncHTTPTransport:
        key = (url.raw_scheme, url.raw_host, url.port)
        pool = self._pools.get(key)
        if pool is None:
            if self._tls is None:
                self._tls = httpx.create_ssl_context()
            pool = httpx.AsyncHTTPTransport(verify=self._tls, limits=self._limits)
            self._pools[key] = pool
        return pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._pool(request.url).handle_async_request(request)

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()
