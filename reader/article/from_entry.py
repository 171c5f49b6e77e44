"""What the reader shows for a feed entry before (or instead of) fetching its page."""

from __future__ import annotations

import html
import re

from reader.article.render import find_trailing_related, html_to_text
from reader.models import Article, Entry, Link
from reader.text import clean_line, strip_controls

DECK_LIMIT = 400
"""A longer summary is an excerpt, not a deck."""

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--|&(?:#\d+|#x[0-9a-fA-F]+|\w+);")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_WORDS = re.compile(r"\w+")
_ELLIPSIS = re.compile(r"(?:\.\.\.|…|\[(?:\.\.\.|…)\])\s*$")


def looks_like_html(text: str) -> bool:
    """True when a summary holds tags or entities (feeds mix plain text and HTML)."""
    return bool(_TAG.search(text))


def text_to_html(text: str) -> str:
    """Plain text as escaped `<p>` paragraphs (blank lines separate paragraphs)."""
    paragraphs = (p.strip() for p in _PARAGRAPH_BREAK.split(strip_controls(text)))
    return "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)


def _plain(text: str) -> str:
    return html_to_text(text) if looks_like_html(text) else strip_controls(text)


def _is_opening(summary: str, body: str) -> bool:
    """True when the summary is just the first words of the body (maybe cut with `…`)."""
    words = _WORDS.findall(summary.casefold())
    if _ELLIPSIS.search(summary) and len(words) > 1:
        words = words[:-1]  # the last word may have been cut mid-way ("appoint…")
    return _WORDS.findall(body.casefold())[: len(words)] == words


def _deck(summary: str, body_html: str) -> str:
    text = clean_line(_plain(summary), 10_000)
    if not text or len(text) > DECK_LIMIT:
        return ""
    return "" if _is_opening(text, html_to_text(body_html)) else text


def article_from_entry(entry: Entry, *, feed_title: str = "") -> Article:
    """The entry's own content (or summary) as an article, shown before any page fetch.

    A related-articles block ending the body moves into `related` (after the feed's own
    rel="related" links), so it shows in the related pane rather than as body text.
    """
    if entry.content.strip():
        body = entry.content
        deck = _deck(entry.summary, body)
    else:
        summary = entry.summary
        body = summary if looks_like_html(summary) else text_to_html(summary)
        deck = ""
    body, found = find_trailing_related(body, entry.link)
    related: dict[str, Link] = {}
    for link in (*entry.related, *found):
        related.setdefault(link.url, link)
    return Article(
        url=entry.link,
        title=entry.title,
        deck=deck,
        byline=entry.author,
        published=entry.published or entry.updated,
        body_html=body,
        related=tuple(related.values()),
        source="feed",
        site_name=feed_title or entry.feed_title,
        image=entry.image,
    )
