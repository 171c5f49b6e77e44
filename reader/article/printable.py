"""An article as plain text or as one JSON object: what `newsreader read` prints."""

from __future__ import annotations

from typing import Any

from reader.article.render import html_to_text, render_article
from reader.models import Article
from reader.text import clean_line, strip_controls


def article_json(article: Article) -> dict[str, Any]:
    """The documented JSON shape: url, title, deck, byline, published, headings, related,
    links, text (absolute URLs; headings and related links in page order)."""
    rendered = render_article(article)
    return {
        "url": article.url,
        "title": article.title,
        "deck": article.deck,
        "byline": article.byline,
        "published": article.published.isoformat() if article.published else None,
        "headings": [{"level": h.level, "text": h.text} for h in rendered.headings],
        "related": [
            {"title": link.title, "url": link.url, "teaser": link.text} for link in article.related
        ],
        "links": [{"text": link.title, "url": link.url} for link in rendered.body_links],
        "text": strip_controls(html_to_text(article.body_html, article.url)).strip(),
    }


def article_text(article: Article) -> str:
    """Title, deck, byline and date, outline, body, related links: for reading in a pager."""
    data = article_json(article)
    lines: list[str] = [clean_line(article.title) or "(untitled)"]
    if article.deck:
        lines.append(clean_line(article.deck))
    meta = [clean_line(article.byline), data["published"] or ""]
    if any(meta):
        lines.append(" · ".join(m for m in meta if m))
    lines.append(clean_line(article.url))
    if data["headings"]:
        lines += ["", "Outline"]
        lines += ["  " * (h["level"] - 1) + "- " + clean_line(h["text"]) for h in data["headings"]]
    lines += ["", data["text"]]
    if data["related"]:
        lines += ["", "Related"]
        for n, link in enumerate(data["related"], 1):
            lines.append(f"{n}. {clean_line(link['title'])} <{clean_line(link['url'])}>")
            if link["teaser"]:
                lines.append(f"   {clean_line(link['teaser'])}")
    return "\n".join(lines).rstrip() + "\n"
