"""Reading untrusted JSON: the value of the expected type, or a SyncError naming what is off."""

from __future__ import annotations

from typing import Any

from reader.feeds.entries import resolve_urls
from reader.sync.base import SyncError
from reader.text import clean_line, strip_html_controls, tame_html

MAX_TEXT = 1_000_000
"""The longest string kept from a server answer (content); titles are cut much shorter."""


def bad(what: str) -> SyncError:
    return SyncError(f"unexpected answer from the server: {what}")


def as_dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad(f"{what} is not an object")
    return value


def as_list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise bad(f"{what} is not a list")
    return value


def ident(value: Any, what: str) -> str:
    """An id: an int (or a string of digits); bool is not an id."""
    if isinstance(value, bool):
        raise bad(f"{what} is not an id")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return str(int(value))
    raise bad(f"{what} is not an id")


def text(value: Any, limit: int = 1000) -> str:
    """A short text field (title, author, URL); anything not a string is empty."""
    if not isinstance(value, str):
        return ""
    return clean_line(value, limit)


def body(value: Any, base: str = "") -> str:
    """HTML content, bounded in size and prepared as a feed's content is: controls (and
    references to them) gone, markup html.parser reads in linear time, relative URLs made
    absolute against `base` (the feed's address). It stays untrusted HTML: the reading pane
    drops scripts, event handlers and non-http links, as for local feeds, so a server that
    did not sanitise it (tt-rss is asked not to) shows nothing it should not."""
    if not isinstance(value, str):
        return ""
    return resolve_urls(tame_html(strip_html_controls(value[:MAX_TEXT])), base).strip()


def flag(value: Any) -> bool:
    """A boolean the way these APIs spell it: true/false, 1/0, "true"/"1"."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "t")
    return bool(value) if isinstance(value, int | bool) else False


def number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if 0 < value < 1e11 else None
    if isinstance(value, str) and value.isdigit():
        return number(int(value))
    return None


def id_list(value: Any, what: str) -> frozenset[str]:
    """Fever's "1,2,3" (or "")."""
    if isinstance(value, int) and not isinstance(value, bool):
        return frozenset({str(value)})
    if not isinstance(value, str):
        raise bad(f"{what} is not a list of ids")
    return frozenset(ident(part, what) for part in value.split(",") if part.strip())
