"""JSON Feed 1.0 / 1.1 documents into `ParsedFeed` values, by the same rules as `parse.py`.

feedparser does not read JSON Feed, so this module does what it does for XML feeds: decides
an entry's identity, link and content, resolves relative URLs against the feed's address,
treats `content_html` exactly as XML feeds' HTML (tamed, never sanitised: it is only read as
data) and makes every string inert with `strip_controls`/`clean_line`. JSON Feed
documents are untyped strangers' data: every field is type-checked before it is used.

Synchronous and CPU-bound like `parse_feed`: callers run it in a worker thread.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from reader.feeds import media
from reader.feeds.parse import (
    _UNTITLED,
    NotAFeedError,
    _plain_to_html,
    _resolve_urls,
    _title_from,
)
from reader.models import Entry, ParsedFeed
from reader.text import clean_line, is_http_url, strip_controls, strip_html_controls, tame_html

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
    entries = tuple(_entry(item, url, feed_author) for item in items if isinstance(item, dict))
    return ParsedFeed(
        title=clean_line(_string(document.get("title"))),
        site_url=_absolute(document.get("home_page_url"), url) or "",
        entries=entries,
        warning=warning,
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


def _entry(item: dict[str, Any], base: str, feed_author: str) -> Entry:
    """One JSON Feed item as an Entry (not yet stored: no id or feed_id)."""
    summary = strip_controls(_string(item.get("summary"))).strip()
    content = _content(item, base, summary)
    link = _absolute(item.get("url"), base) or _absolute(item.get("external_url"), base) or ""
    own_title = clean_line(_string(item.get("title")))
    title = own_title or _title_from(summary or content) or _UNTITLED
    raw_id = item.get("id")
    # 1.1: "if the id is a number, coerce it to a string" (bool is an int; it is not an id).
    if isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)
    key = (
        clean_line(_string(raw_id))
        or link
        or clean_line(_string(item.get("url")))
        or "sha1:" + hashlib.sha1((own_title + (content or summary)).encode()).hexdigest()
    )
    published = _date(item.get("date_published"))
    updated = _date(item.get("date_modified"))
    attachments = item.get("attachments")
    files = [
        media.RawFile(
            url=attachment.get("url"),
            type=attachment.get("mime_type"),
            length=attachment.get("size_in_bytes"),
            duration=attachment.get("duration_in_seconds"),
            title=attachment.get("title"),
        )
        for attachment in (attachments if isinstance(attachments, list) else [])
        if isinstance(attachment, dict)
    ]
    enclosures = media.enclosures(files, base)
    image = media.lead_image(
        [item.get("image"), item.get("banner_image")]
        + [file.url for file in enclosures if file.type.startswith("image/")],
        base,
    )
    return Entry(
        key=key,
        title=title,
        link=link,
        author=_authors(item) or feed_author,
        published=published or updated,
        updated=updated,
        summary=summary,
        content=content,
        enclosures=enclosures,
        image=image,
    )


def _content(item: dict[str, Any], base: str, summary: str) -> str:
    """`content_html` resolved and sanitised, else `content_text` as escaped paragraphs."""
    markup = strip_controls(_string(item.get("content_html"))).strip()
    if markup:
        content = strip_controls(_sanitise(markup, base)).strip()
    else:
        text = strip_controls(_string(item.get("content_text"))).strip()
        content = _plain_to_html(text) if text else ""
    return "" if content == summary else content


def _sanitise(markup: str, base: str) -> str:
    """`content_html` as parse_feed leaves a feed's HTML: linear for html.parser, controls
    stripped (references too) and relative URLs resolved against the feed's address. It is
    not sanitised: like every feed's HTML it is only ever read as data (SECURITY.md)."""
    return _resolve_urls(tame_html(strip_html_controls(markup)), base)


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


def _absolute(value: Any, base: str) -> str | None:
    """An absolute http(s) URL, or None (javascript:, data:, mailto: and non-strings)."""
    cleaned = clean_line(_string(value))
    if not cleaned:
        return None
    try:
        joined = urljoin(base, cleaned)
    except ValueError:
        return None
    return joined if is_http_url(joined) else None
