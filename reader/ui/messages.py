"""App-wide messages: results of the screen's workers, posted back to the event loop."""

from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it.token import Token
from textual.message import Message

from reader.history import Place
from reader.listing import Listing
from reader.models import Article, Entry, Feed, RenderedArticle, SearchHit
from reader.service import RefreshResult
from reader.ui.widgets.feed_list import FeedCounts
from reader.ui.widgets.related_links import LinkOptions


@dataclass
class FeedsLoaded(Message):
    """The feed list (with unread counts) as the store has it now."""

    feeds: list[Feed]
    counts: FeedCounts
    reload_entries: bool = False
    """Also list the highlighted row's entries again (after a refresh or a bulk change)."""


@dataclass
class EntriesLoaded(Message):
    """The entries of one row of the feeds pane (a feed, a folder, a virtual list)."""

    listing: Listing
    title: str
    select_entry_id: int | None = None


@dataclass
class ArticleReady(Message):
    """An article (an entry's own content, or a page in reader mode) ready to show."""

    place: Place
    article: Article
    rendered: RenderedArticle
    entry: Entry | None = None
    fetch_page: bool = False
    """Show this now, then fetch the entry's page for the full article."""
    from_cache: bool = False
    known_links: dict[str, bool] = field(default_factory=dict)
    """Links of the article that are entries in the store: url -> read."""
    tokens: list[Token] | None = None
    """`rendered.markdown` parsed in the worker (None: the article pane parses it)."""
    mark_read: bool = False
    """Mark the entry read once the article is on screen."""
    link_options: LinkOptions | None = None
    """The related-links pane's rows, built in the worker."""
    story_id: int | None = None
    """The stored entry a page reached by a link is (same story): marked read once shown."""
    updated: tuple[Entry, ...] = ()
    """Entries already read whose page text this page changed: marked updated (their
    earlier page is kept as a version)."""


@dataclass
class PageFailed(Message):
    """A page could not be read in reader mode; `error` says why."""

    place: Place
    error: str


@dataclass
class EntryChanged(Message):
    """An entry's read/starred state changed in the store."""

    entry: Entry


@dataclass
class RefreshProgress(Message):
    """One more feed finished refreshing."""

    result: RefreshResult
    done: int
    total: int


@dataclass
class RefreshFinished(Message):
    """A refresh run ended."""

    results: list[RefreshResult]


@dataclass
class SearchResults(Message):
    """Ranked search hits for the text typed in the search box."""

    text: str
    hits: list[SearchHit]
