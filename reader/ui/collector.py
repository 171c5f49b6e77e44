"""The cyclic garbage collector held off while an article opens.

A collection runs when allocations cross a threshold, so while an article opens it lands
in the frames that mount and draw it: a full one walks every object made since start-up
(10-20 ms with an article's widgets alive). Held from Enter until the article is whole
(at most `HOLD_SECONDS`), the collection comes after it instead. Textual does the same
around smooth scrolling (`App.PAUSE_GC_ON_SCROLL`). Reference counting frees memory as
before; only cycles wait.
"""

from __future__ import annotations

import gc

HOLD_SECONDS = 1.0
"""The longest the collector is held for one article: never off for good."""

_held = False


def hold() -> None:
    """Hold automatic collections, unless they are off already (someone else's choice)."""
    global _held
    if not _held and gc.isenabled():
        gc.disable()
        _held = True


def release() -> None:
    """Let automatic collections run again (a no-op unless `hold` turned them off)."""
    global _held
    if _held:
        _held = False
        gc.enable()


def held() -> bool:
    """Whether `hold` has the collector off."""
    return _held
