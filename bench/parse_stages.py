"""What one feed of the corpus costs at each stage of a refresh, in one thread, no network.

    python -m bench.parse_stages [--feeds 40] [--seed 1]

Per feed (~420 KB, 50 items; the corpus mix of RSS and Atom), medians over `--feeds` feeds:

- lxml `etree.fromstring` (a floor for parsing XML at all);
- feedparser with `sanitize_html=False, resolve_relative_uris=False`, then with relative URIs
  resolved, then its defaults (sanitising too), which is what `parse_feed` used to ask for;
- `reader.feeds.fastparse.parse_fast` (lxml into feedparser-shaped entries);
- `reader.feeds.parse.parse_feed` as a refresh runs it (the fast path + our entry mapping),
  and with `fast=False` (feedparser without its sanitiser + the mapping: the fallback);
- `reader.text.strip_controls` over the whole document's text once (its share of the mapping);
- `store.derive` (canonical links and search text, in the parse worker) and
  `Store.apply_update` of the derived feed into a fresh store (SQLite, the search index).

Multiply by N for a refresh's CPU budget: on CPython the parsing stages hold the GIL, so
threads do not overlap them; SQLite releases it while it works.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.corpus import make_feed


def per_feed(fn: Callable[[bytes], object], docs: list[bytes]) -> float:
    times = []
    for data in docs:
        started = time.perf_counter()
        fn(data)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def per_feed_parsed(fn: Callable[[Any], object], feeds: list[Any]) -> float:
    times = []
    for feed in feeds:
        started = time.perf_counter()
        fn(feed)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import feedparser
    from lxml import etree

    from reader.feeds.fastparse import parse_fast
    from reader.feeds.parse import parse_feed
    from reader.store import Store, derive
    from reader.text import strip_controls

    feeds = [make_feed(args.seed, i) for i in range(args.feeds)]
    docs = [f.data for f in feeds]
    url = "http://127.0.0.1:9/feeds/feed.xml"
    headers = {"content-type": "application/xml; charset=utf-8"}
    lower = {**headers, "content-location": url}

    def fp(**kw: bool) -> Callable[[bytes], object]:
        return lambda data: feedparser.parse(io.BytesIO(data), response_headers=headers, **kw)

    rows: list[tuple[str, float]] = [
        ("lxml etree.fromstring", per_feed(etree.fromstring, docs)),
        (
            "feedparser, no sanitiser, no relative URIs",
            per_feed(fp(sanitize_html=False, resolve_relative_uris=False), docs),
        ),
        (
            "feedparser, no sanitiser, relative URIs resolved",
            per_feed(fp(sanitize_html=False, resolve_relative_uris=True), docs),
        ),
        (
            "feedparser defaults (sanitiser + relative URIs)",
            per_feed(fp(sanitize_html=True, resolve_relative_uris=True), docs),
        ),
        (
            "parse_fast (lxml into feedparser-shaped dicts)",
            per_feed(lambda data: parse_fast(data, lower), docs),
        ),
        (
            "parse_feed (lxml fast path + our mapping): what a refresh runs",
            per_feed(lambda data: parse_feed(data, url=url, headers=headers), docs),
        ),
        (
            "parse_feed(fast=False) (feedparser, no sanitiser + our mapping)",
            per_feed(lambda data: parse_feed(data, url=url, headers=headers, fast=False), docs),
        ),
        (
            "strip_controls over the document's text once",
            per_feed(lambda data: strip_controls(data.decode()), docs),
        ),
    ]
    parsed = [parse_feed(data, url=url, headers=headers) for data in docs]
    rows.append(("store.derive (canonical links, search text)", per_feed_parsed(derive, parsed)))
    parsed = [derive(feed) for feed in parsed]
    with tempfile.TemporaryDirectory(prefix="newsreader-bench-stages-") as tmp:
        store = Store(Path(tmp) / "newsreader.db")
        ids = [store.add_feed(f"{url}?{i}")[0].id for i in range(len(parsed))]
        times = []
        for feed_id, feed in zip(ids, parsed, strict=True):
            started = time.perf_counter()
            store.apply_update(feed_id, feed, status=200, etag='"x"')
            times.append(time.perf_counter() - started)
        store.close()
    rows.append(("Store.apply_update (50 new entries, derived)", statistics.median(times)))

    size = statistics.median(len(d) for d in docs) / 1000
    print(f"Per feed ({size:.0f} KB, 50 items), median of {len(docs)} feeds, one thread:\n")
    print("| stage | ms per feed | x N=200 | x N=1000 |")
    print("|---|---|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds * 1000:.1f} | {seconds * 200:.1f} s | {seconds * 1000:.0f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
