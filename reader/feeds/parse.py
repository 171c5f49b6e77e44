"""Feed documents (RSS, Atom, RDF) into `ParsedFeed` values, via feedparser.

feedparser does the hard parts (encodings, broken XML, date formats, HTML sanitising,
relative-URI resolution); this module decides what counts as a feed, what an entry's
identity, link, content and related links are, and makes every string inert with
`strip_controls`/`clean_line` (after feedparser has decoded entities, so `&#x1b;` cannot
sneak an escape sequence through).

Synchronous and CPU-bound on purpose: callers run `parse_feed` in a worker thread.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import feedparser

from reader.models import Entry, Link, ParsedFeed
from reader.text import clean_line, is_http_url, strip_controls

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
_UNTITLED = "(untitled)"
_TITLE_FROM_SUMMARY = 100
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_XML_DECLARATION = re.compile(rb"(?:\xef\xbb\xbf)?<\?xml[^>]*?>")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class NotAFeedError(ValueError):
    """The document is not a feed; the message says what it looked like instead."""


def parse_feed(body: bytes, *, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Parse a fetched feed document; raise NotAFeedError when it is not a feed at all.

    `url` is the address the document came from (after redirects): relative links resolve
    against it unless the response named a Content-Location. `headers` are the response
    headers, so the declared charset is honoured.
    """
    response_headers = {key.lower(): value for key, value in (headers or {}).items()}
    base = url
    location = response_headers.get("content-location")
    if location:
        joined = urljoin(url, clean_line(location))
        if is_http_url(joined):
            base = joined
    response_headers["content-location"] = base

    if not body or not body.strip():
        raise NotAFeedError("not a feed (empty response)")
    try:
        # A BytesIO, never the bytes themselves: feedparser treats a bytes argument that
        # names an existing file as a path and reads that file.
        parsed = feedparser.parse(
            io.BytesIO(body),
            response_headers=response_headers,
            resolve_relative_uris=True,
            sanitize_html=True,
        )
    except Exception as exc:  # feedparser has crashed on hostile input before
        reason = clean_line(str(exc), 200) or type(exc).__name__
        raise NotAFeedError(f"not a feed (could not parse it: {reason})") from exc

    if not parsed.get("version") and not parsed.get("entries"):
        raise NotAFeedError(_not_a_feed_reason(body, response_headers, parsed))

    feed = parsed.get("feed", {})
    entries = tuple(_entry(raw, base) for raw in parsed.get("entries", []))
    return ParsedFeed(
        title=_title_text(feed),
        site_url=_absolute(feed.get("link"), base) or "",
        entries=entries,
        warning=_warning(parsed, body),
    )


# --- what went wrong ---------------------------------------------------------------------


def _not_a_feed_reason(body: bytes, headers: Mapping[str, str], parsed: Any) -> str:
    """Name what the document looked like, so "not a feed" is something a user can act on."""
    content_type = headers.get("content-type", "").lower()
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1024].lower()
    if "html" in content_type or head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "not a feed (got an HTML page)"
    if "json" in content_type or head.startswith((b"{", b"[")):
        if b"jsonfeed.org" in body[:4096].lower():
            return "not a feed (got a JSON Feed, which newsreader cannot read yet)"
        return "not a feed (got JSON data)"
    exc = parsed.get("bozo_exception")
    if exc is not None and hasattr(exc, "getMessage"):
        return f"not a feed (XML parse error: {_xml_error(exc, body)})"
    if head.startswith(b"<"):
        return "not a feed (an XML document, but not RSS or Atom)"
    return "not a feed (unrecognised content)"


def _warning(parsed: Any, body: bytes) -> str | None:
    """A survivable problem worth showing, or None.

    feedparser flags `text/xml` without a charset as "declared as us-ascii" (RFC 3023's
    default, which nobody means), and a feed served as text/html is still read exactly; neither
    is worth a warning.
    """
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    if exc is None:
        return None
    name = type(exc).__name__
    message = clean_line(str(exc), 200)
    if name == "CharacterEncodingOverride":
        if "declared as us-ascii" in message:
            return None
        return f"wrong character encoding: {message}"
    if name == "CharacterEncodingUnknown":
        return f"unknown character encoding: {message}"
    if name == "NonXMLContentType":
        return None
    if hasattr(exc, "getMessage"):
        detail = _xml_error(exc, body)
        return f"malformed XML ({detail}); read leniently, entries may be incomplete"
    return message or name


def _xml_error(exc: Any, body: bytes) -> str:
    """An XML parser's complaint and the line it is on, in the document as served.

    feedparser prepends an XML declaration and a newline when the document has none, which
    pushes the parser's line numbers one down.
    """
    detail = clean_line(exc.getMessage(), 200)
    line = exc.getLineNumber() if hasattr(exc, "getLineNumber") else None
    if not isinstance(line, int) or line < 1:
        return detail
    if not _XML_DECLARATION.match(body) and not body.startswith(_UTF16_BOMS):
        line = max(1, line - 1)
    return f"{detail} at line {line}"


# --- entries -----------------------------------------------------------------------------


def _entry(raw: Any, base: str) -> Entry:
    """One feedparser entry as an Entry (not yet stored: no id or feed_id)."""
    # feedparser copies content into `summary` (without a `summary_detail`) when the entry has
    # no summary of its own; such a copy is not a summary.
    summary_given = dict.__contains__(raw, "summary_detail")
    summary = strip_controls(raw.get("summary") or "").strip() if summary_given else ""
    content = _content(raw, summary if summary_given else None)
    link = _link(raw, base)
    own_title = _title_text(raw)
    title = own_title or _title_from(summary or content) or _UNTITLED
    key = (
        clean_line(raw.get("id"))
        or link
        or clean_line(raw.get("link"))
        or "sha1:" + hashlib.sha1((own_title + (content or summary)).encode()).hexdigest()
    )
    detail = raw.get("author_detail") or {}
    author = clean_line(detail.get("name"), 200) or clean_line(raw.get("author"), 200)
    published = _utc(raw.get("published_parsed"))
    # dict.get: FeedParserDict.get("updated_parsed") quietly answers with published_parsed.
    updated = _utc(dict.get(raw, "updated_parsed"))
    return Entry(
        key=key,
        title=title,
        link=link,
        author=author,
        published=published or updated,
        updated=updated,
        summary=summary,
        content=content,
        related=_related(raw, base),
    )


def _content(raw: Any, summary: str | None) -> str:
    """The entry's full HTML content, or "" when it has none (or only repeats the summary)."""
    items = [item for item in raw.get("content") or [] if item.get("value")]
    html_item = next((i for i in items if (i.get("type") or "") in _HTML_TYPES), None)
    text_item = next(
        (i for i in items if (i.get("type") or "text/plain").startswith("text/")), None
    )
    item = html_item or text_item
    if item is None:
        return ""
    value = strip_controls(item.get("value") or "").strip()
    if not value or (summary is not None and value == summary):
        return ""
    if item is html_item:
        return value
    return _plain_to_html(value)


def _plain_to_html(text: str) -> str:
    """Plain-text content as HTML paragraphs, escaped so none of it is taken as markup."""
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip()]
    return "\n".join(
        "<p>" + html.escape(p, quote=False).replace("\n", "<br>\n") + "</p>" for p in paragraphs
    )


def _link(raw: Any, base: str) -> str:
    """The entry's own page: the first usable rel=alternate link, else `link`."""
    for item in raw.get("links") or []:
        if (item.get("rel") or "alternate") == "alternate":
            href = _absolute(item.get("href"), base)
            if href:
                return href
    return _absolute(raw.get("link"), base) or ""


def _related(raw: Any, base: str) -> tuple[Link, ...]:
    """Atom rel="related" links, in order, without repeats, http(s) only."""
    related: list[Link] = []
    seen: set[str] = set()
    for item in raw.get("links") or []:
        if item.get("rel") != "related":
            continue
        href = _absolute(item.get("href"), base)
        if not href or href in seen:
            continue
        seen.add(href)
        related.append(Link(url=href, title=clean_line(item.get("title")) or href, kind="related"))
    return tuple(related)


# --- small helpers -----------------------------------------------------------------------


def _absolute(href: str | None, base: str) -> str | None:
    """An absolute http(s) URL, or None (javascript:, data:, mailto: and friends are dropped)."""
    cleaned = clean_line(href)
    if not cleaned:
        return None
    joined = urljoin(base, cleaned)
    return joined if is_http_url(joined) else None


def _title_text(node: Any) -> str:
    """A title as one clean line; an HTML-typed title (Atom type="html") loses its tags."""
    title = node.get("title") or ""
    detail = node.get("title_detail") or {}
    if (detail.get("type") or "") in _HTML_TYPES:
        title = _html_text(title)
    return clean_line(title)


def _title_from(text: str) -> str:
    """A stand-in title for an untitled entry: the start of its summary, as plain text."""
    return clean_line(_html_text(text), limit=_TITLE_FROM_SUMMARY)


def _utc(value: time.struct_time | None) -> datetime | None:
    """feedparser's UTC struct_time as an aware datetime; None for missing or absurd dates."""
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML fragment, leaving out scripts and styles."""

    _SKIP = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _html_text(fragment: str) -> str:
    """The visible text of an HTML fragment (tags dropped, entities decoded)."""
    if "<" not in fragment and "&" not in fragment:
        return fragment
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)
