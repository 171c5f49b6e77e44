"""A feed entry as an article: body, deck and related links before any page fetch."""

from __future__ import annotations

from datetime import UTC, datetime

from reader.article.from_entry import article_from_entry, looks_like_html, text_to_html
from reader.article.render import render_article
from reader.models import Entry, Heading, Link

URL = "https://news.example/2025/story.html"
PUBLISHED = datetime(2025, 11, 21, 14, 5, tzinfo=UTC)
UPDATED = datetime(2025, 11, 22, 9, 0, tzinfo=UTC)
BODY = (
    "<h2>The Safe Space</h2><p>A quiet directive has been issued to workers: share the "
    "date and time of appointments.</p><p>Second paragraph.</p>"
)


def entry(**changes: object) -> Entry:
    values: dict[str, object] = {
        "key": "tag:news.example,2025:story",
        "title": "When Social Security Becomes Immigration Enforcement",
        "link": URL,
        "author": "Signal Desk Staff",
        "published": PUBLISHED,
        "updated": UPDATED,
        "summary": "SSA workers told to share appointment details with ICE agents.",
        "content": BODY,
        "feed_title": "Signal Desk",
    }
    values.update(changes)
    return Entry(**values)  # type: ignore[arg-type]


def test_fields_come_from_the_entry() -> None:
    article = article_from_entry(entry())
    assert article.url == URL
    assert article.title == "When Social Security Becomes Immigration Enforcement"
    assert article.byline == "Signal Desk Staff"
    assert article.published == PUBLISHED
    assert article.source == "feed"
    assert article.site_name == "Signal Desk"
    assert article.body_html == BODY
    assert article.related == ()


def test_updated_and_feed_title_fallbacks() -> None:
    article = article_from_entry(entry(published=None), feed_title="My name for it")
    assert article.published == UPDATED
    assert article.site_name == "My name for it"
    assert article_from_entry(entry(published=None, updated=None)).published is None


def test_short_distinct_summary_becomes_the_deck() -> None:
    article = article_from_entry(entry())
    assert article.deck == "SSA workers told to share appointment details with ICE agents."


def test_html_summary_deck_is_plain_text() -> None:
    article = article_from_entry(entry(summary="<p>SSA <b>workers</b> &amp; ICE agents.</p>"))
    assert article.deck == "SSA workers & ICE agents."


def test_long_summary_is_not_a_deck() -> None:
    assert article_from_entry(entry(summary="word " * 100)).deck == ""
    assert article_from_entry(entry(summary="x" * 400)).deck == "x" * 400
    assert article_from_entry(entry(summary="x" * 401)).deck == ""


def test_summary_that_opens_the_body_is_not_a_deck() -> None:
    for summary in (
        "The Safe Space. A quiet directive has been issued to workers",
        "The safe space — a QUIET directive has been issued to workers: share the…",
        "<p>The Safe Space</p><p>A quiet directive has been issued to wor...</p>",
        "The Safe Space A quiet directive has been issued to workers: share the date and "
        "time of appointments. Second paragraph.",
    ):
        assert article_from_entry(entry(summary=summary)).deck == "", summary


def test_empty_summary_no_deck() -> None:
    assert article_from_entry(entry(summary="")).deck == ""
    assert article_from_entry(entry(summary="  <p> </p> ")).deck == ""


def test_summary_only_plain_text_is_the_escaped_body() -> None:
    summary = "First <b>not bold</b> & [x](y).\n\nSecond paragraph."
    # A plain summary with a tag-looking bit counts as HTML; use one that clearly is not.
    plain = "First 2 < 3 & [x](y) *stars*.\n\nSecond\nparagraph."
    article = article_from_entry(entry(content="", summary=plain))
    assert article.deck == ""
    assert article.body_html == (
        "<p>First 2 &lt; 3 &amp; [x](y) *stars*.</p>\n<p>Second\nparagraph.</p>"
    )
    rendered = render_article(article)
    assert "\\*stars\\*" in rendered.markdown
    assert rendered.body_links == ()
    assert looks_like_html(summary)
    assert not looks_like_html(plain)


def test_summary_only_html_is_kept() -> None:
    summary = '<p>Summary with <a href="/more">a link</a>.</p>'
    article = article_from_entry(entry(content="  ", summary=summary))
    assert article.body_html == summary
    assert article.deck == ""
    (link,) = render_article(article).body_links
    assert link.url == "https://news.example/more"


def test_text_to_html_strips_controls() -> None:
    assert text_to_html("a\x1b[31mb\n\n\n c ") == "<p>ab</p>\n<p>c</p>"


def test_related_merges_feed_links_and_trailing_block() -> None:
    feed_related = (
        Link("https://news.example/a.html", "A from the feed"),
        Link("https://news.example/b.html", "B from the feed"),
    )
    content = BODY + (
        '<aside class="related-stories"><h2>Related</h2><ul>'
        '<li><a href="/b.html"><h3>B from the page</h3></a><p>B teaser.</p></li>'
        '<li><a href="/c.html"><h3>C from the page</h3></a><p>C teaser.</p></li>'
        '<li><a href="/c.html">C again</a></li>'
        "</ul></aside>"
    )
    article = article_from_entry(entry(content=content, related=feed_related))
    assert article.body_html == BODY
    assert article.related == (
        Link("https://news.example/a.html", "A from the feed"),
        Link("https://news.example/b.html", "B from the feed"),
        Link("https://news.example/c.html", "C from the page", "C teaser.", kind="related"),
    )
    assert render_article(article).headings == (Heading(2, "The Safe Space"),)


def test_related_heading_list_in_summary_only_entry() -> None:
    summary = (
        "<p>Short story.</p><h4>Read more</h4>"
        '<ul><li><a href="https://other.example/x">X</a></li></ul>'
    )
    article = article_from_entry(entry(content="", summary=summary))
    assert article.body_html == "<p>Short story.</p>"
    assert article.related == (Link("https://other.example/x", "X", "", kind="related"),)


def test_no_related_block_leaves_body_alone() -> None:
    content = BODY + '<p>See <a href="/x">this</a>.</p>'
    article = article_from_entry(entry(content=content))
    assert article.body_html == content
    assert article.related == ()
