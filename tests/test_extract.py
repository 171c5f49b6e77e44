"""Reader mode: a page's HTML -> Article (body, metadata, related links), offline."""

from __future__ import annotations

import html
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.article.extract import ExtractError, extract_article
from reader.article.render import render_article
from reader.models import Article, Link

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "seed-site"
PAGES = FIXTURES / "pages"
BASE = "http://127.0.0.1:8000"
LEAD_URL = f"{BASE}/articles/ssa-ice-appointments.html"

CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def seed_page(name: str) -> str:
    return (SEED / "articles" / name).read_text(encoding="utf-8").replace("__BASE__", BASE)


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def all_text(article: Article) -> list[str]:
    """Every string of an article, body HTML unescaped (as a renderer would see it)."""
    texts = [article.url, article.title, article.deck, article.byline, article.site_name]
    texts.append(html.unescape(article.body_html))
    for link in article.related:
        texts.extend((link.url, link.title, link.text))
    return texts


@pytest.fixture(scope="module")
def lead() -> Article:
    return extract_article(seed_page("ssa-ice-appointments.html"), LEAD_URL)


# -- the seed site's lead article (EXPECTED.md) ---------------------------------------------


def test_lead_metadata(lead: Article) -> None:
    assert lead.title == "When Social Security Becomes Immigration Enforcement"
    assert lead.deck == (
        "SSA workers told to share appointment details with ICE agents. A fundamental shift "
        "in how government agencies operate—and what it means for public trust."
    )
    assert lead.byline == "Signal Desk Staff"
    assert lead.published == datetime(2025, 11, 21, 14, 5, tzinfo=UTC)
    assert lead.site_name == "Signal Desk"
    assert lead.source == "page"
    assert lead.url == LEAD_URL


def test_lead_headings_are_the_four_sections(lead: Article) -> None:
    rendered = render_article(lead)
    assert [h.text for h in rendered.headings] == [
        "The Safe Space That Isn't",
        "From Service to Surveillance",
        "The Trust Equation",
        "The Expanding Dragnet",
    ]
    assert {h.level for h in rendered.headings} == {2}


def test_lead_body_keeps_quote_link_and_disclaimer(lead: Article) -> None:
    markdown = render_article(lead).markdown
    assert '> \\"If ICE comes in and asks' in markdown
    assert (
        f"[secretly leasing offices nationwide](<{BASE}/articles/ice-office-leases.html>)"
        in markdown
    )
    assert "*This content is AI\\-generated based on source articles\\." in markdown
    body_links = render_article(lead).body_links
    assert [link.url for link in body_links] == [f"{BASE}/articles/ice-office-leases.html"]


@pytest.mark.parametrize(
    "chrome",
    [
        "Politics",
        "Sign in",
        "Share",
        "Advertisement",
        "Share your thoughts on this article",
        "Sign in to join the conversation",
        "© 2025",
        "Related Articles",
        "Thoughts",
        "Signal Desk Staff",
        "Nov 21, 2025",
        "Discord defaults every user",
    ],
)
def test_lead_body_has_no_site_chrome(lead: Article, chrome: str) -> None:
    markdown = render_article(lead).markdown.replace("\\", "")
    assert chrome not in markdown
    assert chrome not in html.unescape(lead.body_html)


def test_lead_body_does_not_repeat_title_or_deck(lead: Article) -> None:
    text = html.unescape(lead.body_html)
    assert "When Social Security Becomes Immigration Enforcement" not in text
    assert "A fundamental shift in how government agencies operate—and" not in text
    assert "<h1" not in lead.body_html


def test_lead_related_links(lead: Article) -> None:
    assert lead.related == (
        Link(
            f"{BASE}/articles/discord-teen-mode.html",
            "Discord defaults every user to teen mode",
            "Discord faces fierce criticism after announcing all users will default to teen "
            "mode until age verification. Privacy advocates clash with child safety concerns "
            "as 70,000 government IDs were recently breached.",
            kind="related",
        ),
        Link(
            f"{BASE}/articles/meta-smart-glasses-trial.html",
            "Smart glasses banned at Meta CEO's trial",
            "Meta CEO's trial sees smart glasses ban as wearable recording devices blur "
            "boundaries between convenience and privacy invasion in public spaces.",
            kind="related",
        ),
        Link(
            f"{BASE}/articles/meta-facial-recognition.html",
            "Meta weighed facial recognition for Ray-Ban glasses",
            "Meta considered launching facial recognition for Ray-Ban smart glasses during "
            "political chaos to avoid privacy backlash, revealing big tech's calculated "
            "approach to controversial features",
            kind="related",
        ),
        Link(
            f"{BASE}/articles/doppelganger-lookalikes.html",
            "Doppelgänger matches faces to creators",
            "Doppelgänger uses facial recognition to match users with similar-looking "
            "OnlyFans creators. Innovation for adult content discovery or ethical concern?",
            kind="related",
        ),
    )


def test_lead_from_bytes_with_content_type() -> None:
    data = seed_page("ssa-ice-appointments.html").encode("utf-8")
    article = extract_article(data, LEAD_URL, content_type="text/html; charset=utf-8")
    assert article.deck.endswith("operate—and what it means for public trust.")
    assert len(article.related) == 4


def test_readability_failure_falls_back_to_the_article_element(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import readability

    def broken(*args: object, **kwargs: object) -> str:
        raise readability.readability.Unparseable("boom")

    monkeypatch.setattr(readability.Document, "summary", broken)
    article = extract_article(seed_page("ssa-ice-appointments.html"), LEAD_URL)
    rendered = render_article(article)
    assert [h.text for h in rendered.headings] == [
        "The Safe Space That Isn't",
        "From Service to Surveillance",
        "The Trust Equation",
        "The Expanding Dragnet",
    ]
    markdown = rendered.markdown.replace("\\", "")
    for gone in ("Politics", "Signal Desk Staff", "Share", "Related Articles", "Thoughts"):
        assert gone not in markdown
    assert "A fundamental shift in how government agencies operate—and" not in markdown
    assert len(article.related) == 4


SEED_ARTICLES = [
    ("discord-teen-mode.html", "Discord defaults every user to teen mode", "What changes",
     "Why it matters"),
    ("meta-smart-glasses-trial.html", "Smart glasses banned at Meta CEO's trial",
     "In the courtroom", "Beyond the trial"),
    ("meta-facial-recognition.html", "Meta weighed facial recognition for Ray-Ban glasses",
     "The timing", "The pattern"),
    ("doppelganger-lookalikes.html", "Doppelgänger matches faces to creators",
     "How it works", "The concern"),
    ("ice-office-leases.html", "ICE quietly leases offices nationwide", "The leases",
     "The reach"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "title", "first", "second"), SEED_ARTICLES)
def test_other_seed_articles(name: str, title: str, first: str, second: str) -> None:
    article = extract_article(seed_page(name), f"{BASE}/articles/{name}")
    assert article.title == title
    assert article.byline == "Signal Desk Staff"
    assert article.published is not None and article.published.tzinfo is UTC
    assert [h.text for h in render_article(article).headings] == [first, second]
    assert article.related == (
        Link(
            LEAD_URL,
            "When Social Security Becomes Immigration Enforcement",
            "SSA workers told to share appointment details with ICE agents.",
            kind="related",
        ),
    )
    assert "Thoughts" not in article.body_html


# -- our own pages ------------------------------------------------------------------------


def test_section_of_cards_titled_more_on_privacy() -> None:
    # The page is reached through a tracking URL: only its canonical URL says "itself".
    url = "https://ledger.example/privacy/phone-location?utm_source=feed"
    article = extract_article(page("privacy-cards.html"), url)
    assert article.title == "Your Phone Knows Where You Sleep"
    assert article.deck == (
        "Location data brokers sell nightly movement patterns for a few cents a device."
    )
    assert article.byline == "Mara Quinn, Tom Ek"
    assert article.published == datetime(2024, 6, 2, 11, 30, tzinfo=UTC)
    assert article.site_name == "The Ledger"
    # Same-site links first; the kicker and date are not part of a title; no self link,
    # no `#top`, no javascript:, the "Read more" duplicate merged into its card.
    assert article.related == (
        Link(
            "https://ledger.example/privacy/smart-tv",
            "Your smart TV watches back",
            "Automatic content recognition reports what is on screen every few seconds.",
        ),
        Link(
            "https://ledger.example/privacy/doorbells",
            "Doorbell cameras and the police",
            "Footage requests went up fourfold.",
        ),
        Link(
            "https://other.example/story/cars",
            "Cars collect more than fuel data",
            "Modern cars upload driving habits to the manufacturer.",
        ),
    )
    rendered = render_article(article)
    assert [h.text for h in rendered.headings] == ["How the data moves", "What regulators say"]
    text = html.unescape(article.body_html)
    for gone in ("More on privacy", "smart TV", "Location data brokers", "Mara Quinn", "©"):
        assert gone not in text
    assert "[guide to turning it off](<https://ledger.example/privacy/guide>)" in (
        rendered.markdown
    )


def test_most_read_and_trending_are_not_related() -> None:
    article = extract_article(page("most-read.html"), "https://metro.example/news/tolls")
    assert [link.url for link in article.related] == [
        "https://metro.example/transport/ferry-timetable",
        "https://metro.example/transport/cycle-lanes",
    ]
    assert [link.title for link in article.related] == [
        "Ferry timetable cut on weekends",
        "New cycle lanes open on the bridge approach",
    ]
    assert all(link.text == "" for link in article.related)
    text = html.unescape(article.body_html)
    for gone in ("Read next", "Ferry timetable", "Most read", "Grand final", "Trending", "pies"):
        assert gone not in text
    assert article.title == "Harbour Bridge tolls rise again"
    assert article.byline == "Ana Pires"
    assert article.published == datetime(2024, 4, 9, 20, 0, tzinfo=UTC)
    assert article.site_name == "Metro Daily"
    # The meta description is only the body's opening words: not repeated as a deck.
    assert article.deck == ""
    assert [h.text for h in render_article(article).headings] == ["Who pays most"]


def test_json_ld_only_metadata() -> None:
    article = extract_article(page("jsonld-only.html"), "https://notes.example/compilers")
    assert article.title == "Compilers Are Translators Too"
    assert article.deck == "Why the first compiler was a leap of trust & imagination"
    assert article.byline == "Ada Lovelace, Grace Hopper"
    assert article.published == datetime(2024, 3, 5, 8, 30, tzinfo=UTC)
    assert article.site_name == "Field Notes"
    assert "Before there were compilers" in article.body_html
    assert article.related == ()


def test_quote_code_and_table_survive() -> None:
    article = extract_article(page("code-quote-table.html"), "https://dev.example/counting")
    assert article.title == "Counting users without cookies"
    assert article.site_name == "Dev Journal"
    markdown = render_article(article).markdown
    assert "> The best data to protect is the data you never collected\\." in markdown
    assert "*Privacy engineering proverb*" in markdown
    assert (
        "```python\ndef visitor_id(salt, address, agent):\n"
        "    return sha256(salt + address + agent).hexdigest()\n```"
    ) in markdown
    assert "| Method | Daily users |" in markdown
    assert "| Salted hash | 1\\,187 |" in markdown
    assert markdown.rstrip().endswith("nobody had to click a banner to get it\\.")


def test_hostile_page_is_defused() -> None:
    raw = page("hostile.html")
    assert b"\x1b[31m" in raw and "\u202e".encode() in raw  # the fixture really is hostile
    article = extract_article(raw, "https://bad.example/a/hostile")
    assert article.title == "[bold]Pwned[/bold] evil title"
    for text in all_text(article):
        assert not CONTROLS.search(text), repr(text)
    body = article.body_html.lower()
    for gone in ("<script", "alert", "javascript", "onclick", "onmouseover", "data:"):
        assert gone not in body
    assert "[red]rich markup[/red]" in html.unescape(article.body_html)
    assert [link.url for link in article.related] == ["https://bad.example/safe/story"]
    markdown = render_article(article).markdown
    assert "\\[red\\]rich markup\\[\\/red\\]" in markdown
    assert "[real link](<https://example.org/ok>)" in markdown
    assert "[script link]" not in markdown


def test_page_without_article_text() -> None:
    with pytest.raises(ExtractError) as caught:
        extract_article(page("no-article.html"), "https://metro.example/login")
    assert "\n" not in str(caught.value) and str(caught.value)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", None),
        ("   \n ", None),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None),
        ("just some words, no markup at all", "text/plain"),
        (
            '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</title></channel></rss>',
            None,
        ),
        ("<html><head><title>Nothing</title></head><body></body></html>", "text/html"),
        ("<html><frameset><frame src='a.html'></frameset></html>", None),
        ("<!-- <p>only a comment</p> -->", None),
    ],
)
def test_not_an_article(body: str | bytes, content_type: str | None) -> None:
    with pytest.raises(ExtractError):
        extract_article(body, "https://example.org/x", content_type=content_type)
    assert issubclass(ExtractError, ValueError)


def test_latin1_bytes_decoded_by_meta_charset() -> None:
    article = extract_article(page("latin1.html"), "https://journal.example/cafe")
    assert article.title == "Café crème à Zürich"
    assert article.site_name == "Journal Suisse"
    assert "Où boire le meilleur café" in article.body_html
    assert "établissements" in article.body_html


def test_content_type_charset_wins_over_meta() -> None:
    utf8 = page("latin1.html").decode("iso-8859-1").encode("utf-8")  # meta still says latin-1
    article = extract_article(
        utf8, "https://journal.example/cafe", content_type="text/html; charset=UTF-8"
    )
    assert article.title == "Café crème à Zürich"


def test_latin1_label_means_windows_1252_and_default_is_utf8() -> None:
    words = " ".join(["word"] * 40)
    doc = f'<meta charset="ISO-8859-1"><article><h1>T</h1><p>\x93Quoted\x94 {words}</p></article>'
    article = extract_article(doc.encode("latin-1"), "https://example.org/q")
    assert "\u201cQuoted\u201d" in article.body_html  # as browsers decode it
    plain = f"<article><h1>Straße</h1><p>Grüße {words}</p></article>".encode()
    article = extract_article(plain, "https://example.org/u")
    assert article.title == "Straße"
    assert "Grüße" in article.body_html


def test_xhtml_with_xml_declaration() -> None:
    words = " ".join(["text"] * 40)
    doc = (
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
        f"<head><title>X page</title></head><body><article><p>{words}</p></article></body></html>"
    )
    article = extract_article(doc.encode(), "https://example.org/x")
    assert article.title == "X page"
    assert "text text" in article.body_html


def big_page() -> str:
    paragraph = (
        "<p>The committee met again on Thursday to discuss the budget, the schedule and the "
        "long list of repairs that the old building needs before winter; members disagreed "
        "about almost everything except the need to start soon.</p>\n"
    )
    sections = "".join(
        f"<h2>Section {n}</h2>\n{paragraph * 10}<blockquote><p>Quote {n}.</p></blockquote>\n"
        for n in range(1, 41)
    )
    sidebar = "".join(f'<li><a href="/tag/t{n}">Tag {n}</a></li>' for n in range(300))
    related = "".join(
        f'<li><a href="/story/{n}"><h3>Story {n}</h3></a><p>Teaser {n}.</p></li>' for n in range(8)
    )
    return (
        "<!DOCTYPE html><html><head><title>The Long Read | Big Site</title></head><body>"
        f'<div class="sidebar"><ul>{sidebar}</ul></div>'
        f"<main><article><h1>The Long Read</h1>{sections}</article>"
        f'<aside class="related-stories"><h2>Related stories</h2><ul>{related}</ul></aside>'
        "</main></body></html>"
    )


def test_100kb_page_is_quick() -> None:
    doc = big_page()
    assert len(doc.encode()) > 100_000
    started = time.perf_counter()
    article = extract_article(doc, "https://big.example/long-read")
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"took {elapsed:.2f}s"
    headings = render_article(article).headings
    assert [h.text for h in headings] == [f"Section {n}" for n in range(1, 41)]
    assert [link.title for link in article.related] == [f"Story {n}" for n in range(8)]
    assert "Tag 1" not in article.body_html
    assert article.title == "The Long Read"


def test_importing_the_module_does_not_load_readability() -> None:
    code = (
        "import sys, reader.article.extract\n"
        "print(sorted(m for m in ('readability', 'lxml', 'textual') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_related_heuristic_edge_cases() -> None:
    from reader.article.html import parse_html
    from reader.article.related import find_related

    doc = (
        '<div class="post tag-privacy"><h1>Title</h1><p>Body text.</p>'
        '<aside><div class="related-header"><h3>See also</h3></div>'
        '<ul><li><a href="/a">Story A</a></li><li><a href="mailto:x@y.z">Mail</a></li>'
        '<li><a href="https://elsewhere.example/b">Story B</a></li>'
        '<li><a href="/a#comments">Story A again</a></li></ul></aside></div>'
        '<section class="popular"><h2>Popular</h2><ul>'
        '<li class="related-item"><a href="/p">Popular one</a></li></ul></section>'
    )
    found = find_related(parse_html(doc), "https://site.example/post")
    assert [(link.url, link.title) for link in found.links] == [
        ("https://site.example/a", "Story A"),
        ("https://elsewhere.example/b", "Story B"),
    ]
    cut = "".join(doc[start:end] for start, end in found.spans)
    assert "See also" in cut and "Popular one" in cut and "Body text" not in cut


def test_mail_and_ftp_links_are_kept_but_script_links_are_not() -> None:
    """A page's mailto:/ftp: links reach the links pane (to copy or hand to their app, never
    fetched); javascript: and data: links lose their target."""
    body = (
        "<html><head><title>T</title></head><body><article><h1>T</h1><p>Write to "
        '<a href="mailto:desk@example.com">the desk</a>, get <a href="ftp://files.example/a">'
        'the data</a>, not <a href="javascript:alert(1)">this</a> or '
        '<a href="data:text/html,x">that</a>. ' + "More words here. " * 60 + "</p>"
        "</article></body></html>"
    )
    article = extract_article(body, url="https://news.example/story.html")
    assert 'href="mailto:desk@example.com"' in article.body_html
    assert 'href="ftp://files.example/a"' in article.body_html
    assert "javascript:" not in article.body_html and "data:" not in article.body_html
