"""The search index after migration 20 (it keeps no copy of the text): a store made with
the old layout still finds its entries and pages, and keeps in step afterwards."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import reader.store as store_module
from reader.models import Article, Entry, ParsedFeed
from reader.store import Store

OLD_LAYOUT = 19
"""The last schema version whose search index kept its own copy of the text."""


def titles(store: Store, text: str) -> list[str]:
    return sorted(h.entry.title for h in store.search(text))


def test_a_store_from_the_old_layout_still_finds_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "n.db"
    with monkeypatch.context() as m:
        m.setattr(store_module, "SCHEMA_VERSION", OLD_LAYOUT)
        with Store(path) as old:
            feed, _ = old.add_feed("http://tech/")
            old.apply_update(
                feed.id,
                ParsedFeed(
                    "Tech",
                    entries=(
                        Entry(key="1", title="Qubits", content="<p>Entanglement &amp; more</p>"),
                        Entry(key="2", title="Digest", summary="Photonics", link="http://t/2"),
                    ),
                ),
            )
            # Reader mode's page text, as the old layout stored it: in the index's own copy.
            old._conn.execute(
                "UPDATE entries_fts SET page = 'Topology' WHERE rowid IN"
                " (SELECT id FROM entries WHERE link = 'http://t/2')"
            )
    with Store(path) as store:
        version = store._conn.execute("PRAGMA user_version").fetchone()[0]
        assert version == store_module.SCHEMA_VERSION > OLD_LAYOUT
        assert titles(store, "entanglement") == ["Qubits"]
        assert titles(store, "photonics") == ["Digest"]
        assert titles(store, "topology") == ["Digest"]
        # The index no longer holds a copy of the text.
        content = store._conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'entries_fts_content'"
        ).fetchone()[0]
        assert content == 0
        # It follows changes and deletions afterwards.
        feed_id = store.list_feeds()[0].id
        store.apply_update(
            feed_id,
            ParsedFeed("Tech", entries=(Entry(key="2", title="Digest", summary="Lasers"),)),
        )
        assert titles(store, "photonics") == [] and titles(store, "lasers") == ["Digest"]
        assert titles(store, "topology") == ["Digest"]  # its page is still indexed
        store.remove_feed(feed_id)
        for word in ("entanglement", "lasers", "topology", "qubits"):
            assert titles(store, word) == []
        assert _index_is_sound(store)


def test_the_index_stays_sound_through_pages_updates_and_deletes(tmp_path: Path) -> None:
    """The index is told the words an entry had to take it out: done right, FTS5's own
    integrity check passes and no word of a changed or removed entry is left behind."""
    with Store(tmp_path / "n.db") as store:
        feed, _ = store.add_feed("http://tech/")

        def update(*entries: Entry) -> None:
            store.apply_update(feed.id, ParsedFeed("Tech", entries=entries))

        update(
            Entry(key="a", title="Alpha", content="<p>one</p>", link="http://t/a"),
            Entry(key="b", title="Beta", content="<p>two</p>", link="http://t/b"),
        )
        store.put_page("http://t/a", Article(url="http://t/a", title="", body_html="<p>Apple</p>"))
        store.put_page("http://t/a", Article(url="http://t/a", title="", body_html="<p>Pear</p>"))
        assert titles(store, "apple") == [] and titles(store, "pear") == ["Alpha"]
        update(
            Entry(key="a", title="Alpha two", content="<p>three</p>", link="http://t/a"),
            Entry(key="b", title="Beta", content="<p>two</p>", link="http://t/b"),
        )
        assert titles(store, "one") == [] and titles(store, "three") == ["Alpha two"]
        assert titles(store, "pear") == ["Alpha two"]
        # A feed that mints a new GUID for the same story: folded back into the old entry.
        update(
            Entry(key="a2", title="Alpha two", content="<p>four</p>", link="http://t/a"),
            Entry(key="b", title="Beta", content="<p>two</p>", link="http://t/b"),
        )
        assert titles(store, "four") == ["Alpha two"] and titles(store, "three") == []
        assert len(store.list_entries(feed.id)) == 2
        store.remove_feed(feed.id)
        for word in ("alpha", "beta", "pear", "two", "four"):
            assert titles(store, word) == []
        assert _index_is_sound(store)


def _index_is_sound(store: Store) -> bool:
    try:
        store._conn.execute(
            "INSERT INTO entries_fts (entries_fts, rank) VALUES ('integrity-check', 0)"
        )
    except sqlite3.DatabaseError:
        return False
    rows = store._conn.execute("SELECT count(*) FROM entries_fts_vocab").fetchone()[0]
    return rows == 0


AWKWARD_BODIES = [
    "<p>line\none</p>\n\n<p>\ttabbed  doubled</p>",
    "no\u00a0break\u3000ideographic\u2003em\u2029para",
    "<div>&nbsp;entity&#10;newline&#9;tab</div> <br/>end ",
    "  leading and trailing  ",
    "word " * 20_000 + "beyond",  # longer than MAX_INDEXED_CHARS: cut where plain_text cuts
    "x \n\n" * 20_000 + "tail",  # fits once collapsed: found whole, as with plain_text
]


def test_new_entries_are_indexed_with_exactly_the_terms_of_plain_text() -> None:
    """A refresh indexes `index_text` (whitespace as it came) while deletes and updates tell
    the index `plain_text` (whitespace collapsed): the two must give the same terms at the
    same positions, or taking an entry out would leave words behind."""
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(body, content='',"
        " tokenize = 'unicode61 remove_diacritics 2')"
    )
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    for i, body in enumerate(AWKWARD_BODIES):
        conn.execute("INSERT INTO t (t) VALUES ('delete-all')")
        conn.execute(
            "INSERT INTO t (rowid, body) VALUES (?, ?)", (i, store_module.plain_text(body))
        )
        expected = conn.execute("SELECT term, col, offset FROM v ORDER BY 1, 2, 3").fetchall()
        conn.execute("INSERT INTO t (t) VALUES ('delete-all')")
        conn.execute(
            "INSERT INTO t (rowid, body) VALUES (?, ?)", (i, store_module.index_text(body))
        )
        got = conn.execute("SELECT term, col, offset FROM v ORDER BY 1, 2, 3").fetchall()
        assert got == expected and expected, body[:40]


def test_entries_indexed_by_a_refresh_come_out_cleanly(tmp_path: Path) -> None:
    """Stored the way a parse worker hands them over (`derive`), changed, then removed:
    no word is left in the index and FTS5's integrity check passes."""
    with Store(tmp_path / "n.db") as store:
        feed, _ = store.add_feed("http://tech/")
        entries = tuple(
            Entry(key=str(i), title=f"T{i}", content=body, link=f"http://t/{i}")
            for i, body in enumerate(AWKWARD_BODIES)
        )
        store.apply_update(feed.id, store_module.derive(ParsedFeed("Tech", entries=entries)))
        assert titles(store, "tabbed doubled") == ["T0"]
        assert titles(store, "ideographic") == ["T1"]
        assert titles(store, "beyond") == []  # past the indexed start, as before
        assert titles(store, "tail") == ["T5"]
        changed = tuple(
            Entry(key=e.key, title=e.title, content=e.content + " <i>changed</i>", link=e.link)
            for e in entries
        )
        store.apply_update(feed.id, store_module.derive(ParsedFeed("Tech", entries=changed)))
        assert len(titles(store, "changed")) == 5  # the long one is cut before the new word
        store.remove_feed(feed.id)
        assert _index_is_sound(store)
