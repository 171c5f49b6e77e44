"""Download benchmark (issue 14): a 500 MB enclosure downloaded while the TUI is open.

    python -m bench.download [--mb 500] [--runs 1]

A loopback server in a child process (so it takes no GIL from the measured process) serves
a file of `--mb` MB, made on the fly from one 1 MiB block, with Range support. The app runs
headless (`App.run_test`, 120x40) on a store whose podcast feed names that file, with the
downloads view open (its bars redrawn twice a second: the busiest the UI gets while
downloading). The download is queued as `E`, Enter would queue it, and the script reports:

- the download's wall time and throughput, and that the file has every byte;
- the longest gap between ticks of a 10 ms asyncio timer on the app's loop during the
  download (the longest the UI could not draw a frame or take a key), its 99th percentile,
  and the same measured idle before the download, for comparison;
- the longest gap between frames the app composed (the view redraws at least twice a
  second, so anything near 500 ms is the poll, not a freeze);
- the process's resident memory (VmRSS) before, at its highest during, and after the
  download: "flat" means the highest is within a few MB of before.

Target (issue 14): UI gaps under 100 ms and RSS flat through the whole download.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.tui_start import FrameClock, Ticker, _current_rss_mb

BLOCK = bytes(range(256)) * 4096  # 1 MiB
SIZE = (120, 40)


# -- the server (child process) ---------------------------------------------------------------


def serve(port_file: Path, size: int) -> None:
    """Serve /file.mp3 of `size` bytes (Range supported) until killed."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            start = 0
            wanted = self.headers.get("Range", "")
            if wanted.startswith("bytes="):
                start = int(wanted[6:].split("-", 1)[0] or 0)
            self.send_response(206 if start else 200)
            if start:
                self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Content-Length", str(size - start))
            self.send_header("ETag", '"bench"')
            self.end_headers()
            sent = start
            view = memoryview(BLOCK)
            try:
                while sent < size:
                    offset = sent % len(BLOCK)
                    piece = view[offset : offset + min(len(BLOCK) - offset, size - sent)]
                    self.wfile.write(piece)
                    sent += len(piece)
            except OSError:
                pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_file.write_text(str(httpd.server_address[1]))
    httpd.serve_forever()


# -- the measured process ---------------------------------------------------------------------


async def measure(work: Path, url: str, size: int) -> dict[str, object]:
    from reader.config import Settings
    from reader.models import Enclosure, Entry, ParsedFeed
    from reader.store import Store
    from reader.ui.app import NewsReaderApp

    store = Store(work / "newsreader.db")
    feed, _ = store.add_feed(url.rsplit("/", 1)[0] + "/feed.xml")
    entry = Entry(
        key="big",
        title="A very long episode",
        enclosures=(Enclosure(url, "audio/mpeg", size, 3 * 3600),),
    )
    store.apply_update(feed.id, ParsedFeed(title="Bench Radio", entries=(entry,)))
    settings = Settings(download_dir=str(work / "files"), download_max_bytes=4 * 1024**3)
    app = NewsReaderApp(store, settings)
    result: dict[str, object] = {"mb": size / 1e6}
    async with app.run_test(size=SIZE) as pilot:
        frames = FrameClock(app)
        await pilot.pause(1.0)
        await pilot.press("D")  # the downloads view, redrawn twice a second
        await pilot.pause(0.5)
        idle = Ticker()
        idle.start()
        await asyncio.sleep(2.0)
        idle.stop()

        (stored,) = store.list_entries(feed.id)
        store.queue_download(stored, stored.enclosures[0])
        rss_before = _current_rss_mb()
        busy = Ticker()
        busy.start()
        first_frame = len(frames.times)
        started = time.perf_counter()
        app.downloads.start()
        rss_peak = rss_before
        while not store.list_downloads(states=["done", "failed"]):
            await asyncio.sleep(0.25)
            rss_peak = max(rss_peak, _current_rss_mb())
            if time.perf_counter() - started > 600:
                break
        wall = time.perf_counter() - started
        busy.stop()
        await pilot.pause(0.5)
        rss_after = _current_rss_mb()
        (item,) = store.list_downloads()
        seen = frames.times[first_frame:]
        frame_gaps = [b - a for a, b in itertools.pairwise(seen)]
        on_disk = Path(item.path).stat().st_size if item.state == "done" else 0
        result.update(
            state=item.state,
            error=item.error,
            complete=on_disk == size,
            wall_s=round(wall, 2),
            mb_per_s=round(size / 1e6 / wall, 1),
            idle_max_gap_ms=round(idle.max_gap * 1000, 1),
            busy_max_gap_ms=round(busy.max_gap * 1000, 1),
            busy_p99_gap_ms=round(_p99(busy.gaps) * 1000, 1),
            frames=len(seen),
            max_frame_gap_ms=round(max(frame_gaps, default=0.0) * 1000, 1),
            rss_before_mb=round(rss_before, 1),
            rss_peak_mb=round(rss_peak, 1),
            rss_after_mb=round(rss_after, 1),
        )
        app.downloads.stop()
    store.close()
    return result


def _p99(values: list[float]) -> float:
    if len(values) < 2:
        return max(values, default=0.0)
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=500, help="file size in MB (default 500)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--serve", metavar="PORT_FILE", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve), args.size)
        return
    size = args.mb * 1_000_000
    root = Path(tempfile.gettempdir()) / "newsreader-bench" / "download"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    port_file = root / "port"
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.download", "--serve", str(port_file), "--size", str(size)]
    )
    try:
        for _ in range(200):
            if port_file.exists() and port_file.read_text():
                break
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port_file.read_text()}/file.mp3"
        print(f"load average: {os.getloadavg()[0]:.2f}", flush=True)
        for run in range(args.runs):
            work = root / f"run{run}"
            work.mkdir()
            result = asyncio.run(asyncio.wait_for(measure(work, url, size), 900))
            print(json.dumps(result), flush=True)
            shutil.rmtree(work, ignore_errors=True)
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
