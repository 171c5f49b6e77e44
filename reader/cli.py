"""The `newsreader` command: starts the TUI, or runs a headless subcommand for scripts and cron.

Exit codes: 0 ok, 1 some feeds failed (or the store could not be used), 2 usage error.
Textual is imported only when the TUI starts, so headless commands stay quick.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence

from reader import __version__
from reader.config import ConfigError, Settings, load_settings
from reader.paths import Paths, resolve_paths
from reader.service import FeedService, RefreshResult
from reader.store import Store, StoreError
from reader.text import clean_line, is_http_url


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsreader",
        description="A terminal news reader for RSS and Atom feeds. "
        "With no command, opens the reader.",
    )
    parser.add_argument("--version", action="version", version=f"newsreader {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="keep the whole store (and config) in DIR instead of the platform's data dir",
    )
    parser.add_argument(
        "--sample",
        action="store_true",
        help="list the bundled Signal Desk sample feed even when you have feeds of your own",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    add = sub.add_parser("add", help="subscribe to a feed URL (and fetch it at once)")
    add.add_argument("url", metavar="URL")
    add.add_argument("--no-fetch", action="store_true", help="subscribe without fetching")
    sub.add_parser("refresh", help="fetch every feed; one line per feed")
    sub.add_parser("list", help="list feeds with unread counts")
    read = sub.add_parser(
        "read", help="print the article extracted from any web page (reader mode)"
    )
    read.add_argument("url", metavar="URL")
    read.add_argument("--json", action="store_true", help="one JSON object instead of text")
    read.add_argument("--refresh", action="store_true", help="fetch again even when cached")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    paths = resolve_paths(args.data_dir)
    try:
        settings = load_settings(paths.config_file)
    except ConfigError as exc:
        print(f"newsreader: {exc}", file=sys.stderr)
        return 2
    if args.command is None:
        return _run_tui(paths, settings, show_sample=args.sample)
    try:
        with Store(paths.db_path) as store:
            if args.command == "add":
                return _add(store, settings, args.url, fetch=not args.no_fetch)
            if args.command == "refresh":
                return _refresh(store, settings)
            if args.command == "list":
                return _list(store)
            if args.command == "read":
                return _read(store, settings, args.url, as_json=args.json, refresh=args.refresh)
    except StoreError as exc:
        print(f"newsreader: {exc}", file=sys.stderr)
        return 1
    parser.error(f"unknown command {args.command!r}")  # exits 2
    return 2


def _run_tui(paths: Paths, settings: Settings, *, show_sample: bool) -> int:
    from reader.ui.app import NewsReaderApp  # Textual only for the TUI

    try:
        store = Store(paths.db_path)
    except StoreError as exc:
        print(f"newsreader: {exc}", file=sys.stderr)
        return 1
    try:
        NewsReaderApp(store, settings, show_sample=show_sample).run()
    finally:
        store.close()
    return 0


def _add(store: Store, settings: Settings, url: str, *, fetch: bool) -> int:
    url = url.strip()
    if not is_http_url(url):
        print(f"newsreader: not an http(s) URL: {clean_line(url, 200)}", file=sys.stderr)
        return 2
    feed, created = store.add_feed(url)
    if not created:
        print(f"already subscribed: {feed.url}")
        return 0
    print(f"subscribed: {feed.url}")
    if not fetch:
        return 0
    [result] = asyncio.run(FeedService(store, settings).refresh([feed]))
    print(_line(result))
    return 0 if result.ok else 1


def _refresh(store: Store, settings: Settings) -> int:
    feeds = store.list_feeds()
    if not feeds:
        print("no feeds yet: add one with `newsreader add URL`")
        return 0

    def report(result: RefreshResult, done: int, total: int) -> None:
        print(_line(result), flush=True)

    results = asyncio.run(FeedService(store, settings).refresh(feeds, report))
    return 0 if all(r.ok for r in results) else 1


def _list(store: Store) -> int:
    for feed in store.list_feeds():
        status = f"  [error: {clean_line(feed.last_error, 200)}]" if feed.last_error else ""
        print(f"{feed.unread:5d} unread  {clean_line(feed.title, 120)}  {feed.url}{status}")
    return 0


def _read(store: Store, settings: Settings, url: str, *, as_json: bool, refresh: bool) -> int:
    """`newsreader read URL`: the same extraction the TUI uses, for scripts and pagers."""
    from reader.article.printable import article_json, article_text

    result = asyncio.run(FeedService(store, settings).read_page(url.strip(), refresh=refresh))
    if result.article is None:
        error = clean_line(result.error or "the page could not be read", 300)
        print(f"newsreader: cannot read {clean_line(url, 200)}: {error}", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(article_json(result.article), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(article_text(result.article))
    return 0


def _line(result: RefreshResult) -> str:
    return f"{clean_line(result.title, 120) or result.url}: {result.describe()}"
