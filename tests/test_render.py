"""Article HTML -> Markdown: structure survives, remote text stays literal and inert."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from reader.article.html import is_clutter, parse_html, resolve_url, text_of
from reader.article.render import (
    escape_markdown,
    find_trailing_related,
    html_to_text,
    is_other_link,
    render_article,
)
from reader.models import Article, Heading, Link, RenderedArticle

SEED = Path(__file__).parent / "fixtures" / "seed-site"
BASE = "http://127.0.0.1:8000"
LEAD_URL = f"{BASE}/articles/ssa-ice-appointments.html"
ATOM = "{http://www.w3.org/2005/Atom}"
# Terminal-attacking characters that must never reach the Markdown.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def lead_content() -> str:
    xml = (SEED / "atom-full.xml").read_text(encoding="utf-8").replace("__BASE__", BASE)
    entry = ET.fromstring(xml).find(f"{ATOM}entry")
    assert entry is not None
    content = entry.find(f"{ATOM}content")
    assert content is not None and content.text
    return content.text


def render(html: str, url: str = "https://news.example/2025/story.html") -> RenderedArticle:
    return render_article(Article(url=url, title="Title", body_html=html))


def parse_md(markdown: str) -> list[Token]:
    """Parse as textual's Markdown widget does (its default parser is "gfm-like")."""
    return MarkdownIt("gfm-like").parse(markdown)


def inline_tokens(markdown: str) -> list[Token]:
    return [child for tok in parse_md(markdown) if tok.children for child in tok.children]


def shown_text(markdown: str) -> str:
    """The text a reader sees: inline text and code, blocks on separate lines."""
    lines = []
    for tok in parse_md(markdown):
        if tok.type == "inline":
            parts = []
            for child in tok.children or []:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append("\n")
            lines.append("".join(parts))
        elif tok.type in ("fence", "code_block"):
            lines.append(tok.content)
    return "\n".join(lines)


def links_in(markdown: str) -> list[str]:
    return [str(t.attrs["href"]) for t in inline_tokens(markdown) if t.type == "link_open"]


def markup_types(markdown: str) -> set[str]:
    """Every token type the Markdown parses into (block and inline)."""
    return {t.type for t in parse_md(markdown)} | {t.type for t in inline_tokens(markdown)}


# -- the seed site's lead article ---------------------------------------------------------


@pytest.fixture(scope="module")
def lead() -> RenderedArticle:
    return render(lead_content(), LEAD_URL)


def test_lead_headings_in_order(lead: RenderedArticle) -> None:
    assert lead.headings == (
        Heading(2, "The Safe Space That Isn't"),
        Heading(2, "From Service to Surveillance"),
        Heading(2, "The Trust Equation"),
        Heading(2, "The Expanding Dragnet"),
    )
    # The outline pane is built from the parsed headings' text, as textual does it.
    tokens = parse_md(lead.markdown)
    titles = [
        "".join(c.content for c in tokens[i + 1].children or [] if c.type == "text")
        for i, t in enumerate(tokens)
        if t.type == "heading_open" and t.tag == "h2"
    ]
    assert titles == [h.text for h in lead.headings]


def test_lead_quote_is_a_blockquote(lead: RenderedArticle) -> None:
    tokens = parse_md(lead.markdown)
    start = next(i for i, t in enumerate(tokens) if t.type == "blockquote_open")
    quoted = tokens[start + 2]
    assert quoted.type == "inline"
    text = shown_text(quoted.content)
    assert text.startswith('"If ICE comes in and asks')
    assert text.endswith("speaking anonymously for fear of retaliation.")
    assert tokens[start + 4].type == "blockquote_close"


def test_lead_link_and_disclaimer(lead: RenderedArticle) -> None:
    target = f"{BASE}/articles/ice-office-leases.html"
    assert links_in(lead.markdown) == [target]
    assert f"[secretly leasing offices nationwide](<{target}>)" in lead.markdown
    (link,) = lead.body_links
    assert link.url == target
    assert link.title == "secretly leasing offices nationwide"
    assert link.kind == "body"
    assert link.text.startswith("The agency is secretly leasing offices nationwide")
    assert len(link.text) <= 170
    text = shown_text(lead.markdown)
    assert "This content is AI-generated based on source articles." in text
    assert "We recommend verifying with the original source." in text
    assert "Advertisement" not in lead.markdown


def test_lead_markdown_is_tidy(lead: RenderedArticle) -> None:
    lines = lead.markdown.split("\n")
    assert all(line == line.rstrip() for line in lines)
    assert "\n\n\n" not in lead.markdown
    assert not lead.markdown.startswith("\n") and not lead.markdown.endswith("\n")
    # Title, deck and byline are shown above the body, not in it.
    assert "When Social Security Becomes" not in lead.markdown


# -- escaping: remote text is shown literally ---------------------------------------------

MARKUP_LOOKING = [
    "[bold]red[/bold]",
    "[link=file:///etc/passwd]x[/link]",
    "$var and ${HOME}",
    "*stars* and _under_ and **double**",
    "`tick` and ``two``",
    "~~struck~~",
    "[a link](http://evil.example/) and ![img](http://evil.example/x.png)",
    "<https://autolink.example/> and www.linkify.example and user@mail.example",
    "a | pipe | table",
    "&copy; \\backslash\\ <!-- not a comment -->",
]


@pytest.mark.parametrize("text", MARKUP_LOOKING)
def test_markup_looking_text_is_literal(text: str) -> None:
    import html

    out = render(f"<p>{html.escape(text)}</p>")
    assert shown_text(out.markdown) == text
    assert markup_types(out.markdown) <= {
        "paragraph_open",
        "paragraph_close",
        "inline",
        "text",
    }
    assert out.body_links == ()


@pytest.mark.parametrize(
    "text",
    ["# not a heading", "1. not a list", "- not a list", "> not a quote", "===", "---", "+ x"],
)
def test_block_markup_at_line_start_is_literal(text: str) -> None:
    out = render(f"<p>{text.replace('>', '&gt;')}</p><p>first<br>{text.replace('>', '&gt;')}</p>")
    assert shown_text(out.markdown) == f"{text}\nfirst\n{text}"
    assert markup_types(out.markdown) <= {
        "paragraph_open",
        "paragraph_close",
        "inline",
        "text",
        "hardbreak",
    }


def test_tags_as_text_and_escape_markdown() -> None:
    out = render("<p>Use &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;</p>")
    assert shown_text(out.markdown) == "Use <b>bold</b> & <script>"
    assert "html_inline" not in markup_types(out.markdown)
    assert escape_markdown("a*b") == "a\\*b"


def test_heading_text_is_escaped_but_recorded_plain() -> None:
    out = render("<h3>*Big* [news] #1</h3>")
    assert out.headings == (Heading(3, "*Big* [news] #1"),)
    tokens = parse_md(out.markdown)
    assert [t.type for t in tokens] == ["heading_open", "inline", "heading_close"]
    assert tokens[0].tag == "h3"
    assert shown_text(out.markdown) == "*Big* [news] #1"


# -- control characters and escape sequences ----------------------------------------------


def test_escape_sequences_and_controls_are_stripped() -> None:
    raw = (
        "<p>red:\x1b[31mRED\x1b[0m osc:\x1b]52;c;ZXZpbA==\x07 c1:\x9b2J"
        " bidi:\u202egnp.exe zero:a\u200bb bell:\x07 nul:\x00</p>"
    )
    out = render(raw)
    assert not FORBIDDEN.search(out.markdown)
    text = shown_text(out.markdown)
    assert "RED" in text and "ZXZpbA" not in text and "2J" not in text
    assert "gnp.exe" in text and "ab" in text


def test_entity_encoded_escapes_are_stripped_after_decoding() -> None:
    out = render("<h2>T&#27;[31mitle&#x1b;]52;c;eA==&#7;</h2><p>a&#27;[2Jb &#x202E;c &#x9b;d</p>")
    assert not FORBIDDEN.search(out.markdown)
    # The ESC is gone, so what followed it is inert literal text.
    assert out.headings == (Heading(2, "T[31mitle]52;c;eA=="),)
    text = shown_text(out.markdown)
    assert text.split("\n")[1] == "a[2Jb c \u203ad"  # &#x9b; is "›" in HTML, not CSI
    assert not FORBIDDEN.search(text)


def test_double_encoded_entity_is_literal_text_not_esc() -> None:
    out = render("<p>see &amp;#27; and &amp;#x1b;[31m</p>")
    text = shown_text(out.markdown)
    assert text == "see &#27; and &#x1b;[31m"
    assert "\x1b" not in text and "\x1b" not in out.markdown


def test_controls_in_attributes_are_stripped() -> None:
    out = render(
        '<p><a href="https://ok.example/\x1b[31m\u202epath">x</a><img alt="a\x1b]0;t\x07b"></p>'
    )
    assert not FORBIDDEN.search(out.markdown)
    assert out.body_links[0].url == "https://ok.example/path"
    assert all(not FORBIDDEN.search(link.url + link.title) for link in out.body_links)


# -- links --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "file:///etc/passwd",
        "vbscript:x",
        "about:blank",
        "chrome://settings",
        "mailto:",
        "#section-2",
    ],
)
def test_non_http_links_become_plain_text(href: str) -> None:
    import html

    out = render(f'<p>Click <a href="{html.escape(href)}">here now</a> please.</p>')
    assert links_in(out.markdown) == []
    assert shown_text(out.markdown) == "Click here now please."
    assert out.body_links == ()


def test_mail_phone_and_ftp_links_stay_links_to_copy_or_hand_over() -> None:
    """Not web pages (never fetched), but the reader lists them: y copies, o hands them to
    the desktop's app. Their text is escaped like any other."""
    out = render(
        '<p>Write to <a href="mailto:desk@news.example?subject=Tip off">the *desk*</a>, '
        'call <a href=" TEL:+1-555-0100">+1 555 0100</a>, get '
        '<a href="ftp://files.news.example/report.pdf">the report</a> or '
        '<a href="javascript:alert(1)">this</a>.</p>'
    )
    assert links_in(out.markdown) == [
        "mailto:desk@news.example?subject=Tip%20off",
        "TEL:+1-555-0100",
        "ftp://files.news.example/report.pdf",
    ]
    assert [(link.url, link.title, link.kind) for link in out.body_links] == [
        ("mailto:desk@news.example?subject=Tip%20off", "the *desk*", "body"),
        ("TEL:+1-555-0100", "+1 555 0100", "body"),
        ("ftp://files.news.example/report.pdf", "the report", "body"),
    ]
    assert shown_text(out.markdown) == (
        "Write to the *desk*, call +1 555 0100, get the report or this."
    )
    assert "em_open" not in markup_types(out.markdown)


@pytest.mark.parametrize(
    ("url", "other"),
    [
        ("mailto:a@b.example", True),
        ("MAILTO:a@b.example", True),
        ("tel:+15550100", True),
        ("ftp://files.example/x", True),
        ("sms:+15550100", True),
        ("mailto:", False),
        ("ftp://", False),
        ("https://news.example/", False),
        ("javascript:alert(1)", False),
        ("data:text/html,hi", False),
        ("file:///etc/passwd", False),
        ("/relative/path", False),
        ("", False),
    ],
)
def test_is_other_link(url: str, other: bool) -> None:
    assert is_other_link(url) is other


def test_relative_links_resolve_against_the_article_url() -> None:
    out = render(
        '<p>See <a href="../other.html">the other one</a> and <a href="/root">root</a>, '
        'not <a href="story.html#top">this page</a>.</p>',
        url="https://news.example/2025/11/story.html",
    )
    assert links_in(out.markdown) == [
        "https://news.example/2025/other.html",
        "https://news.example/root",
    ]
    assert [(link.url, link.title) for link in out.body_links] == [
        ("https://news.example/2025/other.html", "the other one"),
        ("https://news.example/root", "root"),
    ]
    assert all(link.text == "See the other one and root, not this page." for link in out.body_links)


def test_link_destination_is_angle_bracketed_and_escaped() -> None:
    out = render('<p><a href="https://x.example/a b/<c>?q=1&amp;r=&amp;amp;(x)">odd</a></p>')
    (link,) = out.body_links
    assert " " not in link.url and "<" not in link.url and ">" not in link.url
    assert links_in(out.markdown) == [link.url]
    assert link.url == "https://x.example/a%20b/%3Cc%3E?q=1&r=&amp;(x)"
    assert shown_text(out.markdown) == "odd"


def test_body_link_context_is_the_sentence_trimmed() -> None:
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 5
    out = render(
        f'<p>{filler}The key finding is in <a href="https://x.example/r">the report</a> '
        f"published today. {filler}</p>"
    )
    (link,) = out.body_links
    assert link.text == "The key finding is in the report published today."
    long = "word " * 100
    out = render(f'<p>{long}<a href="https://x.example/r">target</a> {long}</p>')
    assert "target" in out.body_links[0].text
    assert len(out.body_links[0].text) <= 165


def test_image_link_and_nested_links() -> None:
    out = render(
        '<p><a href="https://x.example/big.png"><img src="s.png" alt="A chart"></a> '
        '<a href="https://x.example/1">outer <a href="https://x.example/2">inner</a></a></p>'
    )
    urls = [link.url for link in out.body_links]
    assert urls[0] == "https://x.example/big.png"
    assert out.body_links[0].title == "🖼 Image: A chart"
    assert "[" not in shown_text(out.markdown)


# -- clutter ------------------------------------------------------------------------------


def test_scripts_forms_nav_and_clutter_are_removed() -> None:
    html = """
    <script>alert('script')</script><style>p{color:red}</style>
    <nav><a href="/">Home nav</a></nav>
    <form action="/s"><input name="q" value="form input"><button>Search button</button></form>
    <noscript>noscript text</noscript><iframe src="https://x.example/">iframe text</iframe>
    <p>Kept one.</p>
    <div class="ad-slot">ad text</div>
    <div class="share-bar"><a href="https://share.example/">Share this</a></div>
    <section id="comments"><p>comment text</p></section>
    <div class="social_links">social text</div>
    <div class="newsletter-signup">newsletter text</div>
    <div aria-hidden="true">hidden aria text</div>
    <div hidden>hidden attr text</div>
    <svg><text>svg text</text></svg>
    <p class="header shadow read-more">Kept two.</p>
    <template><p>template text</p></template>
    """
    out = render(html)
    assert shown_text(out.markdown) == "Kept one.\nKept two."
    assert out.body_links == ()


def test_clutter_matches_whole_tokens_only() -> None:
    assert is_clutter("div", {"class": "ad"})
    assert is_clutter("div", {"class": "post share-bar"})
    assert is_clutter("div", {"id": "cookie_banner"})
    assert not is_clutter("div", {"class": "header"})
    assert not is_clutter("div", {"class": "shadow thread"})
    assert not is_clutter("div", {"class": "read loaded adverb"})
    assert not is_clutter("article", {"class": "post has-comments"})


# -- structure ----------------------------------------------------------------------------


def test_code_block_keeps_indentation_and_is_not_escaped() -> None:
    code = (
        "def f(x):\n"
        "    if x &lt; 1 and '*' in s:  # [not](a link)\n"
        '        return "```"\n'
        "\treturn `x`\x1b[31m"
    )
    out = render(f'<p>Before</p><pre><code class="language-python">{code}\n</code></pre>')
    tokens = [t for t in parse_md(out.markdown) if t.type == "fence"]
    assert len(tokens) == 1
    assert tokens[0].info == "python"
    assert tokens[0].content == (
        "def f(x):\n"
        "    if x < 1 and '*' in s:  # [not](a link)\n"
        '        return "```"\n'
        "    return `x`\n"
    )
    assert "````python" in out.markdown


def test_inline_code_and_emphasis() -> None:
    out = render(
        "<p>Run <code>a `b` c</code> then <em>really</em> <strong>bold</strong> "
        "<b> </b><del>old</del> <i><em>once</em></i>.</p>"
    )
    inline = inline_tokens(out.markdown)
    code = [t.content for t in inline if t.type == "code_inline"]
    assert code == ["a `b` c"]
    types = [t.type for t in inline]
    assert types.count("em_open") == 2
    assert types.count("strong_open") == 1
    assert types.count("s_open") == 1
    assert shown_text(out.markdown) == "Run a `b` c then really bold old once."


def test_nested_lists() -> None:
    out = render(
        "<ul><li>One<ul><li>One-a</li><li>One-b <b>bold</b></li></ul></li><li>Two</li></ul>"
        '<ol start="3"><li>Three<ol><li>Inner</li></ol></li><li>Four</li></ol>'
    )
    assert out.markdown == (
        "- One\n  - One\\-a\n  - One\\-b **bold**\n- Two\n\n3. Three\n   1. Inner\n4. Four"
    )
    tokens = parse_md(out.markdown)
    assert [t.type for t in tokens].count("bullet_list_open") == 2
    assert [t.type for t in tokens].count("ordered_list_open") == 2


def test_blockquote_nested_and_hard_breaks() -> None:
    out = render("<blockquote><p>Outer</p><blockquote>Inner<br>line</blockquote></blockquote>")
    assert out.markdown == "> Outer\n>\n> > Inner\\\n> > line"
    types = [t.type for t in parse_md(out.markdown)]
    assert types.count("blockquote_open") == 2


def test_simple_table_is_a_gfm_table() -> None:
    out = render(
        "<table><thead><tr><th>Name</th><th>A|B</th></tr></thead>"
        "<tbody><tr><td>x</td><td><code>p|q</code></td></tr><tr><td>y</td><td>2</td></tr>"
        "</tbody></table>"
    )
    tokens = parse_md(out.markdown)
    assert tokens[0].type == "table_open"
    assert [t.content for t in inline_tokens(out.markdown) if t.type == "code_inline"] == ["p|q"]
    assert shown_text(out.markdown).split("\n") == ["Name", "A|B", "x", "p|q", "y", "2"]


def test_irregular_table_becomes_paragraphs() -> None:
    out = render('<table><tr><td colspan="2">Wide</td></tr><tr><td>a</td><td>b</td></tr></table>')
    assert "table_open" not in markup_types(out.markdown)
    assert shown_text(out.markdown) == "Wide\na · b"


def test_images_figures_rules_and_definitions() -> None:
    out = render(
        '<figure><img src="/p.jpg" alt="A [cat] *sleeping*"><figcaption>Photo: Ann</figcaption>'
        '</figure><img src="/pixel.gif" width="1" height="1"><hr>'
        "<dl><dt>Term</dt><dd>Meaning</dd></dl><img src='/noalt.png'>"
    )
    assert shown_text(out.markdown).split("\n") == ["", "Photo: Ann", "Term", "Meaning", ""]
    pictures = [t for t in inline_tokens(out.markdown) if t.type == "image"]
    alts = ["".join(c.content for c in t.children or []) for t in pictures]
    assert alts == ["A [cat] *sleeping*", ""]  # the alt text stays literal
    assert [(i.url, i.alt, i.caption) for i in out.images] == [
        ("https://news.example/p.jpg", "A [cat] *sleeping*", "Photo: Ann"),
        ("https://news.example/noalt.png", "", ""),
    ]
    assert [t.attrs["src"] for t in pictures] == [i.url for i in out.images]
    types = [t.type for t in parse_md(out.markdown)]
    assert "hr" in types
    inline = inline_tokens(out.markdown)
    assert [t.type for t in inline].count("em_open") == 1  # the caption
    assert [t.type for t in inline].count("strong_open") == 1  # the term


def test_whitespace_collapses_like_a_browser() -> None:
    out = render(
        "<div>\n  Some   <b>bold</b>\n\ttext  <p>para</p>   trailing  </div>\n\n\n<p>\n</p>"
    )
    assert out.markdown == "Some **bold** text\n\npara\n\ntrailing"


def test_unknown_tags_and_broken_markup_keep_their_text() -> None:
    out = render("<custom-el>custom</custom-el><p>unclosed <b>bold <i>both</p><p>next</div></span>")
    text = shown_text(out.markdown)
    assert "custom" in text and "unclosed bold both" in text and "next" in text


def test_five_thousand_nested_divs_do_not_crash() -> None:
    depth = 5000
    out = render("<div>" * depth + "deep <b>text</b>" + "</div>" * depth + "<p>after</p>")
    assert shown_text(out.markdown) == "deep text\nafter"
    out = render("<blockquote>" * depth + "deep" + "<ul><li>" * depth + "x")
    text = shown_text(out.markdown)
    assert "deep" in text and "x" in text
    assert html_to_text("<span>" * depth + "s") == "s"


def test_empty_body() -> None:
    assert render("") == RenderedArticle(markdown="")
    assert render("   <div> </div>  ").markdown == ""


# -- plain text ---------------------------------------------------------------------------


def test_html_to_text() -> None:
    text = html_to_text(
        "<h2>Head *x*</h2><p>One &amp; <b>two</b><br>three</p><ul><li>a</li><li>b</li></ul>"
        "<script>bad()</script><p>\x1b[31mend</p>"
    )
    assert text == "Head *x*\n\nOne & two\nthree\n\n- a\n- b\n\nend"


def test_html_helpers() -> None:
    root = parse_html("<p>a <b>b</b></p><p>c&nbsp;d</p>")
    assert text_of(root) == "a b c\xa0d"
    assert resolve_url("../x?y=1", "https://h.example/a/b/c.html") == "https://h.example/a/x?y=1"
    assert resolve_url(" \x1b[31m/p\n ", "https://h.example/a") == "https://h.example/p"
    assert resolve_url("http://[bad", "https://h.example/") == "http://[bad"


# -- related blocks -----------------------------------------------------------------------


def test_find_trailing_related_heading_and_list() -> None:
    body = "<p>Story text with <a href='/inline'>a link</a>.</p>"
    html = body + '<h3>Related</h3><ul><li><a href="/a">A</a></li><li><a href="/b">B</a></li></ul>'
    rest, links = find_trailing_related(html, "https://h.example/news/story.html")
    assert rest == body
    assert links == (
        Link("https://h.example/a", "A", "", kind="related"),
        Link("https://h.example/b", "B", "", kind="related"),
    )


@pytest.mark.parametrize(
    "label", ["Related articles", "READ MORE", "More on privacy", "See also:", "Further reading"]
)
def test_find_trailing_related_labels(label: str) -> None:
    html = (
        f"<div><p>Text.</p><p><strong>{label}</strong></p>"
        '<p><a href="https://x.example/1">One</a></p><p>Teaser one.</p>'
        '<p><a href="https://x.example/2">Two</a> — teaser two</p></div>'
    )
    rest, links = find_trailing_related(html, "https://x.example/")
    assert rest == "<div><p>Text.</p></div>"
    assert [(link.title, link.text) for link in links] == [
        ("One", "Teaser one."),
        ("Two", "teaser two"),
    ]


def test_find_trailing_related_aside_from_the_seed_page() -> None:
    page = (SEED / "articles" / "ssa-ice-appointments.html").read_text(encoding="utf-8")
    aside = re.search(r"<aside.*?</aside>", page, re.DOTALL)
    assert aside is not None
    body = lead_content().replace(BASE, "")
    rest, links = find_trailing_related(body + "\n" + aside.group() + "\n", LEAD_URL)
    assert rest == body + "\n\n"
    assert [(link.url, link.title) for link in links] == [
        (f"{BASE}/articles/discord-teen-mode.html", "Discord defaults every user to teen mode"),
        (
            f"{BASE}/articles/meta-smart-glasses-trial.html",
            "Smart glasses banned at Meta CEO's trial",
        ),
        (
            f"{BASE}/articles/meta-facial-recognition.html",
            "Meta weighed facial recognition for Ray-Ban glasses",
        ),
        (f"{BASE}/articles/doppelganger-lookalikes.html", "Doppelgänger matches faces to creators"),
    ]
    assert all(link.kind == "related" for link in links)
    assert links[0].text.startswith("Discord faces fierce criticism")
    assert links[3].text.endswith("Innovation for adult content discovery or ethical concern?")
    # What is left still renders the whole article.
    assert render(rest, LEAD_URL).headings == render(body, LEAD_URL).headings


@pytest.mark.parametrize(
    "html",
    [
        "<p>Just a story.</p><p>With <a href='/x'>a link</a> at the end.</p>",
        "<h3>Related</h3><ul><li><a href='/a'>A</a></li></ul><p>The story goes on.</p>",
        "<aside class='related'><a href='/a'>A</a></aside><p>More story after the box.</p>",
        "<p>Story.</p><p><a href='/full'>Read more</a></p>",
        "<p>Story.</p><h3>See also</h3><p>Nothing linked here, just words.</p>",
        "<p>Story.</p><div class='unrelated-thing'><a href='/a'>A</a></div><p>end</p>",
    ],
)
def test_find_trailing_related_leaves_other_content_alone(html: str) -> None:
    assert find_trailing_related(html, "https://x.example/") == (html, ())


def test_lazy_sources_srcset_picture_and_the_lead_image() -> None:
    out = render(
        '<img src="data:image/gif;base64,R0lGOD" data-src="/lazy.jpg" alt="lazy">'
        '<img srcset="/s-400.jpg 400w, /s-1200.jpg 1200w, /s-800.jpg 800w" alt="set">'
        '<picture><source srcset="/p.webp 1x, /p2.webp 2x"><img alt="pic"></picture>'
        '<figure><a href="/full.jpg"><img src="/thumb.jpg" width="640" height="360"></a>'
        "<figcaption>Harbour at dawn. <small>Photo: Ann Lee</small></figcaption></figure>"
    )
    base = "https://news.example/"
    assert [i.url.removeprefix(base) for i in out.images] == [
        "lazy.jpg", "s-1200.jpg", "p2.webp", "thumb.jpg",
    ]  # fmt: skip
    last = out.images[-1]
    assert (last.width, last.height) == (640, 360)
    assert last.caption == "Harbour at dawn. Photo: Ann Lee"
    assert base + "full.jpg" in [link.url for link in out.body_links]  # the link stays
    lead = render_article(
        Article(url=base, title="t", body_html="<p>Words.</p>", image=base + "lead.jpg")
    )
    assert lead.markdown.startswith(f"![](<{base}lead.jpg>)")
    assert [i.url for i in lead.images] == [base + "lead.jpg"]
    assert (
        render("<p>Words.</p><img src='/own.jpg'>").images[0].url.endswith("own.jpg")
    )  # the body's own picture: no lead added
    assert not render_article(
        Article(url=base, title="t", body_html="<p>W</p>", image="javascript:alert(1)")
    ).images
