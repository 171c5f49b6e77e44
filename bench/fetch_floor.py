"""The floor under any Python refresh: fetch every feed with httpx and do nothing else.

    python -m bench.fetch_floor URLS_FILE [--concurrency 32] [--validators FILE]

Fetches every URL (one a line) with one `httpx.AsyncClient`, N at once, reading each body
whole, parsing and storing nothing. With `--validators FILE`, it first reads the ETag /
Last-Modified pairs saved by an earlier run from FILE and sends them (a conditional refresh,
all 304 when nothing changed); it always writes the validators it got back to FILE. Prints
one JSON line: seconds, statuses, bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from pathlib import Path

import httpx


async def fetch_all(urls: list[str], concurrency: int, validators: dict[str, list]) -> dict:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    semaphore = asyncio.Semaphore(concurrency)
    statuses: Counter[int] = Counter()
    got: dict[str, list] = {}
    total = 0

    async def one(client: httpx.AsyncClient, url: str) -> None:
        nonlocal total
        headers = {}
        etag, modified = validators.get(url, [None, None])
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        async with semaphore:
            response = await client.get(url, headers=headers)
        statuses[response.status_code] += 1
        total += len(response.content)
        got[url] = [
            response.headers.get("etag") or etag,
            response.headers.get("last-modified") or modified,
        ]

    started = time.perf_counter()
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        await asyncio.gather(*(one(client, url) for url in urls))
    return {
        "seconds": time.perf_counter() - started,
        "statuses": dict(statuses),
        "bytes": total,
        "validators": got,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", type=Path)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--validators", type=Path)
    args = parser.parse_args()
    urls = [line.strip() for line in args.urls.read_text().splitlines() if line.strip()]
    validators = {}
    if args.validators and args.validators.is_file():
        validators = json.loads(args.validators.read_text())
    result = asyncio.run(fetch_all(urls, args.concurrency, validators))
    if args.validators:
        args.validators.write_text(json.dumps(result.pop("validators")))
    else:
        result.pop("validators")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
