"""The store under crashes, bad files and a second process: nothing lost, nothing overwritten."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.cli import main
from reader.store import Store, StoreError
from tests.server import FixtureServer, Route

FEEDS = 40


def serve_many(server: FixtureServer) -> list[str]:
    body = server.file_body("feed.xml")
    assert body is not None
    for i in range(FEEDS):
        # Each feed a little different, and slow enough that a kill lands mid-refresh.
        server.add_route(
            f"f{i}.xml", Route(body=body.replace(b"signal-desk:", f"f{i}:".encode()), delay=0.05)
        )
    return [server.url(f"f{i}.xml") for i in range(FEEDS)]


def read_state(db: Path) -> dict[tuple[int, str], tuple[int, int]]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT feed_id, key, read, starred FROM entries").fetchall()
    finally:
        conn.close()
    return {(f, k): (r, s) for f, k, r, s in rows}


def test_kill_during_refresh_loses_no_read_state(server: FixtureServer, tmp_path: Path) -> None:
    urls = serve_many(server)
    db = tmp_path / "newsreader.db"
    with Store(db) as store:
        for url in urls:
            store.add_feed(url)
    assert main(["--data-dir", str(tmp_path), "refresh"]) == 0
    with Store(db) as store:  # the user reads and stars some entries
        rng = random.Random(3)
        for feed in store.list_feeds():
            for entry in store.list_entries(feed.id):
                assert entry.id is not None
                if rng.random() < 0.4:
                    store.set_read(entry.id, True)
                if rng.random() < 0.1:
                    store.set_starred(entry.id, True)
    before = read_state(db)
    # Make every feed change so refreshes write: new ETags, new titles.
    for i in range(FEEDS):
        route = server.routes[f"/f{i}.xml"]
        route.body = route.body.replace(b"Signal Desk", b"Signal Desk (changed)")
    rng = random.Random(11)
    for _ in range(5):  # bounded: five kills at random points
        proc = subprocess.Popen(
            [sys.executable, "-m", "reader", "--data-dir", str(tmp_path), "refresh", "--force"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, 1.2))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    after = read_state(db)
    assert {k: v for k, v in after.items() if k in before} == before
    with Store(db) as store:  # and the store opens and works
        assert len(store.list_feeds()) == FEEDS


def test_a_file_that_is_not_a_database_is_reported_and_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "newsreader.db"
    db.write_bytes(b"this is not sqlite")
    with pytest.raises(StoreError, match="left untouched: move it aside"):
        Store(db)
    assert db.read_bytes() == b"this is not sqlite"


def test_another_programs_database_is_never_migrated(tmp_path: Path) -> None:
    db = tmp_path / "newsreader.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="another program"):
        Store(db)
    conn = sqlite3.connect(db)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    conn.close()
    assert tables == ["notes"]


def test_cli_reports_a_broken_store_with_exit_1(tmp_path: Path) -> None:
    (tmp_path / "newsreader.db").write_bytes(b"garbage")
    out = subprocess.run(
        [sys.executable, "-m", "reader", "--data-dir", str(tmp_path), "list"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 1
    assert "move it aside" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_directory_is_a_clear_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(StoreError):
            Store(locked / "newsreader.db")
    finally:
        locked.chmod(0o700)


def test_cli_refresh_while_another_process_holds_the_store(
    server: FixtureServer, tmp_path: Path
) -> None:
    """The TUI and a cron refresh at once: WAL, short transactions and a busy timeout."""
    urls = serve_many(server)
    db = tmp_path / "newsreader.db"
    with Store(db) as store:
        for url in urls[:10]:
            store.add_feed(url)
    tui = Store(db)  # stands in for a running TUI: its own connection, writing as it reads
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "reader", "--data-dir", str(tmp_path), "refresh"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        marks = 0
        while proc.poll() is None:
            for feed in tui.list_feeds():
                for entry in tui.list_entries(feed.id)[:1]:
                    assert entry.id is not None
                    tui.set_read(entry.id, True)
                    marks += 1
        out, errors = proc.communicate(timeout=60)
        assert proc.returncode == 0, errors
        assert out.count("6 new") == 10
        # The running "TUI" sees what the other process fetched.
        assert sum(f.total for f in tui.list_feeds()) == 60
    finally:
        tui.close()
