"""The polite refresh engine against a loopback server: redirects, 410, Retry-After,
freshness, back-off, --due, per-host cap, and health figures that match the server's counts."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from reader.cli import main
from reader.config import Settings
from reader.feeds.fetch import Fetcher
from reader.health import feed_health
from reader.service import FeedService
from reader.store import Store
from tests.server import FixtureServer, Route


def feed_body(server: FixtureServer) -> bytes:
    body = server.file_body("feed.xml")
    assert body is not None
    return body


async def refresh(store: Store, **kwargs: bool) -> list:  # type: ignore[type-arg]
    return await FeedService(store, Settings(timeout=2.0)).refresh(**kwargs)


async def test_permanent_redirect_rewrites_the_url_temporary_does_not(
    server: FixtureServer, tmp_path: Path
) -> None:
    server.add_route("old.xml", Route(status=301, headers={"Location": server.url("feed.xml")}))
    server.add_route("tmp.xml", Route(status=302, headers={"Location": server.url("feed.xml")}))
    with Store(tmp_path / "n.db") as store:
        moved, _ = store.add_feed(server.url("old.xml"))
        temp, _ = store.add_feed(server.url("tmp.xml"))
        results = {r.feed_id: r for r in await refresh(store)}
        assert results[moved.id].moved_to == server.url("feed.xml")
        assert "moved permanently" in results[moved.id].describe()
        assert store.get_feed(moved.id).url == server.url("feed.xml")  # type: ignore[union-attr]
        assert store.get_feed(temp.id).url == server.url("tmp.xml")  # type: ignore[union-attr]
        assert results[temp.id].new == 6 and results[temp.id].moved_to is None


async def test_gone_retires_the_feed(server: FixtureServer, tmp_path: Path) -> None:
    server.add_route("gone.xml", Route(status=410, body=b"gone", content_type="text/plain"))
    with Store(tmp_path / "n.db") as store:
        feed, _ = store.add_feed(server.url("gone.xml"))
        [result] = await refresh(store)
        assert result.gone and "410" in (result.error or "")
        assert store.get_feed(feed.id).dead  # type: ignore[union-attr]
    # `newsreader refresh` no longer asks for it.
    main(["--data-dir", str(tmp_path), "refresh"])
    assert server.requests["/gone.xml"] == 1


async def test_retry_after_is_honoured_across_runs(server: FixtureServer, tmp_path: Path) -> None:
    server.add_route("busy.xml", Route(status=503, body=b"busy", headers={"Retry-After": "3600"}))
    with Store(tmp_path / "n.db") as store:
        store.add_feed(server.url("busy.xml"))
        [first] = await refresh(store)
        assert "asks to wait 60 min" in (first.error or "")
    with Store(tmp_path / "n.db") as store:  # a later run: not asked again before the hour
        [second] = await refresh(store)
        assert second.skipped and "asked to wait" in second.skipped
        assert server.requests["/busy.xml"] == 1
        [forced] = await refresh(store, force=True)
        assert forced.skipped is None and server.requests["/busy.xml"] == 2


async def test_max_age_keeps_a_fresh_feed_from_being_fetched(
    server: FixtureServer, tmp_path: Path
) -> None:
    server.add_route(
        "fresh.xml", Route(body=feed_body(server), headers={"Cache-Control": "max-age=600"})
    )
    with Store(tmp_path / "n.db") as store:
        store.add_feed(server.url("fresh.xml"))
        await refresh(store)
        [again] = await refresh(store)
        assert again.skipped and "fresh for 10 min" in again.skipped
        assert server.requests["/fresh.xml"] == 1


async def test_back_off_grows_and_resets_on_success(server: FixtureServer, tmp_path: Path) -> None:
    server.add_route("flaky.xml", Route(status=500, body=b"oops"))
    with Store(tmp_path / "n.db") as store:
        feed, _ = store.add_feed(server.url("flaky.xml"))
        waits = []
        for _ in range(3):
            before = time.time()
            await refresh(store, force=True)
            current = store.get_feed(feed.id)
            assert current is not None and current.not_before is not None
            waits.append(current.not_before.timestamp() - before)
        assert current.failures == 3
        assert 5 * 60 <= waits[0] < waits[1] < waits[2] <= 20 * 60 * 1.2
        server.add_route("flaky.xml", Route(body=feed_body(server)))
        await refresh(store, force=True)
        healed = store.get_feed(feed.id)
        assert healed is not None
        assert healed.failures == 0 and healed.not_before is None and healed.last_success


def test_refresh_due_picks_exactly_the_due_feeds(server: FixtureServer, tmp_path: Path) -> None:
    d = str(tmp_path)
    for name in ("feed.xml", "atom-full.xml"):
        assert main(["--data-dir", d, "add", server.url(name), "--no-fetch"]) == 0
    assert main(["--data-dir", d, "refresh", "--due"]) == 0  # never fetched: both due
    assert server.requests["/feed.xml"] == 1 and server.requests["/atom-full.xml"] == 1
    assert main(["--data-dir", d, "refresh", "--due"]) == 0  # just fetched: none due
    assert server.requests["/feed.xml"] == 1 and server.requests["/atom-full.xml"] == 1
    with Store(tmp_path / "newsreader.db") as store:  # an hour and a bit later, for one
        store._conn.execute(
            "UPDATE feeds SET last_fetched = ? WHERE url = ?",
            (time.time() - 3700, server.url("feed.xml")),
        )
    assert main(["--data-dir", d, "refresh", "--due"]) == 0
    assert server.requests["/feed.xml"] == 2 and server.requests["/atom-full.xml"] == 1


def test_health_matches_what_the_server_saw(
    server: FixtureServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = str(tmp_path)
    main(["--data-dir", d, "add", server.url("feed.xml")])  # 200
    main(["--data-dir", d, "refresh"])  # 304
    main(["--data-dir", d, "refresh", "--stats"])  # 304
    out = capsys.readouterr().out
    assert "feeds: 1  200: 0  304: 1  errors: 0" in out
    assert "rules: 0.000 s (CPU)" in out  # nothing stored, no rule run
    assert main(["--data-dir", d, "health", "--json"]) == 0
    [health] = json.loads(capsys.readouterr().out)
    assert health["fetches"] == server.requests["/feed.xml"] == 3
    assert health["not_modified_ratio"] == pytest.approx(2 / 3)
    assert health["bytes"] == len(feed_body(server)) * server.bodies_sent["/feed.xml"]
    assert health["consecutive_failures"] == 0 and health["last_status"] == 304
    with Store(tmp_path / "newsreader.db") as store:
        report = feed_health(store, 60)
        assert report[0].next_due is not None


async def test_per_host_cap_and_a_slow_feed_does_not_hold_others(tmp_path: Path) -> None:
    with FixtureServer() as server:
        body = feed_body(server)
        for i in range(8):
            server.add_route(f"f{i}.xml", Route(body=body, delay=0.2))
        server.add_route("slow.xml", Route(body=body, delay=1.5))
        peak = 0
        active = 0
        lock = asyncio.Lock()

        class Probe(Fetcher):
            async def _get(self, url, headers, allow_private):  # type: ignore[no-untyped-def]
                nonlocal peak, active
                async with lock:
                    active += 1
                    peak = max(peak, active)
                try:
                    return await super()._get(url, headers, allow_private)
                finally:
                    async with lock:
                        active -= 1

        async with Probe(per_host=3, concurrency=16) as fetcher:
            started = time.perf_counter()
            slow = asyncio.create_task(fetcher.fetch(server.url("slow.xml")))
            quick = [fetcher.fetch(server.url(f"f{i}.xml")) for i in range(8)]
            results = await asyncio.gather(*quick)
            quick_done = time.perf_counter() - started
            await slow
        assert all(r.ok for r in results)
        assert peak <= 3  # one host: never more than per_host at once
        assert quick_done < 1.5  # the slow feed held one slot, not the whole run


async def test_health_screen_shows_advice(server: FixtureServer, tmp_path: Path) -> None:
    from reader.ui.app import NewsReaderApp
    from tests.uitools import screen_text, settle

    server.add_route("gone.xml", Route(status=410, body=b"gone", content_type="text/plain"))
    with Store(tmp_path / "n.db") as store:
        store.add_feed(server.url("gone.xml"))
        store.add_feed(server.url("feed.xml"))
        await refresh(store)
        app = NewsReaderApp(store, Settings(timeout=2.0))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("i")
            await settle(pilot)
            text = screen_text(app)
            assert "Feed health" in text
            assert "dead: the server said 410 Gone" in text
            # The figures in the words `newsreader health` uses.
            assert "last 200 · 1 fetch, 4 kB · no conditional responses yet" in text


async def test_a_host_with_many_feeds_does_not_keep_other_sites_waiting(
    tmp_path: Path,
) -> None:
    """Feeds waiting for a busy host's connections hold none of the refresh's slots: the
    other sites' feeds start at once, and the busy host is kept at its full share. (Seven
    feeds: parsed in threads, with no worker processes to wait for.)"""
    with FixtureServer() as server:
        body = feed_body(server)
        for i in range(5):
            server.add_route(f"busy{i}.xml", Route(body=body, delay=0.4))
        for i in range(2):
            server.add_route(f"other{i}.xml", Route(body=body))
        busy = [server.url(f"busy{i}.xml") for i in range(5)]
        # The same server under another host name: another site, as the fetcher counts.
        others = [server.url(f"other{i}.xml").replace("127.0.0.1", "localhost") for i in range(2)]
        settings = Settings(concurrency=3, per_host=2, timeout=5.0)
        with Store(tmp_path / "n.db") as store:
            for url in busy + others:  # the busy site first, as a list sorted by site is
                store.add_feed(url)
            started = time.perf_counter()
            finished: list[tuple[str, float]] = []
            results = await FeedService(store, settings).refresh(
                on_progress=lambda r, done, total: finished.append(
                    (r.url, time.perf_counter() - started)
                )
            )
        assert all(r.ok for r in results), [r.error for r in results if not r.ok]
        order = [url for url, _ in finished]
        assert set(order[:2]) == set(others)  # done before the busy site's first answer
        # Two at a time on the busy host from the start: three rounds of 0.4 s.
        assert finished[-1][1] < 3 * 0.4 + 0.8


def test_writes_wait_for_the_shared_write_gate(tmp_path: Path) -> None:
    """A refresh's parse workers share a lock around their writes (no sleeping in SQLite's
    busy handler): while another writer holds it, a write waits, then goes through."""
    import threading

    gate = threading.Lock()
    with Store(tmp_path / "n.db") as store, Store(tmp_path / "n.db") as reader:
        store.write_gate = gate
        feed, _ = store.add_feed("https://example.org/feed.xml")
        gate.acquire()
        writer = threading.Thread(target=store.record_error, args=(feed.id, "boom", 500))
        writer.start()
        writer.join(0.3)
        assert writer.is_alive()  # waiting for the gate
        assert reader.get_feed(feed.id).last_error is None  # type: ignore[union-attr]
        gate.release()
        writer.join(5)
        assert not writer.is_alive()
        assert reader.get_feed(feed.id).last_error == "boom"  # type: ignore[union-attr]
