"""Feed documents (RSS, Atom, RDF, JSON Feed) into `ParsedFeed` values.

A well-formed UTF-8 RSS 2.0 / Atom 1.0 document is read by lxml (`fastparse.py`, ~12x
faster); feedparser does the hard parts for everything else (encodings, broken XML, other
dialects, date formats); JSON Feed has `jsonfeed.py`. This module decides what counts as a
feed and which reader reads it; every reader's entries end in the same rules
(`entries.py`).

Hostile documents are bounded before feedparser sees them (and again, whatever their encoding,
at the point where feedparser has turned them into UTF-8, by replacing its `replace_doctype`):
the DOCTYPE and its internal subset are removed, so no entity declared by the document is ever
expanded (no billion laughs, no quadratic blow-up, no external entity); raw NUL bytes are
removed; only the first `MAX_ENTRIES` entries are kept. feedparser's sgmllib also gets a
linear `parse_comment` (its own rescans the rest of the input for every unclosed comment).

Synchronous and CPU-bound on purpose: callers run `parse_feed` in a worker thread.
"""

from __future__ import annotations

import contextvars
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import urljoin

from reader.feeds.entries import MAX_ENTRIES, MAX_KEY_LENGTH, absolute, build_entries, title_text
from reader.feeds.errors import NotAFeedError
from reader.feeds.fastparse import parse_fast
from reader.feeds.jsonfeed import looks_like_json_feed, parse_json_feed
from reader.models import ParsedFeed
from reader.text import clean_line, is_http_url

__all__ = ["MAX_ENTRIES", "MAX_KEY_LENGTH", "NotAFeedError", "guarded_feedparser", "parse_feed"]

_XML_DECLARATION = re.compile(rb"(?:\xef\xbb\xbf)?<\?xml[^>]*?>")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass
class _Budget:
    """What the document guard found, for the `ParsedFeed.warning` of the parse under way."""

    entries: int = 0
    """How many entries the document had, when that was more than MAX_ENTRIES (else 0)."""


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "newsreader_parse_budget", default=None
)


def parse_feed(
    body: bytes, *, url: str, headers: Mapping[str, str] | None = None, fast: bool = True
) -> ParsedFeed:
    """Parse a fetched feed document; raise NotAFeedError when it is not a feed at all.

    `url` is the address the document came from (after redirects): relative links resolve
    against it unless the response named a Content-Location. `headers` are the response
    headers, so the declared charset is honoured. `fast=False` skips the lxml fast path
    (`fastparse.py`), for comparing the two.
    """
    response_headers = {key.lower(): value for key, value in (headers or {}).items()}
    base = url
    location = response_headers.get("content-location")
    if location:
        joined = urljoin(url, clean_line(location))
        if is_http_url(joined):
            base = joined
    response_headers["content-location"] = base
    bom = _bom_encoding(body)
    if bom is not None:
        # A byte order mark is the encoding (XML 1.0 appendix F, WHATWG): feedparser would
        # believe a header without a charset over it (and read UTF-16 as ISO-8859-1).
        mime = response_headers.get("content-type", "").split(";", 1)[0].strip()
        response_headers["content-type"] = f"{mime or 'application/xml'}; charset={bom}"

    if not body or not body.strip():
        raise NotAFeedError("not a feed (empty response)")
    if looks_like_json_feed(body):
        return parse_json_feed(body, url=url)
    budget = _Budget()
    document = body
    if not _wide_encoding(body):
        # The guard runs again inside feedparser on the UTF-8 text (any encoding); this pass
        # keeps the DOCTYPE's public id so feedparser still recognises RSS 0.91 by it.
        document, _, budget.entries = _defuse(body, keep_doctype=True)
    fast_result = parse_fast(document, response_headers) if fast else None
    if fast_result is not None:
        feed, raw_entries = fast_result
        parsed: Any = {}
    else:
        parsed = _feedparser(document, response_headers, budget)
        if not parsed.get("version") and not parsed.get("entries"):
            raise NotAFeedError(_not_a_feed_reason(body, response_headers, parsed))
        feed = parsed.get("feed", {})
        raw_entries = parsed.get("entries", [])
    entries, cap_note = build_entries(raw_entries, base, found=budget.entries)
    notes = [cap_note, _warning(parsed, body)]
    return ParsedFeed(
        title=title_text(feed),
        site_url=absolute(feed.get("link"), base) or "",
        entries=entries,
        warning="; ".join(note for note in notes if note) or None,
        ttl_minutes=_ttl(feed.get("ttl")),
    )


def _feedparser(document: bytes, response_headers: dict[str, str], budget: _Budget) -> Any:
    """feedparser's reading of the document, with the guards on.

    Its HTML sanitiser is off: content is stored as the feed gave it and treated as data
    wherever it is shown (`article/html.py` drops scripts, styles, event handlers and
    non-http links; the search index drops tags), which is what makes it safe, and the
    sanitiser cost three quarters of the parse. Relative URLs in content are resolved by
    `_resolve_urls` on both paths; feedparser's own (slower) pass runs only for a document
    with `xml:base`, which changes the base inside it.
    """
    token = _BUDGET.set(budget)
    try:
        # A BytesIO, never the bytes themselves: feedparser treats a bytes argument that
        # names an existing file as a path and reads that file.
        return guarded_feedparser().parse(
            io.BytesIO(document),
            response_headers=response_headers,
            resolve_relative_uris=b"xml:base" in document,
            sanitize_html=False,
        )
    except Exception as exc:  # feedparser has crashed on hostile input before
        reason = clean_line(str(exc), 200) or type(exc).__name__
        raise NotAFeedError(f"not a feed (could not parse it: {reason})") from exc
    finally:
        _BUDGET.reset(token)


def _ttl(value: object) -> int | None:
    """RSS <ttl>: minutes a feed may be cached; None when absent or not a sane number."""
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes if 0 < minutes <= 7 * 24 * 60 else None


# --- the document guard ------------------------------------------------------------------

_PROLOG_SKIP = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_DECLARATION_OPEN = re.compile(rb"<!(?!--)")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_DECLARATION_TEXT = re.compile(rb"[^\"'\[>]+")
_SUBSET_TEXT = re.compile(rb"[^\"'<\]]+")
_ENTRY_OPEN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)(?=[\s/>])")
_ENTRY_CLOSE = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")
_UTF8_BOM = b"\xef\xbb\xbf"


_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32be"),
    (b"\xff\xfe\x00\x00", "utf-32le"),
    (b"\xfe\xff", "utf-16be"),
    (b"\xff\xfe", "utf-16le"),
    (_UTF8_BOM, "utf-8"),
)


def _bom_encoding(data: bytes) -> str | None:
    """The encoding a byte order mark at the start names, or None."""
    return next((name for bom, name in _BOMS if data.startswith(bom)), None)


def _wide_encoding(data: bytes) -> bool:
    """UTF-16 or UTF-32 (by BOM or by the zero bytes around the first `<`), where NUL bytes
    belong to the characters and ASCII patterns do not match."""
    head = data[:4]
    return head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(0) >= 2


def _defuse(data: bytes, *, keep_doctype: bool) -> tuple[bytes, bool, int]:
    """The document without a DTD, NUL bytes or entries past MAX_ENTRIES.

    Returns (document, whether its DOCTYPE named Netscape's RSS 0.91, how many entries it had
    when that was more than MAX_ENTRIES, else 0). With `keep_doctype`, a DOCTYPE keeps its
    name and public/system id and loses only its internal subset (and with it every entity
    declaration); otherwise it goes entirely, as every other declaration in the prolog does.
    """
    data, netscape = _strip_dtd(data, keep_doctype=keep_doctype)
    if b"\x00" in data:
        data = data.replace(b"\x00", b"")  # else expat stops there and the rest is read loosely
    data, entries = _cap_entries(data, MAX_ENTRIES)
    return data, netscape, entries


def _strip_dtd(data: bytes, *, keep_doctype: bool) -> tuple[bytes, bool]:
    """Remove the internal subset (or the whole DOCTYPE) and any stray declaration from the
    prolog, the only place a DTD can be; the body is left alone."""
    i = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    n = len(data)
    parts: list[bytes] = []
    kept = 0
    netscape = False
    while i < n:
        skip = _PROLOG_SKIP.match(data, i)
        if skip is not None:
            i = skip.end()
            continue
        if not _DECLARATION_OPEN.match(data, i):
            break  # the root element (or junk): the prolog is over
        subset, end = _declaration_end(data, i + 2)
        doctype = _DOCTYPE.match(data, i) is not None
        if doctype:
            outside = data[i:subset] if subset >= 0 else data[i:end]
            netscape = netscape or b"netscape" in outside.lower()
        parts.append(data[kept:i])
        if doctype and keep_doctype:
            parts.append(data[i:subset] + b">" if subset >= 0 else data[i:end])
        kept = i = end
    if not parts:
        return data, netscape
    parts.append(data[kept:])
    return b"".join(parts), netscape


def _declaration_end(data: bytes, i: int) -> tuple[int, int]:
    """(where its `[` internal subset starts or -1, the index just past the declaration).

    Quoted strings, and comments and processing instructions inside the subset, may hold `>`
    and `]`. Whatever is left unclosed takes the rest of the document with it.
    """
    n = len(data)
    subset = -1
    while i < n:
        text = _DECLARATION_TEXT.match(data, i)
        if text is not None:
            i = text.end()
            continue
        char = data[i : i + 1]
        if char == b">":
            return subset, i + 1
        if char == b"[":
            subset = i
            i = _subset_end(data, i + 1)
            continue
        close = data.find(char, i + 1)  # a quoted string
        if close < 0:
            break
        i = close + 1
    return subset, n


def _subset_end(data: bytes, i: int) -> int:
    """The index just past the `]` that closes an internal subset starting at `i`."""
    n = len(data)
    while i < n:
        text = _SUBSET_TEXT.match(data, i)
        if text is not None:
            i = text.end()
            continue
        char = data[i : i + 1]
        if char == b"]":
            return i + 1
        if char in (b'"', b"'"):
            close = data.find(char, i + 1)
            end = -1 if close < 0 else close + 1
        elif data.startswith(b"<!--", i):
            close = data.find(b"-->", i + 4)
            end = -1 if close < 0 else close + 3
        elif data.startswith(b"<?", i):
            close = data.find(b"?>", i + 2)
            end = -1 if close < 0 else close + 2
        else:
            end = i + 1  # a `<` opening a markup declaration
        if end < 0:
            return n
        i = end
    return n


def _cap_entries(data: bytes, limit: int) -> tuple[bytes, int]:
    """Cut the entries after the first `limit` out of the document (feedparser's time and
    memory grow with every entry); returns the document and how many there were (0 when at
    most `limit`).

    The cut runs from the start of entry `limit + 1` to the end of the last entry, so what
    follows the entries (`</channel></rss>`) stays and the document stays well-formed.
    """
    opens = _ENTRY_OPEN.findall(data)
    if len(opens) <= limit:
        return data, 0
    starts = _ENTRY_OPEN.finditer(data)
    for _ in range(limit):
        next(starts)
    cut = next(starts).start()
    last_end = -1
    for close in _ENTRY_CLOSE.finditer(data, cut):
        last_end = close.end()
    rest = data[last_end:] if last_end > cut else b""
    return data[:cut] + rest, len(opens)


def _guarded_replace_doctype(data: bytes) -> tuple[str | None, bytes, dict[str, str]]:
    """Stands in for feedparser's `replace_doctype`, which keeps the document's own simple
    entities (`<!ENTITY a "...">`, expanded by both of its parsers: one 50 KB entity used
    50,000 times is 2.5 GB). Called on the UTF-8 text, whatever the document's encoding."""
    if _wide_encoding(data):  # feedparser could not convert it: it will read nothing anyway
        data, netscape = _strip_dtd(data, keep_doctype=False)
        entries = 0
    else:
        data, netscape, entries = _defuse(data, keep_doctype=False)
    budget = _BUDGET.get()
    if budget is not None:
        budget.entries = max(budget.entries, entries)
    return ("rss091n" if netscape else None), data, {}


_COMMENT_CLOSE = re.compile(r"--\s*>")


def _parse_comment(self: Any, i: int, report: int = 1) -> int:
    """sgmllib's `parse_comment`, but an unclosed comment ends the input instead of failing:
    failing makes the parser (and feedparser's sanitizer, with a quadratic regex of its own)
    search the rest of the input again for every later `<!--`."""
    rawdata: str = self.rawdata
    match = _COMMENT_CLOSE.search(rawdata, i + 4)
    if match is None:
        return len(rawdata)
    if report:
        self.handle_comment(rawdata[i + 4 : match.start()])
    return match.end()


def guarded_feedparser() -> ModuleType:
    """feedparser, imported on first use (it costs ~15 MB and ~30 ms, and the lxml fast
    path reads most feeds without it) with the guards installed before anything uses it.
    Every use of feedparser in newsreader goes through here."""
    global GUARDS_INSTALLED
    import feedparser

    if not GUARDS_INSTALLED:
        GUARDS_INSTALLED = _install_guards(feedparser)
    module: ModuleType = feedparser  # untyped: feedparser ships no type information
    return module


def _install_guards(feedparser: ModuleType) -> bool:
    """Put the guards into feedparser (idempotent); False when its internals have moved."""
    api = getattr(feedparser, "api", None)
    if api is None or not hasattr(api, "replace_doctype"):
        return False
    api.replace_doctype = _guarded_replace_doctype
    try:
        import feedparser_sgmllib
    except ImportError:  # pragma: no cover - feedparser 6 depends on it
        return False
    feedparser_sgmllib.SGMLParser.parse_comment = _parse_comment  # type: ignore[method-assign]
    return True


GUARDS_INSTALLED = False
"""Whether feedparser runs with the guards, once `guarded_feedparser` has loaded it (tests
check; the raw-bytes pass runs anyway)."""


# --- what went wrong ---------------------------------------------------------------------


def _not_a_feed_reason(body: bytes, headers: Mapping[str, str], parsed: Any) -> str:
    """Name what the document looked like, so "not a feed" is something a user can act on."""
    content_type = headers.get("content-type", "").lower()
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1024].lower()
    if "html" in content_type or head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "not a feed (got an HTML page)"
    if "json" in content_type or head.startswith((b"{", b"[")):
        if b"jsonfeed.org" in body[:4096].lower():
            return "not a feed (got a JSON Feed, which newsreader cannot read yet)"
        return "not a feed (got JSON data)"
    exc = parsed.get("bozo_exception")
    if exc is not None and hasattr(exc, "getMessage"):
        return f"not a feed (XML parse error: {_xml_error(exc, body)})"
    if head.startswith(b"<"):
        return "not a feed (an XML document, but not RSS or Atom)"
    return "not a feed (unrecognised content)"


def _warning(parsed: Any, body: bytes) -> str | None:
    """A survivable problem worth showing, or None.

    feedparser flags `text/xml` without a charset as "declared as us-ascii" (RFC 3023's
    default, which nobody means), and a feed served as text/html is still read exactly; neither
    is worth a warning.
    """
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    if exc is None:
        return None
    name = type(exc).__name__
    message = clean_line(str(exc), 200)
    if name == "CharacterEncodingOverride":
        if "declared as us-ascii" in message:
            return None
        return f"wrong character encoding: {message}"
    if name == "CharacterEncodingUnknown":
        return f"unknown character encoding: {message}"
    if name == "NonXMLContentType":
        return None
    if hasattr(exc, "getMessage"):
        detail = _xml_error(exc, body)
        return f"malformed XML ({detail}); read leniently, entries may be incomplete"
    return message or name


def _xml_error(exc: Any, body: bytes) -> str:
    """An XML parser's complaint and the line it is on, in the document as served.

    feedparser prepends an XML declaration and a newline when the document has none, which
    pushes the parser's line numbers one down.
    """
    detail = clean_line(exc.getMessage(), 200)
    line = exc.getLineNumber() if hasattr(exc, "getLineNumber") else None
    if not isinstance(line, int) or line < 1:
        return detail
    if not _XML_DECLARATION.match(body) and not body.startswith(_UTF16_BOMS):
        line = max(1, line - 1)
    return f"{detail} at line {line}"
