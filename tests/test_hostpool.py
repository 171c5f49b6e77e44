"""The fetcher's pool per host: a cap on one host's connections, idle hosts let go."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from reader.feeds import hostpool
from reader.feeds.fetch import Fetcher
from reader.feeds.hostpool import PerHostTransport
from tests.rawserver import raw_server, read_request


def _answering(body: bytes) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Any]:
    """A keep-alive connection handler that answers every request with `body`."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()

    return serve


async def test_no_more_than_per_host_connections_to_a_host_however_many_ask() -> None:
    """Eight requests at once to one host through a transport allowing two: the server
    never has more than two connections open, and every request is answered."""
    open_now = 0
    most = 0
    release = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal open_now, most
        open_now += 1
        most = max(most, open_now)
        try:
            while True:
                await read_request(reader)
                await release.wait()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        finally:
            open_now -= 1

    async with raw_server(serve) as port:
        transport = PerHostTransport(2)
        async with httpx.AsyncClient(transport=transport) as client:
            asks = [
                asyncio.create_task(client.get(f"http://127.0.0.1:{port}/{n}")) for n in range(8)
            ]
            for _ in range(50):
                await asyncio.sleep(0)
            release.set()
            answers = await asyncio.gather(*asks)
    assert [answer.text for answer in answers] == ["ok"] * 8
    assert most == 2


async def test_a_host_not_asked_again_has_its_idle_connections_closed() -> None:
    """Once its keep-alive time has passed (0 here), a host's idle connection is closed
    when another host is asked for: the server sees it end, and only the host in use keeps
    a pool. A response still being read is never closed under its reader."""
    ended = asyncio.Event()

    async def first(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        if not await reader.read(1):
            ended.set()

    async with contextlib.AsyncExitStack() as stack:
        port_a = await stack.enter_async_context(raw_server(first))
        port_b = await stack.enter_async_context(raw_server(_answering(b"same")))
        transport = PerHostTransport(2, keepalive=0.0)
        async with httpx.AsyncClient(transport=transport) as client:
            async with client.stream("GET", f"http://127.0.0.1:{port_b}/") as streaming:
                assert (await client.get(f"http://127.0.0.1:{port_a}/")).text == "ok"
                assert transport.hosts == 2
                # Asking host B again sweeps A (idle) but not B's pool, whose first
                # response is still open.
                assert (await client.get(f"http://127.0.0.1:{port_b}/")).text == "same"
                assert transport.hosts == 1
                assert (await streaming.aread()) == b"same"
            await asyncio.wait_for(ended.wait(), 5)


async def test_the_ca_bundle_is_loaded_once_a_process_and_never_on_a_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Loading the CA certificates takes ~50 ms: the first transport (or fetcher) of a
    process loads them, off the event loop, and every later one and every request to any
    host shares that context."""
    made: list[object] = []
    real = httpx.create_ssl_context

    def counted(*args: object, **kwargs: object) -> object:
        made.append(args)
        return real()

    monkeypatch.setattr(httpx, "create_ssl_context", counted)
    monkeypatch.setattr(hostpool, "_TLS", None)
    async with contextlib.AsyncExitStack() as stack:
        ports = [await stack.enter_async_context(raw_server(_answering(b"ok"))) for _ in range(2)]
        transport = PerHostTransport(2)
        assert len(made) == 1
        async with httpx.AsyncClient(transport=transport) as client:
            for port in [*ports, *ports]:
                assert (await client.get(f"http://127.0.0.1:{port}/")).text == "ok"
        async with Fetcher(allow_private=True) as fetcher:
            assert (await fetcher.fetch(f"http://127.0.0.1:{ports[0]}/")).ok
    assert len(made) == 1


async def test_a_request_while_idle_hosts_are_closed_gets_a_pool_that_stays_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Closing idle pools awaits. A request to one of them made meanwhile gets a new pool
    and its answer: it never takes a pool that is about to be closed."""
    armed = False
    release = asyncio.Event()
    closing = asyncio.Event()
    real_close = httpx.AsyncHTTPTransport.aclose

    async def slow_close(self: httpx.AsyncHTTPTransport) -> None:
        if armed:
            closing.set()
            await release.wait()
        await real_close(self)

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "aclose", slow_close)

    async with contextlib.AsyncExitStack() as stack:
        x, y, z = [await stack.enter_async_context(raw_server(_answering(b"ok"))) for _ in range(3)]
        transport = PerHostTransport(2, keepalive=0.0)
        async with httpx.AsyncClient(transport=transport) as client:
            # At once, so that neither request finds the other's pool idle.
            first = await asyncio.gather(*(client.get(f"http://127.0.0.1:{p}/") for p in (x, y)))
            assert [answer.text for answer in first] == ["ok", "ok"]
            armed = True
            sweeping = asyncio.create_task(client.get(f"http://127.0.0.1:{z}/"))
            await asyncio.wait_for(closing.wait(), 5)  # closing x's pool, y's next
            asking_y = asyncio.create_task(client.get(f"http://127.0.0.1:{y}/"))
            for _ in range(20):
                await asyncio.sleep(0)
            release.set()
            assert (await asyncio.wait_for(asking_y, 5)).text == "ok"
            assert (await asyncio.wait_for(sweeping, 5)).text == "ok"
            assert transport.hosts == 2  # z's pool and y's new one
