"""Article HTML -> the Markdown the article pane shows, its outline and its links.

The HTML is untrusted, so every piece of its text is backslash-escaped for CommonMark: a
page cannot make bold, links, headings or raw HTML out of its words, and escaping every
ASCII punctuation character also keeps the gfm-like parser's linkify from turning text
into links. Only the structure we build (headings, lists, quotes, links to http(s)
targets and to the few other schemes in `OTHER_LINK_SCHEMES`) is Markdown. Controls were
stripped when the HTML was parsed (after unescaping).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, urldefrag, urlsplit

from reader.article.html import (
    BLOCK_TAGS,
    HEADING_TAGS,
    Node,
    class_tokens,
    collapse_spaces,
    has_text,
    parse_html,
    resolve_url,
    text_of,
)
from reader.models import Article, ArticleImage, Heading, Link, RenderedArticle
from reader.text import clean_line, is_http_url, strip_controls

__all__ = [
    "OTHER_LINK_SCHEMES",
    "escape_markdown",
    "find_trailing_related",
    "html_to_print",
    "html_to_text",
    "is_other_link",
    "render_article",
]

OTHER_LINK_SCHEMES = frozenset(
    {"mailto", "tel", "sms", "ftp", "ftps", "sftp", "news", "nntp", "irc", "ircs", "xmpp"}
)
"""Links kept although they are not web pages: the reader never fetches them, but they are
listed so they can be copied or handed to the desktop's own app. Every other scheme
(javascript:, data:, file:, vbscript:, unknown ones) stays plain text."""


def is_other_link(url: str) -> bool:
    """A link to a mail address, a phone number, an FTP site…: kept, never fetched."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    rest = url.strip()[len(parts.scheme) + 1 :]
    return parts.scheme.lower() in OTHER_LINK_SCHEMES and bool(rest.strip("/"))


CONTEXT_LIMIT = 160
"""How much of the surrounding text a body link keeps."""

_MAX_CONTAINERS = 12
"""markdown-it drops everything past 20 nesting levels; deeper quotes/lists render flat."""

_PUNCTUATION = frozenset(string.punctuation)
_BACKTICKS = re.compile(r"`+")
_LANGUAGE = re.compile(r"(?:^|\s)(?:language|lang)-([A-Za-z0-9_+-]{1,30})")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_IMAGE = "🖼 Image"
_EMPHASIS = {
    "em": ("em", "*"),
    "i": ("em", "*"),
    "cite": ("em", "*"),
    "var": ("em", "*"),
    "dfn": ("em", "*"),
    "strong": ("strong", "**"),
    "b": ("strong", "**"),
    "del": ("del", "~~"),
    "s": ("del", "~~"),
    "strike": ("del", "~~"),
}
_MARKER_STATE = {"": frozenset(), "*": frozenset({"em"}), "**": frozenset({"strong"})}
"""A whole paragraph in italics/bold: the same emphasis inside it is not doubled."""
_CODE_TAGS = frozenset({"code", "kbd", "samp", "tt"})
_BREAK = "\n"
"""Inside inline output a newline only ever means `<br>` (all other whitespace is collapsed)."""


def escape_markdown(text: str) -> str:
    """Backslash-escape every ASCII punctuation character so the text shows literally."""
    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in text)


def _normal_url(url: str) -> str:
    """Percent-encode what a URL must not hold raw (spaces, `<>`, backslash, non-ASCII).

    It is the encoding markdown-it applies to a link, so the href a click reports is the
    URL recorded in `body_links`.
    """
    return quote(url, safe=";/?:@&=+$,-_.!~*'()#%")


def _destination(url: str) -> str:
    """A `[..](<...>)` destination: `&` escaped so no entity in the URL gets decoded."""
    return url.replace("&", "\\&")


def _code_span(text: str, in_cell: bool) -> str:
    """A backtick code span fenced longer than any backtick run inside it."""
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`") or (text[0] == " " and text[-1] == " "):
        text = f" {text} "
    if in_cell:
        text = text.replace("|", "\\|")
    return f"{fence}{text}{fence}"


def _wrap(marker: str, inner: str) -> str:
    """Emphasis markers hugging the text (edge whitespace moved outside), none if blank."""
    core = inner.strip()
    if not core:
        return " " if inner else ""
    lead = " " if inner[:1].isspace() else ""
    trail = " " if inner[-1:].isspace() else ""
    return f"{lead}{marker}{core}{marker}{trail}"


def _finish_inline(text: str, markdown: bool, *, breaks: bool = True) -> str:
    """Tidy one paragraph's inline output: single spaces, no edge blanks, `<br>` breaks."""
    text = re.sub(r" {2,}", " ", text)
    text = re.sub(r" *\n *", "\n", text).strip()
    if not breaks:
        return text.replace("\n", " ")
    return text.replace("\n", "\\\n") if markdown else text


def _context(plain: str, title: str, limit: int = CONTEXT_LIMIT) -> str:
    """The sentence (or paragraph) around a link, trimmed to about `limit` characters."""
    plain = clean_line(plain)
    if len(plain) <= limit:
        return plain
    for sentence in _SENTENCE_END.split(plain):
        if title and title in sentence:
            plain = sentence
            break
    if len(plain) <= limit:
        return plain
    at = max(plain.find(title), 0) if title else 0
    start = max(0, min(at - (limit - len(title)) // 2, len(plain) - limit))
    window = plain[start : start + limit]
    if start > 0:
        window = "…" + window.split(" ", 1)[-1]
    if start + limit < len(plain):
        window = window.rsplit(" ", 1)[0] + "…"
    return window


@dataclass
class _Renderer:
    """Walks the tree once; `markdown=False` gives plain text with the same layout."""

    base_url: str = ""
    markdown: bool = True
    printing: bool = False
    """Plain text for a terminal or pager (with markdown=False): headings marked with `#`s,
    each link's target as a numbered reference `[n]` (listed in `references`), a list
    item's leading title on its own line above its teaser."""
    references: list[str] = field(default_factory=list)
    _numbers: dict[str, int] = field(default_factory=dict)
    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    _pending: list[tuple[str, str]] = field(default_factory=list)
    _blocky: set[int] = field(default_factory=set)
    images: list[ArticleImage] = field(default_factory=list)

    def render(self, root: Node) -> str:
        self._mark_blocky(root)
        text = "\n\n".join(self.blocks(root.children, 0))
        return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")

    def esc(self, text: str) -> str:
        return escape_markdown(text) if self.markdown else text

    def _mark_blocky(self, root: Node) -> None:
        """Remember which elements contain a block (so an inline wrapper acts as a block)."""
        for node in reversed(list(root.elements())):
            if node.tag in BLOCK_TAGS or id(node) in self._blocky:
                parent = node.parent
                if parent is not None:
                    self._blocky.add(id(parent))

    def _is_block(self, node: Node | str) -> bool:
        if isinstance(node, str):
            return False
        if node.tag in BLOCK_TAGS or node.tag in ("img", "picture"):
            return True
        if node.tag == "a":
            return _lone_image(node) is not None
        return id(node) in self._blocky

    # -- blocks -----------------------------------------------------------------------

    def blocks(self, children: Iterable[Node | str], depth: int) -> list[str]:
        """Markdown blocks for a sequence of siblings: inline runs become paragraphs."""
        out: list[str] = []
        run: list[Node | str] = []
        for child in children:
            if not self._is_block(child):
                run.append(child)
                continue
            self._paragraph(run, out)
            run = []
            assert isinstance(child, Node)
            out.extend(self.block(child, depth))
        self._paragraph(run, out)
        return out

    def _paragraph(self, run: Sequence[Node | str], out: list[str], marker: str = "") -> None:
        if not run:
            return
        text = _finish_inline(self.inline(run, _MARKER_STATE[marker]), self.markdown)
        plain = text_of(Node("#run", children=list(run)))
        self._flush_links(plain)
        if text:
            out.append(f"{marker}{text}{marker}" if self.markdown and marker else text)

    def _flush_links(self, plain: str) -> None:
        for url, title in self._pending:
            self.links.append(Link(url, title, _context(plain, title), kind="body"))
        self._pending.clear()

    def block(self, node: Node, depth: int) -> list[str]:
        tag = node.tag
        if tag in HEADING_TAGS:
            return self._heading(node)
        if tag == "blockquote":
            return self._blockquote(node, depth)
        if tag in ("ul", "ol"):
            return self._list(node, depth)
        if tag == "pre":
            return self._pre(node)
        if tag == "table":
            return self._table(node, depth)
        if tag == "hr":
            return ["---"]
        if tag in ("a", "picture"):
            lone = _lone_image(node)
            if lone is not None:
                if tag == "a":  # the link (often to the full-size picture) stays listed
                    self._link(node, frozenset())
                    self._flush_links("")
                return self.block(lone, depth)
        if tag == "img":
            image = self._image(node)
            self._record_image(node, image)
            drawn = self._drawn_image(node) if image else None
            if drawn is not None:
                return [drawn]
            return [self.esc(image)] if image else []
        if tag == "figcaption":
            out: list[str] = []
            self._paragraph(node.children, out, marker="*")
            return out
        if tag == "dt":
            out = []
            self._paragraph(node.children, out, marker="**")
            return out
        return self.blocks(node.children, depth)

    def _heading(self, node: Node) -> list[str]:
        text = clean_line(text_of(node))
        if not text:
            return []
        level = int(node.tag[1])
        self.headings.append(Heading(level, text))
        if self.printing:
            marks = "".join(f"[{n}]" for n in self._heading_references(node))
            return [f"{'#' * level} {text}{marks}"]
        return [f"{'#' * level} {escape_markdown(text)}" if self.markdown else text]

    def _heading_references(self, node: Node) -> list[int]:
        """Reference numbers of the links inside a heading (printed after its text)."""
        numbers: list[int] = []
        for link in node.elements():
            if link.tag != "a" or not link.attrs.get("href", "").strip():
                continue
            href = link.attrs["href"].strip()
            url = _normal_url(resolve_url(href, self.base_url))
            wanted = is_http_url(url) or is_other_link(url)
            if wanted and not href.startswith("#") and not self._in_page(url):
                number = self._reference(url)
                if number not in numbers:
                    numbers.append(number)
        return numbers

    def _blockquote(self, node: Node, depth: int) -> list[str]:
        inner = self.blocks(node.children, depth + 1)
        if not inner or depth >= _MAX_CONTAINERS:
            return inner
        text = "\n\n".join(inner)
        return ["\n".join(f"> {line}" if line else ">" for line in text.split("\n"))]

    def _list(self, node: Node, depth: int) -> list[str]:
        ordered = node.tag == "ol"
        items: list[list[str]] = []
        for child in node.children:
            if isinstance(child, str) and not child.strip():
                continue
            if isinstance(child, Node) and child.tag in ("ul", "ol") and items:
                items[-1].extend(self.block(child, depth + 2))  # a list nested without its li
                continue
            content = child.children if isinstance(child, Node) and child.tag == "li" else [child]
            blocks = self._item_blocks(content, depth + 2)
            if blocks:
                items.append(blocks)
        if not items:
            return []
        if depth >= _MAX_CONTAINERS:
            return [block for item in items for block in item]
        number = _list_start(node) if ordered else 0
        lines: list[str] = []
        for blocks in items:
            marker = f"{number}. " if ordered else "- "
            number += 1
            item = _join_item(blocks)
            if item.startswith("---"):
                item = "***" + item[3:]  # `- ---` would be a thematic break
            pad = " " * len(marker)
            first, *rest = item.split("\n")
            lines.append(marker + first)
            lines.extend(pad + line if line else "" for line in rest)
        return ["\n".join(lines)]

    def _item_blocks(self, content: list[Node | str], depth: int) -> list[str]:
        """A list item's blocks; when printing, a leading title (a link or bold words)
        followed by a teaser in the same line is split: title, then teaser below it."""
        split = _title_and_teaser(content) if self.printing else None
        if split is None:
            return self.blocks(content, depth)
        title, teaser = split
        head: list[str] = []
        self._paragraph(title, head)
        tail = self.blocks(teaser, depth)
        if not head or not tail:
            return head + tail
        return [head[0] + "\n" + _TEASER_SEPARATOR.sub("", tail[0], count=1), *tail[1:]]

    def _pre(self, node: Node) -> list[str]:
        code = _pre_text(node)
        if code.startswith("\n"):
            code = code[1:]
        lines = [line.rstrip() for line in code.split("\n")]
        while lines and not lines[-1]:
            lines.pop()
        while lines and not lines[0]:
            lines.pop(0)
        if not lines:
            return []
        if not self.markdown:
            return ["\n".join(f"    {line}" if line else "" for line in lines)]
        body = "\n".join(lines)
        fence = "`" * max(3, max((len(m) for m in _BACKTICKS.findall(body)), default=0) + 1)
        return [f"{fence}{_language(node)}\n{body}\n{fence}"]

    def _table(self, node: Node, depth: int) -> list[str]:
        caption: list[Node] = []
        rows: list[list[Node]] = []
        for child in _table_parts(node):
            if child.tag == "caption":
                caption.append(child)
            else:
                row_cells = [
                    c for c in child.children if isinstance(c, Node) and c.tag in ("td", "th")
                ]
                if row_cells:
                    rows.append(row_cells)
        out: list[str] = []
        for part in caption:
            self._paragraph(part.children, out)
        if not rows:
            return out
        simple = len({len(r) for r in rows}) == 1 and all(
            _simple_cell(cell) for row in rows for cell in row
        )
        if simple and self.markdown:
            lines = []
            for index, row in enumerate(rows):
                texts = [self._cell(cell) for cell in row]
                lines.append("| " + " | ".join(texts) + " |")
                self._flush_links(" ".join(text_of(cell) for cell in row))
                if index == 0:
                    lines.append("|" + "|".join(" --- " for _ in row) + "|")
            out.append("\n".join(lines))
            return out
        for row in rows:
            if all(id(cell) not in self._blocky for cell in row):
                texts = [c for c in (self._cell(cell) for cell in row) if c]
                self._flush_links(" ".join(text_of(cell) for cell in row))
                if texts:
                    out.append((" · " if self.markdown else " | ").join(texts))
            else:
                for cell in row:
                    out.extend(self.blocks(cell.children, depth))
        return out

    def _cell(self, cell: Node) -> str:
        return _finish_inline(
            self.inline(cell.children, frozenset({"cell"})), self.markdown, breaks=False
        )

    def _drawn_image(self, node: Node) -> str | None:
        """A block picture with an http(s) source as its own `![alt](<url>)` paragraph
        (recorded in `images`); None when it cannot be drawn (plain text then)."""
        if not self.markdown:
            return None
        url = self._image_url(node)
        if not is_http_url(url):
            return None
        alt = clean_line(node.attrs.get("alt") or node.attrs.get("title") or "", 300)
        self.images.append(
            ArticleImage(url, alt, _caption(node), _dimension(node, "width"),
                         _dimension(node, "height"))
        )  # fmt: skip
        return f"![{escape_markdown(alt)}](<{_destination(url)}>)"

    def _image_url(self, node: Node) -> str:
        src = image_source(node)
        return _normal_url(resolve_url(src, self.base_url)) if src else ""

    def _record_image(self, node: Node, label: str) -> None:
        """Images are listed with the links (kind="image") so they can be opened."""
        url = self._image_url(node)
        if label and is_http_url(url):
            self.links.append(Link(url, label, "", kind="image"))

    def _image(self, node: Node) -> str:
        """`🖼 Image: alt` (unescaped), or "" for a tracking pixel."""
        if node.attrs.get("width", "").strip() in ("0", "1") or node.attrs.get(
            "height", ""
        ).strip() in ("0", "1"):
            return ""
        alt = clean_line(node.attrs.get("alt") or node.attrs.get("title") or "", 300)
        return f"{_IMAGE}: {alt}" if alt else _IMAGE

    # -- inline -----------------------------------------------------------------------

    def inline(self, nodes: Iterable[Node | str], state: frozenset[str]) -> str:
        """Inline Markdown for siblings; whitespace collapsed, `<br>` as a newline."""
        parts: list[str] = []
        for node in nodes:
            if isinstance(node, str):
                parts.append(self.esc(collapse_spaces(node)))
            else:
                parts.append(self._inline_element(node, state))
        return "".join(parts)

    def _inline_element(self, node: Node, state: frozenset[str]) -> str:
        tag = node.tag
        if tag == "br":
            return _BREAK
        if tag == "img":
            image = self._image(node)
            if "link" not in state:
                self._record_image(node, image)
            return f" {self.esc(image)} " if image else ""
        if tag in _CODE_TAGS and "code" not in state:
            text = collapse_spaces(_pre_text(node).replace("\n", " "))
            if not text.strip():
                return " " if text else ""
            if not self.markdown:
                return text
            lead = " " if text[0] == " " else ""
            trail = " " if text[-1] == " " else ""
            return lead + _code_span(text.strip(), "cell" in state) + trail
        if tag in _EMPHASIS:
            kind, marker = _EMPHASIS[tag]
            inner = self.inline(node.children, state | {kind})
            if kind in state or not self.markdown:
                return inner
            return _wrap(marker, inner)
        if tag == "a":
            return self._link(node, state)
        inner = self.inline(node.children, state)
        if tag in BLOCK_TAGS:  # a block inside a link or a table cell: keep words apart
            return f" {inner} "
        return inner

    def _link(self, node: Node, state: frozenset[str]) -> str:
        inner = self.inline(node.children, state | {"link"})
        if "link" in state or not (self.markdown or self.printing):
            return inner
        href = node.attrs.get("href", "").strip()
        url = _normal_url(resolve_url(href, self.base_url))
        wanted = is_http_url(url) or is_other_link(url)
        if not href or href.startswith("#") or not wanted or self._in_page(url):
            return inner
        core = inner.strip()
        if not core:
            return inner
        if self.printing:
            return inner.rstrip() + f"[{self._reference(url)}]" + inner[len(inner.rstrip()) :]
        title = clean_line(text_of(node)) or clean_line(
            " ".join(self._image(img) for img in node.elements() if img.tag == "img")
        )
        self._pending.append((url, title))
        lead = " " if inner[:1].isspace() else ""
        trail = " " if inner[-1:].isspace() else ""
        return f"{lead}[{core}](<{_destination(url)}>){trail}"

    def _reference(self, url: str) -> int:
        """The number of a link target in the references list (one number per target)."""
        if url not in self._numbers:
            self.references.append(url)
            self._numbers[url] = len(self.references)
        return self._numbers[url]

    def _in_page(self, url: str) -> bool:
        """A fragment link to the article itself is an in-page anchor, not a link."""
        if not self.base_url:
            return False
        target, fragment = urldefrag(url)
        return bool(fragment) and target == urldefrag(self.base_url)[0]


_TEASER_SEPARATOR = re.compile(r"^\s*[-–—:|·]\s+")
_TITLE_TAGS = frozenset({"a", "strong", "b"})


def _title_and_teaser(
    content: list[Node | str],
) -> tuple[list[Node | str], list[Node | str]] | None:
    """(title, teaser) when a list item starts with a link or bold words and goes on with a
    teaser of several words: `<li><a>Title</a> – what it is about</li>`; else None."""
    index = 0
    while index < len(content) and isinstance(content[index], str):
        if str(content[index]).strip():
            return None  # starts with plain words
        index += 1
    if index >= len(content):
        return None
    lead = content[index]
    if not isinstance(lead, Node) or lead.tag not in _TITLE_TAGS or not has_text(lead):
        return None
    rest = content[index + 1 :]
    words = text_of(Node("#rest", children=list(rest))).strip()
    if len(words.split()) < 4 or words[:1] in ",.;)":
        return None  # a name inside a sentence, not a title
    return content[: index + 1], rest


def _join_item(blocks: list[str]) -> str:
    """A list item's blocks; a nested list follows its paragraph directly (tight list)."""
    text = blocks[0]
    for block in blocks[1:]:
        tight = block.startswith("- ") or block.startswith("1. ")
        text += ("\n" if tight else "\n\n") + block
    return text


def _list_start(node: Node) -> int:
    try:
        start = int(node.attrs.get("start", "1").strip())
    except ValueError:
        return 1
    return min(max(start, 0), 999_999_999)  # CommonMark allows at most nine digits


def _language(node: Node) -> str:
    """The fence info string from class="language-x" on the pre or its code."""
    for candidate in (node, *(c for c in node.children if isinstance(c, Node))):
        match = _LANGUAGE.search(candidate.attrs.get("class", ""))
        if match:
            return match.group(1)
    return ""


def _pre_text(node: Node) -> str:
    """The raw text of preformatted content: whitespace kept, `<br>` as newlines."""
    parts: list[str] = []
    stack: list[Node | str] = list(reversed(node.children))
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
        elif item.tag == "br":
            parts.append("\n")
        else:
            stack.extend(reversed(item.children))
    return strip_controls("".join(parts)).expandtabs(4)


def _table_parts(table: Node) -> list[Node]:
    """Caption and row elements of a table, looking through thead/tbody/tfoot."""
    parts: list[Node] = []
    for child in table.children:
        if not isinstance(child, Node):
            continue
        if child.tag in ("thead", "tbody", "tfoot"):
            parts.extend(c for c in child.children if isinstance(c, Node) and c.tag == "tr")
        elif child.tag in ("tr", "caption"):
            parts.append(child)
    return parts


_COMPLEX_CELL = frozenset(
    {"table", "ul", "ol", "pre", "blockquote", "dl", "figure", "hr", *HEADING_TAGS}
)


def _simple_cell(cell: Node) -> bool:
    """A cell that fits on one GFM table line: no spans, lists, code blocks or tables."""
    for attr in ("colspan", "rowspan"):
        if cell.attrs.get(attr, "1").strip() not in ("", "1"):
            return False
    return not any(n.tag in _COMPLEX_CELL for n in cell.elements())


_LAZY_SOURCES = ("data-src", "data-lazy-src", "data-original", "data-url")
_PLACEHOLDER_SOURCES = ("data:", "about:")


def _srcset_best(srcset: str) -> str:
    """The widest candidate of a `srcset` (`url 800w, url 2x`), or its last one."""
    best, best_size = "", -1.0
    for candidate in srcset.split(","):
        parts = candidate.strip().split()
        if not parts:
            continue
        size = 1.0
        if len(parts) > 1 and parts[1][:-1].replace(".", "", 1).isdigit():
            size = float(parts[1][:-1])
        if size >= best_size:
            best, best_size = parts[0], size
    return best


def image_source(node: Node) -> str:
    """The address of an `<img>`: `src`, else a lazy-loading attribute, else its `srcset`
    or its `<picture>`'s `<source srcset>` (a `data:` placeholder counts as no `src`)."""
    src = node.attrs.get("src", "").strip()
    if src and not src.lower().startswith(_PLACEHOLDER_SOURCES):
        return src
    for name in _LAZY_SOURCES:
        lazy = node.attrs.get(name, "").strip()
        if lazy and not lazy.lower().startswith(_PLACEHOLDER_SOURCES):
            return lazy
    sets = [node.attrs.get("srcset", ""), node.attrs.get("data-srcset", "")]
    parent = node.parent
    if parent is not None and parent.tag == "picture":
        sets += [s.attrs.get("srcset", "") for s in parent.elements() if s.tag == "source"]
    for srcset in sets:
        best = _srcset_best(srcset)
        if best and not best.lower().startswith(_PLACEHOLDER_SOURCES):
            return best
    return ""


def _lone_image(node: Node) -> Node | None:
    """The one `<img>` a link or `<picture>` holds when it holds nothing else to read."""
    images = [n for n in node.elements() if n.tag == "img"]
    if len(images) != 1 or clean_line(text_of(node)):
        return None
    return images[0]


def _caption(node: Node) -> str:
    """The text of the `<figcaption>` of the figure the picture is in."""
    parent = node.parent
    while parent is not None and parent.tag != "figure":
        parent = parent.parent
    if parent is None:
        return ""
    for child in parent.elements():
        if child.tag == "figcaption":
            return clean_line(text_of(child), 500)
    return ""


def _dimension(node: Node, name: str) -> int:
    value = node.attrs.get(name, "").strip().removesuffix("px")
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else 0


# -- public API ---------------------------------------------------------------------------


def render_article(article: Article) -> RenderedArticle:
    """The article body as escaped Markdown, with its headings and http(s) body links."""
    renderer = _Renderer(base_url=article.url, markdown=True)
    markdown = renderer.render(parse_html(article.body_html))
    images = renderer.images
    lead = _normal_url(article.image.strip()) if article.image else ""
    if not images and is_http_url(lead):
        images = [ArticleImage(lead)]
        markdown = f"![](<{_destination(lead)}>)" + ("\n\n" + markdown if markdown else "")
    return RenderedArticle(
        markdown=markdown,
        headings=tuple(renderer.headings),
        body_links=tuple(renderer.links),
        images=tuple(images),
    )


def html_to_text(html: str, base_url: str = "") -> str:
    """Plain text of an HTML fragment (for the CLI and decks), blocks separated by blank
    lines; lists, quotes and code keep a light layout.

    Link targets are not printed (the text reads as the page does); `base_url` is
    accepted for symmetry with `render_article` and does not change the text.
    """
    return _Renderer(base_url=base_url, markdown=False).render(parse_html(html))


def html_to_print(html: str, base_url: str = "") -> tuple[str, list[str]]:
    """Plain text for a pager (`newsreader read`) and its references: headings marked with
    `#`s, each link followed by `[n]` where n numbers its target in the returned list (as
    lynx -dump and newsboat print them), list-item titles on their own line."""
    renderer = _Renderer(base_url=base_url, markdown=False, printing=True)
    text = renderer.render(parse_html(html))
    return text, renderer.references


_RELATED_LABEL = re.compile(
    r"(?:related(?:\s+(?:articles?|stories|posts|links|content|coverage|reading|news))?"
    r"|read\s+more|read\s+next|more\s+(?:on|from|about)\s+.{1,60}|more\s+stories"
    r"|see\s+also|you\s+(?:might|may)\s+also\s+like|further\s+reading)\s*:?",
    re.IGNORECASE,
)
_LABEL_TAGS = frozenset({*HEADING_TAGS, "p", "strong", "b", "div", "span", "header", "dt"})
_LABEL_WRAPPERS = frozenset({"p", "div", "span", "header", "strong", "b", "em", "hgroup"})
_RELATED_PARTS = frozenset({"ul", "ol", "p", "div", "section", "article", "dl", "li", "a"})
_RELATED_BOXES = frozenset({"aside", "section", "div", "ul", "ol", "footer", "p"})
_ITEM_TAGS = frozenset({"li", "article", "div", "section", "p", "dd", "tr", "td"})


def find_trailing_related(html: str, base_url: str) -> tuple[str, tuple[Link, ...]]:
    """Split off a related-articles block that ends the content: (html without it, links).

    Recognised: an aside/section/div whose class or id has a `related` token, or a label
    ("Related", "Read more", "See also", ...) followed by lists/paragraphs of links. The
    cut is made in the original source, so the rest of the HTML is returned untouched.
    """
    root = parse_html(html)
    candidates: list[list[Node]] = []
    for node in root.elements():
        if node.tag in _RELATED_BOXES and _is_related_box(node) and _ends_content(node):
            candidates.append([node])
            break
    for node in root.elements():
        if node.tag in _LABEL_TAGS:
            found = _labelled_block(node)
            if found:
                candidates.append(found)
                break
    for nodes in sorted(candidates, key=lambda ns: ns[0].start):
        links = _related_links(nodes, base_url)
        if links:
            start, end = nodes[0].start, nodes[-1].end
            return html[:start] + html[end if end >= 0 else len(html) :], links
    return html, ()


def _is_related_box(node: Node) -> bool:
    return any(token.startswith("related") for token in class_tokens(node.attrs))


def _ends_content(node: Node) -> bool:
    """Nothing visible follows `node` anywhere in the document."""
    current = node
    for parent in node.ancestors():
        index = next(i for i, c in enumerate(parent.children) if c is current)
        if any(has_text(sibling) for sibling in parent.children[index + 1 :]):
            return False
        current = parent
    return True


def _has_words(node: Node | str) -> bool:
    """Visible content other than separators (`, ` or ` | ` between inline links)."""
    if isinstance(node, str):
        return any(ch.isalnum() for ch in node)
    return has_text(node)


def _short_text(node: Node, limit: int = 80) -> str:
    """The node's text if it is at most `limit` characters, else "" (stops reading early)."""
    parts: list[str] = []
    size = 0
    for item in node.descendants():
        if isinstance(item, str):
            parts.append(item)
            size += len(item)
            if size > limit * 4 and len(collapse_spaces("".join(parts)).strip()) > limit:
                return ""
        elif item.tag == "br" or item.tag in BLOCK_TAGS:
            parts.append(" ")
    text = collapse_spaces("".join(parts)).strip()
    return text if len(text) <= limit else ""


def _labelled_block(label: Node) -> list[Node] | None:
    """The label and the link lists after it, when that is how the content ends."""
    text = _short_text(label)
    if not text or not _RELATED_LABEL.fullmatch(text):
        return None
    anchor = label
    while (
        anchor.parent is not None
        and anchor.parent.tag in _LABEL_WRAPPERS
        and text_of(anchor.parent) == text
    ):
        anchor = anchor.parent
    parent = anchor.parent
    if parent is None or not _ends_content(parent):
        return None
    index = next(i for i, c in enumerate(parent.children) if c is anchor)
    following = [c for c in parent.children[index + 1 :] if _has_words(c)]
    if not following:
        return None
    after_link_paragraph = False
    for part in following:
        if isinstance(part, str) or part.tag not in _RELATED_PARTS:
            return None
        anchors = [part] if part.tag == "a" else [a for a in part.elements() if a.tag == "a"]
        # A short paragraph may only follow a paragraph that is just a link: its teaser.
        teaser = after_link_paragraph and part.tag == "p" and len(text_of(part)) <= 300
        if not anchors and not teaser:
            return None
        after_link_paragraph = (
            part.tag in ("p", "div")
            and bool(anchors)
            and text_of(part) == (collapse_spaces(" ".join(text_of(a) for a in anchors)).strip())
        )
    last = following[-1]
    assert isinstance(last, Node)
    return [anchor, last]


def _related_links(nodes: list[Node], base_url: str) -> tuple[Link, ...]:
    """Links from a related block (nodes[0]..nodes[-1] and everything between)."""
    first, last = nodes[0], nodes[-1]
    parent = first.parent
    if parent is None:
        return ()
    if first is last:
        scope = [first]
    else:
        kids = parent.children
        lo = next(i for i, c in enumerate(kids) if c is first)
        hi = next(i for i, c in enumerate(kids) if c is last)
        scope = [c for c in kids[lo + 1 : hi + 1] if isinstance(c, Node)]
    found: dict[str, Link] = {}
    for box in scope:
        if box.tag == "p" and found and not any(n.tag == "a" for n in box.elements()):
            last_url, previous = next(reversed(found.items()))
            if not previous.text:  # `<p><a>Title</a></p><p>teaser</p>`
                found[last_url] = Link(previous.url, previous.title, clean_line(text_of(box), 400))
            continue
        anchors = [box] if box.tag == "a" else []
        for a in [*anchors, *(n for n in box.elements() if n.tag == "a")]:
            url = resolve_url(a.attrs.get("href", ""), base_url)
            if not is_http_url(url) or a.attrs.get("href", "").strip().startswith("#"):
                continue
            heading = next((n for n in a.elements() if n.tag in HEADING_TAGS), None)
            title = clean_line(text_of(heading if heading is not None else a))
            if not title:
                continue
            if url in found:
                continue
            found[url] = Link(url, title, _teaser(a, box, title), kind="related")
    return tuple(found.values())


def _teaser(a: Node, box: Node, title: str) -> str:
    """The teaser text of the item (li, card, paragraph) a related link sits in, if any."""
    item: Node | None = None
    if a is not box:
        for ancestor in a.ancestors():
            if ancestor is box:
                item = box if box.tag in ("li", "p", "article", "dd") else None
                break
            if ancestor.tag in _ITEM_TAGS:
                item = ancestor
                break
    if item is None:
        return ""
    inside_link = {id(n) for n in a.elements()}
    paragraphs = [text_of(p) for p in item.elements() if p.tag == "p" and id(p) not in inside_link]
    teaser = " ".join(t for t in paragraphs if t)
    if not teaser:
        teaser = text_of(item).replace(text_of(a), "", 1).strip(" \t-–—:|·•")
    teaser = clean_line(teaser, 400)
    return "" if teaser == title else teaser
