"""XML attacks on the feed parser: external entities, entity bombs, DTD tricks.

feedparser 6 on its own: its strict parser (expat via xml.sax) has external entities off, and
its `replace_doctype` drops entity declarations that reference others or anything external,
so XXE and the classic billion laughs do nothing. But it keeps *simple* entities
(`<!ENTITY a "50 KB of text">`) and both of its parsers expand them: one 50 KB entity used
50,000 times took 126 s and 7.5 GB here. `reader.feeds.parse` removes the whole DTD before
parsing (and again inside feedparser, after its conversion to UTF-8); these tests prove it.

The bombs run in a child process with a 1 GiB address-space limit, so a regression fails
the test (MemoryError or a timeout) instead of taking the machine down, and the child
reports its peak memory (ru_maxrss) and time.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import feedparser.api
import pytest

from reader.feeds import parse as parse_module
from reader.feeds.parse import NotAFeedError, parse_feed
from reader.models import ParsedFeed

ROOT = Path(__file__).resolve().parent.parent
FEED_URL = "http://news.example/feed.xml"
XML = {"content-type": "application/xml; charset=utf-8"}
SECRET = "S3CR3T-7d1e0f"
MEMORY_LIMIT = 1024**3
"""Address-space limit of the child that parses a bomb."""
PEAK_RSS_LIMIT_MB = 300


def rss(items: str, *, prolog: str = "", title: str = "Test") -> bytes:
    """An RSS document; `<guid>` is written as a non-permalink (so keys stay as written)."""
    items = items.replace("<guid>", '<guid isPermaLink="false">')
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f"{prolog}"
        f'<rss version="2.0"><channel><title>{title}</title>{items}</channel></rss>'
    ).encode()


def everything(feed: ParsedFeed) -> str:
    """Every string a ParsedFeed holds, for "does the secret appear anywhere" checks."""
    return repr(feed)


# --- external entities -------------------------------------------------------------------


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


XXE_PROLOGS = [
    # a general entity, declared on one line and on its own lines
    '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{path}">]>\n',
    '<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "file://{path}">\n]>\n',
    # a public id in front of the system id
    '<!DOCTYPE rss [\n<!ENTITY xxe PUBLIC "-//X//Y" "file://{path}">\n]>\n',
    # a parameter entity pulling in a file as DTD text
    '<!DOCTYPE rss [\n<!ENTITY % pe SYSTEM "file://{path}">\n%pe;\n]>\n',
    # an external DTD
    '<!DOCTYPE rss SYSTEM "file://{path}">\n',
    # a `>` inside a quoted string and a comment in the subset: a naive regex stops early
    '<!DOCTYPE rss [\n<!-- > ] -->\n<!ENTITY note "a > b">\n<!ENTITY xxe SYSTEM "file://{path}">\n]>\n',
    # lower-case doctype keyword, read by the lenient parser
    '<!doctype rss [\n<!ENTITY xxe SYSTEM "file://{path}">\n]>\n',
]


@pytest.mark.parametrize("prolog", XXE_PROLOGS)
def test_external_entities_never_read_a_local_file(prolog: str, secret_file: Path) -> None:
    body = rss(
        "<item><guid>g1</guid><title>Item &xxe;</title>"
        "<author>a@b.example (&xxe;)</author>"
        "<description>&lt;p&gt;Summary &amp;xxe; &xxe;&lt;/p&gt;</description>"
        "<link>http://news.example/&xxe;</link></item>"
        "<item><guid>g2</guid><title>Second</title></item>",
        prolog=prolog.format(path=secret_file),
        title="Feed &xxe;",
    )
    feed = parse_feed(body, url=FEED_URL, headers=XML)
    assert SECRET not in everything(feed)
    assert [e.key for e in feed.entries] == ["g1", "g2"]  # the rest of the feed still reads


def test_external_entity_in_a_utf16_document(secret_file: Path) -> None:
    # UTF-16 skips the raw-bytes pass: only the guard inside feedparser sees this DTD.
    body = (
        '<?xml version="1.0" encoding="utf-16"?>\n'
        f'<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "file://{secret_file}">\n]>\n'
        '<rss version="2.0"><channel><title>T &xxe;</title>'
        "<item><guid isPermaLink='false'>g</guid><title>x &xxe;</title></item></channel></rss>"
    ).encode("utf-16")
    feed = parse_feed(body, url=FEED_URL, headers={"content-type": "application/xml"})
    assert SECRET not in everything(feed)
    assert [e.key for e in feed.entries] == ["g"]


def test_xinclude_and_stylesheet_instructions_are_inert(secret_file: Path) -> None:
    body = rss(
        '<item><guid>g</guid><title>x</title><description xmlns:xi="http://www.w3.org/2001/XInclude">'
        f'<xi:include href="file://{secret_file}" parse="text"/></description></item>',
        prolog=f'<?xml-stylesheet type="text/xsl" href="file://{secret_file}"?>\n',
    )
    assert SECRET not in everything(parse_feed(body, url=FEED_URL, headers=XML))


# --- entity expansion bombs ----------------------------------------------------------------


def billion_laughs(levels: int = 9, *, one_line: bool = False) -> bytes:
    sep = "" if one_line else "\n"
    decls = ['<!ENTITY lol0 "lol">']
    for level in range(1, levels + 1):
        decls.append(f'<!ENTITY lol{level} "' + f"&lol{level - 1};" * 10 + '">')
    prolog = f"<!DOCTYPE lolz [{sep}" + sep.join(decls) + f"{sep}]>\n"
    return rss(
        f"<item><guid>g</guid><title>a &lol{levels};</title>"
        f"<description>&lol{levels};</description></item>",
        prolog=prolog,
        title=f"&lol{levels};",
    )


def quadratic(size: int = 50_000, uses: int = 50_000, *, encoding: str = "utf-8") -> bytes:
    """One `size`-character entity referenced `uses` times (newsboat: bad_alloc at 4.8 GB)."""
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        f'<!DOCTYPE rss [\n<!ENTITY a "{"A" * size}">\n]>\n'
        '<rss version="2.0"><channel><title>T</title>'
        f"<item><guid isPermaLink='false'>g</guid><title>x</title>"
        f"<description>{'&a;' * uses}</description></item>"
        "<item><guid isPermaLink='false'>h</guid><title>after</title></item></channel></rss>"
    )
    return text.encode(encoding)


def entity_outside_doctype() -> bytes:
    """feedparser moves a simple entity declared after the DOCTYPE *into* a new internal
    subset it writes itself, so expat expands it: invalid XML that feedparser makes live."""
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss>\n'
        f'<!ENTITY a "{"B" * 50_000}">\n'
        '<rss version="2.0"><channel><title>T</title>'
        "<item><guid isPermaLink='false'>g</guid><title>x</title>"
        f"<description>{'&a;' * 50_000}</description></item></channel></rss>"
    ).encode()


BOMBS = {
    "billion-laughs": lambda: billion_laughs(),
    "billion-laughs-one-line": lambda: billion_laughs(one_line=True),
    "quadratic": lambda: quadratic(),
    "quadratic-utf16": lambda: quadratic(encoding="utf-16"),
    "entity-outside-doctype": entity_outside_doctype,
}


def _bomb_case(name: str, guarded: bool = True) -> dict[str, object]:
    """Run in the child: parse one bomb, report time, memory and what came out."""
    import resource

    if not guarded:  # the control: feedparser as it ships
        from feedparser.sanitizer import replace_doctype

        parse_module.guarded_feedparser()  # loaded now, so the guard is not put back later

        feedparser.api.replace_doctype = replace_doctype
        parse_module._defuse = lambda data, keep_doctype: (data, False, 0)  # type: ignore[assignment]
    body = BOMBS[name]()
    started = time.perf_counter()
    try:
        feed = parse_feed(body, url=FEED_URL, headers={"content-type": "application/xml"})
        outcome = {
            "entries": [e.key for e in feed.entries],
            "longest": max(
                [len(feed.title)] + [len(e.title) + len(e.summary) for e in feed.entries]
            ),
            "warning": feed.warning,
        }
    except NotAFeedError as exc:
        outcome = {"not_a_feed": str(exc)}
    except MemoryError:
        outcome = {"memory_error": True}
    seconds = time.perf_counter() - started
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        **outcome,
        "seconds": seconds,
        "peak_rss_mb": rss_kb / 1024,
        "body_kb": len(body) / 1024,
    }


def run_isolated(name: str, *, guarded: bool = True, timeout: float = 30) -> dict[str, object]:
    code = (
        "import json, resource\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))\n"
        "from tests.test_hostile_xml import _bomb_case\n"
        f"print(json.dumps(_bomb_case({name!r}, {guarded!r})))\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    except subprocess.TimeoutExpired:
        return {"timeout": True}
    if done.returncode != 0:
        return {"crashed": done.returncode, "stderr": done.stderr[-2000:]}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_entity_bombs_are_bounded_in_time_and_memory(name: str) -> None:
    result = run_isolated(name)
    assert "timeout" not in result and "crashed" not in result, result
    assert "memory_error" not in result, result
    assert result["seconds"] < 5, result  # type: ignore[operator]
    assert result["peak_rss_mb"] < PEAK_RSS_LIMIT_MB, result  # type: ignore[operator]
    assert "entries" in result, result
    # Nothing was expanded: no string much longer than the document itself (an unexpanded
    # `&a;` may come out escaped as `&amp;a;`).
    assert result["longest"] < 2 * 1024 * result["body_kb"], result  # type: ignore[operator]
    assert "g" in result["entries"], result  # type: ignore[operator]


def test_without_the_guard_the_quadratic_bomb_does_blow_up() -> None:
    """The control: the corpus is hostile for real (feedparser as it ships fails here)."""
    result = run_isolated("quadratic", guarded=False, timeout=20)
    exploded = (
        result.get("timeout")
        or result.get("crashed")
        or result.get("memory_error")
        or "MemoryError" in str(result.get("not_a_feed", ""))
        or result.get("peak_rss_mb", 0) > PEAK_RSS_LIMIT_MB  # type: ignore[operator]
        or result.get("longest", 0) > 10_000_000  # type: ignore[operator]
    )
    assert exploded, result


# --- the guard itself --------------------------------------------------------------------


def test_the_guard_is_installed_in_feedparser() -> None:
    parse_module.guarded_feedparser()
    assert parse_module.GUARDS_INSTALLED
    assert feedparser.api.replace_doctype is parse_module._guarded_replace_doctype


def test_feedparser_called_directly_is_guarded_too() -> None:
    # Another caller of feedparser in this process gets the same protection, once
    # newsreader has loaded it.
    parse_module.guarded_feedparser()
    started = time.perf_counter()
    result = feedparser.parse(io.BytesIO(quadratic(50_000, 2_000, encoding="utf-16")))
    assert time.perf_counter() - started < 2
    assert max(len(e.get("summary", "")) for e in result.entries) < 100_000


@pytest.mark.parametrize(
    ("prolog", "kept"),
    [
        ("", ""),
        ("<!-- a comment -->\n", "<!-- a comment -->\n"),
        ('<?xml-stylesheet href="s.xsl"?>\n', '<?xml-stylesheet href="s.xsl"?>\n'),
        ('<!DOCTYPE rss [<!ENTITY a "x">]>\n', "\n"),
        ('<!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "http://x/rss.dtd" [\n]>\n', "\n"),
        ("<!DOCTYPE rss [ <!ENTITY a \"]>\"> <!ENTITY b '>'> <?pi ]> ?> ]>\n", "\n"),
        ('<!ENTITY stray "x">\n<!ELEMENT rss ANY>\n', "\n\n"),
    ],
)
def test_strip_dtd_removes_every_declaration_from_the_prolog(prolog: str, kept: str) -> None:
    head = b'<?xml version="1.0"?>\n'
    rest = b'<rss version="2.0"><!-- <!ENTITY body "stays"> --><channel/></rss>'
    stripped, _ = parse_module._strip_dtd(head + prolog.encode() + rest, keep_doctype=False)
    assert stripped == head + kept.encode() + rest


def test_strip_dtd_keeps_the_doctype_name_when_asked() -> None:
    doctype = b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "x.dtd"'
    body = doctype + b' [\n<!ENTITY a "x">\n]>\n<rss version="0.91"><channel/></rss>'
    stripped, netscape = parse_module._strip_dtd(body, keep_doctype=True)
    assert stripped == doctype + b' >\n<rss version="0.91"><channel/></rss>'
    assert netscape


def test_an_unclosed_internal_subset_takes_the_document_with_it() -> None:
    body = b'<!DOCTYPE rss [\n<!ENTITY a "x">\n<rss version="2.0"><channel><item/></channel></rss>'
    with pytest.raises(NotAFeedError):
        parse_feed(body, url=FEED_URL, headers=XML)


def test_html_entities_still_read_without_a_dtd() -> None:
    # feedparser reads undeclared HTML entities leniently; the DTD guard must not change that.
    body = rss(
        "<item><guid>g</guid><title>A&nbsp;B &eacute; &copy; &hellip; &mdash;</title></item>",
        prolog='<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        '"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n',
    )
    assert parse_feed(body, url=FEED_URL, headers=XML).entries[0].title == "A B é © … —"


def test_a_declared_entity_is_left_as_text_not_expanded() -> None:
    body = rss(
        "<item><guid>g</guid><title>x &custom; y</title></item>",
        prolog='<!DOCTYPE rss [\n<!ENTITY custom "EXPANDED">\n]>\n',
    )
    title = parse_feed(body, url=FEED_URL, headers=XML).entries[0].title
    assert "EXPANDED" not in title
    assert title.startswith("x") and title.endswith("y")


def test_deeply_nested_xml_elements() -> None:
    depth = 30_000
    body = rss(
        "<item><guid>a</guid><title>t</title>"
        + "<x>" * depth
        + "</x>" * depth
        + "</item><item><guid>b</guid><title>after</title></item>"
    )
    started = time.perf_counter()
    feed = parse_feed(body, url=FEED_URL, headers=XML)
    assert time.perf_counter() - started < 5
    assert [e.key for e in feed.entries] == ["a", "b"]
