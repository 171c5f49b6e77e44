"""feedparser's own test corpus, read three ways: our lxml fast path, our feedparser path,
and plain feedparser, which must agree on every entry.

The corpus (`tests/data/feedparser/`: the `wellformed`, `illformed` and `encoding` feeds of
kurtmckee/feedparser's tests, under its licence, beside them) holds ~1,850 small documents,
each exercising one corner of RSS, Atom, RDF, CDF, iTunes, Media RSS or an encoding. A
header line in a document's comment (`Header: Content-type: ...`) is sent as the HTTP
header feedparser's own suite sends.

What plain feedparser "says" an entry is comes from `expected()` below: its fields read by
the documented rules (`reader/feeds/entries.py`) written out independently, so a change to
either parser or to the rules that breaks agreement shows here. Compared per entry: count,
title, link, key, dates, author, whether there is content, enclosures. Documents where we
differ on purpose are in ALLOWED, each with the reason; one that starts agreeing must leave
the list.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

from reader.feeds.entries import MAX_KEY_LENGTH, html_text
from reader.feeds.errors import NotAFeedError
from reader.feeds.fastparse import parse_fast
from reader.feeds.parse import guarded_feedparser, parse_feed
from reader.models import Entry
from reader.text import MAX_URL_LENGTH, clean_line, is_http_url

CORPUS = Path(__file__).parent / "data" / "feedparser"
_HEADER = re.compile(rb"^Header:\s+([^:]+):(.*)$", re.MULTILINE)

ALLOWED: dict[str, str] = {
    "wellformed/atom10/entry_content_base64.xml": "content of a non-text type "
    "(application/octet-stream, base64) is not shown, so an entry with only that is empty",
    "wellformed/atom10/entry_content_base64_2.xml": "as entry_content_base64.xml",
    "wellformed/sanitize/entry_title_crazy.xml": "a title that is a whole HTML page: we keep "
    "its visible text, feedparser's sanitiser also keeps the text of its <script>",
}
"""Corpus documents (relative paths) where we differ from feedparser on purpose, and why."""


def documents() -> list[Path]:
    return sorted(CORPUS.rglob("*.xml"))


def headers_of(data: bytes) -> dict[str, str]:
    found = {k.decode().strip().lower(): v.decode().strip() for k, v in _HEADER.findall(data)}
    found.setdefault("content-type", "application/xml")
    return found


# --- what plain feedparser says ----------------------------------------------------------

_HTML = {"text/html", "application/xhtml+xml"}
_HASHED = "sha1:…"
"""An entry with no id or link is keyed by a hash of its title and content (not recomputed
here: any hash key matches)."""


def _abs(href: Any, base: str) -> str:
    text = clean_line(href, MAX_URL_LENGTH + 1) if isinstance(href, str) else ""
    if not text or len(text) > MAX_URL_LENGTH:
        return ""
    try:
        joined = urljoin(base, text)
    except ValueError:
        return ""
    return joined if is_http_url(joined) and len(joined) <= MAX_URL_LENGTH else ""


def _date(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        year, month, day, hour, minute, second = value[:6]
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    now = datetime.now(UTC)
    return moment if datetime(1990, 1, 1, tzinfo=UTC) <= moment <= now + timedelta(days=1) else None


def expected(raw: Any, base: str) -> dict[str, Any] | None:
    """The entry as feedparser read it, by the rules; None for an entry with nothing in it."""
    title = raw.get("title") or ""
    if (raw.get("title_detail") or {}).get("type") in _HTML:
        title = html_text(title)
    title = clean_line(title)
    alternates = [
        (_abs(link.get("href"), base), link.get("type") or "text/html")
        for link in raw.get("links") or []
        if (link.get("rel") or "alternate") == "alternate"
    ]
    alternates = [(href, kind) for href, kind in alternates if href]
    html_first = [href for href, kind in alternates if kind in _HTML]
    link = (html_first or [href for href, _ in alternates] or [_abs(raw.get("link"), base)])[0]
    files: list[str] = []
    for item in raw.get("links") or []:
        if item.get("rel") == "enclosure":
            files.append(_abs(item.get("href"), base))
    for item in raw.get("media_content") or []:
        image = item.get("medium") == "image" or (item.get("type") or "").startswith("image/")
        if not image:
            files.append(_abs(item.get("url"), base))
    enclosures = list(dict.fromkeys(f for f in files if f))
    summary = (raw.get("summary") or "").strip() if "summary_detail" in raw else ""
    contents = [c for c in raw.get("content") or [] if (c.get("value") or "").strip()]
    guid = clean_line(raw.get("id"), 1 << 62)
    raw_link = clean_line(raw.get("link"), 1 << 62)
    if not (title or summary or contents or raw_link or guid or enclosures):
        return None
    key = guid or link or raw_link or (enclosures[0] if enclosures else "") or _HASHED
    if len(key) > MAX_KEY_LENGTH:
        key = "sha1:" + hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()
    published = _date(raw.get("published_parsed"))
    updated = _date(dict.get(raw, "updated_parsed"))
    detail = raw.get("author_detail") or {}
    hashed = [title, summary, *(c.get("value") for c in contents)] if key == _HASHED else []
    return {
        "same": key if key != _HASHED else "\n".join(hashed),
        "title": title,
        "link": link,
        "key": key,
        "published": published or updated,
        "updated": updated,
        "author": clean_line(detail.get("name"), 200) or clean_line(raw.get("author"), 200),
        "content": bool(summary or contents),
        "enclosures": enclosures,
    }


def ours(entry: Entry) -> dict[str, Any]:
    return {
        "title": entry.title,
        "link": entry.link,
        "key": entry.key,
        "published": entry.published,
        "updated": entry.updated,
        "author": entry.author,
        "content": bool(entry.summary or entry.content),
        "enclosures": [e.url for e in entry.enclosures],
    }


def differences(path: Path) -> Iterator[str]:
    """Every way our two paths and plain feedparser disagree on this document."""
    data = path.read_bytes()
    headers = headers_of(data)
    url = "http://feedparser.example/" + path.name
    base = urljoin(url, headers.get("content-location", ""))
    plain = guarded_feedparser().parse(
        io.BytesIO(data), response_headers={**headers, "content-location": base}
    )
    wanted = [e for e in (expected(raw, base) for raw in plain.entries) if e is not None]
    results = {}
    for name, fast in (("fast", True), ("feedparser", False)):
        try:
            results[name] = parse_feed(data, url=url, headers=headers, fast=fast).entries
        except NotAFeedError:
            results[name] = ()
    if results["fast"] != results["feedparser"]:
        yield "the two paths differ"
    got = [ours(entry) for entry in results["feedparser"]]
    # Our dedupe: the same key again with the same link is the same post.
    seen: dict[str, str] = {}
    unique: list[dict[str, Any]] = []
    for entry in wanted:
        same = entry.pop("same")
        if same in seen:
            if seen[same] == entry["link"]:
                continue
            # A second post with the same GUID keeps a key of its own (GUID#hash of link).
            entry["key"] = got[len(unique)]["key"] if len(got) > len(unique) else "?"
            assert entry["key"].startswith(same + "#")
        seen[same] = entry["link"]
        unique.append(entry)
    if len(got) != len(unique):
        yield f"count: ours {len(got)}, feedparser {len(unique)}"
        return
    for index, (mine, theirs) in enumerate(zip(got, unique, strict=True)):
        for field, value in theirs.items():
            if field == "title" and not value:
                continue  # an untitled entry gets a stand-in title
            if field == "key" and value == _HASHED and mine[field].startswith("sha1:"):
                continue
            if mine[field] != value:
                yield f"entry {index} {field}: ours {mine[field]!r}, feedparser {value!r}"


def test_the_corpus_is_here_with_its_licence() -> None:
    assert "Kurt McKee" in (CORPUS / "LICENSE").read_text()
    assert len(documents()) > 1800


def test_every_corpus_feed_reads_the_same_three_ways() -> None:
    failures: dict[str, list[str]] = {}
    fast_taken = 0
    for path in documents():
        name = path.relative_to(CORPUS).as_posix()
        found = list(differences(path))
        if found and name not in ALLOWED:
            failures[name] = found
        elif not found and name in ALLOWED:
            failures[name] = ["agrees now: take it off ALLOWED"]
        data = path.read_bytes()
        fast_taken += parse_fast(data, {**headers_of(data), "content-location": ""}) is not None
    report = "\n".join(f"{name}: {'; '.join(why)}" for name, why in sorted(failures.items()))
    assert not failures, f"{len(failures)} documents disagree:\n{report}"
    assert fast_taken > 800  # the fast path really is exercised, not skipped


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_allowed_differences_are_explained(name: str) -> None:
    assert (CORPUS / name).is_file() and len(ALLOWED[name]) > 20
