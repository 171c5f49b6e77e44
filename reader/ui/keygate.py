"""Keys typed in one burst after a key that opens a dialog (or the palette) belong to it.

A dialog is on top of the screen stack at once, but its input gets focus only after it has
mounted; keys that arrive meanwhile would reach no input. The app holds them here until
the new screen has a focused widget, then hands them on in the order they were typed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import events
from textual.screen import Screen

MAX_WAIT = 0.5
"""Seconds to hold keys at most (a screen with nothing to focus gets them then)."""


class KeyGate:
    """Holds key and paste events while a newly pushed screen has no focus yet."""

    def __init__(self) -> None:
        self.base: Screen[object] | None = None
        """The screen that was on top when the gate closed."""
        self.held: list[events.Event] = []
        self.waited = 0.0

    @property
    def closed(self) -> bool:
        return self.base is not None

    def close(self, base: Screen[object]) -> None:
        """Start holding keys until a screen above `base` has focus."""
        self.base = base
        self.waited = 0.0

    def ready(self, top: Screen[object]) -> bool:
        """True when the keys may go on: a new screen is on top and something in it has
        focus, or the gate has waited long enough (or the new screen is already gone)."""
        if self.base is None:
            return True
        if top is self.base:
            return self.waited > 0.05  # dismissed already, or never pushed
        return top.focused is not None or self.waited >= MAX_WAIT

    def hold(self, event: events.Event) -> bool:
        """Keep a key or paste for later; False for other events (or an open gate)."""
        if self.base is None or not isinstance(event, (events.Key, events.Paste)):
            return False
        self.held.append(event)
        return True

    async def release(self, deliver: Callable[[events.Event], Awaitable[None]]) -> None:
        """Open the gate and deliver the held events, oldest first."""
        held, self.held, self.base = self.held, [], None
        for event in held:
            await deliver(event)
