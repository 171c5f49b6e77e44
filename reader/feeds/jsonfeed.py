"""JSON Feed 1.0 / 1.1 documents into `ParsedFeed` values.

feedparser does not read JSON Feed, so this module reads it: each item becomes an entry
shaped as feedparser's, and `entries.py` applies the rules every format shares (identity,
duplicates, the entry cap, URLs, dates, title decoding). JSON Feed documents are untyped
strangers' data: every field is type-checked before it is used.

Synchronous and CPU-bound like `parse_feed`: callers run it in a worker thread.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from reader.feeds.entries import absolute, build_entries, looks_like_html
from reader.feeds.errors import NotAFeedError
from reader.models import ParsedFeed
from reader.text import clean_line

_VERSION = re.compile(r"https?://(?:www\.)?jsonfeed\.org/version/(\d+(?:\.\d+)?)/?$", re.I)
_KNOWN_VERSIONS = frozenset({"1", "1.1"})
_SNIFF_PREFIX = b"\xef\xbb\xbf \t\r\n"
_LEAP_SECOND = re.compile(r"(T\d\d:\d\d):60")
_MAX_DATE_LENGTH = 64


def looks_like_json_feed(body: bytes) -> bool:
    """A cheap sniff (no JSON parsing): a JSON object that names jsonfeed.org somewhere.

    `jsonfeed.org` rather than the whole version URL, because PHP's json_encode writes
    `https:\\/\\/jsonfeed.org\\/version\\/1` and many WordPress plugins leave it so.
    """
    return body.lstrip(_SNIFF_PREFIX)[:1] == b"{" and b"jsonfeed.org" in body


def parse_json_feed(body: bytes, *, url: str) -> ParsedFeed:
    """Parse a JSON Feed document; raise NotAFeedError when it is not one.

    `url` is the address the document came from (after redirects): relative URLs in the
    feed resolve against it.
    """
    document, warning = _load(body)
    if not isinstance(document, dict):
        raise NotAFeedError("not a feed (got JSON data, not a JSON Feed)")
    version = document.get("version")
    match = _VERSION.match(version.strip()) if isinstance(version, str) else None
    if match is None:
        raise NotAFeedError("not a feed (got JSON data, not a JSON Feed)")
    if match.group(1) not in _KNOWN_VERSIONS:
        warning = warning or f"unknown JSON Feed version {clean_line(match.group(1), 20)}"

    items = document.get("items")
    if items is None:
        items = []
    elif not isinstance(items, list):
        items = []
        warning = warning or "the JSON Feed's items are not a list; no entries read"
    feed_author = _authors(document)
    raw = [_raw_entry(item, feed_author) for item in items if isinstance(item, dict)]
    entries, cap_note = build_entries(raw, url)
    return ParsedFeed(
        title=clean_line(_string(document.get("title"))),
        site_url=absolute(document.get("home_page_url"), url) or "",
        entries=entries,
        warning=warning or cap_note,
    )


def _load(body: bytes) -> tuple[Any, str | None]:
    """The decoded JSON and a warning when its bytes were not valid UTF-8 (spec: UTF-8 only)."""
    if not body or not body.strip():
        raise NotAFeedError("not a feed (empty response)")
    warning = None
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = body.decode(json.detect_encoding(body))
        except (UnicodeDecodeError, LookupError):
            text = body.decode("utf-8", errors="replace")
            warning = "the JSON Feed is not valid UTF-8; some characters were replaced"
    try:
        return json.loads(text), warning
    except RecursionError as exc:
        raise NotAFeedError("not a feed (JSON nested too deeply)") from exc
    except ValueError as exc:
        reason = clean_line(str(exc), 200)
        raise NotAFeedError(f"not a feed (invalid JSON: {reason})") from exc


# --- entries -----------------------------------------------------------------------------


def _raw_entry(item: dict[str, Any], feed_author: str) -> dict[str, Any]:
    """One JSON Feed item shaped as a feedparser entry, for `build_entries`.

    A title is text by the spec, but feeds put HTML entities in it (`I&#039;m`): one that
    looks like HTML is read as HTML, as feedparser reads an RSS title.
    """
    raw: dict[str, Any] = {}
    raw_id = item.get("id")
    # 1.1: "if the id is a number, coerce it to a string" (bool is an int; it is not an id).
    if isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)
    if isinstance(raw_id, str):
        raw["id"] = raw_id
    title = _string(item.get("title"))
    if title:
        kind = "text/html" if looks_like_html(title) else "text/plain"
        raw["title"], raw["title_detail"] = title, {"type": kind}
    summary = _string(item.get("summary"))
    if summary.strip():
        raw["summary"], raw["summary_detail"] = summary, {"type": "text/plain"}
    markup, text = _string(item.get("content_html")), _string(item.get("content_text"))
    if markup.strip():
        raw["content"] = [{"type": "text/html", "value": markup}]
    elif text.strip():
        raw["content"] = [{"type": "text/plain", "value": text}]
    links: list[dict[str, Any]] = [
        {"rel": "alternate", "href": href}
        for href in (_string(item.get("url")), _string(item.get("external_url")))
        if href
    ]
    attachments = item.get("attachments")
    for attachment in attachments if isinstance(attachments, list) else []:
        if isinstance(attachment, dict):
            links.append(
                {
                    "rel": "enclosure",
                    "href": attachment.get("url"),
                    "type": attachment.get("mime_type"),
                    "length": attachment.get("size_in_bytes"),
                    "title": attachment.get("title"),
                    "duration": attachment.get("duration_in_seconds"),
                }
            )
    raw["links"] = links
    if links and links[0]["rel"] == "alternate":
        raw["link"] = links[0]["href"]  # as feedparser keeps an entry's link as given
    images = [item.get("image"), item.get("banner_image")]
    raw["media_thumbnail"] = [{"url": url} for url in images if isinstance(url, str)]
    author = _authors(item) or feed_author
    if author:
        raw["author"] = author
    raw["published_parsed"] = _date(item.get("date_published"))
    raw["updated_parsed"] = _date(item.get("date_modified"))
    tags = item.get("tags")
    if isinstance(tags, list):
        raw["tags"] = [{"term": tag} for tag in tags if isinstance(tag, str)]
    return raw


def _authors(node: dict[str, Any]) -> str:
    """Author names: 1.1's `authors` list, else 1.0's `author` object; "" when none."""
    raw = node.get("authors")
    people = raw if isinstance(raw, list) else [node.get("author")]
    names: list[str] = []
    for person in people:
        if isinstance(person, dict):
            name = clean_line(_string(person.get("name")), 200)
            if name and name not in names:
                names.append(name)
    return clean_line(", ".join(names), 200)


def _date(value: Any) -> datetime | None:
    """An RFC 3339 date as an aware UTC datetime; None for missing or garbage values.

    A date without an offset is taken as UTC; a leap second (`:60`) becomes `:59`.
    """
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_DATE_LENGTH:
        return None
    text = _LEAP_SECOND.sub(r"\1:59", value.strip().upper())
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


# --- small helpers -----------------------------------------------------------------------


def _string(value: Any) -> str:
    """The value when it is a string, else "" (a number or object where text belongs)."""
    return value if isinstance(value, str) else ""
