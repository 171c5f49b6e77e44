"""The fast path for the common feed: well-formed UTF-8 RSS 2.0 or Atom 1.0, read with lxml.

feedparser reads anything (broken XML, any encoding, a dozen dialects) but costs ~18 ms for a
420 KB feed even without its sanitiser; lxml reads the same document in ~1 ms. Most real
feeds are well-formed UTF-8 RSS 2.0 or Atom 1.0 with a known set of elements, so this module
reads exactly those and hands everything else back to feedparser (`parse_fast` returns None):

- the bytes must be UTF-8 (declared or not; a header or XML declaration naming another
  charset, a UTF-16/32 document, or a byte that is not UTF-8 goes to feedparser);
- the XML must be well-formed, with no entity the document does not define (`&nbsp;` in RSS
  is common and needs feedparser's lenient reading); no DTD is loaded, no entity expanded and
  nothing fetched;
- the root must be `<rss>` with a `<channel>` (items inside it), or an Atom 1.0 `<feed>`;
- every element of an entry must be one read here or one known to carry nothing we show;
  anything that feedparser would map into a title, summary, content, author, date, link or
  id (iTunes and Media RSS titles and descriptions, Atom `xhtml` text, `xml:base`, an
  element with markup inside a text field, Atom `<source>`) sends the document to feedparser.

What comes out is shaped as feedparser's entries are (`title_detail`, `summary_detail`,
`content`, `links`, `author_detail`, `*_parsed` dates), so `parse.py` maps both the same way,
and the text is post-processed as feedparser does it (whitespace stripped, C1 characters
read as Windows-1252, UTF-8 read as Latin-1 repaired), so switching paths never changes what
a user sees. `tests/test_fastparse.py` compares the two paths on every fixture.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_tz
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from reader.text import C1

ATOM = "http://www.w3.org/2005/Atom"
_DC = "http://purl.org/dc/elements/1.1/"
_DCTERMS = "http://purl.org/dc/terms/"
_CONTENT = "http://purl.org/rss/1.0/modules/content/"
_ATOM = ATOM.lower()

_DECLARED_ENCODING = re.compile(
    rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']+)"""
)
_UTF8_NAMES = frozenset({"utf-8", "utf8"})

_SHOWN_NAMES = frozenset(
    {
        "title",
        "description",
        "summary",
        "subtitle",
        "content",
        "encoded",
        "body",
        "author",
        "creator",
        "name",
        "email",
        "link",
        "guid",
        "id",
        "pubdate",
        "date",
        "published",
        "updated",
        "issued",
        "modified",
        "created",
    }
)
"""Local names that feedparser maps into something we read (in the core namespaces)."""
_MEDIA = "http://search.yahoo.com/mrss/"
_ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
_CORE_NAMESPACES = frozenset({"", _ATOM, _DC, _DCTERMS, _CONTENT, "http://www.w3.org/1999/xhtml"})

_IGNORED_NAMESPACES = frozenset(
    name.lower()
    for name in {
        "http://wellformedweb.org/CommentAPI/",
        "http://purl.org/rss/1.0/modules/slash/",
        "http://purl.org/rss/1.0/modules/syndication/",
        "http://rssnamespace.org/feedburner/ext/1.0",
        _MEDIA,
        "http://www.georss.org/georss",
        "http://www.w3.org/2003/01/geo/wgs84_pos#",
        "http://purl.org/syndication/thread/1.0",
        "http://backend.userland.com/creativecommonsrssmodule",
    }
)
"""Namespaces whose elements we skip, as long as none of them is `_shown` (media:title);
lower-cased, as `_split` gives them."""


_ITUNES_SHOWN = frozenset({"author", "name", "email", "subtitle", "summary", "owner"})
"""iTunes elements feedparser maps into an author or a summary (the rest it keeps apart)."""
_ITUNES_SKIPPED = frozenset(
    {
        "explicit",
        "episode",
        "season",
        "episodetype",
        "block",
        "order",
        "isclosedcaptioned",
        "keywords",
        "title",
        "category",
    }
)
"""iTunes entry elements that carry nothing we read."""


def _shown(namespace: str, local: str) -> bool:
    """Whether feedparser maps this element into a field we read, wherever it is nested."""
    if namespace in _CORE_NAMESPACES:
        return local in _SHOWN_NAMES
    if namespace == _ITUNES:
        return local in _ITUNES_SHOWN
    return namespace == _MEDIA and local in ("title", "description")


class _Unsupported(Exception):
    """The document needs feedparser."""


def parse_fast(
    document: bytes, headers: Mapping[str, str]
) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """(feed fields, entries) shaped like feedparser's, or None when feedparser must read it.

    `headers` are the response headers with lower-case names; `content-location` is the
    document's base URL.
    """
    if not _utf8(document, headers) or b"xml:base" in document:
        return None
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=False,
    )
    try:
        root = etree.fromstring(document, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    base = headers.get("content-location", "")
    try:
        kind = _split(root.tag)
        if kind == ("", "rss"):
            return _rss(root, base)
        if kind == (_ATOM, "feed"):
            return _atom(root, base)
    except _Unsupported:
        return None
    return None


def _utf8(document: bytes, headers: Mapping[str, str]) -> bool:
    """True when the document is meant as UTF-8 (or ASCII) by its header and its declaration."""
    content_type = headers.get("content-type", "")
    charset = ""
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower()
    if charset and charset not in _UTF8_NAMES:
        return False
    head = document[:4]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(0) >= 1:
        return False
    declared = _DECLARED_ENCODING.match(document[:512])
    return declared is None or declared.group(1).decode("ascii", "replace").lower() in _UTF8_NAMES


# --- what we take from feedparser without importing it ---------------------------------
# feedparser costs ~15 MB and ~30 ms to import, in every parse worker; the fast path needs
# only these small pieces of its behaviour, and imports it for the rare case beyond them.

_CP1252 = {
    code: char
    for code in range(0x80, 0xA0)
    for char in [bytes([code]).decode("cp1252", "ignore")]
    if char
}
"""C1 code points as the Windows-1252 characters they stand for (feedparser's `_cp1252`)."""

_URI_SLASHES = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*://)(/*)(.*?)")
_HTML_HINT = re.compile(r"</(\w+)>|&#?\w+;")
_W3C_DATE = re.compile(
    r"(?:19|20)\d{2}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})"
)
_RFC822_DATE = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} "
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?:19|20)\d{2} \d{2}:\d{2}:\d{2} "
    r"(?:[+-]\d{4}|GMT|UT|UTC|Z)"
)


def _urljoin(base: str, uri: str) -> str:
    """feedparser's URL joining: extra slashes after `scheme://` dropped; "" when invalid."""
    try:
        return urljoin(base, _URI_SLASHES.sub(r"\1\3", uri))
    except ValueError:
        return ""


def _looks_like_html(text: str) -> bool:
    """feedparser's guess whether an RSS title is HTML (a close tag or an entity, and only
    known HTML tags and entities); the common title has neither and never imports it."""
    if _HTML_HINT.search(text) is None:
        return False
    from feedparser.mixin import _FeedParserMixin

    return bool(_FeedParserMixin.looks_like_html(text))


def _parse_date(text: str) -> time.struct_time | None:
    """A date as a UTC struct_time, as feedparser reads it. The two shapes nearly every feed
    uses (RFC 822 in RSS, W3C-DTF in Atom) are read here; anything else by feedparser."""
    moment: datetime | None = None
    if _W3C_DATE.fullmatch(text):
        with contextlib.suppress(ValueError):
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    elif _RFC822_DATE.fullmatch(text):
        parts = parsedate_tz(text)
        if parts is not None and parts[9] is not None:
            with contextlib.suppress(ValueError, OverflowError):
                moment = datetime(*parts[:6], tzinfo=UTC) - timedelta(seconds=parts[9])
    if moment is not None:
        return moment.astimezone(UTC).timetuple()
    from feedparser.datetimes import _parse_date as feedparser_date

    parsed: time.struct_time | None = feedparser_date(text)
    return parsed


# --- text --------------------------------------------------------------------------------


def _fix(text: str) -> str:
    """Text as feedparser leaves it: stripped, UTF-8 mis-read as Latin-1 repaired, and C1
    characters taken as the Windows-1252 characters their authors meant."""
    text = text.strip()
    if not text.isascii():
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            text = text.encode("iso-8859-1").decode("utf-8")
        if C1.search(text):
            # Only then: str.translate looks up every character of a non-ASCII text in
            # the table, ~50 ns each (two thirds of parsing a feed with curly quotes).
            text = text.translate(_CP1252)
    return text


def _text(element: Any, *, typed: bool = False) -> str:
    """The text of an element that must hold no markup of its own (else feedparser reads it).

    A `type=` (outside Atom text constructs, `typed`) or `mode=` attribute changes how
    feedparser decodes the text: such an element is left to it.
    """
    if len(element):
        raise _Unsupported
    if element.attrib:
        for name in element.attrib:
            lower = name.lower()
            if lower == "mode" or (lower == "type" and not typed):
                raise _Unsupported
    return _fix(element.text or "")


def _date(element: Any) -> time.struct_time | None:
    text = _text(element)
    return _parse_date(text) if text else None


def _check_ignored(element: Any) -> None:
    """An element we skip must not hide one feedparser would read (media:group > media:title)."""
    for inner in element.iterdescendants():
        if _shown(*_split(inner.tag)):
            raise _Unsupported


def _resolve(value: str, base: str) -> str:
    """A GUID taken for a permalink is resolved against the document's address, as
    feedparser does it (entries are keyed by it, so both paths must agree)."""
    return _urljoin(base, value) if value else value


def _split(tag: Any) -> tuple[str, str]:
    """(namespace, local name), both lower-cased: feedparser matches names in any case
    (`<pubDate>`, `<PubDate>` and `<pubdate>` are one element to it)."""
    if not isinstance(tag, str):  # an entity reference left as is
        raise _Unsupported
    if tag[0] == "{":
        namespace, _, local = tag[1:].partition("}")
        return namespace.lower(), local.lower()
    return "", tag.lower()


# --- RSS 2.0 -----------------------------------------------------------------------------


def _rss(root: Any, base: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    parts = [(_split(child.tag), child) for child in root]
    channels = [child for name, child in parts if name == ("", "channel")]
    if len(channels) != 1 or any(local == "item" for (_, local), _ in parts):
        raise _Unsupported
    feed: dict[str, Any] = {}
    entries: list[dict[str, Any]] = []
    for child in channels[0]:
        namespace, local = _split(child.tag)
        if namespace:
            if (namespace in (_DC, _DCTERMS) and local == "title") or local == "item":
                raise _Unsupported  # dc:title is the feed's title; an item feedparser may read
            continue
        if local == "item":
            entries.append(_rss_item(child, base))
        elif local == "title":
            _title_into(feed, _text(child), html_guess=True)
        elif local == "link":
            feed.setdefault("link", _text(child))
        elif local == "ttl":
            feed["ttl"] = _text(child)
    return feed, entries


def _rss_item(item: Any, base: str) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    guid_link: str | None = None
    has_content = False
    for child in item:
        namespace, local = _split(child.tag)
        if not namespace:
            if local == "title":
                _title_into(entry, _text(child), html_guess=True)
            elif local == "link":
                entry["link"] = _text(child)
                entry.setdefault("links", []).append({"rel": "alternate", "href": entry["link"]})
            elif local == "description":
                has_content = _rss_summary_into(entry, _text(child), "text/html", has_content)
            elif local == "guid":
                entry["id"] = _text(child)
                # As feedparser: the attribute's name in any case, its value exactly "true".
                if _attributes(child).get("ispermalink", "true") == "true":
                    guid_link = entry["id"] = _resolve(entry["id"], base)
                else:
                    guid_link = None
            elif local == "pubdate":
                entry["published_parsed"] = _date(child)
            elif local == "author":
                _author_into(entry, _text(child))
            elif local == "enclosure":
                _enclosure_into(entry, child)
            elif local == "fullitem":
                if _attributes(child):
                    raise _Unsupported  # a type= or mode= feedparser acts on
                has_content = _content_into(entry, _text(child))
            elif local == "category":
                _check_ignored(child)  # an <image> inside a category has a <link> and <title>
                entry.setdefault("tags", []).append({"term": _text(child)})
            elif local in ("comments", "source"):
                _check_ignored(child)
            elif _shown(namespace, local):
                raise _Unsupported  # <summary>, <content>, <date> ... in plain RSS
            else:
                _check_ignored(child)
        elif namespace == _CONTENT and local == "encoded":
            has_content = _content_into(entry, _text(child))
        elif namespace == _DC and local in ("creator", "author"):
            _author_into(entry, _text(child))
        elif namespace in (_DC, _DCTERMS) and local in ("date", "modified"):
            entry["updated_parsed"] = _date(child)
        elif namespace == _DCTERMS and local == "issued":
            entry["published_parsed"] = _date(child)
        elif namespace == _ATOM and local == "link":
            _atom_link_into(entry, child)
        elif namespace == _ITUNES and local == "summary":
            has_content = _rss_summary_into(entry, _text(child), "text/plain", has_content)
        elif namespace == _ITUNES and local == "author":
            _author_into(entry, _text(child))
        elif namespace == _ITUNES and local == "subtitle":
            _text(child)  # feedparser keeps it apart (`subtitle`), which nothing reads
        elif namespace in (_MEDIA, _ITUNES):
            _media_into(entry, child, namespace, local)
        elif namespace in (_DC, _DCTERMS) and not _shown(namespace, local):
            pass
        elif namespace in _IGNORED_NAMESPACES and not _shown(namespace, local):
            _check_ignored(child)
        else:
            raise _Unsupported  # dc:title, itunes:summary, media:title, xhtml:body, ...
    if guid_link and "link" not in entry:
        entry["link"] = guid_link
    _finish_summary(entry)
    return entry


# --- Atom 1.0 ----------------------------------------------------------------------------

_ATOM_TYPES = {
    "text": "text/plain",
    "html": "text/html",
    "text/plain": "text/plain",
    "text/html": "text/html",
}


def _atom(root: Any, base: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    feed: dict[str, Any] = {}
    feed_id = ""
    entries: list[dict[str, Any]] = []
    for child in root:
        namespace, local = _split(child.tag)
        if namespace != _ATOM:
            if namespace in (_DC, _DCTERMS) and local == "title":
                raise _Unsupported
            continue
        if local == "entry":
            entries.append(_atom_entry(child, base))
        elif local == "title":
            text, kind = _atom_text(child)
            _title_into(feed, text, kind=kind)
        elif local == "link":
            _atom_link_into(feed, child)
        elif local == "id":
            feed_id = _resolve(_text(child), base)
    for link in feed.get("links", ()):
        if link["rel"] == "alternate":
            feed["link"] = link["href"]
            break
    if "link" not in feed and feed_id:
        feed["link"] = feed_id  # feedparser takes an Atom id for a permalink
    return feed, entries


def _atom_text(element: Any) -> tuple[str, str]:
    """(value, MIME type) of an Atom text construct; `xhtml` is left to feedparser."""
    kind = _ATOM_TYPES.get((_attributes(element).get("type") or "text").strip())
    if kind is None:
        raise _Unsupported
    return _text(element, typed=True), kind


def _atom_entry(node: Any, base: str) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for child in node:
        namespace, local = _split(child.tag)
        if namespace == _ATOM:
            if local == "id":
                entry["id"] = _resolve(_text(child), base)
            elif local == "title":
                text, kind = _atom_text(child)
                _title_into(entry, text, kind=kind)
            elif local == "link":
                _atom_link_into(entry, child)
            elif local == "summary":
                text, kind = _atom_text(child)
                _summary_into(entry, text, kind)
            elif local == "content":
                if _attributes(child).get("src"):
                    continue
                text, kind = _atom_text(child)
                entry.setdefault("content", []).append({"type": kind, "value": text})
            elif local == "published":
                entry["published_parsed"] = _date(child)
            elif local == "updated":
                entry["updated_parsed"] = _date(child)
            elif local == "author":
                _atom_author_into(entry, child)
            elif local == "category":
                attrs = _attributes(child)
                tag = {"term": attrs.get("term"), "label": attrs.get("label")}
                entry.setdefault("tags", []).append(tag)
            elif local in ("contributor", "rights"):
                pass
            else:
                raise _Unsupported  # source, and anything not in Atom 1.0
        elif namespace in (_MEDIA, _ITUNES):
            _media_into(entry, child, namespace, local)
        elif namespace in _IGNORED_NAMESPACES and not _shown(namespace, local):
            _check_ignored(child)
        else:
            raise _Unsupported  # dc:creator beside Atom authors, ...
    if "link" not in entry:
        for link in entry.get("links", ()):
            if link["rel"] == "alternate":
                entry["link"] = link["href"]
                break
    if "link" not in entry and entry.get("id"):
        entry["link"] = entry["id"]  # feedparser takes every Atom id for a permalink
    _finish_summary(entry)
    return entry


def _atom_link_into(target: dict[str, Any], element: Any) -> None:
    """An Atom link as feedparser keeps it; one with no `href` takes its text as the URL."""
    if len(element):
        raise _Unsupported
    attrs = _attributes(element)
    href = attrs.get("href")
    link = {
        "rel": (attrs.get("rel") or "alternate").strip(),
        "href": _fix(href if href is not None else (element.text or "")),
    }
    title = attrs.get("title")
    if title is not None:
        link["title"] = _fix(title)
    for name in ("type", "length"):
        value = attrs.get(name)
        if value is not None:
            link[name] = value.strip()
    target.setdefault("links", []).append(link)


# --- enclosures, Media RSS and iTunes ----------------------------------------------------


def _attributes(element: Any) -> dict[str, str]:
    """An element's attributes as feedparser gives them: names lower-cased, `rel` and `type`
    values too, and an `&amp;` left in a value read once more."""
    attrs: dict[str, str] = {}
    for name, value in element.attrib.items():
        if name.startswith("{"):
            continue
        name = name.lower()
        attrs[name] = (value.lower() if name in ("rel", "type") else value).replace("&amp;", "&")
    return attrs


def _enclosure_into(entry: dict[str, Any], element: Any) -> None:
    """RSS <enclosure url= type= length=> as feedparser's rel="enclosure" link."""
    attrs = _attributes(element)
    link = {"rel": "enclosure", "href": attrs.pop("url", attrs.pop("href", ""))}
    link.update((name, attrs[name]) for name in ("type", "length", "title") if name in attrs)
    entry.setdefault("links", []).append(link)


def _media_into(entry: dict[str, Any], element: Any, namespace: str, local: str) -> bool:
    """Read a Media RSS or iTunes element of an entry as feedparser does; False when it is
    not one of those read here (the caller decides whether it may be skipped)."""
    if namespace == _MEDIA:
        if local == "content":
            entry.setdefault("media_content", []).append(_attributes(element))
            _media_children_into(entry, element)
        elif local == "thumbnail":
            attrs = _attributes(element)
            text = (element.text or "").strip()
            if text and "url" not in attrs:
                attrs["url"] = text
            entry.setdefault("media_thumbnail", []).append(attrs)
        elif local == "group":
            _media_children_into(entry, element)
        elif _shown(namespace, local):
            raise _Unsupported  # media:title, media:description
        else:
            _check_ignored(element)
        return True
    if namespace == _ITUNES:
        if local == "duration":
            entry["itunes_duration"] = _text(element)
        elif local == "image":
            attrs = _attributes(element)
            href = attrs.get("href") or attrs.get("url")
            if href:
                entry["image"] = {"href": href}
        elif local in _ITUNES_SKIPPED:
            _check_ignored(element)
        else:
            raise _Unsupported  # itunes:summary, itunes:subtitle, itunes:author ...
        return True
    return False


def _media_children_into(entry: dict[str, Any], element: Any) -> None:
    """What a media:group or media:content holds (feedparser reads it as the entry's)."""
    for inner in element:
        namespace, local = _split(inner.tag)
        if not _media_into(entry, inner, namespace, local):
            if _shown(namespace, local):
                raise _Unsupported
            _check_ignored(inner)


def _atom_author_into(entry: dict[str, Any], element: Any) -> None:
    name = email = ""
    for child in element:
        namespace, local = _split(child.tag)
        if namespace == _ATOM and local == "name":
            name = _text(child)
        elif namespace == _ATOM and local == "email":
            email = _text(child)
    if not (name or email):
        return
    entry["author"] = name or email
    entry["author_detail"] = {"name": name} if name else {}


# --- fields shaped as feedparser's -------------------------------------------------------


def _title_into(
    target: dict[str, Any], text: str, *, html_guess: bool = False, kind: str = "text/plain"
) -> None:
    """RSS titles are plain text unless they look like HTML (feedparser's guess)."""
    if html_guess and _looks_like_html(text):
        kind = "text/html"
    target["title"] = text
    target["title_detail"] = {"type": kind}


def _summary_into(entry: dict[str, Any], text: str, kind: str) -> None:
    entry["summary"] = text
    entry["summary_detail"] = {"type": kind}


def _content_into(entry: dict[str, Any], text: str) -> bool:
    """<content:encoded> or <fullitem>: HTML content, copied into the summary when there is
    none yet (feedparser's `_save`). Returns True: the entry has content now."""
    entry.setdefault("content", []).append({"type": "text/html", "value": text})
    entry.setdefault("summary", text)
    return True


def _rss_summary_into(entry: dict[str, Any], text: str, kind: str, has_content: bool) -> bool:
    """<description> (HTML) or <itunes:summary> (text) in an RSS item, as feedparser reads
    them: the second of them, when the item has no content yet, becomes its content (plain
    text unless it looks like HTML); otherwise it is the summary. Returns whether the entry
    has content now."""
    if "summary" in entry and not has_content:
        guessed = "text/html" if _looks_like_html(text) else "text/plain"
        entry.setdefault("content", []).append({"type": guessed, "value": text})
        return True
    if kind == "text/plain" and _looks_like_html(text):
        kind = "text/html"
    _summary_into(entry, text, kind)
    return has_content


def _finish_summary(entry: dict[str, Any]) -> None:
    """feedparser copies the content into `summary` when an entry has no summary."""
    if "summary" not in entry and entry.get("content"):
        entry["summary"] = entry["content"][0]["value"]


_EMAIL = re.compile(
    r"(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)


def _author_into(entry: dict[str, Any], text: str) -> None:
    """An RSS author line: `jo@example.com (Jo Bloggs)` gives the name Jo Bloggs, as in
    feedparser (the address and the brackets around it are dropped). With a second author
    element, feedparser's `author_detail` is the first one's line as written."""
    first = entry.get("author")
    if first is not None:
        entry["author"] = text
        entry["author_detail"] = {"name": first} if first else {}
        return
    entry["author"] = text
    name = text
    email = _EMAIL.search(text)
    if email is not None:
        name = name.replace(email.group(0), "").replace("()", "").replace("<>", "")
        name = name.replace("&lt;&gt;", "").strip()
        name = name.removeprefix("(").removesuffix(")").strip()
    entry["author_detail"] = {"name": name} if name else {}
