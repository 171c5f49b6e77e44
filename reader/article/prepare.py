"""Getting a parsed page (lxml) ready for readability, and its result back.

readability-lxml scores what it is given; these passes change what it is given so that it
keeps what a reader wants and finishes in bounded time on any page:

- `bound_tree`: attributes no step reads are dropped and the rest capped in length, and
  nesting deeper than `MAX_DEPTH` is flattened (readability's attribute cleaner reruns a
  regex over the whole page once per unwanted attribute, and its scoring walks ancestors,
  so neither may grow with what a hostile page sends);
- `drop_clutter`: hidden elements go, and boxes named ad/share/comments... unless big;
- `protect_headings` / `restore_headings`: readability drops a heading whose class looks
  negative or whose text is mostly a link (a permalink anchor), so both are hidden from it
  and put back in its result, and a box holding nothing but a heading (which it drops as
  too short) is unwrapped;
- `promote_lazy_images`: an `<img>` whose real address waits in `data-src`/`srcset` gets it
  as `src`, so the body keeps the picture;
- `unwrap_noscript_images`: a `<noscript>` holding only an image (the real one behind a
  lazy placeholder) gives its image to the page, as Readability.js does;
- `squeeze_spaces`: runs of whitespace outside `<pre>` become one space or newline
  (readability's text cleaner is quadratic in the length of a run, and runs it per element).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from reader.article.html import clutter_kind, is_hidden, keeps_clutter
from reader.text import strip_controls

if TYPE_CHECKING:
    from lxml.html import HtmlElement

__all__ = [
    "bound_tree",
    "drop_clutter",
    "promote_lazy_images",
    "protect_headings",
    "restore_headings",
    "squeeze_spaces",
    "unwrap_noscript_images",
]

MAX_DEPTH = 120
"""Elements nested deeper are unwrapped (their content is kept)."""
MAX_ATTR_CHARS = 2000
"""Longer attribute values are cut (a URL or a class list is never this long)."""
MAX_CLASS_CHARS = 300
_KEPT_ATTRS = frozenset(
    {
        "href",
        "src",
        "srcset",
        "alt",
        "title",
        "class",
        "id",
        "lang",
        "dir",
        "colspan",
        "rowspan",
        "start",
        "reversed",
        "datetime",
        "cite",
        "scope",
        "width",
        "height",
        "itemprop",
        "rel",
        "hidden",
        "aria-hidden",
        "style",
        "type",
        "data-src",
        "data-lazy-src",
        "data-original",
        "data-srcset",
        "data-lazy-srcset",
        "data-url",
    }
)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_HEADING_BOXES = frozenset({"div", "section", "span"})
_HREF_KEY = "data-newsreader-href"
_CLASS_KEY = "data-newsreader-class"
_ID_KEY = "data-newsreader-id"
_NEGATIVE = re.compile(
    r"hidden|^hid$|hid$|hid |^hid |banner|combx|comment|com-|contact|foot|footer|footnote"
    r"|masthead|media|meta|outbrain|promo|related|scroll|shoutbox|sidebar|sponsor|shopping"
    r"|tags|tool|widget",
    re.IGNORECASE,
)
"""readability-lxml's negative class/id words (its `negativeRe`), as of 0.8-0.9."""
_LAZY_SRC = ("data-src", "data-lazy-src", "data-original", "data-url")
_LAZY_SRCSET = ("data-srcset", "data-lazy-srcset", "srcset")
_PLACEHOLDER = re.compile(r"\A\s*(?:data:|about:blank|#|\Z)|(?:blank|spacer|placeholder|pixel)\.")


def bound_tree(root: HtmlElement) -> None:
    """Only the attributes a later step reads, each capped; nesting flattened past
    `MAX_DEPTH`. One pass, linear in the page."""
    depth: dict[HtmlElement, int] = {root: 0}
    for element in list(root.iter()):
        parent = element.getparent()
        level = depth.get(parent, 0) + 1 if parent is not None else 0
        if not isinstance(element.tag, str):
            continue
        attrib = element.attrib
        for name in list(attrib.keys()):
            key = str(name).lower()
            if key not in _KEPT_ATTRS:
                del attrib[name]
                continue
            limit = MAX_CLASS_CHARS if key in ("class", "id") else MAX_ATTR_CHARS
            value = attrib[name]
            if len(value) > limit:
                attrib[name] = value[:limit]
        if level > MAX_DEPTH and parent is not None:
            depth[element] = level - 1
            element.drop_tag()  # its children now hang from `parent`, one level up
            continue
        depth[element] = level


def drop_clutter(root: HtmlElement) -> None:
    """Drop hidden elements, and boxes named as clutter unless `keeps_clutter` keeps them
    (their sizes computed bottom-up in one pass, so nesting costs nothing extra)."""
    marked: list[tuple[HtmlElement, str]] = []
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        attrs = {str(k).lower(): str(v) for k, v in element.attrib.items()}
        if is_hidden(attrs):
            element.drop_tree()
            continue
        kind = clutter_kind(str(element.tag), attrs)
        if kind:
            marked.append((element, kind))
    if not marked:
        return
    sizes: dict[HtmlElement, tuple[int, int, bool]] = {}
    for element in reversed(list(root.iter())):
        chars = len((element.text or "").strip()) if isinstance(element.tag, str) else 0
        links = 0
        holds = False
        for child in element:
            size = sizes.get(child)
            if size is not None:
                chars += size[0]
                links += size[1]
                holds = holds or size[2]
            chars += len((child.tail or "").strip())
        if not isinstance(element.tag, str):
            continue
        if element.tag == "a":
            links = chars
        itemprop = (element.get("itemprop") or "").lower().split()
        if element.tag in ("h1", "article", "main") or "articlebody" in itemprop:
            holds = True
        sizes[element] = (chars, links, holds)
    for element, kind in marked:
        size = sizes.get(element)  # None: inside a hidden element dropped above
        if size is None or element.getparent() is None:
            continue
        if not keeps_clutter(kind, *size):
            element.drop_tree()


def protect_headings(root: HtmlElement) -> None:
    """Hide from readability what makes it drop a heading: links inside it become spans,
    and a class/id it reads as negative is set aside (`restore_headings` undoes both)."""
    for heading in list(root.iter(*_HEADINGS)):
        _unwrap_alone(heading)
        for a in heading.iter("a"):
            a.tag = "span"
            href = a.attrib.pop("href", None)
            if href is not None:
                a.set(_HREF_KEY, href)
        for name, key in (("class", _CLASS_KEY), ("id", _ID_KEY)):
            value = heading.get(name)
            if value and _NEGATIVE.search(value):
                del heading.attrib[name]
                heading.set(key, value)


def _unwrap_alone(heading: HtmlElement) -> None:
    """Unwrap the boxes that hold nothing but this heading: readability drops such a box as
    too short, heading and all (each unwrap removes an element, so this stays linear)."""
    parent = heading.getparent()
    while (
        parent is not None
        and parent.tag in _HEADING_BOXES
        and parent.getparent() is not None
        and len(parent) == 1
        and not (parent.text or "").strip()
        and not (heading.tail or "").strip()
    ):
        parent.drop_tag()
        parent = heading.getparent()


def restore_headings(root: HtmlElement) -> None:
    """Put back the links and class/id `protect_headings` set aside."""
    for element in root.xpath(f".//*[@{_HREF_KEY} or @{_CLASS_KEY} or @{_ID_KEY}]"):
        href = element.attrib.pop(_HREF_KEY, None)
        if href is not None:
            element.tag = "a"
            element.set("href", href)
        for name, key in (("class", _CLASS_KEY), ("id", _ID_KEY)):
            value = element.attrib.pop(key, None)
            if value is not None:
                element.set(name, value)


def _first_candidate(srcset: str) -> str:
    """The first URL of a `srcset` ("a.jpg 1x, b.jpg 2x" -> "a.jpg")."""
    first = srcset.strip().split(",", 1)[0].strip()
    return first.split()[0] if first else ""


def promote_lazy_images(root: HtmlElement) -> None:
    """`<img data-src=...>` (or with only a `srcset`) gets a real `src`."""
    for img in root.iter("img"):
        src = img.get("src") or ""
        if src and not _PLACEHOLDER.search(src):
            continue
        found = next((img.get(name) for name in _LAZY_SRC if img.get(name)), None)
        if not found:
            srcset = next((img.get(name) for name in _LAZY_SRCSET if img.get(name)), "")
            found = _first_candidate(srcset or "")
        if found and not _PLACEHOLDER.search(found):
            img.set("src", found.strip())


_SPACE_RUN = re.compile(r"[ \t\n\r\f]{2,}")


def _one_space(match: re.Match[str]) -> str:
    return "\n" if "\n" in match.group() else " "


def squeeze_spaces(root: HtmlElement) -> None:
    """Whitespace runs outside `<pre>` -> one space (or one newline): what a browser shows."""
    keep = {e for pre in root.iter("pre", "textarea") for e in pre.iter()}
    for element in root.iter():
        if element not in keep and element.text and len(element.text) > 1:
            element.text = _squeezed(element.text)
        parent = element.getparent()
        if element.tail and len(element.tail) > 1 and (parent is None or parent not in keep):
            element.tail = _squeezed(element.tail)


def _squeezed(text: str) -> str:
    # Control characters too: lxml holds what it parsed but refuses them when set again.
    return strip_controls(_SPACE_RUN.sub(_one_space, text))


def unwrap_noscript_images(root: HtmlElement) -> None:
    """`<img placeholder><noscript><img src=real></noscript>` -> `<img src=real>`."""
    for noscript in list(root.iter("noscript")):
        images = list(noscript.iter("img"))
        if len(images) != 1 or noscript.text_content().strip() or noscript.getparent() is None:
            continue
        previous = noscript.getprevious()
        if previous is not None and previous.tag == "img":
            src = previous.get("src") or ""
            if not src or _PLACEHOLDER.search(src):
                previous.drop_tree()
        noscript.drop_tag()
