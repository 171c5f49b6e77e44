"""Keys typed in one burst after a key that opens a dialog (or the palette) belong to it.

A dialog is on top of the screen stack at once, but its input gets focus only after it has
mounted; keys delivered meanwhile would reach no input. While the gate is closed the app
keeps them waiting (reader/ui/app.py), and hands them on once the new screen has focus.
"""

from __future__ import annotations

from textual.screen import Screen

MAX_WAIT = 0.5
"""Seconds to hold keys at most (a screen with nothing to focus gets them then)."""


class KeyGate:
    """Whether keys must wait for a newly pushed screen to take focus."""

    def __init__(self) -> None:
        self.base: Screen[object] | None = None
        """The screen that was on top when the gate closed (None: open)."""
        self.waited = 0.0
        self.pushing = False
        """A screen is still to come (a worker is fetching what it shows): wait for it."""

    @property
    def closed(self) -> bool:
        return self.base is not None

    def close(self, base: Screen[object], pushing: bool = False) -> None:
        """Hold keys until a screen above `base` has focus; with `pushing`, the screen is
        pushed later (after a worker), so keys wait for it up to MAX_WAIT."""
        self.base = base
        self.waited = 0.0
        self.pushing = pushing

    def open(self) -> None:
        self.base = None

    def ready(self, top: Screen[object]) -> bool:
        """True when keys may go on: a new screen is on top and something in it has focus,
        or the gate has waited long enough (or the new screen is already gone)."""
        if self.base is None:
            return True
        if top is self.base:
            if self.pushing:
                return self.waited >= MAX_WAIT  # not pushed yet (or never will be)
            return self.waited > 0.05  # dismissed already, or never pushed
        return top.focused is not None or self.waited >= MAX_WAIT
