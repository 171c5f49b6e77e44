"""The headless subcommands (for cron, scripts and status bars), one function each.

Each takes the open store and the parsed arguments and returns the exit code: 0 ok, 1 some
feeds failed or a page could not be read, 2 usage error. Output is plain text, one line per
item (or JSON with --json); every remote string is cleaned before it is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from reader.config import Settings
from reader.enclosures import enclosure_json
from reader.listing import EVERYTHING, SourceRef, list_source
from reader.models import Feed
from reader.rulecli import COMMANDS as RULE_COMMANDS
from reader.rulecli import entry_extras, unread_json
from reader.schedule import is_due
from reader.store import Store, StoreError, normalise_folder
from reader.text import clean_line, is_http_url

if TYPE_CHECKING:  # the service (httpx, the parser) loads only for commands that fetch
    from reader.service import FeedService, RefreshResult


def err(text: str) -> None:
    print(f"newsreader: {clean_line(text, 1000)}", file=sys.stderr)


def line(result: RefreshResult) -> str:
    return f"{clean_line(result.title, 120) or result.url}: {result.describe()}"


def _service(store: Store, settings: Settings) -> FeedService:
    from reader.service import FeedService

    return FeedService(store, settings)


def find_feed(store: Store, url: str) -> Feed | None:
    return store.get_feed_by_url(url.strip())


_NOT_SUBSCRIBED: list[int] = []
"""What `_feed_option` gives for a `--feed` that is not a subscription (said on stderr)."""


def _feed_option(store: Store, args: argparse.Namespace) -> list[int] | None:
    """The feed `--feed URL` limits a command to, as ids; None without `--feed`."""
    if not args.feed:
        return None
    feed = find_feed(store, args.feed)
    if feed is None:
        err(f"not subscribed: {args.feed}")
        return _NOT_SUBSCRIBED
    return [feed.id]


# ---------------------------------------------------------------------------- subscribing
def add(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    """Subscribe, fetching at once. A URL that cannot be fetched, or is not a feed and
    offers none, is refused with the reason (exit 1) unless --force subscribes anyway."""
    from reader.service import url_from_input

    url = url_from_input(args.url)
    if not is_http_url(url):
        err(f"not an http(s) URL: {args.url}")
        return 2
    if not args.force and not _plausible_host(url):
        err(f"not a web address: {args.url} (give the feed's URL; --force adds it anyway)")
        return 1
    service = _service(store, settings)
    folder = normalise_folder(args.folder or "")
    result = asyncio.run(service.subscribe(url, folder, fetch=not args.no_fetch))
    refreshed = result.refresh
    if result.created and refreshed is not None and _not_a_feed(refreshed):
        # A web page, not a feed (it was fetched once, as a feed would be): look for the
        # feeds it offers instead, and subscribe to the one chosen.
        store.remove_feed(result.feed.id)
        if args.force:
            url_or_code = _pick_feed(
                service, url, args.choose, failed="subscribing anyway", hint=""
            )
        else:
            url_or_code = _pick_feed(service, url, args.choose)
        if isinstance(url_or_code, int):
            if url_or_code == 1 and args.force:
                result = asyncio.run(service.subscribe(url, folder, fetch=False))
                print(f"subscribed: {result.feed.url}")
            return url_or_code
        url = url_or_code
        result = asyncio.run(service.subscribe(url, folder))
    if not result.created:
        return _already_subscribed(store, result.feed, args.folder)
    if result.refresh is not None and not result.refresh.ok and not args.force:
        store.remove_feed(result.feed.id)
        err(f"not subscribed: {url}: {result.refresh.error} (--force subscribes anyway)")
        return 1
    print(f"subscribed: {result.feed.url}")
    if result.refresh is None:
        return 0
    print(line(result.refresh))
    return 0 if result.refresh.ok else 1


def _plausible_host(url: str) -> bool:
    """Whether the host could be a web server: a dotted name, an IP address or localhost
    (`add notaurl` is a slip, not https://notaurl)."""
    host = urlsplit(url).hostname or ""
    return "." in host or ":" in host or host == "localhost"


def _already_subscribed(store: Store, feed: Feed, folder: str | None) -> int:
    """`add` of a feed already subscribed: moved when a different --folder is given."""
    if folder is not None and normalise_folder(folder) != feed.folder:
        store.update_feed(feed.id, folder=folder)
        where = normalise_folder(folder) or "(no folder)"
        print(f"already subscribed: {feed.url}; moved to {where}")
        return 0
    print(f"already subscribed: {feed.url}")
    return 0


def _not_a_feed(result: RefreshResult) -> bool:
    return (result.error or "").startswith("not a feed")


def _pick_feed(
    service: FeedService,
    url: str,
    choose: int | None,
    *,
    failed: str = "not subscribed",
    hint: str = " (--force subscribes anyway)",
) -> str | int:
    """The feed URL to use: the URL itself if it is a feed, else one its page offers (asked
    for when there are several); an exit code when there is none or none was chosen."""
    found = asyncio.run(service.discover(url))
    if not found.feeds:
        reason = found.error or "not a feed, and the page offers none"
        err(f"{failed}: {url}: {reason}{hint}")
        return 1
    feeds = list(found.feeds)
    if len(feeds) == 1:
        return feeds[0].url
    if choose is not None:
        if 1 <= choose <= len(feeds):
            return feeds[choose - 1].url
        err(f"--choose must be between 1 and {len(feeds)}")
        return 2
    for n, feed in enumerate(feeds, 1):
        print(f"{n}. {clean_line(feed.title, 100) or '(untitled)'} [{feed.kind}] {feed.url}")
    if not sys.stdin.isatty():
        err(f"{url} offers {len(feeds)} feeds: pick one with --choose N (or add its URL)")
        return 2
    answer = input(f"Subscribe to which (1-{len(feeds)})? ").strip()
    if answer.isdigit() and 1 <= int(answer) <= len(feeds):
        return feeds[int(answer) - 1].url
    err("nothing chosen")
    return 2


def remove(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    feed = find_feed(store, args.url)
    if feed is None:
        err(f"not subscribed: {args.url}")
        return 2
    store.remove_feed(feed.id)
    print(f"removed: {feed.url} ({feed.total} entries)")
    return 0


def preview(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    """A feed's entries without subscribing; for a page that offers feeds, the first one it
    offers (or the --choose Nth), after the list of them, as `add` discovers them."""
    service = _service(store, settings)
    url = args.url.strip()
    parsed, error = asyncio.run(service.preview(url))
    if parsed is None and (error or "").startswith("not a feed"):
        found = asyncio.run(service.discover(url))
        feeds = list(found.feeds)
        if not feeds:
            err(f"{url}: {found.error or error}, and the page offers none")
            return 1
        choose = args.choose or 1
        if not 1 <= choose <= len(feeds):
            err(f"--choose must be between 1 and {len(feeds)}")
            return 2
        if len(feeds) > 1:
            print(f"{clean_line(url, 300)} offers {len(feeds)} feeds:")
            for n, feed in enumerate(feeds, 1):
                mark = "*" if n == choose else " "
                title = clean_line(feed.title, 100) or "(untitled)"
                print(f"{mark} {n}. {title} [{feed.kind}] {clean_line(feed.url, 300)}")
            print()
        url = feeds[choose - 1].url
        parsed, error = asyncio.run(service.preview(url))
    if parsed is None:
        err(f"{url}: {error}")
        return 1
    print(clean_line(parsed.title, 200) or url)
    for entry in parsed.entries[: args.limit]:
        date = entry.date.strftime("%Y-%m-%d") if entry.date else "          "
        print(f"{date}  {clean_line(entry.title, 200)}  {clean_line(entry.link, 300)}")
    return 0


# ---------------------------------------------------------------------------- refreshing
def refresh(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    feeds = [f for f in store.list_feeds() if not f.paused and not f.dead]
    if args.feed:
        feeds = [f for f in feeds if f.url == args.feed.strip()]
        if not feeds:
            err(f"not subscribed (or paused): {args.feed}")
            return 2
    if args.folder:
        name = args.folder.strip().strip("/")
        feeds = [f for f in feeds if f.folder == name or f.folder.startswith(name + "/")]
        if not feeds:
            err(f"no feeds in folder {args.folder}")
            return 2
    scope = [f.id for f in feeds]
    if args.due:
        feeds = [f for f in feeds if is_due(f, settings.refresh_minutes)]
        if not feeds:  # nothing due: quiet for cron, unless feeds are failing
            return 1 if _still_failing(store, scope, reported=set()) else 0
    elif not feeds:
        print("no feeds yet: add one with `newsreader add URL`")
        return 0

    def report(result: RefreshResult, done: int, total: int) -> None:
        print(line(result), flush=True)

    started = time.perf_counter()
    service = _service(store, settings)
    results = asyncio.run(service.refresh(feeds, report, force=args.force))
    if args.stats:
        print_stats(results, time.perf_counter() - started)
    reported = {r.feed_id for r in results if not r.ok}
    failing = _still_failing(store, scope, reported=reported)
    return 0 if not reported and not failing else 1


def _still_failing(store: Store, feed_ids: Sequence[int], *, reported: set[int]) -> bool:
    """Whether any of these feeds is in a failing state (its last fetch failed), so that
    `refresh` exits 1 on every run until it recovers, also while it is only skipped for
    back-off. Feeds not already reported as errors in this run are named on stderr."""
    wanted = set(feed_ids)
    failing = [f for f in store.list_feeds() if f.id in wanted and f.failures and not f.dead]
    for feed in failing:
        if feed.id not in reported:
            title = clean_line(feed.title, 120) or feed.url
            err(f"{title}: still failing ({feed.failures}x): {feed.last_error or 'error'}")
    return bool(failing) or bool(reported)


def print_stats(results: Sequence[RefreshResult], wall: float) -> None:
    """`refresh --stats`: what the whole run did and where its time went."""
    fetched = [r for r in results if not r.skipped]
    print(
        f"feeds: {len(results)}  200: {sum(r.status == 200 and r.ok for r in fetched)}"
        f"  304: {sum(r.not_modified for r in fetched)}  errors: {sum(not r.ok for r in fetched)}"
        f"  skipped: {len(results) - len(fetched)}  new entries: {sum(r.new for r in fetched)}"
    )
    print(
        f"bytes: {sum(r.size for r in fetched)}  wall: {wall:.2f} s"
        f"  fetching: {sum(r.fetch_seconds for r in fetched):.2f} s (summed over feeds)"
        f"  parsing: {sum(r.parse_seconds for r in fetched):.2f} s"
        f"  storing: {sum(r.store_seconds for r in fetched):.2f} s"
        f"  rules: {sum(r.rules_seconds for r in fetched):.3f} s (CPU)"
    )


def health(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    from reader.health import feed_health

    report = feed_health(store, settings.refresh_minutes)
    if args.json:
        print(json.dumps([h.as_json() for h in report], ensure_ascii=False, indent=2))
        return 0
    for h in report:
        print(f"{clean_line(h.feed.title, 60)}  [{h.status_text()}]  {h.figures_text()}")
        for advice in h.advice:
            print(f"    {clean_line(advice, 300)}")
    return 0


# ---------------------------------------------------------------------------- listing
def list_feeds(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    feeds = store.list_feeds(include_sample=args.sample)
    if args.json:
        rows = [
            {
                "url": f.url,
                "title": clean_line(f.title, 500),
                "folder": f.folder,
                "unread": f.unread,
                "total": f.total,
                "last_status": f.last_status,
                "last_error": clean_line(f.last_error, 500) or None,
                "paused": f.paused,
                "dead": f.dead,
            }
            for f in feeds
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for feed in feeds:
        folder = f"{feed.folder}/" if feed.folder else ""
        status = f"  [error: {clean_line(feed.last_error, 200)}]" if feed.last_error else ""
        title = clean_line(feed.title, 120)
        print(f"{feed.unread:5d} unread  {folder}{title}  {clean_line(feed.url, 500)}{status}")
    if feeds:
        total = store.unread_story_count(include_sample=args.sample)
        print(f"{total:5d} unread  in all (a story carried by several feeds counts once)")
    return 0


def _entries_source(store: Store, args: argparse.Namespace) -> SourceRef | None:
    """What `entries` lists, as the TUI names it; None (said on stderr) for a bad option."""
    if args.feed:
        feed = find_feed(store, args.feed)
        if feed is None:
            err(f"not subscribed: {args.feed}")
            return None
        return SourceRef("feed", str(feed.id))
    if args.folder:
        name = normalise_folder(args.folder)
        if name not in store.folders():
            err(f"no such folder: {args.folder}")
            return None
        return SourceRef("folder", name)
    if args.starred:
        return SourceRef("virtual", "starred")
    return SourceRef("virtual", "unread" if args.unread else EVERYTHING)


def entries(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    source = _entries_source(store, args)
    if source is None:
        return 2
    if getattr(args, "hidden", False):
        rows = store.hidden_entries(limit=args.limit)
    elif getattr(args, "rule_list", None):
        rows = store.rule_list_entries(args.rule_list, limit=args.limit)
    else:
        listing = list_source(
            store, source, unread_only=args.unread, include_sample=args.sample, limit=args.limit
        )
        rows = listing.entries
    urls = {f.id: f.url for f in store.list_feeds(include_sample=True)}
    if args.json:
        extras = entry_extras(store, [e.id for e in rows if e.id is not None])
        data: list[dict[str, Any]] = [
            {
                "id": e.id,
                "feed_url": urls.get(e.feed_id or -1, ""),
                "feed": clean_line(e.feed_title, 300),
                "also_in": [clean_line(name, 300) for name in e.also_in],
                "title": clean_line(e.title, 1000),
                "link": clean_line(e.link, 2000),
                "author": clean_line(e.author, 300),
                "published": e.date.isoformat() if e.date else None,
                "read": e.read,
                "starred": e.starred,
                "enclosures": [enclosure_json(enclosure) for enclosure in e.enclosures],
                **extras.get(e.id or -1, {}),
            }
            for e in rows
        ]
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    for e in rows:
        mark = " " if e.read else "N"
        star = "*" if e.starred else " "
        date = e.date.strftime("%Y-%m-%d") if e.date else "          "
        feed = clean_line(e.feed_title, 40) or "(untitled feed)"
        also = f" +{len(e.also_in)}" if e.also_in else ""
        print(
            f"{e.id:7d} {mark}{star} {date}  {clean_line(e.title, 200)}  [{feed}{also}]"
            f"  {clean_line(e.link, 300)}"
        )
    return 0


def unread(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    """Unread stories: one carried by several feeds counts once (as the TUI's badge)."""
    if getattr(args, "json", False):
        print(json.dumps(unread_json(store, settings, args.sample), ensure_ascii=False, indent=2))
        return 0
    print(store.unread_story_count(include_sample=args.sample))
    return 0


def mark_read(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    if args.feed:
        feed_ids = _feed_option(store, args)
        if feed_ids is _NOT_SUBSCRIBED or feed_ids is None:
            return 2
        unread = store.list_entries(feed_ids[0], unread_only=True)
        ids = [e.id for e in unread if e.id is not None]
    elif args.all:
        ids = [e.id for e in store.query_entries(unread_only=True) if e.id is not None]
    else:
        err("say what to mark: --all or --feed URL")
        return 2
    before = store.unread_story_count(include_sample=True)
    store.set_read_many(ids, True)  # every copy of each story, in any feed, with it
    marked = before - store.unread_story_count(include_sample=True)
    print(f"marked {marked} {'story' if marked == 1 else 'stories'} read")
    return 0


# ---------------------------------------------------------------------------- OPML
def file_problem(exc: OSError, path: str | None = None) -> str:
    """Why a file could not be read or written, in words (no errno, no traceback); with
    `path` (a file being written), a missing directory is named."""
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, FileNotFoundError):
        if path is not None:
            return f"no such directory: {Path(path).parent}"
        return "no such file"
    if isinstance(exc, NotADirectoryError):
        return "a part of the path is not a directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return (exc.strerror or str(exc)).lower()


def import_opml(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    from reader.feeds.opml import read_opml

    try:
        data = Path(args.file).read_bytes() if args.file != "-" else sys.stdin.buffer.read()
    except OSError as exc:
        err(f"cannot read {args.file}: {file_problem(exc)}")
        return 2
    try:
        result = read_opml(data)
    except ValueError as exc:
        err(f"{args.file}: {exc}")
        return 2
    added = present = 0
    for item in result.feeds:
        feed, created = store.add_feed(item.url)
        if created:
            added += 1
            title = item.title if item.title and item.title != item.url else None
            store.update_feed(feed.id, folder="/".join(item.folder), title=None)
            if title:
                store.update_feed(feed.id, title=title)
            print(f"added: {clean_line(item.title, 120) or item.url}  {item.url}")
        else:
            present += 1
    for problem in result.invalid:
        print(f"invalid: {clean_line(problem, 300)}")
    print(f"{added} added, {present} already present, {len(result.invalid)} invalid")
    if not result.feeds:
        err(f"nothing imported from {args.file}: it lists no feed newsreader can subscribe to")
        return 1
    return 0


def export_opml(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    from reader.feeds.opml import OpmlFeed, write_opml

    feeds = [
        OpmlFeed(
            url=f.url,
            title=f.title,
            site_url=f.site_url,
            folder=tuple(f.folder.split("/")) if f.folder else (),
        )
        for f in store.list_feeds()
    ]
    data = write_opml(feeds)
    if args.file and args.file != "-":
        try:
            Path(args.file).write_bytes(data)
        except OSError as exc:
            err(f"cannot write {args.file}: {file_problem(exc, args.file)}")
            return 2
        print(f"exported {len(feeds)} feeds to {args.file}")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


# ---------------------------------------------------------------------------- reader mode
def read(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    """`newsreader read URL`: the same extraction the TUI uses, for scripts and pagers."""
    from reader.article.printable import article_json, article_text

    service = _service(store, settings)
    result = asyncio.run(service.read_page(args.url.strip(), refresh=args.refresh))
    if result.article is None:
        err(f"cannot read {args.url}: {result.error or 'the page could not be read'}")
        return 1
    store.set_link_read(args.url.strip())  # a subscribed story read this way is read
    for entry_id in result.updated:
        err(f"the page changed since entry {entry_id} was read: `newsreader diff {entry_id}`")
    if args.json:
        print(json.dumps(article_json(result.article), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(article_text(result.article, settings.date_format))
    return 0


def search(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    feed_ids = _feed_option(store, args)
    if feed_ids is _NOT_SUBSCRIBED:
        return 2
    hits = store.search(args.query, feed_ids=feed_ids, limit=args.limit)
    if not hits:  # as grep: a script can test for it
        err(f"no matches for {args.query}")
        if args.json:
            print("[]")
        return 1
    urls = {f.id: f.url for f in store.list_feeds(include_sample=True)}
    if args.json:
        rows = [
            {
                "id": hit.entry.id,
                "rank": round(hit.rank, 4),
                "title": clean_line(hit.entry.title, 1000),
                "feed": clean_line(hit.entry.feed_title, 300),
                "feed_url": urls.get(hit.entry.feed_id or -1, ""),
                "link": clean_line(hit.entry.link, 2000),
                "snippet": clean_line(hit.snippet.replace("\ue000", "").replace("\ue001", "")),
            }
            for hit in hits
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for hit in hits:
        snippet = clean_line(hit.snippet.replace("\ue000", "*").replace("\ue001", "*"), 200)
        print(f"{clean_line(hit.entry.title, 150)}  ({clean_line(hit.entry.feed_title, 60)})")
        print(f"    {clean_line(hit.entry.link, 300)}")
        print(f"    {snippet}")
    return 0


# ---------------------------------------------------------------------------- podcasts
def download(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    """`newsreader download`: the queue (and with --new every new episode), with a
    progress line on a terminal and one line per file; exit 1 when a file failed."""
    from reader.downloads import download_folder
    from reader.podcasts import queue_new_episodes, run_downloads

    feed_ids = _feed_option(store, args)
    if feed_ids is _NOT_SUBSCRIBED:
        return 2
    feed_id = feed_ids[0] if feed_ids else None
    folder = download_folder(settings, args.to)
    store.requeue_interrupted()
    if args.new:
        added = queue_new_episodes(store, feed_id)
        if added:
            print(f"queued {added} new {'episode' if added == 1 else 'episodes'}")
    if not store.list_downloads(states=["queued"], feed_id=feed_id):
        print("nothing to download (--new queues new episodes)")
        return 0
    try:  # made only when there is something to put in it
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        err(f"cannot use the folder {folder}: {file_problem(exc, str(folder / 'x'))}")
        return 2
    results = run_downloads(store, settings, folder, feed_id, sys.stdout)
    return 1 if any(d.state != "done" for d in results) else 0


COMMANDS = {
    "download": download,
    "health": health,
    "search": search,
    "add": add,
    "remove": remove,
    "preview": preview,
    "refresh": refresh,
    "list": list_feeds,
    "entries": entries,
    "unread": unread,
    "mark-read": mark_read,
    "import": import_opml,
    "export": export_opml,
    "read": read,
    **RULE_COMMANDS,
}


def run(command: str, store: Store, settings: Settings, args: argparse.Namespace) -> int:
    try:
        from reader.sync.commands import COMMANDS as SYNC_COMMANDS

        return (SYNC_COMMANDS.get(command) or COMMANDS[command])(store, settings, args)
    except StoreError as exc:
        err(str(exc))
        return 1
    except BrokenPipeError:  # `newsreader entries | head`
        return 0


__all__: Sequence[str] = ["COMMANDS", "run"]
