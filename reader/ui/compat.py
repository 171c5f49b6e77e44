"""Private Textual API, kept in one place so a Textual upgrade breaks here, loudly."""

from __future__ import annotations

from textual.message import Message


def key_was_stopped(message: Message) -> bool:
    """True once a handler called `stop()` on the message (it will bubble no further).

    Textual keeps this in `Message._stop_propagation` (8.x); the app's key serialising
    (reader/ui/app.py) needs it to know a key has been fully handled."""
    return bool(message._stop_propagation)
