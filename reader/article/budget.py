"""A time budget for reading one page, checked between (and inside) extraction steps.

The budget is CPU time of the reading thread: it bounds the work, whatever else the
machine is busy with (on a loaded 2-core machine wall time can be several times longer).

Every step is linear in the page, but a hostile or enormous page can still make linear
work long; a worker that never returns looks like a hung app. Extraction therefore checks a
`Budget` at its steps and in its own loops and gives up with `OutOfTime` (the caller then
shows the feed's own text). A step inside a library (lxml, readability) cannot be cut
short, so the tree it gets is bounded in size first.
"""

from __future__ import annotations

import time

__all__ = ["Budget", "OutOfTime"]


class OutOfTime(Exception):
    """The page's budget ran out; `str()` says after how long."""


class Budget:
    """A deadline `seconds` of this thread's CPU time from now (None: no deadline)."""

    __slots__ = ("_deadline", "seconds")

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._deadline = None if seconds is None else time.thread_time() + seconds

    def check(self) -> None:
        """Raise `OutOfTime` once the deadline has passed."""
        if self._deadline is not None and time.thread_time() > self._deadline:
            raise OutOfTime(f"stopped after {self.seconds:g} s")

    def left(self) -> float:
        """Seconds left (infinite without a deadline)."""
        if self._deadline is None:
            return float("inf")
        return self._deadline - time.thread_time()
