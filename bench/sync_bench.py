"""Sync benchmark (issue 17): a real tt-rss holding N feeds x 50 entries (bench.corpus), and
newsreader's `sync` beside newsboat's ttrss backend (`-x reload`) on the same server: the
first sync into an empty store and an incremental one with nothing new, each timed and with
its API requests counted (from tt-rss's own request log, so both are counted alike).

    python -m bench.sync_bench [--feeds 200] [--runs 3]

Needs ../shared/servers (tt-rss: its start script installs it, as root the first time) and,
for the comparison, newsboat (apt-get install -y newsboat). Writes only under
/tmp/newsreader-bench/sync. Targets: first sync <= 0.5x newsboat's reload, incremental
<= 0.2x, at most a handful of requests when nothing changed.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from bench.corpus import default_dir, write_corpus
from tests.synctools import SERVERS, free_port, run_script

WORK = Path("/tmp/newsreader-bench/sync")


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(directory: Path) -> str:
    handler = functools.partial(Quiet, directory=str(directory))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def api_requests(state: str) -> int:
    """POSTs to the API so far, from php -S's log."""
    log = Path(state) / "web.log"
    return sum(1 for line in log.read_text(errors="replace").splitlines() if "]: POST" in line)


def load_server(feeds: int) -> dict[str, str]:
    corpus = default_dir(1)
    manifest = write_corpus(corpus, feeds)
    base = serve(corpus)
    env = run_script(
        SERVERS / "ttrss" / "start.sh",
        TTRSS_STATE=str(WORK / "ttrss"),
        TTRSS_PORT=str(free_port()),
    )
    client = httpx.Client(timeout=120)
    api = env["TTRSS_API_URL"]
    login = {"op": "login", "user": env["TTRSS_USER"], "password": env["TTRSS_PASSWORD"]}
    sid = client.post(api, json=login).json()["content"]["session_id"]
    started = time.perf_counter()
    for feed in manifest["feeds"]:
        url = f"{base}/{feed['path']}"
        call = {"op": "subscribeToFeed", "sid": sid, "category_id": 0, "feed_url": url}
        answer = client.post(api, json=call).json()
        assert answer["content"]["status"]["code"] in (0, 1), answer
    subprocess.run([str(SERVERS / "ttrss" / "update-feeds.sh"), env["TTRSS_STATE"]], check=True)
    total = client.post(api, json={"op": "getHeadlines", "sid": sid, "feed_id": -4}).json()
    count = client.post(api, json={"op": "getCounters", "sid": sid}).json()["content"]
    unread = next(c["counter"] for c in count if c["id"] == "global-unread")
    took = time.perf_counter() - started
    print(f"  tt-rss: {feeds} feeds fetched in {took:.0f} s; {unread} unread", flush=True)
    assert total["status"] == 0
    return env


def newsreader_sync(env: dict[str, str], data: Path) -> tuple[float, int, dict]:
    before = api_requests(env["TTRSS_STATE"])
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "reader", "--data-dir", str(data), "sync", "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    took = time.perf_counter() - started
    return took, api_requests(env["TTRSS_STATE"]) - before, json.loads(done.stdout)[0]


def newsboat_reload(env: dict[str, str], folder: Path) -> tuple[float, int]:
    args = [
        "-C",
        str(folder / "config"),
        "-u",
        str(folder / "urls"),
        "-c",
        str(folder / "cache.db"),
    ]
    before = api_requests(env["TTRSS_STATE"])
    started = time.perf_counter()
    subprocess.run(["newsboat", *args, "-x", "reload"], capture_output=True, check=True)
    return time.perf_counter() - started, api_requests(env["TTRSS_STATE"]) - before


def fresh_newsreader(env: dict[str, str], data: Path) -> None:
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    (data / "config.toml").write_text(
        f'[sync.bench]\ntype = "ttrss"\nurl = "{env["TTRSS_URL"]}"\nuser = "{env["TTRSS_USER"]}"\n'
        f'password_command = "echo {env["TTRSS_PASSWORD"]}"\n'
    )


def fresh_newsboat(env: dict[str, str], folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "config").write_text(
        f'urls-source "ttrss"\nttrss-url "{env["TTRSS_URL"]}"\nttrss-login "{env["TTRSS_USER"]}"\n'
        f'ttrss-password "{env["TTRSS_PASSWORD"]}"\n'
    )
    (folder / "urls").write_text("")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--reuse",
        metavar="URL",
        help="a tt-rss this script loaded before and left running (its state dir is reused)",
    )
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.2f}; {args.feeds} feeds x 50 entries", flush=True)
    if args.reuse:
        env = {"TTRSS_URL": args.reuse, "TTRSS_USER": "admin", "TTRSS_PASSWORD": "password",
               "TTRSS_STATE": str(WORK / "ttrss")}  # fmt: skip
    else:
        env = load_server(args.feeds)
    boat = shutil.which("newsboat") is not None
    names = ("newsreader first", "newsreader incremental", "newsboat first", "newsboat incremental")
    rows: dict[str, list[tuple[float, int]]] = {name: [] for name in names}
    for run in range(args.runs):
        data = WORK / "newsreader"
        fresh_newsreader(env, data)
        took, requests, report = newsreader_sync(env, data)
        rows["newsreader first"].append((took, requests))
        assert report["ok"], report
        took, requests, report = newsreader_sync(env, data)
        rows["newsreader incremental"].append((took, requests))
        assert report["new_entries"] == 0, report
        if boat:
            folder = WORK / "newsboat"
            fresh_newsboat(env, folder)
            rows["newsboat first"].append(newsboat_reload(env, folder))
            rows["newsboat incremental"].append(newsboat_reload(env, folder))
        figures = ", ".join(f"{name} {v[-1][0]:.1f} s" for name, v in rows.items() if v)
        print(f"  run {run + 1}/{args.runs} (load {os.getloadavg()[0]:.1f}): {figures}", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.2f}")
    print(f"{'':24} {'median s':>9} {'requests':>9}")
    medians: dict[str, float] = {}
    for name, values in rows.items():
        if not values:
            continue
        medians[name] = statistics.median(t for t, _ in values)
        print(f"{name:24} {medians[name]:9.2f} {values[-1][1]:9d}")
    if boat:
        for kind, target in (("first", 0.5), ("incremental", 0.2)):
            ratio = medians[f"newsreader {kind}"] / medians[f"newsboat {kind}"]
            verdict = "meets" if ratio <= target else "misses"
            print(f"{kind}: newsreader / newsboat = {ratio:.2f} ({verdict} the {target}x target)")
    if not args.reuse:
        subprocess.run([str(SERVERS / "ttrss" / "stop.sh"), env["TTRSS_STATE"]], check=False)


if __name__ == "__main__":
    main()
