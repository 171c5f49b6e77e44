"""What to list for a source: a feed, a folder, a virtual list or a search.

One module answers it for the TUI's entries pane and the headless CLI, so both show the same
entries in the same order with the same duplicate handling. UI-free: it only asks the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reader.models import Entry
from reader.store import Store

VIRTUAL_LISTS = ("unread", "starred", "recent", "episodes")
"""The virtual lists, by key: All unread, Starred, Recently read, New episodes (entries
with an audio or video file not played yet)."""

EVERYTHING = "all"
"""A virtual key not shown as a list: every entry of every feed (`newsreader entries`)."""

RECENT_LIMIT = 500
"""Recently read lists this many stories at most."""


@dataclass(frozen=True)
class SourceRef:
    """Where entries come from: `feed` (key: the feed id), `folder` (key: its path,
    sub-folders included), `virtual` (key: one of VIRTUAL_LISTS), `search` (key: the
    query) or `list` (key: the name a `list = "NAME"` rule gives)."""

    kind: str
    key: str

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.key}"

    @classmethod
    def parse(cls, source_id: str) -> SourceRef:
        """The inverse of `id`: `feed:3`, `folder:News/World`, `virtual:unread`, `search:x`."""
        kind, _, key = source_id.partition(":")
        return cls(kind, key)


@dataclass(frozen=True)
class Listing:
    """The entries of one source, newest first (Recently read: most recently read first)."""

    source: SourceRef
    entries: list[Entry]
    many_feeds: bool
    """True when entries come from several feeds: rows then name their feed."""
    snippets: dict[int, str] = field(default_factory=dict)
    """For a search: entry id -> highlighted snippet of where it matched."""


def list_source(
    store: Store,
    source: SourceRef,
    *,
    unread_only: bool = False,
    include_sample: bool = False,
    limit: int | None = None,
) -> Listing:
    """(In a thread.) The entries of `source`. Lists across feeds show a story carried by
    several feeds once (with `also_in`); a single feed lists its own entries."""
    kind, key = source.kind, source.key
    if kind == "feed":
        entries = store.query_entries(
            feed_ids=[int(key)] if key.isdigit() else [],
            unread_only=unread_only,
            include_sample=True,
            limit=limit,
        )
        return Listing(source, entries, many_feeds=False)
    if kind == "search":
        hits = store.search(key, include_sample=include_sample)
        if unread_only:
            hits = [hit for hit in hits if not hit.entry.read]
        if limit is not None:
            hits = hits[: max(limit, 0)]
        snippets = {hit.entry.id: hit.snippet for hit in hits if hit.entry.id is not None}
        return Listing(source, [hit.entry for hit in hits], True, snippets)
    if kind == "list":
        entries = store.rule_list_entries(key)
        if unread_only:
            entries = [entry for entry in entries if not entry.read]
        if limit is not None:
            entries = entries[: max(limit, 0)]
        return Listing(source, entries, many_feeds=True)
    if kind == "folder":
        entries = store.query_entries(
            folder=key,
            unread_only=unread_only,
            include_sample=include_sample,
            one_per_story=True,
            limit=limit,
        )
    elif kind == "virtual" and key == "starred":
        entries = store.query_entries(
            starred_only=True,
            unread_only=unread_only,
            include_sample=include_sample,
            one_per_story=True,
            limit=limit,
        )
    elif kind == "virtual" and key == "recent":
        entries = store.query_entries(
            recently_read=True,
            include_sample=include_sample,
            limit=RECENT_LIMIT if limit is None else min(limit, RECENT_LIMIT),
            one_per_story=True,
        )
    elif kind == "virtual" and key == "episodes":
        entries = store.episodes(include_sample=include_sample, new_only=True)
        if unread_only:
            entries = [entry for entry in entries if not entry.read]
        if limit is not None:
            entries = entries[: max(limit, 0)]
    elif kind == "virtual" and key in ("unread", EVERYTHING):
        entries = store.query_entries(
            unread_only=unread_only or key == "unread",
            include_sample=include_sample,
            one_per_story=True,
            limit=limit,
        )
    else:
        raise ValueError(f"unknown source {source.id!r}")
    return Listing(source, entries, many_feeds=True)
