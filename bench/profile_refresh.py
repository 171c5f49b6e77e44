"""Where a cold `newsreader refresh` spends its time: py-spy over one run, summed by kind.

    python -m bench.profile_refresh [--feeds 200] [--latency-ms 50] [--gil] [--out FILE]

Serves the corpus as `bench/refresh.py` does, subscribes N feeds in a fresh data dir and runs
one cold `newsreader --data-dir D refresh` under `py-spy record --subprocesses`
(`pip install py-spy`; it samples every thread and worker process, which cProfile cannot:
parsing and SQLite run off the main thread).
With `--gil`, only samples of the thread holding the GIL count: on CPython that is the
budget every thread shares. Prints the share of samples in each kind of work (a sample
counts for the first kind found walking from the innermost frame out, skipping helpers
that every phase uses, such as feedparser's SGML base class) and the top functions by own
time; `--out` keeps the collapsed stacks (flamegraph input).

Without py-spy it falls back to `python -m cProfile -o FILE` and prints the main thread's
top functions (the worker threads' parsing is then invisible).
"""

from __future__ import annotations

import argparse
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.corpus import default_dir, write_corpus
from bench.refresh import REPO, clean_env, newsreader_cmd, subscribe
from bench.server import BenchServer

IMPORTS = ("_find_and_load", "<frozen importlib")
"""A sample anywhere under an import is process startup."""
GENERIC = ("feedparser/html.py", "feedparser/sgml.py", "feedparser/util.py", "functools.py")
"""Helpers every phase uses: they say nothing about which phase a sample belongs to."""
# (kind, needles), tried on each frame from the innermost out; the first match decides.
KINDS: list[tuple[str, tuple[str, ...]]] = [
    ("feedparser: HTML sanitiser", ("feedparser/sanitizer.py",)),
    ("feedparser: relative URIs", ("feedparser/urls.py",)),
    ("feedparser: encodings", ("feedparser/encodings.py",)),
    ("feedparser: dates", ("feedparser/datetimes",)),
    ("feedparser: XML parsing and the rest", ("feedparser/",)),
    ("FTS body text (store.plain_text, in the SQLite trigger)", ("plain_text (reader/store.py",)),
    ("SQLite and the store lock (store.py)", ("reader/store.py",)),
    ("feed -> models (parse.py, text.py)", ("reader/feeds/parse.py", "reader/text.py")),
    ("HTTP (httpx, httpcore, h11, anyio)", ("httpx/", "httpcore/", "h11/", "anyio/")),
    ("printing progress (cli.py)", ("reader/cli.py",)),
    ("asyncio / thread plumbing", ("asyncio/", "concurrent/futures", "threading.py")),
]


def classify(stack: list[str]) -> str:
    """The kind of work of one sample (py-spy stacks run root -> leaf)."""
    if any(needle in frame for frame in stack for needle in IMPORTS):
        return "startup: imports"
    for frame in reversed(stack):
        if any(needle in frame for needle in GENERIC):
            continue
        for kind, needles in KINDS:
            if any(needle in frame for needle in needles):
                return kind
    return "other"


def summarise(collapsed: Path) -> str:
    kinds: Counter[str] = Counter()
    own: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text(errors="replace").splitlines():
        stack_text, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack_text.split(";")
        roots = [f for f in frames[:2] if f.startswith(("thread", "process"))]
        if roots:
            # "process 123:"cmd"" / "thread (0x..): name": who did the work.
            threads[" / ".join(r.split(':"')[0][:60] for r in roots)] += count
            frames = frames[len(roots) :]
        total += count
        kinds[classify(frames)] += count
        if frames:
            own[frames[-1]] += count
    if not total:
        return "no samples"
    lines = [f"{total} samples", "", "| kind of work | share of samples |", "|---|---|"]
    lines += [f"| {kind} | {n / total:.0%} |" for kind, n in kinds.most_common()]
    lines += ["", "Top functions by own samples:"]
    lines += [f"  {n / total:5.1%}  {frame[:150]}" for frame, n in own.most_common(20)]
    if threads:
        lines += ["", "Samples by thread:"]
        lines += [f"  {n / total:5.1%}  {name[:80]}" for name, n in threads.most_common(8)]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples a second")
    parser.add_argument("--gil", action="store_true", help="only the thread holding the GIL")
    parser.add_argument("--out", type=Path, help="keep the collapsed stacks / .prof here")
    args = parser.parse_args()

    corpus_dir = default_dir(args.seed)
    manifest = write_corpus(corpus_dir, args.feeds, args.seed, quiet=True)
    paths = [f["path"] for f in manifest["feeds"]]
    pyspy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    have_pyspy = Path(pyspy).exists()
    with (
        tempfile.TemporaryDirectory(prefix="newsreader-bench-profile-") as tmp,
        BenchServer(
            corpus_dir, hosts=args.hosts, latency=args.latency_ms / 1000, only=paths
        ) as server,
    ):
        home = Path(tmp)
        data = home / "data"
        data.mkdir()
        subscribe(data, [server.url(p, i) for i, p in enumerate(paths)])
        refresh = [*newsreader_cmd(), "--data-dir", str(data), "refresh"]
        out = args.out or home / ("stacks.txt" if have_pyspy else "refresh.prof")
        if have_pyspy:
            cmd = [pyspy, "record", "--format", "raw", "--threads", "--subprocesses"]
            cmd += ["-r", str(args.rate)]
            cmd += ["--gil"] if args.gil else []
            cmd += ["-o", str(out), "--", *refresh]
        else:
            cmd = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "reader"]
            cmd += refresh[refresh.index("--data-dir") :]
        started = time.perf_counter()
        proc = subprocess.run(
            cmd, env=clean_env(home), capture_output=True, text=True, cwd=REPO, timeout=1800
        )
        took = time.perf_counter() - started
        stats = server.stats()
        print(
            f"cold refresh of {args.feeds} feeds under "
            f"{'py-spy' + (' --gil' if args.gil else '') if have_pyspy else 'cProfile'}: "
            f"{took:.1f} s wall, {stats['bodies']} bodies, exit {proc.returncode}\n"
        )
        if proc.returncode not in (0, 1) or not out.exists():
            print(proc.stderr[-2000:])
            return 1
        if have_pyspy:
            print(summarise(out))
        else:
            pstats.Stats(str(out)).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
