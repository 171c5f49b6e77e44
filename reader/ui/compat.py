"""Every use of a private Textual API, in one place, so an upgrade that changes one fails
here (tests/test_compat*.py) and not somewhere deep in a screen."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.app import App
from textual.message import Message


def keymap_in_force(app: App[Any]) -> Mapping[str, str]:
    """The app's keymap (binding id -> comma-separated keys, in Textual's long key names),
    as `App.set_keymap` stored it: Textual has no public getter. The help screen and the
    palette show these keys instead of the defaults."""
    keymap = getattr(app, "_keymap", None)
    if not isinstance(keymap, Mapping):
        raise RuntimeError("Textual's App._keymap changed: update reader/ui/compat.py")
    return keymap


def key_was_stopped(message: Message) -> bool:
    """True once a handler called `stop()` on the message (it will bubble no further).

    Textual keeps this in `Message._stop_propagation` (8.x); the app's key serialising
    (reader/ui/app.py) needs it to know a key has been fully handled."""
    return bool(message._stop_propagation)
