"""A big refresh's write-ahead log is copied into the database by a thread beside the
writers, so it stays short and nothing is left uncopied when the refresh ends."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from reader.checkpoint import Checkpointer
from reader.models import Entry, ParsedFeed
from reader.store import Store


def test_the_checkpointer_copies_what_writers_that_leave_checkpoints_commit(
    tmp_path: Path,
) -> None:
    path = tmp_path / "n.db"
    gate = threading.Lock()
    body = "<p>" + "words of a long story " * 400 + "</p>"
    with Store(path) as writer:
        writer.write_gate = gate
        writer.leave_checkpoints()
        feed, _ = writer.add_feed("http://a.example/feed")

        def store_batch(n: int) -> None:
            entries = tuple(
                Entry(key=f"{n}-{i}", title=f"S{n}-{i}", content=body) for i in range(50)
            )
            writer.apply_update(feed.id, ParsedFeed("A", entries=entries))

        for n in range(8):
            store_batch(n)
        wal = Path(f"{path}-wal")
        grown = wal.stat().st_size
        assert grown > 4_100_000  # past SQLite's own 1000-page checkpoint: it left it alone
        checkpointer = Checkpointer(path, gate).start()
        checkpointer.stop()
        checkpointer.join()
        assert checkpointer.checkpoints >= 1
        # Everything committed is in the database file: a checkpoint finds nothing left.
        with sqlite3.connect(path) as other:
            busy, log, copied = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert busy == 0 and log == copied
        # So the next writer starts the log over instead of growing it.
        for n in range(8, 12):
            store_batch(n)
        assert wal.stat().st_size == grown
        assert len(writer.list_entries(feed.id)) == 600
        assert [h.entry.title for h in writer.search("S11-49")][:1] == ["S11-49"]


def test_a_checkpointer_never_stopped_does_not_keep_the_program_alive(tmp_path: Path) -> None:
    """A refresh that never reached `stop` (the app torn down mid-refresh): the process
    still exits, after the thread's last checkpoint."""
    import subprocess
    import sys

    path = tmp_path / "n.db"
    Store(path).close()
    script = (
        "from pathlib import Path; from reader.checkpoint import Checkpointer;"
        f" Checkpointer(Path({str(path)!r})).start()"
    )
    done = subprocess.run([sys.executable, "-c", script], timeout=30, check=False)
    assert done.returncode == 0
