"""Bad data in feeds: wrong encodings, not-a-feed bodies, truncation, absurd dates, odd GUIDs,
relative links, NUL bytes, and sizes (a 1 MB title, 100,000 items)."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta

import pytest

from reader.feeds.parse import MAX_ENTRIES, MAX_KEY_LENGTH, NotAFeedError, parse_feed
from reader.models import ParsedFeed
from reader.netguard import MAX_URL_LENGTH

FEED_URL = "http://news.example/feeds/main.xml"
XML = {"content-type": "application/xml; charset=utf-8"}


def rss(items: str, *, channel: str = "<title>Test</title>", encoding: str = "utf-8") -> str:
    items = items.replace("<guid>", '<guid isPermaLink="false">')
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        f'<rss version="2.0"><channel>{channel}{items}</channel></rss>'
    )


def atom(entries: str, *, attrs: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom"{attrs}><title>Test</title>'
        f"<id>tag:test</id>{entries}</feed>"
    )


def one(body: str | bytes, headers: dict[str, str] | None = None) -> ParsedFeed:
    data = body.encode() if isinstance(body, str) else body
    return parse_feed(data, url=FEED_URL, headers=XML if headers is None else headers)


# --- encodings ---------------------------------------------------------------------------

ITEM = "<item><guid>k</guid><title>Crème brûlée – “quoted” €5</title></item>"
TITLE = "Crème brûlée – “quoted” €5"


@pytest.mark.parametrize(
    ("codec", "bom"),
    [
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-32-le", b"\xff\xfe\x00\x00"),
        ("utf-32-be", b"\x00\x00\xfe\xff"),
        ("utf-8", b"\xef\xbb\xbf"),
    ],
)
@pytest.mark.parametrize("declared", ["", "utf-16", "utf-8"])
@pytest.mark.parametrize(
    "content_type",
    ["application/rss+xml", "text/xml", "application/xml; charset=iso-8859-1", None],
)
def test_a_byte_order_mark_decides_the_encoding(
    codec: str, bom: bytes, declared: str, content_type: str | None
) -> None:
    decl = f'<?xml version="1.0" encoding="{declared}"?>' if declared else '<?xml version="1.0"?>'
    text = decl + f'<rss version="2.0"><channel><title>T</title>{ITEM}</channel></rss>'
    body = bom + text.encode(codec)
    headers = {} if content_type is None else {"content-type": content_type}
    feed = one(body, headers)
    assert [e.title for e in feed.entries] == [TITLE]


def test_declared_utf8_with_latin1_bytes_is_read_with_a_warning() -> None:
    body = rss(ITEM.replace("–", "-").replace("“", '"').replace("”", '"').replace("€", "E"))
    feed = one(body.encode("latin-1"))
    assert feed.entries[0].title == 'Crème brûlée - "quoted" E5'
    assert feed.warning is not None and "encoding" in feed.warning


def test_invalid_bytes_in_utf8_do_not_lose_the_entries() -> None:
    body = rss(
        "<item><guid>a</guid><title>ok \xff\xfe bad</title></item><item><guid>b</guid>"
        "<title>after</title></item>"
    ).encode("utf-8", "surrogateescape")
    body = body.replace("\xff\xfe".encode(), b"\xff\xfe\xc3")  # raw invalid UTF-8 bytes
    feed = one(body)
    assert [e.key for e in feed.entries] == ["a", "b"]
    assert feed.entries[1].title == "after"


def test_unknown_charset_label_still_reads() -> None:
    feed = one(rss(ITEM), {"content-type": "application/xml; charset=x-no-such-charset"})
    assert feed.entries[0].title == TITLE


# --- not a feed ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"", "application/xml", "not a feed (empty response)"),
        (b"\n\t  ", "application/xml", "not a feed (empty response)"),
        (b"<!DOCTYPE html><html><body><p>Hello</p></body></html>", "text/html", "got an HTML page"),
        (b"<html><body>Moved</body></html>", "application/xml", "got an HTML page"),
        (b'{"error": "not found"}', "application/json", "got JSON data"),
        (b'[{"title": "x"}]', "text/plain", "got JSON data"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png", "not a feed"),
        (b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", "XML"),
        (b"just some words", "text/plain", "not a feed"),
    ],
)
def test_not_a_feed_says_what_it_got(body: bytes, content_type: str, message: str) -> None:
    with pytest.raises(NotAFeedError) as caught:
        one(body, {"content-type": content_type})
    assert message in str(caught.value)
    assert str(caught.value).startswith("not a feed")


@pytest.mark.parametrize("cut", [0.35, 0.5, 0.75, 0.9, 0.99])
def test_truncated_feed_keeps_the_whole_entries_before_the_cut(cut: float) -> None:
    items = "".join(f"<item><guid>g{i}</guid><title>Title {i}</title></item>" for i in range(20))
    body = rss(items).encode()
    feed = one(body[: int(len(body) * cut)])
    keys = [e.key for e in feed.entries]
    whole = keys[:-1]  # the last one may be cut short (a partial GUID is still an identity)
    assert whole == [f"g{i}" for i in range(len(whole))]  # a prefix of the feed, in order
    assert len(keys) >= int(20 * cut) - 2
    assert feed.warning is not None and feed.warning.startswith("malformed XML")


def test_truncated_in_the_prolog_is_not_a_feed() -> None:
    with pytest.raises(NotAFeedError):
        one(b'<?xml version="1.0"?>\n<rs')


# --- missing and absurd fields ------------------------------------------------------------


def test_entries_with_nothing_but_an_identity() -> None:
    feed = one(
        rss(
            "<item><guid>only-guid</guid></item>"
            "<item><link>http://news.example/only-link</link></item>"
            "<item><description>only a summary</description></item>"
            "<item></item>",
            channel="",
        )
    )
    assert feed.title == ""
    assert [e.title for e in feed.entries] == ["(untitled)", "(untitled)", "only a summary"]
    assert [e.key for e in feed.entries][:2] == ["only-guid", "http://news.example/only-link"]
    assert feed.entries[2].key.startswith("sha1:")
    assert all(e.published is None and e.updated is None for e in feed.entries)
    assert all(e.link == "" for e in feed.entries if e.key != "http://news.example/only-link")


NOW = datetime.now(UTC)


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("Thu, 01 Jan 1970 00:00:00 GMT", False),  # the epoch: a default, not a date
        ("Sat, 01 Jan 0001 00:00:00 GMT", False),
        ("Sun, 31 Dec 1989 23:59:59 GMT", False),
        ("Mon, 01 Jan 1990 00:00:00 GMT", True),
        ("Fri, 31 Dec 2999 00:00:00 GMT", False),  # far future: would pin the entry on top
        (timedelta(days=2), False),  # from now; kept as an offset so test ids stay stable
        (timedelta(hours=2), True),  # clock skew
        (timedelta(days=-3), True),
        ("not a date", False),
        ("Mon, 45 Foo 2025 99:99:99 GMT", False),
        ("the day after tomorrow", False),
        ("9" * 5000, False),
        ("", False),
    ],
)
def test_absurd_dates_are_treated_as_missing(value: str | timedelta, kept: bool) -> None:
    if isinstance(value, timedelta):
        value = (datetime.now(UTC) + value).strftime("%a, %d %b %Y %H:%M:%S GMT")
    entry = one(rss(f"<item><guid>k</guid><title>t</title><pubDate>{value}</pubDate></item>"))
    entry = entry.entries[0]
    if kept:
        assert entry.published is not None
        assert datetime(1990, 1, 1, tzinfo=UTC) <= entry.published <= NOW + timedelta(days=1)
    else:
        assert entry.published is None


def test_an_absurd_published_date_falls_back_to_a_sane_updated_one() -> None:
    entry = one(
        atom(
            "<entry><id>e</id><title>t</title><published>2999-01-01T00:00:00Z</published>"
            "<updated>2024-05-06T07:08:09Z</updated></entry>"
        )
    ).entries[0]
    assert entry.published == entry.updated == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


# --- identity ------------------------------------------------------------------------------


def test_duplicate_guids_in_one_document_keep_the_first() -> None:
    feed = one(
        rss(
            "<item><guid>dup</guid><title>first</title></item>"
            "<item><guid>other</guid><title>other</title></item>"
            "<item><guid>dup</guid><title>second</title></item>"
            "<item><guid>dup</guid><title>third</title></item>"
        )
    )
    assert [(e.key, e.title) for e in feed.entries] == [("dup", "first"), ("other", "other")]


def test_a_20_kb_guid_becomes_a_bounded_stable_key() -> None:
    long_a = "a" * 20_000
    long_b = "a" * 19_999 + "b"  # same first 2 KB (and 19 KB): must still differ
    feed = one(
        rss(f"<item><guid>{long_a}</guid><title>A</title></item>")
        + ""  # (one document per GUID below, to compare across fetches too)
    )
    again = one(rss(f"<item><guid>{long_a}</guid><title>A again</title></item>"))
    other = one(rss(f"<item><guid>{long_b}</guid><title>B</title></item>"))
    key = feed.entries[0].key
    assert key == "sha1:" + hashlib.sha1(long_a.encode()).hexdigest()
    assert key == again.entries[0].key
    assert key != other.entries[0].key
    assert len(key) == 45


def test_a_guid_at_the_limit_is_kept_as_written() -> None:
    guid = "x" * MAX_KEY_LENGTH
    assert one(rss(f"<item><guid>{guid}</guid></item>")).entries[0].key == guid


def test_a_guid_with_nul_and_controls_is_stored_without_them() -> None:
    feed = one(
        rss(
            "<item><guid>a\x00b</guid><title>raw NUL</title></item>"
            "<item><guid>c&#0;d&#x1b;[2Je</guid><title>referenced</title></item>"
        )
    )
    assert [e.key for e in feed.entries] == ["ab", "cde"]


def test_a_raw_nul_does_not_drop_the_items_after_it() -> None:
    items = "".join(f"<item><guid>g{i}</guid><title>T{i}</title></item>" for i in range(5))
    body = rss(items).encode().replace(b"<item><guid", b"\x00<item><guid", 3)
    body = body.replace(b"T2<", b"T\x002<")
    feed = one(body)
    assert [e.key for e in feed.entries] == [f"g{i}" for i in range(5)]
    assert feed.entries[2].title == "T2"
    assert feed.warning is None  # NULs are removed before parsing: the strict parser reads it


def test_many_nuls() -> None:
    body = rss("<item><guid>a</guid><title>t</title></item>").encode()
    body = body.replace(b"<channel>", b"<channel>" + b"\x00" * 1_000_000)
    assert [e.key for e in one(body).entries] == ["a"]


# --- links -------------------------------------------------------------------------------


def test_relative_links_without_xml_base_resolve_against_the_feed_url() -> None:
    entry = one(rss("<item><guid>k</guid><link>../post/1.html</link></item>")).entries[0]
    assert entry.link == "http://news.example/post/1.html"


def test_xml_base_on_the_feed_and_the_entry() -> None:
    feed = one(
        atom(
            "<entry xml:base='/blog/'><id>a</id><title>a</title><link href='one.html'/></entry>"
            "<entry xml:base='http://cdn.example/x/'><id>b</id><title>b</title>"
            "<link href='two.html'/>"
            "<content type='html' xml:base='deeper/'>&lt;a href='three.html'&gt;3&lt;/a&gt;"
            "</content></entry>"
            "<entry><id>c</id><title>c</title><link href='plain.html'/></entry>",
            attrs=" xml:base='http://base.example/root/'",
        )
    )
    one_, two, plain = feed.entries
    assert one_.link == "http://base.example/blog/one.html"
    assert two.link == "http://cdn.example/x/two.html"
    assert 'href="http://cdn.example/x/deeper/three.html"' in two.content
    assert plain.link == "http://base.example/root/plain.html"


@pytest.mark.parametrize(
    "base", ["javascript:alert(1)//", "file:///etc/", "data:text/html,x/", "ftp://files.example/"]
)
def test_a_non_http_xml_base_never_makes_a_non_http_link(base: str) -> None:
    entry = one(
        atom(f"<entry xml:base='{base}'><id>a</id><title>a</title><link href='x.html'/></entry>")
    ).entries[0]
    assert entry.link == "" or entry.link.startswith(("http://", "https://"))


def test_very_long_links_are_dropped_not_truncated() -> None:
    near = "http://news.example/" + "a" * (MAX_URL_LENGTH - 40)
    over = "http://news.example/" + "b" * MAX_URL_LENGTH
    feed = one(
        atom(
            f"<entry><id>a</id><title>a</title><link href='{near}'/>"
            f"<link rel='related' href='{over}' title='too long'/></entry>"
            f"<entry><id>b</id><title>b</title><link href='{over}'/></entry>"
        )
    )
    assert feed.entries[0].link == near
    assert feed.entries[0].related == ()
    assert feed.entries[1].link == ""


# --- sizes -------------------------------------------------------------------------------


def test_a_1_mb_title_is_capped() -> None:
    started = time.perf_counter()
    feed = one(rss(f"<item><guid>k</guid><title>{'word ' * 200_000}</title></item>"))
    assert time.perf_counter() - started < 3
    title = feed.entries[0].title
    assert len(title) <= 2000 and title.endswith("…")


def test_100000_items_are_capped_with_a_note() -> None:
    items = "".join(f"<item><guid>g{i}</guid><title>T{i}</title></item>" for i in range(100_000))
    body = rss(items).encode()
    started = time.perf_counter()
    feed = one(body)
    assert time.perf_counter() - started < 3
    assert len(feed.entries) == MAX_ENTRIES
    assert [e.key for e in feed.entries[:3]] == ["g0", "g1", "g2"]  # document order
    assert feed.entries[-1].key == f"g{MAX_ENTRIES - 1}"
    assert feed.warning == f"only the first {MAX_ENTRIES} of 100000 entries were read"


def test_the_entry_cap_holds_in_utf16_too() -> None:
    # The raw-bytes pass cannot read UTF-16; the guard inside feedparser caps it.
    items = "".join(f"<item><guid>g{i}</guid><title>T</title></item>" for i in range(5_000))
    feed = one(rss(items, encoding="utf-16").encode("utf-16"), {})
    assert len(feed.entries) == MAX_ENTRIES
    assert feed.warning is not None
    assert feed.warning.startswith(f"only the first {MAX_ENTRIES} of 5000 entries were read")


def test_the_entry_cap_counts_atom_entries_too() -> None:
    entries = "".join(
        f"<entry><id>e{i}</id><title>t</title></entry>" for i in range(MAX_ENTRIES + 5)
    )
    feed = one(atom(entries))
    assert len(feed.entries) == MAX_ENTRIES
    assert feed.warning is not None
    assert feed.warning.startswith(f"only the first {MAX_ENTRIES} of {MAX_ENTRIES + 5}")


def test_exactly_max_entries_has_no_note() -> None:
    items = "".join(f"<item><guid>g{i}</guid></item>" for i in range(MAX_ENTRIES))
    feed = one(rss(items))
    assert len(feed.entries) == MAX_ENTRIES and feed.warning is None


def test_many_big_entries_parse_in_bounded_time() -> None:
    paragraph = "<p>" + "words and more words " * 50 + "</p>"
    items = "".join(
        f"<item><guid>g{i}</guid><title>T{i}</title>"
        f"<description><![CDATA[{paragraph * 4}]]></description></item>"
        for i in range(300)
    )
    started = time.perf_counter()
    feed = one(rss(items))  # ~1.3 MB of HTML through feedparser's sanitiser
    assert time.perf_counter() - started < 8
    assert len(feed.entries) == 300
