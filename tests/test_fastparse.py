"""The lxml fast path reads what feedparser reads, and hands back everything it cannot read.

Each well-formed document below is parsed both ways (`parse_feed(..., fast=False)` is
feedparser alone) and the results must be equal, field for field; the test also checks the
fast path really took the document, so a silent fallback cannot make the comparison pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.feeds.fastparse import parse_fast
from reader.feeds.parse import parse_feed
from reader.models import ParsedFeed

XML = {"content-type": "application/xml; charset=utf-8"}
URL = "http://news.example/feeds/main.xml"
FIXTURES = Path(__file__).parent / "fixtures" / "seed-site"

RSS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:atom="http://www.w3.org/2005/Atom" '
    'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
    'xmlns:slash="http://purl.org/rss/1.0/modules/slash/" '
    'xmlns:media="http://search.yahoo.com/mrss/" '
    'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
)


def rss(items: str, channel: str = "<title>News</title><link>http://news.example/</link>") -> bytes:
    return f"{RSS_HEAD}<channel>{channel}{items}</channel></rss>".encode()


def atom(entries: str, head: str = "<title>News</title>") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"{head}<id>tag:news</id>{entries}</feed>"
    ).encode()


WELL_FORMED = {
    "categories": rss(
        "<item><guid>1</guid><title>a</title><category>Politics</category>"
        '<category domain="x">  Tech &amp;\n Science </category><category>Politics</category>'
        "<category></category></item>"
    ),
    "atom categories": atom(
        '<entry><id>1</id><title>a</title><category term="Sport"/>'
        '<category term="tennis" label="Tennis"/><category label="Only a label"/>'
        '<category scheme="s"/></entry>'
    ),
    "titles with entities and markup": rss(
        "<item><guid>1</guid><title>AT&amp;T &amp; friends</title></item>"
        "<item><guid>2</guid><title>Tom &lt;b&gt;bold&lt;/b&gt; title</title></item>"
        "<item><guid>3</guid><title><![CDATA[a < b & c]]></title></item>"
        "<item><guid>4</guid><title>5 &lt; 6 and x &gt; 1</title></item>"
        "<item><guid>5</guid><title>&amp;amp; double &amp;#233;</title></item>"
        "<item><guid>6</guid><title>\n   Spread\n   over lines  </title></item>"
    ),
    "authors": rss(
        "<item><guid>1</guid><title>a</title><author>jo@example.com (Jo Bloggs)</author></item>"
        "<item><guid>2</guid><title>b</title><author>Jo &lt;jo@example.com&gt;</author></item>"
        "<item><guid>3</guid><title>c</title><author>jo@example.com</author></item>"
        "<item><guid>4</guid><title>d</title><dc:creator>Ann Other</dc:creator></item>"
        "<item><guid>5</guid><title>e</title><dc:creator><![CDATA[Zoë]]></dc:creator></item>"
    ),
    "guids and links": rss(
        "<item><title>a</title><guid>http://news.example/a</guid></item>"
        '<item><title>b</title><guid isPermaLink="false">urn:b</guid></item>'
        "<item><title>c</title><guid>http://news.example/c-guid</guid>"
        "<link>http://news.example/c</link></item>"
        "<item><title>d</title><link>/relative/d.html</link></item>"
        "<item><title>e</title><link>javascript:alert(1)</link></item>"
        "<item><title>f</title><link>http://news.example/f?a=1&amp;b=2</link>"
        '<atom:link rel="related" href="/more" title="More on this"/></item>'
    ),
    "dates": rss(
        "<item><guid>1</guid><title>a</title>"
        "<pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate></item>"
        "<item><guid>2</guid><title>b</title><pubDate>Tue, 10 Jun 2003 04:00:00 +0200</pubDate>"
        "</item>"
        "<item><guid>3</guid><title>c</title><pubDate>2003-06-10T04:00:00Z</pubDate></item>"
        "<item><guid>4</guid><title>d</title><pubDate>yesterday-ish</pubDate></item>"
        "<item><guid>5</guid><title>e</title><dc:date>2004-01-02T03:04:05+01:00</dc:date></item>"
        "<item><guid>6</guid><title>f</title>"
        "<pubDate>Mon, 01 Jan 2999 00:00:00 GMT</pubDate></item>"
        "<item><guid>7</guid><title>g</title><pubDate>10 Jun 2003 23:59:59 -0500</pubDate></item>"
        "<item><guid>8</guid><title>h</title><pubDate>Tue, 10 Jun 2003 04:00 UT</pubDate></item>"
        "<item><guid>9</guid><title>i</title><pubDate>Tue, 10 Jun 2003 04:00:00 EST</pubDate>"
        "</item>"
        "<item><guid>10</guid><title>j</title><dc:date>2024-05-01T10:00:00.123456Z</dc:date></item>"
        "<item><guid>11</guid><title>k</title><dc:date>2024-05-01</dc:date></item>"
        "<item><guid>12</guid><title>l</title><pubDate>2024-02-30T10:00:00Z</pubDate></item>"
    ),
    "bodies": rss(
        "<item><guid>1</guid><title>a</title><description>&lt;p&gt;See "
        "&lt;a href='/x.html'&gt;this&lt;/a&gt; &amp;amp; &lt;img src=\"i.png\"&gt;&lt;/p&gt;"
        "</description></item>"
        "<item><guid>2</guid><title>b</title><description>Short.</description>"
        '<content:encoded><![CDATA[<p>Long <em>body</em> with <a href="../up.html">a link'
        "</a>.</p>\n<h2>Part</h2><p>More &#8217; text&nbsp;here.</p>]]></content:encoded></item>"
        "<item><guid>3</guid><title>c</title><content:encoded><![CDATA[<p>Only content</p>]]>"
        "</content:encoded></item>"
        "<item><guid>4</guid><description>Untitled, plain text summary</description></item>"
        "<item><guid>5</guid><title>e</title><description><![CDATA[<p>x</p><!-- c --><p>y"
        "</p>]]></description></item>"
    ),
    "windows-1252 and mojibake": rss(
        "<item><guid>1</guid><title>\u0093Quoted\u0094 \u0096 dash</title></item>"
        "<item><guid>2</guid><title>CafÃ© society</title></item>"
        "<item><guid>3</guid><title>Plain café</title></item>"
    ),
    "ignored extensions": rss(
        "<item><guid>1</guid><title>a</title><category>x</category><comments>http://c</comments>"
        '<enclosure url="http://news.example/a.mp3" length="1" type="audio/mpeg"/>'
        "<wfw:commentRss>http://c/rss</wfw:commentRss><slash:comments>3</slash:comments>"
        '<media:content url="http://news.example/i.jpg" medium="image"/>'
        '<media:thumbnail url="http://news.example/t.jpg"/></item>',
        channel="<title>News</title><link>http://news.example/</link><ttl>90</ttl>"
        '<atom:link rel="self" href="http://news.example/feeds/main.xml"/>'
        "<image><url>http://news.example/logo.png</url><link>http://elsewhere/</link></image>",
    ),
    "atom entries": atom(
        "<entry><id>a</id><title type='html'>Tom &amp;amp; &lt;i&gt;Jerry&lt;/i&gt;</title>"
        "<link href='/a.html'/><link rel='related' href='http://news.example/r' title='Rel'/>"
        "<author><name>Ann</name><email>ann@example.com</email></author>"
        "<published>2024-05-01T10:00:00Z</published><updated>2024-05-02T10:00:00Z</updated>"
        "<summary>Plain &lt;summary&gt; text</summary>"
        "<content type='html'>&lt;p&gt;Body &lt;a href='rel.html'&gt;x&lt;/a&gt;&lt;/p&gt;"
        "</content>"
        "</entry>"
        "<entry><id>b</id><title>Text content</title><author><email>b@example.com</email></author>"
        "<content type='text'>Para one.\n\nPara &lt;two&gt;.</content>"
        "<updated>2024-05-03T10:00:00+02:00</updated></entry>"
        "<entry><id>c</id><title>Two authors</title><author><name>One</name></author>"
        "<author><name>Two</name></author>"
        "<link rel='alternate' type='text/html' href='http://news.example/c'/>"
        "<link rel='enclosure' href='http://news.example/c.mp3'/>"
        "<summary type='html'>&lt;b&gt;Bold&lt;/b&gt; summary</summary></entry>"
        "<entry><title>No id</title><link href='http://news.example/d'/>"
        "<content src='http://news.example/d.txt'/></entry>",
        head="<title type='text'>News &amp; more</title>"
        "<link rel='self' href='http://news.example/feeds/main.xml'/>"
        "<link rel='alternate' href='/home'/>",
    ),
    "names in any case": rss(
        "<item><Title>A</Title><Link>http://news.example/a</Link><Description>d</Description>"
        '<PubDate>Tue, 10 Jun 2003 04:00:00 GMT</PubDate><GUID isPermaLink="false">g</GUID>'
        "<dc:Creator>Cee</dc:Creator></item>"
        "<item><title>b</title><pubdate>Tue, 10 Jun 2003 05:00:00 GMT</pubdate>"
        '<guid ispermalink="false">h</guid></item>'
        '<item><title>c</title><guid isPermaLink="False">i</guid></item>'
    ),
    "podcast items with itunes text": rss(
        "<item><guid>1</guid><title>a</title><itunes:summary>Plain notes</itunes:summary>"
        "<itunes:author>Host</itunes:author><itunes:subtitle>sub</itunes:subtitle></item>"
        "<item><guid>2</guid><title>b</title><description>&lt;p&gt;HTML notes&lt;/p&gt;"
        "</description><itunes:summary>Plain notes, longer</itunes:summary></item>"
        "<item><guid>3</guid><title>c</title><itunes:summary>First</itunes:summary>"
        "<description>&lt;p&gt;Then &lt;b&gt;HTML&lt;/b&gt;&lt;/p&gt;</description></item>"
        "<item><guid>4</guid><title>d</title><content:encoded>&lt;p&gt;Body&lt;/p&gt;"
        "</content:encoded><itunes:summary>Summary after content</itunes:summary></item>"
        "<item><guid>5</guid><title>e</title><description>one</description>"
        "<description>two</description></item>"
        "<item><guid>6</guid><title>f</title><itunes:summary>a &lt;b&gt;bold&lt;/b&gt; claim"
        "</itunes:summary></item>"
    ),
    "fullitem and repeated creators": rss(
        "<item><guid>1</guid><title>f</title><fullitem>&lt;p&gt;Full&lt;/p&gt;</fullitem>"
        "<dc:creator>First</dc:creator><dc:creator>Second</dc:creator></item>"
    ),
    "atom link text, rel case, html alternate first": atom(
        "<entry><id>a</id><title>t</title><link>http://news.example/text</link></entry>"
        "<entry><id>b</id><title>u</title><link rel='ALTERNATE' href='/b'/></entry>"
        "<entry><id>c</id><title>v</title>"
        "<link rel='alternate' type='application/pdf' href='/c.pdf'/>"
        "<link rel='alternate' type='text/html' href='/c.html'/></entry>"
    ),
}


def test_names_in_any_case_are_read() -> None:
    feed = parse_feed(WELL_FORMED["names in any case"], url=URL, headers=XML)
    first, second, third = feed.entries
    assert (first.title, first.link, first.summary, first.key) == (
        "A",
        "http://news.example/a",
        "d",
        "g",
    )
    assert first.author == "Cee" and first.published is not None
    assert second.key == "h" and second.published is not None
    assert third.key == "i"  # isPermaLink="False" is not "true": not resolved as a link


def test_fullitem_is_content_and_the_first_creator_is_the_author() -> None:
    (entry,) = parse_feed(WELL_FORMED["fullitem and repeated creators"], url=URL).entries
    assert entry.content == "<p>Full</p>"
    assert entry.author == "First"


def test_atom_links_by_text_any_case_and_html_first() -> None:
    text, upper, pdf_first = parse_feed(
        WELL_FORMED["atom link text, rel case, html alternate first"], url=URL
    ).entries
    assert text.link == "http://news.example/text"
    assert upper.link == "http://news.example/b"
    assert pdf_first.link == "http://news.example/c.html"


def test_an_rss_item_in_a_namespace_goes_to_feedparser_and_is_read() -> None:
    document = rss(
        '<item xmlns="http://purl.org/rss/1.0/"><title>Namespaced</title>'
        "<link>http://news.example/n</link></item>"
    )
    assert parse_fast(document, XML) is None
    (entry,) = parse_feed(document, url=URL, headers=XML).entries
    assert entry.title == "Namespaced"


@pytest.mark.parametrize("name", sorted(WELL_FORMED))
def test_fast_path_reads_as_feedparser_does(name: str) -> None:
    document = WELL_FORMED[name]
    assert parse_fast(document, XML) is not None, "the fast path should take this document"
    fast = parse_feed(document, url=URL, headers=XML)
    slow = parse_feed(document, url=URL, headers=XML, fast=False)
    assert fast == slow
    assert fast.entries


@pytest.mark.parametrize("name", ["feed.xml", "atom-full.xml"])
def test_seed_site_feeds_take_the_fast_path_with_the_same_result(name: str) -> None:
    document = (FIXTURES / name).read_bytes().replace(b"__BASE__", b"http://127.0.0.1:8000")
    assert parse_fast(document, XML) is not None
    url = "http://127.0.0.1:8000/" + name
    assert parse_feed(document, url=url, headers=XML) == parse_feed(
        document, url=url, headers=XML, fast=False
    )


def test_relative_urls_in_bodies_resolve_against_the_feed_address() -> None:
    feed = parse_feed(WELL_FORMED["bodies"], url=URL, headers=XML)
    first, second = feed.entries[0], feed.entries[1]
    assert 'href="http://news.example/x.html"' in first.summary
    assert 'src="http://news.example/feeds/i.png"' in first.summary
    assert 'href="http://news.example/up.html"' in second.content


FALLBACKS: dict[str, tuple[bytes, dict[str, str]]] = {
    "latin-1 declaration": (
        b'<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>T'
        b"</title><item><guid>1</guid><title>Caf\xe9</title></item></channel></rss>",
        {"content-type": "application/xml"},
    ),
    "latin-1 header": (
        rss("<item><guid>1</guid><title>a</title></item>"),
        {"content-type": "text/xml; charset=iso-8859-1"},
    ),
    "html entity in xml": (rss("<item><guid>1</guid><title>a&nbsp;b</title></item>"), XML),
    "itunes summary in atom": (
        atom(
            "<entry xmlns:itunes='http://www.itunes.com/dtds/podcast-1.0.dtd'><id>a</id>"
            "<title>t</title><itunes:summary>s</itunes:summary></entry>"
        ),
        XML,
    ),
    "media title in a group": (
        rss("<item><guid>1</guid><media:group><media:title>t</media:title></media:group></item>"),
        XML,
    ),
    "markup inside description": (
        rss("<item><guid>1</guid><description><p>raw</p></description></item>"),
        XML,
    ),
    "xml:base": (
        atom("<entry xml:base='http://other.example/'><id>a</id><title>t</title></entry>"),
        XML,
    ),
    "xhtml content": (
        atom(
            "<entry><id>a</id><title>t</title><content type='xhtml'>"
            "<div xmlns='http://www.w3.org/1999/xhtml'><p>x</p></div></content></entry>"
        ),
        XML,
    ),
    "dc:creator in atom": (
        atom("<entry><id>a</id><title>t</title><dc:creator>c</dc:creator></entry>"),
        XML,
    ),
    "unknown core element": (
        rss("<item><guid>1</guid><title>a</title><summary>s</summary></item>"),
        XML,
    ),
    "atom source": (
        atom("<entry><id>a</id><title>t</title><source><title>s</title></source></entry>"),
        XML,
    ),
    "rdf": (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns="http://purl.org/rss/1.0/"><channel><title>T</title></channel>'
        b"<item><title>a</title><link>http://x/</link></item></rdf:RDF>",
        XML,
    ),
    "malformed": (b"<rss><channel><title>T</title><item><title>a</item></channel></rss>", XML),
    "utf-16": ('<?xml version="1.0" encoding="utf-16"?><rss/>'.encode("utf-16"), XML),
}


@pytest.mark.parametrize("name", sorted(FALLBACKS))
def test_documents_the_fast_path_cannot_read_go_to_feedparser(name: str) -> None:
    document, headers = FALLBACKS[name]
    assert parse_fast(document, headers) is None


def test_a_fallback_document_is_still_read() -> None:
    document, headers = FALLBACKS["latin-1 declaration"]
    feed: ParsedFeed = parse_feed(document, url=URL, headers=headers)
    assert [e.title for e in feed.entries] == ["Café"]
    document, headers = FALLBACKS["html entity in xml"]
    assert parse_feed(document, url=URL, headers=headers).entries[0].title == "a b"


def test_categories_are_read_each_once_as_clean_lines() -> None:
    rss_entry = parse_feed(WELL_FORMED["categories"], url=URL, headers=XML).entries[0]
    assert rss_entry.categories == ("Politics", "Tech & Science")
    atom_entry = parse_feed(WELL_FORMED["atom categories"], url=URL, headers=XML).entries[0]
    assert atom_entry.categories == ("Sport", "tennis", "Only a label")
