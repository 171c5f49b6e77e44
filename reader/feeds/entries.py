"""The entry rules every feed format ends in: what an entry's identity, title, link, author,
dates, content and files are, whichever parser read the document.

The parsers (`fastparse.py` for common RSS/Atom, feedparser via `parse.py` for the rest,
`jsonfeed.py`) only read documents: each hands over entries shaped as feedparser's
(`title`/`title_detail`, `summary`/`summary_detail`, `content`, `links`, `author_detail`,
`id`, `published_parsed`/`updated_parsed`, `media_content`, ...), and `build_entries` turns
them into `Entry` values by one set of rules:

- identity: the GUID/id, else the link, else a hash of title and content; a key longer than
  MAX_KEY_LENGTH is hashed, never cut (cut keys collide);
- the same key twice in one document: the same post repeated (same link) counts once; two
  posts with different links both count, the second with a key of its own made from its
  link, so it is the same on every refresh;
- only the first MAX_ENTRIES entries are read;
- URLs: absolute http(s) only; a longer one than we would ever fetch is refused, not cut;
- dates before 1990 or more than a day ahead are no dates (a feed cannot pin an entry to
  the top of the list);
- titles: entities and HTML decoded to text exactly once (an HTML-typed title, or one that
  looks like HTML, loses its tags);
- author: the one feedparser's `author_detail` names (for repeated RSS `dc:creator` or
  `<author>`, the first); link: the first `text/html` alternate, else the first
  alternate, else the entry's `link`.

Every string is made inert with `strip_controls`/`clean_line` after entities are decoded,
so `&#x1b;` cannot sneak an escape sequence through.
"""

from __future__ import annotations

import hashlib
import html
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from reader.feeds import media
from reader.models import Entry, Link
from reader.text import clean_line, is_http_url, strip_controls, strip_html_controls, tame_html

MAX_ENTRIES = 2000
"""Entries read from one document; the rest are dropped with a note (`ParsedFeed.warning`)."""
MAX_KEY_LENGTH = 2048
"""A longer GUID (or link) is stored as `sha1:` + its hex digest instead."""
EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)
"""An entry dated before this (the epoch, year 1) has no usable date: it is treated as undated."""
MAX_FUTURE = timedelta(days=1)
"""An entry dated further ahead than this (clock skew allowed) is treated as undated, so a
feed cannot pin an entry to the top of the list."""
UNTITLED = "(untitled)"
_TITLE_SOURCE_CHARS = 65_536
"""A stand-in title needs only the start of the summary."""
_TITLE_FROM_SUMMARY = 100
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_HTML_HINT = re.compile(r"</(\w+)>|&#?\w+;")

RawEntry = dict[str, Any]
"""One entry as a parser read it, shaped as feedparser's (a FeedParserDict is a dict)."""


def build_entries(
    raw_entries: Sequence[RawEntry], base: str, *, found: int = 0
) -> tuple[tuple[Entry, ...], str | None]:
    """The document's entries by the rules above, and a note when some were not read.

    `base` is the document's address (relative URLs resolve against it); `found` is how many
    entries the document had, when a guard cut some before the parser saw them.
    """
    now = datetime.now(UTC)
    entries: list[Entry] = []
    kept: dict[str, Entry] = {}
    for raw in raw_entries[:MAX_ENTRIES]:
        entry = _entry(raw, base, now)
        if entry is None:
            continue
        first = kept.get(entry.key)
        if first is not None:
            if first.link == entry.link:
                continue  # the same post twice: the first one counts
            entry = replace(entry, key=_key(f"{entry.key}#{_digest(entry.link)}"))
            if entry.key in kept:
                continue
        kept[entry.key] = entry
        entries.append(entry)
    found = max(found, len(raw_entries))
    if found > MAX_ENTRIES:
        return tuple(entries), f"only the first {MAX_ENTRIES} of {found} entries were read"
    return tuple(entries), None


def _digest(*parts: str) -> str:
    return hashlib.sha1("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _entry(raw: RawEntry, base: str, now: datetime) -> Entry | None:
    """One entry as an Entry (not yet stored: no id or feed_id); None for one with nothing
    in it (no id, link, title, summary, content or file), e.g. where a truncated document
    was cut."""
    # feedparser copies content into `summary` (without a `summary_detail`) when the entry has
    # no summary of its own; such a copy is not a summary.
    summary_given = dict.__contains__(raw, "summary_detail")
    # Plain or HTML, a summary is often decoded as HTML later (feeds mix the two): the
    # references to controls go now either way.
    summary = strip_html_controls(raw.get("summary") or "").strip() if summary_given else ""
    if summary and ((raw.get("summary_detail") or {}).get("type") or "") in HTML_TYPES:
        summary = resolve_urls(tame_html(summary), base)
    content = _content(raw, summary if summary_given else None, base)
    link = _link(raw, base)
    own_title = title_text(raw)
    guid = _whole_line(raw.get("id"))
    enclosures, image = media.from_feedparser(raw, base)
    raw_link = _whole_line(raw.get("link"))
    if not (own_title or summary or content or raw_link or guid or enclosures):
        return None
    title = own_title or _title_from(summary or content) or UNTITLED
    key = _key(
        guid
        or link
        or raw_link
        or (enclosures[0].url if enclosures else "")
        or "sha1:" + hashlib.sha1((own_title + (content or summary)).encode()).hexdigest()
    )
    published = _utc(raw.get("published_parsed"), now)
    # dict.get: FeedParserDict.get("updated_parsed") quietly answers with published_parsed.
    updated = _utc(dict.get(raw, "updated_parsed"), now)
    return Entry(
        key=key,
        title=title,
        link=link,
        author=_author(raw),
        published=published or updated,
        updated=updated,
        summary=summary,
        content=content,
        related=_related(raw, base),
        enclosures=enclosures,
        image=image,
        categories=categories_of(raw),
    )


MAX_CATEGORIES = 20
"""The most categories kept for one entry (each at most 100 characters)."""


def categories_of(raw: RawEntry) -> tuple[str, ...]:
    """The entry's categories as feedparser keeps them (`tags`: a term, else a label), each
    once, in document order."""
    found: list[str] = []
    tags = raw.get("tags")
    for tag in tags if isinstance(tags, list) else []:
        if not isinstance(tag, Mapping):
            continue
        name = clean_line(tag.get("term"), 100) or clean_line(tag.get("label"), 100)
        if name and name not in found:
            found.append(name)
            if len(found) == MAX_CATEGORIES:
                break
    return tuple(found)


def _author(raw: RawEntry) -> str:
    detail = raw.get("author_detail") or {}
    return clean_line(detail.get("name"), 200) or clean_line(raw.get("author"), 200)


def _whole_line(value: Any) -> str:
    """A GUID as one clean line, whole however long (`_key` bounds it)."""
    return clean_line(value, limit=1 << 62) if isinstance(value, str) else ""


def _key(key: str) -> str:
    """An entry's identity, bounded: one longer than MAX_KEY_LENGTH becomes `sha1:` + hex.

    Controls (NUL included) were stripped by `clean_line`, so `a<NUL>b` is the key `ab`.
    """
    if len(key) <= MAX_KEY_LENGTH:
        return key
    return "sha1:" + hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()


def _content(raw: RawEntry, summary: str | None, base: str) -> str:
    """The entry's full HTML content, or "" when it has none (or only repeats the summary)."""
    items = [item for item in raw.get("content") or [] if item.get("value")]
    html_item = next((i for i in items if (i.get("type") or "") in HTML_TYPES), None)
    text_item = next(
        (i for i in items if (i.get("type") or "text/plain").startswith("text/")), None
    )
    item = html_item or text_item
    if item is None:
        return ""
    value = (item.get("value") or "").strip()
    if item is html_item:
        value = resolve_urls(tame_html(strip_html_controls(value)), base).strip()
    else:
        value = strip_controls(value).strip()
    if not value or (summary is not None and value == summary):
        return ""
    if item is html_item:
        return value
    return plain_to_html(value)


def plain_to_html(text: str) -> str:
    """Plain-text content as HTML paragraphs, escaped so none of it is taken as markup."""
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip()]
    return "\n".join(
        "<p>" + html.escape(p, quote=False).replace("\n", "<br>\n") + "</p>" for p in paragraphs
    )


def _link(raw: RawEntry, base: str) -> str:
    """The entry's own page: the first usable `text/html` alternate link, else the first
    usable alternate, else `link` (a PDF listed first is not the page)."""
    alternates: list[tuple[str, str]] = []
    for item in raw.get("links") or []:
        if (item.get("rel") or "alternate") == "alternate":
            href = absolute(item.get("href"), base)
            if href:
                alternates.append((href, (item.get("type") or "text/html").lower()))
    for href, kind in alternates:
        if kind in HTML_TYPES:
            return href
    if alternates:
        return alternates[0][0]
    return absolute(raw.get("link"), base) or ""


def _related(raw: RawEntry, base: str) -> tuple[Link, ...]:
    """Atom rel="related" links, in order, without repeats, http(s) only."""
    related: list[Link] = []
    seen: set[str] = set()
    for item in raw.get("links") or []:
        if item.get("rel") != "related":
            continue
        href = absolute(item.get("href"), base)
        if not href or href in seen:
            continue
        seen.add(href)
        related.append(Link(url=href, title=clean_line(item.get("title")) or href, kind="related"))
    return tuple(related)


# --- URLs --------------------------------------------------------------------------------

absolute = media.absolute_url

_URL_NAMES = r"(?:href|src|cite|poster|longdesc|background|usemap|action|codebase|data|profile)"
_NOT_ABSOLUTE = r"(?!\s*(?:[A-Za-z][A-Za-z0-9+.-]*:|//))"
_RELATIVE_IN_TAG = re.compile(
    r"(<[A-Za-z][^<>]*?\s" + _URL_NAMES + r"\s*=\s*)"
    r'(?:"' + _NOT_ABSOLUTE + r'([^"]*)"'
    r"|'" + _NOT_ABSOLUTE + r"([^']*)'"
    r"|" + _NOT_ABSOLUTE + r"""(?!["'])([^\s"'>]+))""",
    re.IGNORECASE,
)
"""A tag up to a link attribute (href, src...) whose value is relative: any scheme, or
`//host`, makes a URL absolute. Only inside a tag, never in text."""

_URL_NAME_BEFORE = "|".join(
    f"(?<={name}=)" for name in _URL_NAMES.removeprefix("(?:").removesuffix(")").split("|")
)
_MAYBE_RELATIVE = re.compile(
    r"=(?:" + _URL_NAME_BEFORE + r"|(?<=\s=))"
    r"\s*(?:\"" + _NOT_ABSOLUTE + r"|'" + _NOT_ABSOLUTE + r"|(?![\"'\s])" + _NOT_ABSOLUTE + r")",
    re.IGNORECASE,
)
"""An `=` right after a link attribute's name (or after whitespace), followed by a value
that is not an absolute URL, anywhere: wherever `_RELATIVE_IN_TAG` matches, this does too.
A body whose links are all absolute (most are) is let go after a scan for `=`, a third of
the cost of looking at every tag."""


def resolve_urls(fragment: str, base: str) -> str:
    """HTML with the relative URLs in its tags' link attributes made absolute against the
    feed's address.

    A feed's HTML is relative to the feed document, not to the entry's page, so this is the
    only point that still knows the right base. Absolute URLs (any scheme) are left alone;
    the renderer decides which of them it follows. One pass resolves a tag's first relative
    URL; a tag with two (img src and longdesc) takes another pass.
    """
    if not is_http_url(base) or _MAYBE_RELATIVE.search(fragment) is None:
        return fragment

    def absolute_match(match: re.Match[str]) -> str:
        inner = next(group for group in match.groups()[1:] if group is not None)
        if not inner.strip():
            return match.group(0)
        try:
            joined = urljoin(base, html.unescape(inner.strip()))
        except ValueError:
            return match.group(0)
        return match.group(1) + '"' + html.escape(joined, quote=True) + '"'

    for _ in range(4):
        resolved = _RELATIVE_IN_TAG.sub(absolute_match, fragment)
        if resolved == fragment:
            break
        fragment = resolved
    return fragment


# --- titles and text ---------------------------------------------------------------------


def looks_like_html(text: str) -> bool:
    """feedparser's guess whether a title is HTML (a close tag or an entity, and only
    known HTML tags and entities); the common title has neither and never imports it."""
    if _HTML_HINT.search(text) is None:
        return False
    from feedparser.mixin import _FeedParserMixin

    return bool(_FeedParserMixin.looks_like_html(text))


def title_text(node: Mapping[str, Any]) -> str:
    """A title as one clean line; an HTML-typed title (Atom type="html") loses its tags."""
    title = node.get("title") or ""
    if not isinstance(title, str):
        return ""
    detail = node.get("title_detail") or {}
    if (detail.get("type") or "") in HTML_TYPES:
        title = html_text(title)
    return clean_line(title)


def _title_from(text: str) -> str:
    """A stand-in title for an untitled entry: the start of its summary, as plain text."""
    return clean_line(html_text(text[:_TITLE_SOURCE_CHARS]), limit=_TITLE_FROM_SUMMARY)


def _utc(value: time.struct_time | datetime | None, now: datetime) -> datetime | None:
    """A UTC struct_time (feedparser's) or aware datetime as an aware UTC datetime; None for
    missing or absurd dates (before EARLIEST_DATE, or more than MAX_FUTURE after `now`)."""
    if not value:
        return None
    if isinstance(value, datetime):
        moment = value.astimezone(UTC)
    else:
        try:
            moment = datetime(*value[:6], tzinfo=UTC)
        except (TypeError, ValueError, OverflowError):
            return None
    if moment < EARLIEST_DATE or moment > now + MAX_FUTURE:
        return None
    return moment


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


def html_text(fragment: str) -> str:
    """The visible text of an HTML fragment (tags dropped, entities decoded).

    Tamed first, so html.parser stays linear on hostile markup. The caller strips controls
    from the result: entities are decoded here, so `&amp;#27;` only becomes ESC now.
    """
    if "<" not in fragment and "&" not in fragment:
        return fragment
    parser = _TextExtractor()
    parser.feed(tame_html(fragment))
    parser.close()
    return "".join(parser.parts)
