"""Feed documents into ParsedFeed: the seed-site fixtures as served, and hostile or odd feeds."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.article.from_entry import article_from_entry
from reader.article.render import render_article
from reader.feeds.parse import NotAFeedError, parse_feed
from reader.models import Link, ParsedFeed
from reader.store import plain_text
from tests.server import FixtureServer

TITLES = [
    "When Social Security Becomes Immigration Enforcement",
    "Discord defaults every user to teen mode",
    "Smart glasses banned at Meta CEO's trial",
    "Meta weighed facial recognition for Ray-Ban glasses",
    "Doppelgänger matches faces to creators",
    "ICE quietly leases offices nationwide",
]
DECK = (
    "SSA workers told to share appointment details with ICE agents. A fundamental shift in how "
    "government agencies operate—and what it means for public trust."
)
XML = {"content-type": "application/xml; charset=utf-8"}
FEED_URL = "http://news.example/feeds/main.xml"


def served(server: FixtureServer, path: str) -> ParsedFeed:
    """Parse a seed-site file exactly as the server serves it."""
    body = server.file_body(path)
    assert body is not None
    return parse_feed(body, url=server.url(path), headers=XML)


def rss(items: str, *, channel: str = "<title>Test</title>") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel>{channel}{items}</channel></rss>"
    ).encode()


def atom(entries: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Test</title>'
        f"<id>tag:test</id>{entries}</feed>"
    ).encode()


def one(body: bytes) -> ParsedFeed:
    """Parse a made-up feed served as XML from FEED_URL."""
    return parse_feed(body, url=FEED_URL, headers=XML)


# --- the seed site -----------------------------------------------------------------------


def test_rss_fixture(server: FixtureServer) -> None:
    feed = served(server, "feed.xml")
    assert feed.title == "Signal Desk"
    assert feed.site_url == server.base + "/"
    assert feed.warning is None
    assert [e.title for e in feed.entries] == TITLES
    lead = feed.entries[0]
    assert lead.key == "signal-desk:ssa-ice-appointments"
    assert lead.published == datetime(2025, 11, 21, 14, 5, tzinfo=UTC)
    assert lead.author == "Signal Desk Staff"
    assert lead.link == server.url("articles/ssa-ice-appointments.html")
    assert lead.content == ""  # summaries only: the article is on its page
    assert lead.summary == DECK
    assert lead.related == ()
    assert lead.updated is None  # RSS has no per-item updated date
    assert lead.id is None and lead.feed_id is None
    assert all(e.published and e.published.tzinfo is not None for e in feed.entries)


def test_atom_fixture(server: FixtureServer) -> None:
    feed = served(server, "atom-full.xml")
    assert feed.title == "Signal Desk (full text)"
    assert feed.site_url == server.base + "/"
    assert feed.warning is None
    assert [e.title for e in feed.entries] == TITLES
    lead = feed.entries[0]
    assert lead.link == server.url("articles/ssa-ice-appointments.html")
    assert lead.summary == DECK
    assert re.findall(r"<h2>(.*?)</h2>", lead.content) == [
        "The Safe Space That Isn't",
        "From Service to Surveillance",
        "The Trust Equation",
        "The Expanding Dragnet",
    ]
    anchor = f'<a href="{server.url("articles/ice-office-leases.html")}">'
    assert anchor + "secretly leasing offices nationwide</a>" in lead.content
    assert "This content is AI-generated" in lead.content
    assert lead.related == (
        Link(
            server.url("articles/discord-teen-mode.html"),
            "Discord defaults every user to teen mode",
        ),
        Link(
            server.url("articles/meta-smart-glasses-trial.html"),
            "Smart glasses banned at Meta CEO's trial",
        ),
        Link(
            server.url("articles/meta-facial-recognition.html"),
            "Meta weighed facial recognition for Ray-Ban glasses",
        ),
        Link(
            server.url("articles/doppelganger-lookalikes.html"),
            "Doppelgänger matches faces to creators",
        ),
    )
    assert all(link.kind == "related" for link in lead.related)
    assert all(e.related == () for e in feed.entries[1:])
    assert all(e.content for e in feed.entries)


def test_the_two_feeds_have_different_keys_for_the_same_articles(server: FixtureServer) -> None:
    rss_feed, atom_feed = served(server, "feed.xml"), served(server, "atom-full.xml")
    assert [e.link for e in rss_feed.entries] == [e.link for e in atom_feed.entries]
    assert not {e.key for e in rss_feed.entries} & {e.key for e in atom_feed.entries}


def test_html_page_is_not_a_feed(server: FixtureServer) -> None:
    body = server.file_body("index.html")
    assert body is not None
    for headers in ({"content-type": "text/html; charset=utf-8"}, {}):
        with pytest.raises(NotAFeedError, match=r"^not a feed \(got an HTML page\)$"):
            parse_feed(body, url=server.url("index.html"), headers=headers)


# --- not a feed --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "not a feed (empty response)"),
        (b"  \r\n\t", "not a feed (empty response)"),
        (b'{"a":1}', "not a feed (got JSON data)"),
        (b"<foo>\n<bar></foo>", "not a feed (XML parse error: mismatched tag at line 2)"),
        (b"<config><a>1</a></config>", "not a feed (an XML document, but not RSS or Atom)"),
        (b"\x00\x01garbage\xff", "not a feed (XML parse error: not well-formed (invalid token)"),
    ],
)
def test_not_a_feed(body: bytes, message: str) -> None:
    with pytest.raises(NotAFeedError) as caught:
        one(body)
    assert str(caught.value).startswith(message)
    assert isinstance(caught.value, ValueError)


def test_body_that_names_a_local_file_is_not_read_from_disk(tmp_path: Path) -> None:
    # feedparser opens a bytes argument as a path when such a file exists.
    secret = tmp_path / "secret.xml"
    secret.write_bytes(rss("<item><title>from disk</title></item>"))
    with pytest.raises(NotAFeedError):
        one(str(secret).encode())


def test_empty_but_valid_feed_is_a_feed() -> None:
    feed = one(rss(""))
    assert feed.title == "Test"
    assert feed.entries == ()


# --- entries -----------------------------------------------------------------------------


def test_key_falls_back_to_link_then_to_a_stable_hash() -> None:
    body = rss(
        "<item><title>Linked</title><link>/a.html</link></item>"
        "<item><title>Bare</title><description>Words</description></item>"
        "<item><title>Other</title><description>Words</description></item>"
    )
    first, second = one(body), one(body)
    linked, bare, other = first.entries
    assert linked.key == "http://news.example/a.html"
    assert bare.key.startswith("sha1:") and len(bare.key) == 45
    assert bare.key == second.entries[1].key
    assert bare.key != other.key


def test_controls_and_escapes_are_stripped_after_entity_decoding() -> None:
    body = rss(
        "<item><guid>k1</guid>"
        "<title>Breaking&#x1b;[2J news&#x7; &#x202e;today</title>"
        "<author>a@b.example (Eve&#x1b;]0;pwned&#x7;)</author>"
        "<description>Sum&#x1b;[31mmary</description></item>"
    )
    feed = one(body)
    entry = feed.entries[0]
    assert entry.title == "Breaking news today"
    assert entry.summary == "Summary"
    assert "\x1b" not in entry.author and "\x07" not in entry.author
    assert feed.warning is not None  # such references are not XML: read leniently


def test_raw_control_bytes_are_stripped() -> None:
    body = atom(
        "<entry><id>e1</id><title>Raw \x1b[2J\x07\u202etitle</title>"
        '<link rel="related" href="/r" title="Rel\x1b[1mated"/></entry>'
    )
    entry = one(body).entries[0]
    assert entry.title == "Raw title"
    assert entry.related[0].title == "Related"


def test_scripts_and_javascript_links_never_reach_the_reader_or_the_index() -> None:
    """Content is stored as the feed gave it (no sanitiser: it cost three quarters of the
    parse); what makes it safe is that neither the article view nor the search index ever
    treats it as a web page."""
    body = rss(
        "<item><guid>k</guid><link>http://news.example/k</link><description>Short</description>"
        "<content:encoded><![CDATA["
        '<p onclick="steal()">Hi <a href="javascript:alert(1)">js</a></p>'
        "<script>alert(1)</script><style>p{}</style><iframe src='http://evil/'></iframe>"
        "]]></content:encoded></item>"
    )
    entry = one(body).entries[0]
    shown = render_article(article_from_entry(entry))
    indexed = plain_text(entry.content, entry.summary)
    assert "Hi" in shown.markdown and "Hi" in indexed
    for bad in ("alert(1)", "steal", "p{}", "javascript:", "evil"):
        assert bad not in shown.markdown
        assert bad not in indexed
    assert all(link.url.startswith("http") for link in shown.body_links)
    assert "evil" not in " ".join(link.url for link in shown.body_links)


def test_relative_links_resolve_against_the_feed_url() -> None:
    body = atom(
        "<entry><id>e1</id><title>T</title><link href='../post.html'/>"
        "<link rel='related' href='/other.html' title='Other'/>"
        "<content type='html'>&lt;a href='sub/page.html'&gt;x&lt;/a&gt;"
        "&lt;img src='/img/a.png'&gt;</content></entry>"
    )
    entry = one(body).entries[0]
    assert entry.link == "http://news.example/post.html"
    assert entry.related == (Link("http://news.example/other.html", "Other"),)
    assert 'href="http://news.example/feeds/sub/page.html"' in entry.content
    assert 'src="http://news.example/img/a.png"' in entry.content


def test_content_location_header_is_the_base() -> None:
    body = rss("<item><guid>k</guid><title>T</title><link>page.html</link></item>")
    headers = {**XML, "Content-Location": "http://mirror.example/x/feed.xml"}
    feed = parse_feed(body, url=FEED_URL, headers=headers)
    assert feed.entries[0].link == "http://mirror.example/x/page.html"


def test_latin1_declared_in_the_http_header_is_decoded() -> None:
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Caf\xe9</title>'
        "<item><guid>k</guid><title>Cr\xe8me br\xfbl\xe9e</title></item></channel></rss>"
    ).encode("latin-1")
    feed = parse_feed(
        body, url=FEED_URL, headers={"Content-Type": "application/rss+xml; charset=ISO-8859-1"}
    )
    assert feed.title == "Café"
    assert feed.entries[0].title == "Crème brûlée"
    assert feed.warning is None


def test_wrongly_declared_encoding_is_read_with_a_warning() -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>'
        "<item><guid>k</guid><title>Caf\xe9</title></item></channel></rss>"
    ).encode("latin-1")
    feed = parse_feed(body, url=FEED_URL, headers={"content-type": "application/xml"})
    assert feed.entries[0].title == "Café"
    assert feed.warning is not None and "encoding" in feed.warning


def test_text_xml_without_charset_is_not_worth_a_warning() -> None:
    body = rss("<item><guid>k</guid><title>Café</title></item>")
    feed = parse_feed(body, url=FEED_URL, headers={"content-type": "text/xml"})
    assert feed.entries[0].title == "Café"
    assert feed.warning is None


def test_broken_xml_with_entries_is_accepted_with_a_warning() -> None:
    body = rss("<item><guid>a</guid><title>One</title></item><item><guid>b</guid><title>Two & more")
    feed = one(body)
    assert [e.title for e in feed.entries][:1] == ["One"]
    assert feed.warning is not None and feed.warning.startswith("malformed XML")


def test_content_that_repeats_the_summary_is_summary_only() -> None:
    body = rss(
        "<item><guid>k</guid><description>&lt;p&gt;Same&lt;/p&gt;</description>"
        "<content:encoded><![CDATA[<p>Same</p>]]></content:encoded></item>"
    )
    entry = one(body).entries[0]
    assert entry.summary == "<p>Same</p>"
    assert entry.content == ""


def test_content_without_a_summary_is_content() -> None:
    # feedparser copies such content into `summary`; that copy is not a summary.
    body = atom(
        "<entry><id>e</id><title>T</title>"
        "<content type='html'>&lt;p&gt;Full&lt;/p&gt;</content></entry>"
    )
    entry = one(body).entries[0]
    assert entry.content == "<p>Full</p>"
    assert entry.summary == ""


def test_plain_text_content_becomes_escaped_paragraphs() -> None:
    body = atom(
        "<entry><id>e</id><title>T</title><summary>S</summary>"
        "<content type='text'>1 &lt; 2 &lt;b&gt;\nstill one\n\nsecond</content></entry>"
    )
    entry = one(body).entries[0]
    assert entry.content == "<p>1 &lt; 2 &lt;b&gt;<br>\nstill one</p>\n<p>second</p>"


def test_html_content_is_preferred_over_plain() -> None:
    body = atom(
        "<entry><id>e</id><title>T</title><summary>S</summary>"
        "<content type='text'>plain</content>"
        "<content type='html'>&lt;p&gt;rich&lt;/p&gt;</content></entry>"
    )
    assert one(body).entries[0].content == "<p>rich</p>"


def test_dates() -> None:
    body = atom(
        "<entry><id>a</id><title>Offset</title><published>2025-01-02T03:04:05+02:00</published>"
        "</entry>"
        "<entry><id>b</id><title>Updated only</title><updated>2024-06-01T12:00:00Z</updated>"
        "</entry>"
        "<entry><id>c</id><title>Garbage</title><published>not a date</published></entry>"
    )
    offset, updated_only, garbage = one(body).entries
    assert offset.published == datetime(2025, 1, 2, 1, 4, 5, tzinfo=UTC)
    assert updated_only.published == updated_only.updated == datetime(2024, 6, 1, 12, tzinfo=UTC)
    assert garbage.published is None and garbage.updated is None


def test_missing_title_uses_the_summary_or_untitled() -> None:
    long_summary = "<p>A <b>long</b> summary " + "word " * 50 + "</p>"
    body = rss(
        f"<item><guid>a</guid><description><![CDATA[{long_summary}]]></description></item>"
        "<item><guid>b</guid></item>"
    )
    from_summary, untitled = one(body).entries
    assert from_summary.title.startswith("A long summary word")
    assert len(from_summary.title) <= 100 and from_summary.title.endswith("…")
    assert untitled.title == "(untitled)"


def test_html_title_loses_its_tags() -> None:
    body = atom(
        "<entry><id>e</id>"
        "<title type='html'>A &lt;b&gt;bold&lt;/b&gt; &amp;amp; move</title></entry>"
    )
    assert one(body).entries[0].title == "A bold & move"


def test_link_prefers_alternate_and_only_http() -> None:
    body = atom(
        "<entry><id>a</id><title>T</title><link rel='enclosure' href='/a.mp3'/>"
        "<link rel='alternate' href='/story'/></entry>"
        "<entry><id>b</id><title>T</title><link href='javascript:alert(1)'/></entry>"
    )
    story, js = one(body).entries
    assert story.link == "http://news.example/story"
    assert js.link == ""


def test_related_links_are_http_deduplicated_and_titled() -> None:
    body = atom(
        "<entry><id>e</id><title>T</title>"
        "<link rel='related' href='/one' title='One'/>"
        "<link rel='related' href='javascript:alert(1)' title='Evil'/>"
        "<link rel='related' href='http://news.example/one' title='One again'/>"
        "<link rel='related' href='https://else.example/two'/></entry>"
    )
    assert one(body).entries[0].related == (
        Link("http://news.example/one", "One"),
        Link("https://else.example/two", "https://else.example/two"),
    )


def test_author_from_author_detail() -> None:
    body = atom(
        "<entry><id>e</id><title>T</title><author><name>  Ada\n Lovelace </name>"
        "<email>ada@example.com</email></author></entry>"
    )
    assert one(body).entries[0].author == "Ada Lovelace"


def test_site_url_is_http_only() -> None:
    feed = one(rss("", channel="<title>T</title><link>javascript:alert(1)</link>"))
    assert feed.site_url == ""


def test_json_feed_is_read_through_parse_feed() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "JSON News",'
        b' "items": [{"id": "1", "url": "/a", "title": "First", "content_html": "<p>Hi</p>"}]}'
    )
    parsed = parse_feed(body, url="http://example.test/feed.json")
    assert parsed.title == "JSON News"
    assert [(e.key, e.link, e.title) for e in parsed.entries] == [
        ("1", "http://example.test/a", "First")
    ]
