"""An article as plain text or as one JSON object: what `newsreader read` prints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reader.article.render import html_to_print, html_to_text, render_article
from reader.models import Article
from reader.text import clean_line, strip_controls


def article_json(article: Article) -> dict[str, Any]:
    """The documented JSON shape: url, title, deck, byline, published, headings, related,
    links, images, text (absolute URLs; headings, links and images in page order). Each
    image is {url, alt, caption, width, height}: the size the page declares, or null."""
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
        "images": [
            {
                "url": image.url,
                "alt": image.alt,
                "caption": image.caption,
                "width": image.width or None,
                "height": image.height or None,
            }
            for image in rendered.images
        ],
        "text": strip_controls(html_to_text(article.body_html, article.url)).strip(),
    }


def article_text(article: Article, date_format: str = "%Y-%m-%d") -> str:
    """Title, deck, byline and date, outline, body, related links and the references the
    body's `[n]` marks point to: for reading in a pager. The date is local time in the
    TUI's `date_format` (with the time of day unless the format has one)."""
    lines: list[str] = [clean_line(article.title) or "(untitled)"]
    if article.deck:
        lines.append(clean_line(article.deck))
    meta = [clean_line(article.byline), _date(article.published, date_format)]
    if any(meta):
        lines.append(" · ".join(m for m in meta if m))
    lines.append(clean_line(article.url))
    headings = render_article(article).headings
    if headings:
        lines += ["", "Outline"]
        lines += ["  " * (h.level - 1) + "- " + clean_line(h.text) for h in headings]
    body, references = html_to_print(article.body_html, article.url)
    lines += ["", strip_controls(body).strip()]
    if article.related:
        lines += ["", "Related"]
        for n, link in enumerate(article.related):
            if n:
                lines.append("")
            lines.append(f"- {clean_line(link.title)}")
            lines.append(f"  {clean_line(link.url)}")
            if link.text:
                lines.append(f"  {clean_line(link.text)}")
    if references:
        lines += ["", "References"]
        width = len(str(len(references)))
        lines += [f"{n:>{width + 2}}. {clean_line(url)}" for n, url in enumerate(references, 1)]
    return "\n".join(lines).rstrip() + "\n"


def _date(when: datetime | None, date_format: str) -> str:
    if when is None:
        return ""
    local = when.astimezone()
    text = local.strftime(date_format)
    if not any(code in date_format for code in ("%H", "%I", "%c", "%X", "%R", "%T")):
        text += local.strftime(" %H:%M")
    return text
