"""The refresh benchmark: newsreader against newsboat on the same corpus, server and machine.

    python -m bench.refresh [--feeds 200] [--runs 3] [--latency-ms 50] [--skip-newsboat]

What it does, each step on a fresh data directory under the temp dir:

1. Writes (or reuses) the seeded corpus (`bench/corpus.py`) and serves it from a loopback
   server (`bench/server.py`) spread over `--hosts` addresses (127.0.0.1..H), with
   ETag/Last-Modified, 304s and `--latency-ms` per request.
2. newsreader: subscribes the N feeds through the store API, then times
   `newsreader --data-dir D refresh` as a subprocess three times in a row: cold (first),
   second, warm (third: nothing changed, so every answer should be a 304). Peak RSS of each
   refresh process comes from `wait4`; requests / bodies / 304s from the server's counters.
3. newsboat (when on PATH, unless `--skip-newsboat`): the same with
   `newsboat -u urls -c cache.db -C config -x reload`, with `reload-threads` 1 (its default)
   and 8, every other setting at its default.
4. Startup with a big store (`--startup-feeds 20,1000`: 1k and 50k entries): newsreader
   `list` (and `unread` when the CLI has it) and the TUI started headless until the feed and
   entry panes are drawn (`bench/tui_start.py`), against newsboat `-x print-unread` on a
   cache it filled itself, as shipped and after a manual `ANALYZE`. The stores are built once
   and kept under the temp dir (`--cache-dir`).
5. The floor: httpx fetching every feed, 32 at once, parsing nothing (`bench/fetch_floor.py`).

Runs are interleaved (run 1 of every contender, then run 2, ...), so a busy spell on a shared
machine hits all contenders alike. It prints medians (and the range) over `--runs` runs
(`--startup-runs` for the sub-second startup figures), and ratios newsreader / newsboat:
below 1 means newsreader is faster. Quote ratios and medians, never a single time: the
machines are shared and noisy. `--json FILE` also saves every raw figure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpus import GENERATOR_VERSION, default_dir, make_feed, write_corpus, write_url_list
from bench.server import BenchServer

REPO = Path(__file__).resolve().parents[1]
REFRESH_TIMEOUT = 1800.0
STARTUP_TIMEOUT = 600.0
UNREACHABLE_BASE = "http://127.0.0.1:9"
"""Feed URLs of the startup stores: loopback, and never fetched (startup fetches nothing)."""


# -- where each feed lives --------------------------------------------------------------------


def zipf_counts(feeds: int, hosts: int, exponent: float = 1.0) -> list[int]:
    """How many of `feeds` each of `hosts` holds when host k's share is 1/k^exponent
    (largest remainders, so they add up): 1000 feeds over 100 hosts gives the biggest
    193, the next 96 and 64, and the last ones 1 or 2, as a real subscription list is
    dominated by a few platforms."""
    weights = [1 / (k**exponent) for k in range(1, hosts + 1)]
    total = sum(weights)
    exact = [feeds * w / total for w in weights]
    counts = [int(x) for x in exact]
    short = feeds - sum(counts)
    for k in sorted(range(hosts), key=lambda k: exact[k] - counts[k], reverse=True)[:short]:
        counts[k] += 1
    return counts


def host_indexes(feeds: int, hosts: int, spread: str, seed: int) -> list[int]:
    """The host (0-based: 127.0.0.1 + it) of each feed. `even`: feed i on host i mod H.
    `zipf`: host sizes from `zipf_counts`, in a seeded random order over the feeds (a list
    is not sorted by site, so a big host's feeds are spread through the refresh)."""
    if spread == "even":
        return [i % hosts for i in range(feeds)]
    import random

    order = [k for k, n in enumerate(zipf_counts(feeds, hosts)) for _ in range(n)]
    random.Random(seed).shuffle(order)
    return order


def spread_note(args) -> str:
    if args.spread != "zipf":
        return ""
    return f" (Zipf-like: the biggest holds {max(zipf_counts(args.feeds, args.hosts))} feeds)"


# -- running and measuring one process -------------------------------------------------------


@dataclass
class Measured:
    """One timed process: wall time, exit code, peak RSS, and what the server counted."""

    seconds: float
    code: int
    rss_mb: float
    """The largest single process's peak RSS (GNU time's %M)."""
    stats: dict = field(default_factory=dict)
    output: str = ""
    extra: dict = field(default_factory=dict)
    tree_mb: float = 0.0
    """Peak of the summed RSS of the process and all its descendants (worker processes),
    sampled every 50 ms: a short spike between samples can be missed."""
    tree_pss_mb: float = 0.0
    """The same for the summed PSS (shared pages split between the processes)."""
    client_conns: int = 0
    """The most established connections to one server address, client side, sampled."""

    @property
    def bodies(self) -> int:
        return int(self.stats.get("bodies", 0))


PYCACHE = Path(tempfile.gettempdir()) / "newsreader-bench" / "pycache"
"""Compiled bytecode for every Python the benchmark starts (see `clean_env`)."""


def clean_env(home: Path) -> dict[str, str]:
    """No proxy (loopback only), and HOME / XDG dirs in the run's own temp dir.

    Bytecode is cached (under the temp dir, not in the repository) even where the
    environment says PYTHONDONTWRITEBYTECODE, as it does on some development machines: an
    installed newsreader has its .pyc files, and without them every process (the main one
    and each parse worker) compiles the app's modules again, which costs time and memory
    that no user pays. `warm_bytecode` fills the cache before anything is timed."""
    env = {
        k: v
        for k, v in os.environ.items()
        if "proxy" not in k.lower() and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        PYTHONPYCACHEPREFIX=str(PYCACHE),
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "xdg-config"),
        XDG_DATA_HOME=str(home / "xdg-data"),
        XDG_CACHE_HOME=str(home / "xdg-cache"),
        XDG_STATE_HOME=str(home / "xdg-state"),
        NO_PROXY="*",
        TERM=os.environ.get("TERM", "xterm-256color"),
    )
    return env


GNU_TIME = "/usr/bin/time"


def _descendants(root: int) -> set[int]:
    """`root` and every process below it (a scan of /proc: ~3 ms on a busy machine)."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
    tree = {root}
    changed = True
    while changed:
        changed = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                changed = True
    return tree


def _tree_rss_kb(pids: set[int]) -> tuple[int, int]:
    """Summed VmRSS and summed PSS of `pids` (a gone process counts 0). RSS counts a shared
    page (libpython, lxml) once in every process; PSS splits it between them, so summed PSS
    is what the tree really costs."""
    total = pss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                        break
        except OSError:
            continue
    return total, pss


def _established_per_host(port: int) -> int:
    """The most ESTABLISHED TCP connections to one address on `port` right now, seen from
    the client side (/proc/net/tcp: the client's end of each connection has the server's
    port as its remote port). A connection the client has closed is no longer counted,
    however late the server notices.

    Each connection counts once, by its client end (address and port): the kernel lists the
    table a page of text per read, and when sockets come and go between two reads (a
    refresh opens and closes a thousand), it can list a line again. Counted as lines, one
    sample saw 8 to 21 connections to a host that never had more than 6 open."""
    hex_port = f"{port:04X}"
    ends: dict[str, set[str]] = {}
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                fields = line.split()
                local, remote, state = fields[1], fields[2], fields[3]
                if state == "01" and remote.endswith(":" + hex_port):
                    ends.setdefault(remote, set()).add(local)
    except (OSError, StopIteration, IndexError):
        return 0
    return max(map(len, ends.values()), default=0)


class _TreeSampler(threading.Thread):
    """Samples the summed RSS and PSS of a process tree every `period` seconds until
    stopped. The tree is looked up again every `rescan` samples only: scanning /proc every
    50 ms cost ~6 % of a core, taken from the multi-process contender being measured."""

    def __init__(
        self, root: int, period: float = 0.05, rescan: int = 10, port: int | None = None
    ) -> None:
        super().__init__(name="rss-sampler", daemon=True)
        self.root = root
        self.port = port
        self.peak_conns = 0
        """With `port`: the most established connections to one host in any sample."""
        self.period = period
        self.rescan = rescan
        self.peak_kb = 0
        self.peak_pss_kb = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        pids = {self.root}
        samples = 0
        while not self._stop_event.wait(self.period):
            if samples % self.rescan == 0:
                pids = _descendants(self.root)
            samples += 1
            rss, pss = _tree_rss_kb(pids)
            self.peak_kb = max(self.peak_kb, rss)
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            if self.port:
                self.peak_conns = max(self.peak_conns, _established_per_host(self.port))

    def stop(self) -> None:
        self._stop_event.set()
        self.join(5)


def run_measured(
    cmd: list[str],
    *,
    env: dict[str, str],
    timeout: float,
    cwd: Path | None = None,
    port: int | None = None,
) -> Measured:
    """Run `cmd` to completion (killed after `timeout`), timing it and taking its peak RSS.

    Peak RSS comes from GNU time (`%M`) when it is installed: `wait4` from this process would
    count the RSS of this (big) process at fork, because Linux carries the pre-exec high-water
    mark into the child's `ru_maxrss`. GNU time is small, so its child's figure is its own.
    """
    with tempfile.TemporaryDirectory() as tmp:
        rss_file = Path(tmp) / "rss"
        use_time = Path(GNU_TIME).exists()
        full = [GNU_TIME, "-q", "-o", str(rss_file), "-f", "%M", *cmd] if use_time else cmd
        with (Path(tmp) / "out").open("w+b") as out:
            started = time.perf_counter()
            proc = subprocess.Popen(
                full,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=cwd,
                start_new_session=True,
            )

            def kill() -> None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)

            watchdog = threading.Timer(timeout, kill)
            watchdog.daemon = True
            watchdog.start()
            sampler = _TreeSampler(proc.pid, port=port)
            sampler.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            finally:
                watchdog.cancel()
                sampler.stop()
            seconds = time.perf_counter() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            output = out.read().decode("utf-8", "replace")
        rss_kb = float(usage.ru_maxrss)
        if use_time:
            with contextlib.suppress(OSError, ValueError, IndexError):
                rss_kb = float(rss_file.read_text().split()[-1])
    tree_mb = sampler.peak_kb / 1024
    return Measured(
        seconds,
        proc.returncode,
        rss_kb / 1024,
        output=output,
        tree_mb=tree_mb,
        tree_pss_mb=sampler.peak_pss_kb / 1024,
        client_conns=sampler.peak_conns,
    )


def warm_bytecode(baseline: Path | None = None) -> None:
    """Compile the app, and what a refresh imports, into `PYCACHE` (untimed)."""
    env = clean_env(Path(tempfile.gettempdir()))
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO / "reader")],
        env=env,
        timeout=600,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    imports = "import reader.cli, reader.headless, reader.service, reader.feeds.worker"
    subprocess.run([sys.executable, "-c", imports], env=env, timeout=600, check=False, cwd=REPO)
    if baseline is not None:
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(baseline / "reader")],
            env=env,
            timeout=600,
            check=False,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [sys.executable, "-c", imports],
            env=tree_env(env, baseline),
            timeout=600,
            check=False,
            cwd=baseline,
        )


def newsreader_cmd(tree: Path | None = None) -> list[str]:
    """The command that runs newsreader: this environment's, or the checkout `tree`'s."""
    script = Path(sys.executable).parent / "newsreader"
    if tree is not None:  # the same script: it imports `reader` from PYTHONPATH (`tree_env`)
        return (
            [sys.executable, str(script)] if script.exists() else [sys.executable, "-m", "reader"]
        )
    return [str(script)] if script.exists() else [sys.executable, "-m", "reader"]


def tree_env(env: dict[str, str], tree: Path | None) -> dict[str, str]:
    """`env`, with the checkout `tree` (see `--baseline`) first on the import path."""
    return env if tree is None else env | {"PYTHONPATH": str(tree)}


def newsreader_has(command: str, env: dict[str, str]) -> bool:
    out = subprocess.run(
        [*newsreader_cmd(), "--help"], capture_output=True, text=True, env=env, timeout=60
    ).stdout
    return re.search(rf"^\s+{re.escape(command)}\b", out, re.M) is not None or (
        f",{command}," in out.replace("{", ",").replace("}", ",")
    )


def warm_file(path: Path) -> None:
    """Read a file once so every contender starts from the OS page cache."""
    with path.open("rb") as f:
        while f.read(1 << 22):
            pass


# -- figures ---------------------------------------------------------------------------------


@dataclass
class Series:
    """The runs of one measurement."""

    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    def show(self, unit: str = "s") -> str:
        if not self.values:
            return "—"
        med = self.median or 0.0
        text = _fmt(med, unit)
        if not unit and min(self.values) == max(self.values):
            return text
        if len(self.values) > 1:
            text += f" ({_fmt(min(self.values), unit, bare=True)}–"
            text += f"{_fmt(max(self.values), unit, bare=True)})"
        return text


def _fmt(value: float, unit: str, bare: bool = False) -> str:
    if unit == "s":
        text = f"{value:.2f}" if value < 10 else f"{value:.1f}"
    elif unit == "MB":
        text = f"{value:.0f}"
    else:
        text = f"{value:g}"
    return text if bare or not unit else f"{text} {unit}"


def ratio(ours: Series, theirs: Series) -> str:
    if ours.median is None or theirs.median is None or theirs.median <= 0:
        return "—"
    value = ours.median / theirs.median
    return f"{value:.2f}×" if value >= 0.1 else f"{value:.3f}×"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda cells: (  # noqa: E731
        "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"
    )
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), sep, *(line(r) for r in rows)])


def tree_state() -> str:
    """The commit measured, and how many files of the app differ from it (a shared tree)."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "reader", "styles"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return "unknown tree"
    return f"commit {head or '?'}" + (f" + {len(dirty)} changed files in reader/" if dirty else "")


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# -- newsreader ------------------------------------------------------------------------------


_SUBSCRIBE = """
import sys
from reader.store import Store
with Store(sys.argv[1]) as store:
    for url in sys.stdin.read().split():
        store.add_feed(url)
"""


def subscribe(data_dir: Path, urls: list[str], tree: Path | None = None) -> None:
    """Add every feed through the store API (what `newsreader add --no-fetch` does, faster);
    with `tree`, through that checkout's store (its schema may be older than this one's)."""
    if tree is not None:
        subprocess.run(
            [sys.executable, "-c", _SUBSCRIBE, str(data_dir / "newsreader.db")],
            input="\n".join(urls),
            text=True,
            env=tree_env(clean_env(data_dir), tree),
            cwd=tree,
            check=True,
            timeout=600,
        )
        return
    from reader.store import Store

    with Store(data_dir / "newsreader.db") as store:
        for url in urls:
            store.add_feed(url)


def count_rows(db: Path, sql: str) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


PHASES = ("cold", "second", "warm")


@dataclass
class RefreshFigures:
    """Series for each phase of one contender (newsreader, or newsboat with k threads)."""

    name: str
    seconds: dict[str, Series] = field(default_factory=lambda: {p: Series() for p in PHASES})
    rss: dict[str, Series] = field(default_factory=lambda: {p: Series() for p in PHASES})
    tree: dict[str, Series] = field(default_factory=lambda: {p: Series() for p in PHASES})
    pss: dict[str, Series] = field(default_factory=lambda: {p: Series() for p in PHASES})
    bodies: dict[str, Series] = field(default_factory=lambda: {p: Series() for p in PHASES})
    requests: dict[str, Series] = field(default_factory=lambda: {p: Series() for p in PHASES})
    max_inflight: Series = field(default_factory=Series)
    max_inflight_host: Series = field(default_factory=Series)
    max_conn_host: Series = field(default_factory=Series)
    client_conn_host: Series = field(default_factory=Series)
    problems: list[str] = field(default_factory=list)
    raw: list[dict] = field(default_factory=list)

    def record(self, phase: str, m: Measured) -> None:
        self.seconds[phase].add(m.seconds)
        self.rss[phase].add(m.rss_mb)
        self.tree[phase].add(m.tree_mb)
        self.pss[phase].add(m.tree_pss_mb)
        self.bodies[phase].add(m.bodies)
        self.requests[phase].add(m.stats.get("requests", 0))
        if phase == "cold":
            self.max_inflight.add(m.stats.get("max_inflight", 0))
            self.max_inflight_host.add(m.stats.get("max_inflight_per_host", 0))
        self.max_conn_host.add(m.stats.get("max_connections_per_host", 0))
        self.client_conn_host.add(m.client_conns)
        self.raw.append(
            {
                "phase": phase,
                "seconds": m.seconds,
                "code": m.code,
                "rss_mb": m.rss_mb,
                "tree_mb": m.tree_mb,
                "tree_pss_mb": m.tree_pss_mb,
                "stats": {k: v for k, v in m.stats.items() if not isinstance(v, dict)},
            }
        )


def newsreader_run(
    figures: RefreshFigures,
    run: int,
    server: BenchServer,
    urls: list[str],
    args,
    work: Path,
    tree: Path | None = None,
) -> None:
    """One run of newsreader (this checkout's, or `tree`'s): a fresh data dir, then cold,
    second and warm refreshes."""
    home = work / f"newsreader-run{run}{'-baseline' if tree else ''}"
    shutil.rmtree(home, ignore_errors=True)
    data = home / "data"
    data.mkdir(parents=True)
    subscribe(data, urls, tree)
    env = tree_env(clean_env(home), tree)
    for phase in PHASES:
        server.wait_idle()
        server.reset()
        m = run_measured(
            [*newsreader_cmd(tree), "--data-dir", str(data), "refresh"],
            env=env,
            timeout=REFRESH_TIMEOUT,
            cwd=tree,  # `python -m` puts the working directory first on the import path
            port=server.port,
        )
        m.stats = server.stats()
        errors = [line for line in m.output.splitlines() if ": error:" in line]
        if m.code != 0 or errors:
            figures.problems.append(
                f"run {run} {phase}: exit {m.code}, {len(errors)} feed errors "
                f"{errors[:2]} {m.output[-300:] if m.code not in (0, 1) else ''}"
            )
        figures.record(phase, m)
        log(
            f"{figures.name} run {run + 1}/{args.runs} {phase}: {m.seconds:.2f} s, "
            f"{m.rss_mb:.0f} MB ({m.tree_mb:.0f} MB all processes), "
            f"{m.stats['requests']} requests, {m.bodies} bodies, "
            f"{m.stats['not_modified']} 304s, max {m.stats['max_inflight']} in flight"
        )
        if phase == "cold":
            stored = count_rows(data / "newsreader.db", "SELECT count(*) FROM entries")
            if stored != args.expect_entries:
                figures.problems.append(
                    f"run {run}: {stored} entries stored, expected {args.expect_entries}"
                )
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)


# -- newsboat --------------------------------------------------------------------------------


def newsboat_version() -> str:
    out = subprocess.run(["newsboat", "-v"], capture_output=True, text=True, timeout=30).stdout
    first = out.splitlines()[0] if out else "newsboat"
    return first.split(" - ")[0].strip()


def newsboat_config(path: Path, threads: int) -> None:
    """Defaults except the thread count; no proxy; nothing written outside the run's dir."""
    path.write_text(
        f"reload-threads {threads}\nuse-proxy no\ndownload-full-page no\nshow-read-feeds yes\n"
    )


def newsboat_run(home: Path, command: str, timeout: float, port: int | None = None) -> Measured:
    return run_measured(
        [
            "newsboat",
            "-u",
            str(home / "urls"),
            "-c",
            str(home / "cache.db"),
            "-C",
            str(home / "config"),
            "-x",
            command,
        ],
        env=clean_env(home),
        timeout=timeout,
        cwd=home,
        port=port,
    )


def newsboat_run_refresh(
    figures: RefreshFigures,
    threads: int,
    run: int,
    server: BenchServer,
    urls: list[str],
    args,
    work: Path,
) -> None:
    """One run of newsboat with `threads` reload threads: cold, second and warm reloads."""
    home = work / f"newsboat{threads}-run{run}"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    (home / "urls").write_text("".join(u + "\n" for u in urls))
    newsboat_config(home / "config", threads)
    for phase in PHASES:
        server.wait_idle()
        server.reset()
        m = newsboat_run(home, "reload", REFRESH_TIMEOUT, server.port)
        m.stats = server.stats()
        if m.code != 0 or "rror" in m.output:
            figures.problems.append(f"run {run} {phase}: exit {m.code}: {m.output[-300:]}")
        figures.record(phase, m)
        log(
            f"{figures.name} run {run + 1}/{args.runs} {phase}: {m.seconds:.2f} s, "
            f"{m.rss_mb:.0f} MB ({m.tree_mb:.0f} MB all processes), "
            f"{m.stats['requests']} requests, {m.bodies} bodies, "
            f"{m.stats['not_modified']} 304s, max {m.stats['max_inflight']} in flight"
        )
        if phase == "cold":
            stored = count_rows(home / "cache.db", "SELECT count(*) FROM rss_item")
            if stored != args.expect_entries:
                figures.problems.append(
                    f"run {run}: {stored} items cached, expected {args.expect_entries}"
                )
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)


# -- the TUI during a refresh ----------------------------------------------------------------


def bench_tui_refresh(server: BenchServer, urls: list[str], args, work: Path) -> list[dict]:
    """Start the TUI on N fresh subscriptions, press R, and watch the event loop meanwhile."""
    results = []
    for run in range(args.tui_refresh):
        home = work / f"tui-refresh-run{run}"
        shutil.rmtree(home, ignore_errors=True)
        data = home / "data"
        data.mkdir(parents=True)
        subscribe(data, urls)
        server.wait_idle()
        server.reset()
        cmd = [
            sys.executable,
            "-m",
            "bench.tui_start",
            "--data-dir",
            str(data),
            "--expect-feeds",
            str(len(urls)),
            "--refresh-all",
            "--repeat",
            str(args.tui_repeat),
            "--watchdog",
            str(REFRESH_TIMEOUT * (1 + args.tui_repeat)),
        ]
        m = run_measured(
            cmd,
            env=clean_env(home) | {"PYTHONPATH": str(REPO)},
            timeout=REFRESH_TIMEOUT * (1 + args.tui_repeat) + 30,
            cwd=REPO,
        )
        try:
            result = json.loads(m.output.strip().splitlines()[-1])
        except (ValueError, IndexError):
            result = {"error": m.output[-500:]}
        result["rss_mb"] = m.rss_mb
        result["bodies"] = server.stats()["bodies"]
        results.append(result)
        log(f"TUI refresh run {run + 1}/{args.tui_refresh}: {result}")
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    return results


def tui_refresh_report(results: list[dict], feeds: int) -> str:
    ok = [r for r in results if "refresh_s" in r and "error" not in r]
    if not ok:
        return f"\nTUI refresh: failed: {results}"
    med = lambda key: statistics.median(r[key] for r in ok)  # noqa: E731
    return (
        f"\nTUI, R (refresh all {feeds} feeds) on a fresh store, median of {len(ok)}: "
        f'{med("refresh_s"):.1f} s until "Refreshed"; longest event-loop gap '
        f"{med('max_loop_gap_ms'):.0f} ms (idle: {med('idle_loop_gap_ms'):.0f} ms), "
        f"{med('loop_gaps_over_100ms'):.0f} gaps over 100 ms, longest gap between frames "
        f"{med('max_frame_gap_ms'):.0f} ms, peak RSS {med('rss_mb'):.0f} MB"
        + (
            f"; RSS after each refresh (first run): {ok[0]['rss_after_each_refresh_mb']} MB"
            if len(ok[0].get("rss_after_each_refresh_mb", [])) > 1
            else ""
        )
    )


# -- the floor -------------------------------------------------------------------------------


def floor_run(
    series: dict[str, Series], run: int, urls: list[str], args, work: Path, server: BenchServer
) -> None:
    """httpx alone: every feed fetched (32 at once), then again with the validators."""
    home = work / "floor"
    home.mkdir(parents=True, exist_ok=True)
    (home / "urls").write_text("".join(u + "\n" for u in urls))
    validators = home / f"validators-{run}.json"
    for phase in ("cold", "conditional"):
        server.wait_idle()
        server.reset()
        m = run_measured(
            [
                sys.executable,
                "-m",
                "bench.fetch_floor",
                str(home / "urls"),
                "--concurrency",
                "32",
                "--validators",
                str(validators),
            ],
            env=clean_env(home) | {"PYTHONPATH": str(REPO)},
            timeout=REFRESH_TIMEOUT,
            cwd=REPO,
        )
        try:
            result = json.loads(m.output.strip().splitlines()[-1])
        except (ValueError, IndexError):
            log(f"fetch floor failed: {m.output[-500:]}")
            continue
        series[phase].add(result["seconds"])
        log(f"floor run {run + 1}/{args.runs} {phase}: {result['seconds']:.2f} s {result}")


# -- startup with a big store ----------------------------------------------------------------


def build_newsreader_store(target: Path, seed: int, feeds: int) -> None:
    """A store with `feeds` x 50 entries, written through the store's own update path."""
    from reader.models import Entry, ParsedFeed
    from reader.store import Store

    partial = target.with_suffix(".partial")
    for suffix in ("", "-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    with Store(partial) as store:
        for index in range(feeds):
            doc = make_feed(seed, index)
            feed, _ = store.add_feed(f"{UNREACHABLE_BASE}/{doc.path}")
            entries = []
            for item in doc.items:
                full = doc.kind != "rss-summary"
                entries.append(
                    Entry(
                        key=item.guid,
                        title=item.title,
                        link=item.link,
                        author=item.author,
                        published=item.published,
                        updated=item.published,
                        summary=item.summary if full else item.body,
                        content=item.body if full else "",
                    )
                )
            parsed = ParsedFeed(
                title=doc.title, site_url=f"https://{doc.site}/", entries=tuple(entries)
            )
            store.apply_update(feed.id, parsed, status=200, etag=f'"{index}"')
    # Fold the WAL into the file so the copy is one self-contained database.
    conn = sqlite3.connect(partial)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    partial.rename(target)
    log(f"built a newsreader store of {feeds} feeds in {time.perf_counter() - started:.1f} s")


def build_newsboat_cache(target: Path, urls_target: Path, seed: int, feeds: int) -> None:
    """A newsboat cache filled by newsboat itself (8 threads, no latency), with its urls."""
    corpus_dir = default_dir(seed)
    manifest = write_corpus(corpus_dir, feeds, seed)
    paths = [f["path"] for f in manifest["feeds"]]
    home = target.parent / f"build-{target.stem}"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    started = time.perf_counter()
    with BenchServer(corpus_dir, hosts=1, latency=0.0, only=paths) as server:
        urls = [server.url(p) for p in paths]
        (home / "urls").write_text("".join(u + "\n" for u in urls))
        newsboat_config(home / "config", 8)
        m = newsboat_run(home, "reload", REFRESH_TIMEOUT, server.port)
    stored = count_rows(home / "cache.db", "SELECT count(*) FROM rss_item")
    if m.code != 0 or stored != feeds * 50:
        raise RuntimeError(f"newsboat cache build failed: {stored} items, {m.output[-500:]}")
    shutil.move(home / "urls", urls_target)
    shutil.move(home / "cache.db", target)
    shutil.rmtree(home, ignore_errors=True)
    log(f"built a newsboat cache of {feeds} feeds in {time.perf_counter() - started:.1f} s")


@dataclass
class StartupFigures:
    feeds: int
    entries: int
    nr_list: Series = field(default_factory=Series)
    nr_unread: Series = field(default_factory=Series)
    nr_tui: Series = field(default_factory=Series)
    nr_tui_rss: Series = field(default_factory=Series)
    nr_list_rss: Series = field(default_factory=Series)
    nb_plain: Series = field(default_factory=Series)
    nb_analyzed: Series = field(default_factory=Series)
    nb_rss: Series = field(default_factory=Series)
    problems: list[str] = field(default_factory=list)


def bench_startup(feeds: int, args, work: Path, cache_dir: Path, run_newsboat: bool):
    from reader.store import SCHEMA_VERSION

    figures = StartupFigures(feeds, feeds * 50)
    cache_dir.mkdir(parents=True, exist_ok=True)
    stem = f"seed{args.seed}-gen{GENERATOR_VERSION}-{feeds}feeds"
    nr_cached = cache_dir / f"newsreader-schema{SCHEMA_VERSION}-{stem}.db"
    if not nr_cached.exists():
        for stale in cache_dir.glob(f"newsreader-schema*-{stem}.db"):
            stale.unlink()  # built for an older schema: ~1 GB for 50k entries
        build_newsreader_store(nr_cached, args.seed, feeds)
    home = work / f"startup-newsreader-{feeds}"
    shutil.rmtree(home, ignore_errors=True)
    data = home / "data"
    data.mkdir(parents=True)
    shutil.copyfile(nr_cached, data / "newsreader.db")
    env = clean_env(home)
    warm_file(data / "newsreader.db")
    has_unread = newsreader_has("unread", env)
    commands = {"list": figures.nr_list}
    if has_unread:
        commands["unread"] = figures.nr_unread
    for name, series in commands.items():
        cmd = [*newsreader_cmd(), "--data-dir", str(data), name]
        run_measured(cmd, env=env, timeout=STARTUP_TIMEOUT)  # warm-up, not counted
        for _ in range(args.startup_runs):
            m = run_measured(cmd, env=env, timeout=STARTUP_TIMEOUT)
            if m.code != 0:
                figures.problems.append(f"newsreader {name}: exit {m.code}: {m.output[-300:]}")
            series.add(m.seconds)
            if name == "list":
                figures.nr_list_rss.add(m.rss_mb)
        log(f"startup {feeds} feeds: newsreader {name} {series.show()}")
    tui = [
        sys.executable,
        "-m",
        "bench.tui_start",
        "--data-dir",
        str(data),
        "--expect-feeds",
        str(feeds),
    ]
    for run in range(args.startup_runs + 1):
        spawned = time.time()
        m = run_measured(
            [*tui, "--spawned-at", repr(spawned)],
            env=env | {"PYTHONPATH": str(REPO)},
            timeout=STARTUP_TIMEOUT,
            cwd=REPO,
        )
        try:
            result = json.loads(m.output.strip().splitlines()[-1])
        except (ValueError, IndexError):
            result = {"error": m.output[-500:]}
        if "usable_s" not in result:
            figures.problems.append(f"TUI start: {result}")
            continue
        if run == 0:
            continue  # warm-up
        figures.nr_tui.add(result["usable_s"])
        figures.nr_tui_rss.add(m.rss_mb)
    log(f"startup {feeds} feeds: newsreader TUI usable {figures.nr_tui.show()}")

    if run_newsboat:
        nb_cached = cache_dir / f"newsboat-{stem}-{newsboat_version().replace(' ', '_')}.db"
        nb_urls = nb_cached.with_suffix(".urls")
        if not nb_cached.exists() or not nb_urls.exists():
            build_newsboat_cache(nb_cached, nb_urls, args.seed, feeds)
        for variant, series in (("plain", figures.nb_plain), ("analyzed", figures.nb_analyzed)):
            nb_home = work / f"startup-newsboat-{feeds}-{variant}"
            shutil.rmtree(nb_home, ignore_errors=True)
            nb_home.mkdir(parents=True)
            shutil.copyfile(nb_cached, nb_home / "cache.db")
            shutil.copyfile(nb_urls, nb_home / "urls")
            newsboat_config(nb_home / "config", 1)
            if variant == "analyzed":
                conn = sqlite3.connect(nb_home / "cache.db")
                conn.execute("ANALYZE")
                conn.commit()
                conn.close()
            warm_file(nb_home / "cache.db")
            slow = variant == "plain" and feeds * 50 > 10_000
            runs = args.slow_runs if slow else args.startup_runs
            if not slow:
                newsboat_run(nb_home, "print-unread", STARTUP_TIMEOUT)  # warm-up
            for _ in range(runs):
                m = newsboat_run(nb_home, "print-unread", STARTUP_TIMEOUT)
                if m.code != 0 or "unread" not in m.output:
                    figures.problems.append(f"newsboat print-unread {variant}: {m.output[-300:]}")
                series.add(m.seconds)
                if variant == "analyzed":
                    figures.nb_rss.add(m.rss_mb)
            log(f"startup {feeds} feeds: newsboat print-unread ({variant}) {series.show()}")
            if not args.keep:
                shutil.rmtree(nb_home, ignore_errors=True)
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)
    return figures


# -- the report ------------------------------------------------------------------------------


def baseline_table(nr: RefreshFigures, base: RefreshFigures, tree: Path) -> str:
    """This checkout against `--baseline`'s, run for run."""
    rows = [
        [
            f"{phase} refresh",
            base.seconds[phase].show(),
            nr.seconds[phase].show(),
            ratio(nr.seconds[phase], base.seconds[phase]),
        ]
        for phase in PHASES
    ]
    rows.append(
        [
            "peak PSS of all processes, cold",
            base.pss["cold"].show("MB"),
            nr.pss["cold"].show("MB"),
            ratio(nr.pss["cold"], base.pss["cold"]),
        ]
    )
    rows.append(
        [
            "connections open to one host (server's count)",
            base.max_conn_host.show(""),
            nr.max_conn_host.show(""),
            "",
        ]
    )
    rows.append(
        [
            "established connections to one host (client side, sampled)",
            str(max(base.client_conn_host.values, default=0)),
            str(max(nr.client_conn_host.values, default=0)),
            "",
        ]
    )
    header = ["work", f"baseline ({tree})", "this checkout", "ratio"]
    return "\n" + table(header, rows)


def refresh_table(nr: RefreshFigures, nb: list[RefreshFigures], args) -> str:
    nb1 = next((f for f in nb if f.name.startswith("newsboat 1 ")), None)
    nb8 = next((f for f in nb if not f.name.startswith("newsboat 1 ")), None)
    empty = RefreshFigures("—")
    nb1 = nb1 or empty
    nb8 = nb8 or empty
    header = [
        "work",
        "newsreader",
        nb1.name if nb1 is not empty else "newsboat (1 thread)",
        nb8.name if nb8 is not empty else "newsboat (8 threads)",
        "ratio vs 1 thread",
        "ratio vs 8 threads",
        "runs",
    ]
    rows = []
    what = {
        "cold": f"cold refresh (N={args.feeds}, {args.latency_ms:g} ms)",
        "second": "second refresh (right after)",
        "warm": "warm refresh (nothing changed)",
    }
    for phase in PHASES:
        rows.append(
            [
                what[phase],
                nr.seconds[phase].show(),
                nb1.seconds[phase].show(),
                nb8.seconds[phase].show(),
                ratio(nr.seconds[phase], nb1.seconds[phase]),
                ratio(nr.seconds[phase], nb8.seconds[phase]),
                str(len(nr.seconds[phase].values)),
            ]
        )
    for phase in ("second", "warm"):
        rows.append(
            [
                f"bodies downloaded, {phase} refresh",
                nr.bodies[phase].show(""),
                nb1.bodies[phase].show(""),
                nb8.bodies[phase].show(""),
                "",
                "",
                str(len(nr.bodies[phase].values)),
            ]
        )
    for label, series in (("RSS", "tree"), ("PSS", "pss")):
        ours, one, eight = (getattr(f, series)["cold"] for f in (nr, nb1, nb8))
        rows.append(
            [
                f"peak {label} of all its processes, cold",
                ours.show("MB"),
                one.show("MB"),
                eight.show("MB"),
                ratio(ours, one),
                ratio(ours, eight),
                str(len(ours.values)),
            ]
        )
    mem_nb1, mem_nb8 = nb1.tree["cold"], nb8.tree["cold"]
    rows.append(
        [
            "memory: our summed PSS vs its RSS, cold",
            nr.pss["cold"].show("MB"),
            mem_nb1.show("MB"),
            mem_nb8.show("MB"),
            ratio(nr.pss["cold"], mem_nb1),
            ratio(nr.pss["cold"], mem_nb8),
            str(len(nr.pss["cold"].values)),
        ]
    )
    for phase in ("cold", "warm"):
        rows.append(
            [
                f"peak RSS (largest process), {phase}",
                nr.rss[phase].show("MB"),
                nb1.rss[phase].show("MB"),
                nb8.rss[phase].show("MB"),
                ratio(nr.rss[phase], nb1.rss[phase]),
                ratio(nr.rss[phase], nb8.rss[phase]),
                str(len(nr.rss[phase].values)),
            ]
        )
    rows.append(
        [
            "max connections open to one host (any refresh)",
            nr.max_conn_host.show(""),
            nb1.max_conn_host.show(""),
            nb8.max_conn_host.show(""),
            "",
            "",
            "",
        ]
    )
    rows.append(
        [
            "most established to one host, client side (sampled every 50 ms, any refresh)",
            *(
                str(max(f.client_conn_host.values)) if f.client_conn_host.values else "—"
                for f in (nr, nb1, nb8)
            ),
            "",
            "",
            "",
        ]
    )
    rows.append(
        [
            "max requests in flight (per host), cold",
            f"{nr.max_inflight.show('')} ({nr.max_inflight_host.show('')})",
            f"{nb1.max_inflight.show('')} ({nb1.max_inflight_host.show('')})",
            f"{nb8.max_inflight.show('')} ({nb8.max_inflight_host.show('')})",
            "",
            "",
            "",
        ]
    )
    return table(header, rows)


def startup_table(figures: list[StartupFigures], runs: int, slow_runs: int) -> str:
    header = [
        "work",
        "newsreader",
        "newsboat print-unread",
        "newsboat after ANALYZE",
        "ratio vs newsboat",
        "ratio vs ANALYZE",
        "runs",
    ]
    rows = []
    for f in figures:
        size = f"{f.entries // 1000}k entries" if f.entries >= 1000 else f"{f.entries} entries"
        nb_runs = slow_runs if f.entries > 10_000 else runs
        timed = [
            ("`list`", f.nr_list),
            ("`unread`", f.nr_unread),
            ("TUI to first usable screen", f.nr_tui),
        ]
        for work, ours in timed:
            if ours is f.nr_unread and not ours.values:
                continue  # `unread` only where the CLI has it
            rows.append(
                [
                    f"{work}, {size}",
                    ours.show(),
                    f.nb_plain.show(),
                    f.nb_analyzed.show(),
                    ratio(ours, f.nb_plain),
                    ratio(ours, f.nb_analyzed),
                    f"{runs} / {nb_runs} / {runs}",
                ]
            )
        rows.append(
            [
                f"peak RSS: TUI / `list` vs print-unread, {size}",
                f"{f.nr_tui_rss.show('MB')} / {f.nr_list_rss.show('MB')}",
                "",
                f.nb_rss.show("MB"),
                "",
                ratio(f.nr_tui_rss, f.nb_rss),
                "",
            ]
        )
    return table(header, rows)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=200, help="N feeds (the targets: 1000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="per request")
    parser.add_argument(
        "--hosts", type=int, default=None, help="spread feeds over 127.0.0.1..H (20; zipf: 100)"
    )
    parser.add_argument(
        "--spread",
        choices=("even", "zipf"),
        default="even",
        help="even: feed i on host i mod H; zipf: host k holds ~1/k of the feeds",
    )
    parser.add_argument("--gzip", action="store_true", help="serve gzip to clients that ask")
    parser.add_argument(
        "--typographic",
        action="store_true",
        help="refresh feeds whose text has curly quotes, dashes and no-break spaces, as most"
        " real feeds' has (the startup part keeps the plain corpus)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-newsboat", action="store_true")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout of newsreader (e.g. `git archive` of an earlier commit) run as"
        " a second contender, interleaved with this one, for before/after figures",
    )
    parser.add_argument("--newsboat-threads", default="1,8", help="reload-threads variants")
    parser.add_argument("--skip-refresh", action="store_true", help="only the startup part")
    parser.add_argument("--skip-startup", action="store_true", help="only the refresh part")
    parser.add_argument("--skip-floor", action="store_true")
    parser.add_argument(
        "--tui-refresh",
        type=int,
        default=0,
        metavar="K",
        help="also time R in the TUI on N fresh feeds, K runs, with the longest UI freeze",
    )
    parser.add_argument(
        "--tui-repeat",
        type=int,
        default=0,
        help="with --tui-refresh: press R this many more times in the same app (RSS flat?)",
    )
    parser.add_argument(
        "--startup-feeds", default="20,1000", help="store sizes in feeds of 50 entries"
    )
    parser.add_argument(
        "--startup-runs", type=int, default=7, help="runs of each (sub-second) startup figure"
    )
    parser.add_argument(
        "--slow-runs",
        type=int,
        default=1,
        help="runs of newsboat print-unread on a big cache without ANALYZE (~40 s each)",
    )
    parser.add_argument("--corpus-dir", type=Path, help="default: under the temp dir")
    parser.add_argument("--cache-dir", type=Path, help="built startup stores (temp dir)")
    parser.add_argument("--work-dir", type=Path, help="run directories (default: a new temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep run directories")
    parser.add_argument("--json", type=Path, help="also write every raw figure here")
    args = parser.parse_args()
    args.expect_entries = args.feeds * 50
    if args.hosts is None:
        args.hosts = 100 if args.spread == "zipf" else 20
    bench_root = Path(tempfile.gettempdir()) / "newsreader-bench"
    cache_dir = args.cache_dir or bench_root / "cache"
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="run-", dir=_mkdir(bench_root)))
    work.mkdir(parents=True, exist_ok=True)
    have_newsboat = shutil.which("newsboat") is not None and not args.skip_newsboat
    if not have_newsboat and not args.skip_newsboat:
        log("newsboat is not on PATH (apt-get install newsboat): newsreader figures only")

    started = time.perf_counter()
    warm_bytecode(args.baseline)
    corpus_dir = args.corpus_dir or default_dir(args.seed, args.typographic)
    manifest = write_corpus(corpus_dir, args.feeds, args.seed, typographic=args.typographic)
    paths = [f["path"] for f in manifest["feeds"]]
    results: dict = {
        "feeds": args.feeds,
        "runs": args.runs,
        "latency_ms": args.latency_ms,
        "hosts": args.hosts,
        "spread": args.spread,
        "gzip": args.gzip,
        "typographic": args.typographic,
        "corpus_bytes": manifest["total_bytes"],
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
    }
    if have_newsboat:
        results["newsboat"] = newsboat_version()
    out: list[str] = [
        f"newsreader at {tree_state()}; "
        + (f"{results['newsboat']}; " if have_newsboat else "")
        + f"{os.cpu_count()} CPUs\n"
    ]
    results["tree"] = out[0].strip()
    nr = base = None
    nbs: list[RefreshFigures] = []
    if not args.skip_refresh:
        server = BenchServer(
            corpus_dir,
            hosts=args.hosts,
            latency=args.latency_ms / 1000,
            gzip_level=6 if args.gzip else None,
            only=paths,
        )
        with server:
            spread = host_indexes(len(paths), args.hosts, args.spread, args.seed)
            urls = [server.url(p, h) for p, h in zip(paths, spread, strict=True)]
            write_url_list(work, urls, [f["title"] for f in manifest["feeds"]])
            log(
                f"serving {len(paths)} feeds ({manifest['total_bytes'] / 1e6:.0f} MB) on "
                f"{args.hosts} hosts at {server.base(0)}.., {args.latency_ms:g} ms a request"
            )
            # Run by run, every contender in turn: a slow spell on a shared machine then
            # hits all of them alike instead of one, and the ratios stay fair.
            nr = RefreshFigures("newsreader")
            threads_list = [int(t) for t in args.newsboat_threads.split(",") if t]
            if have_newsboat:
                nbs = [
                    RefreshFigures(f"newsboat {t} thread{'s' if t != 1 else ''}")
                    for t in threads_list
                ]
            floor = None if args.skip_floor else {"cold": Series(), "conditional": Series()}
            base = RefreshFigures("baseline") if args.baseline else None
            for run in range(args.runs):
                if base is not None:
                    newsreader_run(base, run, server, urls, args, work, args.baseline)
                newsreader_run(nr, run, server, urls, args, work)
                for figures, threads in zip(nbs, threads_list, strict=False):
                    newsboat_run_refresh(figures, threads, run, server, urls, args, work)
                if floor is not None:
                    floor_run(floor, run, urls, args, work, server)
            tui = bench_tui_refresh(server, urls, args, work) if args.tui_refresh else []
        out.append(
            f"### Refresh: {args.feeds} feeds x 50 items "
            f"({manifest['total_bytes'] / 1e6:.0f} MB), {args.latency_ms:g} ms latency, "
            f"{args.hosts} hosts{spread_note(args)}{', gzip' if args.gzip else ''}"
            f"{', typographic text' if args.typographic else ''}; "
            "median (min–max) of "
            f"{args.runs} runs\n"
        )
        out.append(refresh_table(nr, nbs, args))
        if base is not None:
            out.append(baseline_table(nr, base, args.baseline))
        if floor is not None:
            out.append(
                "\nFloor (httpx only, 32 at once, nothing parsed or stored): cold "
                f"{floor['cold'].show()}, conditional (all 304) {floor['conditional'].show()}"
            )
        if tui:
            out.append(tui_refresh_report(tui, args.feeds))
            results["tui_refresh"] = tui
        results["refresh"] = [
            {"name": f.name, "runs": f.raw, "problems": f.problems} for f in [nr, *nbs]
        ]
        if floor is not None:
            results["floor"] = {k: v.values for k, v in floor.items()}
    startup: list[StartupFigures] = []
    if not args.skip_startup:
        for feeds in [int(x) for x in args.startup_feeds.split(",") if x]:
            startup.append(bench_startup(feeds, args, work, cache_dir, have_newsboat))
        out.append(
            "\n### Startup with a big store (newsboat: `-x print-unread`, which loads its whole "
            "cache as its TUI does); median (min–max)\n"
        )
        out.append(startup_table(startup, args.startup_runs, args.slow_runs))
        results["startup"] = [
            {
                "feeds": f.feeds,
                "entries": f.entries,
                "newsreader_list": f.nr_list.values,
                "newsreader_unread": f.nr_unread.values,
                "newsreader_tui": f.nr_tui.values,
                "newsreader_tui_rss_mb": f.nr_tui_rss.values,
                "newsreader_list_rss_mb": f.nr_list_rss.values,
                "newsboat_print_unread": f.nb_plain.values,
                "newsboat_print_unread_analyzed": f.nb_analyzed.values,
                "newsboat_rss_mb": f.nb_rss.values,
                "problems": f.problems,
            }
            for f in startup
        ]
    problems = [p for f in [nr, base, *nbs] if f for p in f.problems]
    problems += [p for f in startup for p in f.problems]
    if problems:
        out.append("\nProblems:\n" + "\n".join(f"- {p}" for p in problems))
    took = time.perf_counter() - started
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    kept = f"; run directories kept in {work}" if args.keep else ""
    out.append(f"\nLoad average at the end (1 / 5 / 15 min): {load} on {os.cpu_count()} CPUs")
    out.append(f"\n(benchmark took {took / 60:.1f} min{kept})")
    print("\n".join(out))
    if args.json:
        results["report"] = "\n".join(out)
        args.json.write_text(json.dumps(results, indent=1))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if problems else 0


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


if __name__ == "__main__":
    sys.exit(main())
