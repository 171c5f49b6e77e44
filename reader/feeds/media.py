"""An entry's files (enclosures) and lead image, from whatever a feed format calls them.

RSS `<enclosure>`, Atom `rel="enclosure"` links, Media RSS `media:content` (inside a
`media:group` too) and JSON Feed `attachments` all become `Enclosure` values by the same
rules: absolute http(s) URLs only (a longer URL than we would ever fetch is refused), the
first of each URL kept (a later duplicate only fills fields the first left empty), sizes
and durations kept only when they are sane numbers. `itunes:duration` (HH:MM:SS, MM:SS or
seconds) goes to the first audio or video file that has no duration of its own.

The lead image is the first of: `media:thumbnail`, an image `media:content`,
`itunes:image`, an image enclosure. Image `media:content` (a news site's photo in several
sizes) is the lead image, not a file to download, so it is not listed as an enclosure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urljoin

from reader.models import Enclosure
from reader.text import MAX_URL_LENGTH, clean_line, is_http_url

MAX_ENCLOSURES = 50
"""Files kept per entry; a feed listing more is not describing an episode."""
MAX_LENGTH = 1 << 50
"""A size above this (a petabyte) is not a size."""
MAX_DURATION = 1_000_000
"""Seconds (11 days); a longer duration is not a duration."""
_DURATION = re.compile(r"(?:(?:(\d{1,6}):)?(\d{1,6}):)?(\d{1,7})(?:[.,]\d*)?")
_NUMBER = re.compile(r"\d{1,18}(?:\.\d*)?")


@dataclass(frozen=True, slots=True)
class RawFile:
    """One file as a document names it, before any checking."""

    url: Any
    type: Any = None
    length: Any = None
    duration: Any = None
    title: Any = None
    medium: Any = None


def absolute_url(href: Any, base: str) -> str | None:
    """An absolute http(s) URL, or None (javascript:, data:, mailto: and friends are dropped,
    and so is a URL longer than MAX_URL_LENGTH, which would never be fetched)."""
    if not isinstance(href, str):
        return None
    cleaned = clean_line(href, limit=MAX_URL_LENGTH + 1)
    if not cleaned or len(cleaned) > MAX_URL_LENGTH:
        return None
    try:
        joined = urljoin(base, cleaned)
    except ValueError:  # e.g. an unbalanced `[` in the host
        return None
    return joined if is_http_url(joined) and len(joined) <= MAX_URL_LENGTH else None


def parse_duration(value: Any) -> int | None:
    """Seconds from `3600`, `61:05`, `1:01:05` or `1234.5`; None for anything else."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = int(value)
    elif isinstance(value, str):
        match = _DURATION.fullmatch(value.strip())
        if match is None:
            return None
        hours, minutes, secs = (int(part) if part else 0 for part in match.groups())
        if match.group(1) is not None and (minutes > 59 or secs > 59):
            return None
        if match.group(2) is not None and match.group(1) is None and secs > 59:
            return None
        seconds = hours * 3600 + minutes * 60 + secs
    else:
        return None
    return seconds if 0 < seconds <= MAX_DURATION else None


def _length(value: Any) -> int | None:
    """A size in bytes, or None when absent or not a sane number (0 too: "unknown")."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = int(value)
    elif isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        number = int(float(value.strip()))
    else:
        return None
    return number if 0 < number <= MAX_LENGTH else None


def _mime(value: Any) -> str:
    return clean_line(value, 200).lower() if isinstance(value, str) else ""


def _is_image(raw: RawFile) -> bool:
    medium = raw.medium.strip().lower() if isinstance(raw.medium, str) else ""
    return medium == "image" or _mime(raw.type).startswith("image/")


def enclosures(
    files: Iterable[RawFile], base: str, itunes_duration: Any = None
) -> tuple[Enclosure, ...]:
    """The checked, de-duplicated enclosures, in order; `itunes_duration` fills the first
    audio/video file that has no duration."""
    kept: dict[str, Enclosure] = {}
    for raw in files:
        url = absolute_url(raw.url, base)
        if url is None:
            continue
        found = Enclosure(
            url=url,
            type=_mime(raw.type),
            length=_length(raw.length),
            duration=parse_duration(raw.duration),
            title=clean_line(raw.title, 200) if isinstance(raw.title, str) else "",
        )
        first = kept.get(url)
        if first is None:
            if len(kept) < MAX_ENCLOSURES:
                kept[url] = found
            continue
        kept[url] = replace(
            first,
            type=first.type or found.type,
            length=first.length if first.length is not None else found.length,
            duration=first.duration if first.duration is not None else found.duration,
            title=first.title or found.title,
        )
    result = list(kept.values())
    duration = parse_duration(itunes_duration)
    if duration is not None:
        for index, item in enumerate(result):
            if item.duration is None and item.type.startswith(("audio/", "video/")):
                result[index] = replace(item, duration=duration)
                break
        else:
            for index, item in enumerate(result):
                if item.duration is None and not item.type.startswith("image/"):
                    result[index] = replace(item, duration=duration)
                    break
    return tuple(result)


def lead_image(candidates: Iterable[Any], base: str) -> str:
    """The first candidate that is a usable image URL, or ""."""
    for candidate in candidates:
        url = absolute_url(candidate, base)
        if url:
            return url
    return ""


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def from_feedparser(raw: Mapping[str, Any], base: str) -> tuple[tuple[Enclosure, ...], str]:
    """(enclosures, lead image) of an entry shaped as feedparser's (the lxml fast path
    gives the same shape): `links` with rel="enclosure", `media_content`,
    `media_thumbnail`, `itunes_duration` and `image` (itunes:image)."""
    # feedparser gives every Atom link without a type `text/html`: for a file, that
    # default says nothing.
    links = [
        RawFile(
            url=link.get("href"),
            type=None if link.get("type") == "text/html" else link.get("type"),
            length=link.get("length"),
            duration=link.get("duration"),
            title=link.get("title"),
        )
        for link in _dicts(raw.get("links"))
        if link.get("rel") == "enclosure"
    ]
    media = [
        RawFile(
            url=item.get("url"),
            type=item.get("type"),
            length=item.get("filesize"),
            duration=item.get("duration"),
            medium=item.get("medium"),
        )
        for item in _dicts(raw.get("media_content"))
    ]
    files = links + [item for item in media if not _is_image(item)]
    found = enclosures(files, base, raw.get("itunes_duration"))
    itunes = raw.get("image")
    candidates: list[Any] = [item.get("url") for item in _dicts(raw.get("media_thumbnail"))]
    candidates += [item.url for item in media if _is_image(item)]
    candidates.append(itunes.get("href") if isinstance(itunes, Mapping) else None)
    candidates += [item.url for item in found if item.type.startswith("image/")]
    return found, lead_image(candidates, base)
