"""The private Textual API newsreader relies on (reader/ui/compat.py) is still there."""

from __future__ import annotations

from textual import events

from reader.ui.compat import key_was_stopped


def test_a_stopped_message_is_seen_as_stopped() -> None:
    key = events.Key("m", "m")
    assert not key_was_stopped(key)
    key.stop()
    assert key_was_stopped(key)
