"""A small, tolerant HTML -> element tree for untrusted article markup.

Built on the stdlib `html.parser` so no dependency is needed. It never raises on broken
markup: unclosed tags are closed by the next block or by the end of input, stray end tags
are ignored, and the tree depth is capped so a page of 5,000 nested divs cannot make the
(recursive) renderer blow the stack. Scripts, forms, embeds and hidden elements never enter
the tree; boxes named as clutter (ads, share bars, comments...) leave it once parsed, unless
they are big text wrappers (`keeps_clutter`). Text is unescaped by the parser first and
only then stripped of control characters, so `&#27;` cannot smuggle in an ESC.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

from reader.article.budget import Budget
from reader.text import LT_STAND_IN, strip_controls, tame_html


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


MAX_DEPTH = 100
"""Deeper elements are flattened into their deepest kept ancestor (content is kept)."""

VOID_TAGS = _words("area base br col embed hr img input keygen link meta param source track wbr")
DROP_TAGS = _words(
    "script style noscript template iframe object embed form input button select "
    "textarea svg canvas nav head title meta link base frameset frame applet dialog"
)
"""Elements removed with everything inside them."""

CLUTTER_TOKENS = _words(
    "ad ads advert advertisement sponsor sponsored promo newsletter subscribe share "
    "sharing social comments cookie banner popup"
)
"""Whole class/id tokens (split on spaces, hyphens, underscores) that mark clutter."""
STRONG_CLUTTER_TOKENS = _words("comments cookie popup")
"""Of those, the ones that mark clutter whatever its size (a long comment thread)."""
BIG_CLUTTER_CHARS = 1000
"""A box marked as clutter with at least this much text, mostly not links, is kept: such
a name on a big wrapper (`div#ad-portal`, `...share-btns...`) says nothing of its text."""
MAX_CLUTTER_LINK_SHARE = 0.33

_CLUTTER_EXEMPT = frozenset({"html", "body", "main", "article"})
"""Never dropped for a class/id token: a stray `has-comments` must not eat the article."""

HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BLOCK_TAGS = _words(
    "address article aside blockquote body caption center dd details div dl dt "
    "fieldset figcaption figure footer h1 h2 h3 h4 h5 h6 header hgroup hr html legend "
    "li main menu ol p pre section summary table tbody td tfoot th thead tr ul"
)
"""Elements that start a new block (a paragraph break) in the rendered text."""

_CLOSES_P = BLOCK_TAGS - {"body", "html", "caption", "td", "th", "tr", "tbody", "thead", "tfoot"}
_INLINE_SCOPE = _words(
    "a abbr b bdi bdo cite code data del dfn em font i ins kbd mark q s samp small "
    "span strike strong sub sup time tt u var"
)
_TOKEN_SPLIT = re.compile(r"[\s_-]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


@dataclass(eq=False)
class Node:
    """One element; text children are plain `str` (already unescaped and control-free)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = field(default=None, repr=False)
    start: int = 0
    """Offset of the start tag in the source (so a block can be cut out of the original)."""
    end: int = -1
    """Offset just past the element's end in the source (-1 until it is closed)."""

    def elements(self) -> Iterator[Node]:
        """Descendant elements in document order (iterative: no recursion limit)."""
        stack: list[Node] = [c for c in reversed(self.children) if isinstance(c, Node)]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(c for c in reversed(node.children) if isinstance(c, Node))

    def descendants(self) -> Iterator[Node | str]:
        """Every descendant, text included, in document order."""
        stack: list[Node | str] = list(reversed(self.children))
        while stack:
            item = stack.pop()
            yield item
            if isinstance(item, Node):
                stack.extend(reversed(item.children))

    def ancestors(self) -> Iterator[Node]:
        """Parent, grandparent... up to the root."""
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


def class_tokens(attrs: dict[str, str]) -> set[str]:
    """Lower-cased class and id words, split on spaces, hyphens and underscores."""
    words = f"{attrs.get('class', '')} {attrs.get('id', '')}".lower()
    return {t for t in _TOKEN_SPLIT.split(words) if t}


def is_hidden(attrs: dict[str, str]) -> bool:
    """Elements the page hides (`hidden`, `aria-hidden`, `display: none`...)."""
    if attrs.get("aria-hidden", "").strip().lower() == "true" or "hidden" in attrs:
        return True
    return _HIDDEN_STYLE.search(attrs.get("style", "")) is not None


def clutter_kind(tag: str, attrs: dict[str, str]) -> str:
    """`strong` (comments, cookie, popup), `weak` (ad, share, promo...) or "" by the
    element's class/id words; what a weak one is depends on its size (`keeps_clutter`)."""
    if tag in _CLUTTER_EXEMPT:
        return ""
    tokens = class_tokens(attrs)
    if tokens.isdisjoint(CLUTTER_TOKENS):
        return ""
    return "weak" if tokens.isdisjoint(STRONG_CLUTTER_TOKENS) else "strong"


def keeps_clutter(kind: str, chars: int, link_chars: int, holds_article: bool) -> bool:
    """True when a box named as clutter is kept all the same: it holds the headline or the
    article element, or (for a weak name) much text that is mostly not links."""
    if holds_article:
        return True
    big = chars >= BIG_CLUTTER_CHARS and link_chars < chars * MAX_CLUTTER_LINK_SHARE
    return kind == "weak" and big


def is_clutter(tag: str, attrs: dict[str, str]) -> bool:
    """Hidden elements and boxes named ad/share/comment/cookie..., whatever their size."""
    return is_hidden(attrs) or bool(clutter_kind(tag, attrs))


class _TreeBuilder(HTMLParser):
    """Builds a `Node` tree with browser-like implied end tags, never raising."""

    def __init__(self, source: str, fed: str, budget: Budget | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.budget = budget
        self.tags = 0
        self.root = Node("#root", start=0)
        self.stack: list[Node] = [self.root]
        self.overflow: Counter[str] = Counter()
        self.drop_tag = ""
        self.dropping: Counter[str] = Counter()
        """Tags open inside the element being dropped; empty when not dropping."""
        self.marked: list[tuple[Node, str]] = []
        """Elements named as clutter, with their kind: dropped at the end unless big."""
        # Lines of the text the parser reads (`getpos()` counts those): `tame_html` blanks a
        # comment's newlines too, so the source's own line breaks would put every later
        # element off by the lines of each multi-line comment before it.
        self.line_starts = [0]
        for match in re.finditer("\n", fed):
            self.line_starts.append(match.end())

    def position(self) -> int:
        line, col = self.getpos()
        return self.line_starts[min(line, len(self.line_starts)) - 1] + col

    # -- tags -------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags += 1
        if self.budget is not None and not self.tags % 512:
            self.budget.check()
        if self.dropping:
            if tag not in VOID_TAGS:
                self.dropping[tag] += 1
            return
        values: dict[str, str] = {}
        for name, value in attrs:
            values.setdefault(name, strip_controls(value or ""))
        kind = clutter_kind(tag, values)
        if tag in DROP_TAGS or is_hidden(values) or (kind and tag in VOID_TAGS):
            if tag not in VOID_TAGS:
                self.drop_tag = tag
                self.dropping = Counter({tag: 1})
            return
        start = self.position()
        self._implied_end(tag, start)
        if tag in VOID_TAGS:
            end = start + len(self.get_starttag_text() or "")
            self._append(Node(tag, values, start=start, end=end))
            return
        if len(self.stack) > MAX_DEPTH:
            self.overflow[tag] += 1
            if tag in BLOCK_TAGS:
                self.handle_data(" ")  # its words still must not run into the next block's
            return
        node = Node(tag, values, start=start)
        self._append(node)
        self.stack.append(node)
        if kind:
            self.marked.append((node, kind))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # XHTML-style `<p/>`: feeds are often XHTML, so treat it as open-and-close.
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if self.dropping[tag]:
                self.dropping[tag] -= 1
                if not self.dropping[tag]:
                    del self.dropping[tag]
                    if tag == self.drop_tag:
                        self.dropping.clear()
            elif any(n.tag == tag for n in self.stack[1:]):
                # The dropped element was never closed; its parent's end closes it.
                self.dropping = Counter()
                self._close(tag)
            return
        if tag == "br":
            self.handle_starttag("br", [])
            return
        if self.overflow[tag]:
            self.overflow[tag] -= 1
            if tag in BLOCK_TAGS:
                self.handle_data(" ")
            return
        self._close(tag)

    def _close(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                start = self.position()
                gt = self.source.find(">", start)
                end = len(self.source) if gt < 0 else gt + 1
                # Elements left open inside it end where its end tag starts.
                self._pop_to(index, start, own_end=end)
                return

    def _implied_end(self, tag: str, at: int) -> None:
        """Close what a browser would close before `tag` opens (p before a block, li...)."""
        if tag in _CLOSES_P:
            self._close_open(("p",), at, through=_INLINE_SCOPE)
        if tag == "li":
            self._close_open(("li",), at, stop={"ul", "ol", "menu", "table"})
        elif tag in ("dt", "dd"):
            self._close_open(("dt", "dd"), at, stop={"dl", "table"})
        elif tag == "tr":
            self._close_open(("tr",), at, stop={"table"})
        elif tag in ("td", "th"):
            self._close_open(("td", "th"), at, stop={"tr", "table"})
        elif tag in ("thead", "tbody", "tfoot"):
            self._close_open(("thead", "tbody", "tfoot"), at, stop={"table"})
        elif tag in HEADING_TAGS and self.stack[-1].tag in HEADING_TAGS:
            self._pop_to(len(self.stack) - 1, at)

    def _close_open(
        self,
        tags: tuple[str, ...],
        at: int,
        *,
        stop: set[str] | frozenset[str] = frozenset(),
        through: frozenset[str] | None = None,
    ) -> None:
        """Pop to the nearest open element in `tags`; give up at a `stop` element (or at
        any element outside `through`, when given)."""
        for index in range(len(self.stack) - 1, 0, -1):
            current = self.stack[index].tag
            if current in tags:
                self._pop_to(index, at)
                return
            if current in stop or (through is not None and current not in through):
                return

    def _pop_to(self, index: int, at: int, own_end: int | None = None) -> None:
        while len(self.stack) > index:
            node = self.stack.pop()
            node.end = own_end if own_end is not None and len(self.stack) == index else at

    def _append(self, node: Node) -> None:
        parent = self.stack[-1]
        node.parent = parent
        parent.children.append(node)

    # -- text -------------------------------------------------------------------------

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        text = strip_controls(data).replace(LT_STAND_IN, "<")
        if not text:
            return
        children = self.stack[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += text
        else:
            children.append(text)

    def close(self) -> None:
        super().close()
        self._pop_to(1, len(self.source))
        self.root.end = len(self.source)
        self.drop_clutter()

    def drop_clutter(self) -> None:
        """Drop the marked boxes `keeps_clutter` does not keep (sizes in one pass)."""
        if not self.marked:
            return
        sizes = _sizes(self.root)
        for node, kind in self.marked:
            if node.parent is not None and not keeps_clutter(kind, *sizes[id(node)]):
                node.parent.children = [c for c in node.parent.children if c is not node]
                node.parent = None
        self.marked = []


def _sizes(root: Node) -> dict[int, tuple[int, int, bool]]:
    """Per element: (text characters, characters inside links, holds an h1 / `<article>` /
    articleBody), computed bottom-up in one pass over the tree."""
    order = [root, *root.elements()]
    sizes: dict[int, tuple[int, int, bool]] = {}
    for node in reversed(order):
        chars = links = 0
        holds = False
        for child in node.children:
            if isinstance(child, str):
                chars += len(child.strip())
            else:
                c, li, h = sizes[id(child)]
                chars += c
                links += li
                holds = holds or h
        if node.tag == "a":
            links = chars
        if (
            node.tag in ("h1", "article", "main")
            or "articlebody" in node.attrs.get("itemprop", "").lower().split()
        ):
            holds = True
        sizes[id(node)] = (chars, links, holds)
    return sizes


def parse_html(source: str, budget: Budget | None = None) -> Node:
    """Parse untrusted HTML into a tree rooted at a `#root` node; never raises, except
    `OutOfTime` once `budget` (when given) runs out."""
    source = source or ""
    # Tamed first: html.parser rescans the rest of the input for every `<` that never
    # closes, so malformed pages went quadratic. Same length, so offsets stay valid.
    fed = tame_html(source, keep_offsets=True)
    builder = _TreeBuilder(source, fed, budget)
    try:
        builder.feed(fed)
        builder.close()
    except (AssertionError, ValueError):  # pragma: no cover - html.parser is tolerant
        builder._pop_to(1, len(source))
        builder.drop_clutter()
    return builder.root


def collapse_spaces(text: str) -> str:
    """Collapse HTML whitespace runs to one space, as a browser does (NBSP is kept)."""
    return _HTML_SPACE.sub(" ", text)


def text_of(node: Node | str) -> str:
    """The visible text of a node: whitespace collapsed, blocks and `<br>` as spaces."""
    if isinstance(node, str):
        return collapse_spaces(node).strip()
    parts: list[str] = []
    stack: list[Node | str] = list(reversed(node.children))
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
        elif item.tag == "br" or item.tag in BLOCK_TAGS:
            parts.append(" ")
            if item.tag in BLOCK_TAGS:
                stack.append(" ")
                stack.extend(reversed(item.children))
        else:
            stack.extend(reversed(item.children))
    return collapse_spaces("".join(parts)).strip()


def has_text(node: Node | str) -> bool:
    """True when the node shows anything: non-blank text or an image."""
    if isinstance(node, str):
        return bool(node.strip())
    if node.tag == "img":
        return True
    return any(
        (isinstance(n, str) and n.strip()) or (isinstance(n, Node) and n.tag == "img")
        for n in node.descendants()
    )


def resolve_url(href: str, base_url: str) -> str:
    """An absolute URL for `href` (control characters and stray whitespace removed)."""
    href = re.sub(r"[\t\n\r]", "", strip_controls(href or "")).strip()
    if not href:
        return ""
    try:
        return urljoin(base_url or "", href)
    except ValueError:
        return href
