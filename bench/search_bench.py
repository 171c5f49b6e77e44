"""Search latency over a generated store of 100,000 entries: FTS5 (bm25) against LIKE.

Not part of the test run. Builds a store in a temporary directory (seeded, so every run has
the same data), then times the same queries through `Store.search` (what `/` and
`newsreader search` use) and as newsboat-style `LIKE '%q%'` scans over title and content,
and prints medians, p95 and the ratio.

    .venv/bin/python bench/search_bench.py [--entries 100000] [--runs 30]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reader.models import Entry, ParsedFeed
from reader.store import Store

TOPICS = [
    "privacy",
    "security",
    "election",
    "court",
    "budget",
    "climate",
    "energy",
    "market",
    "startup",
    "research",
    "health",
    "school",
    "transport",
    "housing",
    "water",
    "satellite",
    "quantum",
    "chip",
    "network",
    "browser",
    "kernel",
    "release",
    "policy",
    "trial",
    "glasses",
    "recognition",
    "teen",
    "mode",
    "agency",
    "leases",
    "office",
    "appointment",
    "trust",
    "dragnet",
    "surveillance",
    "service",
    "government",
    "rule",
    "judge",
    "data",
    "company",
    "report",
    "study",
]
SYLLABLES = [
    "ka",
    "to",
    "ri",
    "mu",
    "se",
    "lo",
    "pa",
    "ne",
    "vi",
    "da",
    "ro",
    "shi",
    "ten",
    "gu",
    "ba",
    "mi",
    "ko",
    "ra",
    "zu",
    "fe",
]
RANKS = (3, 30, 300, 3000)
"""Queries use words of these frequency ranks: from very common to rare."""


def vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    """Made-up words plus the topic words: a real-sized vocabulary, not 50 words."""
    words = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size)}
    return [*TOPICS, *sorted(words)]


def sentence(rng: random.Random, n: int, words: list[str] | None = None) -> str:
    """Words drawn with a Zipf-like skew, so common words are common and most are rare."""
    vocab = words or TOPICS
    picks = (vocab[min(int(rng.paretovariate(1.1)) - 1, len(vocab) - 1)] for _ in range(n))
    return " ".join(picks) if words else " ".join(rng.choice(TOPICS) for _ in range(n))


def build(db: Path, total: int, feeds: int = 200, seed: int = 7) -> tuple[Store, list[str]]:
    rng = random.Random(seed)
    words = vocabulary(rng)
    rng.shuffle(words)
    store = Store(db)
    per_feed = total // feeds
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for f in range(feeds):
        feed, _ = store.add_feed(f"http://bench.example/{f}.xml")
        entries = tuple(
            Entry(
                key=f"{f}-{i}",
                title=sentence(rng, 8, words).capitalize(),
                link=f"http://bench.example/{f}/{i}",
                author=rng.choice(["Ada", "Grace", "Linus", "Barbara"]),
                published=start - timedelta(hours=i),
                summary=sentence(rng, 30, words),
                content="".join(f"<p>{sentence(rng, 40, words)}</p>" for _ in range(6)),
            )
            for i in range(per_feed)
        )
        store.apply_update(feed.id, ParsedFeed(f"Feed {f}", entries=entries))
    queries = [words[r] for r in RANKS]
    queries += [f"{words[RANKS[1]]} {words[RANKS[2]]}", words[RANKS[1]][:3]]
    return store, queries


def timed(fn: object, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(len(values) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        store, queries = build(Path(tmp) / "bench.db", args.entries)
        print(f"built {args.entries} entries in {time.perf_counter() - t0:.1f} s\n")
        conn = store._conn
        print("query (matches): FTS5 top 50 by bm25 vs LIKE scan sorted by date")
        print(f"{'query':<20} {'FTS5 median':>12} {'p95':>8} {'LIKE median':>12} {'ratio':>7}")
        counts = {q: len(store.search(q, limit=10**6)) for q in queries}
        ratios = []
        for query in queries:
            fts = timed(lambda q=query: store.search(q, limit=50), args.runs)
            pattern = f"%{query}%"

            def like(p: str = pattern) -> None:
                # What newsboat does: scan every entry, then sort the matches by date.
                conn.execute(
                    "SELECT id FROM entries WHERE title LIKE ? OR content LIKE ?"
                    " ORDER BY sort_date DESC",
                    (p, p),
                ).fetchall()

            scan = timed(like, max(3, args.runs // 5))
            ratio = statistics.median(fts) / statistics.median(scan)
            ratios.append(ratio)
            label = f"{query} ({counts[query]})"
            print(
                f"{label:<20} {statistics.median(fts):>9.2f} ms {p95(fts):>5.1f} ms"
                f" {statistics.median(scan):>9.1f} ms {ratio:>7.3f}"
            )
        print(f"\nmedian ratio FTS5 / LIKE: {statistics.median(ratios):.3f}")
        store.close()


if __name__ == "__main__":
    main()
