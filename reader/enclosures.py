"""Enclosures as a person reads them, and the file names they are saved under.

Pure functions shared by the article header, the files dialog, `entries --json` and the
download queue: what kind of file an enclosure is (audio, video, image, other), its size and
playing time in words, and a file name for it that no feed can turn into a path trick.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from urllib.parse import unquote, urlsplit

from reader.models import Enclosure
from reader.text import clean_line, format_size

MEDIA_KINDS = ("audio", "video")
"""The kinds that make an entry an episode (the "New episodes" list, `download --new`)."""

_ICONS = {"audio": "🎧", "video": "🎬", "image": "🖼", "other": "📎"}

MAX_NAME_CHARS = 120
"""The longest file (or folder) name made, in characters, before its extension."""

_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$", re.I)
"""Device names Windows reserves with any extension (`nul.mp3` is the null device)."""
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|]+')
_SPACES = re.compile(r"\s+")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def kind_of(enclosure: Enclosure) -> str:
    """`audio`, `video`, `image` or `other`: from the MIME type, else the URL's extension."""
    kind = enclosure.type.split("/", 1)[0].strip().lower()
    if kind in ("audio", "video", "image"):
        return kind
    if not enclosure.type or enclosure.type in ("application/octet-stream", "binary/octet-stream"):
        guessed, _ = mimetypes.guess_type(_url_path(enclosure.url))
        if guessed:
            kind = guessed.split("/", 1)[0]
            if kind in ("audio", "video", "image"):
                return kind
    return "other"


def is_media(enclosure: Enclosure) -> bool:
    """Audio or video: something a player plays."""
    return kind_of(enclosure) in MEDIA_KINDS


def format_duration(seconds: int | None) -> str:
    """`1:02:15`, `42:07`, `0:09`; "" when unknown."""
    if seconds is None or seconds <= 0:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def describe(enclosure: Enclosure) -> str:
    """`🎧 audio/mpeg · 48.2 MiB · 1:02:15`: what the header and the files dialog show."""
    parts = [clean_line(enclosure.type, 60) or kind_of(enclosure)]
    if enclosure.length:
        parts.append(format_size(enclosure.length))
    duration = format_duration(enclosure.duration)
    if duration:
        parts.append(duration)
    return f"{_ICONS[kind_of(enclosure)]} " + " · ".join(parts)


def enclosure_json(enclosure: Enclosure) -> dict[str, object]:
    """The `entries --json` form: url, type, length, duration, title."""
    return {
        "url": clean_line(enclosure.url, 2000),
        "type": clean_line(enclosure.type, 200),
        "length": enclosure.length,
        "duration": enclosure.duration,
        "title": clean_line(enclosure.title, 1000),
    }


def _url_path(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


def safe_name(text: str, fallback: str = "download") -> str:
    """One path component made from a stranger's text: no separators, no controls, not
    hidden (no leading dot), not `.`/`..`, not a device name, at most MAX_NAME_CHARS."""
    name = unicodedata.normalize("NFC", text)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cf", "Cs", "Co"))
    name = _UNSAFE.sub(" ", name)
    name = _SPACES.sub(" ", name).strip().lstrip(".-~ ").rstrip(". ")
    if len(name) > MAX_NAME_CHARS:
        name = name[:MAX_NAME_CHARS].rstrip(". ")
    stem = name.split(".", 1)[0].strip()
    if not name or _RESERVED.match(stem):
        name = f"{fallback} {name}".strip() if name else fallback
    return name


def file_name(enclosure: Enclosure, entry_title: str) -> str:
    """The name to save an enclosure as: the entry's title (the URL's own name is often
    `audio.mp3` for every episode), else the URL's; with an extension from the URL or type."""
    base = _url_path(enclosure.url).rsplit("/", 1)[-1]
    base = unquote(base, errors="replace")
    match = _EXTENSION.search(base)
    extension = match.group().lower() if match else ""
    if not extension and enclosure.type:
        extension = mimetypes.guess_extension(enclosure.type.split(";")[0].strip()) or ""
    title = clean_line(entry_title, 500) or clean_line(enclosure.title, 500)
    stem = title or (base[: -len(extension)] if extension and match else base)
    stem = safe_name(stem)
    if not _EXTENSION.fullmatch(extension) or stem.lower().endswith(extension):
        return stem
    return stem + extension
