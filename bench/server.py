"""A loopback HTTP/1.1 server for the benchmark corpus: validators, 304s, gzip, latency, counters.

One asyncio event loop (in a thread of the runner, or in its own process from the command
line) listens on one or more loopback addresses, 127.0.0.1 .. 127.0.0.H, all on the same
port, so a corpus can be spread over H "hosts" the way real subscriptions are spread over
sites. It serves every file under a directory from memory:

- a strong ETag and a Last-Modified on every 200; `If-None-Match` (else `If-Modified-Since`)
  answered with 304 and no body;
- gzip (`--gzip`) when the client sends `Accept-Encoding: gzip` (precompressed, level 6);
- a per-request latency (default 50 ms) before the answer, as a distant server has;
- keep-alive, any number of concurrent connections (tested with 64+).

Counters: requests, 200 bodies, 304s, 404s, conditional requests, body bytes, connections,
and the highest number of open connections and of requests in flight, overall and per host.
Read them in-process (`BenchServer.stats()`, `.reset()`) or over HTTP: `GET /__stats`
(JSON) and `GET /__reset` (answered at once, never counted).

    python -m bench.server --dir /tmp/newsreader-bench/corpus-seed1 [--hosts 20]
        [--latency-ms 50] [--gzip] [--port 8765] [--duration 600]

runs until `--duration` seconds have passed (it always stops by itself) or Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import hashlib
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

_TYPES = {
    ".xml": "application/xml; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
}
_IDLE_TIMEOUT = 30.0
"""A kept-alive connection with no new request for this long is closed."""
_MAX_HEADER_LINES = 100


@dataclass(slots=True)
class _File:
    body: bytes
    etag: str
    last_modified: str
    mtime: float
    content_type: str
    gz: bytes | None = None


class _Stats:
    """Counters, updated on the server's loop and read from any thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with getattr(self, "lock", threading.Lock()):
            self.requests = 0
            self.bodies = 0
            self.not_modified = 0
            self.not_found = 0
            self.conditional = 0
            self.gzip_bodies = 0
            self.bytes = 0
            self.connections = 0
            self.max_connections = 0
            self.max_inflight = 0
            self.max_connections_host: Counter[str] = Counter()
            self.max_inflight_host: Counter[str] = Counter()
            self.requests_host: Counter[str] = Counter()
            self.bodies_path: Counter[str] = Counter()
            self.user_agents: Counter[str] = Counter()
            self.first_request: float | None = None
            self.last_response: float | None = None
            # Live gauges carry over a reset (kept-alive connections stay open across it),
            # and the maxima start from them.
            if not hasattr(self, "open_connections"):
                self.open_connections = 0
                self.inflight = 0
                self.open_host: Counter[str] = Counter()
                self.inflight_host: Counter[str] = Counter()
            self.max_connections = self.open_connections
            self.max_connections_host.update(+self.open_host)

    def snapshot(self) -> dict:
        with self.lock:
            return {
                "requests": self.requests,
                "bodies": self.bodies,
                "not_modified": self.not_modified,
                "not_found": self.not_found,
                "conditional": self.conditional,
                "gzip_bodies": self.gzip_bodies,
                "bytes": self.bytes,
                "connections": self.connections,
                "max_connections": self.max_connections,
                "max_connections_per_host": max(self.max_connections_host.values(), default=0),
                "max_inflight": self.max_inflight,
                "max_inflight_per_host": max(self.max_inflight_host.values(), default=0),
                "hosts": len(self.requests_host),
                "requests_per_host": dict(self.requests_host),
                "max_inflight_by_host": dict(self.max_inflight_host),
                "bodies_by_path": dict(self.bodies_path),
                "user_agents": dict(self.user_agents),
                "busy_seconds": (
                    (self.last_response - self.first_request)
                    if self.first_request is not None and self.last_response is not None
                    else 0.0
                ),
            }


class BenchServer:
    """Serve `root` on 127.0.0.1..127.0.0.`hosts`; use as a context manager.

    `only`: serve just these paths (relative to root) instead of every file under it.
    """

    def __init__(
        self,
        root: Path | str,
        *,
        hosts: int = 1,
        latency: float = 0.05,
        gzip_level: int | None = None,
        port: int = 0,
        only: list[str] | None = None,
    ) -> None:
        if not 1 <= hosts <= 250:
            raise ValueError("hosts must be between 1 and 250")
        self.root = Path(root)
        self.host_ips = [f"127.0.0.{i}" for i in range(1, hosts + 1)]
        self.latency = latency
        self.gzip_level = gzip_level
        self.port = port
        self.only = None if only is None else ["/" + p.lstrip("/") for p in only]
        self.files: dict[str, _File] = {}
        self._stats = _Stats()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._servers: list[asyncio.Server] = []
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._tasks: set[asyncio.Task] = set()

    # -- files ------------------------------------------------------------------------

    def load(self) -> None:
        """Read every file under root (or the `only` ones) into memory, gzipped when asked."""
        files: dict[str, _File] = {}
        if self.only is None:
            chosen = sorted(p for p in self.root.rglob("*") if p.is_file())
        else:
            chosen = [self.root / p.lstrip("/") for p in self.only]
        for path in chosen:
            body = path.read_bytes()
            rel = "/" + path.relative_to(self.root).as_posix()
            mtime = int(path.stat().st_mtime)
            digest = hashlib.sha1(body).hexdigest()[:20]
            gz = gzip.compress(body, self.gzip_level, mtime=0) if self.gzip_level else None
            files[rel] = _File(
                body=body,
                etag=f'"{digest}"',
                last_modified=formatdate(mtime, usegmt=True),
                mtime=mtime,
                content_type=_TYPES.get(path.suffix, "application/octet-stream"),
                gz=gz,
            )
        self.files = files

    # -- addresses --------------------------------------------------------------------

    def base(self, host: int = 0) -> str:
        return f"http://{self.host_ips[host % len(self.host_ips)]}:{self.port}"

    def url(self, path: str, index: int = 0) -> str:
        """The URL of `path` on host number `index % hosts` (feed i lives on host i % H)."""
        return self.base(index) + "/" + path.lstrip("/")

    # -- counters ---------------------------------------------------------------------

    def stats(self) -> dict:
        return self._stats.snapshot()

    def reset(self) -> None:
        self._stats.reset()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no connection is open (True), at most `timeout` seconds. Between two
        client processes: the first one's connections closed when it exited, but this
        server's loop may not have seen them close yet, and counted open they would add to
        the next process's connections per host."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._stats.lock:
                if self._stats.open_connections == 0:
                    return True
            time.sleep(0.02)
        return False

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> BenchServer:
        if not self.files:
            self.load()
        self._thread = threading.Thread(target=self._run, name="bench-server", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise RuntimeError(f"bench server failed to start: {self._error}") from self._error
        if not self._ready.is_set():
            raise RuntimeError("bench server did not start within 30 s")
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is not None and self._stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(30)

    def __enter__(self) -> BenchServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported by start()
            self._error = exc
            self._ready.set()

    async def _main(self, duration: float | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        await self._listen()
        self._ready.set()
        try:
            if duration is None:
                await self._stop.wait()
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), duration)
        finally:
            for server in self._servers:
                server.close()
            for task in list(self._tasks):
                task.cancel()
            for server in self._servers:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(server.wait_closed(), 5)

    async def _listen(self) -> None:
        """Bind every host address on one port (retrying when a random port is taken)."""
        for _attempt in range(20):
            servers: list[asyncio.Server] = []
            port = self.port
            try:
                for ip in self.host_ips:
                    server = await asyncio.start_server(
                        self._connection, ip, port, backlog=1024, reuse_address=True
                    )
                    servers.append(server)
                    if port == 0:
                        port = server.sockets[0].getsockname()[1]
            except OSError:
                for server in servers:
                    server.close()
                if self.port:
                    raise
                continue
            self.port = port
            self._servers = servers
            return
        raise OSError("no free port found for every host address")

    # -- HTTP -------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        host = writer.get_extra_info("sockname")[0]
        st = self._stats
        with st.lock:
            st.connections += 1
            st.open_connections += 1
            st.open_host[host] += 1
            st.max_connections = max(st.max_connections, st.open_connections)
            st.max_connections_host[host] = max(st.max_connections_host[host], st.open_host[host])
        try:
            while True:
                try:
                    line = await asyncio.wait_for(reader.readline(), _IDLE_TIMEOUT)
                except (TimeoutError, ConnectionError, asyncio.LimitOverrunError, ValueError):
                    break
                if not line:
                    break
                if not line.strip():
                    continue  # a stray CRLF between requests
                headers: dict[str, str] = {}
                for _ in range(_MAX_HEADER_LINES):
                    raw = await reader.readline()
                    if not raw or not raw.strip():
                        break
                    name, _, value = raw.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                parts = line.decode("latin-1").split()
                if len(parts) != 3:
                    break
                method, target, version = parts
                keep = self._keep_alive(version, headers)
                await self._request(host, method, target, headers, writer, keep)
                if not keep:
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            with st.lock:
                st.open_connections -= 1
                st.open_host[host] -= 1
            writer.close()
            # Cancelled while closing (the server stopping): asyncio would log the task's
            # CancelledError as an error of the connection callback.
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await writer.wait_closed()
            if task is not None:
                self._tasks.discard(task)

    @staticmethod
    def _keep_alive(version: str, headers: dict[str, str]) -> bool:
        connection = headers.get("connection", "").lower()
        if version == "HTTP/1.0":
            return "keep-alive" in connection
        return "close" not in connection

    async def _request(
        self,
        host: str,
        method: str,
        target: str,
        headers: dict[str, str],
        writer: asyncio.StreamWriter,
        keep: bool,
    ) -> None:
        path = target.split("?", 1)[0]
        if path == "/__stats":
            body = json.dumps(self.stats()).encode()
            await self._send(writer, 200, body, "application/json", {}, keep, method)
            return
        if path == "/__reset":
            self.reset()
            await self._send(writer, 200, b"reset\n", "text/plain", {}, keep, method)
            return
        st = self._stats
        with st.lock:
            st.requests += 1
            st.requests_host[host] += 1
            st.inflight += 1
            st.inflight_host[host] += 1
            st.max_inflight = max(st.max_inflight, st.inflight)
            st.max_inflight_host[host] = max(st.max_inflight_host[host], st.inflight_host[host])
            st.user_agents[headers.get("user-agent", "")[:80]] += 1
            if st.first_request is None:
                st.first_request = time.monotonic()
        try:
            if self.latency > 0:
                await asyncio.sleep(self.latency)
            await self._answer(path, method, headers, writer, keep)
        finally:
            with st.lock:
                st.inflight -= 1
                st.inflight_host[host] -= 1
                st.last_response = time.monotonic()

    async def _answer(
        self,
        path: str,
        method: str,
        headers: dict[str, str],
        writer: asyncio.StreamWriter,
        keep: bool,
    ) -> None:
        st = self._stats
        file = self.files.get(path)
        if method not in ("GET", "HEAD"):
            await self._send(writer, 405, b"", "text/plain", {"Allow": "GET, HEAD"}, keep, method)
            return
        if file is None:
            with st.lock:
                st.not_found += 1
            await self._send(writer, 404, b"not found\n", "text/plain", {}, keep, method)
            return
        use_gzip = file.gz is not None and "gzip" in headers.get("accept-encoding", "").lower()
        etag = file.etag[:-1] + '-gz"' if use_gzip else file.etag
        validators = {"ETag": etag, "Last-Modified": file.last_modified, "Vary": "Accept-Encoding"}
        inm = headers.get("if-none-match")
        ims = headers.get("if-modified-since")
        if inm is not None or ims is not None:
            with st.lock:
                st.conditional += 1
        if _not_modified(file, inm, ims):
            with st.lock:
                st.not_modified += 1
            await self._send(writer, 304, b"", "", validators, keep, method)
            return
        body = file.gz if use_gzip and file.gz is not None else file.body
        extra = dict(validators)
        if use_gzip:
            extra["Content-Encoding"] = "gzip"
        with st.lock:
            st.bodies += 1
            st.bytes += len(body) if method == "GET" else 0
            st.gzip_bodies += int(use_gzip)
            st.bodies_path[path] += 1
        await self._send(writer, 200, body, file.content_type, extra, keep, method)

    @staticmethod
    async def _send(
        writer: asyncio.StreamWriter,
        status: int,
        body: bytes,
        content_type: str,
        extra: dict[str, str],
        keep: bool,
        method: str,
    ) -> None:
        reason = {200: "OK", 304: "Not Modified", 404: "Not Found", 405: "Method Not Allowed"}
        lines = [f"HTTP/1.1 {status} {reason.get(status, 'Unknown')}"]
        lines.append(f"Date: {formatdate(usegmt=True)}")
        lines.append("Server: newsreader-bench")
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        lines.extend(f"{key}: {value}" for key, value in extra.items())
        if status != 304:
            lines.append(f"Content-Length: {len(body)}")
        lines.append("Connection: keep-alive" if keep else "Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        writer.write(head)
        if status != 304 and method != "HEAD" and body:
            writer.write(body)
        await writer.drain()


def _etags(header: str) -> list[str]:
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


def _not_modified(file: _File, inm: str | None, ims: str | None) -> bool:
    """RFC 9110: If-None-Match wins; else If-Modified-Since against the file's time."""
    if inm is not None:
        base = file.etag.strip('"')
        return any(tag == "*" or tag.strip('"').removesuffix("-gz") == base for tag in _etags(inm))
    if ims is not None:
        try:
            since = parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        return file.mtime <= since
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, required=True, help="the directory to serve")
    parser.add_argument("--hosts", type=int, default=1, help="listen on 127.0.0.1..127.0.0.H")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--gzip", action="store_true", help="gzip bodies when asked to")
    parser.add_argument("--duration", type=float, default=600.0, help="stop after this long")
    args = parser.parse_args()
    server = BenchServer(
        args.dir,
        hosts=args.hosts,
        latency=args.latency_ms / 1000,
        gzip_level=6 if args.gzip else None,
        port=args.port,
    )
    server.load()

    async def run() -> None:
        task = asyncio.create_task(server._main(duration=args.duration))
        while not server._ready.is_set() and not task.done():
            await asyncio.sleep(0.01)
        if not task.done():
            print(
                f"serving {len(server.files)} files from {args.dir} on {server.base(0)} "
                f"(+{len(server.host_ips) - 1} more hosts) for {args.duration:g} s; "
                f"stats: {server.base(0)}/__stats",
                flush=True,
            )
        await task

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


if __name__ == "__main__":
    main()
