"""The CPU a refresh's main thread spends fetching, with one connection pool or a pool per host.

    python -m bench.fetch_cpu [--feeds 1000] [--hosts 100] [--runs 3]

Serves the corpus as `bench.refresh` does (Zipf-like over `--hosts` loopback hosts, 50 ms a
request, the server in a thread of this process) and fetches every feed with the reader's
`Fetcher` (32 at once, 6 a host, bodies read whole, nothing parsed or stored), once with
its pool per host and once with one httpx pool for every host (as before), alternating.
Prints the median CPU time of the fetching thread per feed: `time.thread_time`, so the
server's thread is not counted, and a shared, noisy machine moves both sides alike.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx

from bench.corpus import default_dir, write_corpus
from bench.refresh import host_indexes
from bench.server import BenchServer
from reader.feeds.fetch import Fetcher


async def fetch_all(urls: list[str], shared: bool) -> float:
    """CPU seconds of this thread to fetch every URL."""
    transport = None
    if shared:
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=64)
        transport = httpx.AsyncHTTPTransport(limits=limits)
    async with Fetcher(concurrency=32, per_host=6, allow_private=True, transport=transport) as f:
        slots = asyncio.Semaphore(32)

        async def one(url: str) -> None:
            async with slots:
                result = await f.fetch(url)
            if not result.ok:
                raise SystemExit(f"{url}: {result.error}")

        started = time.thread_time()
        await asyncio.gather(*(one(url) for url in urls))
        return time.thread_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    corpus = default_dir(1)
    manifest = write_corpus(corpus, args.feeds, 1, quiet=True)
    paths = [feed["path"] for feed in manifest["feeds"]][: args.feeds]
    spent: dict[bool, list[float]] = {True: [], False: []}
    with BenchServer(corpus, hosts=args.hosts, latency=0.05, only=paths) as server:
        spread = host_indexes(args.feeds, args.hosts, "zipf", 1)
        urls = [server.url(path, host) for path, host in zip(paths, spread, strict=True)]
        for _ in range(args.runs):
            for shared in (True, False):
                spent[shared].append(asyncio.run(fetch_all(urls, shared)) / args.feeds)
    for shared, label in ((True, "one pool for every host"), (False, "a pool per host")):
        runs = ", ".join(f"{s * 1e3:.2f}" for s in spent[shared])
        median = statistics.median(spent[shared]) * 1e3
        print(f"{label}: {median:.2f} ms of CPU a feed (runs: {runs})")
    ratio = statistics.median(spent[False]) / statistics.median(spent[True])
    print(f"a pool per host / one pool: {ratio:.2f}x")


if __name__ == "__main__":
    main()
