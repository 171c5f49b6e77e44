"""JSON Feed 1.0 and 1.1 into ParsedFeed, by the same rules as RSS and Atom."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from reader.article.from_entry import article_from_entry
from reader.article.render import render_article
from reader.feeds.errors import NotAFeedError
from reader.feeds.jsonfeed import looks_like_json_feed, parse_json_feed
from reader.models import Entry, ParsedFeed

FIXTURES = Path(__file__).parent / "fixtures" / "jsonfeed"
FEED_URL = "https://signal.example/feed.json"
V1_1 = "https://jsonfeed.org/version/1.1"


def fixture(name: str) -> ParsedFeed:
    body = (FIXTURES / name).read_bytes()
    assert looks_like_json_feed(body)
    return parse_json_feed(body, url=FEED_URL)


def feed(items: list[Any], **top: Any) -> bytes:
    return json.dumps({"version": V1_1, "title": "T", **top, "items": items}).encode()


def one(item: dict[str, Any], **top: Any) -> Entry:
    (entry,) = parse_json_feed(feed([item], **top), url=FEED_URL).entries
    return entry


# --- the fixtures ------------------------------------------------------------------------


def test_version_1_with_every_field() -> None:
    parsed = fixture("v1.json")
    assert parsed.title == "Signal Desk"
    assert parsed.site_url == "https://signal.example/"
    assert parsed.warning is None
    first, second, third = parsed.entries

    assert first.key == "https://signal.example/articles/ssa-ice-appointments"
    assert first.title == "When Social Security Becomes Immigration Enforcement"
    assert first.link == "https://signal.example/articles/ssa-ice-appointments.html"
    assert first.author == "Dana Ortiz"
    assert first.published == datetime(2025, 11, 21, 14, 5, tzinfo=UTC)
    assert first.updated == datetime(2025, 11, 21, 16, 30, tzinfo=UTC)
    assert first.summary == "SSA workers told to share appointment details with ICE agents."
    assert first.related == ()
    # content_html is sanitised like an RSS feed's: no script, no handlers, URLs absolute.
    # The HTML is kept as sent (as for XML feeds) and only ever read as data.
    shown = render_article(article_from_entry(first)).markdown
    assert "Field offices were told on Monday" in shown
    assert "alert" not in shown and "steal" not in shown
    assert 'href="https://signal.example/articles/ice-office-leases.html"' in first.content
    assert 'src="https://signal.example/img/queue.jpg"' in first.content
    assert first.content.startswith("<p>Field offices were told on Monday.</p>")

    # A numeric id is coerced to a string; no title: the start of the content stands in;
    # a relative url resolves against the feed; no author: the feed's author.
    assert second.key == "42"
    assert second.title.startswith("Discord will default every user to teen mode")
    assert len(second.title) <= 100
    assert second.link == "https://signal.example/articles/discord-teen-mode.html"
    assert second.author == "Signal Desk staff"
    assert second.published == datetime(2025, 11, 20, 8, 0, tzinfo=UTC)
    assert second.updated is None
    # content_text becomes escaped paragraphs: its "<b>" is text, not markup.
    assert second.content == (
        "<p>Discord will default every user to teen mode until they verify their age.</p>\n"
        "<p>Privacy advocates say &lt;b&gt;this&lt;/b&gt; &amp; the ID breach are linked.</p>"
    )

    # Only external_url: that is the link.
    assert third.link == "https://elsewhere.example/story?id=3"
    assert third.key == "tag:signal.example,2025:linked-3"
    assert third.published is None


def test_version_1_1_with_escaped_slashes_authors_and_extensions() -> None:
    parsed = fixture("v1_1.json")
    assert parsed.title == "Notes from the Field"
    assert parsed.site_url == "https://notes.example/"
    first, second, no_id, bare = parsed.entries

    assert first.key == "1001"
    assert first.author == "Bo Grant"  # the item's own authors win over the feed's
    assert first.published == datetime(2025, 11, 19, 9, 0, 0, 123000, tzinfo=UTC)
    assert first.updated == datetime(2025, 11, 19, 11, 0, tzinfo=UTC)
    assert first.content == "<p>Recording devices <em>everywhere</em>.</p>"

    assert second.title == "Doppelgänger matches faces"
    assert second.author == "Ada Field, Bo Grant"
    assert second.published == datetime(2025, 11, 18, tzinfo=UTC)  # a bare date: midnight UTC
    assert second.content == "<p>Plain text only.</p>"

    assert no_id.key == "https://notes.example/2025/11/no-id"  # no id: the url is the key

    assert bare.key.startswith("sha1:")  # no id, no url: a hash of title and content
    assert bare.link == ""
    assert bare.title == "Neither id nor url nor title: a short note that becomes its own title."


def test_keys_are_stable_across_parses() -> None:
    assert fixture("v1_1.json").entries[3].key == fixture("v1_1.json").entries[3].key


# --- missing and wrong fields ------------------------------------------------------------


def test_minimal_feed_and_an_empty_item_that_is_no_entry() -> None:
    parsed = parse_json_feed(
        b'{"version": "https://jsonfeed.org/version/1", "items": [{}, {"summary": "Hi"}]}',
        url=FEED_URL,
    )
    assert parsed.title == ""
    assert parsed.site_url == ""
    (entry,) = parsed.entries  # `{}` has nothing in it: dropped, as an empty RSS item is
    assert entry.title == "Hi"
    assert entry.key.startswith("sha1:")
    assert (entry.link, entry.author, entry.summary, entry.content) == ("", "", "Hi", "")
    assert entry.published is None and entry.updated is None


def test_feed_without_items_is_an_empty_feed() -> None:
    parsed = parse_json_feed(
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "x"}', url=FEED_URL
    )
    assert parsed.entries == ()
    assert parsed.warning is None


def test_wrongly_typed_fields_are_ignored_not_crashed_on() -> None:
    body = feed(
        [
            {
                "id": True,
                "title": ["not", "a", "string"],
                "url": 7,
                "external_url": {"x": 1},
                "summary": None,
                "content_html": 3.5,
                "content_text": "Text survives.",
                "date_published": 1700000000,
                "authors": "Ada",
                "author": {"name": "1.0 author"},
            },
            "not an object",
            42,
            {"id": 3.0, "title": "Float id", "authors": [{"name": 5}, None, {"name": " Real "}]},
        ],
        authors={"name": "not a list"},
        home_page_url=["x"],
        title=12,
    )
    parsed = parse_json_feed(body, url=FEED_URL)
    assert parsed.title == "" and parsed.site_url == ""
    first, second = parsed.entries
    assert first.title == "Text survives."
    assert first.link == ""
    assert first.key.startswith("sha1:")
    assert first.published is None
    assert first.author == "1.0 author"  # `authors` is not a list: 1.0's `author` is used
    assert second.key == "3.0"
    assert second.author == "Real"


def test_items_that_are_not_a_list_give_a_warning() -> None:
    parsed = parse_json_feed(feed([])[:-3] + b'{"a": 1}}', url=FEED_URL)
    assert parsed.entries == ()
    assert parsed.warning == "the JSON Feed's items are not a list; no entries read"


def test_an_unknown_future_version_is_read_with_a_warning() -> None:
    body = json.dumps({"version": "https://jsonfeed.org/version/2", "items": [{"id": "a"}]})
    parsed = parse_json_feed(body.encode(), url=FEED_URL)
    assert [e.key for e in parsed.entries] == ["a"]
    assert parsed.warning == "unknown JSON Feed version 2"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-11-21T14:05:00Z", datetime(2025, 11, 21, 14, 5, tzinfo=UTC)),
        ("2025-11-21t09:05:00-05:00", datetime(2025, 11, 21, 14, 5, tzinfo=UTC)),
        ("2025-11-21 14:05:00+00:00", datetime(2025, 11, 21, 14, 5, tzinfo=UTC)),
        ("2025-11-21T14:05:00.123456789Z", datetime(2025, 11, 21, 14, 5, 0, 123456, tzinfo=UTC)),
        ("2016-12-31T23:59:60Z", datetime(2016, 12, 31, 23, 59, 59, tzinfo=UTC)),  # leap second
        ("2025-11-21T14:05:00", datetime(2025, 11, 21, 14, 5, tzinfo=UTC)),  # no offset: UTC
        ("yesterday", None),
        ("2025-13-45T99:00:00Z", None),
        ("Fri, 21 Nov 2025 14:05:00 GMT", None),  # RFC 822 is not RFC 3339
        ("0001-01-01T00:00:00+01:00", None),  # before year 1 in UTC
        ("", None),
        ("2025-11-21T14:05:00Z" + " " * 100, None),
    ],
)
def test_dates(value: str, expected: datetime | None) -> None:
    entry = one({"id": "x", "date_published": value, "date_modified": value})
    assert entry.published == expected
    assert entry.updated == expected


def test_published_falls_back_to_modified() -> None:
    entry = one({"id": "x", "date_published": "garbage", "date_modified": "2025-01-02T03:04:05Z"})
    assert entry.published == entry.updated == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_content_equal_to_summary_is_not_content() -> None:
    entry = one({"id": "x", "summary": "Same words.", "content_text": "Same words."})
    assert entry.content == ""  # as in RSS: content that repeats the summary is not content
    entry = one({"id": "y", "summary": "<p>Same</p>", "content_html": "<p>Same</p>"})
    assert entry.content == ""


def test_url_preferred_over_external_url_and_unsafe_urls_dropped() -> None:
    assert one({"url": "/a", "external_url": "https://x.example/"}).link == (
        "https://signal.example/a"
    )
    entry = one({"url": "javascript:alert(1)", "external_url": "data:text/html,hi"})
    assert entry.link == ""
    # The raw url is still an identity when nothing better exists (as parse.py does).
    assert entry.key == "javascript:alert(1)"
    site = parse_json_feed(feed([], home_page_url="javascript:alert(1)"), url=FEED_URL)
    assert site.site_url == ""
    assert one({"external_url": "//cdn.example/x"}).link == "https://cdn.example/x"


# --- hostile strings ---------------------------------------------------------------------


def test_control_characters_are_stripped_everywhere_and_markup_kept_literal() -> None:
    esc = "\x1b[2J\x1b]8;;https://evil.example\x07"
    body = feed(
        [
            {
                "id": f"id{esc}1",
                "url": f"https://x.example/{esc}a",
                "title": f"[bold]Title[/bold]{esc}\u202e",
                "summary": "Sum\x9b31mmary\x00",
                "content_text": f"Body{esc}",
                "authors": [{"name": f"[red]Ann{esc}"}],
            },
            {"id": "2", "content_html": f"<p>Html{esc}</p><p>&#x1b;[31m</p>"},
        ],
        title=f"Feed{esc}",
    )
    parsed = parse_json_feed(body, url=FEED_URL)
    assert parsed.title == "Feed"
    first, second = parsed.entries
    assert first.key == "id1"
    assert first.link == "https://x.example/a"
    assert first.title == "[bold]Title[/bold]"  # Rich markup is the UI's to escape
    assert first.summary == "Summary"
    assert first.content == "<p>Body</p>"
    assert first.author == "[red]Ann"
    assert second.content.startswith("<p>Html</p>")
    for entry in parsed.entries:
        for text in (entry.key, entry.title, entry.link, entry.author, entry.summary):
            assert not any(ch in text for ch in "\x1b\x07\x9b\x00\u202e")
        assert "\x1b" not in entry.content


def test_huge_title_is_capped() -> None:
    assert len(one({"id": "x", "title": "word " * 10_000}).title) <= 2000


# --- what is not a JSON Feed -------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"data": [1, 2, 3]}', "got JSON data, not a JSON Feed"),
        (b"[1, 2, 3]", "got JSON data, not a JSON Feed"),
        (b'{"version": "1.1", "items": []}', "not a JSON Feed"),
        (b'{"version": "https://example.com/jsonfeed.org/version/1", "items": []}', "not a JSON"),
        (b'{"version": 1, "items": []}', "not a JSON Feed"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": [', "invalid JSON"),
        (b"", "empty response"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_not_a_json_feed(body: bytes, message: str) -> None:
    with pytest.raises(NotAFeedError, match=message):
        parse_json_feed(body, url=FEED_URL)


def test_utf8_bom_and_utf16_are_read_and_broken_utf8_is_a_warning() -> None:
    text = '{"version": "https://jsonfeed.org/version/1.1", "title": "Café", "items": []}'
    assert parse_json_feed(b"\xef\xbb\xbf" + text.encode(), url=FEED_URL).title == "Café"
    assert parse_json_feed(text.encode("utf-16"), url=FEED_URL).title == "Café"
    broken = parse_json_feed(text.encode("latin-1"), url=FEED_URL)
    assert broken.title == "Caf\ufffd"
    assert broken.warning == "the JSON Feed is not valid UTF-8; some characters were replaced"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"version": "https://jsonfeed.org/version/1.1"}', True),
        (b'\xef\xbb\xbf\n  {"version":"https:\\/\\/jsonfeed.org\\/version\\/1"}', True),
        (b'{"title": "x", "items": [], "version": "https://jsonfeed.org/version/1"}', True),
        (b'{"data": []}', False),
        (b"<rss><channel><title>jsonfeed.org fans</title></channel></rss>", False),
        (b"<!doctype html><p>See https://jsonfeed.org/version/1.1</p>", False),
        (b"", False),
    ],
)
def test_sniff(body: bytes, expected: bool) -> None:
    assert looks_like_json_feed(body) is expected


def test_tags_are_categories() -> None:
    entry = one({"id": "1", "title": "t", "tags": ["Rust", 7, " Rust ", "Web  dev"]})
    assert entry.categories == ("Rust", "Web dev")
