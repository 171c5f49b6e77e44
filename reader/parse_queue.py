"""Handing a refresh's downloaded feeds to the parse worker processes.

A worker is given every body that queued up while it was busy (up to `MAX_BATCH`) as one
job, and stores them in one transaction (`reader.feeds.worker.parse_and_store_jobs`). On a
cold refresh the network outruns the parsers, so bodies do queue up, and the writes (one
writer at a time: the serial part of a refresh) cost less together than one by one. When
the workers keep up, each job is a single feed, as before.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager

from reader.feeds.worker import Job, StoredFeed, parse_and_store_jobs
from reader.models import ParsedFeed

MAX_BATCH = 4
"""Feeds in one job at most: each parsed feed waits in the worker's memory (~1 MB of text
for a big feed) until the batch is stored."""

Outcome = ParsedFeed | StoredFeed | Exception


@contextmanager
def starting_workers() -> Iterator[None]:
    """What starting a worker process needs from this one, for the time it takes.

    The real stdout/stderr: starting a worker passes their file descriptors to the child,
    and under the TUI Textual has replaced them with objects that have none ("bad value(s)
    in fds_to_keep"). And no main script: multiprocessing re-runs the program's main file
    in every worker, and for the `newsreader` command that imports the whole CLI (settings,
    notifications, the HTTP client: ~10 MB a worker) where a worker needs only
    `reader.feeds.worker`."""
    saved = sys.stdout, sys.stderr
    main = sys.modules.get("__main__")
    main_file = getattr(main, "__file__", None)
    try:
        sys.stdout = sys.__stdout__ or saved[0]
        sys.stderr = sys.__stderr__ or saved[1]
        if main_file is not None:
            del main.__file__  # type: ignore[union-attr]
        yield
    finally:
        sys.stdout, sys.stderr = saved
        if main_file is not None:
            main.__file__ = main_file  # type: ignore[union-attr]


def _submit(pool: Executor, jobs: list[Job]) -> Future[list[Outcome]]:
    with starting_workers():  # a submit may start a worker process
        return pool.submit(parse_and_store_jobs, jobs)


class ParseQueue:
    """Feeds waiting for a parse worker; at most `workers` jobs under way at once."""

    def __init__(self, pool: Executor, workers: int) -> None:
        self._pool = pool
        self._free = max(1, workers)
        self._waiting: list[tuple[Job, asyncio.Future[Outcome]]] = []
        self._running: set[asyncio.Task[None]] = set()
        self._closed = False

    async def run(self, job: Job) -> ParsedFeed | StoredFeed:
        """Parse (and store) one feed in a worker; its exception is raised here. Errors of
        the pool itself (BrokenExecutor, OSError, ...) are raised too: the caller parses
        in a thread instead."""
        outcome: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting.append((job, outcome))
        self._dispatch()
        result = await outcome
        if isinstance(result, Exception):
            raise result
        return result

    def close(self) -> None:
        """Start no more jobs, and stop waiting for those under way (the refresh is over or
        was cancelled)."""
        self._closed = True
        for task in self._running:
            task.cancel()

    def _dispatch(self) -> None:
        self._waiting = [(job, outcome) for job, outcome in self._waiting if not outcome.done()]
        while self._free and self._waiting and not self._closed:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            self._free -= 1
            task = asyncio.create_task(self._run(batch))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run(self, batch: list[tuple[Job, asyncio.Future[Outcome]]]) -> None:
        outcomes = [outcome for _, outcome in batch]
        try:
            # From a thread: a submit may start a worker process (tens of ms).
            future = await asyncio.to_thread(_submit, self._pool, [job for job, _ in batch])
            results = await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            for outcome in outcomes:
                outcome.cancel()
            raise
        except Exception as exc:  # the pool's own failure: every feed of the batch gets it
            for outcome in outcomes:
                if not outcome.done():
                    outcome.set_exception(exc)
        else:
            for outcome, result in zip(outcomes, results, strict=True):
                if not outcome.done():
                    outcome.set_result(result)
        finally:
            self._free += 1
            self._dispatch()
