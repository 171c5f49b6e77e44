"""Reader-mode benchmark (issue 4): extraction, rendering, and opening articles in the TUI.

    python -m bench.reader_mode [--runs 50] [--ui-runs 10]

Prints medians (and the range) of:

- `extract_article` on the seed site's lead page (`tests/fixtures/seed-site/articles/
  ssa-ice-appointments.html`, `__BASE__` replaced) and on a generated ~100 KB news page
  (navigation, article, related box, comments, footer, inline scripts); the first call in
  the process (which imports the extractor) is shown apart;
- `render_article` on both extracted articles and on a 10,000-word article;
- in the TUI (`App.run_test`, headless, 140x45, a store on disk whose page cache holds the
  article; a fresh process and app each run): Enter on the entry -> the cached article drawn,
  i.e. the first frame that shows the outline listing its headings (each condition is
  checked as a frame is sent, so a frame is credited with exactly what it shows);
- the same for a generated 10,000-word article with 20 headings: time to the first frame
  that shows its body (first screenful), to the first that lists all 20 headings in the
  outline, to the first with the whole body mounted (every block in the pane), and the
  longest gap between ticks of a 10 ms asyncio timer on the app's loop from Enter until
  1 s after all of that (the longest UI freeze), next to the same gap measured while idle.

Targets (issue 4): extract <= 10 ms (lead page), seed article from cache drawn <= 100 ms,
long article's first screenful <= 200 ms with no freeze over 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import itertools
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench.corpus import pool

REPO = Path(__file__).resolve().parents[1]
LEAD_PAGE = REPO / "tests" / "fixtures" / "seed-site" / "articles" / "ssa-ice-appointments.html"
BASE = "http://127.0.0.1:9"
"""Loopback and never fetched: every page the UI runs need is in the store's page cache."""
HTML_TYPE = "text/html; charset=utf-8"
SIZE = (140, 45)
UI_TIMEOUT = 20.0


# -- inputs -----------------------------------------------------------------------------------


def lead_page() -> bytes:
    return LEAD_PAGE.read_bytes().replace(b"__BASE__", BASE.encode())


def news_page(target: int = 100_000, seed: int = 1) -> bytes:
    """A ~100 KB news page the way sites ship them: chrome, scripts, the article, comments."""
    rng = random.Random(f"newsreader-bench:{seed}:page")
    p = pool(seed)
    nav = "".join(
        f'<li><a href="/section/{i}">{html.escape(rng.choice(p.headings))}</a></li>'
        for i in range(40)
    )
    script = "window.__STATE__ = " + repr([rng.choice(p.headings) for _ in range(400)]) + ";"
    style = "".join(f".c{i}{{margin:{i}px;padding:{i % 7}px}}" for i in range(600))
    body: list[str] = []
    for section in range(6):
        if section:
            body.append(f"<h2>{rng.choice(p.headings)}</h2>")
        for _ in range(5):
            body.append(f"<p>{rng.choice(p.paragraphs)}</p>")
        if section % 2:
            body.append(f"<blockquote><p>{rng.choice(p.quotes)}</p></blockquote>")
        if section == 3:
            body.append(
                f'<figure><img src="/img/{section}.jpg" alt="{rng.choice(p.headings)}">'
                f"<figcaption>{rng.choice(p.quotes)}</figcaption></figure>"
            )
        body.append('<div class="ad" aria-hidden="true">Advertisement</div>')
    related = "".join(
        f'<li><a href="/2025/related-{i}.html"><h3>{rng.choice(p.headings)}</h3></a>'
        f"<p>{rng.choice(p.quotes)}</p></li>"
        for i in range(6)
    )
    comments = []
    footer = "".join(f'<a href="/about/{i}">{rng.choice(p.headings)}</a> ' for i in range(40))
    head = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Generated benchmark article | Bench Times</title>"
        "<meta name='description' content='A generated article for the reader-mode benchmark.'>"
        "<meta property='og:site_name' content='Bench Times'>"
        "<meta property='article:published_time' content='2025-11-20T10:00:00Z'>"
        f"<style>{style}</style><script>{script}</script></head><body>"
        f"<header class='site-header'><nav class='site-nav'><ul>{nav}</ul></nav></header>"
        "<main><article class='post'><header class='post-header'>"
        "<h1>Generated benchmark article</h1>"
        "<p class='deck'>A long read with sections, quotes and a figure.</p>"
        "<p class='byline'>By <span class='author'>Bench Writer</span></p></header>"
        "<div class='post-body'>" + "\n".join(body) + "</div></article>"
        f"<aside class='related-articles'><h2>Related Articles</h2><ul>{related}</ul></aside>"
    )
    size = len(head)
    while size < target - 2000:
        comment = (
            f"<div class='comment'><p class='who'>{rng.choice(p.headings)}</p>"
            f"<p>{rng.choice(p.paragraphs)}</p></div>"
        )
        comments.append(comment)
        size += len(comment)
    tail = (
        "<section id='comments' class='comments'><h2>Comments</h2>"
        + "".join(comments)
        + f"</section></main><footer class='site-footer'>{footer}</footer></body></html>"
    )
    return (head + tail).encode()


def long_article_html(words: int = 10_000, headings: int = 20, seed: int = 1) -> str:
    """Body HTML of `words` words in `headings` sections (h2), paragraphs of ~100 words."""
    rng = random.Random(f"newsreader-bench:{seed}:long")
    p = pool(seed)
    per_section = words // headings
    out: list[str] = []
    for n in range(headings):
        out.append(f"<h2>Section {n + 1}: {rng.choice(p.headings)}</h2>")
        count = 0
        while count < per_section:
            para = rng.choice(p.paragraphs)
            count += len(re.sub(r"<[^>]+>", " ", para).split())
            out.append(f"<p>{para}</p>")
    return "\n".join(out)


# -- timing helpers ---------------------------------------------------------------------------


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        values.append(time.perf_counter() - started)
    return values


def show(values: list[float]) -> str:
    if not values:
        return "—"
    med = statistics.median(values) * 1000
    if len(values) == 1:
        return f"{med:.1f} ms"
    return f"{med:.1f} ms ({min(values) * 1000:.1f}–{max(values) * 1000:.1f})"


def verdict(values: list[float], limit_ms: float) -> str:
    if not values:
        return "—"
    return "yes" if statistics.median(values) * 1000 <= limit_ms else "no"


# -- the UI runs ------------------------------------------------------------------------------


class Ticker:
    """A 10 ms asyncio timer on the app's loop; a long gap between ticks is a UI freeze."""

    def __init__(self, period: float = 0.01) -> None:
        self.period = period
        self.ticks: list[float] = []
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            self.ticks.append(time.perf_counter())
            await asyncio.sleep(self.period)

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def max_gap(self, start: float, end: float) -> float:
        inside = [t for t in self.ticks if start <= t <= end]
        before = [t for t in self.ticks if t < start]
        if before:
            inside.insert(0, before[-1])
        after = [t for t in self.ticks if t > end]
        if after:
            inside.append(after[0])
        gaps = [b - a for a, b in itertools.pairwise(inside)]
        return max(gaps, default=0.0)


class Frames:
    """When the app composes a frame (its `_display` runs even when headless), and the first
    frame at which each watched condition held: checked as the frame is sent, so a frame
    is credited with exactly what it shows (polling from another task would credit the
    frame after the one that first showed it)."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.times: list[float] = []
        self.watched: dict[str, Callable[[], bool]] = {}
        self.first: dict[str, float] = {}
        original = app._display

        def display(screen, renderable):  # type: ignore[no-untyped-def]
            result = original(screen, renderable)
            if renderable is not None:
                now = time.perf_counter()
                self.times.append(now)
                for name, check in self.watched.items():
                    if name not in self.first and check():
                        self.first[name] = now
            return result

        app._display = display

    def watch(self, **checks: Callable[[], bool]) -> None:
        self.watched.update(checks)


async def wait_for(check: Callable[[], bool], timeout: float = UI_TIMEOUT) -> float:
    """Poll every millisecond; return when `check()` first held (raise after `timeout`)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if check():
            return time.perf_counter()
        await asyncio.sleep(0.001)
    raise TimeoutError("the UI did not get there in time")


def make_store(data_dir: Path, articles: dict[str, object]):  # type: ignore[no-untyped-def]
    """A store with one feed whose entries are summary-only, their pages already cached."""
    from reader.models import Entry, ParsedFeed
    from reader.store import Store

    store = Store(data_dir / "newsreader.db")
    feed, _ = store.add_feed(f"{BASE}/feed.xml")
    entries = tuple(
        Entry(
            key=url,
            title=f"Entry {n}: {article.title}",  # type: ignore[attr-defined]
            link=url,
            published=datetime(2025, 11, 21 - n, 12, tzinfo=UTC),
            summary="A one-line summary; the full article is on the page.",
        )
        for n, (url, article) in enumerate(articles.items())
    )
    store.apply_update(feed.id, ParsedFeed(title="Bench feed", entries=entries))
    for url, article in articles.items():
        store.put_page(url, article)  # type: ignore[arg-type]
    return store


async def open_entry_once(
    template: Path,
    index: int,
    headings: list[str],
    first_text: str,
    blocks: int,
    problems: list[str],
) -> dict[str, float] | None:
    """A fresh app on a fresh copy of the store; Enter on entry `index`; time what follows."""
    from reader.config import Settings
    from reader.store import Store
    from reader.ui.app import NewsReaderApp

    with tempfile.TemporaryDirectory(prefix="newsreader-bench-ui-") as tmp:
        shutil.copyfile(template, Path(tmp) / "newsreader.db")
        store = Store(Path(tmp) / "newsreader.db")
        app = NewsReaderApp(store, Settings(timeout=1.0, deadline=2.0))
        frames = Frames(app)
        ticker = Ticker()
        result: dict[str, float] = {}
        try:
            async with app.run_test(headless=True, size=SIZE) as pilot:
                result = await _enter_and_watch(
                    app, pilot, frames, ticker, index, headings, first_text, blocks
                )
        except TimeoutError as exc:
            problems.append(f"entry {index}: {exc}")
        except Exception as exc:  # the tree is shared: say what broke, keep the figures
            problems.append(f"entry {index}: {type(exc).__name__}: {str(exc)[:200]}")
        finally:
            ticker.stop()
            store.close()
    return result or None


async def _enter_and_watch(  # type: ignore[no-untyped-def]
    app, pilot, frames: Frames, ticker: Ticker, index, headings, first_text, blocks
) -> dict[str, float]:
    screen = app.screen
    feeds = screen.query_one("#feed-list")
    entries = screen.query_one("#entries")
    await wait_for(lambda: feeds.option_count > 0 and entries.option_count > index)
    await pilot.pause()
    entries.focus()
    entries.highlighted = index
    await pilot.pause()
    outline = screen.query_one("#outline")
    body = screen.query_one("#article-body")

    def outline_done() -> bool:
        texts = [str(outline.get_option_at_index(i).prompt) for i in range(outline.option_count)]
        return len(texts) >= len(headings) and all(
            h.strip() in t for h, t in zip(headings, texts, strict=False)
        )

    def body_shown() -> bool:
        return any(first_text in _widget_text(child) for child in body.children[:3])

    def body_whole() -> bool:
        return len(body.children) >= blocks

    ticker.start()
    await asyncio.sleep(0.3)
    idle_end = time.perf_counter()
    idle_gap = ticker.max_gap(idle_end - 0.25, idle_end)
    if body_shown() or outline_done():
        raise TimeoutError("the article was on screen before Enter (a resumed session?)")
    frames.watch(shown=body_shown, outline=outline_done, whole=body_whole)
    pressed = time.perf_counter()
    send_key(app, "enter", "\r")
    await wait_for(lambda: len(frames.first) == 3)
    first_frame = frames.first["shown"]
    done_frame = frames.first["outline"]
    whole_frame = frames.first["whole"]
    await asyncio.sleep(1.0)
    freeze = ticker.max_gap(pressed, max(done_frame, whole_frame) + 1.0)
    return {
        "first_screen": first_frame - pressed,
        "outline": done_frame - pressed,
        "whole": whole_frame - pressed,
        "max_gap": freeze,
        "idle_gap": idle_gap,
    }


def send_key(app, key: str, char: str | None) -> None:  # type: ignore[no-untyped-def]
    """A key as the terminal driver delivers it (`Pilot.press` would also wait for idle)."""
    from textual import events

    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


def _widget_text(widget) -> str:  # type: ignore[no-untyped-def]
    """The source text of a Markdown block (paragraphs and headings keep it in `_content`)."""
    content = getattr(widget, "_content", None)
    if content is not None:
        return str(content)
    source = getattr(widget, "source", None)
    return str(source or "")


def ui_runs(args: argparse.Namespace, lead_article, long_article) -> dict[str, list]:  # type: ignore[no-untyped-def]
    """Each UI figure from a fresh process (its own GC history, as a real start has)."""
    results: dict[str, list] = {
        "lead": [],
        "lead_gap": [],
        "long_first": [],
        "long_outline": [],
        "long_whole": [],
        "long_gap": [],
        "idle_gap": [],
    }
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="newsreader-bench-ui-") as tmp:
        store = make_store(
            Path(tmp), {lead_article.url: lead_article, long_article.url: long_article}
        )
        store.close()
        template = Path(tmp) / "newsreader.db"
        for run in range(args.ui_runs + 1):
            lead = _child(template, 0, lead_article.url, problems)
            long = _child(template, 1, long_article.url, problems)
            if lead is None or long is None or run == 0:
                continue  # run 0 warms the disk cache and the bytecode: not counted
            results["lead"].append(lead["outline"])
            results["lead_gap"].append(lead["max_gap"])
            results["long_first"].append(long["first_screen"])
            results["long_outline"].append(long["outline"])
            results["long_whole"].append(long["whole"])
            results["long_gap"].append(long["max_gap"])
            results["idle_gap"].append(min(lead["idle_gap"], long["idle_gap"]))
            print(
                f"  ui run {run}/{args.ui_runs}: lead {lead['outline'] * 1000:.0f} ms, "
                f"long first screen {long['first_screen'] * 1000:.0f} ms, outline "
                f"{long['outline'] * 1000:.0f} ms, max gap {long['max_gap'] * 1000:.0f} ms",
                file=sys.stderr,
                flush=True,
            )
    results["problems"] = sorted(set(problems))
    return results


def _child(template: Path, index: int, url: str, problems: list[str]) -> dict | None:
    cmd = [
        sys.executable,
        "-m",
        "bench.reader_mode",
        "--ui-child",
        str(template),
        "--index",
        str(index),
        "--url",
        url,
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=UI_TIMEOUT * 3)
    except subprocess.TimeoutExpired:
        problems.append(f"entry {index}: the UI child did not finish in {UI_TIMEOUT * 3:g} s")
        return None
    try:
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        problems.append(f"entry {index}: {(proc.stderr or proc.stdout)[-300:]}")
        return None
    problems.extend(result.pop("problems", []))
    return result if "whole" in result else None


async def ui_child(template: Path, index: int, url: str) -> dict:
    """In the child: headings and first words of the cached article, then one timed Enter."""
    from reader.article.render import render_article
    from reader.store import Store

    with Store(template) as store:
        cached = store.get_page(url)
    if cached is None:
        return {"problems": [f"entry {index}: {url} is not in the page cache"]}
    rendered = render_article(cached.article)
    headings = [h.text for h in rendered.headings if h.level <= 4]
    problems: list[str] = []
    result = await open_entry_once(
        template,
        index,
        headings,
        _first_words(rendered.markdown),
        _top_level_blocks(rendered.markdown),
        problems,
    )
    return {**(result or {}), "problems": problems}


def _top_level_blocks(markdown: str) -> int:
    """How many widgets the article pane's Markdown has once the whole article is in."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("gfm-like").parse(markdown)
    return sum(1 for t in tokens if t.level == 0 and t.nesting >= 0 and t.type != "inline")


def _first_words(markdown: str) -> str:
    """A few words from the first paragraph of the rendered Markdown (to spot it on screen)."""
    for block in markdown.split("\n\n"):
        block = block.strip()
        if block and not block.startswith(("#", ">", "-", "*", "|", "!", "`")):
            words = [w for w in block.replace("\\", "").split() if w.isalpha()]
            if len(words) >= 3:
                return " ".join(words[:3])
    return ""


# -- main -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=50, help="runs of extract / render")
    parser.add_argument("--ui-runs", type=int, default=10, help="fresh app processes per UI figure")
    parser.add_argument("--skip-ui", action="store_true")
    parser.add_argument("--ui-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--index", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ui_child:
        print(json.dumps(asyncio.run(ui_child(args.ui_child, args.index, args.url))))
        return 0

    from reader.article.extract import extract_article
    from reader.article.render import render_article
    from reader.models import Article

    lead = lead_page()
    page = news_page()
    lead_url = f"{BASE}/articles/ssa-ice-appointments.html"
    page_url = f"{BASE}/2025/11/generated-benchmark-article.html"
    cold = timed(lambda: extract_article(lead, lead_url, content_type=HTML_TYPE), 1)
    lead_article = extract_article(lead, lead_url, content_type=HTML_TYPE)
    page_article = extract_article(page, page_url, content_type=HTML_TYPE)
    long_article = Article(
        url=f"{BASE}/2025/11/ten-thousand-words.html",
        title="Ten thousand words in twenty sections",
        body_html=long_article_html(),
        source="page",
    )
    long_words = len(html.unescape(re.sub(r"<[^>]+>", " ", long_article.body_html)).split())

    ex_lead = timed(lambda: extract_article(lead, lead_url, content_type=HTML_TYPE), args.runs)
    ex_page = timed(lambda: extract_article(page, page_url, content_type=HTML_TYPE), args.runs)
    re_lead = timed(lambda: render_article(lead_article), args.runs)
    re_page = timed(lambda: render_article(page_article), args.runs)
    re_long = timed(lambda: render_article(long_article), max(5, args.runs // 5))
    page_headings = len(render_article(page_article).headings)
    lead_headings = len(render_article(lead_article).headings)
    long_headings = len(render_article(long_article).headings)

    rows = [
        ("extract_article, seed lead page (first call, imports)", cold, None),
        (f"extract_article, seed lead page ({len(lead) / 1000:.0f} KB)", ex_lead, 10),
        (f"extract_article, generated page ({len(page) / 1000:.0f} KB)", ex_page, None),
        (f"render_article, seed lead article ({lead_headings} headings)", re_lead, None),
        (f"render_article, generated page ({page_headings} headings)", re_page, None),
        (
            f"render_article, long article (~{long_words} words, {long_headings} headings)",
            re_long,
            None,
        ),
    ]
    ui: dict[str, list] = {}
    if not args.skip_ui:
        ui = ui_runs(args, lead_article, long_article)
        rows += [
            ("Enter -> seed article from cache drawn", ui["lead"], 100),
            ("  longest event-loop gap meanwhile", ui["lead_gap"], None),
            ("Enter -> long article, first screenful", ui["long_first"], 200),
            ("Enter -> long article, outline complete", ui["long_outline"], None),
            ("Enter -> long article, whole body mounted", ui["long_whole"], None),
            ("  longest event-loop gap (UI freeze) meanwhile", ui["long_gap"], 100),
            ("  longest event-loop gap while idle (noise floor)", ui["idle_gap"], None),
        ]
    from bench.refresh import tree_state

    print(f"newsreader at {tree_state()}\n")
    width = max(len(r[0]) for r in rows)
    print(f"Reader mode: median (min–max); {args.runs} runs of extract/render, ")
    print(f"{args.ui_runs} fresh app processes for each UI figure (after one warm-up)\n")
    print(f"| {'work'.ljust(width)} | median (min–max)         | target   | met |")
    print(f"|{'-' * (width + 2)}|--------------------------|----------|-----|")
    for name, values, target in rows:
        goal = f"≤ {target} ms" if target else ""
        met = verdict(values, target) if target else ""
        print(
            f"| {name.ljust(width)} | {show(values).ljust(24)} | {goal.ljust(8)} | {met.ljust(3)} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
