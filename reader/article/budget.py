"""A time budget for reading one page, checked between (and inside) extraction steps.

Every step is linear in the page, but a hostile or enormous page can still make linear
work long; a worker that never returns looks like a hung app. Extraction therefore checks a
`Budget` at its steps and in its own loops and gives up with `OutOfTime` (the caller then
shows the feed's own text). A step inside a library (lxml, readability) cannot be cut
short, so the tree it gets is bounded in size first.

The budget is CPU time of the reading thread, so it bounds the work whatever else the
machine is busy with; wall time gets `WALL_FACTOR` times as long, so a starved thread
still stops.
"""

from __future__ import annotations

import time

__all__ = ["WALL_FACTOR", "Budget", "OutOfTime"]

WALL_FACTOR = 3.0


class OutOfTime(Exception):
    """The page's budget ran out; `str()` says after how long."""


class Budget:
    """`seconds` of this thread's CPU time from now (None: no limit)."""

    __slots__ = ("_cpu_deadline", "_wall_deadline", "seconds")

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._cpu_deadline: float | None = None
        self._wall_deadline: float | None = None
        if seconds is not None:
            self._cpu_deadline = time.thread_time() + seconds
            self._wall_deadline = time.monotonic() + seconds * WALL_FACTOR

    def check(self) -> None:
        """Raise `OutOfTime` once either deadline has passed."""
        if self._cpu_deadline is None or self._wall_deadline is None:
            return
        seconds = self.seconds or 0.0
        if time.thread_time() > self._cpu_deadline:
            raise OutOfTime(f"stopped after {seconds:g} s")
        if time.monotonic() > self._wall_deadline:
            raise OutOfTime(f"stopped after {seconds * WALL_FACTOR:g} s")
