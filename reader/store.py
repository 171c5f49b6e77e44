"""All SQLite access: feeds, entries, their read/starred state, and schema migrations.

One connection is shared by the UI's thread workers and `asyncio.to_thread` calls, so every
public method holds one re-entrant lock for its whole duration, and every write runs in an
explicit `BEGIN IMMEDIATE` transaction (the connection itself is in autocommit mode). Times
are stored as UTC epoch seconds and handed out as timezone-aware UTC datetimes.
"""

from __future__ import annotations

import functools
import html
import json
import re
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Concatenate, NamedTuple, ParamSpec, TypedDict, TypeVar, Unpack
from urllib.parse import parse_qsl, urlencode, urlsplit

from reader.models import Article, CachedPage, Enclosure, Entry, Feed, Link, ParsedFeed, SearchHit
from reader.rules import EntryFacts, Hit, RuleSet, RuleSpec, rules_from_json, rules_to_json
from reader.store_downloads import DOWNLOADS_MIGRATION, DownloadStore

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Arrival",
    "CurrentText",
    "FeedUpdate",
    "PlannedAction",
    "RuleHitRecord",
    "Store",
    "StoreError",
    "StoryVersion",
]


class StoreError(Exception):
    """The store cannot be opened or used; the message is meant for the user."""


# Migration i brings a database from user_version i to i + 1. Append only: never edit a
# migration that has shipped, because existing databases have already run it.
MIGRATIONS: list[str] = [
    # 1: the initial schema.
    """
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        user_title TEXT,
        site_url TEXT NOT NULL DEFAULT '',
        etag TEXT,
        last_modified TEXT,
        last_status INTEGER,
        last_error TEXT,
        last_fetched REAL,
        added REAL NOT NULL,
        is_sample INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE entries (
        id INTEGER PRIMARY KEY,
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '',
        link TEXT NOT NULL DEFAULT '',
        published REAL,
        updated REAL,
        summary TEXT NOT NULL DEFAULT '',
        content TEXT NOT NULL DEFAULT '',
        related TEXT NOT NULL DEFAULT '[]',
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0,
        first_seen REAL NOT NULL,
        sort_date REAL NOT NULL,
        UNIQUE (feed_id, key)
    );
    -- Newest-first listing per feed (scanned backwards for sort_date DESC, id DESC).
    CREATE INDEX entries_by_feed_date ON entries (feed_id, sort_date, id);
    """,
    # 2: remember when an entry was read, and index the unread ones so unread counts and
    # "next unread" stay fast however many read entries pile up.
    """
    ALTER TABLE entries ADD COLUMN read_at REAL;
    CREATE INDEX entries_unread ON entries (feed_id, sort_date, id) WHERE read = 0;
    """,
    # 3: reader mode. Articles extracted from their pages are cached (with the page's
    # validators) so reopening is instant and works offline; each feed says when to fetch.
    """
    ALTER TABLE feeds ADD COLUMN full_article TEXT NOT NULL DEFAULT 'auto';
    CREATE TABLE pages (
        url TEXT PRIMARY KEY,
        article TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        fetched REAL NOT NULL,
        used REAL NOT NULL
    );
    CREATE INDEX pages_by_use ON pages (used);
    """,
    # 4: organisation. Folders (a "/"-separated path), paused and dead (410) feeds, a
    # per-feed refresh interval, and indexes for the virtual lists (all unread, starred,
    # recently read) so none of them scans the whole table.
    """
    ALTER TABLE feeds ADD COLUMN folder TEXT NOT NULL DEFAULT '';
    ALTER TABLE feeds ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE feeds ADD COLUMN refresh_minutes INTEGER;
    ALTER TABLE feeds ADD COLUMN dead INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX entries_unread_by_date ON entries (sort_date, id) WHERE read = 0;
    CREATE INDEX entries_starred_by_date ON entries (sort_date, id) WHERE starred = 1;
    CREATE INDEX entries_by_read_at ON entries (read_at) WHERE read_at IS NOT NULL;
    """,
    # 5: look entries up by link, so an article's related links can show which ones are
    # already in the store (read or unread).
    """
    CREATE INDEX entries_by_link ON entries (link);
    """,
    # 6: full-text search. An FTS5 index of each entry's title, author, body text and
    # (when reader mode fetched it) its page's text, kept in step by triggers; the body is
    # reduced to plain text by nr_plain_text(), a function every connection registers.
    """
    CREATE VIRTUAL TABLE entries_fts USING fts5(
        title, author, body, page, tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
        INSERT INTO entries_fts (rowid, title, author, body)
        VALUES (new.id, new.title, new.author, nr_plain_text(new.content, new.summary));
    END;
    CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, author, summary, content
    ON entries BEGIN
        UPDATE entries_fts SET title = new.title, author = new.author,
                               body = nr_plain_text(new.content, new.summary)
        WHERE rowid = new.id;
    END;
    CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
        DELETE FROM entries_fts WHERE rowid = old.id;
    END;
    INSERT INTO entries_fts (rowid, title, author, body)
        SELECT id, title, author, nr_plain_text(content, summary) FROM entries;
    """,
    # 7: remembering where you were: small UI state (last feed and entry, theme) and the
    # scroll position of each article read, so it reopens where it was left.
    """
    CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE positions (
        place TEXT PRIMARY KEY,
        scroll_y REAL NOT NULL,
        updated REAL NOT NULL
    );
    CREATE INDEX positions_by_age ON positions (updated);
    """,
    # 8: the same story from several feeds. Each entry's link reduced to a canonical form
    # (no tracking parameters, no fragment, http = https) so lists can show a story once
    # and marking it read marks every copy; a copy arriving later is read if one was.
    """
    ALTER TABLE entries ADD COLUMN canon TEXT NOT NULL DEFAULT '';
    UPDATE entries SET canon = nr_canon_url(link);
    CREATE INDEX entries_by_canon ON entries (canon) WHERE canon != '';
    CREATE TRIGGER entries_canon_insert AFTER INSERT ON entries BEGIN
        UPDATE entries SET
            canon = nr_canon_url(new.link),
            read = MAX(new.read, COALESCE((
                SELECT MAX(c.read) FROM entries AS c
                WHERE c.canon = nr_canon_url(new.link) AND c.canon != '' AND c.id != new.id
            ), 0))
        WHERE id = new.id;
    END;
    CREATE TRIGGER entries_canon_update AFTER UPDATE OF link ON entries BEGIN
        UPDATE entries SET canon = nr_canon_url(new.link) WHERE id = new.id;
    END;
    """,
    # 9: how many entries each indexed word is in, so a search for a word found nearly
    # everywhere can skip ranking (bm25 over every match) and list the newest matches.
    """
    CREATE VIRTUAL TABLE entries_fts_vocab USING fts5vocab(entries_fts, 'row');
    """,
    # 10: feed health and polite refreshing. When a feed may be fetched again (Retry-After,
    # Cache-Control max-age, RSS ttl, back-off after failures), its run of failures, its
    # last success, and a short log of recent fetches (status, bytes, time, new entries).
    """
    ALTER TABLE feeds ADD COLUMN not_before REAL;
    ALTER TABLE feeds ADD COLUMN wait_reason TEXT;
    ALTER TABLE feeds ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE feeds ADD COLUMN last_success REAL;
    CREATE TABLE fetch_log (
        id INTEGER PRIMARY KEY,
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        at REAL NOT NULL,
        status INTEGER,
        bytes INTEGER NOT NULL DEFAULT 0,
        seconds REAL NOT NULL DEFAULT 0,
        new INTEGER NOT NULL DEFAULT 0,
        error TEXT
    );
    CREATE INDEX fetch_log_by_feed ON fetch_log (feed_id, at);
    """,
    # 11: storing a refreshed feed without triggers on insert. A new entry's canonical link
    # (and the read flag it inherits from a copy already read) is written by the INSERT
    # itself, not by a trigger that rewrote the whole row (content and all) straight after;
    # its search-index row is written by apply_update from text computed where the feed
    # was parsed (a worker process), not by nr_plain_text in the writer. Updates and
    # deletes keep their triggers.
    """
    DROP TRIGGER entries_canon_insert;
    DROP TRIGGER entries_fts_insert;
    """,
    # 12: the search index merges its segments 64 at a time rather than 4 (and is forced
    # to only at 64): each stored feed adds a segment, and merging them less eagerly makes
    # a big refresh ~20 % cheaper to store, for searches that stay in milliseconds over
    # 100,000 entries (bench/search_bench.py).
    """
    INSERT INTO entries_fts (entries_fts, rank) VALUES ('automerge', 64);
    INSERT INTO entries_fts (entries_fts, rank) VALUES ('crisismerge', 64);
    """,
    # 13: unread and total counts kept on each feed by triggers, so listing the feeds (the
    # TUI's first screen, `list`, `unread`) reads one row a feed instead of counting entries:
    # flat in the size of the store.
    """
    ALTER TABLE feeds ADD COLUMN unread_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE feeds ADD COLUMN entry_count INTEGER NOT NULL DEFAULT 0;
    UPDATE feeds SET
        unread_count = (SELECT count(*) FROM entries AS e WHERE e.feed_id = feeds.id
                        AND e.read = 0),
        entry_count = (SELECT count(*) FROM entries AS e WHERE e.feed_id = feeds.id);
    CREATE TRIGGER entries_count_insert AFTER INSERT ON entries BEGIN
        UPDATE feeds SET entry_count = entry_count + 1,
                         unread_count = unread_count + (new.read = 0)
        WHERE id = new.feed_id;
    END;
    CREATE TRIGGER entries_count_delete AFTER DELETE ON entries BEGIN
        UPDATE feeds SET entry_count = entry_count - 1,
                         unread_count = unread_count - (old.read = 0)
        WHERE id = old.feed_id;
    END;
    CREATE TRIGGER entries_count_read AFTER UPDATE OF read ON entries
    WHEN old.read IS NOT new.read BEGIN
        UPDATE feeds SET unread_count = unread_count + (new.read = 0) - (old.read = 0)
        WHERE id = new.feed_id;
    END;
    """,
    # 14: unread stories (a story carried by several feeds counts once) counted from one
    # small index of the unread entries that have a link: the All-unread badge and
    # `newsreader unread` stay in milliseconds with 100,000 unread entries.
    """
    CREATE INDEX entries_unread_by_canon ON entries (canon, feed_id)
        WHERE read = 0 AND canon != '';
    """,
    # 15: the files an entry carries (podcast audio, video, images: a JSON list) and its
    # lead image, so podcasts and pictures survive a restart.
    """
    ALTER TABLE entries ADD COLUMN enclosures TEXT NOT NULL DEFAULT '';
    ALTER TABLE entries ADD COLUMN image TEXT NOT NULL DEFAULT '';
    """,
    # 16: the download queue (podcast files: queued, downloading, done, failed), the files
    # played, and an index of the entries that carry files (the "New episodes" list).
    DOWNLOADS_MIGRATION,
    # 17: rules, hidden entries and story versions. An entry a rule hid keeps its
    # row (hidden = 1; 2 once a person restored it, so rules leave it alone) and counts in
    # no unread or total count; rule_hits says which rule touched which entry and why;
    # user_set marks entries whose read or starred flag a person (not a rule) changed, so
    # `rules apply` never overrides them. entry_versions keeps a read entry's earlier text
    # when its feed rewrites it (a meaningful change, see reader.versions), and the entry
    # is marked updated (story_updated, the time).
    """
    ALTER TABLE entries ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE entries ADD COLUMN user_set INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE entries ADD COLUMN story_updated REAL;
    CREATE INDEX entries_hidden ON entries (feed_id, sort_date, id) WHERE hidden = 1;
    CREATE TABLE rule_hits (
        entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
        rule TEXT NOT NULL,
        action TEXT NOT NULL,
        list_name TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL,
        at REAL NOT NULL,
        PRIMARY KEY (entry_id, rule)
    );
    CREATE INDEX rule_hits_by_list ON rule_hits (list_name, at) WHERE list_name != '';
    CREATE INDEX rule_hits_by_at ON rule_hits (at);
    CREATE TABLE entry_versions (
        id INTEGER PRIMARY KEY,
        entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        summary TEXT NOT NULL,
        content TEXT NOT NULL,
        seen REAL NOT NULL,
        replaced REAL NOT NULL,
        size INTEGER NOT NULL
    );
    CREATE INDEX entry_versions_by_entry ON entry_versions (entry_id, id);
    DROP TRIGGER entries_count_insert;
    DROP TRIGGER entries_count_delete;
    DROP TRIGGER entries_count_read;
    CREATE TRIGGER entries_count_insert AFTER INSERT ON entries BEGIN
        UPDATE feeds SET entry_count = entry_count + (new.hidden != 1),
                         unread_count = unread_count + (new.read = 0 AND new.hidden != 1)
        WHERE id = new.feed_id;
    END;
    CREATE TRIGGER entries_count_delete AFTER DELETE ON entries BEGIN
        UPDATE feeds SET entry_count = entry_count - (old.hidden != 1),
                         unread_count = unread_count - (old.read = 0 AND old.hidden != 1)
        WHERE id = old.feed_id;
    END;
    CREATE TRIGGER entries_count_read AFTER UPDATE OF read, hidden ON entries
    WHEN old.read IS NOT new.read OR old.hidden IS NOT new.hidden BEGIN
        UPDATE feeds SET
            entry_count = entry_count + (new.hidden != 1) - (old.hidden != 1),
            unread_count = unread_count + (new.read = 0 AND new.hidden != 1)
                                        - (old.read = 0 AND old.hidden != 1)
        WHERE id = new.feed_id;
    END;
    CREATE TRIGGER entries_user_set AFTER UPDATE OF read, starred ON entries
    WHEN (old.read IS NOT new.read OR old.starred IS NOT new.starred)
         AND nr_rules_writing() = 0 AND new.story_updated IS old.story_updated BEGIN
        UPDATE entries SET user_set = 1 WHERE id = new.id;
    END;
    CREATE TRIGGER entries_keep_version AFTER UPDATE OF title, summary, content ON entries
    WHEN old.read = 1 AND nr_story_changed(old.title, old.summary, old.content,
                                          new.title, new.summary, new.content) BEGIN
        INSERT INTO entry_versions (entry_id, title, summary, content, seen, replaced, size)
        VALUES (old.id, old.title, old.summary, old.content,
                COALESCE(old.story_updated, old.first_seen),
                (julianday('now') - 2440587.5) * 86400.0,
                length(old.title) + length(old.summary) + length(old.content));
        DELETE FROM entry_versions WHERE entry_id = old.id AND id NOT IN (
            SELECT id FROM entry_versions WHERE entry_id = old.id ORDER BY id DESC
            LIMIT COALESCE((SELECT CAST(value AS INTEGER) FROM state
                            WHERE key = 'versions_per_entry'), 5));
        UPDATE entries SET story_updated = (julianday('now') - 2440587.5) * 86400.0,
            read = CASE WHEN instr(COALESCE((SELECT value FROM state
                                             WHERE key = 'unread_when_updated'), ''),
                                   ',' || new.feed_id || ',') > 0
                        THEN 0 ELSE new.read END
        WHERE id = new.id;
    END;
    DROP INDEX entries_unread_by_canon;
    CREATE INDEX entries_unread_by_canon ON entries (canon, feed_id)
        WHERE read = 0 AND canon != '' AND hidden != 1;
    """,
    # 18: sync. Feeds and entries that belong to a server account (tt-rss, Fever)
    # mapped to the server's ids, each account's sync state, and the queue of local changes
    # to send. Triggers write the queue in the same transaction as the change itself (read,
    # starred, unsubscribe), except while a sync applies the server's own state (a row
    # 'sync.applying' in `state`, inside that transaction only). reader/sync/local.py.
    """
    CREATE TABLE sync_accounts (
        name TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        mark TEXT NOT NULL DEFAULT '',
        last_sync REAL,
        last_attempt REAL,
        last_error TEXT
    );
    CREATE TABLE sync_feeds (
        feed_id INTEGER PRIMARY KEY REFERENCES feeds(id) ON DELETE CASCADE,
        account TEXT NOT NULL,
        remote_id TEXT NOT NULL,
        UNIQUE (account, remote_id)
    );
    CREATE TABLE sync_items (
        entry_id INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
        account TEXT NOT NULL,
        remote_id TEXT NOT NULL,
        UNIQUE (account, remote_id)
    );
    CREATE TABLE sync_queue (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        op TEXT NOT NULL,
        remote_id TEXT NOT NULL,
        value TEXT NOT NULL DEFAULT '',
        at REAL NOT NULL
    );
    CREATE TRIGGER sync_queue_read AFTER UPDATE OF read ON entries
    WHEN old.read IS NOT new.read
     AND NOT EXISTS (SELECT 1 FROM state WHERE key = 'sync.applying') BEGIN
        INSERT INTO sync_queue (account, op, remote_id, value, at)
        SELECT account, 'read', remote_id, new.read, (julianday('now') - 2440587.5) * 86400.0
        FROM sync_items WHERE entry_id = new.id;
    END;
    CREATE TRIGGER sync_queue_starred AFTER UPDATE OF starred ON entries
    WHEN old.starred IS NOT new.starred
     AND NOT EXISTS (SELECT 1 FROM state WHERE key = 'sync.applying') BEGIN
        INSERT INTO sync_queue (account, op, remote_id, value, at)
        SELECT account, 'starred', remote_id, new.starred,
               (julianday('now') - 2440587.5) * 86400.0
        FROM sync_items WHERE entry_id = new.id;
    END;
    CREATE TRIGGER sync_queue_unsubscribe BEFORE DELETE ON feeds
    WHEN NOT EXISTS (SELECT 1 FROM state WHERE key = 'sync.applying') BEGIN
        INSERT INTO sync_queue (account, op, remote_id, value, at)
        SELECT account, 'unsubscribe', remote_id, '', (julianday('now') - 2440587.5) * 86400.0
        FROM sync_feeds WHERE feed_id = old.id;
    END;
    """,
    # 19: an entry's categories (one per line), so rules' `category` key works on stored
    # entries too (`rules test`, `rules apply`), not only as a refresh stores them.
    """
    ALTER TABLE entries ADD COLUMN categories TEXT NOT NULL DEFAULT '';
    """,
    # 20: the search index keeps no copy of the text it indexes (FTS5 contentless): a
    # search only needs the index (matches and bm25), and the copy was as big as the
    # entries' own text, written on every refresh. Deleting or changing an entry now tells
    # the index the words it had, worked out again from the entry (nr_plain_text is the
    # function the indexed text was made with: a change to it needs a migration that
    # indexes every entry again, as this one does) and, for a page reader mode fetched,
    # from entry_pages, the page text indexed for each entry.
    """
    CREATE TABLE entry_pages (entry_id INTEGER PRIMARY KEY, text TEXT NOT NULL);
    INSERT INTO entry_pages (entry_id, text)
        SELECT rowid, page FROM entries_fts WHERE page IS NOT NULL AND page != '';
    DROP TRIGGER entries_fts_update;
    DROP TRIGGER entries_fts_delete;
    DROP TABLE entries_fts_vocab;
    DROP TABLE entries_fts;
    CREATE VIRTUAL TABLE entries_fts USING fts5(
        title, author, body, page, content = '', tokenize = 'unicode61 remove_diacritics 2'
    );
    INSERT INTO entries_fts (entries_fts, rank) VALUES ('automerge', 64);
    INSERT INTO entries_fts (entries_fts, rank) VALUES ('crisismerge', 64);
    INSERT INTO entries_fts (rowid, title, author, body, page)
        SELECT e.id, e.title, e.author, nr_plain_text(e.content, e.summary), p.text
        FROM entries AS e LEFT JOIN entry_pages AS p ON p.entry_id = e.id;
    CREATE VIRTUAL TABLE entries_fts_vocab USING fts5vocab(entries_fts, 'row');
    CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
        INSERT INTO entries_fts (entries_fts, rowid, title, author, body, page)
        VALUES ('delete', old.id, old.title, old.author, nr_plain_text(old.content, old.summary),
                (SELECT text FROM entry_pages WHERE entry_id = old.id));
        DELETE FROM entry_pages WHERE entry_id = old.id;
    END;
    CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, author, summary, content
    ON entries BEGIN
        INSERT INTO entries_fts (entries_fts, rowid, title, author, body, page)
        VALUES ('delete', old.id, old.title, old.author, nr_plain_text(old.content, old.summary),
                (SELECT text FROM entry_pages WHERE entry_id = old.id));
        INSERT INTO entries_fts (rowid, title, author, body, page)
        VALUES (new.id, new.title, new.author, nr_plain_text(new.content, new.summary),
                (SELECT text FROM entry_pages WHERE entry_id = new.id));
    END;
    """,
    # 21: versions of the page reader mode extracted, beside the feed's. Each version says
    # where its text came from (`source`: 'feed' or 'page'); a page's version keeps its
    # title and plain text (reader.versions.page_markup). entry_pages keeps the page's
    # title (NULL: not known, for pages stored before this migration) and when its text
    # was stored (`seen`). entries.feed_changed is when the feed last rewrote a read entry
    # (the current feed text's time): story_updated, the "updated" mark, now moves for a
    # page change too. The versions trigger is the same but for those two columns.
    """
    ALTER TABLE entry_versions ADD COLUMN source TEXT NOT NULL DEFAULT 'feed';
    ALTER TABLE entry_pages ADD COLUMN title TEXT;
    ALTER TABLE entry_pages ADD COLUMN seen REAL;
    ALTER TABLE entries ADD COLUMN feed_changed REAL;
    UPDATE entries SET feed_changed = story_updated WHERE story_updated IS NOT NULL;
    UPDATE entry_pages SET (title, seen) = (
        SELECT CASE WHEN json_valid(p.article) THEN json_extract(p.article, '$.title') END,
               p.fetched
        FROM entries AS e JOIN pages AS p ON p.url = e.link
        WHERE e.id = entry_pages.entry_id);
    DROP TRIGGER entries_keep_version;
    CREATE TRIGGER entries_keep_version AFTER UPDATE OF title, summary, content ON entries
    WHEN old.read = 1 AND nr_story_changed(old.title, old.summary, old.content,
                                          new.title, new.summary, new.content) BEGIN
        INSERT INTO entry_versions (entry_id, title, summary, content, seen, replaced, size,
                                    source)
        VALUES (old.id, old.title, old.summary, old.content,
                COALESCE(old.feed_changed, old.first_seen),
                (julianday('now') - 2440587.5) * 86400.0,
                length(old.title) + length(old.summary) + length(old.content), 'feed');
        DELETE FROM entry_versions WHERE entry_id = old.id AND id NOT IN (
            SELECT id FROM entry_versions WHERE entry_id = old.id ORDER BY id DESC
            LIMIT COALESCE((SELECT CAST(value AS INTEGER) FROM state
                            WHERE key = 'versions_per_entry'), 5));
        UPDATE entries SET story_updated = (julianday('now') - 2440587.5) * 86400.0,
            feed_changed = (julianday('now') - 2440587.5) * 86400.0,
            read = CASE WHEN instr(COALESCE((SELECT value FROM state
                                             WHERE key = 'unread_when_updated'), ''),
                                   ',' || new.feed_id || ',') > 0
                        THEN 0 ELSE new.read END
        WHERE id = new.id;
    END;
    """,
    # 22: entries are looked up by link through the canonical-link index (a link's entries
    # are among its canonical link's, `_BY_LINK`), not through an index of their own: each
    # entry a refresh stores updates one index less (7 % of storing a feed).
    """
    DROP INDEX entries_by_link;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)

APPLICATION_ID = 0x4E575352
"""PRAGMA application_id of newsreader's databases ("NWSR"): another program's file is
never migrated into ours."""

_P = ParamSpec("_P")
_R = TypeVar("_R")

# The title to show: the user's, else the feed's own, else the URL.
_FEED_TITLE = "COALESCE(NULLIF(f.user_title, ''), NULLIF(f.title, ''), f.url)"

_FEED_COLUMNS = (
    f"f.id, f.url, {_FEED_TITLE}, f.site_url, f.etag, f.last_modified, f.last_status,"
    " f.last_error, f.last_fetched, f.is_sample, f.full_article, f.folder, f.paused,"
    " f.refresh_minutes, f.dead, COALESCE(f.user_title, ''), f.not_before, f.wait_reason,"
    " f.failures, f.last_success"
)

_ENTRY_SELECT_ANY = f"""
    SELECT e.id, e.feed_id, e.key, e.title, e.link, e.author, e.published, e.updated,
           e.summary, e.content, e.related, e.read, e.starred, e.first_seen, {_FEED_TITLE},
           e.canon, e.enclosures, e.image, e.story_updated
    FROM entries AS e JOIN feeds AS f ON f.id = e.feed_id
"""

_ENTRY_SELECT = _ENTRY_SELECT_ANY.rstrip() + " AND e.hidden != 1\n"
"""Entries as lists show them: never one a rule hid (those are listed by hidden_entries)."""

_NEWEST_FIRST = "ORDER BY e.sort_date DESC, e.id DESC"

_UPSERT_ENTRY = """
    INSERT INTO entries (feed_id, key, title, author, link, published, updated, summary,
                         content, related, first_seen, sort_date, canon, enclosures, image,
                         categories, read, read_at, hidden, starred)
    VALUES (:feed_id, :key, :title, :author, :link, :published, :updated, :summary,
            :content, :related, :now, COALESCE(:published, :updated, :now), :canon,
            :enclosures, :image, :categories,
            MAX(:rule_read, COALESCE((SELECT MAX(c.read) FROM entries AS c
                                      WHERE c.canon = :canon AND c.canon != ''), 0)),
            CASE WHEN :rule_read THEN :now END, :rule_hide, :rule_star)
    ON CONFLICT (feed_id, key) DO UPDATE SET
        title = excluded.title,
        author = excluded.author,
        link = excluded.link,
        published = excluded.published,
        updated = excluded.updated,
        summary = excluded.summary,
        content = excluded.content,
        related = excluded.related,
        enclosures = excluded.enclosures,
        image = excluded.image,
        categories = excluded.categories,
        sort_date = COALESCE(excluded.published, excluded.updated, entries.first_seen)
    WHERE entries.title IS NOT excluded.title
       OR entries.author IS NOT excluded.author
       OR entries.link IS NOT excluded.link
       OR entries.published IS NOT excluded.published
       OR entries.updated IS NOT excluded.updated
       OR entries.summary IS NOT excluded.summary
       OR entries.content IS NOT excluded.content
       OR entries.related IS NOT excluded.related
       OR entries.enclosures IS NOT excluded.enclosures
       OR entries.image IS NOT excluded.image
       OR entries.categories IS NOT excluded.categories
"""


class FetchDetails(TypedDict, total=False):
    """What `record_fetch` logs besides the status: bytes, time, new entries, the error,
    and when the feed may be fetched again (Retry-After, max-age, back-off) and why."""

    size: int
    seconds: float
    new: int
    error: str | None
    not_before: float | None
    wait_reason: str | None


@dataclass(frozen=True, slots=True)
class FeedUpdate:
    """One successful fetch to store (see `Store.apply_update` for the fields)."""

    feed_id: int
    parsed: ParsedFeed
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    fetched: FetchDetails | None = None
    feed: FeedFacts | None = None
    """What rules need of the feed, as the refresh found it (else read from the store)."""


class FeedFacts(NamedTuple):
    """The feed as rules see it, taken by a refresh from the feed it listed: a worker
    then reads nothing before its write (with the other worker committing meanwhile, the
    first read of each feed cost an eighth of the rules' time)."""

    url: str
    user_title: str
    title: str
    folder: str
    stored: bool
    """Whether it had entries when listed (if not, none of its entries is looked up:
    one stored meanwhile is only matched again, never flagged twice)."""


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """What a rule does (or, in a dry run, would do) to one stored entry, and why."""

    entry_id: int
    feed_id: int
    title: str
    feed_title: str
    rule: RuleSpec
    reason: str


@dataclass(frozen=True, slots=True)
class RuleHitRecord:
    """A rule that touched an entry: `newsreader why`."""

    rule: str
    action: str
    list_name: str
    reason: str
    at: float


@dataclass(frozen=True, slots=True)
class Arrival:
    """An entry a refresh brought, for the notification (notify_rules: matching rules)."""

    entry_id: int
    title: str
    feed_id: int
    feed_url: str
    feed_title: str
    folder: str
    notify_rules: str


@dataclass(frozen=True, slots=True)
class StoryVersion:
    """An earlier text of an entry, kept when its feed rewrote it after it was read."""

    id: int
    title: str
    summary: str
    content: str
    seen: float
    """When this version was first stored."""
    replaced: float
    """When a newer version replaced it."""
    source: str = "feed"
    """Where the text came from: the feed ('feed') or the page reader mode read ('page')."""


@dataclass(frozen=True, slots=True)
class CurrentText:
    """What an entry says now, from its feed or from its page: what its latest version of
    the same source is compared with."""

    source: str
    title: str
    text: str
    """The words, as `reader.versions.body_text` gives them."""
    since: float | None
    """When this text was stored (None: not known)."""


@dataclass(frozen=True, slots=True)
class _PreparedUpdate:
    """A FeedUpdate with its SQL parameters worked out (outside the write lock)."""

    update: FeedUpdate
    rows: list[dict[str, Any]]
    """Upsert parameters, in reverse document order: undated entries (which all sort by the
    same first_seen) then still list in the feed's own order, newest id first."""
    index: dict[str, tuple[str, str, str]]
    """Search-index columns (title, author, body) by entry key."""

    @classmethod
    def of(cls, update: FeedUpdate, now: float) -> _PreparedUpdate:
        parsed = update.parsed
        derived = parsed.derived
        if len(derived) != len(parsed.entries):
            derived = derive(parsed).derived
        unique: dict[str, tuple[Entry, tuple[str, str]]] = {}
        for entry, extra in zip(parsed.entries, derived, strict=True):
            unique[entry.key] = (entry, extra)  # the same key twice: the last one wins
        rows = [
            _entry_params(update.feed_id, entry, now, canon)
            for entry, (canon, _) in reversed(unique.values())
        ]
        index = {
            key: (entry.title or "", entry.author or "", text)
            for key, (entry, (_, text)) in unique.items()
        }
        return cls(update, rows, index)


def _locked(method: Callable[Concatenate[Store, _P], _R]) -> Callable[Concatenate[Store, _P], _R]:
    """Serialise access to the shared connection and report SQLite failures as StoreError."""

    @functools.wraps(method)
    def wrapper(self: Store, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._lock:
            try:
                return method(self, *args, **kwargs)
            except sqlite3.Error as exc:
                raise StoreError(f"database error: {exc}") from exc

    return wrapper


_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)
MAX_INDEXED_CHARS = 60_000
"""Only the start of a very long body is indexed: enough to find it, bounded in size."""


def plain_text(*parts: str | None) -> str:
    """HTML (or text) reduced to words for the search index: tags dropped, entities decoded.
    The index keeps no copy of this text and is told it again to take an entry out, so a
    change to what this returns needs a migration that indexes every entry again (as 19)."""
    text = _words(parts)
    return " ".join(text.split())[:MAX_INDEXED_CHARS]  # split(): 4x faster than \s+ here


def _words(parts: Sequence[str | None]) -> str:
    """The parts' text with tags dropped and entities decoded, whitespace as it came."""
    text = " ".join(p for p in parts if p)
    return html.unescape(_TAGS.sub(" ", text[: MAX_INDEXED_CHARS * 4]))


def index_text(*parts: str | None) -> str:
    """What a new entry's body is indexed as: the words of `plain_text`, in the same order,
    without collapsing whitespace (a third of a feed's parse time). The tokenizer splits on
    any whitespace, so the index holds exactly the terms and positions it would hold for
    `plain_text`, and `nr_plain_text` can still take the entry out again. Only text long
    enough to be cut at MAX_INDEXED_CHARS is collapsed first, so it is cut where
    `plain_text` cuts it."""
    text = _words(parts)
    if len(text) <= MAX_INDEXED_CHARS:
        return text
    return " ".join(text.split())[:MAX_INDEXED_CHARS]


_TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|ref_src|ref_url|cmpid|"
    r"_hsenc|_hsmi|mkt_tok|yclid|spm)$",
    re.IGNORECASE,
)


def canonical_url(url: str | None) -> str:
    """A link reduced to what identifies the story: host without www, path, and the query
    without tracking parameters (utm_*, fbclid, …); no scheme, port 80/443 or fragment.
    "" for anything that is not an http(s) URL."""
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname.lower().removeprefix("www.")
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING_PARAMS.match(k)
    ]
    return host + path + ("?" + urlencode(sorted(query)) if query else "")


_BY_LINK = "e.canon = :canon AND e.canon != '' AND e.link = :link"
"""Entries whose link is `:link`, found through the canonical-link index (every entry's
canon is `canonical_url` of its link, and an http(s) link's is never empty; other links
are never looked up: pages are only fetched over http(s)). Its parameters: `_by_link`."""


def _by_link(url: str) -> dict[str, str]:
    """`_BY_LINK`'s parameters for `url`."""
    return {"link": url, "canon": canonical_url(url)}


def derive(parsed: ParsedFeed) -> ParsedFeed:
    """The feed with each entry's canonical link and search-index text worked out, so that
    storing it is only writing (see `ParsedFeed.derived`). Pure; runs in parse workers."""
    derived = tuple(
        (canonical_url(entry.link), index_text(entry.content, entry.summary))
        for entry in parsed.entries
    )
    return replace(parsed, derived=derived)


SNIPPET_WIDTH = 160


def make_snippet(row: Sequence[Any], terms: Sequence[str]) -> str:
    """A line of the entry's text around the first word that matches, matches marked with
    U+E000 ... U+E001. Made here rather than by FTS5's snippet(), which re-reads the
    doclists of every word a prefix matches (about a millisecond per hit)."""
    text = plain_text(row[9], row[8])[:MAX_INDEXED_CHARS]  # content, summary
    if not text or not terms:
        return text[:SNIPPET_WIDTH]
    pattern = re.compile(r"\b(" + "|".join(re.escape(t) for t in terms) + r")\w*", re.IGNORECASE)
    found = pattern.search(text)
    start = max(0, found.start() - SNIPPET_WIDTH // 3) if found else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    piece = text[start : start + SNIPPET_WIDTH]
    piece = pattern.sub(lambda m: "\ue000" + m.group(0) + "\ue001", piece)
    return ("…" if start else "") + piece + ("…" if start + SNIPPET_WIDTH < len(text) else "")


RANK_LIMIT = 20_000
"""A query whose every word is in at least this many entries lists newest matches first
instead of ranking them all (see Store.search)."""

_FTS_TERM = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str:
    """What a person typed, as a safe FTS5 query: every word must match, the last one as a
    prefix (so results come as you type). FTS5 syntax in the input is never interpreted."""
    terms = _FTS_TERM.findall(text)[:16]
    if not terms:
        return ""
    quoted = [f'"{term}"' for term in terms]
    if text.rstrip() and text.rstrip()[-1].isalnum():
        quoted[-1] += "*"
    return " ".join(quoted)


class _Unset:
    """Marks "leave as it is" where None is a meaningful value."""


_UNSET = _Unset()


def normalise_folder(folder: str) -> str:
    """ "Tech / Linux/" -> "Tech/Linux": trimmed levels, no empty ones."""
    return "/".join(part.strip() for part in folder.split("/") if part.strip())


def _like_prefix(text: str) -> str:
    """Escape LIKE wildcards (with backslash as the escape character)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _to_epoch(value: datetime | None) -> float | None:
    """Naive datetimes are taken as UTC, never as local time."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def _to_datetime(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def _sort_key(title: str) -> str:
    """Case- and accent-insensitive, for listing titles the way people expect."""
    decomposed = unicodedata.normalize("NFKD", title)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _related_json(links: Sequence[Link]) -> str:
    return json.dumps(
        [{"url": x.url, "title": x.title, "text": x.text, "kind": x.kind} for x in links],
        ensure_ascii=False,
    )


def _related_links(raw: str | None) -> tuple[Link, ...]:
    """A damaged related column costs the related links, not the entry."""
    try:
        items = json.loads(raw or "[]")
    except ValueError:
        return ()
    if not isinstance(items, list):
        return ()
    links: list[Link] = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("url"), str):
            links.append(
                Link(
                    url=item["url"],
                    title=str(item.get("title") or ""),
                    text=str(item.get("text") or ""),
                    kind=str(item.get("kind") or "related"),
                )
            )
    return tuple(links)


def _enclosures_json(enclosures: Sequence[Enclosure]) -> str:
    if not enclosures:
        return ""
    return json.dumps(
        [
            {
                "url": e.url,
                "type": e.type,
                "length": e.length,
                "duration": e.duration,
                "title": e.title,
            }
            for e in enclosures
        ],
        ensure_ascii=False,
    )


def _enclosures(raw: str | None) -> tuple[Enclosure, ...]:
    """A damaged enclosures column costs the enclosures, not the entry."""
    if not raw:
        return ()
    try:
        items = json.loads(raw)
        return tuple(
            Enclosure(
                url=str(item["url"]),
                type=str(item.get("type") or ""),
                length=item.get("length") if isinstance(item.get("length"), int) else None,
                duration=item.get("duration") if isinstance(item.get("duration"), int) else None,
                title=str(item.get("title") or ""),
            )
            for item in items
            if isinstance(item, dict) and item.get("url")
        )
    except (ValueError, TypeError, KeyError):
        return ()


def _split_statements(script: str) -> Iterator[str]:
    """Split a migration into statements so it can run inside our own transaction.

    (`executescript` would commit any open transaction first.)
    """
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            statement = pending.strip()
            pending = ""
            if statement.strip(";").strip():
                yield statement
    if pending.strip(";").strip():
        yield pending


class Store(DownloadStore):
    """The reader's database: one SQLite file, shared safely between threads."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._closed = False
        self._rules_seconds = 0.0
        """CPU time spent on rules while storing updates (see `apply_updates_timed`)."""
        self._rules: RuleSet | None = None
        self._rules_text = ""
        """The rules as last read from `state`, and their text (see `_rule_set`)."""
        self._rules_held = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the data directory {self.path.parent}: {exc}") from exc
        try:
            self._conn = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=5.0
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}") from exc
        try:
            self._configure()
            self._migrate()
        except StoreError:
            self._conn.close()
            raise
        except sqlite3.Error as exc:
            self._conn.close()
            hint = ""
            if "not a database" in str(exc) or "malformed" in str(exc):
                hint = (
                    f" It was left untouched: move it aside (mv {self.path} {self.path}.broken)"
                    " and newsreader starts a new store."
                )
            raise StoreError(f"cannot use the database {self.path}: {exc}.{hint}") from exc

    # -- lifecycle ---------------------------------------------------------------------

    def worker_path(self) -> Path | None:
        """The file another process may open to write into this store (None in memory)."""
        name = str(self.path)
        return None if name == ":memory:" or name.startswith("file:") else self.path

    def leave_checkpoints(self) -> None:
        """This connection never copies the write-ahead log into the database itself (a
        refresh's parse worker: a `reader.checkpoint.Checkpointer` does it meanwhile)."""
        with self._lock:
            self._conn.execute("PRAGMA wal_autocheckpoint = 0")

    def limit_cache(self, kib: int) -> None:
        """Keep at most `kib` KiB of database pages in this connection's cache (SQLite's
        default is 2 MB). A refresh's parse worker: its cache is dropped whenever the other
        worker commits, so a big one only holds memory; storing 60 feeds alone took the
        same time with 512 KiB (6.1-6.7 ms a feed either way)."""
        with self._lock:
            self._conn.execute(f"PRAGMA cache_size = {-max(64, int(kib)):d}")

    def hold_rules(self) -> None:
        """Apply the rules as they are now for this connection's life (a refresh's parse
        worker: the refresh stores the config's rules before its workers start). Reading
        them back for each feed cost a sixth of the rules' time in a big refresh: with
        other writers committing meanwhile, every new read of the database starts over."""
        with self._lock:
            self._rule_set()
            self._rules_held = True

    def close(self) -> None:
        """Close the connection; safe to call twice."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _configure(self) -> None:
        conn = self._conn
        conn.create_function("nr_plain_text", 2, plain_text, deterministic=True)
        self._configure_rules(conn)
        conn.create_function("nr_canon_url", 1, canonical_url, deterministic=True)
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA foreign_keys = ON")
        # WAL lets a second process (e.g. `newsreader refresh` from cron) read while we write.
        # Some filesystems cannot do WAL; SQLite then keeps its rollback journal, which works.
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")

    def _configure_rules(self, conn: sqlite3.Connection) -> None:
        """SQL functions the rules and versions triggers call (migration 16)."""
        from reader.versions import story_changed

        self._rules_writing = False
        conn.create_function("nr_rules_writing", 0, lambda: int(self._rules_writing))
        conn.create_function("nr_story_changed", 6, story_changed, deterministic=True)

    def _user_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        """Bring the schema up to SCHEMA_VERSION, one migration per transaction."""
        version = self._user_version()
        app_id = int(self._conn.execute("PRAGMA application_id").fetchone()[0])
        tables = self._conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        ).fetchone()[0]
        if (app_id not in (0, APPLICATION_ID)) or (version == 0 and tables):
            raise StoreError(
                f"{self.path} is a database of another program, not newsreader's; it was left"
                f" untouched. Move it aside (mv {self.path} {self.path}.other) or use"
                " --data-dir to keep newsreader's store elsewhere."
            )
        if app_id == 0:
            self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was created by a newer newsreader (schema version {version}; "
                f"this version understands up to {SCHEMA_VERSION}). Upgrade newsreader to use it."
            )
        while version < SCHEMA_VERSION:
            with self._transaction():
                # Another process may have migrated while we waited for the write lock.
                version = self._user_version()
                if version >= SCHEMA_VERSION:
                    break
                for statement in _split_statements(MIGRATIONS[version]):
                    self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {version + 1:d}")
            version += 1

    write_gate: AbstractContextManager[object] | None = None
    """A lock shared with other processes writing to this file at the same time (a
    refresh's parse workers), taken around every write transaction: a writer waiting for it
    wakes as soon as it is free, where SQLite's busy handler sleeps in growing steps. It is
    waited for with this object's own lock held: other threads of this process read through
    another Store meanwhile."""

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: BEGIN IMMEDIATE takes the write lock up front (no deadlocks)."""
        with self._lock, self.write_gate or nullcontext():
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    # -- for reader.sync.local (its own sync_* tables) ------------------------------------

    @contextmanager
    def sync_transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction on the shared connection, holding the lock throughout."""
        with self._lock, self._transaction() as conn:
            yield conn

    def sync_rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Rows of one read query, under the lock."""
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchall()

    # -- feeds -------------------------------------------------------------------------

    @_locked
    def add_feed(self, url: str, title: str = "", *, is_sample: bool = False) -> tuple[Feed, bool]:
        """Subscribe to `url`; an existing subscription is returned as is, never doubled.

        A `title` given here is the user's choice, so it is kept as the shown title even
        after the feed reports its own.
        """
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO feeds (url, user_title, added, is_sample) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (url) DO NOTHING",
                (url, title or None, time.time(), int(is_sample)),
            )
            created = cursor.rowcount == 1
        feed = self.get_feed_by_url(url)
        if feed is None:  # pragma: no cover - only if another process removed it just now
            raise StoreError(f"the feed {url} vanished while it was being added")
        return feed, created

    @_locked
    def get_feed(self, feed_id: int) -> Feed | None:
        return self._one_feed("f.id = ?", feed_id)

    @_locked
    def get_feed_by_url(self, url: str) -> Feed | None:
        return self._one_feed("f.url = ?", url)

    def _one_feed(self, where: str, value: object) -> Feed | None:
        rows = self._query_feeds(f"WHERE {where}", (value,))
        return rows[0] if rows else None

    def _query_feeds(self, where: str, params: tuple[object, ...]) -> list[Feed]:
        """Feeds with their unread and total counts (kept on the feed by triggers)."""
        rows = self._conn.execute(
            f"""
            SELECT {_FEED_COLUMNS}, f.unread_count, f.entry_count
            FROM feeds AS f {where}
            """,
            params,
        ).fetchall()
        return [_feed_from_row(row) for row in rows]

    @_locked
    def list_feeds(self, *, include_sample: bool = False) -> list[Feed]:
        """All subscriptions with unread/total counts, by title (case-insensitive), then id."""
        where = "" if include_sample else "WHERE f.is_sample = 0"
        feeds = self._query_feeds(where, ())
        # Sorted here rather than in SQL: SQLite's NOCASE only folds ASCII, and "Ça va"
        # belongs with the Cs, not after the Zs.
        feeds.sort(key=lambda feed: (_sort_key(feed.title), feed.id))
        return feeds

    @_locked
    def has_user_feeds(self) -> bool:
        """Whether the user subscribed to anything (the sample does not count)."""
        row = self._conn.execute("SELECT EXISTS (SELECT 1 FROM feeds WHERE is_sample = 0)")
        return bool(row.fetchone()[0])

    @_locked
    def remove_feed(self, feed_id: int) -> None:
        """Unsubscribe; the feed's entries go with it (ON DELETE CASCADE)."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))

    @_locked
    def record_error(self, feed_id: int, error: str, status: int | None = None) -> None:
        """A failed refresh: say why, but keep the entries and validators we already have."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE feeds SET last_error = ?, last_status = ?, last_fetched = ? WHERE id = ?",
                (error, status, time.time(), feed_id),
            )

    @_locked
    def record_not_modified(
        self,
        feed_id: int,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        status: int = 304,
        fetched: FetchDetails | None = None,
    ) -> None:
        """A 304: the feed is fine; a server may still send fresh validators with it.
        `fetched` (as for `apply_update`) logs the fetch in the same transaction: a refresh
        where nothing changed is mostly these writes, one per feed."""
        with self._transaction() as conn:
            conn.execute(
                """
                UPDATE feeds SET last_error = NULL, last_status = ?, last_fetched = ?,
                                 etag = COALESCE(?, etag),
                                 last_modified = COALESCE(?, last_modified)
                WHERE id = ?
                """,
                (status, time.time(), etag, last_modified, feed_id),
            )
            if fetched is not None:
                self._log_fetch(conn, feed_id, status=status, ok=True, **fetched)

    def apply_update(
        self,
        feed_id: int,
        parsed: ParsedFeed,
        *,
        status: int = 200,
        etag: str | None = None,
        last_modified: str | None = None,
        fetched: FetchDetails | None = None,
    ) -> int:
        """Store a successful fetch in one transaction; return how many entries were new.

        `fetched` holds `record_fetch`'s keyword arguments other than status, ok and new
        (size, seconds, not_before, wait_reason): the fetch is logged in the same
        transaction.

        Entries are upserted by (feed_id, key): their content follows the feed, but read,
        starred and first_seen are the user's and are never touched. When one document has
        the same key twice, the last one wins. The feed's title and site URL change only
        when the feed gives non-empty ones; the validators are stored exactly as given.
        A feed removed while it was being fetched is left removed (0 new entries).
        """
        update = FeedUpdate(feed_id, parsed, status, etag, last_modified, fetched)
        return self.apply_updates([update])[0]

    @_locked
    def apply_updates(self, updates: Sequence[FeedUpdate]) -> list[int]:
        """`apply_update` for one or more prepared updates (a refresh's parse worker and the
        main process hand a FeedUpdate over whole), in one transaction. Returns the
        new-entry counts in order."""
        now = time.time()
        # Everything but writing happens before the write lock is taken: other processes (a
        # refresh's parse workers, the TUI) wait for it. That includes what the rules say
        # about the entries not stored yet: an entry another writer stores meanwhile gets
        # no rule flags or hits from this update (only rows this update inserts take them).
        prepared = [_PreparedUpdate.of(update, now) for update in updates]
        started = time.thread_time()
        hits = [self._rules_for_new(self._conn, update, now) for update in prepared]
        self._rules_seconds += time.thread_time() - started
        with self._transaction() as conn:
            return [
                self._apply(conn, update, now, found)
                for update, found in zip(prepared, hits, strict=True)
            ]

    @_locked
    def apply_updates_timed(self, updates: Sequence[FeedUpdate]) -> tuple[list[int], float]:
        """`apply_updates`, and the CPU time its rules took (`refresh --stats` says what
        the rules cost a refresh)."""
        ruled = self._rules_seconds
        return self.apply_updates(updates), self._rules_seconds - ruled

    def _apply(
        self,
        conn: sqlite3.Connection,
        prepared: _PreparedUpdate,
        now: float,
        hits: dict[str, list[Hit]],
    ) -> int:
        update = prepared.update
        parsed, feed_id = update.parsed, update.feed_id
        cursor = conn.execute(
            """
            UPDATE feeds SET title = COALESCE(NULLIF(?, ''), title),
                             site_url = COALESCE(NULLIF(?, ''), site_url),
                             etag = ?, last_modified = ?, last_status = ?,
                             last_error = ?, last_fetched = ?
            WHERE id = ?
            """,
            (
                parsed.title,
                parsed.site_url,
                update.etag,
                update.last_modified,
                update.status,
                parsed.warning or None,
                now,
                feed_id,
            ),
        )
        if cursor.rowcount == 0:
            return 0
        # Rowids only grow inside the transaction: every row above the old largest one is
        # an entry this update inserted (an existing one is updated in place).
        newest_before = conn.execute("SELECT COALESCE(MAX(id), 0) FROM entries").fetchone()[0]
        conn.executemany(_UPSERT_ENTRY, _with_rule_flags(prepared.rows, hits))
        inserted = conn.execute(
            "SELECT id, key FROM entries WHERE id > ?", (newest_before,)
        ).fetchall()
        index = prepared.index
        # Indexed before folding: an entry folded back is deleted, and the index must then
        # hold exactly the words it is told to take out (a contentless index, migration 20).
        conn.executemany(
            "INSERT INTO entries_fts (rowid, title, author, body) VALUES (?, ?, ?, ?)",
            ((entry_id, *index[key]) for entry_id, key in inserted),
        )
        if inserted and _had_entries(conn, feed_id, newest_before):
            inserted = _fold_reissued(conn, prepared.rows, inserted, newest_before)
        if hits:
            started = time.thread_time()
            self._record_rule_hits(conn, prepared, inserted, hits, now)
            self._rules_seconds += time.thread_time() - started
        if update.fetched is not None:
            details: FetchDetails = {**update.fetched, "new": len(inserted)}
            self._log_fetch(conn, feed_id, ok=True, status=update.status, **details)
        return len(inserted)

    # -- entries -----------------------------------------------------------------------

    @_locked
    def list_entries(
        self, feed_id: int, *, unread_only: bool = False, limit: int | None = None
    ) -> list[Entry]:
        """A feed's entries, newest first (by published, else updated, else first seen)."""
        unread = "AND e.read = 0" if unread_only else ""
        rows = self._conn.execute(
            f"{_ENTRY_SELECT} WHERE e.feed_id = ? {unread} {_NEWEST_FIRST} LIMIT ?",
            (feed_id, -1 if limit is None else max(limit, 0)),
        ).fetchall()
        return [_entry_from_row(row) for row in rows]

    @_locked
    def get_entry(self, entry_id: int) -> Entry | None:
        """An entry by id, hidden or not."""
        row = self._conn.execute(f"{_ENTRY_SELECT_ANY} WHERE e.id = ?", (entry_id,)).fetchone()
        return None if row is None else _entry_from_row(row)

    def entries_for_link(self, url: str) -> list[Entry]:
        """Every stored copy of the story at `url` (same canonical link, any feed), unread
        first: how a page reached by a link is known to be an entry."""
        canon = canonical_url(url)
        if not canon:
            return []
        rows = self._conn.execute(
            f"{_ENTRY_SELECT} WHERE e.canon = ? ORDER BY e.read, e.id", (canon,)
        ).fetchall()
        return [_entry_from_row(row) for row in rows]

    @_locked
    def set_read(self, entry_id: int, read: bool = True) -> None:
        """Mark read or unread; an unknown id is ignored (it may have just been removed)."""
        with self._transaction():
            self._write_read(entry_id, read)

    @_locked
    def set_starred(self, entry_id: int, starred: bool) -> None:
        """Star or unstar; an unknown id is ignored."""
        with self._transaction():
            self._write_starred(entry_id, starred)

    @_locked
    def toggle_read(self, entry_id: int) -> bool:
        """Flip read/unread and return the new state (StoreError for an unknown id)."""
        with self._transaction():
            read = not self._flag(entry_id, "read")
            self._write_read(entry_id, read)
        return read

    @_locked
    def toggle_starred(self, entry_id: int) -> bool:
        """Flip the star and return the new state (StoreError for an unknown id)."""
        with self._transaction():
            starred = not self._flag(entry_id, "starred")
            self._write_starred(entry_id, starred)
        return starred

    def _write_read(self, entry_id: int, read: bool) -> None:
        """Every copy of the story (same canonical link, any feed) follows; read_at keeps
        the first time it was read, until it is marked unread."""
        row = self._conn.execute("SELECT canon FROM entries WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            return
        # `canon != ''` spelled out lets SQLite use the partial index entries_by_canon
        # (a join on canon scanned every entry for each one marked).
        where, key = ("canon = ? AND canon != ''", row[0]) if row[0] else ("id = ?", entry_id)
        self._conn.execute(
            "UPDATE entries SET read = ?, read_at = CASE WHEN ? THEN COALESCE(read_at, ?) END"
            f" WHERE {where}",
            (int(read), int(read), time.time(), key),
        )

    def _write_starred(self, entry_id: int, starred: bool) -> None:
        self._conn.execute("UPDATE entries SET starred = ? WHERE id = ?", (int(starred), entry_id))

    def _flag(self, entry_id: int, column: str) -> bool:
        row = self._conn.execute(
            f"SELECT {column} FROM entries WHERE id = ?", (entry_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no entry with id {entry_id}")
        return bool(row[0])

    @_locked
    def unread_count(self, *, include_sample: bool = False) -> int:
        """Unread entries across all subscriptions (the sample only when asked)."""
        row = self._conn.execute(
            "SELECT COALESCE(SUM(unread_count), 0) FROM feeds WHERE is_sample = 0 OR ?",
            (int(include_sample),),
        ).fetchone()
        return int(row[0])

    @_locked
    def unread_story_count(self, include_sample: bool = False) -> int:
        """Unread stories across all subscriptions: copies of one story carried by several
        feeds (same canonical link) count once, as the merged lists show them. The number
        for the All-unread badge and `newsreader unread` (the sample only when asked)."""
        # Every unread entry (the per-feed counters), less the linked ones, plus each
        # distinct link once; the linked ones come from the entries_unread_by_canon index.
        row = self._conn.execute(
            """
            SELECT (SELECT COALESCE(SUM(unread_count), 0) FROM feeds WHERE is_sample = 0 OR ?1),
                   COALESCE(SUM(copies), 0), count(*)
            FROM (SELECT count(*) AS copies FROM entries INDEXED BY entries_unread_by_canon
                  WHERE read = 0 AND canon != '' AND hidden != 1
                    AND (?1 OR feed_id NOT IN (SELECT id FROM feeds WHERE is_sample = 1))
                  GROUP BY canon)
            """,
            (int(include_sample),),
        ).fetchone()
        entries, linked, stories = row
        return int(entries) - int(linked) + int(stories)

    @_locked
    def next_unread(self, feed_ids: Sequence[int], current_entry_id: int | None) -> Entry | None:
        """The next unread entry after the current one in reading order, wrapping around.

        Reading order is the feeds in the given order, each newest first (as list_entries).
        The search starts just after the current entry, runs through the following feeds,
        wraps to the earlier feeds and ends with the current feed's entries before the
        current one. The current entry itself is never returned. With no current entry (or
        one not in these feeds) it is the first unread entry in reading order.
        """
        order = list(dict.fromkeys(feed_ids))
        if not order:
            return None
        placeholders = ",".join("?" * len(order))
        rows = self._conn.execute(
            f"SELECT DISTINCT feed_id FROM entries WHERE read = 0 AND feed_id IN ({placeholders})",
            order,
        )
        with_unread = {row[0] for row in rows}
        if not with_unread:
            return None

        current = None
        if current_entry_id is not None:
            current = self._conn.execute(
                "SELECT id, feed_id, sort_date FROM entries WHERE id = ?", (current_entry_id,)
            ).fetchone()
        if current is None or current[1] not in order:
            return self._first_unread(order, with_unread)

        cur_id, cur_feed, cur_date = current
        if cur_feed in with_unread:
            after = self._unread_one(
                "e.feed_id = ? AND (e.sort_date, e.id) < (?, ?)", (cur_feed, cur_date, cur_id)
            )
            if after is not None:
                return after
        start = order.index(cur_feed)
        others = order[start + 1 :] + order[:start]
        found = self._first_unread(others, with_unread)
        if found is not None:
            return found
        if cur_feed in with_unread:
            return self._unread_one("e.feed_id = ? AND e.id != ?", (cur_feed, cur_id))
        return None

    def _first_unread(self, feed_ids: Sequence[int], with_unread: set[int]) -> Entry | None:
        for feed_id in feed_ids:
            if feed_id in with_unread:
                entry = self._unread_one("e.feed_id = ?", (feed_id,))
                if entry is not None:
                    return entry
        return None

    def _unread_one(self, where: str, params: tuple[Any, ...]) -> Entry | None:
        row = self._conn.execute(
            f"{_ENTRY_SELECT} WHERE e.read = 0 AND {where} {_NEWEST_FIRST} LIMIT 1", params
        ).fetchone()
        return None if row is None else _entry_from_row(row)

    # -- reader mode: per-feed setting and the page cache ------------------------------

    FULL_ARTICLE_MODES = ("auto", "always", "never")

    @_locked
    def set_full_article(self, feed_id: int, mode: str) -> None:
        """When to fetch entries' pages for this feed: auto, always or never."""
        if mode not in self.FULL_ARTICLE_MODES:
            raise StoreError(f"full-article mode must be one of auto, always, never: {mode!r}")
        with self._transaction() as conn:
            conn.execute("UPDATE feeds SET full_article = ? WHERE id = ?", (mode, feed_id))

    @_locked
    def get_page(self, url: str) -> CachedPage | None:
        """The cached extracted article of a page, and marks it as just used."""
        row = self._conn.execute(
            "SELECT article, etag, last_modified, fetched FROM pages WHERE url = ?", (url,)
        ).fetchone()
        if row is None:
            return None
        article = _article_from_json(row[0])
        if article is None:
            return None
        with self._transaction() as conn:
            conn.execute("UPDATE pages SET used = ? WHERE url = ?", (time.time(), url))
        return CachedPage(article, etag=row[1], last_modified=row[2], fetched=_to_datetime(row[3]))

    @_locked
    def put_page(
        self,
        url: str,
        article: Article,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        keep: int = 2000,
    ) -> tuple[int, ...]:
        """Cache an extracted article; the least recently used pages beyond `keep` go.

        The page becomes the page text of every entry that links to `url`. Where an entry
        had page text already and this one is a real change of it (reader.versions), an
        entry already read keeps the earlier text as a version (source 'page') and is
        marked updated, unread again where the feed's setting says so, as a feed's rewrite
        does. Returns the ids of the entries so marked."""
        now = time.time()
        text = plain_text(article.body_html)
        title = article.title or ""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO pages (url, article, etag, last_modified, fetched, used)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET"
                " article = excluded.article, etag = excluded.etag,"
                " last_modified = excluded.last_modified, fetched = excluded.fetched,"
                " used = excluded.used",
                (url, _article_json(article), etag, last_modified, now, now),
            )
            changed, updated = self._keep_page_versions(conn, url, title, text, now)
            self._index_page(conn, url, text, title=title, now=now)
            conn.executemany(
                "UPDATE entry_pages SET seen = ? WHERE entry_id = ?",
                [(now, entry_id) for entry_id in changed],
            )
            self._prune_pages(conn, keep)
        return updated

    @staticmethod
    def _keep_page_versions(
        conn: sqlite3.Connection, url: str, title: str, text: str, now: float
    ) -> tuple[list[int], tuple[int, ...]]:
        """Before `text` replaces the page text of the entries that link to `url`: which
        of them it really changes, and (of those, the ones already read) which kept their
        earlier page as a version and were marked updated (migration 21)."""
        from reader.versions import page_changed, page_markup

        changed: list[int] = []
        updated: list[int] = []
        rows = conn.execute(
            "SELECT e.id, e.read, p.title, p.text, COALESCE(p.seen, e.first_seen)"
            f" FROM entries AS e JOIN entry_pages AS p ON p.entry_id = e.id WHERE {_BY_LINK}",
            _by_link(url),
        ).fetchall()
        for entry_id, read, old_title, old_text, seen in rows:
            if not page_changed(old_title, old_text, title, text):
                continue
            changed.append(entry_id)
            if not read:
                continue  # as for a feed's rewrite: an unread entry has no earlier reading
            markup = page_markup(old_text)
            kept_title = title if old_title is None else old_title
            conn.execute(
                "INSERT INTO entry_versions"
                " (entry_id, title, summary, content, seen, replaced, size, source)"
                " VALUES (?, ?, '', ?, ?, ?, ?, 'page')",
                (entry_id, kept_title, markup, seen, now, len(kept_title) + len(markup)),
            )
            conn.execute(
                "DELETE FROM entry_versions WHERE entry_id = ?1 AND id NOT IN ("
                " SELECT id FROM entry_versions WHERE entry_id = ?1 ORDER BY id DESC"
                " LIMIT COALESCE((SELECT CAST(value AS INTEGER) FROM state"
                " WHERE key = 'versions_per_entry'), 5))",
                (entry_id,),
            )
            conn.execute(
                "UPDATE entries SET story_updated = ?,"
                " read = CASE WHEN instr(COALESCE((SELECT value FROM state"
                " WHERE key = 'unread_when_updated'), ''), ',' || feed_id || ',') > 0"
                " THEN 0 ELSE read END WHERE id = ?",
                (now, entry_id),
            )
            updated.append(entry_id)
        return changed, tuple(updated)

    @staticmethod
    def _index_page(
        conn: sqlite3.Connection, url: str, text: str, *, title: str = "", now: float = 0.0
    ) -> None:
        """Index `text` as the page of every entry that links to `url`. The index keeps no
        text (migration 20): each entry's row is taken out with the words it had, then put
        back with the page's."""
        conn.execute(
            "INSERT INTO entries_fts (entries_fts, rowid, title, author, body, page)"
            " SELECT 'delete', e.id, e.title, e.author, nr_plain_text(e.content, e.summary),"
            " p.text FROM entries AS e LEFT JOIN entry_pages AS p ON p.entry_id = e.id"
            f" WHERE {_BY_LINK}",
            _by_link(url),
        )
        conn.execute(
            "INSERT INTO entry_pages (entry_id, text, title, seen)"
            f" SELECT e.id, :text, :title, :seen FROM entries AS e WHERE {_BY_LINK}"
            " ON CONFLICT (entry_id) DO UPDATE SET text = excluded.text, title = excluded.title",
            {"text": text, "title": title, "seen": now or time.time(), **_by_link(url)},
        )
        conn.execute(
            "INSERT INTO entries_fts (rowid, title, author, body, page)"
            " SELECT e.id, e.title, e.author, nr_plain_text(e.content, e.summary), :text"
            f" FROM entries AS e WHERE {_BY_LINK}",
            {"text": text, **_by_link(url)},
        )

    @_locked
    def touch_page(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> None:
        """A 304 for a cached page: it is fresh again; new validators replace old ones."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE pages SET fetched = ?, etag = COALESCE(?, etag),"
                " last_modified = COALESCE(?, last_modified) WHERE url = ?",
                (time.time(), etag, last_modified, url),
            )

    @_locked
    def prune_pages(self, keep: int) -> int:
        """Keep the `keep` most recently used cached pages; returns how many went."""
        with self._transaction() as conn:
            return self._prune_pages(conn, keep)

    @_locked
    def page_count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM pages").fetchone()[0])

    @staticmethod
    def _prune_pages(conn: sqlite3.Connection, keep: int) -> int:
        cursor = conn.execute(
            "DELETE FROM pages WHERE url IN"
            " (SELECT url FROM pages ORDER BY used DESC, fetched DESC LIMIT -1 OFFSET ?)",
            (max(keep, 0),),
        )
        return cursor.rowcount

    # -- organisation: folders, feed settings, lists across feeds, bulk marks ----------

    @_locked
    def update_feed(
        self,
        feed_id: int,
        *,
        title: str | None = None,
        folder: str | None = None,
        url: str | None = None,
        paused: bool | None = None,
        refresh_minutes: int | _Unset | None = _UNSET,
        dead: bool | None = None,
    ) -> Feed:
        """Change a feed's settings; None leaves a field as it is.

        `title=""` drops the user's title (the feed's own shows again). A new `url` keeps
        the feed's entries and read state; a URL another subscription has is refused.
        """
        changes: dict[str, object] = {}
        if title is not None:
            changes["user_title"] = title.strip() or None
        if folder is not None:
            changes["folder"] = normalise_folder(folder)
        if url is not None:
            changes["url"] = url.strip()
            # A new address starts afresh: no back-off or server wait carried over.
            changes["not_before"] = None
            changes["failures"] = 0
        if paused is not None:
            changes["paused"] = int(paused)
        if not isinstance(refresh_minutes, _Unset):
            changes["refresh_minutes"] = refresh_minutes
        if dead is not None:
            changes["dead"] = int(dead)
        if changes:
            assignments = ", ".join(f"{column} = ?" for column in changes)
            try:
                with self._transaction() as conn:
                    conn.execute(
                        f"UPDATE feeds SET {assignments} WHERE id = ?", (*changes.values(), feed_id)
                    )
            except sqlite3.IntegrityError as exc:
                raise StoreError(f"already subscribed to {url}") from exc
        feed = self._one_feed("f.id = ?", feed_id)
        if feed is None:
            raise StoreError(f"no feed with id {feed_id}")
        return feed

    @_locked
    def folders(self) -> list[str]:
        """Every folder in use, including the parents of nested ones, sorted."""
        rows = self._conn.execute("SELECT DISTINCT folder FROM feeds WHERE folder != ''")
        names: set[str] = set()
        for (folder,) in rows:
            parts = folder.split("/")
            for depth in range(1, len(parts) + 1):
                names.add("/".join(parts[:depth]))
        return sorted(names, key=_sort_key)

    @_locked
    def query_entries(
        self,
        *,
        feed_ids: Sequence[int] | None = None,
        folder: str | None = None,
        unread_only: bool = False,
        starred_only: bool = False,
        recently_read: bool = False,
        include_sample: bool = False,
        limit: int | None = None,
        one_per_story: bool = False,
    ) -> list[Entry]:
        """Entries across feeds, newest first (recently read: most recently read first).

        With `one_per_story`, copies of a story from several feeds (same canonical link)
        are listed once, the first (newest) copy with `also_in` naming the other feeds.

        `folder` includes its sub-folders. Used by the virtual lists (All unread, Starred,
        Recently read), folder lists and `newsreader entries`.
        """
        where: list[str] = []
        params: list[object] = []
        if feed_ids is not None:
            ids = list(feed_ids) or [-1]
            where.append(f"e.feed_id IN ({','.join('?' * len(ids))})")
            params += ids
        if folder is not None:
            where.append("(f.folder = ? OR f.folder LIKE ? ESCAPE '\\')")
            params += [folder, _like_prefix(folder) + "/%"]
        if unread_only:
            where.append("e.read = 0")
        if starred_only:
            where.append("e.starred = 1")
        if recently_read:
            where.append("e.read_at IS NOT NULL")
        if not include_sample:
            where.append("f.is_sample = 0")
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        order = "ORDER BY e.read_at DESC, e.id DESC" if recently_read else _NEWEST_FIRST
        query = f"{_ENTRY_SELECT} {clause} {order} LIMIT ?"
        if not one_per_story:
            rows = self._conn.execute(
                query, (*params, -1 if limit is None else max(limit, 0))
            ).fetchall()
            return [_entry_from_row(row) for row in rows]
        if limit is None:
            return _one_per_story(self._conn.execute(query, (*params, -1)).fetchall())
        # `limit` stories, not rows: copies take rows, so read more until there are enough.
        wanted = fetch = max(limit, 0)
        while True:
            rows = self._conn.execute(query, (*params, fetch)).fetchall()
            stories = _one_per_story(rows)
            if len(stories) >= wanted or len(rows) < fetch:
                return stories[:wanted]
            fetch *= 2

    @_locked
    def set_read_many(self, entry_ids: Sequence[int], read: bool = True) -> list[int]:
        """Mark many entries in one transaction, every copy of their stories with them;
        returns the ids whose state changed, copies included (for undo and counts)."""
        changed: list[int] = []
        with self._transaction() as conn:
            for start in range(0, len(entry_ids), 500):
                chunk = list(entry_ids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"""
                    SELECT id FROM entries WHERE read != ? AND id IN ({marks})
                    UNION
                    SELECT id FROM entries WHERE canon != '' AND read != ? AND canon IN (
                        SELECT canon FROM entries WHERE id IN ({marks}) AND canon != '')
                    """,
                    (int(read), *chunk, int(read), *chunk),
                ).fetchall()
                ids = [row[0] for row in rows]
                for entry_id in ids:
                    self._write_read(entry_id, read)
                changed += ids
        return changed

    @_locked
    def set_link_read(self, url: str, read: bool = True) -> list[int]:
        """Mark every entry whose link is this story (same canonical link, any feed), for a
        story read through a link rather than from a list; returns the ids that changed."""
        canon = canonical_url(url)
        if not canon:
            return []
        with self._transaction() as conn:
            ids = [
                row[0]
                for row in conn.execute(
                    "SELECT id FROM entries WHERE canon = ? AND canon != '' AND read != ?",
                    (canon, int(read)),
                )
            ]
            if ids:
                self._write_read(ids[0], read)
        return ids

    @_locked
    def prune(self, *, max_per_feed: int | None = None, max_days: float | None = None) -> int:
        """Drop old entries beyond the limits; starred and unread entries are always kept."""
        removed = 0
        with self._transaction() as conn:
            if max_days is not None:
                cutoff = time.time() - max_days * 86400
                removed += conn.execute(
                    "DELETE FROM entries WHERE read = 1 AND starred = 0 AND sort_date < ?",
                    (cutoff,),
                ).rowcount
            if max_per_feed is not None:
                removed += conn.execute(
                    """
                    DELETE FROM entries WHERE id IN (
                        SELECT id FROM (
                            SELECT id, read, starred, ROW_NUMBER() OVER (
                                PARTITION BY feed_id ORDER BY sort_date DESC, id DESC
                            ) AS n FROM entries
                        ) WHERE n > ? AND read = 1 AND starred = 0
                    )
                    """,
                    (max(max_per_feed, 0),),
                ).rowcount
        return removed

    @_locked
    def link_states(self, urls: Sequence[str]) -> dict[str, bool]:
        """Which of `urls` are entries in the store: url -> read (True only if every copy is)."""
        states: dict[str, bool] = {}
        wanted = list(dict.fromkeys(u for u in urls if u))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            canons = list({canonical_url(url) for url in chunk} - {""})
            rows = self._conn.execute(
                "SELECT link, MIN(read) FROM entries"
                f" WHERE canon IN ({','.join('?' * len(canons))}) AND canon != ''"
                f" AND link IN ({','.join('?' * len(chunk))}) GROUP BY link",
                (*canons, *chunk),
            )
            states.update({link: bool(read) for link, read in rows})
        return states

    @_locked
    def data_version(self) -> int:
        """Changes when another connection (e.g. a `newsreader refresh` from cron) commits."""
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    @_locked
    def previous_unread(
        self, feed_ids: Sequence[int], current_entry_id: int | None
    ) -> Entry | None:
        """The unread entry before the current one in reading order (next_unread backwards)."""
        order = list(dict.fromkeys(feed_ids))
        current = None
        if current_entry_id is not None:
            current = self._conn.execute(
                "SELECT id, feed_id, sort_date FROM entries WHERE id = ?", (current_entry_id,)
            ).fetchone()
        oldest_first = "ORDER BY e.sort_date ASC, e.id ASC LIMIT 1"
        if current is not None and current[1] in order:
            cur_id, cur_feed, cur_date = current
            row = self._conn.execute(
                f"{_ENTRY_SELECT} WHERE e.read = 0 AND e.feed_id = ?"
                f" AND (e.sort_date, e.id) > (?, ?) {oldest_first}",
                (cur_feed, cur_date, cur_id),
            ).fetchone()
            if row is not None:
                return _entry_from_row(row)
            start = order.index(cur_feed)
            candidates = [*reversed(order[:start]), *reversed(order[start + 1 :]), cur_feed]
        else:
            candidates = list(reversed(order))
        for feed_id in candidates:
            row = self._conn.execute(
                f"{_ENTRY_SELECT} WHERE e.read = 0 AND e.feed_id = ? AND e.id != ? {oldest_first}",
                (feed_id, current_entry_id or -1),
            ).fetchone()
            if row is not None:
                return _entry_from_row(row)
        return None

    @_locked
    def search(
        self,
        text: str,
        *,
        feed_ids: Sequence[int] | None = None,
        folder: str | None = None,
        include_sample: bool = False,
        limit: int = 100,
    ) -> list[SearchHit]:
        """Entries matching `text`, best first (bm25; the title weighs most), with snippets.

        The snippet marks matches with U+E000 ... U+E001 (private-use characters); the UI
        turns them into highlight spans, never into markup (feed text that itself contains
        them can at worst gain a highlight).
        """
        query = fts_query(text)
        if not query:
            return []
        # Rank first, on the FTS table alone (bm25 over every match, no joins), then fetch
        # snippets and entries for the top rows only: a word found in most entries would
        # otherwise drag every matching row (content included) through the join.
        scope: list[str] = []
        params: list[object] = [query]
        if feed_ids is not None:
            ids = list(feed_ids) or [-1]
            scope.append(f"f.id IN ({','.join('?' * len(ids))})")
            params += ids
        if folder is not None:
            scope.append("(f.folder = ? OR f.folder LIKE ? ESCAPE '\\')")
            params += [folder, _like_prefix(folder) + "/%"]
        if scope:
            if not include_sample:
                scope.append("f.is_sample = 0")
            within = (
                " AND rowid IN (SELECT e.id FROM entries AS e JOIN feeds AS f"
                f" ON f.id = e.feed_id WHERE {' AND '.join(scope)})"
            )
        elif not include_sample:
            within = (
                " AND rowid NOT IN (SELECT e.id FROM entries AS e JOIN feeds AS f"
                " ON f.id = e.feed_id WHERE f.is_sample = 1)"
            )
        else:
            within = ""
        # When every word is in most entries, bm25 tells little and costs a pass over every
        # match: list the newest matches instead (FTS5 walks rowids in order, stops early).
        order = "rowid DESC" if self._matches_at_least(text, RANK_LIMIT) else "r"
        ranked = self._conn.execute(
            "SELECT rowid, bm25(entries_fts, 10.0, 4.0, 1.0, 1.0) AS r FROM entries_fts"
            f" WHERE entries_fts MATCH ?{within} ORDER BY {order} LIMIT ?",
            (*params, max(limit, 0)),
        ).fetchall()
        if not ranked:
            return []
        top = [row[0] for row in ranked]
        marks = ",".join("?" * len(top))
        by_id = {
            row[0]: row
            for row in self._conn.execute(f"{_ENTRY_SELECT} WHERE e.id IN ({marks})", top)
        }
        terms = [t.casefold() for t in _FTS_TERM.findall(text)[:16]]
        rows = [
            (*by_id[rowid], make_snippet(by_id[rowid], terms), rank)
            for rowid, rank in ranked
            if rowid in by_id
        ]
        hits: list[SearchHit] = []
        seen: dict[str, int] = {}
        for row in rows:  # best first: a story found in several feeds is listed once
            canon = row[15]
            if canon and canon in seen:
                hit = hits[seen[canon]]
                if row[14] not in hit.entry.also_in:
                    also = (*hit.entry.also_in, row[14])
                    hits[seen[canon]] = replace(hit, entry=replace(hit.entry, also_in=also))
                continue
            if canon:
                seen[canon] = len(hits)
            hits.append(SearchHit(_entry_from_row(row[:-2]), row[-2] or "", row[-1]))
        return hits

    # -- remembering where the reader was ----------------------------------------------

    @_locked
    def get_state(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @_locked
    def set_state(self, key: str, value: str | None) -> None:
        """Remember a small UI value (None forgets it)."""
        with self._transaction() as conn:
            if value is None:
                conn.execute("DELETE FROM state WHERE key = ?", (key,))
            else:
                conn.execute(
                    "INSERT INTO state (key, value) VALUES (?, ?)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )

    @_locked
    def get_position(self, place: str) -> float | None:
        row = self._conn.execute(
            "SELECT scroll_y FROM positions WHERE place = ?", (place,)
        ).fetchone()
        return None if row is None else float(row[0])

    @_locked
    def set_position(self, place: str, scroll_y: float, *, keep: int = 5000) -> None:
        """Remember how far an article was read; the oldest beyond `keep` are forgotten."""
        with self._transaction() as conn:
            if scroll_y <= 0:
                conn.execute("DELETE FROM positions WHERE place = ?", (place,))
                return
            conn.execute(
                "INSERT INTO positions (place, scroll_y, updated) VALUES (?, ?, ?)"
                " ON CONFLICT (place) DO UPDATE SET scroll_y = excluded.scroll_y,"
                " updated = excluded.updated",
                (place, scroll_y, time.time()),
            )
            conn.execute(
                "DELETE FROM positions WHERE place IN (SELECT place FROM positions"
                " ORDER BY updated DESC LIMIT -1 OFFSET ?)",
                (keep,),
            )

    def _matches_at_least(self, text: str, threshold: int) -> bool:
        """Whether every word of a query is in at least `threshold` entries (a cheap bound on
        its matches, from the vocabulary table; the last word counts as a prefix)."""
        terms = [t.casefold() for t in _FTS_TERM.findall(text)[:16]]
        if not terms:
            return False
        for i, term in enumerate(terms):
            if i == len(terms) - 1 and text.rstrip()[-1:].isalnum():
                row = self._conn.execute(
                    "SELECT max(doc) FROM entries_fts_vocab WHERE term >= ? AND term < ?",
                    (term, term + "\U0010ffff"),
                ).fetchone()
            else:
                row = self._conn.execute(
                    "SELECT doc FROM entries_fts_vocab WHERE term = ?", (term,)
                ).fetchone()
            if row is None or (row[0] or 0) < threshold:
                return False
        return True

    # -- feed health and scheduling ----------------------------------------------------

    FETCH_LOG_KEEP = 30
    """Fetches remembered per feed for the health view."""

    @_locked
    def record_fetch(
        self, feed_id: int, *, status: int | None, ok: bool, **details: Unpack[FetchDetails]
    ) -> None:
        """Log one fetch; count failures in a row (reset by a success); set when the feed may
        be fetched next (None: whenever it is due) and why it waits."""
        with self._transaction() as conn:
            self._log_fetch(conn, feed_id, status=status, ok=ok, **details)

    def _log_fetch(
        self,
        conn: sqlite3.Connection,
        feed_id: int,
        *,
        status: int | None,
        ok: bool,
        **details: Unpack[FetchDetails],
    ) -> None:
        size = details.get("size", 0)
        seconds = details.get("seconds", 0.0)
        new = details.get("new", 0)
        error = details.get("error")
        not_before = details.get("not_before")
        wait_reason = details.get("wait_reason")
        now = time.time()
        conn.execute(
            "INSERT INTO fetch_log (feed_id, at, status, bytes, seconds, new, error)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (feed_id, now, status, size, seconds, new, error),
        )
        conn.execute(
            "DELETE FROM fetch_log WHERE feed_id = ? AND id NOT IN (SELECT id FROM"
            " fetch_log WHERE feed_id = ? ORDER BY at DESC, id DESC LIMIT ?)",
            (feed_id, feed_id, self.FETCH_LOG_KEEP),
        )
        if ok:
            conn.execute(
                "UPDATE feeds SET failures = 0, last_success = ?, not_before = ?,"
                " wait_reason = ? WHERE id = ?",
                (now, not_before, wait_reason, feed_id),
            )
        else:
            conn.execute(
                "UPDATE feeds SET failures = failures + 1, not_before = ?, wait_reason = ?"
                " WHERE id = ?",
                (not_before, wait_reason, feed_id),
            )

    @_locked
    def fetch_log(self, feed_id: int) -> list[dict[str, Any]]:
        """The feed's recent fetches, newest first."""
        rows = self._conn.execute(
            "SELECT at, status, bytes, seconds, new, error FROM fetch_log WHERE feed_id = ?"
            " ORDER BY at DESC, id DESC",
            (feed_id,),
        ).fetchall()
        keys = ("at", "status", "bytes", "seconds", "new", "error")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    @_locked
    def entries_since(self, feed_id: int, since: float) -> int:
        """How many entries the feed brought since `since` (epoch seconds)."""
        row = self._conn.execute(
            "SELECT count(*) FROM entries WHERE feed_id = ? AND first_seen >= ?",
            (feed_id, since),
        ).fetchone()
        return int(row[0])

    @_locked
    def feed_activity(self, feed_id: int, since: float) -> tuple[float | None, int]:
        """(When the feed's history starts: when it was added or its oldest entry's date,
        whichever is earlier; how many of its entries are dated since `since`), for
        rates over the feed's real age. Dates are published, else updated, else seen."""
        row = self._conn.execute(
            """
            SELECT min(f.added, COALESCE((SELECT min(sort_date) FROM entries
                                          WHERE feed_id = f.id), f.added)),
                   (SELECT count(*) FROM entries WHERE feed_id = f.id AND sort_date >= ?)
            FROM feeds AS f WHERE f.id = ?
            """,
            (since, feed_id),
        ).fetchone()
        if row is None:
            return None, 0
        return row[0], int(row[1])

    @_locked
    def cap_entries(self, max_per_feed: int) -> int:
        """A hard bound per feed (a feed whose ids change on every fetch would grow forever):
        beyond it the oldest entries go even if unread; starred ones stay."""
        cursor = self._conn.execute(
            """
            DELETE FROM entries WHERE id IN (
                SELECT id FROM (
                    SELECT id, starred, ROW_NUMBER() OVER (
                        PARTITION BY feed_id ORDER BY sort_date DESC, id DESC
                    ) AS n FROM entries
                ) WHERE n > ? AND starred = 0
            )
            """,
            (max(max_per_feed, 0),),
        )
        return cursor.rowcount

    # -- rules, hidden entries and story versions (issue 16) ---------------------------

    def _rule_set(self) -> RuleSet:
        """The rules as the config last gave them (kept in `state`, so a refresh's worker
        processes apply the same ones), compiled once per change."""
        if self._rules_held and self._rules is not None:
            return self._rules
        row = self._conn.execute("SELECT value FROM state WHERE key = 'rules'").fetchone()
        text = str(row[0]) if row else ""
        if self._rules is None or text != self._rules_text:
            self._rules_text = text
            self._rules = RuleSet(rules_from_json(text))
        return self._rules

    @_locked
    def configure_rules(
        self,
        rules: Sequence[RuleSpec],
        *,
        versions_per_entry: int = 5,
        unread_when_updated: Sequence[int] = (),
    ) -> None:
        """Store the config's rules and version settings where every writer reads them."""
        values = {
            "rules": rules_to_json(rules),
            "versions_per_entry": str(max(0, versions_per_entry)),
            "unread_when_updated": "," + "".join(f"{i}," for i in unread_when_updated),
        }
        with self._transaction() as conn:
            for key, value in values.items():
                conn.execute(
                    "INSERT INTO state (key, value) VALUES (?, ?)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                    " WHERE value IS NOT excluded.value",
                    (key, value),
                )

    def _rules_for_new(
        self, conn: sqlite3.Connection, prepared: _PreparedUpdate, now: float
    ) -> dict[str, list[Hit]]:
        """What the rules say about the entries of this update that are not stored yet, by
        key (entries seen before are never matched again)."""
        rules = self._rule_set()
        if not rules or not prepared.rows:
            return {}
        feed_id = prepared.update.feed_id
        # The feed's title as this update leaves it (it may bring the first one).
        given = prepared.update.feed
        if given is not None:
            title = given.user_title or prepared.update.parsed.title or given.title or given.url
            feed = (given.url, title, given.folder, given.stored)
        else:
            feed = conn.execute(
                "SELECT f.url, COALESCE(NULLIF(f.user_title, ''), NULLIF(?, ''),"
                " NULLIF(f.title, ''), f.url), f.folder,"
                " EXISTS (SELECT 1 FROM entries WHERE feed_id = f.id)"
                " FROM feeds AS f WHERE f.id = ?",
                (prepared.update.parsed.title, feed_id),
            ).fetchone()
            if feed is None:
                return {}
        for_feed = rules.for_feed(feed[0], feed[1], feed[2])
        if not for_feed:
            return {}
        keys = [row["key"] for row in prepared.rows]
        known: set[str] = set()
        # A feed's first refresh (every feed's, on a cold one) has nothing stored to skip.
        for start in range(0, len(keys) if feed[3] else 0, 500):
            chunk = keys[start : start + 500]
            known.update(
                key
                for (key,) in conn.execute(
                    "SELECT key FROM entries WHERE feed_id = ? AND key IN"
                    f" ({','.join('?' * len(chunk))})",
                    (feed_id, *chunk),
                )
            )
        hits: dict[str, list[Hit]] = {}
        for row in prepared.rows:
            key = row["key"]
            if key in known:
                continue
            title, author, text = prepared.index[key]
            facts = EntryFacts(
                title,
                author,
                text,  # index_text: rules collapse its whitespace only if a test needs it
                row["link"],
                feed[0],
                feed[1],
                feed[2],
                _categories(row["categories"]),
                row["published"] or row["updated"] or now,
                content_spaced=True,
            )
            found = for_feed.matches(facts, now)
            if found:
                hits[key] = found
        return hits

    def _record_rule_hits(
        self,
        conn: sqlite3.Connection,
        prepared: _PreparedUpdate,
        inserted: Sequence[tuple[int, str]],
        hits: dict[str, list[Hit]],
        now: float,
    ) -> None:
        """Say which rule touched which of the entries this update inserted, and why."""
        if not hits:
            return
        conn.executemany(
            "INSERT OR IGNORE INTO rule_hits (entry_id, rule, action, list_name, reason, at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (entry_id, hit.rule.name, hit.rule.action, hit.rule.list_name, hit.reason, now)
                for entry_id, key in inserted
                for hit in hits.get(key, ())
            ],
        )

    def _plan(self, rules: RuleSet, now: float) -> list[PlannedAction]:
        """What `rules` would change in the stored entries (the dry run and the real run
        both come from here, so they cannot differ)."""
        if not rules:
            return []
        done = set(self._conn.execute("SELECT entry_id, rule FROM rule_hits").fetchall())
        planned: list[PlannedAction] = []
        cursor = self._conn.execute(
            f"""
            SELECT e.id, e.feed_id, e.title, e.author, e.content, e.summary, e.link, f.url,
                   {_FEED_TITLE}, f.folder, COALESCE(e.published, e.updated, e.first_seen),
                   e.read, e.starred, e.hidden, e.user_set, e.categories
            FROM entries AS e JOIN feeds AS f ON f.id = e.feed_id
            ORDER BY e.id
            """
        )
        for row in cursor:
            facts = EntryFacts(
                title=row[2],
                author=row[3],
                content=plain_text(row[4], row[5]),
                link=row[6],
                feed_url=row[7],
                feed_title=row[8],
                folder=row[9],
                categories=_categories(row[15]),
                date=row[10],
            )
            read, starred, hidden, user_set = row[11:15]
            for hit in rules.matches(facts, now):
                action = hit.rule.action
                changes = {
                    "hide": hidden == 0,
                    "read": not read and not user_set,
                    "star": not starred and not user_set,
                    "list": (row[0], hit.rule.name) not in done,
                    "notify": False,  # only new arrivals are announced
                }[action]
                if changes:
                    planned.append(
                        PlannedAction(row[0], row[1], row[2], row[8], hit.rule, hit.reason)
                    )
        return planned

    @_locked
    def rules_dry_run(self, rules: RuleSet, now: float | None = None) -> list[PlannedAction]:
        """What applying `rules` to every stored entry would do; changes nothing."""
        return self._plan(rules, time.time() if now is None else now)

    @_locked
    def apply_rules(self, rules: RuleSet, now: float | None = None) -> list[PlannedAction]:
        """Apply `rules` to every stored entry; returns what was done (= the dry run)."""
        now = time.time() if now is None else now
        with self._transaction() as conn:
            planned = self._plan(rules, now)
            self._write_plan(conn, planned, now)
        return planned

    def _write_plan(
        self, conn: sqlite3.Connection, planned: Sequence[PlannedAction], now: float
    ) -> None:
        """Carry out planned actions and record why. Read and starred flags a person set
        are left alone (user_set), and nothing is ever deleted."""
        if not planned:
            return
        hide = [(item.entry_id,) for item in planned if item.rule.action == "hide"]
        read = [(now, item.entry_id) for item in planned if item.rule.action == "read"]
        star = [(item.entry_id,) for item in planned if item.rule.action == "star"]
        self._rules_writing = True
        try:
            conn.executemany("UPDATE entries SET hidden = 1 WHERE id = ? AND hidden = 0", hide)
            conn.executemany(
                "UPDATE entries SET read = 1, read_at = COALESCE(read_at, ?)"
                " WHERE id = ? AND read = 0 AND user_set = 0",
                read,
            )
            conn.executemany(
                "UPDATE entries SET starred = 1 WHERE id = ? AND starred = 0 AND user_set = 0",
                star,
            )
            conn.executemany(
                "INSERT INTO rule_hits (entry_id, rule, action, list_name, reason, at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (entry_id, rule) DO UPDATE SET"
                " action = excluded.action, list_name = excluded.list_name,"
                " reason = excluded.reason, at = excluded.at",
                [
                    (i.entry_id, i.rule.name, i.rule.action, i.rule.list_name, i.reason, now)
                    for i in planned
                ],
            )
        finally:
            self._rules_writing = False

    @_locked
    def why(self, entry_id: int) -> list[RuleHitRecord]:
        """Every rule that touched the entry, oldest first, with its reason."""
        rows = self._conn.execute(
            "SELECT rule, action, list_name, reason, at FROM rule_hits WHERE entry_id = ?"
            " ORDER BY at, rule",
            (entry_id,),
        ).fetchall()
        return [RuleHitRecord(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    @_locked
    def is_hidden(self, entry_id: int) -> bool:
        row = self._conn.execute("SELECT hidden FROM entries WHERE id = ?", (entry_id,)).fetchone()
        return bool(row) and row[0] == 1

    @_locked
    def hidden_entries(self, limit: int | None = None) -> list[Entry]:
        """Entries a rule hid, newest first: never deleted, restorable."""
        rows = self._conn.execute(
            f"{_ENTRY_SELECT_ANY} WHERE e.hidden = 1 {_NEWEST_FIRST} LIMIT ?",
            (-1 if limit is None else max(limit, 0),),
        ).fetchall()
        return [_entry_from_row(row) for row in rows]

    @_locked
    def restore_entry(self, entry_id: int) -> bool:
        """Show a hidden entry again; rules never hide it again. False if it was not hidden."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE entries SET hidden = 2 WHERE id = ? AND hidden = 1", (entry_id,)
            )
        return cursor.rowcount == 1

    @_locked
    def rule_list_names(self) -> list[str]:
        """The virtual lists rules have put entries on."""
        rows = self._conn.execute(
            "SELECT DISTINCT list_name FROM rule_hits WHERE list_name != ''"
        ).fetchall()
        return sorted((str(r[0]) for r in rows), key=_sort_key)

    @_locked
    def rule_list_unread(self) -> dict[str, int]:
        """Unread entries on each rule list that has any entry (hidden ones not counted)."""
        rows = self._conn.execute(
            "SELECT h.list_name, COALESCE(SUM(e.read = 0 AND e.hidden != 1), 0)"
            " FROM rule_hits AS h JOIN entries AS e ON e.id = h.entry_id"
            " WHERE h.list_name != '' GROUP BY h.list_name"
        ).fetchall()
        return {str(name): int(unread) for name, unread in rows}

    @_locked
    def rule_list_entries(self, name: str, limit: int | None = None) -> list[Entry]:
        """The entries a `list = NAME` rule put on its list, newest first."""
        rows = self._conn.execute(
            f"{_ENTRY_SELECT} AND e.id IN (SELECT entry_id FROM rule_hits WHERE list_name = ?)"
            f" {_NEWEST_FIRST} LIMIT ?",
            (name, -1 if limit is None else max(limit, 0)),
        ).fetchall()
        return [_entry_from_row(row) for row in rows]

    @_locked
    def arrivals_since(
        self, since: float, after_id: int = 0, *, notified_only: bool = False
    ) -> list[Arrival]:
        """Entries first stored at or after `since` (not hidden), with the notify rules that
        matched them: what one refresh's notification is made of. `after_id` (the newest
        entry id before the refresh, see `newest_entry_id`) bounds the search to the rows
        stored since, rather than reading every row of a large database's entries.
        `notified_only`: only entries a notify rule matched, found from the rule hits (a
        cold refresh of thousands of entries need not read each of them)."""
        if notified_only:
            source = f"""
            SELECT e.id, e.title, f.id, f.url, {_FEED_TITLE}, f.folder,
                   group_concat(h.rule, ', ')
            FROM rule_hits AS h JOIN entries AS e ON e.id = h.entry_id
                 JOIN feeds AS f ON f.id = e.feed_id
            WHERE h.entry_id > ? AND h.action = 'notify' AND e.first_seen >= ?
                  AND e.hidden != 1 AND f.is_sample = 0
            GROUP BY e.id ORDER BY e.id
            """
        else:
            source = f"""
            SELECT e.id, e.title, f.id, f.url, {_FEED_TITLE}, f.folder,
                   (SELECT group_concat(h.rule, ', ') FROM rule_hits AS h
                    WHERE h.entry_id = e.id AND h.action = 'notify')
            FROM entries AS e JOIN feeds AS f ON f.id = e.feed_id
            WHERE e.id > ? AND e.first_seen >= ? AND e.hidden != 1 AND f.is_sample = 0
            ORDER BY e.id
            """
        rows = self._conn.execute(source, (after_id, since)).fetchall()
        return [Arrival(r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "") for r in rows]

    @_locked
    def newest_entry_id(self) -> int:
        """The highest entry id so far (0: none): every entry stored later has a higher one."""
        row = self._conn.execute("SELECT coalesce(max(id), 0) FROM entries").fetchone()
        return int(row[0])

    @_locked
    def entry_versions(self, entry_id: int) -> list[StoryVersion]:
        """An entry's earlier versions, oldest first (the current text is the entry's)."""
        rows = self._conn.execute(
            "SELECT id, title, summary, content, seen, replaced, source FROM entry_versions"
            " WHERE entry_id = ? ORDER BY id",
            (entry_id,),
        ).fetchall()
        return [StoryVersion(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows]

    @_locked
    def current_text(self, entry_id: int, source: str) -> CurrentText | None:
        """An entry's text now from `source` ('feed' or 'page'; None: no such entry, or no
        page was read for it)."""
        from reader.versions import body_text

        if source == "page":
            row = self._conn.execute(
                "SELECT title, text, seen FROM entry_pages WHERE entry_id = ?", (entry_id,)
            ).fetchone()
            if row is None:
                return None
            return CurrentText("page", row[0] or "", " ".join(row[1].split()), row[2])
        row = self._conn.execute(
            "SELECT title, summary, content, COALESCE(feed_changed, first_seen) FROM entries"
            " WHERE id = ?",
            (entry_id,),
        ).fetchone()
        if row is None:
            return None
        return CurrentText("feed", row[0], body_text(row[2] or row[1]), row[3])

    @_locked
    def version_info(self, entry_ids: Sequence[int]) -> dict[int, tuple[int, float | None]]:
        """For each entry id: (earlier versions kept, when it was last updated or None)."""
        info: dict[int, tuple[int, float | None]] = {}
        for start in range(0, len(entry_ids), 500):
            chunk = list(entry_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self._conn.execute(
                f"SELECT e.id, (SELECT count(*) FROM entry_versions AS v WHERE v.entry_id = e.id),"
                f" e.story_updated FROM entries AS e WHERE e.id IN ({marks})",
                chunk,
            ):
                info[row[0]] = (row[1], row[2])
        return info

    @_locked
    def updated_entries(self, limit: int = 200) -> list[Entry]:
        """Entries whose story changed after they were read, most recently changed first."""
        rows = self._conn.execute(
            f"{_ENTRY_SELECT} AND e.story_updated IS NOT NULL"
            " ORDER BY e.story_updated DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [_entry_from_row(row) for row in rows]

    @_locked
    def prune_versions(self, max_bytes: int) -> int:
        """Drop the oldest versions (of any entry) until all of them fit in `max_bytes`."""
        with self._transaction() as conn:
            cursor = conn.execute(
                """
                DELETE FROM entry_versions WHERE id IN (
                    SELECT id FROM (
                        SELECT id, SUM(size) OVER (ORDER BY id DESC) AS running
                        FROM entry_versions
                    ) WHERE running > ?
                )
                """,
                (max(0, max_bytes),),
            )
        return cursor.rowcount


def _article_json(article: Article) -> str:
    return json.dumps(
        {
            "url": article.url,
            "title": article.title,
            "deck": article.deck,
            "byline": article.byline,
            "published": _to_epoch(article.published),
            "body_html": article.body_html,
            "related": json.loads(_related_json(article.related)),
            "source": article.source,
            "site_name": article.site_name,
            "image": article.image,
        },
        ensure_ascii=False,
    )


def _article_from_json(raw: str) -> Article | None:
    """A damaged cache row is a cache miss, never an error."""
    try:
        data = json.loads(raw)
        return Article(
            url=str(data["url"]),
            title=str(data.get("title") or ""),
            deck=str(data.get("deck") or ""),
            byline=str(data.get("byline") or ""),
            published=_to_datetime(data.get("published")),
            body_html=str(data.get("body_html") or ""),
            related=_related_links(json.dumps(data.get("related") or [])),
            source=str(data.get("source") or "page"),
            site_name=str(data.get("site_name") or ""),
            image=str(data.get("image") or ""),
        )
    except (ValueError, KeyError, TypeError):
        return None


def _feed_from_row(row: tuple[Any, ...]) -> Feed:
    return Feed(
        id=row[0],
        url=row[1],
        title=row[2],
        site_url=row[3],
        etag=row[4],
        last_modified=row[5],
        last_status=row[6],
        last_error=row[7],
        last_fetched=_to_datetime(row[8]),
        is_sample=bool(row[9]),
        full_article=row[10],
        folder=row[11],
        paused=bool(row[12]),
        refresh_minutes=row[13],
        dead=bool(row[14]),
        user_title=row[15],
        not_before=_to_datetime(row[16]),
        wait_reason=row[17] or "",
        failures=row[18],
        last_success=_to_datetime(row[19]),
        unread=row[20],
        total=row[21],
    )


def _entry_from_row(row: tuple[Any, ...]) -> Entry:
    return Entry(
        id=row[0],
        feed_id=row[1],
        key=row[2],
        title=row[3],
        link=row[4],
        author=row[5],
        published=_to_datetime(row[6]),
        updated=_to_datetime(row[7]),
        summary=row[8],
        content=row[9],
        related=_related_links(row[10]),
        read=bool(row[11]),
        starred=bool(row[12]),
        first_seen=_to_datetime(row[13]),
        feed_title=row[14],
        enclosures=_enclosures(row[16]) if len(row) > 16 else (),
        image=(row[17] or "") if len(row) > 17 else "",
        story_updated=_to_datetime(row[18]) if len(row) > 18 else None,
    )


def _one_per_story(rows: Sequence[tuple[Any, ...]]) -> list[Entry]:
    """Rows (ending in canon) to entries, each story once: the first copy, with also_in."""
    first: dict[str, int] = {}
    entries: list[Entry] = []
    also: dict[int, list[str]] = {}
    for row in rows:
        canon = row[15] if len(row) > 15 else ""
        if canon and canon in first:
            names = also.setdefault(first[canon], [])
            if row[14] not in names:
                names.append(row[14])
            continue
        if canon:
            first[canon] = len(entries)
        entries.append(_entry_from_row(row))
    for index, names in also.items():
        entries[index] = replace(entries[index], also_in=tuple(names))
    return entries


def _had_entries(conn: sqlite3.Connection, feed_id: int, newest_before: int) -> bool:
    """Whether the feed had entries before this update: a feed's first (every feed's on a
    cold refresh) has none to fold new GUIDs back into, and skips a query per entry."""
    found = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM entries WHERE feed_id = ? AND id <= ?)",
        (feed_id, newest_before),
    ).fetchone()
    return bool(found[0])


def _fold_reissued(
    conn: sqlite3.Connection,
    rows: Sequence[dict[str, Any]],
    inserted: list[tuple[int, str]],
    newest_before: int,
) -> list[tuple[int, str]]:
    """Entries just inserted that are an older entry of the feed under a new GUID (the same
    link and title, and the old key is not in this document) go back into that entry, so a
    feed that mints new GUIDs on every fetch does not grow by its stories each refresh.
    Returns the entries that really are new."""
    by_key = {row["key"]: row for row in rows}
    new: list[tuple[int, str]] = []
    for entry_id, key in inserted:
        row = by_key.get(key)
        old_key = None
        if row is not None and row["link"]:
            old_key = next(
                (
                    found
                    for (found,) in conn.execute(
                        "SELECT key FROM entries AS e WHERE e.feed_id = :feed_id"
                        f" AND e.title = :title AND e.id <= :before AND {_BY_LINK}"
                        " ORDER BY e.id DESC LIMIT 8",
                        {**row, "before": newest_before},
                    )
                    if found not in by_key
                ),
                None,
            )
        if row is None or old_key is None:
            new.append((entry_id, key))
            continue
        conn.execute("DELETE FROM entries WHERE id = ?", (entry_id,))
        conn.execute(_UPSERT_ENTRY, {**row, "key": old_key})
    return new


def _categories(stored: str) -> tuple[str, ...]:
    """An entry's categories as the store keeps them (one per line)."""
    return tuple(stored.split("\n")) if stored else ()


def _with_rule_flags(
    rows: list[dict[str, Any]], hits: dict[str, list[Hit]]
) -> list[dict[str, Any]]:
    """The upsert parameters with what the rules decided for each new entry."""
    if not hits:
        return rows
    flagged = []
    for row in rows:
        found = hits.get(row["key"])
        if found:
            actions = {hit.rule.action for hit in found}
            row = {
                **row,
                "rule_read": int("read" in actions),
                "rule_hide": int("hide" in actions),
                "rule_star": int("star" in actions),
            }
        flagged.append(row)
    return flagged


def _entry_params(feed_id: int, entry: Entry, now: float, canon: str) -> dict[str, Any]:
    return {
        "feed_id": feed_id,
        "key": entry.key,
        "title": entry.title or "",
        "author": entry.author or "",
        "link": entry.link or "",
        "published": _to_epoch(entry.published),
        "updated": _to_epoch(entry.updated),
        "summary": entry.summary or "",
        "content": entry.content or "",
        "related": _related_json(entry.related),
        "enclosures": _enclosures_json(entry.enclosures),
        "image": entry.image or "",
        "categories": "\n".join(entry.categories),
        "now": now,
        "canon": canon,
        # What rules decide for a new entry goes in with its row (see Store._rules_for_new):
        # an UPDATE afterwards would rewrite the whole row, body and all.
        "rule_read": 0,
        "rule_hide": 0,
        "rule_star": 0,
    }
