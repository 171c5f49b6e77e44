"""The `newsreader` command: starts the TUI, or runs a headless subcommand for scripts and cron.

Exit codes: 0 ok; 1 a feed is failing, a URL could not be subscribed to or read, a search
found nothing, or the store could not be used; 2 usage error (or a file that cannot be used).
Textual is imported only when the TUI starts, so headless commands stay quick.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Callable, Sequence

from reader import __version__
from reader.config import (
    ConfigError,
    Settings,
    editor_command,
    ensure_config_file,
    load_settings,
)
from reader.images.terminal import Protocol
from reader.paths import Paths, resolve_paths
from reader.store import Store, StoreError
from reader.sync.commands import add_parsers as add_sync_parsers


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsreader",
        description="A terminal news reader for feeds in RSS, Atom and JSON Feed. "
        "With no command, opens the reader.",
        epilog="exit status: 0 ok; 1 a feed is failing, a URL could not be subscribed to or "
        "read, or a search found nothing; 2 usage error or a file that cannot be used",
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

    def command(name: str, help: str) -> argparse.ArgumentParser:
        """A subcommand whose own --help starts with what it does."""
        return sub.add_parser(name, help=help, description=help[:1].upper() + help[1:] + ".")

    add = command("add", "subscribe to a feed (RSS, Atom, JSON Feed), or to one a web page offers")
    add.add_argument("url", metavar="URL")
    add.add_argument(
        "--folder",
        metavar="NAME",
        help="put it in this folder (a/b nests); moves a feed already subscribed",
    )
    add.add_argument("--no-fetch", action="store_true", help="subscribe without fetching")
    add.add_argument("--choose", type=int, metavar="N", help="the Nth feed a page offers")
    add.add_argument(
        "--force",
        action="store_true",
        help="subscribe even when the first fetch fails or it is not a feed",
    )
    remove = command("remove", "unsubscribe (its entries go, nothing else)")
    remove.add_argument("url", metavar="URL")
    preview = command(
        "preview",
        "print a feed's entries without subscribing (a page: the feeds it offers)",
    )
    preview.add_argument("url", metavar="URL")
    preview.add_argument("--limit", type=int, default=20, metavar="N", help="default: 20")
    preview.add_argument(
        "--choose", type=int, metavar="N", help="the Nth feed a page offers (default: the first)"
    )
    refresh = command("refresh", "fetch feeds; one line per feed")
    refresh.add_argument(
        "--due", action="store_true", help="only feeds whose interval has passed (for cron)"
    )
    refresh.add_argument("--stats", action="store_true", help="print totals at the end")
    refresh.add_argument(
        "--force", action="store_true", help="fetch even feeds asked to wait (Retry-After)"
    )
    scope = refresh.add_mutually_exclusive_group()
    scope.add_argument("--feed", metavar="URL", help="only this feed")
    scope.add_argument("--folder", metavar="NAME", help="only this folder (and sub-folders)")
    listing = command("list", "feeds with unread counts and last errors")
    listing.add_argument("--json", action="store_true", help="one JSON array")
    entries = command("entries", "entries, newest first; a story in several feeds is listed once")
    source = entries.add_mutually_exclusive_group()
    source.add_argument("--feed", metavar="URL", help="only this feed")
    source.add_argument("--folder", metavar="NAME", help="only this folder (and sub-folders)")
    source.add_argument("--starred", action="store_true", help="starred entries only")
    entries.add_argument("--unread", action="store_true", help="unread entries only")
    entries.add_argument("--limit", type=int, metavar="N", help="at most N stories")
    entries.add_argument("--json", action="store_true", help="one JSON array")
    unread = command(
        "unread",
        "print the number of unread stories (for status bars); "
        "a story in several feeds counts once",
    )
    health = command("health", "how each feed has been doing, with advice")
    health.add_argument("--json", action="store_true", help="one JSON array")
    mark = command("mark-read", "mark entries read")
    which = mark.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="every entry")
    which.add_argument("--feed", metavar="URL", help="one feed's entries")
    opml_in = command("import", "subscribe to the feeds of an OPML file")
    opml_in.add_argument("file", metavar="FILE.opml")
    opml_out = command("export", "write subscriptions as OPML 2.0")
    opml_out.add_argument("file", metavar="FILE", nargs="?", help="default: standard output")
    search = command("search", "full-text search, best matches first (exit 1 when nothing matches)")
    search.add_argument("query", metavar="QUERY")
    search.add_argument("--feed", metavar="URL", help="only this feed")
    search.add_argument("--limit", type=int, default=50, metavar="N", help="default: 50")
    search.add_argument("--json", action="store_true", help="one JSON array")
    config = command("config", "where the settings file is, or edit it")
    config.add_argument("action", choices=["path", "edit"])
    read = command("read", "print the article extracted from any web page (reader mode)")
    read.add_argument("url", metavar="URL")
    read.add_argument("--json", action="store_true", help="one JSON object instead of text")
    read.add_argument("--refresh", action="store_true", help="fetch again even when cached")
    download = command(
        "download",
        "download podcast files: the queue (files queued in the reader), or new episodes",
    )
    download.add_argument("--feed", metavar="URL", help="only this feed's files")
    download.add_argument(
        "--new",
        action="store_true",
        help="also queue every new episode (an audio or video file not played nor queued)",
    )
    download.add_argument(
        "--to", metavar="DIR", help="save into DIR (default: the download_dir setting)"
    )
    _add_rule_commands(command, entries, unread)
    add.add_argument(
        "--account", metavar="NAME", help="subscribe on this sync account (tt-rss) instead"
    )
    add_sync_parsers(command)
    return parser


def _add_rule_commands(
    command: Callable[[str, str], argparse.ArgumentParser],
    entries: argparse.ArgumentParser,
    unread: argparse.ArgumentParser,
) -> None:
    """Rules, hidden entries, story versions and `unread --json` (reader.rulecli)."""
    from reader.rulecli import add_parsers

    add_parsers(command)
    entries.add_argument(
        "--hidden", action="store_true", help="the entries rules hid (restorable), instead"
    )
    entries.add_argument(
        "--list", metavar="NAME", dest="rule_list", help="the virtual list rules fill (list = NAME)"
    )
    unread.add_argument("--json", action="store_true", help="per feed and folder, as JSON")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    paths = resolve_paths(args.data_dir)
    if args.command == "config":
        return _config(paths, args.action)
    try:
        ensure_config_file(paths.config_file)  # commented defaults, on first run
    except ConfigError as exc:
        print(f"newsreader: warning: {exc}", file=sys.stderr)  # a read-only home still runs
    try:
        settings = load_settings(paths.config_file)
    except ConfigError as exc:
        for line in str(exc).splitlines():
            print(f"newsreader: {line}", file=sys.stderr)
        return 2
    if args.command is None:
        return _run_tui(paths, settings, show_sample=args.sample)
    try:
        store = Store(paths.db_path)
    except StoreError as exc:
        print(f"newsreader: {exc}", file=sys.stderr)
        return 1
    from reader import headless  # after parsing: `--help` and `--version` stay instant

    with store:
        return headless.run(args.command, store, settings, args)


def _config(paths: Paths, action: str) -> int:
    """`config path` prints where the settings live; `config edit` opens them in $EDITOR."""
    path = paths.config_file
    if action == "path":
        print(path)
        return 0
    try:
        ensure_config_file(path)
        command = editor_command()
    except ConfigError as exc:
        print(f"newsreader: {exc}", file=sys.stderr)
        return 1
    result = subprocess.run([*command, str(path)], check=False)
    try:
        load_settings(path)
    except ConfigError as exc:
        for line in str(exc).splitlines():
            print(f"newsreader: {line}", file=sys.stderr)
        return 2
    return result.returncode


def _run_tui(paths: Paths, settings: Settings, *, show_sample: bool) -> int:
    from reader.ui.app import NewsReaderApp  # Textual only for the TUI

    try:
        store = Store(paths.db_path)
    except StoreError as exc:
        print(f"newsreader: {exc}", file=sys.stderr)
        return 1
    protocol, cell_size = _terminal_pictures(settings.images.mode)
    try:
        app = NewsReaderApp(
            store,
            settings,
            show_sample=show_sample,
            image_protocol=protocol,
            image_cell_size=cell_size,
        )
        app.config_path = paths.config_file  # the rules screen saves rules there
        app.run()
    finally:
        store.close()
    return 0


def _terminal_pictures(mode: str) -> tuple[Protocol, tuple[int, int]]:
    """How the terminal draws pictures, asked before Textual reads stdin (the answers
    arrive there). For Kitty/Sixel the drawing library is loaded now too: it asks the
    terminal for its cell size when imported, which must also happen before Textual."""
    from reader.images.terminal import detect

    protocol = detect(mode)
    cell_size = (10, 20)
    if protocol in ("kitty", "sixel"):
        try:
            from textual_image.widget import get_cell_size

            size = get_cell_size()
            cell_size = (size.width, size.height)
        except Exception:
            protocol = "halfblock"
    return protocol, cell_size
