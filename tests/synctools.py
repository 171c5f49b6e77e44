"""Real sync servers for the sync tests: Tiny Tiny RSS and Fever (Coldsweat) from
../shared/servers/, started once per session; each test resets them (~0.5-0.8 s) and gets
them with the seed-site feeds subscribed and fetched. A start failure fails the tests.

Also: a loopback TCP proxy to stop and start in front of a server (offline tests; a reset
of the server itself would empty its database), a POST server answering whatever a test
asks (bad servers), and small API clients that ask the servers what they hold.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shlex
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _find_servers() -> Path:
    """../shared/servers from the project root (or from a folder above it: a worktree)."""
    if os.environ.get("NEWSREADER_SYNC_SERVERS"):
        return Path(os.environ["NEWSREADER_SYNC_SERVERS"])
    for parent in ROOT.parents:
        if (parent / "shared" / "servers" / "ttrss" / "start.sh").is_file():
            return parent / "shared" / "servers"
    return ROOT.parent / "shared" / "servers"


SERVERS = _find_servers()
SEED_SITE = Path(__file__).parent / "fixtures" / "seed-site"
STATE = Path("/tmp/newsreader-test")
FEEDS = ("feed.xml", "atom-full.xml")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_script(script: Path, *args: str, **env: str) -> dict[str, str]:
    """Run a kit script; its `export NAME=value` lines as a dict (a failure fails the test)."""
    done = subprocess.run(
        [str(script), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        pytest.fail(f"{script} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    out: dict[str, str] = {}
    for line in done.stdout.splitlines():
        if line.startswith("export "):
            name, _, value = line[len("export ") :].partition("=")
            out[name] = shlex.split(value)[0] if value else ""
    return out


@dataclass
class Kit:
    """The session's servers: their env, and how to reset them."""

    feeds_url: str
    feeds_dir: Path
    ttrss_env: dict[str, str] = field(default_factory=dict)
    fever_env: dict[str, str] = field(default_factory=dict)
    started: set[tuple[Path, str]] = field(default_factory=set)
    """(stop script, state dir) of each server started, stopped when the session ends."""


def _lock() -> Iterator[None]:
    STATE.mkdir(parents=True, exist_ok=True)
    with open(STATE / "pytest-sync.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # one test session at a time uses these state dirs
        yield


@pytest.fixture(scope="session")
def kit() -> Iterator[Kit]:
    if not SERVERS.is_dir():
        pytest.fail(f"the sync test servers are not at {SERVERS} (NEWSREADER_SYNC_SERVERS)")
    lock = _lock()
    next(lock)
    feeds_state = str(STATE / "pytest-feeds")
    feeds = run_script(SERVERS / "serve-feeds.sh", str(SEED_SITE), FEEDS_STATE=feeds_state)
    kit = Kit(feeds["FEEDS_URL"], Path(feeds_state) / "site")
    try:
        yield kit
    finally:
        for script, state in kit.started:
            subprocess.run([str(script), state], capture_output=True, check=False)
        subprocess.run(
            [str(SERVERS / "serve-feeds.sh"), "--stop"],
            env={**os.environ, "FEEDS_STATE": feeds_state},
            capture_output=True,
            check=False,
        )
        next(lock, None)


_ports: dict[str, int] = {}


_last_stamp = [0.0]


def serve_text(path: Path, text: str) -> None:
    """Write a served file with a modification time later than any it had before, by
    whole seconds: the feed server answers If-Modified-Since by seconds, so a file
    rewritten within the second tt-rss last fetched it would come back 304."""
    path.write_text(text, encoding="utf-8")
    stamp = max(time.time(), _last_stamp[0] + 2.0)
    _last_stamp[0] = stamp
    os.utime(path, (stamp, stamp))


def reset_site(kit: Kit) -> None:
    """The served feeds back to the fixture files (a test may have changed one)."""
    for name in FEEDS:
        text = (SEED_SITE / name).read_text(encoding="utf-8").replace("__BASE__", kit.feeds_url)
        serve_text(kit.feeds_dir / name, text)


def start_ttrss(kit: Kit) -> dict[str, str]:
    port = _ports.setdefault("ttrss", free_port())
    env = run_script(
        SERVERS / "ttrss" / "start.sh",
        TTRSS_STATE=str(STATE / "pytest-ttrss"),
        TTRSS_PORT=str(port),
    )
    kit.ttrss_env = env
    kit.started.add((SERVERS / "ttrss" / "stop.sh", env["TTRSS_STATE"]))
    return env


def start_fever(kit: Kit) -> dict[str, str]:
    port = _ports.setdefault("fever", free_port())
    env = run_script(
        SERVERS / "fever" / "start.sh",
        FEVER_STATE=str(STATE / "pytest-fever"),
        FEVER_PORT=str(port),
    )
    kit.fever_env = env
    kit.started.add((SERVERS / "fever" / "stop.sh", env["FEVER_STATE"]))
    return env


# ---------------------------------------------------------------------------- API clients
class TtRssApi:
    """Asks tt-rss what it holds (what the tests check against)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.api = env["TTRSS_API_URL"]
        self.client = httpx.Client(timeout=30)
        self.sid = self.call("login", user=env["TTRSS_USER"], password=env["TTRSS_PASSWORD"])[
            "session_id"
        ]

    def call(self, op: str, **params: Any) -> Any:
        body = {"op": op, **params}
        if op != "login":
            body["sid"] = self.sid
        answer = self.client.post(self.api, json=body).json()
        assert answer["status"] == 0, answer
        return answer["content"]

    def subscribe(self, url: str, category: int = 0) -> int:
        status = self.call("subscribeToFeed", feed_url=url, category_id=category)["status"]
        assert status["code"] in (0, 1), status
        feed_id = int(status.get("feed_id") or self.feed_id(url))
        self.call("updateFeed", feed_id=feed_id)
        return feed_id

    def feed_id(self, url: str) -> int:
        return next(int(f["id"]) for f in self.call("getFeeds", cat_id=-3) if f["feed_url"] == url)

    def feeds(self) -> dict[str, dict[str, Any]]:
        return {f["feed_url"]: f for f in self.call("getFeeds", cat_id=-3)}

    def headlines(self, **params: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while True:
            page = self.call("getHeadlines", limit=200, skip=len(out), **params)
            out += page
            if len(page) < 200:
                return out

    def articles(self) -> dict[str, dict[str, Any]]:
        """Every article by link: {unread, marked, id}."""
        return {h["link"]: h for h in self.headlines(feed_id=-4, view_mode="all_articles")}

    def unread_links(self) -> set[str]:
        return {link for link, h in self.articles().items() if h["unread"]}

    def starred_links(self) -> set[str]:
        return {link for link, h in self.articles().items() if h["marked"]}

    def set(self, link: str, field: str, on: bool) -> None:
        """Another client's change: field read or starred."""
        article = self.articles()[link]
        code, mode = (2, int(not on)) if field == "read" else (0, int(on))
        self.call("updateArticle", article_ids=str(article["id"]), mode=mode, field=code)

    def sql(self, statement: str) -> None:
        """Straight into tt-rss's database (what the API cannot do, e.g. make a category)."""
        state = self.env["TTRSS_STATE"]
        pg = sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))[-1]
        cmd = [str(pg), "-X", "-q", "-h", f"{state}/run", "-U", "postgres", "-d", "ttrss", "-c",
               statement]  # fmt: skip
        subprocess.run(cmd, check=True, capture_output=True)


class FeverApi:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.url = env["FEVER_URL"]
        self.client = httpx.Client(timeout=30)

    def call(self, query: str = "", **form: Any) -> dict[str, Any]:
        url = self.url + "?api" + (f"&{query}" if query else "")
        answer = self.client.post(url, data={"api_key": self.env["FEVER_API_KEY"], **form})
        answer.raise_for_status()
        data: dict[str, Any] = answer.json()
        assert data["auth"] == 1
        return data

    def items(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        since = 0
        while True:
            page = self.call(f"items&since_id={since}")["items"]
            for item in page:
                out[item["url"]] = item
            if len(page) < 50:
                return out
            since = max(int(i["id"]) for i in page)

    def ids(self, which: str) -> set[int]:
        text = self.call(which)[which]
        return {int(i) for i in str(text).split(",") if i}

    def unread_links(self) -> set[str]:
        unread = self.ids("unread_item_ids")
        return {url for url, item in self.items().items() if int(item["id"]) in unread}

    def starred_links(self) -> set[str]:
        saved = self.ids("saved_item_ids")
        return {url for url, item in self.items().items() if int(item["id"]) in saved}

    def mark(self, link: str, how: str) -> None:
        item = self.items()[link]
        self.call(mark="item", id=str(item["id"]), **{"as": how})

    def add_feed(self, url: str, group: str = "") -> None:
        args = ["add", url] + ([group] if group else [])
        subprocess.run(
            [str(SERVERS / "fever" / "feeds.sh"), *args],
            env={**os.environ, "FEVER_STATE": self.env["FEVER_STATE"]},
            check=True,
            capture_output=True,
        )


# ---------------------------------------------------------------------------- proxy
class Proxy:
    """A loopback TCP proxy on a fixed port that can be stopped (the server unreachable:
    connection refused) and started again."""

    def __init__(self, target_port: int) -> None:
        self.target = target_port
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._listener is not None

    def start(self) -> Proxy:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self._conns.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)


# ---------------------------------------------------------------------------- bad servers
Responder = Callable[[str, bytes], tuple[int, dict[str, str], bytes]]


class PostServer:
    """Answers every POST with what `respond(path, body)` returns; counts requests."""

    def __init__(self, respond: Responder) -> None:
        self.respond = respond
        self.requests: list[bytes] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                owner.requests.append(body)
                status, headers, payload = owner.respond(self.path, body)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if "content-length" not in {k.lower() for k in headers}:
                    self.send_header("content-length", str(len(payload)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(payload)

            do_GET = do_POST

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def json_body(data: Any) -> tuple[int, dict[str, str], bytes]:
    return 200, {"content-type": "application/json"}, json.dumps(data).encode()


def have_newsboat() -> bool:
    return shutil.which("newsboat") is not None
