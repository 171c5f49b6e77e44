"""Enclosures and lead images: every format's files come out as the same `Enclosure` values.

Each XML document is read by the lxml fast path and by feedparser alone, and both must give
the same enclosures; JSON Feed attachments follow the same rules.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.config import Settings
from reader.feeds.fastparse import parse_fast
from reader.feeds.media import parse_duration
from reader.feeds.parse import parse_feed
from reader.models import Enclosure, Entry
from reader.service import FeedService
from reader.store import Store
from tests.server import FixtureServer, Route

XML = {"content-type": "application/xml; charset=utf-8"}
URL = "https://pod.example/feed.xml"
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
    'xmlns:media="http://search.yahoo.com/mrss/" '
    'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>Pod</title>'
)


def rss(items: str) -> bytes:
    return f"{HEAD}{items}</channel></rss>".encode()


def both(document: bytes) -> tuple[Entry, ...]:
    """The entries, after checking the fast path took the document and feedparser agrees."""
    assert parse_fast(document, XML) is not None
    fast = parse_feed(document, url=URL, headers=XML)
    slow = parse_feed(document, url=URL, headers=XML, fast=False)
    assert fast == slow
    return fast.entries


def test_podcast_episode_has_its_audio_with_size_type_and_itunes_duration() -> None:
    (episode,) = both(
        rss(
            "<item><title>Ep 1</title><guid>ep1</guid>"
            '<enclosure url="/media/ep1.mp3" length="12345678" type="Audio/MPEG"/>'
            "<itunes:duration>1:02:03</itunes:duration>"
            '<itunes:image href="https://pod.example/ep1.jpg"/>'
            "<itunes:episode>1</itunes:episode><itunes:explicit>no</itunes:explicit></item>"
        )
    )
    assert episode.enclosures == (
        Enclosure(
            url="https://pod.example/media/ep1.mp3",
            type="audio/mpeg",
            length=12345678,
            duration=3723,
        ),
    )
    assert episode.image == "https://pod.example/ep1.jpg"


def test_media_group_gives_video_and_thumbnail_and_unsafe_or_repeated_files_are_dropped() -> None:
    (entry,) = both(
        rss(
            "<item><title>Clip</title><link>https://pod.example/2</link>"
            "<media:group>"
            '<media:content url="https://pod.example/big.jpg" medium="image"/>'
            '<media:content url="https://v.example/v.mp4" type="video/mp4" duration="90"'
            ' fileSize="999"/>'
            "</media:group>"
            '<media:thumbnail url="https://pod.example/t.jpg"/>'
            '<enclosure url="javascript:alert(1)" type="audio/mpeg"/>'
            '<enclosure url="https://v.example/v.mp4" type="video/mp4" length="0"/>'
            f'<enclosure url="https://v.example/{"x" * 70000}.mp3" type="audio/mpeg"/>'
            "</item>"
        )
    )
    assert entry.enclosures == (
        Enclosure(url="https://v.example/v.mp4", type="video/mp4", length=999, duration=90),
    )
    assert entry.image == "https://pod.example/t.jpg"


def test_image_media_content_is_the_lead_image_not_a_file() -> None:
    (entry,) = both(
        rss(
            "<item><title>News</title><link>https://pod.example/n</link>"
            '<media:content url="/photo.jpg" medium="image" width="900"/></item>'
        )
    )
    assert entry.enclosures == ()
    assert entry.image == "https://pod.example/photo.jpg"


def test_an_image_enclosure_is_listed_and_is_the_lead_image() -> None:
    (entry,) = both(
        rss(
            "<item><title>Pic</title><link>https://pod.example/p</link>"
            '<enclosure url="https://pod.example/p.png" type="image/png" length="10"/></item>'
        )
    )
    assert [e.url for e in entry.enclosures] == ["https://pod.example/p.png"]
    assert entry.image == "https://pod.example/p.png"


def test_atom_enclosure_links_keep_type_length_and_title() -> None:
    document = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        b"<title>A</title><id>tag:a</id><entry><id>tag:a,1</id><title>E</title>"
        b"<link rel='alternate' href='https://pod.example/e'/>"
        b"<link rel='enclosure' type='audio/ogg' length='42' title='The episode'"
        b" href='/e.ogg'/></entry></feed>"
    )
    (entry,) = both(document)
    assert entry.enclosures == (
        Enclosure(
            url="https://pod.example/e.ogg", type="audio/ogg", length=42, title="The episode"
        ),
    )


def test_json_feed_attachments_follow_the_same_rules() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "J",
            "items": [
                {
                    "id": "1",
                    "title": "Ep",
                    "image": "/cover.jpg",
                    "attachments": [
                        {
                            "url": "/ep.m4a",
                            "mime_type": "audio/x-m4a",
                            "size_in_bytes": 89970236,
                            "duration_in_seconds": 6629,
                            "title": "Episode",
                        },
                        {"url": "/ep.m4a", "mime_type": "audio/mpeg"},
                        {"url": "file:///etc/passwd"},
                        {"url": 7},
                        "not an object",
                    ],
                }
            ],
        }
    ).encode()
    (entry,) = parse_feed(body, url="https://pod.example/feed.json").entries
    assert entry.enclosures == (
        Enclosure(
            url="https://pod.example/ep.m4a",
            type="audio/x-m4a",
            length=89970236,
            duration=6629,
            title="Episode",
        ),
    )
    assert entry.image == "https://pod.example/cover.jpg"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("3600", 3600),
        ("61:05", 3665),
        ("1:01:05", 3665),
        ("01:01:05.5", 3665),
        ("1234.9", 1234),
        (" 5:00 ", 300),
        ("1:75:00", None),
        ("", None),
        ("an hour", None),
        ("0", None),
        ("99999999", None),
        (True, None),
        (90, 90),
    ],
)
def test_durations(value: object, seconds: int | None) -> None:
    assert parse_duration(value) == seconds


async def test_a_refreshed_podcast_keeps_its_episode_files(
    server: FixtureServer, tmp_path: Path
) -> None:
    server.add_route(
        "pod.xml",
        Route(
            body=rss(
                "<item><title>Ep 1</title><guid>ep1</guid>"
                '<enclosure url="/ep1.mp3" length="12345678" type="audio/mpeg"/>'
                "<itunes:duration>45:10</itunes:duration></item>"
            )
        ),
    )
    with Store(tmp_path / "n.db") as store:
        feed, _ = store.add_feed(server.url("pod.xml"))
        await FeedService(store, Settings(timeout=2.0)).refresh()
        (entry,) = store.list_entries(feed.id)
    assert entry.enclosures == (
        Enclosure(
            url=server.url("ep1.mp3"), type="audio/mpeg", length=12345678, duration=45 * 60 + 10
        ),
    )
