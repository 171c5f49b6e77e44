"""What 20 rules add to a refresh (issue 16's target: at most 5 %).

    python -m bench.rules_bench [--feeds 40] [--runs 5] [--seed 1] [--typographic]
    python -m bench.rules_bench --refresh [--feeds 200] [--runs 5] [--latency-ms 50]

A refresh's own work without the network, in one thread: every corpus feed (`bench/corpus.py`,
~420 KB, 50 items) is parsed as a refresh parses it (`parse_job`) and stored into a fresh
store (`Store.apply_updates`, where rules run on the new entries). Timed with no rules and
with 20 rules of every kind (title, author, content, link, feed, folder, category,
older_than_days; every action), interleaved run by run so a busy spell hits both alike.
Without the network the rules' share is as large as it can be: a real refresh also waits
for servers, so the overhead it sees is smaller still. Times are CPU time of this process
(`time.process_time`: SQLite runs in it too), so other load on a shared machine does not
inflate one side. Prints medians and the ratio.

With `--refresh`: the real thing. `newsreader refresh` (a subprocess, cold: a fresh data
dir each run) of N corpus feeds from the loopback bench server (`bench/server.py`, 20
hosts, `--latency-ms` a request), with no rules and with the 20 rules in its config,
interleaved; wall-clock and CPU medians and the ratios. Also, from each ruled run's
`refresh --stats`, the rules' own CPU time (timed by the workers) against the rest of that
run's CPU: a share that machine-speed drift between runs (10 % and more on a shared
machine) does not move.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.corpus import FeedDoc, make_feed, with_typography
from reader.feeds.worker import parse_job
from reader.rules import rule_from_dict
from reader.store import FeedUpdate, Store

TWENTY_RULES: list[dict[str, object]] = [
    {"name": "sponsored", "action": "hide", "title": "sponsored|advertorial|promoted"},
    {"name": "press releases", "action": "read", "title": "^press release"},
    {"name": "giveaways", "action": "hide", "content": "giveaway|win a free"},
    {"name": "affiliate", "action": "hide", "content": r"affiliate link|\bcoupon code\b"},
    {"name": "robots", "action": "hide", "author": "bot$|automated"},
    {"name": "guest", "action": "list", "list": "Guests", "author": "guest"},
    {"name": "rust", "action": "star", "title": r"\brust\b", "content": "borrow checker"},
    {"name": "release notes", "action": "list", "list": "Releases", "title": r"v\d+\.\d+"},
    {"name": "podcasts", "action": "read", "link": r"/podcast/|\.mp3$"},
    {"name": "videos", "action": "list", "list": "Watch", "link": "youtube|vimeo"},
    {"name": "old desk", "action": "read", "feed": "desk 1[0-9]$", "older_than_days": 30},
    {"name": "archive", "action": "read", "older_than_days": 3650},
    {"name": "news folder", "action": "notify", "folder": "^news", "title": "breaking"},
    {"name": "politics", "action": "read", "category": "politics"},
    {"name": "elections", "action": "star", "content": r"election (?:night|results)"},
    {"name": "outage", "action": "notify", "title": "outage|incident|down for"},
    {"name": "security", "action": "star", "content": r"CVE-\d{4}-\d{4,}"},
    {"name": "paywall", "action": "hide", "content": "subscribe to read|subscribers only"},
    {"name": "quizzes", "action": "hide", "title": r"quiz|\bwhich .* are you\b"},
    {"name": "one site", "action": "list", "list": "Site", "feed": r"site-3\.example"},
]


_INSIDE = [0.0]
"""CPU seconds spent inside the rules' own steps of the store (see `_time_rule_steps`)."""


def _time_rule_steps() -> None:
    """Count the CPU time of the store's rule steps (deciding for new entries, recording
    the hits), a second figure beside the with/without difference, less exposed to noise."""
    for name in ("_rules_for_new", "_record_rule_hits"):
        step = getattr(Store, name)

        def timed(*args: object, _step: Any = step) -> Any:
            started = time.process_time()
            try:
                return _step(*args)
            finally:
                _INSIDE[0] += time.process_time() - started

        setattr(Store, name, timed)


def refresh_work(docs: list[FeedDoc], work: Path, rules: bool) -> tuple[float, float]:
    """A refresh's own work, as a parse worker does it: each feed parsed, then stored into
    a fresh store (one feed at a time, so only one is held). CPU seconds of parsing and of
    storing."""
    with Store(work / f"bench-{time.monotonic_ns()}.db") as store:
        ids = [store.add_feed(f"http://{doc.site}/feed")[0].id for doc in docs]
        specs = [rule_from_dict(table) for table in TWENTY_RULES] if rules else []
        store.configure_rules(specs)
        parse = stored = 0.0
        for feed_id, doc in zip(ids, docs, strict=True):
            started = time.process_time()
            parsed = parse_job(doc.data, f"http://{doc.site}/feed", {})
            between = time.process_time()
            store.apply_updates([FeedUpdate(feed_id, parsed)])
            parse += between - started
            stored += time.process_time() - between
        return parse, stored


def rules_toml() -> str:
    """The 20 rules as a config file."""
    from reader.rules_config import rule_toml

    return "\n".join(rule_toml(rule_from_dict(table)) for table in TWENTY_RULES)


def _adopt_orphans() -> None:
    """Become the subreaper of what the refresh leaves behind. Its parse workers are children
    of multiprocessing's fork server, which outlives the refresh by a moment and is then
    reparented: without this their CPU time never reaches RUSAGE_CHILDREN (Linux only)."""
    import ctypes

    pr_set_child_subreaper = 36
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(pr_set_child_subreaper, 1, 0, 0, 0) != 0:
        print("could not become a subreaper: the workers' CPU is not counted", file=sys.stderr)


def _reap_orphans(deadline: float = 10.0) -> None:
    """Wait for the refresh's leftover processes (the fork server), so their CPU time and
    their workers' is counted. The bench server is a thread: every child is the refresh's."""
    import os

    stop = time.monotonic() + deadline
    while time.monotonic() < stop:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return  # none left
        if pid == 0:
            time.sleep(0.02)


def bench_refresh(args: argparse.Namespace) -> int:
    """Cold `newsreader refresh` runs with and without the rules, interleaved."""
    import shutil
    import subprocess

    from bench.corpus import default_dir, write_corpus
    from bench.refresh import clean_env, newsreader_cmd, subscribe
    from bench.server import BenchServer

    corpus_dir = default_dir(args.seed, args.typographic)
    manifest = write_corpus(
        corpus_dir, args.feeds, args.seed, quiet=True, typographic=args.typographic
    )
    paths = [f["path"] for f in manifest["feeds"]][: args.feeds]
    times: dict[bool, list[float]] = {False: [], True: []}
    cpu: dict[bool, list[float]] = {False: [], True: []}
    shares: list[float] = []
    _adopt_orphans()
    with (
        tempfile.TemporaryDirectory(prefix="newsreader-rules-refresh-") as tmp,
        BenchServer(corpus_dir, hosts=20, latency=args.latency_ms / 1000, only=paths) as server,
    ):
        urls = [server.url(p, i) for i, p in enumerate(paths)]
        for run in range(args.runs):
            for ruled in (False, True) if run % 2 == 0 else (True, False):
                home = Path(tmp) / f"run{run}-{int(ruled)}"
                data = home / "data"
                data.mkdir(parents=True)
                subscribe(data, urls)
                (data / "config.toml").write_text(rules_toml() if ruled else "")
                used = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.perf_counter()
                done = subprocess.run(
                    [*newsreader_cmd(), "--data-dir", str(data), "refresh", "--stats"],
                    env=clean_env(home),
                    capture_output=True,
                    timeout=1800,
                    check=False,
                )
                seconds = time.perf_counter() - started
                _reap_orphans()
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                # The refresh, its fork server and parse workers (all reaped), all CPU.
                cpu_seconds = (after.ru_utime - used.ru_utime) + (after.ru_stime - used.ru_stime)
                if done.returncode != 0:
                    print(done.stdout[-500:], done.stderr[-500:], file=sys.stderr)
                    return 1
                times[ruled].append(seconds)
                cpu[ruled].append(cpu_seconds)
                label = "20 rules" if ruled else "no rules"
                line = (
                    f"run {run + 1}/{args.runs} {label}: {seconds:.2f} s, CPU {cpu_seconds:.2f} s"
                )
                if ruled:
                    # The rules' own CPU time, as the workers timed it, in the same run:
                    # unlike the with/without difference, no drift between runs is in it.
                    inside = _rules_seconds(done.stdout.decode())
                    shares.append(inside / (cpu_seconds - inside))
                    line += f", rules {inside:.2f} s = {100 * shares[-1]:.1f} % of the rest"
                print(line, flush=True)
                shutil.rmtree(home, ignore_errors=True)
    base, ruled_time = statistics.median(times[False]), statistics.median(times[True])
    print(f"{args.feeds} feeds, cold refresh, {args.runs} runs (medians), {args.latency_ms:g} ms")
    print(f"no rules:  {base:7.2f} s   (range {min(times[False]):.2f}-{max(times[False]):.2f})")
    print(f"20 rules:  {ruled_time:7.2f} s   (range {min(times[True]):.2f}-{max(times[True]):.2f})")
    print(f"rules add: {100 * (ruled_time / base - 1):+.1f} % (wall)")
    base_cpu, ruled_cpu = statistics.median(cpu[False]), statistics.median(cpu[True])
    print(f"CPU, every process of the refresh: {base_cpu:.2f} s -> {ruled_cpu:.2f} s")
    print(f"rules add: {100 * (ruled_cpu / base_cpu - 1):+.1f} % (CPU)")
    print(
        f"rules' own CPU (refresh --stats) against the rest of the same run: "
        f"{100 * statistics.median(shares):+.1f} % "
        f"(range {100 * min(shares):.1f}-{100 * max(shares):.1f})"
    )
    return 0


def _rules_seconds(stats: str) -> float:
    """The rules' CPU seconds from `refresh --stats` output."""
    return float(stats.rsplit("rules: ", 1)[1].split(" s", 1)[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=40)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--refresh", action="store_true", help="time real refreshes")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument(
        "--typographic",
        action="store_true",
        help="bodies with curly quotes, dashes and no-break spaces, as most real ones have",
    )
    args = parser.parse_args()
    if args.refresh:
        return bench_refresh(args)
    docs = [make_feed(args.seed, i) for i in range(args.feeds)]
    if args.typographic:
        docs = [with_typography(doc) for doc in docs]
    times: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    inside: list[float] = []
    _time_rule_steps()
    with tempfile.TemporaryDirectory(prefix="newsreader-rules-bench-") as tmp:
        work = Path(tmp)
        refresh_work(docs, work, rules=False)  # warm caches once, each side
        refresh_work(docs, work, rules=True)
        for run in range(args.runs):
            # ABBA: neither side always goes first.
            for ruled in (False, True) if run % 2 == 0 else (True, False):
                _INSIDE[0] = 0.0
                times[ruled].append(refresh_work(docs, work, ruled))
                if ruled:
                    inside.append(_INSIDE[0])
    entries = args.feeds * 50
    print(f"{args.feeds} feeds, {entries} entries, {args.runs} runs each, interleaved (medians)")
    med = {
        ruled: (
            statistics.median(p for p, _ in times[ruled]),
            statistics.median(s for _, s in times[ruled]),
            statistics.median(p + s for p, s in times[ruled]),
        )
        for ruled in (False, True)
    }
    for label, index in (("parse", 0), ("store", 1), ("parse + store", 2)):
        base, with_rules = med[False][index], med[True][index]
        print(
            f"{label + ':':15} {base:7.3f} s -> {with_rules:7.3f} s"
            f"  {100 * (with_rules / base - 1):+6.1f} %"
            f"  ({(with_rules - base) * 1e6 / entries:+.1f} us an entry)"
        )
    # Rules run only in the store step; parsing is the same work on both sides, so a
    # difference there is noise. The rules' share: what they add to storing, over the
    # whole of parsing and storing without them.
    share = (med[True][1] - med[False][1]) / med[False][2]
    print(f"rules' cost:    {100 * share:+.1f} % of parse + store (target: at most 5 %)")
    steps = statistics.median(inside)
    print(
        f"inside the rule steps: {steps:.3f} s ({steps * 1e6 / entries:.1f} us an entry)"
        f" = {100 * steps / med[False][2]:.1f} % of parse + store without rules"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
