"""What 20 rules add to a refresh (issue 16's target: at most 5 %).

    python -m bench.rules_bench [--feeds 40] [--runs 5] [--seed 1]

A refresh's own work without the network, in one thread: every corpus feed (`bench/corpus.py`,
~420 KB, 50 items) is parsed as a refresh parses it (`parse_job`) and stored into a fresh
store (`Store.apply_updates`, where rules run on the new entries). Timed with no rules and
with 20 rules of every kind (title, author, content, link, feed, folder, category,
older_than_days; every action), interleaved run by run so a busy spell hits both alike.
Without the network the rules' share is as large as it can be: a real refresh also waits
for servers, so the overhead it sees is smaller still. Prints medians and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import make_feed
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


def store_all(updates: list[FeedUpdate], work: Path, rules: bool) -> float:
    """Store every parsed feed into a fresh store; seconds."""
    with Store(work / f"bench-{time.monotonic_ns()}.db") as store:
        urls = [f"http://site-{i}.example.org/feed" for i in range(len(updates))]
        ids = [store.add_feed(url)[0].id for url in urls]
        specs = [rule_from_dict(table) for table in TWENTY_RULES] if rules else []
        store.configure_rules(specs)
        started = time.perf_counter()
        for feed_id, update in zip(ids, updates, strict=True):
            store.apply_updates([FeedUpdate(feed_id, update.parsed)])
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    docs = [make_feed(args.seed, i) for i in range(args.feeds)]
    parse_times: list[float] = []
    updates: list[FeedUpdate] = []
    for doc in docs:
        started = time.perf_counter()
        parsed = parse_job(doc.data, f"http://{doc.site}/feed", {})
        parse_times.append(time.perf_counter() - started)
        updates.append(FeedUpdate(0, parsed))
    parse_total = sum(parse_times)
    without: list[float] = []
    with_rules: list[float] = []
    with tempfile.TemporaryDirectory(prefix="newsreader-rules-bench-") as tmp:
        work = Path(tmp)
        store_all(updates, work, rules=False)  # warm caches once
        for _ in range(args.runs):
            without.append(store_all(updates, work, rules=False))
            with_rules.append(store_all(updates, work, rules=True))
    entries = sum(len(u.parsed.entries) for u in updates)
    base = statistics.median(without)
    ruled = statistics.median(with_rules)
    print(f"{args.feeds} feeds, {entries} entries, {args.runs} runs (medians)")
    print(f"parse (once):           {parse_total:8.3f} s")
    print(f"store, no rules:        {base:8.3f} s")
    per_entry = (ruled - base) * 1000 / entries
    print(f"store, 20 rules:        {ruled:8.3f} s  (+{per_entry:.3f} ms/entry)")
    refresh_base = parse_total + base
    refresh_ruled = parse_total + ruled
    print(
        f"parse + store:          {refresh_base:8.3f} s -> {refresh_ruled:8.3f} s"
        f"  = {100 * (refresh_ruled / refresh_base - 1):+.1f} %"
    )
    print(f"store alone:            {100 * (ruled / base - 1):+.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
