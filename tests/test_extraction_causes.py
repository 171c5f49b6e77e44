"""Reader mode: the causes issue 13 found on real pages, each on a small page of its own."""

from __future__ import annotations

import html

from reader.article.extract import extract_article
from reader.article.render import render_article

URL = "https://news.example/2026/harbour-plan"
WORDS = "The council voted on the harbour plan after a long and heated debate on Tuesday. "


def _text(body_html: str) -> str:
    return html.unescape(body_html)


def test_multi_line_comments_do_not_shift_the_related_cut() -> None:
    # Offsets once came from the source's lines while the parser counted the lines of a
    # copy with comments blanked: the related block's cut landed 5 lines early.
    page = (
        "<html><head><title>Harbour plan</title></head><body>\n"
        "<!--\n1\n2\n3\n4\n-->\n<article><h1>Harbour plan</h1>\n"
        + "".join(f"<p>Paragraph {i}. {WORDS * 3}</p>\n" for i in range(8))
        + "<aside class='related'><h2>Related</h2>\n<ul>\n"
        "<li><a href='/2026/ferry'>Ferry timetable cut</a></li>\n"
        "<li><a href='/2026/bridge'>Bridge tolls rise</a></li></ul></aside>\n"
        + "".join(f"<p>Closing {i}. {WORDS * 3}</p>\n" for i in range(3))
        + "</article>\n<script>\nvar jQuery = function () { return 1; };\n</script>\n"
        "</body></html>"
    )
    article = extract_article(page, URL)
    text = _text(article.body_html)
    for i in range(8):
        assert text.count(f"Paragraph {i}.") == 1
    for i in range(3):
        assert text.count(f"Closing {i}.") == 1
    assert "Ferry timetable" not in text and "jQuery" not in text
    assert [link.title for link in article.related] == ["Ferry timetable cut", "Bridge tolls rise"]


def test_a_big_wrapper_named_like_an_ad_is_kept_small_clutter_is_not() -> None:
    page = (
        "<html><head><title>Harbour plan</title></head><body>"
        "<div id='ad-portal'><div class='Page-ad-margins'><div class='share-btns-wrapper'>"
        + "".join(f"<p>Paragraph {i}. {WORDS * 2}</p>" for i in range(6))
        + "<div class='share'><a href='https://x.example/share'>Share on X</a></div>"
        "<div class='ad'>Advertisement: buy a boat</div>"
        "<div id='comments'>" + f"<p>A reader writes: {WORDS * 4}</p>" * 5 + "</div>"
        "</div></div></div></body></html>"
    )
    text = _text(extract_article(page, URL).body_html)
    assert all(f"Paragraph {i}." in text for i in range(6))
    assert "Share on X" not in text and "buy a boat" not in text and "A reader writes" not in text


def test_a_short_article_is_still_an_article() -> None:
    page = (
        "<html><head><title>Brief | Metro</title></head><body><div class='post'>"
        "<p>The ferry runs again from Monday, the operator said.</p></div></body></html>"
    )
    article = extract_article(page, URL)
    assert "The ferry runs again from Monday" in _text(article.body_html)


def test_headings_with_anchor_links_or_negative_classes_are_kept() -> None:
    page = (
        "<html><head><title>Guide</title></head><body><article><h1>Guide</h1>"
        f"<p>{WORDS * 3}</p>"
        "<h2 id='setup'><a href='#setup'>Setting up</a></h2>"
        f"<p>{WORDS * 3}</p>"
        "<h3 class='section-meta'>Publishing</h3>"
        f"<p>{WORDS * 3}</p></article></body></html>"
    )
    article = extract_article(page, URL)
    headings = [h.text for h in render_article(article).headings]
    assert headings == ["Setting up", "Publishing"]
    assert 'href="https://news.example/2026/harbour-plan#setup"' in article.body_html


def test_lazy_images_get_a_src_and_the_lead_image_is_taken() -> None:
    page = (
        "<html><head><title>Harbour plan</title>"
        "<meta property='og:image' content='/img/lead.jpg'></head><body><article>"
        f"<p>{WORDS * 3}</p>"
        "<figure><img src='data:image/gif;base64,R0lGOD' data-src='/img/a.jpg' alt='Harbour'>"
        "<figcaption>The harbour at dawn</figcaption></figure>"
        "<picture><img srcset='/img/b.jpg 1x, /img/b2.jpg 2x' alt='Boats'></picture>"
        f"<p>{WORDS * 3}</p></article></body></html>"
    )
    article = extract_article(page, URL)
    assert article.image == "https://news.example/img/lead.jpg"
    body = article.body_html
    assert 'src="https://news.example/img/a.jpg"' in body
    assert 'src="https://news.example/img/b.jpg"' in body
    assert "<figcaption>The harbour at dawn</figcaption>" in body and "<picture>" in body


def test_no_lead_image_unless_http() -> None:
    page = (
        "<html><head><title>Harbour plan</title>"
        "<meta property='og:image' content='javascript:alert(1)'></head><body><article>"
        f"<p>{WORDS * 3}</p></article></body></html>"
    )
    assert extract_article(page, URL).image == ""


def test_title_prefers_the_page_statement_over_a_different_h1() -> None:
    page = (
        "<html><head><title>Harbour plan approved | Metro</title></head><body><article>"
        f"<h1>Lorem</h1><p>{WORDS * 3}</p></article></body></html>"
    )
    article = extract_article(page, URL)
    assert article.title == "Harbour plan approved"
    assert [h.text for h in render_article(article).headings] == ["Lorem"]


def test_utf8_page_with_a_stale_legacy_label() -> None:
    page = (
        "<html><head><meta charset='gb2312'><title>新电脑已可利用记忆自学</title></head><body>"
        "<article><p>人工智能迈上新台阶。" * 10 + "</p></article></body></html>"
    ).encode()
    article = extract_article(page, URL, content_type="text/html")
    assert article.title == "新电脑已可利用记忆自学"


def test_math_keeps_its_text() -> None:
    page = (
        "<html><head><title>Roots</title></head><body><article>"
        f"<p>{WORDS * 3}</p><p>Then <math><mi>x</mi><mo>=</mo><mn>42</mn></math> holds.</p>"
        "</article></body></html>"
    )
    text = _text(extract_article(page, URL).body_html)
    assert "42" in text


def test_our_own_tree_keeps_big_wrappers_too() -> None:
    from reader.article.html import parse_html, text_of

    page = (
        "<div class='share-wrapper'>"
        + f"<p>{WORDS * 5}</p>" * 3
        + "<div class='share'><a href='/s'>Share</a></div>"
        "<div class='ad'>Advertisement</div></div>"
        "<div id='comments'>" + f"<p>{WORDS * 4}</p>" * 3 + "</div>"
    )
    text = text_of(parse_html(page))
    assert text.count("The council voted") == 15  # the comments' 12 are gone
    assert "Share" not in text and "Advertisement" not in text


def test_the_image_behind_a_noscript_placeholder_is_kept() -> None:
    page = (
        "<html><head><title>Harbour plan</title></head><body><article>"
        f"<p>{WORDS * 3}</p>"
        "<figure><div><div><img src='https://cdn.example/tiny.png?q=20' width='1894'></div>"
        "<img width='1894'><noscript><img src='https://cdn.example/full.png'></noscript>"
        "</div><figcaption>The harbour plan</figcaption></figure>"
        f"<p>{WORDS * 3}</p></article></body></html>"
    )
    body = extract_article(page, URL).body_html
    assert 'src="https://cdn.example/full.png"' in body
    assert "<figcaption>The harbour plan</figcaption>" in body
