"""When a feed may and should be fetched again: the polite-client rules in one place.

- A server's Retry-After (429/503) is honoured: nothing is fetched before it.
- Cache-Control max-age, Expires and RSS <ttl> say how long a response stays fresh.
- A failing feed backs off exponentially (5 min, 10, 20 … up to a day), reset by a success.
- A feed is *due* when its interval (its own, else the setting) has passed since the last
  fetch and nothing above asks to wait. Small jitter spreads a thousand feeds over time.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from reader.models import Feed

BACKOFF_START = 5 * 60.0
BACKOFF_MAX = 24 * 3600.0
FRESH_MAX = 24 * 3600.0
"""A server's freshness claim (max-age, Expires, ttl) is believed for at most a day."""
JITTER = 0.1
"""Up to this fraction of a wait is added at random, so feeds do not all fall due at once."""

_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Wait:
    """Not before `until` (epoch seconds), because of `reason`."""

    until: float
    reason: str


def format_duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{round(seconds)} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.1f} h".replace(".0 h", " h")
    return f"{seconds / 86400:.1f} days".replace(".0 days", " days")


def freshness(headers: Mapping[str, str], ttl_minutes: int | None, now: float) -> Wait | None:
    """How long a successful response may be reused, from its headers and the feed's ttl."""
    seconds: float | None = None
    source = ""
    cache_control = headers.get("cache-control", "")
    match = _MAX_AGE.search(cache_control)
    if match:
        seconds, source = float(match.group(1)), "Cache-Control max-age"
    elif headers.get("expires"):
        try:
            expires = parsedate_to_datetime(headers["expires"]).timestamp()
            seconds, source = expires - now, "Expires"
        except (TypeError, ValueError, IndexError, OverflowError):
            seconds = None
    if ttl_minutes and (seconds is None or ttl_minutes * 60 > seconds):
        seconds, source = ttl_minutes * 60.0, "the feed's ttl"
    if seconds is None or seconds <= 0:
        return None
    seconds = min(seconds, FRESH_MAX)
    return Wait(now + seconds, f"fresh for {format_duration(seconds)} ({source})")


def backoff(failures: int, retry_after: float | None, now: float) -> Wait:
    """After the `failures`-th failure in a row: wait longer each time, or as the server asks."""
    if retry_after is not None and retry_after > 0:
        return Wait(now + retry_after, f"the server asked to wait {format_duration(retry_after)}")
    seconds = min(BACKOFF_START * 2 ** max(failures - 1, 0), BACKOFF_MAX)
    seconds *= 1 + random.random() * JITTER
    return Wait(now + seconds, f"failing: next try in {format_duration(seconds)}")


def waiting(feed: Feed, now: float | None = None) -> Wait | None:
    """The wait in force for a feed, if any."""
    now = time.time() if now is None else now
    if feed.not_before is None:
        return None
    until = feed.not_before.timestamp()
    return Wait(until, feed.wait_reason or "waiting") if until > now else None


def is_due(feed: Feed, default_minutes: int, now: float | None = None) -> bool:
    """Whether `newsreader refresh --due` (and the TUI's auto-refresh) should fetch it now."""
    now = time.time() if now is None else now
    if feed.paused or feed.dead or feed.is_sample:
        return False
    if waiting(feed, now) is not None:
        return False
    if feed.last_fetched is None:
        return True
    minutes = feed.refresh_minutes or default_minutes or 60
    return now - feed.last_fetched.timestamp() >= minutes * 60


def next_due(feed: Feed, default_minutes: int) -> float | None:
    """When the feed falls due (epoch seconds); None for paused, dead or sample feeds."""
    if feed.paused or feed.dead or feed.is_sample:
        return None
    minutes = feed.refresh_minutes or default_minutes or 60
    due = feed.last_fetched.timestamp() + minutes * 60 if feed.last_fetched else time.time()
    if feed.not_before is not None:
        due = max(due, feed.not_before.timestamp())
    return due
