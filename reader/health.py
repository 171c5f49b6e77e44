"""Feed health: how each feed has been doing, in figures and in advice a person can act on.

Built from the feed row and its recent fetch log (store.fetch_log); shown by
`newsreader health [--json]` and the TUI's health screen (H on the feeds pane).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from reader.models import Feed
from reader.schedule import format_duration, next_due, waiting
from reader.store import Store

RATE_WINDOW_DAYS = 28.0
"""Rates are measured over the last four weeks, or the feed's whole age if shorter."""


@dataclass(frozen=True, slots=True)
class FeedHealth:
    feed: Feed
    fetches: int
    """Fetches in the log (the most recent ones, up to Store.FETCH_LOG_KEEP)."""
    not_modified_ratio: float | None
    """Share of successful fetches answered 304 (None before any)."""
    bytes_downloaded: int
    seconds: float
    """Time spent fetching over the logged fetches."""
    entries_per_week: float
    """Entries dated within the rate window, per week."""
    next_due: datetime | None
    advice: tuple[str, ...]
    rate_days: float = RATE_WINDOW_DAYS
    """The rate window: the feed's real age (since it was added or its oldest entry,
    whichever is earlier), at least a day and at most RATE_WINDOW_DAYS."""

    def status_text(self) -> str:
        """`last 200` / `no answer yet`: the server's last reply."""
        status = self.feed.last_status
        return f"last {status}" if status is not None else "no answer yet"

    def due_text(self, now: float) -> str:
        """`due now`, `next 03 Dec 19:00` (local time) or `not scheduled`."""
        if self.next_due is None:
            return "not scheduled"
        if self.next_due.timestamp() <= now:
            return "due now"
        return "next " + self.next_due.astimezone().strftime("%d %b %H:%M")

    def figures_text(self) -> str:
        """The figures both `newsreader health` and the health screen show, in this order."""
        return " · ".join((self.fetches_text(), self.conditional_text(), self.rate_text()))

    def fetches_text(self) -> str:
        """`12 fetches, 48 kB` / `never fetched`, in words."""
        if not self.fetches:
            return "never fetched" if self.feed.last_fetched is None else "no fetches logged"
        plural = "fetch" if self.fetches == 1 else "fetches"
        return f"{self.fetches} {plural}, {format_bytes(self.bytes_downloaded)}"

    def conditional_text(self) -> str:
        """How often the server answered 304 Not Modified, in words."""
        if not self.not_modified_ratio:
            return "no conditional responses yet"
        return f"{self.not_modified_ratio:.0%} answered not modified (304)"

    def rate_text(self) -> str:
        """`3.5 entries a week (over 9 days)`: the rate and the span it is measured over."""
        span = f"over {format_duration(self.rate_days * 86400)}"
        if not self.feed.total:
            return "no entries yet"
        if self.entries_per_week == 0:
            return f"no entries {span}"
        return f"{self.entries_per_week:.1f} entries a week ({span})"

    def as_json(self) -> dict[str, Any]:
        feed = self.feed

        def iso(when: datetime | None) -> str | None:
            return when.isoformat() if when else None

        return {
            "url": feed.url,
            "title": feed.title,
            "last_status": feed.last_status,
            "last_error": feed.last_error,
            "last_success": iso(feed.last_success),
            "last_fetched": iso(feed.last_fetched),
            "consecutive_failures": feed.failures,
            "not_modified_ratio": self.not_modified_ratio,
            "bytes": self.bytes_downloaded,
            "seconds": round(self.seconds, 3),
            "fetches": self.fetches,
            "entries_per_week": round(self.entries_per_week, 1),
            "rate_window_days": round(self.rate_days, 1),
            "next_due": iso(self.next_due),
            "paused": feed.paused,
            "dead": feed.dead,
            "advice": list(self.advice),
        }


def feed_health(store: Store, default_minutes: int, now: float | None = None) -> list[FeedHealth]:
    now = time.time() if now is None else now
    report: list[FeedHealth] = []
    for feed in store.list_feeds():
        log = store.fetch_log(feed.id)
        ok = [row for row in log if row["error"] is None]
        ratio = sum(1 for row in ok if row["status"] == 304) / len(ok) if ok else None
        per_week, days = _rate(store, feed.id, now)
        due = next_due(feed, default_minutes)
        report.append(
            FeedHealth(
                feed=feed,
                fetches=len(log),
                not_modified_ratio=ratio,
                bytes_downloaded=sum(row["bytes"] for row in log),
                seconds=sum(row["seconds"] for row in log),
                entries_per_week=per_week,
                next_due=datetime.fromtimestamp(due, UTC) if due else None,
                advice=tuple(_advice(feed, ok, per_week, days, now)),
                rate_days=days,
            )
        )
    return report


def _rate(store: Store, feed_id: int, now: float) -> tuple[float, float]:
    """(Entries per week, over how many days): a feed added two days ago is measured over
    two days, not four weeks (a day at least, so a brand-new feed is not 1,000 a week)."""
    start, _ = store.feed_activity(feed_id, now)
    age = (now - start) / 86400 if start is not None else 0.0
    days = min(max(age, 1.0), RATE_WINDOW_DAYS)
    _, count = store.feed_activity(feed_id, now - days * 86400)
    return count / (days / 7), days


def format_bytes(size: int) -> str:
    """`512 B`, `48 kB`, `3.2 MB`."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.0f} kB"
    return f"{size / 1_000_000:.1f} MB"


def _advice(
    feed: Feed, ok: list[dict[str, Any]], per_week: float, days: float, now: float
) -> list[str]:
    advice: list[str] = []
    if feed.dead:
        advice.append("dead: the server said 410 Gone; it is no longer fetched (remove it?)")
    if feed.paused:
        advice.append("paused: not refreshed until you unpause it (e)")
    if feed.failures:
        since = feed.last_success.timestamp() if feed.last_success else None
        if since is not None and now - since > 86400:
            advice.append(f"failing for {format_duration(now - since)}: {feed.last_error}")
        elif since is None:
            advice.append(f"never fetched successfully: {feed.last_error}")
        else:
            advice.append(f"failed {feed.failures}x in a row: {feed.last_error}")
    wait = waiting(feed, now)
    if wait is not None:
        until = datetime.fromtimestamp(wait.until).strftime("%Y-%m-%d %H:%M")
        advice.append(f"waiting until {until}: {wait.reason}")
    if ok and feed.total and per_week == 0 and not feed.dead:
        advice.append(f"quiet: no new entries in {format_duration(days * 86400)}")
    if ok and all(row["status"] == 200 for row in ok) and len(ok) >= 3 and not feed.etag:
        advice.append("the server sends no ETag or Last-Modified: every refresh downloads it all")
    return advice
