"""Feed autodiscovery: scanning pages for feed links, and `discover` against loopback servers."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.feeds.discover import (
    COMMON_PATHS,
    DiscoveredFeed,
    DiscoveryResult,
    discover,
    find_feed_links,
)
from reader.feeds.fetch import Fetcher
from tests.server import FixtureServer, Route

PAGE = "https://blog.example/posts/hello.html"
HTML = "text/html; charset=utf-8"
JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Signal Desk (JSON)",
        "items": [{"id": "1", "title": "One", "url": "/articles/one.html"}],
    }
).encode()


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureServer]:
    """One seed-site server for tests that add routes of their own and count nothing."""
    with FixtureServer() as srv:
        yield srv


@pytest.fixture
def bare(tmp_path: Path) -> Iterator[FixtureServer]:
    """A server with no files at all: every common feed path is a 404."""
    with FixtureServer(root=tmp_path) as srv:
        yield srv


async def run(url: str) -> DiscoveryResult:
    async with Fetcher(timeout=5, connect_timeout=2, deadline=10) as fetcher:
        return await discover(url, fetcher)


def page(head: str = "", body: str = "") -> bytes:
    html = f"<!DOCTYPE html><html><head><title>P</title>{head}</head><body>{body}</body></html>"
    return html.encode()


# --- scanning a page ---------------------------------------------------------------------


def test_alternate_links_of_every_feed_type_in_page_order() -> None:
    html = """
    <link rel="stylesheet" href="/style.css">
    <link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.rss">
    <link REL="Alternate" TYPE="Application/Atom+XML" title="Atom" href="atom.xml">
    <link rel="alternate" type="application/feed+json" title="JSON" href="/feed.json">
    <link rel="alternate" type="application/json" title="Plain JSON" href="/feed2.json">
    <link rel="alternate" type="application/rdf+xml" title="RDF" href="/index.rdf">
    <link rel="alternate" type="text/xml" title="XML" href="/feed.xml">
    <link rel="alternate" type="application/rss+xml; charset=utf-8" href="/rss2">
    <link rel="alternate" hreflang="fr" href="/fr/">
    <link rel="alternate stylesheet" type="text/css" href="/dark.css">
    """
    assert find_feed_links(html, PAGE) == [
        DiscoveredFeed("https://blog.example/feed.rss", "RSS", "rss"),
        DiscoveredFeed("https://blog.example/posts/atom.xml", "Atom", "atom"),
        DiscoveredFeed("https://blog.example/feed.json", "JSON", "json"),
        DiscoveredFeed("https://blog.example/feed2.json", "Plain JSON", "json"),
        DiscoveredFeed("https://blog.example/index.rdf", "RDF", "rss"),
        DiscoveredFeed("https://blog.example/feed.xml", "XML", "unknown"),
        DiscoveredFeed("https://blog.example/rss2", "", "rss"),
    ]


def test_rel_with_several_tokens_and_html5_rel_feed() -> None:
    html = (
        '<link rel="home alternate" type="application/atom+xml" href="/a.atom">'
        '<link rel="feed" href="/all">'
        '<link rel="me" type="application/rss+xml" href="/not-alternate.rss">'
    )
    assert find_feed_links(html, PAGE) == [
        DiscoveredFeed("https://blog.example/a.atom", "", "atom"),
        DiscoveredFeed("https://blog.example/all", "", "unknown"),
    ]


def test_base_href_applies_to_every_link_even_those_before_it() -> None:
    html = (
        '<link rel="alternate" type="application/rss+xml" href="feed.xml">'
        '<base href="https://cdn.example/site/">'
        '<base href="https://ignored.example/">'
        '<link rel="alternate" type="application/atom+xml" href="../atom.xml">'
    )
    assert [f.url for f in find_feed_links(html, PAGE)] == [
        "https://cdn.example/site/feed.xml",
        "https://cdn.example/atom.xml",
    ]


def test_relative_base_and_unsafe_base() -> None:
    relative = '<base href="/root/"><link rel="alternate" type="application/rss+xml" href="f">'
    assert find_feed_links(relative, PAGE)[0].url == "https://blog.example/root/f"
    unsafe = (
        '<base href="javascript:alert(1)//">'
        '<link rel="alternate" type="application/rss+xml" href="f">'
    )
    assert find_feed_links(unsafe, PAGE)[0].url == "https://blog.example/posts/f"


def test_unsafe_duplicate_and_api_links_are_dropped() -> None:
    html = """
    <link rel="alternate" type="application/rss+xml" title="Evil" href="javascript:alert(1)">
    <link rel="alternate" type="application/rss+xml" title="Data" href="data:text/xml,x">
    <link rel="alternate" type="application/rss+xml" title="Empty" href="  ">
    <link rel="alternate" type="application/rss+xml" title="No host" href="http:///x">
    <link rel="alternate" type="application/rss+xml" title="Main" href="/feed/#top">
    <link rel="alternate" type="application/rss+xml" title="Again" href="https://blog.example/feed/">
    <link rel="alternate" type="application/json+oembed" href="/oembed/1.0/embed?url=x">
    <link rel="alternate" type="text/xml+oembed" href="/oembed/1.0/embed?format=xml">
    <link rel="alternate" type="application/json" href="https://blog.example/wp-json/wp/v2/posts/7">
    <link rel="alternate" type="application/rss+xml" title="Comments" href="/comments/feed/">
    """
    assert find_feed_links(html, PAGE) == [
        DiscoveredFeed("https://blog.example/feed/", "Main", "rss"),
        DiscoveredFeed("https://blog.example/comments/feed/", "Comments", "rss"),
    ]


def test_feed_looking_anchors_come_after_link_elements() -> None:
    html = """
    <body>
    <a href="/feed">RSS <b>feed</b></a>
    <a href="/about">About</a>
    <a href="https://other.example/atom.xml" title="Their Atom"><img src="atom.png"></a>
    <a href="/index.xml">Index</a>
    <a href="javascript:feed()">/feed</a>
    <a href="/podcast/feed.json">Podcast</a>
    <a href="/feed.xml">same as the link element</a>
    <a href="hello.html">this page itself</a>
    </body>
    <link rel="alternate" type="application/rss+xml" title="Main" href="/feed.xml">
    """
    assert find_feed_links(html, PAGE) == [
        DiscoveredFeed("https://blog.example/feed.xml", "Main", "rss"),
        DiscoveredFeed("https://blog.example/feed", "RSS feed", "unknown"),
        DiscoveredFeed("https://other.example/atom.xml", "Their Atom", "atom"),
        DiscoveredFeed("https://blog.example/index.xml", "Index", "unknown"),
        DiscoveredFeed("https://blog.example/podcast/feed.json", "Podcast", "json"),
    ]


def test_links_inside_scripts_and_comments_are_not_links() -> None:
    html = (
        '<script>var s = \'<link rel="alternate" type="application/rss+xml" href="/s">\';'
        "</script>"
        '<!-- <link rel="alternate" type="application/rss+xml" href="/c"> -->'
    )
    assert find_feed_links(html, PAGE) == []


def test_hostile_titles_are_cleaned_and_markup_kept_literal() -> None:
    html = (
        '<link rel="alternate" type="application/rss+xml" '
        'title="\x1b[2J[bold]Feed[/bold]\u202e  and\n more" href="/f">'
        # As an entity, ESC is dropped by the HTML parser itself; the rest is inert text.
        '<link rel="alternate" type="application/atom+xml" title="&#x1b;[2Jx" href="/g">'
    )
    first, second = find_feed_links(html, PAGE)
    assert first.title == "[bold]Feed[/bold] and more"
    assert second.title == "[2Jx"


def test_bytes_are_decoded_by_meta_charset() -> None:
    html = (
        '<meta charset="windows-1252"><link rel="alternate" type="application/rss+xml" '
        'title="Caf\xe9" href="/f">'
    ).encode("cp1252")
    assert find_feed_links(html, PAGE)[0].title == "Café"


def test_broken_markup_does_not_raise() -> None:
    html = (
        '<link rel="alternate" type="application/rss+xml" href="/f" <a href="/feed"<<>>&#xffffff;'
    )
    assert isinstance(find_feed_links(html, PAGE), list)
    assert find_feed_links("", PAGE) == []
    assert find_feed_links(b"\xff\xfe\x00", PAGE) == []


# --- discovering against a server --------------------------------------------------------


async def test_seed_homepage_offers_its_two_feeds_in_order(site: FixtureServer) -> None:
    result = await run(site.url("/index.html"))
    assert result == DiscoveryResult(
        feeds=(
            DiscoveredFeed(site.url("/feed.xml"), "Signal Desk", "rss"),
            DiscoveredFeed(site.url("/atom-full.xml"), "Signal Desk (full text)", "atom"),
        ),
        error=None,
    )


async def test_a_feed_url_given_directly_is_itself(site: FixtureServer) -> None:
    rss = await run(site.url("/feed.xml"))
    assert rss == DiscoveryResult((DiscoveredFeed(site.url("/feed.xml"), "Signal Desk", "rss"),))
    atom = await run(site.url("/atom-full.xml"))
    assert atom.feeds == (
        DiscoveredFeed(site.url("/atom-full.xml"), "Signal Desk (full text)", "atom"),
    )


async def test_a_json_feed_given_directly_is_itself(site: FixtureServer) -> None:
    site.add_route("/direct/feed.json", Route(body=JSON_FEED, content_type="application/json"))
    result = await run(site.url("/direct/feed.json"))
    assert result.feeds == (
        DiscoveredFeed(site.url("/direct/feed.json"), "Signal Desk (JSON)", "json"),
    )


async def test_a_page_without_links_falls_back_to_common_paths(server: FixtureServer) -> None:
    server.add_route(
        "/blog/plain.html", Route(body=page(body="<p>No feeds here</p>"), content_type=HTML)
    )
    result = await run(server.url("/blog/plain.html"))
    assert result == DiscoveryResult(
        (DiscoveredFeed(server.url("/feed.xml"), "Signal Desk", "rss"),)
    )
    # Tried in order at the site's root, and no further than the first feed.
    assert server.requests["/feed"] == 1
    assert server.requests["/rss"] == 1
    assert server.requests["/feed.xml"] == 1
    assert server.requests["/rss.xml"] == 0


async def test_a_json_feed_on_a_common_path(bare: FixtureServer) -> None:
    bare.add_route("/", Route(body=page(), content_type=HTML))
    bare.add_route("/feed.json", Route(body=JSON_FEED, content_type="application/feed+json"))
    result = await run(bare.url("/"))
    assert result.feeds == (DiscoveredFeed(bare.url("/feed.json"), "Signal Desk (JSON)", "json"),)


async def test_feed_looking_anchors_are_tried_before_common_paths(server: FixtureServer) -> None:
    feed_body = server.file_body("/atom-full.xml")
    assert feed_body is not None
    server.add_route("/news/atom", Route(body=feed_body))
    server.add_route(
        "/news/",
        Route(body=page(body='<a href="rss">RSS</a> <a href="atom">Atom</a>'), content_type=HTML),
    )
    result = await run(server.url("/news/"))
    assert result.feeds == (
        DiscoveredFeed(server.url("/news/atom"), "Signal Desk (full text)", "atom"),
    )
    assert server.requests["/news/rss"] == 1  # a 404: tried, then the next candidate
    assert server.requests["/feed"] == 0


async def test_soft_404_pages_are_not_feeds(bare: FixtureServer) -> None:
    """A site that answers every path with its homepage (200, HTML) offers no feed."""
    home = Route(body=page(body="<h1>Welcome</h1>"), content_type=HTML)
    bare.add_route("/", home)
    for path in COMMON_PATHS:
        bare.add_route(path, home)
    result = await run(bare.url("/"))
    assert result == DiscoveryResult((), "no feed found on this page")
    assert sum(bare.requests[p] for p in COMMON_PATHS) == len(COMMON_PATHS)  # bounded


async def test_an_html_fragment_page_is_a_page_not_a_broken_feed(bare: FixtureServer) -> None:
    bare.add_route("/frag", Route(body=b"<!-- cms -->\n<head><title>x</title></head><p>hi"))
    assert await run(bare.url("/frag")) == DiscoveryResult((), "no feed found on this page")


async def test_a_link_to_javascript_is_skipped(bare: FixtureServer) -> None:
    head = (
        '<link rel="alternate" type="application/rss+xml" title="Evil" href="javascript:alert(1)">'
        '<link rel="alternate" type="application/atom+xml" title="Good" href="/good.atom">'
    )
    bare.add_route("/two", Route(body=page(head), content_type=HTML))
    assert (await run(bare.url("/two"))).feeds == (
        DiscoveredFeed(bare.url("/good.atom"), "Good", "atom"),
    )
    evil_only = '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
    bare.add_route("/evil", Route(body=page(evil_only), content_type=HTML))
    assert await run(bare.url("/evil")) == DiscoveryResult((), "no feed found on this page")


async def test_a_404_page_reports_the_fetch_error(bare: FixtureServer) -> None:
    result = await run(bare.url("/missing.html"))
    assert result == DiscoveryResult((), "HTTP 404 Not Found")
    assert bare.requests["/feed"] == 0  # nothing else is tried for a page that is not there


async def test_not_a_feed_and_no_fallback_says_what_it_was(bare: FixtureServer) -> None:
    bare.add_route("/api", Route(body=b'{"data": [1, 2]}', content_type="application/json"))
    assert await run(bare.url("/api")) == DiscoveryResult((), "not a feed (got JSON data)")
    bare.add_route("/broken.json", Route(body=b'{"version": "https://jsonfeed.org/version/1",'))
    result = await run(bare.url("/broken.json"))
    assert result.feeds == ()
    assert result.error is not None and result.error.startswith("not a feed (invalid JSON")


async def test_redirected_page_resolves_links_against_where_it_landed(site: FixtureServer) -> None:
    site.add_route("/old-home", Route(status=301, headers={"Location": "/index.html"}))
    result = await run(site.url("/old-home"))
    assert [f.url for f in result.feeds] == [site.url("/feed.xml"), site.url("/atom-full.xml")]


async def test_unreachable_and_unsafe_urls_report_the_fetch_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = await run(f"http://127.0.0.1:{port}/")
    assert result == DiscoveryResult((), f"connection refused by 127.0.0.1:{port}")
    result = await run("javascript:alert(1)")
    assert result == DiscoveryResult((), "not an http(s) URL: javascript:alert(1)")
