"""A seeded corpus of feeds for the refresh benchmark: N feeds x 50 items, ~420 KB each.

Shape (issue 7): 20 % summary-only RSS (no `content:encoded`; the `<description>` carries the
item's HTML, entity-escaped), 50 % RSS 2.0 with a short `<description>` and the body in
`content:encoded` (CDATA), 30 % Atom 1.0 (`summary` + `content type="html"`). Bodies are
realistic HTML: paragraphs with links, emphasis and code, `h2`/`h3` headings, block quotes,
lists and figures.

Everything is a pure function of (seed, feed index): feed 7 is the same file whatever N is,
so a corpus of 1000 feeds holds the corpus of 200 as its first 200 files. Item links point at
`*.example.org` (reserved names, never fetched by a refresh).

    python -m bench.corpus --feeds 200 [--seed 1] [--dir /tmp/...] [--base http://127.0.0.1:8000]

writes `feeds/feed-NNNN.xml`, `manifest.json` and `paths.txt` into the directory (default
under the system temp dir, never in the repo); with `--base`, also `urls.txt` and
`feeds.opml` with absolute URLs.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import random
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import quoteattr

GENERATOR_VERSION = 1
"""Bump when the output changes, so cached corpora are rebuilt."""

ITEMS_PER_FEED = 50
FEED_BYTES = 420_000
"""Target size of one feed document (the issue's corpus: 84 MB for 200 feeds)."""
KINDS = ("rss-summary", "rss-content", "atom")
KIND_SHARES = {"rss-summary": 2, "rss-content": 5, "atom": 3}  # out of 10
BASE_DATE = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)
POOL_PARAGRAPHS = 2400

_WORDS_TEXT = """
the of and to in is that for it as was with be by on not he this are or his from at which but
have an they you were her she there been one all we their has would when if so no will more
can out up about who them some could into than then its only other new people what also time
two may after first any over such these most like through back years where much your way well
down should because each just those how too between state both made under while last many
government public agency policy data privacy report court judge law rule service office city
council vote election market company companies users platform network security research study
officials spokesperson statement said says according week month year today yesterday morning
evening federal local national international economy budget money cost price growth workers
union strike school schools students teachers hospital health doctors patients climate energy
power grid water river storm flood heat summer winter spring autumn transport train trains bus
road bridge housing rent tenants landlord building plan plans project projects investigation
documents records request email emails message messages phone app apps software hardware chip
chips model models system systems cloud server servers update updates feature features access
account accounts password passwords breach leak leaked attack attackers vulnerability patch
release version open source community developers maintainers project issue issues question
answer evidence analysis numbers figures percent million billion thousand hundred small large
early late recent previous next major minor key critical important clear simple hard difficult
likely unlikely possible impossible different similar same other another every several few
"""

_NAMES_TEXT = """
Ada Bernard Chen Dara Elena Farid Grace Hana Ivan Jonas Kemi Leila Marco Nadia Omar Priya Quinn
Rosa Samir Tomas Uma Viktor Wen Ximena Yusuf Zofia Abebe Brigid Caio Deniz
"""
_SURNAMES_TEXT = """
Okafor Lindqvist Moreau Tanaka Alvarez Nowak Haddad Kowalski Fischer Rahman Silva Novak Duarte
Ivanova Mensah Park Costa Weber Jensen Byrne Castillo Petrov Yilmaz Santos Nakamura Bauer
"""
_TOPICS_TEXT = """
Politics Tech Privacy Science Climate Health Business Culture Cities Transport Energy Security
Education Labour Media Law Space Food Sport Housing
"""
_WORDS = _WORDS_TEXT.split()
_NAMES = _NAMES_TEXT.split()
_SURNAMES = _SURNAMES_TEXT.split()
_TOPICS = _TOPICS_TEXT.split()


def _sentence(rng: random.Random, words: int) -> str:
    picked = [rng.choice(_WORDS) for _ in range(words)]
    picked[0] = picked[0].capitalize()
    if rng.random() < 0.3:
        picked.insert(rng.randrange(1, len(picked)), rng.choice(_NAMES))
    return " ".join(picked) + rng.choice((".", ".", ".", "?", ";"))


def _inline(rng: random.Random, text: str, site: str) -> str:
    """Sprinkle a link, emphasis or code over a paragraph's words (escaped text stays text)."""
    words = html.escape(text, quote=False).split(" ")
    for _ in range(rng.randint(0, 3)):
        i = rng.randrange(len(words))
        j = min(len(words), i + rng.randint(1, 4))
        chunk = " ".join(words[i:j])
        kind = rng.random()
        if kind < 0.5:
            slug = "-".join(rng.choice(_WORDS) for _ in range(4))
            wrapped = f'<a href="https://{site}/2025/{rng.randint(1, 12):02d}/{slug}">{chunk}</a>'
        elif kind < 0.8:
            wrapped = f"<em>{chunk}</em>"
        elif kind < 0.95:
            wrapped = f"<strong>{chunk}</strong>"
        else:
            wrapped = f"<code>{chunk}</code>"
        words[i:j] = [wrapped]
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class Pool:
    """Seeded building blocks shared by every feed (so generating 1000 feeds stays fast)."""

    paragraphs: tuple[str, ...]
    headings: tuple[str, ...]
    quotes: tuple[str, ...]


_POOLS: dict[int, Pool] = {}


def pool(seed: int) -> Pool:
    cached = _POOLS.get(seed)
    if cached is not None:
        return cached
    rng = random.Random(f"newsreader-bench:{seed}:pool")
    paragraphs = []
    for _ in range(POOL_PARAGRAPHS):
        text = " ".join(_sentence(rng, rng.randint(8, 24)) for _ in range(rng.randint(3, 6)))
        site = f"www.{rng.choice(_WORDS)}-{rng.choice(_WORDS)}.example.org"
        paragraphs.append(_inline(rng, text, site))
    headings = tuple(
        " ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 6))).capitalize()
        for _ in range(400)
    )
    quotes = tuple(
        html.escape(_sentence(rng, rng.randint(12, 30)), quote=False) for _ in range(300)
    )
    made = Pool(tuple(paragraphs), headings, quotes)
    _POOLS[seed] = made
    return made


@dataclass(frozen=True, slots=True)
class Item:
    guid: str
    title: str
    link: str
    author: str
    published: datetime
    category: str
    summary: str
    """Plain text (an excerpt), for RSS `<description>` / Atom `<summary>` of full feeds."""
    body: str
    """The item's HTML."""


@dataclass(frozen=True, slots=True)
class FeedDoc:
    index: int
    kind: str
    title: str
    site: str
    items: tuple[Item, ...]
    data: bytes
    """The serialised document."""

    @property
    def path(self) -> str:
        return feed_path(self.index)


def feed_path(index: int) -> str:
    return f"feeds/feed-{index:04d}.xml"


def kind_of(seed: int, index: int) -> str:
    """20 / 50 / 30 % of the kinds, in a seeded order that repeats every 10 feeds."""
    order = [kind for kind in KINDS for _ in range(KIND_SHARES[kind])]
    random.Random(f"newsreader-bench:{seed}:kinds").shuffle(order)
    return order[index % len(order)]


def _body(rng: random.Random, p: Pool, item_no: int, site: str, target: int) -> str:
    """An article body of about `target` characters of HTML."""
    parts = [f"<p>{rng.choice(p.paragraphs)}</p>"]
    size = len(parts[0])
    section = 0
    while size < target:
        roll = rng.random()
        if roll < 0.12:
            section += 1
            block = f"<h2>{rng.choice(p.headings)}</h2>"
        elif roll < 0.17:
            block = f"<h3>{rng.choice(p.headings)}</h3>"
        elif roll < 0.22:
            who = f"{rng.choice(_NAMES)} {rng.choice(_SURNAMES)}"
            block = f"<blockquote><p>{rng.choice(p.quotes)}</p><cite>{who}</cite></blockquote>"
        elif roll < 0.26:
            lis = "".join(f"<li>{rng.choice(p.quotes)}</li>" for _ in range(rng.randint(3, 6)))
            block = f"<ul>{lis}</ul>"
        elif roll < 0.28:
            n = rng.randint(1, 9999)
            block = (
                f'<figure><img src="https://{site}/img/{item_no}-{n}.jpg" '
                f'alt="{rng.choice(p.headings)}"><figcaption>{rng.choice(p.quotes)}'
                "</figcaption></figure>"
            )
        else:
            block = f"<p>{rng.choice(p.paragraphs)}</p>"
        parts.append(block)
        size += len(block)
    return "\n".join(parts)


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _rss_item(item: Item, kind: str) -> str:
    if kind == "rss-summary":
        description = _esc(item.body)
        content = ""
    else:
        description = _esc(item.summary)
        content = f"\n  <content:encoded><![CDATA[{item.body}]]></content:encoded>"
    return (
        "<item>\n"
        f"  <title>{_esc(item.title)}</title>\n"
        f"  <link>{_esc(item.link)}</link>\n"
        f'  <guid isPermaLink="false">{_esc(item.guid)}</guid>\n'
        f"  <pubDate>{format_datetime(item.published)}</pubDate>\n"
        f"  <dc:creator>{_esc(item.author)}</dc:creator>\n"
        f"  <category>{_esc(item.category)}</category>\n"
        f"  <description>{description}</description>{content}\n"
        "</item>\n"
    )


def _atom_item(item: Item) -> str:
    stamp = item.published.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        "<entry>\n"
        f"  <title>{_esc(item.title)}</title>\n"
        f'  <link rel="alternate" type="text/html" href={quoteattr(item.link)}/>\n'
        f"  <id>{_esc(item.guid)}</id>\n"
        f"  <published>{stamp}</published>\n"
        f"  <updated>{stamp}</updated>\n"
        f"  <author><name>{_esc(item.author)}</name></author>\n"
        f"  <category term={quoteattr(item.category)}/>\n"
        f'  <summary type="html">{_esc(_esc(item.summary))}</summary>\n'
        f'  <content type="html">{_esc(item.body)}</content>\n'
        "</entry>\n"
    )


def _head(kind: str, title: str, site: str, updated: datetime) -> str:
    if kind == "atom":
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
            f"<title>{_esc(title)}</title>\n"
            f"<subtitle>News and analysis from {_esc(title)}</subtitle>\n"
            f'<link rel="alternate" href="https://{site}/"/>\n'
            f"<id>https://{site}/</id>\n"
            f"<updated>{updated.strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>\n"
            "<generator>newsreader-bench</generator>\n"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        "<channel>\n"
        f"<title>{_esc(title)}</title>\n"
        f"<link>https://{site}/</link>\n"
        f"<description>News and analysis from {_esc(title)}</description>\n"
        "<language>en</language>\n"
        f"<lastBuildDate>{format_datetime(updated)}</lastBuildDate>\n"
        "<generator>newsreader-bench</generator>\n"
    )


def _tail(kind: str) -> str:
    return "</feed>\n" if kind == "atom" else "</channel>\n</rss>\n"


def make_feed(seed: int, index: int, *, items: int = ITEMS_PER_FEED) -> FeedDoc:
    """Feed `index` of the corpus for `seed`: the same bytes every time."""
    rng = random.Random(f"newsreader-bench:{seed}:feed:{index}")
    p = pool(seed)
    kind = kind_of(seed, index)
    word = rng.choice(_WORDS).capitalize()
    title = f"{word} {rng.choice(_TOPICS)} Desk {index}"
    site = f"site-{index}.example.org"
    newest = BASE_DATE - timedelta(minutes=rng.randint(0, 24 * 60))
    head = _head(kind, title, site, newest)
    tail = _tail(kind)
    budget = FEED_BYTES - len(head) - len(tail)
    chunks: list[str] = []
    made: list[Item] = []
    used = 0
    when = newest
    for n in range(items):
        slug = "-".join(rng.choice(_WORDS) for _ in range(5))
        headline = rng.choice(p.headings)
        item_title = f"{headline}: {rng.choice(p.headings).lower()}"
        summary = " ".join(_sentence(rng, rng.randint(10, 20)) for _ in range(2))
        item = Item(
            guid=f"urn:newsreader-bench:{seed}:{index}:{n}",
            title=item_title,
            link=f"https://{site}/{when:%Y/%m}/{slug}-{n}.html",
            author=f"{rng.choice(_NAMES)} {rng.choice(_SURNAMES)}",
            published=when,
            category=rng.choice(_TOPICS),
            summary=summary,
            body="",
        )
        # The body grows until the serialised item takes its share of what is left.
        share = (budget - used) // (items - n)
        shell = _atom_item(item) if kind == "atom" else _rss_item(item, kind)
        escaping = 1.0 if kind == "rss-content" else 1.1
        target = max(600, int((share - len(shell)) / escaping))
        item = Item(**{**_fields(item), "body": _body(rng, p, n, site, target)})
        chunk = _atom_item(item) if kind == "atom" else _rss_item(item, kind)
        chunks.append(chunk)
        made.append(item)
        used += len(chunk.encode())
        when -= timedelta(minutes=rng.randint(20, 600))
    data = (head + "".join(chunks) + tail).encode()
    return FeedDoc(index, kind, title, site, tuple(made), data)


def _fields(item: Item) -> dict[str, object]:
    return {name: getattr(item, name) for name in Item.__slots__}


# -- writing a corpus -----------------------------------------------------------------------


def with_typography(doc: FeedDoc) -> FeedDoc:
    """The feed with the characters real bodies hold and the generated ones do not: curly
    apostrophes and quotes, dashes, and (in every other feed) no-break spaces after full
    stops. Most real feeds' text is not ASCII, and Python's str methods, our parser's and
    our rules' work, run slower on such text."""
    data = doc.data.replace(b" its ", " it\u2019s ".encode())
    data = data.replace(b" says ", " says \u201c".encode())
    data = data.replace(b" but ", " \u2014 but ".encode())
    if doc.index % 2:
        data = data.replace(b". ", ".\u00a0".encode())
    return replace(doc, data=data)


def default_dir(seed: int, typographic: bool = False) -> Path:
    name = f"corpus-seed{seed}" + ("-typographic" if typographic else "")
    return Path(tempfile.gettempdir()) / "newsreader-bench" / name


def write_corpus(
    directory: Path, feeds: int, seed: int = 1, *, quiet: bool = False, typographic: bool = False
) -> dict:
    """Write (or reuse) feeds 0..feeds-1 in `directory`; returns the manifest."""
    directory = Path(directory)
    manifest_path = directory / "manifest.json"
    manifest: dict = {
        "generator": GENERATOR_VERSION,
        "seed": seed,
        "typographic": typographic,
        "feeds": [],
    }
    if manifest_path.is_file():
        old = json.loads(manifest_path.read_text())
        if (
            old.get("generator") == GENERATOR_VERSION
            and old.get("seed") == seed
            and old.get("typographic", False) == typographic
        ):
            manifest = old
    have = len(manifest["feeds"])
    if have >= feeds:
        return _trimmed(manifest, feeds)
    (directory / "feeds").mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for index in range(have, feeds):
        doc = make_feed(seed, index)
        if typographic:
            doc = with_typography(doc)
        target = directory / doc.path
        target.write_bytes(doc.data)
        manifest["feeds"].append(
            {
                "index": index,
                "path": doc.path,
                "kind": doc.kind,
                "title": doc.title,
                "bytes": len(doc.data),
                "items": len(doc.items),
                "sha1": hashlib.sha1(doc.data).hexdigest(),
                "newest": doc.items[0].published.timestamp(),
            }
        )
        if not quiet and (index + 1) % 100 == 0:
            print(f"  corpus: {index + 1}/{feeds} feeds", flush=True)
    manifest["total_bytes"] = sum(f["bytes"] for f in manifest["feeds"])
    manifest_path.write_text(json.dumps(manifest, indent=1))
    (directory / "paths.txt").write_text("".join(f["path"] + "\n" for f in manifest["feeds"]))
    if not quiet:
        took = time.perf_counter() - started
        print(f"  corpus: wrote {feeds - have} feeds in {took:.1f} s to {directory}", flush=True)
    return _trimmed(manifest, feeds)


def _trimmed(manifest: dict, feeds: int) -> dict:
    chosen = manifest["feeds"][:feeds]
    return {**manifest, "feeds": chosen, "total_bytes": sum(f["bytes"] for f in chosen)}


def write_url_list(directory: Path, urls: list[str], titles: list[str] | None = None) -> None:
    """`urls.txt` (one URL a line, newsboat's format) and `feeds.opml` for these URLs."""
    directory = Path(directory)
    (directory / "urls.txt").write_text("".join(url + "\n" for url in urls))
    titles = titles or urls
    outlines = "".join(
        f'    <outline type="rss" text={quoteattr(t)} xmlUrl={quoteattr(u)}/>\n'
        for u, t in zip(urls, titles, strict=True)
    )
    (directory / "feeds.opml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0">\n'
        "  <head><title>newsreader benchmark corpus</title></head>\n  <body>\n"
        f"{outlines}  </body>\n</opml>\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=None, help="default: under the temp dir")
    parser.add_argument("--base", help="write urls.txt and feeds.opml for this server base URL")
    args = parser.parse_args()
    directory = args.dir or default_dir(args.seed)
    manifest = write_corpus(directory, args.feeds, args.seed)
    kinds = {kind: sum(f["kind"] == kind for f in manifest["feeds"]) for kind in KINDS}
    total = manifest["total_bytes"]
    print(
        f"{len(manifest['feeds'])} feeds, {total / 1e6:.1f} MB "
        f"({total / len(manifest['feeds']) / 1000:.0f} KB a feed), {kinds}, in {directory}"
    )
    if args.base:
        base = args.base.rstrip("/")
        write_url_list(
            directory,
            [f"{base}/{f['path']}" for f in manifest["feeds"]],
            [f["title"] for f in manifest["feeds"]],
        )
        print(f"wrote {directory / 'urls.txt'} and {directory / 'feeds.opml'}")


if __name__ == "__main__":
    main()
