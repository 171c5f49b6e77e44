"""OPML import and export: files written the way other readers write them, hostile files,
and a round trip that keeps folders, titles and site URLs."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.feeds.opml import (
    MAX_FOLDER_DEPTH,
    NotAnOpmlError,
    OpmlFeed,
    OpmlResult,
    read_opml,
    write_opml,
)

FIXTURES = Path(__file__).parent / "fixtures" / "opml"


def fixture(name: str) -> OpmlResult:
    return read_opml((FIXTURES / name).read_bytes())


def opml(body: str, *, head: str = "<head><title>t</title></head>") -> bytes:
    declaration = '<?xml version="1.0" encoding="UTF-8"?>'
    return f'{declaration}<opml version="2.0">{head}<body>{body}</body></opml>'.encode()


def urls(result: OpmlResult) -> list[str]:
    return [feed.url for feed in result.feeds]


# --- how other readers write OPML --------------------------------------------------------


def test_newsboat_export_flat_with_title_only_and_tags_as_categories() -> None:
    result = fixture("newsboat.opml")
    assert result.feeds == (
        OpmlFeed("https://lwn.net/headlines/rss", "LWN.net", "https://lwn.net", ("linux",)),
        OpmlFeed(
            "https://blog.rust-lang.org/feed.xml",
            "Rust Blog",
            "https://blog.rust-lang.org/",
            ("programming",),
        ),
        OpmlFeed("https://xkcd.com/atom.xml", "xkcd.com", "https://xkcd.com/", ()),
        OpmlFeed("https://www.kernel.org/feeds/kdist.xml", "", "", ()),
    )
    # newsboat's exec: and filter: feeds are local commands: skipped, and said so.
    assert result.invalid == (
        "skipped 'Mastodon timeline': not an http(s) URL: exec:~/bin/mastodon-timeline.sh",
        "skipped 'Broken, filtered': not an http(s) URL: "
        "filter:~/bin/fix-dates.py:https://example.org/broken.xml",
    )


def test_miniflux_export_categories_without_type() -> None:
    result = fixture("miniflux.opml")
    assert result.invalid == ()
    assert [(f.title, f.folder) for f in result.feeds] == [
        ("Hacker News: Front Page", ("All",)),
        ("Le Monde.fr - Actualités et Infos en France et dans le monde", ("All",)),
        ("Quanta Magazine", ("Science & Nature",)),
        ("NASA Image of the Day", ("Science & Nature",)),
    ]
    assert result.feeds[0] == OpmlFeed(
        "https://hnrss.org/frontpage",
        "Hacker News: Front Page",
        "https://news.ycombinator.com/",
        ("All",),
    )


def test_freshrss_export_namespaced_attributes_and_scraping_recipes() -> None:
    result = fixture("freshrss.opml")
    assert result.feeds == (
        OpmlFeed("https://jvns.ca/atom.xml", "Julia Evans", "https://jvns.ca/", ("Uncategorized",)),
        OpmlFeed("https://lwn.net/headlines/rss", "LWN.net", "https://lwn.net", ("Dev",)),
        OpmlFeed(
            "https://pythoninsider.blogspot.com/feeds/posts/default",
            "Python Insider",
            "https://pythoninsider.blogspot.com/",
            ("Dev",),
        ),
    )
    assert result.invalid == (
        "skipped 'GitHub trending': a web-scraping recipe (type HTML+XPath): "
        "https://github.com/trending",
    )


def test_feedly_export_same_feed_in_two_categories_is_kept_once_in_the_first() -> None:
    result = fixture("feedly.opml")
    assert result.invalid == ()
    assert [(f.title, f.folder) for f in result.feeds] == [
        ("The Verge", ("Tech",)),
        ("Ars Technica - All content", ("Tech",)),
        ("Daring Fireball", ("Must Read",)),
        ('"privacy" - Google News', ("Must Read",)),
    ]
    # Entities in attributes are decoded once: the query string is a real query string.
    assert result.feeds[3].url == (
        "https://news.google.com/rss/search?q=privacy&hl=en-US&gl=US&ceid=US:en"
    )


def test_hand_edited_legacy_file() -> None:
    """Latin-1, attribute names in any case, feed:// URLs, a feed that holds feeds, category."""
    result = fixture("legacy.opml")
    assert result.feeds == (
        OpmlFeed("https://planet.gnome.org/atom.xml", "Planet GNOME", "https://planet.gnome.org/"),
        OpmlFeed("https://planet.debian.org/rss20.xml", "Planet Debian", "", ("Planet GNOME",)),
        OpmlFeed("http://planetpython.org/rss20.xml", "Planet Python", "", ("Planet GNOME",)),
        OpmlFeed("https://cafe.example/rss", "Café Babel", "", ("Culture", "Europe")),
        OpmlFeed("https://padded.example/feed.xml", "Padded", ""),  # javascript: htmlUrl dropped
        OpmlFeed("https://notitle.example/rss", ""),
        OpmlFeed("https://sameasurl.example/rss", ""),  # a title that is just the URL is none
    )
    assert result.invalid == (
        "skipped 'Bookmarks': a link, not a feed: https://example.com/",
        "skipped 'Empty folder': no xmlUrl and no feeds inside",
        "skipped 'Evil': not an http(s) URL: javascript:alert(document.cookie)",
        "skipped 'No host': malformed URL: http:///feed",
        "skipped 'Bad port': malformed URL: https://example.com:99x/feed",
    )


def test_title_attribute_when_text_is_missing_and_text_first_when_both() -> None:
    result = read_opml(
        opml(
            '<outline title="Only title" xmlUrl="https://a.example/"/>'
            '<outline text="Text" title="Title" xmlUrl="https://b.example/"/>'
        )
    )
    assert [f.title for f in result.feeds] == ["Only title", "Text"]


def test_every_outline_that_is_not_a_feed_or_a_folder_is_reported() -> None:
    result = read_opml(
        opml(
            '<outline type="rss" text="Lost"/>'
            '<outline text="A note"/>'
            '<outline type="link" text="Home" url="https://home.example/"/>'
            '<outline type="rss" text="By url" url="https://url.example/feed"/>'
            '<outline text="A folder"><outline xmlUrl="https://in.example/feed"/></outline>'
            f'<outline text="Long" xmlUrl="https://x.example/{"a" * 9000}"/>'
        )
    )
    assert urls(result) == ["https://url.example/feed", "https://in.example/feed"]
    assert result.invalid == (
        "skipped 'Lost': it has no xmlUrl",
        "skipped 'A note': no xmlUrl and no feeds inside",
        "skipped 'Home': a link, not a feed: https://home.example/",
        "skipped 'Long': URL longer than 8192 characters: https://x.example/" + "a" * 41 + "…",
    )


def test_category_only_applies_at_the_top_level() -> None:
    result = read_opml(
        opml(
            '<outline text="Folder"><outline text="A" xmlUrl="https://a.example/" '
            'category="/Elsewhere"/></outline>'
            '<outline text="B" xmlUrl="https://b.example/" category=" , /News//World/ ,/X"/>'
        )
    )
    assert [f.folder for f in result.feeds] == [("Folder",), ("News", "World")]


def test_outlines_in_head_are_not_subscriptions() -> None:
    result = read_opml(
        opml(
            '<outline text="A" xmlUrl="https://a.example/"/>',
            head='<head><outline text="H" xmlUrl="https://head.example/"/></head>',
        )
    )
    assert urls(result) == ["https://a.example/"]


def test_duplicates_differing_in_host_case_or_fragment_are_one_feed() -> None:
    result = read_opml(
        opml(
            '<outline text="F1"><outline text="A" xmlUrl="https://A.example/feed"/></outline>'
            '<outline text="F2"><outline text="a" xmlUrl="https://a.example/feed#top"/></outline>'
        )
    )
    assert result.feeds == (OpmlFeed("https://A.example/feed", "A", "", ("F1",)),)


def test_windows_1252_without_a_declaration_and_multibyte_encodings() -> None:
    latin = '<opml><body><outline text="Café" xmlUrl="https://c.example/"/></body></opml>'
    assert read_opml(latin.encode("cp1252")).feeds[0].title == "Café"
    sjis = (
        '<?xml version="1.0" encoding="Shift_JIS"?>'
        '<opml><body><outline text="日本語" xmlUrl="https://j.example/"/></body></opml>'
    )
    assert read_opml(sjis.encode("shift_jis")).feeds[0].title == "日本語"


# --- hostile and broken files ------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        # billion laughs
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<opml><body><outline text="&c;" xmlUrl="https://x.example/"/></body></opml>',
        # an external entity reading a local file
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<opml><body><outline text="&x;" xmlUrl="https://x.example/"/></body></opml>',
        # an external DTD
        b'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "http://127.0.0.1:9/evil.dtd">'
        b"<opml><body/></opml>",
    ],
    ids=["billion-laughs", "external-entity", "external-dtd"],
)
def test_doctype_and_entities_are_refused(data: bytes) -> None:
    with pytest.raises(NotAnOpmlError, match="DOCTYPE"):
        read_opml(data)


def test_undefined_entity_is_an_xml_error_not_a_lookup() -> None:
    with pytest.raises(NotAnOpmlError, match="undefined entity"):
        read_opml(opml('<outline text="&xxe;" xmlUrl="https://x.example/"/>'))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n", "the file is empty"),
        (b'<rss version="2.0"><channel/></rss>', "the document is <rss>, not <opml>"),
        (b"<html><body>Sign in</body></html>", "not <opml>"),
        (b"<opml><body><outline text='a'></body></opml>", "mismatched tag at line 1"),
        (b"<opml>\n<body>\n<outline", "XML error: unclosed token at line 3"),
        (b'{"version": "https://jsonfeed.org/version/1"}', "XML error: not well-formed"),
        (
            b'<?xml version="1.0" encoding="no-such-codec"?><opml/>',
            "declared character encoding is not supported",
        ),
    ],
)
def test_not_opml_says_why(data: bytes, message: str) -> None:
    with pytest.raises(NotAnOpmlError, match=message) as caught:
        read_opml(data)
    assert isinstance(caught.value, ValueError)


def test_javascript_and_data_urls_are_skipped_and_reported_with_control_characters_gone() -> None:
    # ESC is not legal XML 1.0 even as &#x1b;, but C1 controls (CSI is U+009B) and bidi
    # overrides are.
    result = read_opml(
        opml(
            '<outline text="&#x9b;31mRed\u202e" xmlUrl="JavaScript:alert(1)"/>'
            '<outline text="D" xmlUrl="data:text/xml;base64,PHJzcy8+"/>'
            '<outline text="F" xmlUrl="file:///etc/passwd"/>'
            '<outline text="[bold]ok[/bold]" xmlUrl="https://ok.example/&#x9b;2J"/>'
        )
    )
    assert result.feeds == (OpmlFeed("https://ok.example/", "[bold]ok[/bold]"),)
    assert result.invalid == (
        "skipped 'Red': not an http(s) URL: JavaScript:alert(1)",
        "skipped 'D': not an http(s) URL: data:text/xml;base64,PHJzcy8+",
        "skipped 'F': not an http(s) URL: file:///etc/passwd",
    )
    assert not any("\x9b" in text or "\u202e" in text for text in result.invalid)


def test_long_bad_urls_are_shortened_in_the_report() -> None:
    result = read_opml(opml(f'<outline text="Long" xmlUrl="javascript:{"x" * 500}"/>'))
    (message,) = result.invalid
    assert message.startswith("skipped 'Long': not an http(s) URL: javascript:xxx")
    assert message.endswith("…")
    assert len(message) < 120


def test_ten_thousand_outlines_are_fine_and_fast() -> None:
    outlines = "".join(
        f'<outline text="Folder {i}">'
        + "".join(
            f'<outline type="rss" text="Feed {i}-{j}" xmlUrl="https://f{i}.example/{j}.xml"/>'
            for j in range(100)
        )
        + "</outline>"
        for i in range(100)
    )
    started = time.perf_counter()
    result = read_opml(opml(outlines))
    elapsed = time.perf_counter() - started
    assert len(result.feeds) == 10_000
    assert result.feeds[-1] == OpmlFeed(
        "https://f99.example/99.xml", "Feed 99-99", "", ("Folder 99",)
    )
    assert elapsed < 2.0


def test_deep_nesting_does_not_recurse_and_folders_are_capped() -> None:
    depth = 5_000
    data = opml(
        "".join(f'<outline text="L{i}">' for i in range(depth))
        + '<outline text="Deep" xmlUrl="https://deep.example/"/>'
        + "</outline>" * depth
    )
    (feed,) = read_opml(data).feeds
    assert feed.folder == tuple(f"L{i}" for i in range(MAX_FOLDER_DEPTH))


# --- writing and the round trip ----------------------------------------------------------

FEEDS = (
    OpmlFeed("https://a.example/feed.xml", "Alpha", "https://a.example/", ()),
    OpmlFeed("https://b.example/rss?x=1&y=<2>", 'B "quoted" & <tagged>', "", ("News",)),
    OpmlFeed("https://c.example/atom", "", "https://c.example/", ("News", "Tech & Science")),
    OpmlFeed("https://d.example/feed.json", "Delta ünïcode ✓", "", ("Blogs",)),
    OpmlFeed("https://e.example/", "Echo", "", ("News",)),
    OpmlFeed("https://f.example/", "[bold]Fox[/bold]", "", ()),
)


def test_round_trip_keeps_feeds_titles_site_urls_and_folders() -> None:
    # A folder's contents are written together, where the folder first appears.
    in_folder_order = (FEEDS[0], FEEDS[1], FEEDS[2], FEEDS[4], FEEDS[3], FEEDS[5])
    assert read_opml(write_opml(FEEDS)) == OpmlResult(feeds=in_folder_order, invalid=())


def test_round_trip_of_every_fixture() -> None:
    for path in sorted(FIXTURES.glob("*.opml")):
        original = read_opml(path.read_bytes())
        again = read_opml(write_opml(original.feeds))
        assert set(again.feeds) == set(original.feeds), path.name
        assert again.invalid == ()


def test_written_document_is_opml_2_with_nested_folders() -> None:
    created = datetime(2025, 11, 21, 14, 5, tzinfo=UTC)
    text = write_opml(FEEDS[:3], title="Sam's <feeds>", created=created).decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n')
    assert "<title>Sam's &lt;feeds&gt;</title>" in text
    assert "<dateCreated>Fri, 21 Nov 2025 14:05:00 GMT</dateCreated>" in text
    assert (
        '    <outline type="rss" text="Alpha" title="Alpha" xmlUrl="https://a.example/feed.xml" '
        'htmlUrl="https://a.example/"/>\n'
        '    <outline text="News" title="News">\n'
        '      <outline type="rss" text="B &quot;quoted&quot; &amp; &lt;tagged&gt;" '
        'title="B &quot;quoted&quot; &amp; &lt;tagged&gt;" '
        'xmlUrl="https://b.example/rss?x=1&amp;y=&lt;2&gt;"/>\n'
        '      <outline text="Tech &amp; Science" title="Tech &amp; Science">\n'
        # an untitled feed gets its URL as text: OPML requires text
        '        <outline type="rss" text="https://c.example/atom" title="https://c.example/atom" '
        'xmlUrl="https://c.example/atom" htmlUrl="https://c.example/"/>\n'
        "      </outline>\n"
        "    </outline>\n"
    ) in text


def test_writing_drops_characters_xml_cannot_hold_and_repeats() -> None:
    feeds = [
        OpmlFeed("https://x.example/", "Bad\x00\x1b[31m\x7f\ufffe\ud800 title\n", "", ("F\x01",)),
        OpmlFeed("https://X.example/#again", "Repeat"),
    ]
    result = read_opml(write_opml(feeds))
    assert result.feeds == (OpmlFeed("https://x.example/", "Bad title", "", ("F",)),)


def test_empty_subscription_list_writes_a_valid_empty_file() -> None:
    assert read_opml(write_opml([])) == OpmlResult(feeds=(), invalid=())
