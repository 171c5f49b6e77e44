"""The values that flow fetch -> parse -> store -> UI.

Frozen dataclasses, so a value handed to a thread or a widget can never be changed under
it. Times are timezone-aware UTC datetimes (or None when a feed gave none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Link:
    """A link an article points to: a related article, or a link in its body."""

    url: str
    """Absolute target."""
    title: str
    """The link's own words (or the related article's title)."""
    text: str = ""
    """A teaser (for a related article) or the words around the link (for a body link)."""
    kind: str = "related"
    """`related` (the article's related-articles block or Atom rel="related") or `body`."""


@dataclass(frozen=True, slots=True)
class Heading:
    """One section heading of an article body, in document order."""

    level: int
    """1-6, from h1-h6."""
    text: str


@dataclass(frozen=True, slots=True)
class Enclosure:
    """A file an entry carries: podcast audio or video, an attached image or document."""

    url: str
    """Absolute http(s) URL of the file."""
    type: str = ""
    """MIME type as the feed gave it, lower-cased ("audio/mpeg"), or ""."""
    length: int | None = None
    """Size in bytes as the feed gave it (often wrong or 0: shown, never trusted)."""
    duration: int | None = None
    """Playing time in seconds (itunes:duration, media:content duration), or None."""
    title: str = ""
    """The file's own title where the feed names it (media:title), else ""."""


@dataclass(frozen=True, slots=True)
class Feed:
    """A subscription (or the bundled sample) as the store holds it."""

    id: int
    url: str
    title: str
    """The title to show: the user's title if set, else the feed's own, else the URL."""
    site_url: str = ""
    etag: str | None = None
    last_modified: str | None = None
    last_status: int | None = None
    """HTTP status of the last fetch (304 included), None before the first fetch."""
    last_error: str | None = None
    """Why the last refresh failed, in words a user can act on; None when it worked."""
    last_fetched: datetime | None = None
    is_sample: bool = False
    unread: int = 0
    total: int = 0
    full_article: str = "auto"
    """When to fetch an entry's page for the full article: `auto`, `always` or `never`."""
    folder: str = ""
    """Folder path, levels separated by "/" ("" for the top level)."""
    paused: bool = False
    """A paused feed is kept but not refreshed."""
    refresh_minutes: int | None = None
    """The feed's own refresh interval; None uses the global setting."""
    dead: bool = False
    """The server said 410 Gone: kept for its entries, never fetched again."""
    user_title: str = ""
    """The title the user gave (shown instead of the feed's own), or ""."""
    not_before: datetime | None = None
    """Not to be fetched before this (Retry-After, max-age, ttl, back-off after failures)."""
    wait_reason: str = ""
    """Why it waits until not_before, in words ("the server asked to wait 3 h")."""
    failures: int = 0
    """Failed fetches in a row (0 after a success)."""
    last_success: datetime | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a feed.

    `key` is the entry's identity within its feed: the guid/id, else the link, else a hash
    of title and content. `id` and `feed_id` are None until the store has the entry.
    """

    key: str
    title: str
    link: str = ""
    author: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    summary: str = ""
    """Plain text (or HTML) summary as the feed gave it (controls stripped, URLs absolute;
    not sanitised: it is only ever read as data)."""
    content: str = ""
    """Full HTML content when the feed carries it (as `summary`: untrusted HTML), else ""."""
    related: tuple[Link, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()
    """Files the entry carries (RSS <enclosure>, Atom rel="enclosure", JSON Feed attachments,
    media:content), in document order, duplicates by URL removed."""
    image: str = ""
    """The entry's lead image URL (media:content/media:thumbnail of an image, itunes:image,
    an image enclosure), or ""."""
    categories: tuple[str, ...] = ()
    """The entry's categories or tags (RSS <category>, Atom category, JSON Feed tags), each
    one clean line, for rules' `category` key."""
    id: int | None = None
    feed_id: int | None = None
    read: bool = False
    starred: bool = False
    first_seen: datetime | None = None
    feed_title: str = ""
    also_in: tuple[str, ...] = ()
    """Other feeds carrying the same story (set by lists that show each story once)."""
    story_updated: datetime | None = None
    """When the feed (or reader mode) last brought new text for the entry after it was read
    (its earlier text is kept as a version); None if never."""

    @property
    def date(self) -> datetime | None:
        """The date to sort and show by: published, else updated, else first seen."""
        return self.published or self.updated or self.first_seen


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What parsing one feed document yields, before it is stored."""

    title: str
    site_url: str = ""
    entries: tuple[Entry, ...] = ()
    warning: str | None = None
    """A survivable problem (e.g. a wrong declared encoding) worth showing."""
    ttl_minutes: int | None = None
    """RSS <ttl>: how long the feed may be cached before it is fetched again."""
    derived: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    """Per entry, (canonical link, search-index text): computed where the parse ran (a worker
    process on a big refresh) so the store's single writer only writes. Empty: the store
    computes them."""


@dataclass(frozen=True, slots=True)
class Article:
    """An article ready to read: from a feed entry's content, or extracted from its page."""

    url: str
    title: str
    deck: str = ""
    """The subtitle / standfirst under the title."""
    byline: str = ""
    published: datetime | None = None
    body_html: str = ""
    """The article body as clean HTML (no scripts, styles, forms, ads or site chrome)."""
    related: tuple[Link, ...] = ()
    source: str = "feed"
    """`feed` (the entry's own content or summary) or `page` (extracted from its page)."""
    site_name: str = ""
    image: str = ""
    """The article's lead image URL (og:image / twitter:image of the page, or the entry's
    image), or ""."""


@dataclass(frozen=True, slots=True)
class CachedPage:
    """An extracted article kept in the store, with the validators of the page it came from."""

    article: Article
    etag: str | None = None
    last_modified: str | None = None
    fetched: datetime | None = None


@dataclass(frozen=True, slots=True)
class RenderedArticle:
    """An article turned into what the article pane shows."""

    markdown: str
    """The body as Markdown, every piece of remote text escaped so it is shown literally."""
    headings: tuple[Heading, ...] = ()
    body_links: tuple[Link, ...] = ()
    """Links in the body, in order, with the words around each (kind="body")."""
    images: tuple[ArticleImage, ...] = ()
    """The pictures drawn in the body, in order: each is one `![alt](<url>)` paragraph of
    `markdown` (the lead image first when the body has none of its own)."""


@dataclass(frozen=True, slots=True)
class ArticleImage:
    """A picture in an article, as its HTML describes it."""

    url: str
    alt: str = ""
    caption: str = ""
    """The figure's caption and credit (its `<figcaption>`), plain text."""
    width: int = 0
    """The size the page declares (`width`/`height` attributes) in CSS pixels; 0: unknown."""
    height: int = 0


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result: the entry, a snippet around the match, and its bm25 rank."""

    entry: Entry
    snippet: str
    rank: float
