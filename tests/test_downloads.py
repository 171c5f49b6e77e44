"""The download queue against real loopback servers: Range resumes, servers that ignore
Range or drop the connection, the size cap, SSRF refusals, and names no feed can abuse."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from reader.config import Settings
from reader.downloads import Downloader, choose_path
from reader.enclosures import describe, file_name, kind_of, safe_name
from reader.models import Enclosure
from reader.store import Store
from tests.fileserver import BODY, file_server, podcast_feed


def _settings(**kwargs: object) -> Settings:
    return Settings(timeout=5.0, **kwargs)  # type: ignore[arg-type]


async def _download_all(store: Store, folder: Path, **kwargs: object) -> list:
    downloader = Downloader(store, _settings(**kwargs), folder=folder)
    return await downloader.run()


async def test_a_queued_file_is_downloaded_whole_under_the_entry_title(tmp_path: Path) -> None:
    with file_server() as srv, Store(tmp_path / "db") as store:
        (entry,) = podcast_feed(
            store, srv.url("/feed.xml"), [("Ep 1: Hello", srv.url("/ranged/a.mp3"))]
        )
        queued = store.queue_download(entry, entry.enclosures[0])
        assert queued.state == "queued"
        (done,) = await _download_all(store, tmp_path / "files")
        assert done.state == "done", done.error
        path = Path(done.path)
        assert path == tmp_path / "files" / "Loopback Radio" / "Ep 1 Hello.mp3"
        assert path.read_bytes() == BODY
        assert not path.with_name(path.name + ".part").exists()
        assert store.get_download(queued.id).state == "done"  # type: ignore[union-attr]


async def test_a_dropped_download_resumes_with_a_range_request(tmp_path: Path) -> None:
    with file_server() as srv, Store(tmp_path / "db") as store:
        (entry,) = podcast_feed(store, srv.url("/feed.xml"), [("Dropped", srv.url("/drop/a.mp3"))])
        store.queue_download(entry, entry.enclosures[0])
        (done,) = await _download_all(store, tmp_path / "files")
        assert done.state == "done", done.error
        assert Path(done.path).read_bytes() == BODY
        first, second = srv.ranges["/drop/a.mp3"]
        assert first == ""
        assert second == f"bytes={len(BODY) // 2}-"


async def test_a_partial_file_left_by_a_failure_is_resumed_on_retry(tmp_path: Path) -> None:
    with file_server() as srv, Store(tmp_path / "db") as store:
        (entry,) = podcast_feed(store, srv.url("/feed.xml"), [("Again", srv.url("/ranged/b.mp3"))])
        item = store.queue_download(entry, entry.enclosures[0])
        path = choose_path(tmp_path / "files", item)
        path.parent.mkdir(parents=True)
        path.with_name(path.name + ".part").write_bytes(BODY[:1234])
        store.update_download(item.id, state="failed", error="boom", path=str(path))
        assert store.retry_download(item.id)
        (done,) = await _download_all(store, tmp_path / "files")
        assert done.state == "done", done.error
        assert Path(done.path) == path
        assert path.read_bytes() == BODY
        assert srv.ranges["/ranged/b.mp3"] == ["bytes=1234-"]


async def test_a_server_that_ignores_range_gets_the_whole_file_again(tmp_path: Path) -> None:
    with file_server() as srv, Store(tmp_path / "db") as store:
        (entry,) = podcast_feed(store, srv.url("/feed.xml"), [("Plain", srv.url("/plain/c.mp3"))])
        item = store.queue_download(entry, entry.enclosures[0])
        path = choose_path(tmp_path / "files", item)
        path.parent.mkdir(parents=True)
        path.with_name(path.name + ".part").write_bytes(b"stale bytes that must go")
        store.update_download(item.id, path=str(path))
        (done,) = await _download_all(store, tmp_path / "files")
        assert done.state == "done", done.error
        assert srv.ranges["/plain/c.mp3"] == ["bytes=24-"]
        assert path.read_bytes() == BODY  # not the stale bytes followed by the whole file


async def test_the_size_cap_stops_a_declared_or_an_endless_file(tmp_path: Path) -> None:
    with file_server() as srv, Store(tmp_path / "db") as store:
        big, endless = podcast_feed(
            store,
            srv.url("/feed.xml"),
            [("Big", srv.url("/big/d.mp3")), ("Endless", srv.url("/endless/e.mp3"))],
        )
        for entry in (big, endless):
            store.queue_download(entry, entry.enclosures[0])
        results = await _download_all(store, tmp_path / "files", download_max_bytes=1024 * 1024)
        by_title = {d.title: d for d in results}
        assert by_title["Big"].state == "failed"
        assert "50 MiB, larger than the limit of 1 MiB" in by_title["Big"].error
        assert by_title["Endless"].state == "failed"
        assert "larger than the limit of 1 MiB" in by_title["Endless"].error
        assert not list((tmp_path / "files").rglob("*.mp3"))


async def test_a_public_feed_cannot_download_from_the_users_network(tmp_path: Path) -> None:
    with file_server() as srv, Store(tmp_path / "db") as store:
        (entry,) = podcast_feed(
            store, "https://podcasts.invalid/feed.xml", [("Sneaky", srv.url("/ranged/f.mp3"))]
        )
        store.queue_download(entry, entry.enclosures[0])
        (failed,) = await _download_all(store, tmp_path / "files")
        assert failed.state == "failed"
        assert failed.error.startswith("refused 127.0.0.1: a local or private network address")
        assert "/ranged/f.mp3" not in srv.ranges


class _PublicHost(httpx.AsyncHTTPTransport):
    """Sends requests for files.invalid (a public host, as far as the checks can tell: it
    does not resolve) to the loopback server."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "files.invalid":
            request.url = request.url.copy_with(host="127.0.0.1", port=self.port)
        return await super().handle_async_request(request)


async def test_a_redirect_may_not_lead_into_the_users_network(tmp_path: Path) -> None:
    with file_server() as srv, Store(tmp_path / "db") as store:
        (entry,) = podcast_feed(
            store, srv.url("/feed.xml"), [("Hop", "http://files.invalid/to-loopback/g")]
        )
        store.queue_download(entry, entry.enclosures[0])
        port = srv.server.server_address[1]
        downloader = Downloader(
            store, _settings(), folder=tmp_path / "files", transport=_PublicHost(port)
        )
        (failed,) = await downloader.run()
        assert failed.state == "failed"
        assert failed.error == "refused a redirect to 127.0.0.1, a local or private network address"
        assert "/to-loopback/g" in srv.ranges  # asked the public host
        assert "/ranged/x.mp3" not in srv.ranges  # never followed it


async def test_a_feed_on_the_users_own_network_may_download_from_it(tmp_path: Path) -> None:
    with file_server() as srv, Store(tmp_path / "db") as store:
        (entry,) = podcast_feed(store, srv.url("/feed.xml"), [("Local", srv.url("/ranged/h.mp3"))])
        store.queue_download(entry, entry.enclosures[0])
        (done,) = await _download_all(store, tmp_path / "files")
        assert done.state == "done"


async def test_a_non_http_enclosure_is_refused(tmp_path: Path) -> None:
    with Store(tmp_path / "db") as store:
        (entry,) = podcast_feed(store, "http://127.0.0.1:9/feed.xml", [("F", "file:///etc/passwd")])
        store.queue_download(entry, entry.enclosures[0])
        (failed,) = await _download_all(store, tmp_path / "files")
        assert failed.state == "failed"
        assert failed.error.startswith("not an http(s) URL")


async def test_files_download_in_parallel_up_to_the_cap(tmp_path: Path) -> None:
    with file_server() as srv, Store(tmp_path / "db") as store:
        entries = podcast_feed(
            store,
            srv.url("/feed.xml"),
            [(f"Ep {n}", srv.url(f"/ranged/{n}.mp3")) for n in range(5)],
        )
        for entry in entries:
            store.queue_download(entry, entry.enclosures[0])
        results = await _download_all(store, tmp_path / "files", downloads_at_once=3)
        assert sorted(d.title for d in results) == [f"Ep {n}" for n in range(5)]
        assert all(d.state == "done" for d in results)
        assert all(Path(d.path).read_bytes() == BODY for d in results)


async def test_the_same_title_twice_gets_two_files(tmp_path: Path) -> None:
    with file_server() as srv, Store(tmp_path / "db") as store:
        entries = podcast_feed(
            store,
            srv.url("/feed.xml"),
            [("Same", srv.url("/ranged/1.mp3")), ("Same", srv.url("/ranged/2.mp3"))],
        )
        for entry in entries:
            store.queue_download(entry, entry.enclosures[0])
        results = await _download_all(store, tmp_path / "files", downloads_at_once=1)
        names = sorted(Path(d.path).name for d in results)
        assert names == ["Same (2).mp3", "Same.mp3"]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("../../etc/passwd", "etc passwd.mp3"),
        ("/absolute/path", "absolute path.mp3"),
        ("..", "download.mp3"),
        (".hidden", "hidden.mp3"),
        ("CON", "download CON.mp3"),
        ("nul.txt", "download nul.txt.mp3"),
        ("bell\x07and\x1b[31mred", "bellandred.mp3"),
        ("back\\slash:colon*star?", "back slash colon star.mp3"),
        ("right\u202eto-left", "rightto-left.mp3"),
        ("-rf --no-preserve-root", "rf --no-preserve-root.mp3"),
        ("x" * 500, "x" * 120 + ".mp3"),
    ],
)
def test_hostile_titles_make_safe_file_names(title: str, expected: str) -> None:
    enclosure = Enclosure("https://cdn.example/audio.mp3", "audio/mpeg")
    assert file_name(enclosure, title) == expected


def test_a_name_comes_from_the_url_when_the_entry_has_no_title() -> None:
    enclosure = Enclosure("https://cdn.example/shows/%2E%2E%2Fescape.mp3?x=1", "audio/mpeg")
    assert file_name(enclosure, "") == "escape.mp3"
    assert file_name(Enclosure("https://cdn.example/", "video/mp4"), "") == "download.mp4"


def test_hostile_feed_titles_stay_inside_the_folder(tmp_path: Path) -> None:
    from dataclasses import replace

    from reader.store_downloads import Download

    base = Download(
        1, "https://x.example/a.mp3", None, None, "t", "", "audio/mpeg", "queued", 0,
        None, "", "", "", None, None,  # type: ignore[arg-type]
    )  # fmt: skip
    for feed_title in ("../..", "/etc", "..\\..", "", "~root", ".ssh"):
        path = choose_path(tmp_path, replace(base, feed_title=feed_title))
        assert path.resolve().is_relative_to(tmp_path.resolve())
        assert not path.parent.name.startswith(".")
    assert safe_name("") == "download"


def test_kinds_and_descriptions() -> None:
    audio = Enclosure("https://x.example/a.mp3", "audio/mpeg", 50_593_792, 3725)
    assert kind_of(audio) == "audio"
    assert describe(audio) == "🎧 audio/mpeg · 48.2 MiB · 1:02:05"
    assert kind_of(Enclosure("https://x.example/v.mp4")) == "video"
    assert kind_of(Enclosure("https://x.example/doc.pdf", "application/pdf")) == "other"


async def test_a_hostile_feed_and_entry_title_still_land_inside_the_folder(
    tmp_path: Path,
) -> None:
    with file_server() as srv, Store(tmp_path / "db") as store:
        (entry,) = podcast_feed(
            store,
            srv.url("/feed.xml"),
            [("../../../outside\n.mp3", srv.url("/ranged/h.mp3"))],
            feed_title="../..",
        )
        store.queue_download(entry, entry.enclosures[0])
        folder = tmp_path / "files"
        (done,) = await _download_all(store, folder)
        assert done.state == "done", done.error
        assert Path(done.path) == folder / "podcast" / "outside .mp3"
        assert not (tmp_path / "outside .mp3").exists()


def test_only_a_download_nobody_has_touched_for_a_minute_is_queued_again(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "db") as store:
        a, b = podcast_feed(
            store,
            "http://127.0.0.1:9/feed.xml",
            [("Live", "https://x.example/1.mp3"), ("Stale", "https://x.example/2.mp3")],
        )
        live = store.queue_download(a, a.enclosures[0])
        stale = store.queue_download(b, b.enclosures[0])
        store.update_download(live.id, state="downloading", bytes=10)
        store.update_download(stale.id, state="downloading", bytes=10)
        with store._conn:  # no public way to age a row
            store._conn.execute("UPDATE downloads SET updated = 0 WHERE id = ?", (stale.id,))
        assert store.requeue_interrupted() == 1
        assert store.get_download(live.id).state == "downloading"  # type: ignore[union-attr]
        assert store.get_download(stale.id).state == "queued"  # type: ignore[union-attr]


def test_new_episodes_leave_out_played_files_and_entries_without_media(tmp_path: Path) -> None:
    with Store(tmp_path / "db") as store:
        a, _b = podcast_feed(
            store,
            "http://127.0.0.1:9/feed.xml",
            [("Heard", "https://x.example/1.mp3"), ("Fresh", "https://x.example/2.mp3")],
        )
        pdf_feed, _ = store.add_feed("http://127.0.0.1:9/docs.xml")
        from reader.models import Entry, ParsedFeed

        doc = Entry("d", "A document", enclosures=(Enclosure("https://x.example/a.pdf"),))
        store.apply_update(pdf_feed.id, ParsedFeed("Docs", entries=(doc,)))
        assert store.new_episode_count() == 2
        store.set_played([a.enclosures[0].url])
        assert [e.title for e in store.episodes()] == ["Fresh"]
        assert store.new_episode_count() == 1
        store.set_played([a.enclosures[0].url], False)
        assert store.new_episode_count() == 2
