"""Child process for the startup benchmark: start the TUI headless, report when it is usable.

    python -m bench.tui_start --data-dir DIR [--spawned-at EPOCH] [--refresh-all]

Builds the app the way `newsreader --data-dir DIR` does (same store, same settings) and runs
it with `App.run_test` (headless, 120x40). "Usable" is the first frame the app composes after
the feeds pane lists every feed and the entries pane shows the first feed's entries (with
`--refresh-all`, whose store is fresh, only the feeds). Prints
one JSON line: seconds from `--spawned-at` (the parent's clock just before it started this
process; else this process's own start) to usable, the feed and entry counts on screen, and
peak RSS so far. Exits at once after that; a 120 s watchdog bounds it.

With `--refresh-all`, it then presses `R` (refresh every feed) and measures, until the
status line says "Refreshed", the longest gap between 10 ms ticks of the event loop (how
long the UI froze) and the longest gap between frames.
"""

from __future__ import annotations

import time

STARTED = time.time()

import argparse  # noqa: E402  (the clock above starts before any import)
import asyncio  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402

from textual import events  # noqa: E402
from textual.pilot import Pilot  # noqa: E402

from reader.config import load_settings  # noqa: E402
from reader.paths import resolve_paths  # noqa: E402
from reader.store import Store  # noqa: E402
from reader.ui.app import NewsReaderApp  # noqa: E402

WATCHDOG = 120.0
SIZE = (120, 40)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    """Resident memory now (VmRSS), not the high-water mark: whether it stays flat."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class FrameClock:
    """Records when the app composes a frame (its `_display` runs even when headless)."""

    def __init__(self, app: NewsReaderApp) -> None:
        self.times: list[float] = []
        original = app._display

        def display(screen, renderable):  # type: ignore[no-untyped-def]
            if renderable is not None:
                self.times.append(time.perf_counter())
            return original(screen, renderable)

        app._display = display  # type: ignore[method-assign]

    async def next_frame(self, after: float, timeout: float = 5.0) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            for t in self.times:
                if t >= after:
                    return t
            await asyncio.sleep(0.001)
        return time.perf_counter()


class Ticker:
    """A 10 ms asyncio ticker on the app's loop: the longest gap is the longest freeze."""

    def __init__(self, period: float = 0.01) -> None:
        self.period = period
        self.max_gap = 0.0
        self.gaps: list[float] = []
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(self.period)
            now = time.perf_counter()
            gap = now - last
            self.gaps.append(gap)
            self.max_gap = max(self.max_gap, gap)
            last = now

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


async def run(args: argparse.Namespace) -> dict:
    slow = os.environ.get("NR_SLOW_CALLBACKS")
    if slow:
        asyncio.get_running_loop().slow_callback_duration = float(slow)
    paths = resolve_paths(args.data_dir)
    settings = load_settings(paths.config_file)
    store = Store(paths.db_path)
    expected_feeds = max(1, args.expect_feeds)
    app = NewsReaderApp(store, settings)
    frames = FrameClock(app)
    result: dict = {}
    try:
        async with app.run_test(headless=True, size=SIZE) as pilot:
            feeds = app.screen.query_one("#feed-list")
            entries = app.screen.query_one("#entries")
            while True:
                # A fresh store (the refresh run) has no entries to wait for yet.
                if feeds.option_count >= expected_feeds and (
                    entries.option_count > 0 or args.refresh_all
                ):
                    break
                await asyncio.sleep(0.001)
            ready = time.perf_counter()
            drawn = await frames.next_frame(ready)
            usable = time.time() - (time.perf_counter() - drawn)
            result.update(
                usable_s=usable - (args.spawned_at or STARTED),
                feeds_shown=feeds.option_count,
                entries_shown=entries.option_count,
                rss_mb=_rss_mb(),
            )
            if args.refresh_all:
                result.update(await _refresh_all(app, pilot, frames, args.watchdog - 10))
                # Then R again and again (the server now answers 304, or the feeds are
                # still fresh): a long-running reader must not grow (newsboat #3210).
                rss_after = [_current_rss_mb()]
                for _ in range(args.repeat):
                    await _refresh_all(app, pilot, frames, args.watchdog - 10)
                    rss_after.append(_current_rss_mb())
                result["rss_after_each_refresh_mb"] = [round(x, 1) for x in rss_after]
    finally:
        store.close()
    return result


async def _refresh_all(
    app: NewsReaderApp, pilot: Pilot[None], frames: FrameClock, limit: float
) -> dict:
    status = app.screen.query_one("#status")
    ticker = Ticker()
    ticker.start()
    await asyncio.sleep(0.2)
    idle_gap = ticker.max_gap
    ticker.max_gap = 0.0
    first_frame = len(frames.times)
    started = time.perf_counter()
    key = events.Key("R", "R")  # as the driver delivers it: Pilot.press waits for idle
    key.set_sender(app)
    app._driver.send_message(key)
    deadline = started + limit
    worker = None
    ended_at = None
    failure = None
    while time.perf_counter() < deadline:
        text = str(status.render())
        if text.startswith("Refreshed"):
            break
        if worker is None:
            worker = next((w for w in app.workers if w.group == "refresh"), None)
            if worker is None and time.perf_counter() - started > 5.0:
                failure = f"no refresh running 5 s after R, status {text[:100]!r}"
                break
        elif worker.is_finished:
            # The refresh worker ended but no summary came: it failed or was cancelled.
            ended_at = ended_at or time.perf_counter()
            if time.perf_counter() - ended_at > 2.0:
                failure = f"refresh worker {worker.state.name}: {worker.error!r}"[:500]
                break
        await asyncio.sleep(0.01)
    took = time.perf_counter() - started
    ticker.stop()
    seen = frames.times[first_frame:]
    frame_gaps = [b - a for a, b in itertools.pairwise(seen)]
    return {
        "refresh_s": took,
        "refresh_status": str(status.render())[:200],
        "max_loop_gap_ms": ticker.max_gap * 1000,
        "idle_loop_gap_ms": idle_gap * 1000,
        "loop_gaps_over_100ms": sum(g > 0.1 for g in ticker.gaps),
        "frames": len(seen),
        "max_frame_gap_ms": max(frame_gaps, default=0.0) * 1000,
        "rss_after_refresh_mb": _rss_mb(),
        **({"error": failure} if failure else {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--spawned-at", type=float, default=None)
    parser.add_argument(
        "--expect-feeds", type=int, default=1, help="wait until the feeds pane lists this many"
    )
    parser.add_argument("--refresh-all", action="store_true")
    parser.add_argument(
        "--repeat", type=int, default=0, help="with --refresh-all: press R this many more times"
    )
    parser.add_argument("--watchdog", type=float, default=WATCHDOG)
    args = parser.parse_args()
    timer = threading.Timer(args.watchdog, lambda: _bail(args.watchdog))
    timer.daemon = True
    timer.start()
    # NR_SLOW_CALLBACKS=0.08: asyncio's debug mode names every callback that held the loop
    # longer than that (on stderr): what a long gap was spent on.
    slow = os.environ.get("NR_SLOW_CALLBACKS")
    if slow:
        logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    result = asyncio.run(run(args), debug=bool(slow))
    print(json.dumps(result), flush=True)


def _bail(after: float) -> None:
    print(json.dumps({"error": f"watchdog: not usable after {after:g} s"}), flush=True)
    sys.stdout.flush()
    import os

    os._exit(3)


if __name__ == "__main__":
    main()
