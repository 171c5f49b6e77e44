"""Finding a page's related-articles block, which no extraction library returns.

The heuristic, on the raw page tree (`parse_html`, before any readability pruning; our tree
has already left out scripts, `<nav>`, hidden elements and ad/share/comment boxes):

1. A *container* is an `aside`, `section`, `div`, `ul` or `ol`. It is *related* when its
   class, id, `data-*` attributes (names and short values), `aria-label(ledby)` or its own
   label says related / more on / more from / read next / up next / you might (may) also
   like / recommended / further reading / see also. Its own label is its first child when
   that is an h2-h6 or a short leading `strong`/`b`/`p`/`span` (also through a `header`
   or `div` wrapper), or - for a list or box without one - a heading or short label just
   before it ("<h3>Read next</h3><ul>...").
   A `read-more` class alone is not enough: it usually names a single "continue" button.
2. Anything that also says most read / most popular / trending / recent / latest /
   comments / newsletter / sponsored / partner / topics / tags is *not* related, and
   neither is anything inside such a container (a "Trending" box's `related-item` cards).
3. A container holding an `<h1>` is the article, never a related block, and a negative
   word on it (WordPress's `tag-privacy` class) does not hide the related box inside it.
4. Of nested matches the innermost one that holds a usable link wins; disjoint matches
   are all taken, in document order.
5. Links: in document order, http(s) only, absolute (resolved against the page URL),
   de-duplicated (`/a#comments` is `/a`), never `#anchors` or the page itself. A link's
   title is the h2-h6 inside it, else its text without kicker/date parts, else the card's
   heading, else an image's alt. Its teaser is the `<p>` (or summary/excerpt element)
   text of its card: the largest ancestor, inside the container, whose links all go to
   that one page.
   Same-site links come first (in their order), then the others.

`find_related` also returns the source spans to keep out of the article body: each
related block (grown to its matching ancestors and its label), plus link-dense boxes
labelled "Most read", "Trending", "Latest"... and comment sections found by their label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urlsplit

from reader.article.html import (
    BLOCK_TAGS,
    HEADING_TAGS,
    Node,
    class_tokens,
    collapse_spaces,
    resolve_url,
    text_of,
)
from reader.models import Link
from reader.text import clean_line, is_http_url

__all__ = ["RelatedFind", "find_related"]

MAX_RELATED = 30
"""A page's related block never has more; past that it is a link farm."""

_CONTAINERS = frozenset({"aside", "section", "div", "ul", "ol"})
_LABEL_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6", "strong", "b", "p", "span"})
_LABEL_WRAPPERS = frozenset({"header", "div", "hgroup"})
_SUB_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_LABEL_LIMIT = 80
_ITEM_TAGS = frozenset({"li", "article", "div", "section", "dd", "td", "figure", "p"})

_RELATED_LABEL = re.compile(
    r"(?:related|more (?:on|from|about)\b|more stories|read (?:next|more)|up next"
    r"|what to read next|you (?:might|may) also (?:like|enjoy)|recommended|recommendations?"
    r"|further reading|see also)\b"
)
"""A label that starts with one of these phrases (label text normalised to words)."""

_RELATED_ATTR = re.compile(
    r"\b(?:related|more (?:on|from)|more stories|read next|up next|you (?:might|may) also like"
    r"|also like|recommended|recommendations?|further reading|see also)\b"
)
"""The same phrases anywhere in class/id/data-*/aria words (not `read more`: a button)."""

_NOT_RELATED = re.compile(
    r"\b(?:most (?:read|popular|viewed|shared|commented|emailed)|popular|trending|recent"
    r"|latest|comments?|newsletters?|sponsor(?:ed|s)?|promoted|partners?|outbrain|taboola"
    r"|topics?|tags?|categories)\b"
)
_COMMENTS_LABEL = re.compile(
    r"(?:\d+ )?(?:reader )?comments?|leave a (?:reply|comment)"
    r"|join the (?:conversation|discussion)|discussion|responses"
)
_NON_TITLE = frozenset(
    {
        "kicker",
        "eyebrow",
        "overline",
        "category",
        "section",
        "label",
        "tag",
        "date",
        "time",
        "timestamp",
        "dateline",
        "meta",
        "byline",
        "author",
        "flag",
        "duration",
        "readtime",
    }
)
"""Class tokens of the parts of a card that are not its title (nor its teaser)."""
_TEASER_TOKENS = frozenset(
    {"summary", "excerpt", "dek", "deck", "description", "desc", "standfirst", "teaser", "blurb"}
)
_GENERIC_TITLES = frozenset({"read more", "more", "continue reading", "read", "read the story"})
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class RelatedFind:
    """What `find_related` found."""

    links: tuple[Link, ...]
    spans: tuple[tuple[int, int], ...]
    """Source offsets (start, end) of blocks that are not article body, sorted, disjoint."""


def _words(text: str) -> str:
    """Lower-case words separated by single spaces (camelCase split, punctuation dropped)."""
    return _NON_WORD.sub(" ", _CAMEL.sub(r"\1 \2", text).lower()).strip()


def _attr_words(node: Node) -> str:
    parts = [node.attrs.get("class", ""), node.attrs.get("id", "")]
    parts.append(node.attrs.get("aria-label", ""))
    parts.append(node.attrs.get("aria-labelledby", ""))
    for name, value in node.attrs.items():
        if name.startswith("data-"):
            parts.append(name[5:])
            if len(value) <= 100:
                parts.append(value)
    return _words(" ".join(parts))


def _first_child(node: Node) -> Node | None:
    """The first child element, or None when visible text comes before it."""
    for child in node.children:
        if isinstance(child, str):
            if child.strip():
                return None
            continue
        return child
    return None


def _children(node: Node) -> list[tuple[Node, Node | None]]:
    """Child elements, each with the element just before it (None when text sits between)."""
    out: list[tuple[Node, Node | None]] = []
    previous: Node | None = None
    for child in node.children:
        if isinstance(child, str):
            if child.strip():
                previous = None
        else:
            out.append((child, previous))
            previous = child
    return out


def _short_text(node: Node, limit: int = _LABEL_LIMIT) -> str:
    """The node's text when it is at most `limit` characters, else "" (reads no further)."""
    parts: list[str] = []
    size = 0
    for item in node.descendants():
        if isinstance(item, str):
            parts.append(item)
            size += len(item.strip())
            if size > limit * 2:
                return ""
        elif item.tag == "br" or item.tag in BLOCK_TAGS:
            parts.append(" ")
    text = collapse_spaces("".join(parts)).strip()
    return text if len(text) <= limit else ""


def _label_of(candidate: Node | None) -> Node | None:
    """`candidate` (or the heading inside its wrapper) when it reads as a short label."""
    if candidate is None:
        return None
    if candidate.tag in _LABEL_WRAPPERS:
        inner = _first_child(candidate)
        if inner is None or inner.tag not in _LABEL_TAGS:
            return None
        outer_text = _short_text(candidate)
        if not outer_text or _short_text(inner) != outer_text:
            return None
        candidate = inner
    if candidate.tag not in _LABEL_TAGS:
        return None
    if not _short_text(candidate):
        return None
    if candidate.tag not in _SUB_HEADINGS and any(n.tag == "a" for n in candidate.elements()):
        return None  # a leading link is a card, not a label
    return candidate


@dataclass(slots=True)
class _Signal:
    verdict: bool | None
    """True: says related; False: says most read/trending/...; None: says nothing."""
    label: Node | None = None
    outside_label: Node | None = None
    """The label before the container, when that is where the verdict came from."""
    comments: bool = False


def _signal(node: Node, previous: Node | None) -> _Signal:
    attrs = _attr_words(node)
    own = _label_of(_first_child(node))
    label_text = _words(_short_text(own)) if own is not None else ""
    outside: Node | None = None
    if own is None:
        outside = _label_of(previous)
        if outside is not None:
            label_text = _words(_short_text(outside))
    comments = bool(label_text) and _COMMENTS_LABEL.fullmatch(label_text) is not None
    if _NOT_RELATED.search(attrs) or _NOT_RELATED.search(label_text):
        return _Signal(False, own, outside, comments)
    if _RELATED_ATTR.search(attrs):
        return _Signal(True, own, None)
    if label_text and _RELATED_LABEL.match(label_text):
        return _Signal(True, own, outside)
    return _Signal(None, own, outside)


def _has_h1(node: Node) -> bool:
    return any(n.tag == "h1" for n in node.elements())


def _link_density(node: Node) -> float:
    total = len(text_of(node))
    if not total:
        return 0.0
    linked = sum(len(text_of(a)) for a in node.elements() if a.tag == "a")
    return linked / total


def _same_site(url: str, page_url: str) -> bool:
    def host(u: str) -> str:
        try:
            name = urlsplit(u).hostname or ""
        except ValueError:
            return ""
        return name.removeprefix("www.")

    return host(url) == host(page_url)


def _self_urls(page_url: str, also: tuple[str, ...]) -> frozenset[str]:
    urls: set[str] = set()
    for url in (page_url, *also):
        if not url:
            continue
        bare = urldefrag(url)[0]
        urls.update({bare, bare.rstrip("/"), bare.rstrip("/") + "/"})
    return frozenset(urls)


def _visible_text(node: Node, skip_title_parts: bool) -> str:
    """The node's text, leaving out kicker/date parts (and `<time>`) when asked."""
    parts: list[str] = []
    stack: list[Node | str] = list(reversed(node.children))
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        if skip_title_parts and (
            item.tag == "time" or not class_tokens(item.attrs).isdisjoint(_NON_TITLE)
        ):
            parts.append(" ")
            continue
        if item.tag == "br" or item.tag not in ("a", "span", "em", "strong", "b", "i"):
            parts.append(" ")
        stack.extend(reversed(item.children))
    return collapse_spaces("".join(parts)).strip()


def _link_title(a: Node, card: Node | None) -> str:
    heading = next((n for n in a.elements() if n.tag in HEADING_TAGS), None)
    if heading is not None:
        return clean_line(text_of(heading), 300)
    title = clean_line(_visible_text(a, skip_title_parts=True), 300) or clean_line(text_of(a), 300)
    if title and title.casefold() not in _GENERIC_TITLES:
        return title
    if card is not None:
        heading = next((n for n in card.elements() if n.tag in HEADING_TAGS), None)
        if heading is not None:
            return clean_line(text_of(heading), 300)
    if not title:
        alt = next((n.attrs.get("alt", "") for n in a.elements() if n.tag == "img"), "")
        title = clean_line(alt, 300)
    return title


def _links_elsewhere(node: Node, url: str, base_url: str) -> bool:
    """True when `node` links to another page than `url` (stops at the first one)."""
    for n in node.elements():
        if n.tag == "a":
            href = n.attrs.get("href", "").strip()
            if href and urldefrag(resolve_url(href, base_url))[0] != url:
                return True
    return False


def _card(a: Node, container: Node, url: str, base_url: str) -> Node | None:
    """The largest ancestor of `a` inside `container` whose links all go to page `url`."""
    card: Node | None = None
    for ancestor in a.ancestors():
        if _links_elsewhere(ancestor, url, base_url):
            break
        if ancestor.tag in _ITEM_TAGS or ancestor is container:
            card = ancestor
        if ancestor is container:
            break
    return card


def _teaser(card: Node | None, a: Node, title: str) -> str:
    if card is None:
        return ""
    texts: list[str] = []
    taken: set[int] = set()
    for node in card.elements():
        if node is card or node is a:
            continue
        if any(id(p) in taken for p in node.ancestors()):
            continue
        tokens = class_tokens(node.attrs)
        if node.tag != "p" and tokens.isdisjoint(_TEASER_TOKENS):
            continue
        if not tokens.isdisjoint(_NON_TITLE) or any(n.tag in HEADING_TAGS for n in node.elements()):
            continue
        text = text_of(node)
        if text and text != title:
            texts.append(text)
            taken.add(id(node))
    teaser = clean_line(" ".join(texts), 400)
    return "" if teaser == title else teaser


def _links(container: Node, page_url: str, self_urls: frozenset[str]) -> list[Link]:
    found: dict[str, Link] = {}
    for a in container.elements():
        if a.tag != "a":
            continue
        href = a.attrs.get("href", "").strip()
        if not href or href.startswith("#"):
            continue
        url = resolve_url(href, page_url)
        if not is_http_url(url) or urldefrag(url)[0] in self_urls:
            continue
        key = urldefrag(url)[0]  # `/story` and `/story#comments` are one article
        card = _card(a, container, key, page_url)
        title = _link_title(a, card)
        known = found.get(key)
        if known is not None:
            if known.title.casefold() in _GENERIC_TITLES | {""} and title:
                teaser = known.text or _teaser(card, a, title)
                found[key] = Link(known.url, title, teaser, kind="related")
            continue
        found[key] = Link(url, title, _teaser(card, a, title), kind="related")
        if len(found) >= 2 * MAX_RELATED:
            break
    return [link for link in found.values() if link.title]


def _span(node: Node, label: Node | None) -> tuple[int, int] | None:
    if node.end < 0:
        return None
    start = node.start if label is None else min(node.start, label.start)
    return (start, node.end)


def _merge(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def find_related(root: Node, page_url: str, *, also_self: tuple[str, ...] = ()) -> RelatedFind:
    """The page's related links and the spans of its non-body link blocks (see module doc).

    `also_self` holds other addresses of the page itself (its canonical URL) to leave out.
    """
    self_urls = _self_urls(page_url, also_self)
    signals: dict[int, _Signal] = {}
    matches: list[tuple[Node, list[Link]]] = []
    boilerplate: list[tuple[Node, Node | None]] = []
    stack: list[tuple[Node, Node | None, bool]] = [(root, None, False)]
    while stack:
        node, previous, blocked = stack.pop()
        if node.tag in _CONTAINERS:
            signal = _signal(node, previous)
            signals[id(node)] = signal
            if signal.verdict is False and not _has_h1(node):
                # (A negative word on the article's own wrapper, such as WordPress's
                # `tag-privacy` class, must not hide a related box inside the article.)
                if not blocked and (signal.comments or _link_density(node) >= 0.5):
                    boilerplate.append((node, signal.outside_label))
                blocked = True
            elif signal.verdict and not blocked and not _has_h1(node):
                links = _links(node, page_url, self_urls)
                if links:
                    matches.append((node, links))
        stack.extend((c, p, blocked) for c, p in reversed(_children(node)))

    matched = {id(node) for node, _ in matches}
    outer = {id(a) for node, _ in matches for a in node.ancestors() if id(a) in matched}
    chosen = [(node, links) for node, links in matches if id(node) not in outer]

    found: dict[str, Link] = {}
    spans: list[tuple[int, int]] = []
    for node, links in chosen:
        for link in links:
            found.setdefault(urldefrag(link.url)[0], link)
        top, label = node, signals[id(node)].outside_label
        for ancestor in node.ancestors():
            outer_signal = signals.get(id(ancestor))
            if outer_signal is None or not outer_signal.verdict or _has_h1(ancestor):
                break
            top, label = ancestor, outer_signal.outside_label
        span = _span(top, label)
        if span is not None:
            spans.append(span)
    for node, label in boilerplate:
        span = _span(node, label)
        if span is not None:
            spans.append(span)

    ordered = sorted(found.values(), key=lambda link: not _same_site(link.url, page_url))
    return RelatedFind(tuple(ordered[:MAX_RELATED]), _merge(spans))
