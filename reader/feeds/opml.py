"""OPML subscription lists in and out: what `newsreader import` and `export` read and write.

Reading is tolerant of the ways real readers write OPML (newsboat, Miniflux, FreshRSS,
Feedly, hand-made files): attribute names in any case (`xmlUrl`, `xmlurl`, `XMLURL`),
`text` or `title`, a missing `type`, folders as nested outlines or as a `category`
attribute, an outline that is a feed and also holds other feeds. It is strict about safety:
the file comes from anywhere, so a DOCTYPE (and with it every entity trick: billion laughs,
external entities) is refused outright, and only http(s) feed URLs are kept; every outline
skipped is reported in words, so an import can say what it left out and why.

Parsing is streaming (expat) with an explicit stack, so a file of deeply nested outlines
cannot exhaust the Python stack.
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import NoReturn
from urllib.parse import urlsplit
from xml.parsers import expat

from reader.text import MAX_URL_LENGTH, clean_line, is_http_url

MAX_FOLDER_DEPTH = 8
"""Deeper outlines keep their feeds, in the deepest folder kept."""

_FEED_TYPES = frozenset({"rss", "atom", "feed", "rdf", "json"})
_NAME_LIMIT = 300
_SHOWN_URL_LIMIT = 60
_NOT_XML_CHARS = re.compile("[\ud800-\udfff\ufffe\uffff]")
_UNKNOWN_ENCODING = expat.errors.codes[expat.errors.XML_ERROR_UNKNOWN_ENCODING]
_INVALID_TOKEN = expat.errors.codes[expat.errors.XML_ERROR_INVALID_TOKEN]
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)""")


class NotAnOpmlError(ValueError):
    """The file is not OPML we will read; the message says why, in words a user can act on."""


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One subscription in an OPML file."""

    url: str
    """The feed's absolute http(s) URL."""
    title: str = ""
    """The title the file gives ("" when none, or when it is just the URL)."""
    site_url: str = ""
    folder: tuple[str, ...] = ()
    """The folder path, outermost first; () for the top level."""


@dataclass(frozen=True, slots=True)
class OpmlResult:
    """The feeds read from a file, and a sentence for each outline that was skipped."""

    feeds: tuple[OpmlFeed, ...]
    invalid: tuple[str, ...] = ()


# --- reading -----------------------------------------------------------------------------


def read_opml(data: bytes) -> OpmlResult:
    """Read an OPML file; raise NotAnOpmlError for one that is not OPML, unsafe or broken.

    The same feed URL is kept once, in the first folder it appears in.
    """
    if not data or not data.strip():
        raise NotAnOpmlError("not an OPML file (the file is empty)")
    try:
        return _Reader().read(data)
    except NotAnOpmlError:
        raise
    except (expat.ExpatError, ValueError, LookupError) as exc:  # not expat: the encoding
        first: Exception = exc
    recoded = _recoded(data, first)
    if recoded is not None:
        try:
            return _Reader().read(recoded, encoding="utf-8")
        except expat.ExpatError as exc:
            first = exc
    raise NotAnOpmlError(f"not an OPML file (XML error: {_xml_message(first)})") from first


def _recoded(data: bytes, exc: Exception) -> bytes | None:
    """The file as UTF-8 when expat failed on its encoding, else None.

    Python decodes what expat cannot (Shift JIS, GB18030...), and an older tool's export in
    Windows-1252 that does not say so is read as such.
    """
    is_encoding_error = not isinstance(exc, expat.ExpatError) or exc.code in (
        _UNKNOWN_ENCODING,
        _INVALID_TOKEN,
    )
    if not is_encoding_error:
        return None
    match = _DECLARED_ENCODING.match(data.lstrip(b"\xef\xbb\xbf"))
    declared = match.group(1).decode("ascii").lower() if match else "utf-8"
    try:
        if codecs.lookup(declared).name != "utf-8":
            return data.decode(declared, errors="replace").encode("utf-8")
        data.decode("utf-8")
    except LookupError:
        return None
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace").encode("utf-8")
    return None


def _xml_message(exc: Exception) -> str:
    """expat's complaint and its line, or why the encoding could not be read."""
    if not isinstance(exc, expat.ExpatError) or exc.code == _UNKNOWN_ENCODING:
        return "the file's declared character encoding is not supported"
    text = expat.errors.messages.get(exc.code, "") if exc.code else ""
    reason = clean_line(text or str(exc), 120)
    return f"{reason} at line {exc.lineno}" if exc.lineno else reason


@dataclass(slots=True)
class _Open:
    """An open `<outline>`: the folder its children go in."""

    child_folder: tuple[str, ...]
    unread_leaf: str = ""
    """Why this outline gives no feed, said when it turns out to hold no outlines either
    (then it is not a folder: it was skipped); "" when it is a feed or already reported."""


@dataclass
class _Reader:
    """expat callbacks that collect feeds as outlines stream past."""

    feeds: dict[str, OpmlFeed] = field(default_factory=dict)
    invalid: list[str] = field(default_factory=list)
    outlines: list[_Open] = field(default_factory=list)
    head_depth: int = 0
    root: str | None = None

    def read(self, data: bytes, *, encoding: str | None = None) -> OpmlResult:
        parser = expat.ParserCreate(encoding)
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._entity
        parser.ExternalEntityRefHandler = self._external_entity
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.Parse(data, True)
        return OpmlResult(feeds=tuple(self.feeds.values()), invalid=tuple(self.invalid))

    # -- refused ---------------------------------------------------------------------

    def _doctype(self, *args: object) -> NoReturn:
        raise NotAnOpmlError(
            "refused: the OPML file has a DOCTYPE (OPML needs none; DTDs and entities can be "
            "used to attack the program reading them)"
        )

    def _entity(self, *args: object) -> NoReturn:
        raise NotAnOpmlError("refused: the OPML file declares entities")

    def _external_entity(self, *args: object) -> NoReturn:
        raise NotAnOpmlError("refused: the OPML file refers to an external entity")

    # -- elements --------------------------------------------------------------------

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        tag = name.lower()
        if self.root is None:
            self.root = tag
            if tag != "opml":
                shown = clean_line(name, 40)
                raise NotAnOpmlError(f"not an OPML file (the document is <{shown}>, not <opml>)")
        if tag == "head":
            self.head_depth += 1
        if tag != "outline":
            return
        if self.head_depth:
            self.outlines.append(_Open(()))
            return
        if self.outlines:
            self.outlines[-1].unread_leaf = ""  # it holds outlines: a folder
        self.outlines.append(_Open(*self._outline(attrs)))

    def _end(self, name: str) -> None:
        tag = name.lower()
        if tag == "head" and self.head_depth:
            self.head_depth -= 1
        elif tag == "outline" and self.outlines:
            closed = self.outlines.pop()
            if closed.unread_leaf and not self.head_depth:
                self.invalid.append(closed.unread_leaf)

    def _outline(self, raw_attrs: dict[str, str]) -> tuple[tuple[str, ...], str]:
        """Take in one outline; return the folder its children go in, and why it is skipped
        if it turns out to hold nothing ("" when it is a feed or was reported already)."""
        attrs: dict[str, str] = {}
        for key, value in raw_attrs.items():
            lowered = key.lower()
            if value.strip() and lowered not in attrs:
                attrs[lowered] = value
        folder = self.outlines[-1].child_folder if self.outlines else ()
        name = clean_line(attrs.get("text"), _NAME_LIMIT) or clean_line(
            attrs.get("title"), _NAME_LIMIT
        )
        kind = attrs.get("type", "").strip().lower()
        raw_url = attrs.get("xmlurl") or (attrs.get("url") if kind in _FEED_TYPES else None)
        child_folder = (*folder, name) if name and len(folder) < MAX_FOLDER_DEPTH else folder
        if raw_url is None:
            if kind in _FEED_TYPES:
                self.invalid.append(f"skipped '{name or '(untitled)'}': it has no xmlUrl")
                return child_folder, ""
            link = clean_line(attrs.get("url") or attrs.get("htmlurl"), _SHOWN_URL_LIMIT)
            what = f"a link, not a feed: {link}" if link else "no xmlUrl and no feeds inside"
            return child_folder, f"skipped '{name or '(untitled)'}': {what}"
        if "xpath" in kind or "dotnotation" in kind:  # FreshRSS scrapes pages by recipe
            url, problem = None, f"a web-scraping recipe (type {clean_line(attrs['type'], 40)})"
        else:
            url, problem = _feed_url(raw_url)
        if url is None:
            shown = clean_line(raw_url, _SHOWN_URL_LIMIT)
            self.invalid.append(f"skipped '{name or shown}': {problem}: {shown}")
            return child_folder, ""
        key = _dedupe_key(url)
        if key not in self.feeds:
            if not folder:
                folder = _category_folder(attrs.get("category", ""))
            site_url, _ = _feed_url(attrs.get("htmlurl", ""), allow_feed_scheme=False)
            self.feeds[key] = OpmlFeed(
                url=url,
                title="" if name in (url, clean_line(raw_url, MAX_URL_LENGTH + 1)) else name,
                site_url=site_url or "",
                folder=folder,
            )
        return child_folder, ""


def _feed_url(raw: str, *, allow_feed_scheme: bool = True) -> tuple[str | None, str]:
    """An absolute http(s) URL and "", or None and what is wrong with it."""
    url = clean_line(raw, MAX_URL_LENGTH + 1)
    if not url:
        return None, "no URL"
    if len(url) > MAX_URL_LENGTH:
        return None, f"URL longer than {MAX_URL_LENGTH} characters"
    lowered = url.lower()
    if allow_feed_scheme and lowered.startswith("feed:"):
        # The old feed: pseudo-scheme: feed://host/path and feed:https://host/path.
        url = "http:" + url[5:] if lowered.startswith("feed://") else url[5:]
    if not is_http_url(url):
        return None, "not an http(s) URL"
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises for a port that is not a number
    except ValueError:
        return None, "malformed URL"
    if not parts.hostname or " " in parts.netloc:
        return None, "malformed URL"
    return url, ""


def _dedupe_key(url: str) -> str:
    """The same feed however its scheme and host are cased, with or without a fragment."""
    parts = urlsplit(url)
    lowered = parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower())
    return lowered._replace(fragment="").geturl()


def _category_folder(category: str) -> tuple[str, ...]:
    """A folder from OPML 2.0's `category` ("/News/Tech,/Other": the first path wins)."""
    for path in category.split(","):
        parts = tuple(p for p in (clean_line(s, _NAME_LIMIT) for s in path.split("/")) if p)
        if parts:
            return parts[:MAX_FOLDER_DEPTH]
    return ()


# --- writing -----------------------------------------------------------------------------


@dataclass
class _Folder:
    """A folder being written: its feeds and subfolders, in the order they first appear."""

    items: list[OpmlFeed | tuple[str, _Folder]] = field(default_factory=list)
    folders: dict[str, _Folder] = field(default_factory=dict)

    def child(self, name: str) -> _Folder:
        if name not in self.folders:
            self.folders[name] = _Folder()
            self.items.append((name, self.folders[name]))
        return self.folders[name]


def write_opml(
    feeds: Iterable[OpmlFeed],
    *,
    title: str = "newsreader subscriptions",
    created: datetime | None = None,
) -> bytes:
    """An OPML 2.0 document of `feeds`, folders as nested outlines (UTF-8 bytes).

    A URL given twice is written once. `created` (default: now) is the `dateCreated`.
    """
    root = _Folder()
    seen: set[str] = set()
    for feed in feeds:
        key = _dedupe_key(_xml_text(feed.url, 4000))
        if key in seen:
            continue
        seen.add(key)
        folder = root
        for name in feed.folder[:MAX_FOLDER_DEPTH]:
            cleaned = _xml_text(name)
            if cleaned:
                folder = folder.child(cleaned)
        folder.items.append(feed)

    when = (created or datetime.now(UTC)).astimezone(UTC)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{html.escape(_xml_text(title), quote=False)}</title>",
        f"    <dateCreated>{format_datetime(when, usegmt=True)}</dateCreated>",
        "  </head>",
        "  <body>",
        *_outlines(root, 2),
        "  </body>",
        "</opml>",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def _outlines(folder: _Folder, level: int) -> Iterator[str]:
    """The outline lines of a folder's contents, indented two spaces a level."""
    indent = "  " * level
    for item in folder.items:
        if isinstance(item, OpmlFeed):
            url = _xml_text(item.url, 4000)
            text = _xml_text(item.title) or url
            attrs = f'type="rss" text={_attr(text)} title={_attr(text)} xmlUrl={_attr(url)}'
            site = _xml_text(item.site_url, 4000)
            if site:
                attrs += f" htmlUrl={_attr(site)}"
            yield f"{indent}<outline {attrs}/>"
        else:
            name, child = item
            yield f"{indent}<outline text={_attr(name)} title={_attr(name)}>"
            yield from _outlines(child, level + 1)
            yield f"{indent}</outline>"


def _xml_text(value: str, limit: int = _NAME_LIMIT) -> str:
    """One line that XML 1.0 can hold: controls gone, no surrogates or U+FFFE/U+FFFF."""
    return _NOT_XML_CHARS.sub("", clean_line(value, limit))


def _attr(value: str) -> str:
    """A quoted, escaped attribute value."""
    return '"' + html.escape(value, quote=True) + '"'
