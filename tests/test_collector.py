"""The garbage collector held while an article opens: released again, and never turned on
where something else had turned it off."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from reader.ui import collector


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    collector.release()
    gc.enable()
    yield
    collector.release()
    gc.enable()


def test_hold_turns_automatic_collection_off_until_release() -> None:
    collector.hold()
    collector.hold()  # a second article opened meanwhile: still one hold
    assert not gc.isenabled() and collector.held()
    collector.release()
    assert gc.isenabled() and not collector.held()


def test_a_collector_turned_off_elsewhere_stays_off() -> None:
    gc.disable()  # e.g. Textual's PAUSE_GC_ON_SCROLL during a smooth scroll
    collector.hold()
    assert not collector.held()
    collector.release()
    assert not gc.isenabled()
