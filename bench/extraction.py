"""Reader-mode accuracy (issue 13): newsreader vs readability-lxml vs trafilatura.

    python -m bench.extraction [--only newsreader] [--pages 50] [--worst 10] [--page NAME]

Runs each extractor on mozilla/readability's test pages (committed under
`bench/corpus/readability/`, Apache-2.0, see the LICENSE there; nothing is downloaded) and
prints, per extractor: body F1 / precision / recall (bag of words against the reference
`expected.html`, averaged per page, a failure scoring 0), pages with F1 < 0.5, heading
recall / precision (h1-h6 texts, pooled over pages), title and byline right (against
`expected-metadata.json`, words compared), errors, and the median and p95 CPU time a page
(CPU time of the thread: the machines are shared, and wall time follows their load).

trafilatura is optional (`pip install trafilatura`): without it its column is skipped.
The scoring functions are shared with `tests/test_extraction_corpus.py`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import signal
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

CORPUS = Path(__file__).resolve().parent / "corpus" / "readability"
PAGE_URL = "http://fakehost/test/page.html"
"""The address readability's own test runner gives every page."""
TIMEOUT = 20
"""A page that takes longer counts as an error (a hang)."""

_WORD = re.compile(r"\w+")
_BLOCKS = frozenset(
    re.findall(
        r"\w+",
        "address article aside blockquote body br caption dd div dl dt figcaption figure "
        "footer h1 h2 h3 h4 h5 h6 header hr li main ol p pre section table td th tr ul",
    )
)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


# -- scoring ------------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def html_text(fragment: str) -> tuple[str, list[str]]:
    """The visible text of an HTML fragment (blocks apart) and its heading texts."""
    from lxml import etree
    from lxml import html as lxml_html

    if not fragment.strip():
        return "", []
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return "", []
    etree.strip_elements(root, "script", "style", "noscript", etree.Comment, with_tail=False)
    headings = [" ".join(words(h.text_content())) for h in root.iter(*_HEADINGS)]
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in _BLOCKS:
            element.text = " " + (element.text or "")
            element.tail = " " + (element.tail or "")
    return root.text_content(), [h for h in headings if h]


def prf(got: list[str], want: list[str]) -> tuple[float, float, float]:
    """Bag-of-words precision, recall and F1."""
    if not got or not want:
        return (0.0, 0.0, 0.0) if got or want else (1.0, 1.0, 1.0)
    common = sum((Counter(got) & Counter(want)).values())
    p, r = common / len(got), common / len(want)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def same_words(got: str | None, want: str | None) -> bool:
    """A title / byline is right when its words are the reference's (case and punctuation
    aside), or the reference's words are a run inside it (a title keeping its site suffix)."""
    g, w = " ".join(words(got or "")), " ".join(words(want or ""))
    if not w:
        return not g
    return g == w or (bool(g) and (f" {w} " in f" {g} " or f" {g} " in f" {w} "))


@dataclass(frozen=True, slots=True)
class Page:
    name: str
    source: bytes
    text: list[str]
    headings: list[str]
    title: str
    byline: str


def pages(only: str | None = None) -> Iterator[Page]:
    """The corpus pages, in name order."""
    for folder in sorted(p for p in CORPUS.iterdir() if (p / "source.html").is_file()):
        if only and folder.name != only:
            continue
        expected = (folder / "expected.html").read_text(encoding="utf-8")
        text, headings = html_text(expected)
        meta = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
        yield Page(
            folder.name,
            (folder / "source.html").read_bytes(),
            words(text),
            headings,
            meta.get("title") or "",
            meta.get("byline") or "",
        )


@dataclass(frozen=True, slots=True)
class Result:
    body_html: str
    title: str | None = None
    byline: str | None = None
    """None: the extractor does not give one."""


@dataclass(slots=True)
class Score:
    name: str
    f1: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    per_page: dict[str, float] = field(default_factory=dict)
    heading_hits_recall: int = 0
    heading_total: int = 0
    heading_hits_precision: int = 0
    heading_found: int = 0
    titles: int = 0
    bylines: int = 0
    has_title: bool = False
    has_byline: bool = False
    errors: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)

    def add(self, page: Page, result: Result | None, seconds: float) -> None:
        self.times.append(seconds)
        if result is None:
            p = r = f = 0.0
            heads: list[str] = []
        else:
            text, heads = html_text(result.body_html)
            p, r, f = prf(words(text), page.text)
            self.has_title |= result.title is not None
            self.has_byline |= result.byline is not None
            self.titles += same_words(result.title, page.title)
            self.bylines += same_words(result.byline, page.byline)
        self.precision.append(p)
        self.recall.append(r)
        self.f1.append(f)
        self.per_page[page.name] = f
        want, got = Counter(page.headings), Counter(heads)
        common = sum((want & got).values())
        self.heading_hits_recall += common
        self.heading_hits_precision += common
        self.heading_total += sum(want.values())
        self.heading_found += sum(got.values())


def heading_scores(score: Score) -> tuple[float, float]:
    recall = score.heading_hits_recall / score.heading_total if score.heading_total else 1.0
    precision = score.heading_hits_precision / score.heading_found if score.heading_found else 1.0
    return recall, precision


# -- the extractors -----------------------------------------------------------------------------


def run_newsreader(source: bytes) -> Result:
    from reader.article.extract import extract_article

    article = extract_article(source, PAGE_URL, content_type="text/html")
    return Result(article.body_html, article.title, article.byline)


def run_readability(source: bytes) -> Result:
    from readability import Document

    document = Document(source, url=PAGE_URL)
    return Result(document.summary(html_partial=True), document.short_title(), None)


def run_trafilatura(source: bytes) -> Result:
    import trafilatura

    document = trafilatura.bare_extraction(
        source,
        url=PAGE_URL,
        output_format="python",
        include_formatting=True,
        include_tables=True,
        include_comments=False,
        with_metadata=True,
    )
    if document is None or isinstance(document, dict):
        raise ValueError("no article")
    body = document.body
    html = _trafilatura_html(body) if body is not None else ""
    return Result(html, str(document.title or ""), str(document.author or ""))


def _trafilatura_html(body: object) -> str:
    """trafilatura's internal XML (`<head rend="h2">`, `<p>`, `<list>`...) as plain HTML."""
    from lxml import etree as lxml_etree

    tree = lxml_etree.fromstring(lxml_etree.tostring(body))  # a copy
    for element in tree.iter():
        if element.tag == "head":
            rend = element.get("rend") or "h2"
            element.tag = rend if rend in _HEADINGS else "h2"
        elif element.tag == "list":
            element.tag = "ul"
        elif element.tag == "item":
            element.tag = "li"
        elif element.tag == "lb":
            element.tag = "br"
        elif element.tag in ("row", "cell", "quote", "hi", "ref", "del", "graphic"):
            element.tag = {
                "row": "tr",
                "cell": "td",
                "quote": "blockquote",
            }.get(element.tag, "span")
    return str(lxml_etree.tostring(tree, encoding="unicode", method="html"))


EXTRACTORS: dict[str, Callable[[bytes], Result]] = {
    "newsreader": run_newsreader,
    "readability-lxml": run_readability,
    "trafilatura": run_trafilatura,
}


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _Timeout


def score(name: str, corpus: list[Page], *, timeout: int = TIMEOUT) -> Score:
    """Run one extractor over the corpus (a page past `timeout` s is an error)."""
    run = EXTRACTORS[name]
    result = Score(name)
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for page in corpus:
            start = time.thread_time()
            outcome: Result | None
            try:
                signal.alarm(timeout)
                outcome = run(page.source)
            except _Timeout:
                outcome = None
                result.errors.append(f"{page.name}: no result in {timeout} s")
            except Exception as exc:  # any failure is scored 0 and counted
                outcome = None
                result.errors.append(f"{page.name}: {type(exc).__name__}: {exc}"[:200])
            finally:
                signal.alarm(0)
            result.add(page, outcome, time.thread_time() - start)
    finally:
        signal.signal(signal.SIGALRM, previous)
    return result


# -- the table ----------------------------------------------------------------------------------


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def table(scores: list[Score], pages_count: int) -> str:
    def row(label: str, cell: Callable[[Score], str]) -> str:
        return f"| {label} | " + " | ".join(cell(s) for s in scores) + " |"

    def mean(values: list[float]) -> str:
        return f"{statistics.fmean(values):.3f}" if values else "-"

    def headings(s: Score) -> str:
        recall, precision = heading_scores(s)
        return f"{recall:.2f} / {precision:.2f}"

    lines = [
        f"readability test pages: {pages_count}",
        "",
        "| | " + " | ".join(s.name for s in scores) + " |",
        "|---" * (len(scores) + 1) + "|",
        row("body F1", lambda s: mean(s.f1)),
        row("body precision", lambda s: mean(s.precision)),
        row("body recall", lambda s: mean(s.recall)),
        row("pages with F1 < 0.5", lambda s: str(sum(f < 0.5 for f in s.f1))),
        row("heading recall / precision", headings),
        row("title right", lambda s: f"{s.titles}/{pages_count}" if s.has_title else "-"),
        row("byline right", lambda s: f"{s.bylines}/{pages_count}" if s.has_byline else "-"),
        row("errors", lambda s: str(len(s.errors))),
        row("median CPU time a page", lambda s: f"{statistics.median(s.times) * 1000:.0f} ms"),
        row("p95 CPU time a page", lambda s: f"{_p95(s.times) * 1000:.0f} ms"),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=sorted(EXTRACTORS))
    parser.add_argument("--page", help="one page by name")
    parser.add_argument("--pages", type=int, default=0, help="the first N pages only")
    parser.add_argument("--worst", type=int, default=0, help="list each one's N worst pages")
    args = parser.parse_args()
    corpus = list(pages(args.page))
    if args.pages:
        corpus = corpus[: args.pages]
    names = args.only or list(EXTRACTORS)
    scores: list[Score] = []
    for name in names:
        if name == "trafilatura":
            try:
                import trafilatura  # noqa: F401
            except ImportError:
                print("trafilatura is not installed: its column is skipped")
                continue
        run = EXTRACTORS[name]
        if corpus:
            with contextlib.suppress(Exception):
                run(corpus[0].source)  # warm-up: imports are not a page's time
        scores.append(score(name, corpus))
    print(table(scores, len(corpus)))
    for s in scores:
        if s.errors:
            print(f"\n{s.name} errors:")
            for error in s.errors:
                print(f"  {error}")
        if args.worst:
            worst = sorted(s.per_page.items(), key=lambda kv: kv[1])[: args.worst]
            print(f"\n{s.name} worst pages: " + ", ".join(f"{n} {f:.2f}" for n, f in worst))


if __name__ == "__main__":
    main()
