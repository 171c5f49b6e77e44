"""Feed autodiscovery: from any URL a user pastes to the feed (or feeds) behind it.

People paste a site's homepage far more often than its feed URL. A page names its feeds
with `<link rel="alternate" type="application/rss+xml">` (and Atom, JSON Feed); failing
that, feed-looking `<a href>` links and the usual feed addresses (`/feed`, `/rss.xml`...) are
tried, each fetched and parsed, so only something that really is a feed is offered.

The page is scanned with the stdlib HTML parser rather than `reader.article.html`, whose tree
leaves out `<head>`, `<link>`, `<base>` and navigation: exactly where feed links live.
"""

from __future__ import annotations

import asyncio
import codecs
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from reader.article.html import resolve_url
from reader.feeds.fetch import Fetcher, FetchResult
from reader.feeds.jsonfeed import looks_like_json_feed, parse_json_feed
from reader.feeds.parse import NotAFeedError, parse_feed
from reader.text import clean_line, is_http_url

COMMON_PATHS = (
    "/feed",
    "/rss",
    "/feed.xml",
    "/rss.xml",
    "/atom.xml",
    "/index.xml",
    "/feed.json",
    "/feeds/posts/default",
)
"""Where feeds usually are (WordPress, Jekyll, Hugo, Blogger...), tried in this order."""

MAX_ANCHOR_CANDIDATES = 4
"""Feed-looking `<a>` links fetched before the common paths: a bound on requests per page."""

NO_FEED = "no feed found on this page"

_FEED_NAMES = frozenset(
    {
        "feed",
        "rss",
        "atom",
        "feed.xml",
        "rss.xml",
        "atom.xml",
        "index.xml",
        "feed.json",
        "index.rss",
        "feed.rss",
        "feed.atom",
        "rss2",
    }
)
_TITLE_LIMIT = 200
_MAX_ANCHOR_PARTS = 64
_SNIFF = 64 * 1024
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.I)
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:rdf)[\s>]", re.I)


@dataclass(frozen=True, slots=True)
class DiscoveredFeed:
    """A feed a page offers (or the page itself, when it is a feed)."""

    url: str
    """Absolute http(s) URL, without a fragment."""
    title: str
    """The title the page gives the link (or the feed's own title); "" when none."""
    kind: str
    """`rss`, `atom`, `json` or `unknown`."""


@dataclass(frozen=True, slots=True)
class DiscoveryResult:
    """The feeds found at a URL, in the page's order, or why there are none."""

    feeds: tuple[DiscoveredFeed, ...]
    error: str | None = None
    """In words a user can act on: the fetch error, or that no feed was found."""


# --- scanning a page ---------------------------------------------------------------------


def find_feed_links(html: str | bytes, page_url: str) -> list[DiscoveredFeed]:
    """The feeds a page names: `<link rel="alternate">` feeds in page order, then
    feed-looking `<a href>` links (lower priority: they are guesses), without repeats.

    Relative URLs resolve against the page's `<base href>` (itself resolved against
    `page_url`); anything that is not http(s) is dropped.
    """
    links, anchors = _scan(html, page_url)
    return _unique([*links, *anchors])


def _scan(html: str | bytes, page_url: str) -> tuple[list[DiscoveredFeed], list[DiscoveredFeed]]:
    """The page's `<link>` feeds and its feed-looking `<a>` links, each list in page order."""
    text = _decode(html, None) if isinstance(html, bytes) else html
    scanner = _LinkScanner()
    try:
        scanner.feed(text)
        scanner.close()
    except (AssertionError, ValueError):  # html.parser is tolerant; stay safe regardless
        pass
    base = page_url
    if scanner.base_href is not None:
        resolved = _http_url(scanner.base_href, page_url)
        if resolved:
            base = resolved
    links: list[DiscoveredFeed] = []
    for href, title, kind in scanner.links:
        url = _http_url(href, base)
        if url:
            links.append(DiscoveredFeed(url, title, kind))
    anchors: list[DiscoveredFeed] = []
    page = _http_url(page_url, page_url)
    for href, title in scanner.anchors:
        url = _http_url(href, base)
        if url and url != page and _looks_like_feed_path(url):
            anchors.append(DiscoveredFeed(url, title, _kind_from_path(url)))
    return links, anchors


class _LinkScanner(HTMLParser):
    """Collects `<base href>`, feed `<link>`s and `<a href>`s (raw, unresolved)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base_href: str | None = None
        self.links: list[tuple[str, str, str]] = []
        self.anchors: list[tuple[str, str]] = []
        self._anchor: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values: dict[str, str] = {}
        for name, value in attrs:
            values.setdefault(name, value or "")
        if tag == "base" and self.base_href is None and values.get("href", "").strip():
            self.base_href = values["href"]  # only the first <base href> counts
        elif tag == "link":
            self._link(values)
        elif tag == "a":
            self._end_anchor()
            href = values.get("href", "")
            if href.strip():
                self._anchor = (href, [values.get("title", "")])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "a":
            self._end_anchor()

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._end_anchor()

    def handle_data(self, data: str) -> None:
        if self._anchor is not None and len(self._anchor[1]) < _MAX_ANCHOR_PARTS:
            self._anchor[1].append(data)

    def close(self) -> None:
        super().close()
        self._end_anchor()

    def _link(self, values: dict[str, str]) -> None:
        rels = values.get("rel", "").lower().split()
        if "alternate" not in rels and "feed" not in rels:
            return
        media_type = values.get("type", "")
        kind = _kind_from_type(media_type)
        if kind is None and "feed" in rels and not media_type.strip():
            kind = "unknown"  # HTML5's rel="feed" needs no type
        href = values.get("href", "")
        if kind is None or not href.strip() or _is_api_link(href):
            return
        self.links.append((href, clean_line(values.get("title"), _TITLE_LIMIT), kind))

    def _end_anchor(self) -> None:
        if self._anchor is not None:
            href, parts = self._anchor
            title_attr, words = parts[0], "".join(parts[1:])
            title = clean_line(words, _TITLE_LIMIT) or clean_line(title_attr, _TITLE_LIMIT)
            self.anchors.append((href, title))
            self._anchor = None


def _kind_from_type(value: str) -> str | None:
    """`rss`/`atom`/`json`/`unknown` for a feed media type; None for anything else.

    WordPress marks its oEmbed and REST API documents rel="alternate" too
    (`application/json+oembed`, `text/xml+oembed`, `application/json`): oEmbed is refused
    here, the REST API by its path in `_is_api_link`.
    """
    media = value.split(";", 1)[0].strip().lower()
    major, _, subtype = media.partition("/")
    if major not in ("application", "text") or "oembed" in subtype:
        return None
    if "atom" in subtype:
        return "atom"
    if "rss" in subtype or subtype == "rdf+xml":
        return "rss"
    if subtype in ("feed+json", "json"):
        return "json"
    if subtype == "xml":
        return "unknown"
    return None


def _is_api_link(href: str) -> bool:
    """WordPress's REST API and oEmbed endpoints, which pages mark as alternates."""
    lowered = href.lower()
    return "/wp-json/" in lowered or "oembed" in lowered


def _looks_like_feed_path(url: str) -> bool:
    path = urlsplit(url).path.lower().rstrip("/")
    return path.rsplit("/", 1)[-1] in _FEED_NAMES or path.endswith("/feeds/posts/default")


def _kind_from_path(url: str) -> str:
    name = urlsplit(url).path.lower().rstrip("/").rsplit("/", 1)[-1]
    if name.endswith(".json"):
        return "json"
    if "atom" in name:
        return "atom"
    if "rss" in name:
        return "rss"
    return "unknown"


def _http_url(href: str, base: str) -> str | None:
    """An absolute http(s) URL without its fragment, or None for anything else."""
    url = resolve_url(clean_line(href, 4000), base)
    if not is_http_url(url):
        return None
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises for a port that is not a number
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return urldefrag(url).url


def _unique(feeds: list[DiscoveredFeed]) -> list[DiscoveredFeed]:
    """The first of each URL, in order."""
    seen: set[str] = set()
    unique: list[DiscoveredFeed] = []
    for feed in feeds:
        if feed.url not in seen:
            seen.add(feed.url)
            unique.append(feed)
    return unique


def _decode(body: bytes, content_type: str | None) -> str:
    """A page's text: BOM, then the header's charset, then `<meta charset>`, then UTF-8."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if body.startswith(bom):
            return body.decode(name, errors="replace").lstrip("\ufeff")
    candidates: list[str] = []
    header = _HEADER_CHARSET.search(content_type or "")
    if header:
        candidates.append(header.group(1))
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii"))
    for name in candidates:
        try:
            return body.decode(name, errors="replace")
        except LookupError:
            continue
    return body.decode("utf-8", errors="replace")


# --- discovering -------------------------------------------------------------------------


async def discover(url: str, fetcher: Fetcher) -> DiscoveryResult:
    """The feeds at `url`: the URL itself when it is a feed, else the feeds its page names,
    else the first common feed address on the same site that really is a feed.

    Never raises for network or content problems: they come back as `error`.
    """
    url = clean_line(url, 4000)
    result = await fetcher.fetch(url)
    if not result.ok or result.body is None:
        return DiscoveryResult((), _fetch_error(result))
    feed, reason = await _as_feed(result, url)
    if feed is not None:
        return DiscoveryResult((feed,))

    body = result.body
    base = result.final_url if is_http_url(result.final_url) else url
    links, anchors = _scan(_decode(body, result.headers.get("content-type")), base)
    if links:
        # A page's <link> feeds are its own word: its feed-looking <a>s are only guesses.
        return DiscoveryResult(tuple(_unique(links)))

    tried = {u for u in (_http_url(url, url), _http_url(result.final_url, url)) if u}
    for candidate in _fallbacks(anchors, base):
        if candidate in tried:
            continue
        tried.add(candidate)
        attempt = await fetcher.fetch(candidate)
        if not attempt.ok:
            continue
        found, _ = await _as_feed(attempt, candidate)
        if found is not None:
            return DiscoveryResult((found,))
    return DiscoveryResult((), reason or NO_FEED)


def _fallbacks(anchors: list[DiscoveredFeed], base: str) -> list[str]:
    """Feed-looking links on the page, then the common paths at the site's root."""
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}"
    urls = [a.url for a in anchors[:MAX_ANCHOR_CANDIDATES]]
    urls.extend(origin + path for path in COMMON_PATHS)
    return list(dict.fromkeys(urls))


async def _as_feed(result: FetchResult, url: str) -> tuple[DiscoveredFeed | None, str | None]:
    """The fetched document as a feed (titled by itself), or None and why it is not one.

    An HTML page is not parsed as a feed at all (the reason is then None: a page with no
    feed links gets the plain "no feed found" message).
    """
    body = result.body or b""
    headers = result.headers
    base = result.final_url if is_http_url(result.final_url) else url
    try:
        if looks_like_json_feed(body):
            parsed = await asyncio.to_thread(parse_json_feed, body, url=base)
            kind = "json"
        elif _looks_like_html(body):
            return None, None
        else:
            parsed = await asyncio.to_thread(parse_feed, body, url=base, headers=headers)
            kind = _xml_kind(body)
    except NotAFeedError as exc:
        return None, str(exc)
    return DiscoveredFeed(url=_http_url(url, url) or url, title=parsed.title, kind=kind), None


def _looks_like_html(body: bytes) -> bool:
    """An HTML page (not worth a feed parse): an HTML start, and no feed root element."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return True
    markers = (b"<html", b"<head", b"<body", b"<!doctype html")
    return any(m in head for m in markers) and _FEED_ROOT.search(body[:_SNIFF]) is None


def _xml_kind(body: bytes) -> str:
    """`atom` or `rss` from the document's root element."""
    match = _FEED_ROOT.search(body[:_SNIFF])
    if match is None:
        return "unknown"
    return "atom" if match.group(1).lower() == b"feed" else "rss"


def _fetch_error(result: FetchResult) -> str:
    """The fetch's own error sentence (the 404 or the DNS failure), never empty."""
    if result.error:
        return result.error
    if result.status == 304:  # not asked for conditionally, so a server misbehaving
        return "the server answered 304 Not Modified to a plain request"
    return f"HTTP {result.status}" if result.status else "the fetch failed"
