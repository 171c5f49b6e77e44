"""A web page -> `Article`: reader mode, like Miniflux's "fetch original content".

The body comes from readability-lxml (ahead of readability-lxml alone and of trafilatura
on mozilla/readability's test pages once prepared: `bench/extraction.py`), run on the page
after our own preparation (`prepare.py`: hidden elements and small ad / share / comment
boxes dropped, headings shielded, lazy images given a `src`, the tree bounded) and without
the related-articles block, which we lift into `Article.related` first (no library returns
it; see `related.py`). The metadata (title, deck, byline, date, site, lead image) comes
from our own small pass over `<meta>`, JSON-LD and the visible article header, because
readability only knows the `<title>`.

It is pure, synchronous and CPU-bound (tens of ms for a typical page): callers run it in a
thread. Every step is linear in the page and a `Budget` (`budget.py`) stops it after
`TIME_BUDGET` seconds of CPU. readability and lxml are imported on the first call, so
importing this module stays cheap. Every string that reaches the `Article` is unescaped
first and then stripped of control, escape and bidi characters.
"""

from __future__ import annotations

import codecs
import html as html_lib
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from reader.article.budget import Budget, OutOfTime
from reader.article.html import (
    Node,
    class_tokens,
    collapse_spaces,
    parse_html,
    resolve_url,
    text_of,
)
from reader.article.prepare import (
    bound_tree,
    drop_clutter,
    promote_lazy_images,
    protect_headings,
    restore_headings,
    squeeze_spaces,
    unwrap_noscript_images,
)
from reader.article.related import find_related
from reader.article.render import html_to_text, is_other_link
from reader.models import Article
from reader.text import clean_line, is_http_url, strip_controls, tame_html

if TYPE_CHECKING:
    from lxml.html import HtmlElement

__all__ = ["TIME_BUDGET", "ExtractError", "ExtractTimeout", "extract_article"]

MIN_WORDS = 25
"""Fewer words from readability may mean it picked the wrong block: `<article>`/`<main>`
is tried too, and the longer of the two wins."""
MIN_BODY_WORDS = 1
"""A body with fewer words is no article."""
MAX_CHARS = 5_000_000
"""A page is cut here: no article is longer, and parsing stays bounded."""
MAX_TAGS = 400_000
"""A page with more `<` is cut to about this many (each costs a few µs to tame and parse)."""
MAX_ELEMENTS = 60_000
"""More elements than this after pruning are not given to readability (the largest test
page has 10,000): its steps cannot be cut short by the budget."""
TIME_BUDGET = 5.0
"""Seconds one page may take (a typical one takes 20-100 ms)."""
_TOP_ELEMENTS = 40
"""The deck/byline/kicker a body repeats sit among its first elements."""


class ExtractError(ValueError):
    """The page has no readable article; `str()` is a one-line reason for the user."""


class ExtractTimeout(ExtractError):
    """Reading the page took longer than its budget (the caller shows the feed's text)."""


# -- decoding -----------------------------------------------------------------------------

_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(
    r"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_WINDOWS_1252 = frozenset(
    {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii", "cp819"}
)
"""Labels browsers decode as windows-1252 (WHATWG Encoding), which Python's latin-1 is not."""


def _codec(label: str | None) -> str | None:
    """The Python codec for a charset label, or None when it is unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _WINDOWS_1252:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "utf-8" if name.startswith(("utf-16", "utf-32")) else name


def _decode(data: bytes, content_type: str | None) -> str:
    """Bytes -> text: BOM, else the Content-Type charset, else `<meta>`, else UTF-8."""
    for bom, bom_codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(bom_codec, errors="replace")
    header = _CHARSET_PARAM.search(content_type or "")
    codec = _codec(header.group(1) if header else None)
    if codec is None:
        meta = _META_CHARSET.search(data[:4096].decode("ascii", errors="replace"))
        codec = _codec(meta.group(1) if meta else None)
    if codec not in (None, "utf-8", "ascii"):
        # Pages re-saved as UTF-8 keep their old label; bytes that are valid UTF-8 (with
        # some non-ASCII) are next to never text in a legacy encoding.
        try:
            decoded = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if not decoded.isascii():
                return decoded
    return data.decode(codec or "utf-8", errors="replace")


_HTML_MIMES = frozenset(
    {"text/html", "application/xhtml+xml", "application/xml", "text/xml", "text/plain"}
)
"""Content types worth sniffing (servers label HTML as plain text or XML too)."""
_SNIFF_HTML = re.compile(
    r"<(?:!doctype\s+html|html|head|body|article|main|p|div|h[1-6]|title|section)[\s>/]",
    re.IGNORECASE,
)
_FEED_ROOT = re.compile(
    r"\A\s*+(?:<\?xml[^>]*+>\s*+)?+(?:(?><!--.*?-->)\s*+)*+<(?:rss|feed|rdf:RDF)[\s>]", re.DOTALL
)
"""Atomic and possessive: a lazy `<!--.*?-->` under `*` could also end at any later `-->`,
so each comment doubled the ways to fail (139 comments never returned)."""
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*>")


def _check_page(text: str, content_type: str | None) -> None:
    """Raise `ExtractError` for what is plainly not an HTML page."""
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime and mime not in _HTML_MIMES and mime != "application/octet-stream":
        raise ExtractError(f"not a web page (the server sent {clean_line(mime, 60)})")
    if not text.strip():
        raise ExtractError("the page is empty")
    head = text[:65536]
    if "\x00" in head[:1024]:
        raise ExtractError("not a web page (binary data)")
    if _FEED_ROOT.match(head):
        raise ExtractError("the address is a feed, not an article page")
    if not _SNIFF_HTML.search(head):
        raise ExtractError("not a web page (no HTML in it)")


# -- metadata -----------------------------------------------------------------------------


class _HeadScanner(HTMLParser):
    """Collects what our article tree leaves out: `<meta>`, `<title>`, canonical, JSON-LD."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        """First `content` per lower-cased property / name / itemprop."""
        self.title = ""
        self.canonical = ""
        self.json_ld: list[str] = []
        self._title: list[str] | None = None
        self._json: list[str] | None = None
        self._in_body = False
        self._svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values: dict[str, str] = {}
        for name, value in attrs:
            values.setdefault(name, value or "")
        if tag == "meta" and "content" in values:
            for key in ("property", "name", "itemprop"):
                name = values.get(key, "").strip().lower()
                if name:
                    self.meta.setdefault(name, values["content"])
        elif tag == "link" and "canonical" in values.get("rel", "").lower().split():
            self.canonical = self.canonical or values.get("href", "")
        elif tag == "title" and not self.title and not self._in_body and not self._svg:
            self._title = []
        elif tag == "script" and "ld+json" in values.get("type", "").lower():
            self._json = []
        elif tag == "body":
            self._in_body = True
        elif tag == "svg":
            self._svg += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._title is not None:
            self.title = "".join(self._title)
            self._title = None
        elif tag == "script" and self._json is not None:
            self.json_ld.append("".join(self._json))
            self._json = None
        elif tag == "svg" and self._svg:
            self._svg -= 1

    def handle_data(self, data: str) -> None:
        if self._json is not None:
            self._json.append(data)
        elif self._title is not None:
            self._title.append(data)


_BODY_START = re.compile(r"<body[\s>]", re.IGNORECASE)
_LATE_TAG = re.compile(r"<(?:script|meta|link)\b", re.IGNORECASE)
_SCRIPT_END = re.compile(r"</script\s*+>", re.IGNORECASE)


def _head_source(text: str) -> str:
    """The `<head>`, plus the JSON-LD, `<meta>` and `<link>` tags of the body: all the
    scanner needs, found without tokenising a big page twice in Python. One forward pass:
    a tag (or script) that never closes ends the search, since none after it can close."""
    body = _BODY_START.search(text)
    if body is None:
        return text
    parts = [text[: body.start()]]
    at = body.start()
    while (found := _LATE_TAG.search(text, at)) is not None:
        tag_end = text.find(">", found.end())
        if tag_end < 0:
            break
        start_tag = text[found.start() : tag_end + 1]
        if found.group().lower() != "<script":
            parts.append(start_tag)
            at = tag_end + 1
            continue
        close = _SCRIPT_END.search(text, tag_end + 1)
        if close is None:
            break
        if "ld+json" in start_tag.lower():
            parts.append(text[found.start() : close.end()])
        at = close.end()
    return "".join(parts)


def _scan_head(text: str) -> _HeadScanner:
    scanner = _HeadScanner()
    try:
        scanner.feed(tame_html(_head_source(text)))
        scanner.close()
    except (AssertionError, ValueError):  # pragma: no cover - html.parser is tolerant
        pass
    return scanner


_ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "techarticle",
        "scholarlyarticle",
        "report",
        "liveblogposting",
        "socialmediaposting",
    }
)
_JSON_WRAPPER = re.compile(r"\A\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*\Z")


def _json_ld_objects(scripts: list[str]) -> list[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD, `@graph` members included."""
    objects: list[dict[str, Any]] = []
    for raw in scripts:
        if len(raw) > 1_000_000:
            continue
        try:
            data = json.loads(_JSON_WRAPPER.sub("", raw), strict=False)
        except (ValueError, RecursionError):
            continue
        stack: list[Any] = [data]
        while stack and len(objects) < 500:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                objects.append(item)
                if isinstance(item.get("@graph"), list):
                    stack.extend(reversed(item["@graph"]))
    return objects


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower().rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)}


def _ld_text(value: Any, limit: int = 2000) -> str:
    """A JSON-LD string as a clean line (entities decoded, any tags dropped)."""
    if not isinstance(value, str):
        return ""
    text = html_lib.unescape(value)
    if "<" in text and ">" in text:
        text = html_to_text(text)
    return clean_line(text, limit)


def _ld_names(value: Any, index: dict[str, dict[str, Any]], depth: int = 0) -> list[str]:
    """Names from a JSON-LD author/publisher: a string, an object, an `@id` or a list."""
    if depth > 3:
        return []
    if isinstance(value, list):
        return [name for item in value[:20] for name in _ld_names(item, index, depth + 1)]
    if isinstance(value, str):
        name = _ld_text(value, 200)
        return [] if is_http_url(name) else [name] if name else []
    if isinstance(value, dict):
        if "name" in value:
            return _ld_names(value["name"], index, depth + 1)
        ref = value.get("@id")
        if isinstance(ref, str) and ref in index and index[ref] is not value:
            return _ld_names(index[ref], index, depth + 1)
    return []


@dataclass(frozen=True, slots=True)
class _LinkedData:
    headline: str = ""
    alternative: str = ""
    description: str = ""
    authors: tuple[str, ...] = ()
    published: str = ""
    publisher: str = ""


def _linked_data(scripts: list[str]) -> _LinkedData:
    """The article object of the page's JSON-LD (an Article type, else one with a headline)."""
    objects = _json_ld_objects(scripts)
    if not objects:
        return _LinkedData()
    index = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str)}
    article = next((o for o in objects if _types(o) & _ARTICLE_TYPES), None)
    if article is None:
        article = next((o for o in objects if isinstance(o.get("headline"), str)), None)
    if article is None:
        return _LinkedData()
    publisher = _ld_names(article.get("publisher"), index)
    if not publisher:
        site = next((o for o in objects if _types(o) & {"website", "organization"}), None)
        publisher = _ld_names(site.get("name"), index) if site is not None else []
    published = article.get("datePublished")
    return _LinkedData(
        headline=_ld_text(article.get("headline"), 500),
        alternative=_ld_text(article.get("alternativeHeadline"), 1000),
        description=_ld_text(article.get("description"), 1000),
        authors=tuple(dict.fromkeys(_ld_names(article.get("author"), index))),
        published=published if isinstance(published, str) else "",
        publisher=publisher[0] if publisher else "",
    )


_TITLE_METAS = ("dc:title", "dcterm:title", "og:title", "twitter:title", "parsely-title")
_TITLE_SUFFIX = re.compile(r"\A(?P<title>.+\S)\s+(?:\||-|–|—|·|::|»)\s+(?P<site>\S.*)\Z")
_BY = re.compile(r"\A(?:(?:written|words|posted|story)\s+)?by\s*:?\s+", re.IGNORECASE)
_BYLINE_SEPARATOR = re.compile(r"\s*[·•|]\s*|\s+[—–]\s+")
_DECK_TOKENS = frozenset({"deck", "dek", "standfirst", "subtitle", "summary", "subheadline"})
_AUTHOR_NOT = frozenset(
    {"bio", "avatar", "image", "img", "photo", "picture", "description", "desc", "about"}
)
_DATE_TOKENS = frozenset({"date", "time", "timestamp", "dateline", "published", "updated"})
_WORD = re.compile(r"\w+")


def _split_title(title: str) -> tuple[str, str]:
    """`Headline | Site` -> (`Headline`, `Site`); a title without a short suffix is kept."""
    match = _TITLE_SUFFIX.match(title)
    if match is None:
        return title, ""
    site = match.group("site")
    if len(site) > 60 or len(site.split()) > 6:
        return title, ""
    return match.group("title"), site


def _strip_site(title: str, site: str) -> str:
    """`Headline | Site` -> `Headline` when `Site` is the known site name."""
    if site:
        head, suffix = _split_title(title)
        if suffix.casefold() == site.casefold():
            return head
    return title


def _parse_date(value: str | None) -> datetime | None:
    """An ISO 8601 (or RFC 822) date as an aware UTC datetime; naive means UTC."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    try:
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _in_spans(node: Node, spans: tuple[tuple[int, int], ...]) -> bool:
    return any(start <= node.start < end for start, end in spans)


@dataclass(frozen=True, slots=True)
class _Visible:
    """What the page shows around its headline."""

    h1: str = ""
    """The first `<h1>` inside `<article>`/`<main>`."""
    deck: str = ""
    byline: str = ""
    published: str = ""


def _scope(root: Node) -> tuple[Node | None, Node]:
    """The headline `<h1>` (preferably inside `<article>`/`<main>`) and the article element."""
    h1s = [n for n in root.elements() if n.tag == "h1"]
    framed = next(
        (h for h in h1s if any(a.tag in ("article", "main") for a in h.ancestors())), None
    )
    h1 = framed or (h1s[0] if h1s else None)
    if h1 is not None:
        article = next((a for a in h1.ancestors() if a.tag == "article"), None)
        frame = article or next((a for a in h1.ancestors() if a.tag == "main"), None)
        if frame is not None:
            return h1, frame
    frames = [n for n in root.elements() if n.tag in ("article", "main")]
    if frames:
        return h1, max(frames, key=lambda n: len(text_of(n)))
    return h1, root


def _visible_deck(h1: Node | None, scope: Node) -> str:
    """The `.deck`/`.standfirst`/... element just after the headline."""
    if h1 is not None:
        areas = [a for a in (h1.parent, h1.parent.parent if h1.parent else None) if a]
    else:
        areas = [] if scope.tag == "#root" else [scope]
    for area in areas:
        seen = 0
        for node in area.elements():
            if h1 is not None and (node.start <= h1.start or node in h1.ancestors()):
                continue
            seen += 1
            if seen > _TOP_ELEMENTS:
                break
            itemprop = node.attrs.get("itemprop", "").lower().split()
            if "description" in itemprop or not class_tokens(node.attrs).isdisjoint(_DECK_TOKENS):
                text = clean_line(text_of(node), 1000)
                if text and len(text) <= 600:
                    return text
    return ""


def _byline_text(node: Node) -> str:
    """A byline element's names: dates and `<time>` left out, a leading "By" dropped."""
    parts: list[str] = []
    stack: list[Node | str] = list(reversed(node.children))
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
        elif item.tag != "time" and class_tokens(item.attrs).isdisjoint(_DATE_TOKENS):
            parts.append(" ")
            stack.extend(reversed(item.children))
    text = collapse_spaces("".join(parts)).strip()
    text = _BYLINE_SEPARATOR.split(text, maxsplit=1)[0]
    return clean_line(_BY.sub("", text).strip(" ,;:"), 200)


def _visible_byline(scope: Node, spans: tuple[tuple[int, int], ...]) -> str:
    """Authors from rel=author / itemprop=author, else `.author`, else `.byline`."""
    kinds: tuple[list[Node], list[Node], list[Node]] = ([], [], [])
    for node in scope.elements():
        rel = node.attrs.get("rel", "").lower().split()
        itemprop = node.attrs.get("itemprop", "").lower().split()
        tokens = class_tokens(node.attrs)
        if "author" in rel or "author" in itemprop:
            kinds[0].append(node)
        elif ("author" in tokens or "authors" in tokens) and tokens.isdisjoint(_AUTHOR_NOT):
            kinds[1].append(node)
        elif "byline" in tokens:
            kinds[2].append(node)
    for nodes in kinds:
        ids = {id(n) for n in nodes}
        names: list[str] = []
        for node in nodes:
            if any(id(a) in ids for a in node.ancestors()) or _in_spans(node, spans):
                continue
            name = _byline_text(node)
            if name and len(name) <= 120 and name not in names:
                names.append(name)
        if names:
            return ", ".join(names)
    return ""


def _visible_date(scope: Node) -> str:
    """The `datetime` of the first `<time>` in the article header (else in the article)."""
    if scope.tag == "#root":
        return ""
    times = [n for n in scope.elements() if n.tag == "time" and n.attrs.get("datetime")]
    in_header = [t for t in times if any(a.tag == "header" for a in t.ancestors())]
    chosen = (in_header or times)[:1]
    return chosen[0].attrs["datetime"] if chosen else ""


def _visible(root: Node, spans: tuple[tuple[int, int], ...]) -> _Visible:
    h1, scope = _scope(root)
    framed = h1 is not None and any(a.tag in ("article", "main") for a in h1.ancestors())
    return _Visible(
        h1=clean_line(text_of(h1), 500) if h1 is not None and framed else "",
        deck=_visible_deck(h1, scope),
        byline=_visible_byline(scope, spans),
        published=_visible_date(scope),
    )


@dataclass(frozen=True, slots=True)
class _Meta:
    title: str
    deck: str
    deck_shown: bool
    """The deck is text the page shows (so a body repeating it loses the repeat)."""
    byline: str
    published: datetime | None
    site_name: str


def _metadata(head: _HeadScanner, root: Node, spans: tuple[tuple[int, int], ...]) -> _Meta:
    meta = head.meta
    ld = _linked_data(head.json_ld)
    shown = _visible(root, spans)
    page_title = clean_line(head.title, 1000)
    bare_title, title_site = _split_title(page_title)

    site_name = clean_line(meta.get("og:site_name"), 200) or ld.publisher or title_site
    # As Readability.js: the page's own statements of its title first, then `<title>`
    # (as the headline shows it, when they differ only in case).
    if shown.h1 and _norm(shown.h1) == _norm(bare_title):
        bare_title = shown.h1
    title = next(
        (
            _strip_site(value, site_name)
            for value in (
                ld.headline,
                *(clean_line(meta.get(name), 500) for name in _TITLE_METAS),
                bare_title,
                shown.h1,
            )
            if value
        ),
        "",
    )

    deck, deck_shown = shown.deck, bool(shown.deck)
    if not deck:
        deck = (
            clean_line(meta.get("description"), 1000)
            or ld.alternative
            or ld.description
            or clean_line(meta.get("og:description"), 1000)
        )
    if _norm(deck) == _norm(title):
        deck = ""

    byline = ", ".join(ld.authors) or shown.byline
    if not byline:
        byline = clean_line(_BY.sub("", meta.get("author", "")), 200)
        byline = "" if is_http_url(byline) else byline

    published = None
    for value in (
        meta.get("article:published_time"),
        ld.published,
        shown.published,
        meta.get("datepublished"),
    ):
        published = _parse_date(value)
        if published is not None:
            break
    return _Meta(title, deck, deck_shown, byline, published, site_name)


# -- body ---------------------------------------------------------------------------------


def _norm(text: str) -> str:
    """Text reduced to lower-case words, for "does the body repeat this" comparisons."""
    return " ".join(_WORD.findall(text.casefold()))


def _cut(text: str, spans: tuple[tuple[int, int], ...], lo: int = 0, hi: int = -1) -> str:
    """`text[lo:hi]` with the spans inside it removed."""
    hi = len(text) if hi < 0 else hi
    parts: list[str] = []
    at = lo
    for start, end in spans:
        if start >= at and end <= hi:
            parts.append(text[at:start])
            at = end
    parts.append(text[at:hi])
    return "".join(parts)


_PRUNE_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "iframe",
    "svg",
    "canvas",
    "button",
    "select",
    "textarea",
    "dialog",
)
_DROP_TAGS = (
    *_PRUNE_TAGS,
    "object",
    "embed",
    "applet",
    "form",
    "input",
    "link",
    "meta",
    "base",
    "frame",
    "frameset",
    "head",
    "title",
    "annotation-xml",
    "source",
)
_KEEP_ATTRS = frozenset(
    {
        "href",
        "src",
        "alt",
        "title",
        "class",
        "id",
        "lang",
        "colspan",
        "rowspan",
        "start",
        "reversed",
        "datetime",
        "cite",
        "scope",
        "width",
        "height",
    }
)
_URL_ATTRS = frozenset({"href", "src", "cite"})
_KEPT_ASIDE = {"width": "data-nr-w", "height": "data-nr-h"}
"""A picture's size attributes under names readability leaves alone."""
_TOP_BLOCKS = frozenset(
    {"p", "div", "span", "section", "header", "address", "h2", "h3", "h4", "h5", "h6", "time"}
)
_KICKER_TOKENS = frozenset({"kicker", "eyebrow", "overline", "byline", "dateline"})


def _lxml_document(text: str) -> HtmlElement | None:
    from lxml import etree
    from lxml import html as lxml_html

    try:
        return lxml_html.document_fromstring(_XML_DECLARATION.sub("", text))
    except (etree.ParserError, ValueError, AssertionError):
        return None


def _lxml_fragment(text: str, *, wrap: bool = True) -> HtmlElement | None:
    """The fragment as one element (wrapped in a `<div>` unless it is one already)."""
    from lxml import etree
    from lxml import html as lxml_html

    text = _XML_DECLARATION.sub("", text)
    try:
        if not wrap:
            try:
                return lxml_html.fragment_fromstring(text)
            except etree.ParserError:
                pass  # more than one element: wrap them
        return lxml_html.fragment_fromstring(text, create_parent="div")
    except (etree.ParserError, ValueError, AssertionError):  # lxml asserts on a frameset
        return None


_SCHEME = re.compile(r"\A([A-Za-z][A-Za-z0-9+.-]*):")
_SPACE_OR_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]+")


def _safe_url(value: str, *, link: bool = False) -> bool:
    """A non-empty relative or http(s) URL (no `javascript:`, `data:`...); for a link's
    href also one the reader lists but never fetches (`mailto:`, `ftp:`...)."""
    bare = _SPACE_OR_CONTROL.sub("", strip_controls(value))
    scheme = _SCHEME.match(bare)
    if not bare:
        return False
    if scheme is None or scheme.group(1).lower() in ("http", "https"):
        return True
    return link and is_other_link(bare)


def _prune(root: HtmlElement) -> None:
    """Drop what is never article text, before readability scores what is left."""
    from lxml import etree

    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    unwrap_noscript_images(root)
    etree.strip_elements(root, *_PRUNE_TAGS, with_tail=False)
    bound_tree(root)
    drop_clutter(root)
    promote_lazy_images(root)
    protect_headings(root)
    squeeze_spaces(root)
    for element in root.iter("a", "img", "area", "source", "blockquote", "q"):
        for name in ("href", "src", "cite"):
            value = element.get(name)
            if value is not None and not _safe_url(value, link=name == "href"):
                del element.attrib[name]  # else readability resolves "" to the page itself
    for figure in list(root.iter("figure")):
        if any(child.tag == "blockquote" for child in figure):
            figure.drop_tag()  # a pull quote is article text: scored as such when bare
    for image in root.iter("img"):
        # readability strips width and height; kept aside, the reader can size a picture
        # before it is fetched (see `_sanitise`).
        for name, kept in _KEPT_ASIDE.items():
            value = image.get(name)
            if value is not None:
                image.set(kept, value)


def _check_size(document: HtmlElement, limit: int) -> None:
    elements = sum(1 for _ in document.iter())
    if elements > limit:
        raise ExtractError(f"the page is too big to read ({elements:,} elements)")


def _readability(text: str, url: str, budget: Budget) -> HtmlElement | None:
    """readability-lxml's idea of the article, or None when it finds nothing."""
    from lxml import html as lxml_html
    from readability import Document

    _quiet_readability()
    document = _lxml_document(text)
    if document is None:
        return None
    budget.check()
    _check_size(document, 3 * MAX_ELEMENTS)  # pruning costs time too
    _prune(document)
    budget.check()
    _check_size(document, MAX_ELEMENTS)
    pruned = lxml_html.tostring(document, encoding="unicode")
    try:
        summary = Document(pruned, url=url or None).summary(html_partial=True, keep_all_images=True)
    except Exception:  # readability wraps any failure; the fallback takes over
        return None
    # readability returns one <div>: keep it as the root rather than wrapping it again.
    return _lxml_fragment(summary, wrap=False) if summary else None


_quieted = False


def _quiet_readability() -> None:
    """readability logs tracebacks on bad pages; without a handler they would hit stderr
    (the TUI's screen). A NullHandler stops that and still lets an app's logging see them."""
    global _quieted
    if not _quieted:
        logging.getLogger("readability").addHandler(logging.NullHandler())
        _quieted = True


def _elements(root: HtmlElement) -> Iterator[HtmlElement]:
    """Elements under `root` in document order, still attached (skips dropped subtrees)."""
    for element in list(root.iterdescendants()):
        if isinstance(element.tag, str) and _attached(element, root):
            yield element


def _attached(element: HtmlElement, root: HtmlElement) -> bool:
    return any(a is root for a in element.iterancestors())


def _drop_repeats(root: HtmlElement, meta: _Meta) -> None:
    """Drop the headline, deck, byline and kicker when the body repeats the header."""
    title = _norm(meta.title)
    for heading in list(root.iter("h1", "h2")):
        if not title or _norm(heading.text_content()) != title or not _attached(heading, root):
            continue
        header = next((a for a in heading.iterancestors("header", "hgroup")), None)
        if header is not None and _attached(header, root):
            rest = len(header.text_content().split()) - len(heading.text_content().split())
            if rest < 60:
                header.drop_tree()
                continue
        heading.drop_tree()
    deck = _norm(meta.deck) if meta.deck_shown else ""
    byline = _norm(meta.byline)
    for seen, element in enumerate(_elements(root)):
        if seen >= _TOP_ELEMENTS:
            break
        if element.tag not in _TOP_BLOCKS:
            continue
        text = _norm(element.text_content())
        if not text:
            continue
        tokens = class_tokens({"class": element.get("class", ""), "id": element.get("id", "")})
        short = len(text) <= 200
        if (
            (deck and text == deck)
            or (byline and (text == byline or (short and f"{text} ".startswith(f"by {byline} "))))
            or (short and not tokens.isdisjoint(_KICKER_TOKENS))
        ):
            element.drop_tree()


def _sanitise(root: HtmlElement, url: str) -> None:
    """Only safe elements and attributes, absolute http(s) URLs, no control characters."""
    from lxml import etree

    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    etree.strip_elements(root, *_DROP_TAGS, with_tail=False)
    drop_clutter(root)
    for element in _elements(root):
        attrs = {str(k).lower(): str(v) for k, v in element.attrib.items()}
        element.attrib.clear()
        for name, kept in _KEPT_ASIDE.items():
            if kept in attrs:
                attrs.setdefault(name, attrs[kept])
        for name, value in attrs.items():
            if name not in _KEEP_ATTRS:
                continue
            value = strip_controls(value)
            if name in _URL_ATTRS:
                value = resolve_url(value, url)
                # http(s), or a link the reader lists but never fetches (mailto:, ftp:...)
                if not (is_http_url(value) or (name == "href" and is_other_link(value))):
                    continue
            element.set(name, value)
    for element in root.iter():
        if element.text:
            element.text = strip_controls(element.text)
        if element.tail:
            element.tail = strip_controls(element.tail)
    root.attrib.clear()


def _finish(root: HtmlElement, url: str, meta: _Meta) -> tuple[str, int]:
    """Body element -> (clean body HTML, its word count)."""
    from lxml import html as lxml_html

    restore_headings(root)
    _sanitise(root, url)
    _drop_repeats(root, meta)
    words = len(root.text_content().split())
    return lxml_html.tostring(root, encoding="unicode"), words


def _fallback(root: Node) -> Node | None:
    """The largest `<article>`, `<main>` or `[itemprop=articleBody]` of our own tree."""
    frames = [
        n
        for n in root.elements()
        if n.tag in ("article", "main")
        or "articlebody" in n.attrs.get("itemprop", "").lower().split()
    ]
    frames = [n for n in frames if n.end > n.start]
    return max(frames, key=lambda n: len(text_of(n)), default=None)


def _body(
    text: str,
    url: str,
    root: Node,
    spans: tuple[tuple[int, int], ...],
    meta: _Meta,
    budget: Budget,
) -> str:
    """Readability's body; when that is short, the `<article>`/`<main>` fallback if it
    says more; a short article is still an article (a one-paragraph post). No words at
    all: ExtractError."""
    best, best_words = "", 0
    body = _readability(_cut(text, spans), url, budget)
    budget.check()
    if body is not None:
        best, best_words = _finish(body, url, meta)
        if best_words >= MIN_WORDS:
            return best
    budget.check()
    frame = _fallback(root)
    if frame is not None:
        fragment = _lxml_fragment(_cut(text, spans, frame.start, frame.end))
        if fragment is not None:
            _prune(fragment)
            html, words = _finish(fragment, url, meta)
            if words > best_words:
                best, best_words = html, words
    if best_words < MIN_BODY_WORDS:
        raise ExtractError("no article text found on the page")
    return best


def _opens_body(deck: str, body_html: str) -> bool:
    """True when the deck is just the body's first words (a meta description excerpt)."""
    words = _norm(deck.rstrip(".… ")).split()
    return bool(words) and _norm(html_to_text(body_html)[:4000]).split()[: len(words)] == words


_IMAGE_METAS = (
    "og:image:secure_url",
    "og:image:url",
    "og:image",
    "twitter:image",
    "twitter:image:src",
)


def _lead_image(meta: dict[str, str], url: str) -> str:
    """The page's og:image / twitter:image as an absolute http(s) URL, else ""."""
    for name in _IMAGE_METAS:
        value = clean_line(meta.get(name), 4000)
        if value:
            image = resolve_url(value, url)
            if is_http_url(image):
                return image
    return ""


# -- public API ---------------------------------------------------------------------------


def extract_article(
    html: str | bytes,
    url: str,
    *,
    content_type: str | None = None,
    budget: float | None = TIME_BUDGET,
) -> Article:
    """The article on a web page: clean body HTML, metadata and related links.

    `url` is the page's (final) address: relative links resolve against it. Bytes are
    decoded by the Content-Type charset, else `<meta charset>`, else UTF-8. Raises
    `ExtractError` when the page has no readable article (empty, not HTML, no text), and
    `ExtractTimeout` (an `ExtractError`) when reading it takes more than `budget` seconds.
    """
    clock = Budget(budget)
    try:
        return _extract(html, url, content_type, clock)
    except OutOfTime as exc:
        raise ExtractTimeout(f"the page took too long to read ({exc})") from None


def _extract(html: str | bytes, url: str, content_type: str | None, budget: Budget) -> Article:
    text = _decode(html, content_type) if isinstance(html, bytes) else html
    text = text[:MAX_CHARS]
    tags = text.count("<")
    if tags > MAX_TAGS:  # keep the start: the article is there, and the work stays bounded
        text = text[: len(text) * MAX_TAGS // tags]
    _check_page(text, content_type)
    url = clean_line(url)
    root = parse_html(text, budget)
    budget.check()
    head = _scan_head(text)
    canonical = resolve_url(head.canonical, url) if head.canonical else ""
    related = find_related(root, url, also_self=(canonical,) if canonical else ())
    budget.check()
    meta = _metadata(head, root, related.spans)
    budget.check()
    body_html = _body(text, url, root, related.spans, meta, budget)
    deck = meta.deck
    if deck and not meta.deck_shown and _opens_body(deck, body_html):
        deck = ""
    return Article(
        url=url,
        title=meta.title,
        deck=deck,
        byline=meta.byline,
        published=meta.published,
        body_html=body_html,
        related=related.links,
        source="page",
        site_name=meta.site_name,
        image=_lead_image(head.meta, url),
    )
