"""The bundled Signal Desk sample: a feed and its article pages, read with no network.

It lets a new user read something useful on first start. It is stored like any feed but
flagged `is_sample`, so it is not a subscription: lists hide it once the user has feeds of
their own, and `newsreader --sample` shows it again.
"""

from __future__ import annotations

from reader.models import Feed
from reader.paths import SAMPLE_DIR
from reader.store import Store

SAMPLE_BASE = "https://signal-desk.example"
SAMPLE_FEED_URL = f"{SAMPLE_BASE}/atom-full.xml"
SAMPLE_TITLE = "Signal Desk (sample)"


def sample_file(url: str) -> bytes | None:
    """The bundled bytes behind a sample URL (with `__BASE__` filled in), or None."""
    if not url.startswith(SAMPLE_BASE + "/"):
        return None
    relative = url[len(SAMPLE_BASE) + 1 :].split("?", 1)[0].split("#", 1)[0]
    target = (SAMPLE_DIR / relative).resolve()
    if SAMPLE_DIR.resolve() not in target.parents or not target.is_file():
        return None
    return target.read_bytes().replace(b"__BASE__", SAMPLE_BASE.encode())


def is_sample_url(url: str) -> bool:
    return url.startswith(SAMPLE_BASE + "/")


def load_sample(store: Store) -> Feed:
    """Make sure the sample feed and its entries are in the store (read state is kept)."""
    feed, _created = store.add_feed(SAMPLE_FEED_URL, SAMPLE_TITLE, is_sample=True)
    body = sample_file(SAMPLE_FEED_URL)
    assert body is not None, "the sample feed ships with the package"
    from reader.feeds.parse import parse_feed  # lxml: loaded only when it is needed

    parsed = parse_feed(body, url=SAMPLE_FEED_URL, headers={"content-type": "application/xml"})
    store.apply_update(feed.id, parsed, status=200)
    refreshed = store.get_feed(feed.id)
    assert refreshed is not None
    return refreshed
