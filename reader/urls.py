"""URLs shortened for display: the host and the slug stay, the middle goes.

A link's host says whose page it is and its last path segment (the slug) says which page;
the directories between say least. `shorten_url` keeps those two and elides the rest, for
a column `width` cells wide. Pure and linear in the URL's length; it returns plain text (the
caller decides how to show it, never as markup).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote, urlsplit

from reader.text import MAX_URL_LENGTH, clean_line

ELLIPSIS = "…"
_HIERARCHICAL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,31})://")
_AUTHORITY_END = re.compile(r"[/?#]")
_QUERY_START = re.compile(r"[?#]")
_ADDRESS = re.compile(r"\[|[0-9.]+(?::[0-9]*)?$")
_PAGE_SUFFIX = re.compile(r"\.(?:s?html?|php|aspx?|jsp|cgi)$", re.IGNORECASE)


def cell_width(text: str) -> int:
    """Terminal cells `text` takes: wide (East Asian) characters two, combining marks none."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return width


def keep_start(text: str, width: int) -> str:
    """`text` cut at the end to `width` cells, an ellipsis marking the cut."""
    if cell_width(text) <= width:
        return text
    if width <= 0:
        return ""
    if text.isascii():
        return text[: width - 1] + ELLIPSIS
    kept: list[str] = []
    room = width - 1
    for char in text:
        size = cell_width(char)
        if size > room:
            break
        kept.append(char)
        room -= size
    return "".join(kept) + ELLIPSIS


def keep_end(text: str, width: int) -> str:
    """`text` cut at the start to `width` cells, an ellipsis marking the cut."""
    if cell_width(text) <= width:
        return text
    if width <= 0:
        return ""
    if text.isascii():
        return ELLIPSIS + text[len(text) - width + 1 :]
    kept: list[str] = []
    room = width - 1
    for char in reversed(text):
        size = cell_width(char)
        if size > room:
            break
        kept.append(char)
        room -= size
    return ELLIPSIS + "".join(reversed(kept))


def host_of(url: str) -> str:
    """The host `url` names, lower-cased and without `www.`: links with the same are one site."""
    try:
        host = urlsplit(url[:MAX_URL_LENGTH]).hostname or ""
    except ValueError:  # an invalid port or IPv6 address
        return ""
    return host.removeprefix("www.")


def _readable(segment: str) -> str:
    """A path segment (of a clean URL) as a person reads it: percent-escapes decoded, and
    the controls they may decode to removed."""
    if "%" not in segment:
        return segment
    return clean_line(unquote(segment, errors="replace"), MAX_URL_LENGTH)


def shorten_url(url: str, width: int) -> str:
    """`url` in at most `width` cells: host and slug kept, the middle elided.

    `https://www.example.org/news/world/2025/11/discord-teen-mode` at 40 cells reads
    `example.org/…/2025/11/discord-teen-mode`. The http(s) scheme, `www.` and any
    `user:password@` go (the last so `https://bank.example@evil.example/` shows whose host
    it really is); other schemes stay. Shortened, a slug loses its `.html` (or `.php`, ...);
    when even host and slug do not fit, the host keeps its end (the registered domain) and
    the slug its start.
    """
    if width <= 0:
        return ""
    text = clean_line(url[:MAX_URL_LENGTH], MAX_URL_LENGTH)
    scheme = _HIERARCHICAL.match(text)
    if scheme is None:  # mailto:, tel:, or not a URL at all: no host to keep
        return keep_start(text, width)
    rest = text[scheme.end() :]
    end = _AUTHORITY_END.search(rest)
    authority, rest = (rest[: end.start()], rest[end.start() :]) if end else (rest, "")
    host = authority.rpartition("@")[2]
    host = host[4:] if host[:4].lower() == "www." and len(host) > 4 else host
    if scheme.group(1).lower() not in ("http", "https"):
        host = scheme.group() + host

    cut = _QUERY_START.search(rest)
    path, tail = (rest[: cut.start()], rest[cut.start() :]) if cut else (rest, "")
    pieces = [_readable(piece) for piece in path.split("/")] if "%" in path else path.split("/")
    whole = host + "/".join(pieces) + tail
    if cell_width(whole) <= width:
        return whole

    segments = [piece for piece in pieces if piece]
    if not segments and tail:  # `example.org/?p=123`: the query is what names the page
        segments = [tail]
        tail = ""
    if not segments:
        return keep_domain(host, width)
    slug = _PAGE_SUFFIX.sub("", segments[-1]) or segments[-1]
    sep = "/" + ELLIPSIS + "/" if len(segments) > 1 else "/"
    used = cell_width(host) + cell_width(sep) + cell_width(slug)
    if used > width:
        return _squeeze(host, sep, slug, width)

    # Segments before the slug, nearest first, while they fit; then the query if it fits.
    kept = [slug]
    for segment in reversed(segments[:-1]):
        size = cell_width(segment) + 1
        if len(kept) == len(segments) - 1:
            size -= cell_width(sep) - 1  # the last one replaces the ellipsis
        if used + size > width:
            break
        kept.append(segment)
        used += size
    middle = "/" if len(kept) == len(segments) else sep
    shown = host + middle + "/".join(reversed(kept))
    if tail:
        room = width - cell_width(shown)
        if cell_width(tail) <= room:
            shown += tail
        elif room >= 2:
            shown += tail[0] + ELLIPSIS
    return shown


def keep_domain(host: str, width: int) -> str:
    """`host` cut at the start to `width` cells, at a dot when it can be: a cut label could
    pass for another domain (`evilbank.example` must not read `…bank.example`)."""
    if cell_width(host) <= width:
        return host
    if _ADDRESS.match(host):  # an IP address has no domain to keep: its start matters most
        return keep_start(host, width)
    kept = keep_end(host, width)[1:]
    dot = kept.find(".")
    if 0 <= dot < len(kept) - 1:
        kept = kept[dot + 1 :]
    return ELLIPSIS + kept if width > 0 else ""


def _squeeze(host: str, sep: str, slug: str, width: int) -> str:
    """Host and slug sharing `width` cells: the host keeps its end, the slug its start."""
    room = width - cell_width(sep)
    if room < 4:
        return keep_domain(host, width)
    host_room = min(cell_width(host), max(room - cell_width(slug), room // 2))
    if _ADDRESS.match(host) and cell_width(host) <= room - 4:
        host_room = cell_width(host)
    shown_host = keep_domain(host, host_room)
    return shown_host + sep + _keep_words(slug, room - cell_width(shown_host))


def _keep_words(slug: str, width: int) -> str:
    """`keep_start` for a slug, cut between its words when that keeps most of it."""
    cut = keep_start(slug, width)
    if cut == slug:
        return cut
    kept = cut[:-1]
    at = max(kept.rfind("-"), kept.rfind("_"))
    return kept[:at] + ELLIPSIS if at >= len(kept) // 2 else cut
