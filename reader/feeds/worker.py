"""What a refresh's parse worker process runs: parse a feed, and store it.

Kept apart from `service.py` so that a worker imports only the parser, the store and the
schedule rules (no HTTP client, no extractor): every worker is a whole Python process, and
its memory counts.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace

from reader.models import ParsedFeed
from reader.schedule import freshness
from reader.store import FeedUpdate, FetchDetails, Store, StoreError, derive


def parse_job(body: bytes, url: str, headers: dict[str, str]) -> ParsedFeed:
    """Parse and work out what storing needs (`store.derive`), so the single writer only
    writes. Runs in a worker process (module-level so it pickles) or a thread. The parser
    (lxml and its mapping) is imported here, not with this module: the main process of a
    big refresh, which only fetches, never loads it (the workers' fork server does)."""
    from reader.feeds.parse import parse_feed

    return derive(parse_feed(body, url=url, headers=headers))


@dataclass(frozen=True, slots=True)
class StoredFeed:
    """What a worker process that parsed and stored a feed reports back."""

    title: str
    new: int
    parse_seconds: float = 0.0
    store_seconds: float = 0.0
    rules_seconds: float = 0.0
    """CPU time of the rules' part of storing."""


_WORKER_STORE: Store | None = None
"""A worker process's own connection to the refresh's store (see `worker_init`)."""


def worker_init(
    db_path: str | None, write_gate: AbstractContextManager[object] | None = None
) -> None:
    """Open the store in a new worker process, so it stores what it parses: the entries'
    text then never crosses a pipe twice, and the writes (the serial part of a refresh) cost
    the worker's core, not the main process's, which is busy with the network. SQLite's
    write lock keeps the writers in turn. Without a store (in memory, or it cannot be
    opened) the worker only parses and the main process stores."""
    global _WORKER_STORE
    if db_path is not None:
        try:
            _WORKER_STORE = Store(db_path)
            _WORKER_STORE.write_gate = write_gate
            _WORKER_STORE.leave_checkpoints()  # the refresh's Checkpointer makes them
            _WORKER_STORE.hold_rules()
            _WORKER_STORE.limit_cache(512)
        except StoreError:
            _WORKER_STORE = None


def ready_to_store(
    update: FeedUpdate, parsed: ParsedFeed, headers: Mapping[str, str], now: float
) -> FeedUpdate:
    """`update` with the parsed feed in it, and when the feed may be fetched next (its
    max-age, Expires or RSS ttl: the last needs the parsed feed)."""
    fresh = freshness(headers, parsed.ttl_minutes, now)
    fetched: FetchDetails = {
        **(update.fetched or {}),
        "not_before": fresh.until if fresh else None,
        "wait_reason": fresh.reason if fresh else None,
    }
    return replace(update, parsed=parsed, fetched=fetched)


def parse_and_store_job(
    body: bytes, url: str, headers: dict[str, str], update: FeedUpdate, now: float
) -> ParsedFeed | StoredFeed:
    """Parse, then store `update` (its `parsed` is a placeholder) when this worker has a
    store; the freshness rules run here too, as they need the parsed feed's ttl."""
    started = time.perf_counter()
    parsed = parse_job(body, url, headers)
    if _WORKER_STORE is None:
        return parsed
    parsed_at = time.perf_counter()
    [new], ruled = _WORKER_STORE.apply_updates_timed([ready_to_store(update, parsed, headers, now)])
    return StoredFeed(
        title=parsed.title,
        new=new,
        parse_seconds=parsed_at - started,
        store_seconds=time.perf_counter() - parsed_at,
        rules_seconds=ruled,
    )
