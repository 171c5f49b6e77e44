"""App-wide messages: results of the screen's workers, posted back to the event loop."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from reader.models import Article, Entry, Feed, RenderedArticle
from reader.service import RefreshResult


@dataclass
class FeedsLoaded(Message):
    """The feed list (with unread counts) as the store has it now."""

    feeds: list[Feed]


@dataclass
class EntriesLoaded(Message):
    """The entries of one feed, newest first."""

    feed_id: int
    entries: list[Entry]
    select_entry_id: int | None = None


@dataclass
class ArticleReady(Message):
    """An entry's article, rendered for the article pane."""

    entry: Entry
    article: Article
    rendered: RenderedArticle


@dataclass
class EntryChanged(Message):
    """An entry's read/starred state changed in the store."""

    entry: Entry


@dataclass
class RefreshProgress(Message, bubble=False):
    """One more feed finished refreshing."""

    result: RefreshResult
    done: int
    total: int


@dataclass
class RefreshFinished(Message):
    """A refresh run ended."""

    results: list[RefreshResult]
