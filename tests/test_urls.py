"""URLs shortened for display (reader/urls.py): host and slug stay, whatever the URL."""

from __future__ import annotations

import time

import pytest

from reader.urls import cell_width, host_of, keep_domain, shorten_url

STORY = "https://www.example.org/news/world/2025/11/discord-teen-mode"


def test_the_middle_goes_and_host_and_slug_stay() -> None:
    assert shorten_url(STORY, 80) == "example.org/news/world/2025/11/discord-teen-mode"
    assert shorten_url(STORY, 40) == "example.org/…/2025/11/discord-teen-mode"
    assert shorten_url(STORY, 33) == "example.org/…/discord-teen-mode"


def test_a_shortened_slug_loses_its_page_suffix_first() -> None:
    url = "https://signal-desk.example/articles/discord-teen-mode.html"
    assert shorten_url(url, 60) == "signal-desk.example/articles/discord-teen-mode.html"
    assert shorten_url(url, 40) == "signal-desk.example/…/discord-teen-mode"


def test_too_narrow_for_both_the_host_keeps_its_domain_and_the_slug_its_start() -> None:
    url = "https://signal-desk.example/articles/discord-teen-mode.html"
    assert shorten_url(url, 26) == "…example/…/discord-teen…"  # cut between words
    # A label is never cut in the middle, which could spell another domain.
    assert shorten_url("https://evilbank.example/a/login-now", 20) == "…example/…/login-now"
    assert keep_domain("evilbank.example", 13) == "…example"


def test_the_real_host_shows_not_the_user_part() -> None:
    assert shorten_url("https://bank.example@evil.example/login", 40) == "evil.example/login"
    assert shorten_url("https://a:b@bank.example:8443/x", 40) == "bank.example:8443/x"


def test_the_query_stays_when_it_fits_and_names_a_page_with_no_path() -> None:
    assert shorten_url("https://e.org/a/b?q=1#top", 40) == "e.org/a/b?q=1#top"
    url = "https://e.org/a/b/story-slug?utm_source=feed&utm_medium=rss&utm_campaign=x"
    assert shorten_url(url, 24) == "e.org/a/b/story-slug?…"
    assert shorten_url("https://e.org/?p=12345&lang=en", 20) == "e.org/?p=12345&lang…"


def test_other_schemes_keep_their_scheme() -> None:
    assert shorten_url("mailto:desk@signal.example", 40) == "mailto:desk@signal.example"
    assert shorten_url("mailto:desk@signal.example", 12) == "mailto:desk…"
    assert shorten_url("ftp://files.example/pub/a/b/report.txt", 40) == (
        "ftp://files.example/pub/a/b/report.txt"
    )


def test_percent_escapes_read_as_text_and_never_as_controls() -> None:
    url = "https://e.org/%E6%97%A5%E6%9C%AC/%E2%80%AEevil%1B%5B2J"
    assert shorten_url(url, 60) == "e.org/日本/evil"  # the escape sequence goes whole
    raw = "https://e.org/\x1b]8;;https://x\x07a\u202eb/\u200bc"
    shown = shorten_url(raw, 60)
    assert not any(ch in shown for ch in "\x1b\x07\u202e\u200b")


def test_markup_in_a_url_comes_back_as_the_same_text() -> None:
    assert shorten_url("https://e.org/[b]x[/b]/[@click=app.quit]", 60) == (
        "e.org/[b]x[/b]/[@click=app.quit]"
    )


ODD = [
    "",
    "https://",
    "https:///",
    "https://e.org",
    "https://e.org/",
    "https://e.org//////",
    "https://e.org/" + "a/" * 400,
    "https://" + "x" * 300 + ".example/p",
    "https://" + "sub." * 100 + "example.org/" + "slug-" * 100,
    "https://[::1]:8080/p/q",
    "https://e.org/日本語のタイトル/とても長いスラッグです",
    "https://e.org/" + "%E6%97%A5" * 200,
    "http://e.org?only=query",
    "https://e.org#frag/with/slashes",
    "javascript:alert(1)",
    "not a url at all, just words",
    "@@@@://@@@/@@@",
    "https://@/x",
    "https://www./x",
]


@pytest.mark.parametrize("url", ODD)
def test_never_wider_than_asked(url: str) -> None:
    for width in range(0, 90):
        assert cell_width(shorten_url(url, width)) <= width, (url, width)


def test_long_urls_take_linear_time() -> None:
    hostile = [
        "https://e.org/" + "a/" * 1_000_000,
        "https://" + "a." * 1_000_000 + "org/x",
        "https://" + "@" * 1_000_000,
        "https://e.org/" + "%" * 1_000_000,
        "https://e.org/?" + "&" * 1_000_000,
    ]
    started = time.perf_counter()
    for url in hostile:
        assert cell_width(shorten_url(url, 40)) <= 40
    assert time.perf_counter() - started < 0.5


def test_host_of_names_the_site() -> None:
    assert host_of("https://WWW.Example.org/a") == "example.org"
    assert host_of("https://example.org:8443/a") == "example.org"
    assert host_of("https://user@example.org/a") == "example.org"
    assert host_of("mailto:desk@example.org") == ""
    assert host_of("https://[::1/") == ""  # invalid: no host rather than an error


def test_an_ip_address_is_never_cut_to_look_like_another() -> None:
    url = "http://127.0.0.1:34629/articles/discord-teen-mode.html"
    assert shorten_url(url, 26) == "127.0.0.1:34629/…/discord…"
    assert shorten_url("http://[2001:db8::1]:8080/a/b/page", 20) == "[2001:db8::1…/…/page"
    assert keep_domain("192.168.100.200", 8) == "192.168…"
