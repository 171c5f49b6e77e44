"""Copying a big refresh's write-ahead log into the database, beside the writers.

SQLite in WAL mode copies the log into the database file (a checkpoint) at the end of
whichever commit takes the log past 1000 pages: on a cold refresh that is every few feeds,
and it runs inside a parse worker's write transaction, with the write gate held, so the
other worker waits while pages are copied and synced to disk. During a refresh the workers
leave checkpoints alone (`Store.leave_checkpoints`) and this thread makes them instead,
without the gate, so copying overlaps storing; a short second pass with the gate held lets
the next writer start the log from its beginning again, which keeps it bounded.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

CHECKPOINT_EVERY = 0.25
"""Seconds between checkpoints: the log then holds a few feeds' pages (tens of MB at most)."""


class Checkpointer:
    """A thread that checkpoints `path`'s log every CHECKPOINT_EVERY seconds until `stop`."""

    def __init__(
        self, path: Path, write_gate: AbstractContextManager[object] | None = None
    ) -> None:
        self.path = path
        self.write_gate = write_gate
        self.checkpoints = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint")

    def start(self) -> Checkpointer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop after one last checkpoint, so the refresh leaves a short log behind. Does not
        wait for it (the caller may be an event loop); the thread is not a daemon, so a
        process that exits still finishes it first."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            return
        try:
            conn.execute("PRAGMA busy_timeout = 5000")
            # Also ends when the program does (its main thread has returned), should a
            # refresh never reach `stop`: this thread must not keep a process alive.
            main = threading.main_thread()
            while not self._stop.wait(CHECKPOINT_EVERY) and main.is_alive():
                self._checkpoint(conn)
            self._checkpoint(conn)
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            # PASSIVE never waits for a writer: most pages are copied while workers store.
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            # Then the few pages committed meanwhile, with writers held off, so the log is
            # wholly copied and the next writer starts it from the beginning again.
            with self.write_gate or nullcontext():
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.checkpoints += 1
        except sqlite3.Error:
            pass  # busy or gone: the next round, or the next connection's own checkpoint
